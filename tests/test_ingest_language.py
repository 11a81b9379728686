"""Text that is not English, or not a privacy policy: detected in ingest, warned about by every command.

The non-English text is real: GnuPG's translated help (Debian's gnupg-l10n, on every machine of
this project's image), one file per language; the non-policy text is real too (the GPL and this
repository's README). Every policy of ../shared reads as English without a warning.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import CORPUS, HUALAI, POLICIES
from policyflows.cli import cli
from policyflows.ingest import iter_policy_files, read
from policyflows.ingest.language import detect_language, language_name

GNUPG = Path("/usr/share/gnupg")
GPL = Path("/usr/share/common-licenses/GPL-3")
# GnuPG's help files for these languages hold its English text (not translated): they must read as English.
TRANSLATED = {"de": "de", "es": "es", "fi": "fi", "fr": "fr", "hu": "hu", "id": "id", "it": "it", "ja": "ja",
              "pl": "pl", "pt": "pt", "pt_BR": "pt", "ro": "ro", "ru": "ru", "sk": "sk", "tr": "tr",
              "zh_CN": "zh", "zh_TW": "zh"}


def _help(lang: str) -> Path:
    path = GNUPG / f"help.{lang}.txt"
    if not path.is_file():
        pytest.skip(f"{path} is missing: Debian's gnupg-l10n holds the real translated text these tests read")
    return path


@pytest.mark.parametrize("lang", sorted(TRANSLATED))
def test_real_translated_text_reads_as_its_language(lang):
    text = _help(lang).read_text(encoding="utf-8")
    assert detect_language(text) == TRANSLATED[lang]


@pytest.mark.parametrize("lang", ["de", "fr", "es", "ru", "pl", "pt"])
def test_paragraphs_of_translated_text_mostly_read_as_their_language(lang):
    """Paragraph by paragraph (25 words or more): shorter text, the detector's harder case."""
    text = _help(lang).read_text(encoding="utf-8")
    paragraphs = [" ".join(line for line in p.splitlines() if not line.startswith(("#", ".")))
                  for p in re.split(r"\n\.\s*\n", text)]
    paragraphs = [p for p in paragraphs if len(p.split()) >= 25]
    right = sum(detect_language(p) == TRANSLATED[lang] for p in paragraphs)
    assert len(paragraphs) >= 8 and right >= 0.7 * len(paragraphs), (right, len(paragraphs))


def test_every_policy_in_shared_reads_as_english_and_only_the_empty_page_is_warned_about():
    warned = {}
    for path in iter_policy_files([POLICIES, CORPUS]):
        doc = read(path)
        assert doc.language == "en", path
        if doc.warnings:
            warned[path.name] = doc.warnings
    # ring.html holds only its meta description: the crawl stopped before the policy loaded.
    assert list(warned) == ["ring.html"], warned
    assert "words" in warned["ring.html"][0]


@pytest.mark.parametrize("path", [GPL, Path("/usr/share/common-licenses/Apache-2.0")], ids=lambda p: p.name)
def test_english_text_that_is_no_policy_is_warned_about(path):
    if not path.is_file():
        pytest.skip(f"{path} is missing (base-files ships the GPL on Debian)")
    doc = read(path)
    assert doc.language == "en"
    assert any("does not read as a privacy policy" in w for w in doc.warnings), doc.warnings


def test_language_names_come_from_the_rules():
    assert language_name("de") == "German" and language_name("zh") == "Chinese"


# --- through the CLI: read, statements, build each warn on stderr and still work -------------------

@pytest.fixture
def runner():
    return CliRunner(mix_stderr=False) if "mix_stderr" in CliRunner.__init__.__code__.co_varnames else CliRunner()


def test_read_warns_and_still_prints_the_document(runner):
    german = str(_help("de"))
    result = runner.invoke(cli, ["read", german])
    assert result.exit_code == 0, result.output
    assert f"warning: {german}: reads as German (de), not English" in result.stderr
    data = json.loads(result.stdout)
    assert data["language"] == "de" and data["warnings"] and data["sentences"]


def test_statements_warns_on_text_that_is_no_policy(runner):
    if not GPL.is_file():
        pytest.skip(f"{GPL} is missing")
    result = runner.invoke(cli, ["statements", str(GPL)])
    assert result.exit_code == 0, result.output
    assert re.search(rf"^warning: {re.escape(str(GPL))}: does not read as a privacy policy", result.stderr, re.M)
    assert json.loads(result.stdout)["policy"] == "GPL-3"


def test_build_warns_per_file_and_builds_them_all(runner, tmp_path):
    french, japanese = str(_help("fr")), str(_help("ja"))
    result = runner.invoke(cli, ["build", french, japanese, str(HUALAI), "--store", str(tmp_path / "store"), "-q"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert lines == [f"warning: {french}: reads as French (fr), not English: the reading rules are English, so few "
                     "or no statements will be found",
                     f"warning: {japanese}: reads as Japanese (ja), not English: the reading rules are English, so "
                     "few or no statements will be found"], result.stderr
