"""Formats decided by content, PDF reading, charsets, and bad input (library and folder expansion)."""
from __future__ import annotations

import pytest

from conftest import CORPUS, HUALAI
from policyflows.errors import PolicyReadError
from policyflows.ingest import iter_policy_files, read, read_string


def _hualai_paragraphs() -> list[str]:
    """The seed policy cut at its sentence ends into paragraphs of about 1500 characters (a PDF's pages)."""
    text = HUALAI.read_text(encoding="utf-8")
    paragraphs, start = [], 0
    while start < len(text):
        end = text.find(". ", start + 1500)
        end = len(text) if end < 0 else end + 1
        paragraphs.append(text[start:end].strip())
        start = end
    return paragraphs


def test_pdf_made_from_a_real_policy_is_read(tmp_path):
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.set_font("Helvetica", size=10)
    for paragraph in _hualai_paragraphs():
        pdf.add_page()
        # The core PDF fonts hold Latin-1 only; the policy's curly quotes become straight ones.
        latin = paragraph.translate({0x2019: "'", 0x2018: "'", 0x201C: '"', 0x201D: '"'})
        pdf.multi_cell(0, 5, latin.encode("latin-1", "replace").decode("latin-1"))
    path = tmp_path / "policy.pdf"
    pdf.output(str(path))
    doc = read(path)
    assert doc.source.format == "pdf"
    texts = [doc.sentence_text(i) for i in range(len(doc.sentences))]
    assert "The video streaming is encrypted and it is transferred via server, but it will not be saved on the server." in texts
    assert doc.metadata.controller == "Hualai Corporation"
    assert doc.metadata.updated == "2019-09-23"
    assert "RETENTION POLICY" in [s.title for s in doc.sections]


def test_html_in_a_txt_file_is_read_as_html(tmp_path):
    path = tmp_path / "page.txt"
    path.write_bytes((CORPUS / "iot" / "danale.html").read_bytes())
    doc = read(path)
    assert doc.source.format == "html"
    assert "<" not in doc.text and "Danale Privacy Statement" in [s.title for s in doc.sections]


def test_markdown_headings_and_items(tmp_path):
    path = tmp_path / "policy.md"
    path.write_text("# Privacy Policy\n\nLast updated: March 3, 2014\n\n## Sharing\n\nWe share:\n\n- your **name**\n"
                    "- your [e-mail address](https://example.org)\n\nWe do not sell data.\n", encoding="utf-8")
    doc = read(path)
    assert doc.source.format == "markdown"
    assert [s.title for s in doc.sections] == ["Privacy Policy", "Sharing"]
    texts = [doc.sentence_text(i) for i in range(len(doc.sentences))]
    assert texts[-2] == "We share:\nyour name\nyour e-mail address"
    assert doc.metadata.updated == "2014-03-03"


def test_legacy_charset_is_detected(tmp_path):
    text = HUALAI.read_text(encoding="utf-8").replace("’", "'")
    path = tmp_path / "policy.txt"
    path.write_bytes(text.replace("Update!", "Update! Café société, naïve résumé.").encode("cp1252"))
    doc = read(path)
    assert "Café société, naïve résumé." in doc.text


def test_read_string_matches_read():
    assert read_string(HUALAI.read_text(encoding="utf-8"), "x").text == read(HUALAI).text


@pytest.mark.parametrize("name, content, reason", [
    ("empty.txt", b"", "empty"),
    ("blank.txt", b"  \n\t\n", "empty"),
    ("binary.txt", bytes(range(256)) * 40, "binary"),
    ("scripts.html", b"<html><head><style>p{}</style></head><body><script>var a=1;</script></body></html>", "no readable text"),
    ("numbers.txt", b"---- 1234 ----\n5678 / 9 ----\n", "no readable text"),
    ("css.txt", b".site-header { padding-top: 14px; } @media screen and (min-width: 46em) { .a { margin: 0; } }", "no readable text"),
])
def test_bad_input_raises_policy_read_error(tmp_path, name, content, reason):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(PolicyReadError) as caught:
        read(path)
    assert caught.value.path == str(path) and reason in caught.value.reason


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(PolicyReadError, match="no such file"):
        read(tmp_path / "absent.txt")
    with pytest.raises(PolicyReadError, match="folder"):
        read(tmp_path)


def test_folder_expansion_reports_bad_files_and_reads_the_rest(tmp_path):
    (tmp_path / "b.txt").write_bytes(HUALAI.read_bytes())
    (tmp_path / "a-empty.txt").write_bytes(b"")
    (tmp_path / "c.html").write_bytes((CORPUS / "iot" / "danale.html").read_bytes())
    (tmp_path / "notes.json").write_text("{}")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.txt").write_text("hidden")
    files = list(iter_policy_files([tmp_path]))
    assert [p.name for p in files] == ["a-empty.txt", "b.txt", "c.html"]
    read_ok, bad = [], []
    for path in files:
        try:
            read_ok.append(read(path).policy)
        except PolicyReadError as exc:
            bad.append(exc.path)
    assert read_ok == ["b", "c"] and bad == [str(tmp_path / "a-empty.txt")]


def test_utf16_page_is_detected_as_html_after_decoding(tmp_path):
    path = tmp_path / "page.html"
    path.write_bytes((CORPUS / "iot" / "danale.html").read_text(encoding="utf-8").encode("utf-16"))
    doc = read(path)
    assert doc.source.format == "html" and doc.metadata.controller == "Danale Inc."
