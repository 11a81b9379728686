"""The visible gold answers, scored by the shared checker through the installed command line.

A regression in reading, extraction, inference, the store or `where` shows here as a rate below
100 % or a hard error (a ruled-out flow predicted, evidence that is not in the policy).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import GOLD, POLICIES, SHARED

CHECKER = SHARED / "tools" / "check_gold.py"


@pytest.mark.skipif(not CHECKER.exists(), reason="../shared/tools/check_gold.py is not beside the checkout")
def test_visible_gold_is_answered_fully_and_without_hard_errors(tmp_path):
    tool = shutil.which("policyflows", path=str(Path(sys.executable).parent)) or "policyflows"
    env = {**os.environ, "POLICYFLOWS": tool}
    res = subprocess.run([sys.executable, str(CHECKER), str(GOLD), "--policies", str(POLICIES), "--min", "1.0",
                          "--json", str(tmp_path / "gold.json")], capture_output=True, text=True, env=env, timeout=900)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-2000:]
    assert "HARD ERROR" not in res.stdout
