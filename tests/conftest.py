"""Paths to the real policies the tests read. They live in ../shared beside the checkout, as given."""
from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
POLICIES = SHARED / "policies"
CORPUS = SHARED / "corpus"
GOLD = SHARED / "gold" / "seeds.yaml"
HUALAI = POLICIES / "hualai-xiaofang-smart-camera.txt"
SEVENTY_MAI = POLICIES / "70mai-dash-cam.txt"


def pytest_configure(config):
    if not POLICIES.is_dir():
        raise pytest.UsageError(f"the shared policies are missing: expected {POLICIES}")


@pytest.fixture(scope="session")
def policies_dir() -> Path:
    return POLICIES


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def hualai_path() -> Path:
    return HUALAI


@pytest.fixture(scope="session")
def seventymai_path() -> Path:
    return SEVENTY_MAI
