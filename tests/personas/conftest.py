"""Fixtures for the persona tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from persona_helpers import Write, writer


@pytest.fixture(autouse=True)
def _no_personas_dir_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests see the shipped personas/ unless they set CRMSIM_PERSONAS_DIR themselves."""
    monkeypatch.delenv("CRMSIM_PERSONAS_DIR", raising=False)


@pytest.fixture
def write(tmp_path: Path) -> Write:
    """A persona file writer under the test's temporary directory (see :func:`persona_helpers.writer`)."""
    return writer(tmp_path)
