"""Fixtures shared by every test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import structlog


@pytest.fixture(autouse=True)
def _reset_structlog() -> Iterator[None]:
    """Each test starts and ends with structlog's default configuration."""
    structlog.reset_defaults()
    yield
    structlog.reset_defaults()


@pytest.fixture(autouse=True)
def _private_cache_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Generated orgs and certificates go to a temporary cache, never the user's ~/.cache/crmsim."""
    monkeypatch.setenv("CRMSIM_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "crmsim-cache"))
