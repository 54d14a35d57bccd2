"""Shared by the runner tests: runs on small generated orgs (scale 0.1), made once per session in the private cache."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crmsim.runner import RunConfig

SCALE = 0.1


def small_config(runs_dir: Path, **settings: Any) -> RunConfig:
    defaults: dict[str, Any] = {"orgs": ["b2b"], "per_type": 1, "scale": SCALE, "runs_dir": runs_dir,
                                "progress": False}
    return RunConfig.build(**{**defaults, **settings})
