"""Every crawled page and every OPP-115 policy reads, keeps its policy body and loses page furniture.

The body check is independent of the reader: it takes the raw HTML's own paragraphs (OPP-115's
|||-separated annotated paragraphs; the vendor pages' long innermost text elements that talk about
information or data) and asks that their words survive in order in the cleaned text. The
furniture check takes the link texts of <nav> elements and cookie banners and asks that none
stands alone as a line of the cleaned text.
"""
from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest

from conftest import CORPUS
from policyflows.ingest import read
from policyflows.ingest.clean import repair

IOT = sorted((CORPUS / "iot").glob("*.html"))
OPP = sorted((CORPUS / "opp115").glob("*.html"))
WORD = re.compile(r"\w+")
FURNITURE = ("//nav | //header | //footer | //*[contains(@class, 'cookie') or contains(@id, 'cookie')"
             " or contains(@class, 'menu') or contains(@class, 'nav')]")


def _words(text: str) -> str:
    return " ".join(WORD.findall(text.lower()))


def _kept_share(paragraphs: list[str], cleaned: str) -> float:
    """Share of paragraphs whose first twelve words appear, in order, in the cleaned text."""
    body = _words(cleaned)
    probes = [" ".join(WORD.findall(p.lower())[:12]) for p in paragraphs]
    probes = [p for p in probes if len(p.split()) >= 6]
    if not probes:
        return 1.0
    return sum(p in body for p in probes) / len(probes)


def _assert_offsets(doc) -> None:
    """Every sentence slices exactly its (stripped) text and stays inside its section."""
    for i, s in enumerate(doc.sentences):
        piece = doc.text[s.start:s.end]
        assert piece and piece == piece.strip() == doc.sentence_text(i)
        if s.section is not None:
            assert doc.sections[s.section].start <= s.start and s.end <= doc.sections[s.section].end


def test_the_corpus_is_there():
    assert len(IOT) == 9 and len(OPP) == 115


@pytest.mark.parametrize("path", OPP, ids=lambda p: p.stem)
def test_opp115_policy_keeps_its_annotated_paragraphs(path: Path):
    doc = read(path)
    raw = repair(path.read_text(encoding="utf-8", errors="replace"))
    paragraphs = [lxml.html.fragment_fromstring(p, create_parent="div").text_content()
                  for p in raw.split("|||") if p.strip()]
    assert doc.sentences
    _assert_offsets(doc)
    assert _kept_share(paragraphs, doc.text) >= 0.95


@pytest.mark.parametrize("path", IOT, ids=lambda p: p.stem)
def test_vendor_page_keeps_its_body_and_drops_navigation(path: Path):
    doc = read(path)
    _assert_offsets(doc)
    root = lxml.html.document_fromstring(repair(path.read_text(encoding="utf-8", errors="replace")))
    for element in root.xpath("//script | //style | //noscript"):
        element.drop_tree()
    leaves = root.xpath("//body//*[self::p or self::li or self::div or self::td or self::span]"
                        "[not(.//p or .//div or .//li or .//ul or .//table or .//section)]")
    body = [e.text_content() for e in leaves
            if len(e.text_content()) >= 150 and re.search(r"\b(information|data)\b", e.text_content(), re.I)]
    if body:
        assert _kept_share(body, doc.text) >= 0.9
    else:  # the page's body is loaded by script: only its description is there to read
        description = root.xpath("//meta[@name='description']/@content")[0]
        assert _words(description) in _words(doc.text)
    # In-page tables of contents link to the policy's own headings: those lines are content.
    lines = {line.strip().lower() for line in doc.text.split("\n")} - {s.title.lower() for s in doc.sections}
    furniture = {_link.text_content().strip().lower() for element in root.xpath(FURNITURE) for _link in element.iter("a")}
    furniture = {f for f in furniture if len(f) > 3} - {"privacy policy", "privacy", "contact us"}
    assert not furniture & lines, sorted(furniture & lines)[:10]
    assert _longest_menu_run(doc.text) < 5


def _longest_menu_run(text: str) -> int:
    """The most consecutive lines of one to three words: the signature of a menu left in the text."""
    longest = run = 0
    for line in text.split("\n"):
        if not line.strip():
            continue
        run = run + 1 if len(line.split()) <= 3 and not line.rstrip().endswith((".", ":")) else 0
        longest = max(longest, run)
    return longest


@pytest.mark.parametrize("page, controller, alias, updated, contact", [
    ("arlo", "Arlo Technologies, Inc.", "Arlo", "2020-02-05", "privacy.policy@arlo.com"),  # "revised and posted as of"
    ("eufy", "Anker Technology (UK) Ltd", "eufy", "2018-10-23", "support@eufylife.com"),     # 10/23/2018, US order
    ("tuya", "Tuya Inc.", "Tuya", "2019-11-25", None),          # "Last updated" beats "Effective"
    ("wyze", "Wyze Labs, Inc.", "Wyze", "2020-01-01", "privacy@wyze.com"),
    ("ring", "Ring LLC", "Ring", "2020-02-18", None),            # read from the meta description
    ("reolink", "Reolink", None, "2019-12-13", "dpo@reolink.com"),  # no legal entity: the name it calls itself
    ("danale", "Danale Inc.", "Danale", None, None),             # states no date
])
def test_vendor_page_metadata(page, controller, alias, updated, contact):
    meta = read(CORPUS / "iot" / f"{page}.html").metadata
    assert meta.controller == controller
    assert (alias in meta.controller_aliases) if alias else not meta.controller_aliases
    assert meta.updated == updated
    if contact:
        assert contact in meta.contacts


def test_opp115_metadata_found_by_general_rules():
    amazon = read(CORPUS / "opp115" / "105_amazon.com.html").metadata
    assert amazon.updated == "2014-03-03"  # "Last updated: March 3, 2014."
    honda = read(CORPUS / "opp115" / "1050_honda.com.html").metadata
    assert honda.controller == "American Honda Motor Co., Inc." and honda.controller_aliases == ["American Honda"]
    assert honda.updated == "2014-12-23"  # only in the title: "STATEMENT OF PRIVACY ( 12/23/2014, UNITED STATES ONLY)"
    pytest.importorskip("policyflows.ontology")
    assert amazon.governing_law == ["US-WA"]  # "application of the law of the state of Washington"
