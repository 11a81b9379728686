"""clean.repair skips whole-text passes that cannot change the text: the result is the same."""
import re

from policyflows.ingest import clean


def _repair_every_pass(text: str) -> str:
    """repair() as it was before the skips: every residue and the deletion table on every text."""
    text = "".join(clean._fix_chunk(chunk) for chunk in clean._CHUNK.findall(text))
    for pattern, replacement, _ in clean._residues():
        text = pattern.sub(replacement, text)
    text = text.translate(clean._invisible()[1])
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return clean._CONTROL.sub(" ", text)


def test_repair_same_with_and_without_skips():
    texts = ["plain ASCII text, nothing to do\r\n", "Itâs the userâs choice â always.", "soft\u00adhyphen and\u200bzero width",
             "caf\u0065\u0301 \u00e9t\u00e9 \ufeffBOM", "Itâ€™s mojibake â€” here", "ASCII with a control \x07 char"]
    for text in texts:
        assert clean.repair(text) == _repair_every_pass(text)


def test_required_character():
    assert clean._required_character(re.compile(r"(?<=[A-Za-z])â(?=[sS]\b)")) == "â"
    assert clean._required_character(re.compile(r"a|b")) is None  # a branch: no one character
    assert clean._required_character(re.compile(r"x?y")) == "y"
    assert clean._required_character(re.compile(r"k", re.IGNORECASE)) is None
