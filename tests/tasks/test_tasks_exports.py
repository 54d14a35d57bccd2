"""``crmsim.tasks`` exports exactly its public names (tests/test_exports.py covers the older packages)."""

from __future__ import annotations

import types

import crmsim.tasks


def test_all_matches_public_names() -> None:
    public = {name for name, value in vars(crmsim.tasks).items()
              if not name.startswith("_") and not isinstance(value, types.ModuleType) and name != "annotations"}
    assert public == set(crmsim.tasks.__all__)
