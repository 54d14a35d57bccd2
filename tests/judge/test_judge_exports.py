"""``crmsim.judge`` exports exactly its public names, and registers the three benchmark scorers."""

from __future__ import annotations

import types

import crmsim.judge


def test_all_matches_public_names() -> None:
    public = {name for name, value in vars(crmsim.judge).items()
              if not name.startswith("_") and not isinstance(value, types.ModuleType) and name != "annotations"}
    assert public == set(crmsim.judge.__all__)


def test_benchmark_metrics_have_scorers() -> None:
    assert {"exact_match", "fuzzy_match", "privacy_rejection"} <= set(crmsim.judge.scorer_names())
