"""Where crmsim keeps files between runs."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """Generated orgs and the sandbox certificate: ``$CRMSIM_CACHE_DIR``, else
    ``$XDG_CACHE_HOME/crmsim``, else ``~/.cache/crmsim``."""
    explicit = os.environ.get("CRMSIM_CACHE_DIR")
    if explicit:
        return Path(explicit)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "crmsim"
