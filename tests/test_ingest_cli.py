"""`policyflows read`: the JSON of statements-json.md, the text outline, and one-line errors with exit 2."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from conftest import SEVENTY_MAI
from policyflows.cli import cli


def test_read_json_has_the_spec_shape():
    result = CliRunner().invoke(cli, ["read", str(SEVENTY_MAI), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert list(data)[:7] == ["schema", "policy", "source", "metadata", "text", "sections", "sentences"]
    assert data["schema"] == 1 and data["policy"] == "70mai-dash-cam"
    assert set(data["source"]) == {"path", "sha256", "format"} and data["source"]["format"] == "text"
    assert {"title", "controller", "updated", "contacts", "governing_law", "controller_aliases"} <= set(data["metadata"])
    assert all(set(s) == {"title", "start", "end"} for s in data["sections"])
    text = data["text"]
    for s in data["sentences"]:
        assert set(s) == {"start", "end", "section"}
        assert text[s["start"]:s["end"]].strip() == text[s["start"]:s["end"]]


def test_read_text_outline():
    result = CliRunner().invoke(cli, ["read", str(SEVENTY_MAI), "--format", "text"])
    assert result.exit_code == 0
    assert "controller:     70mai Technology (Shanghai) Co., Ltd." in result.output
    assert "\n## WHO DO WE SHARE YOUR INFORMATION WITH?\n" in result.output


def test_help_teaches_with_an_example():
    result = CliRunner().invoke(cli, ["read", "--help"])
    assert result.exit_code == 0 and "policyflows read privacy-policy.txt --format text" in result.output


@pytest.mark.parametrize("name, content", [
    ("missing.txt", None), ("empty.txt", b""), ("binary.pdf", b"%PDF-1.4 garbage \x00\x01"),
    ("binary.txt", b"\x00\x01\x02" * 100), ("nothing.html", b"<html><body><script>x()</script></body></html>"),
    ("a-folder", "folder"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, name, content):
    path = tmp_path / name
    if content == "folder":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    run = subprocess.run([sys.executable, "-m", "policyflows", "read", str(path)], capture_output=True, text=True)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"Error: {path}: "), run.stderr
    assert run.stdout == ""
