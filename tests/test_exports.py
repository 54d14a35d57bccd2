"""Each public package's ``__all__`` lists exactly the public names it exports, and they import."""

from __future__ import annotations

import importlib
import types

import pytest

PACKAGES = [
    "crmsim",
    "crmsim.actors",
    "crmsim.bus",
    "crmsim.data",
    "crmsim.judge",
    "crmsim.models",
    "crmsim.policies",
    "crmsim.personas",
    "crmsim.runner",
    "crmsim.salesforce",
    "crmsim.sandbox",
    "crmsim.sandbox.schema",
    "crmsim.sandbox.soql",
    "crmsim.sandbox.sosl",
    "crmsim.tasks",
]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_matches_public_names(name: str) -> None:
    module = importlib.import_module(name)
    exported = set(module.__all__)
    public = {
        attr
        for attr, value in vars(module).items()
        if not attr.startswith("_") and not isinstance(value, types.ModuleType)
        and attr not in {"annotations", "TYPE_CHECKING", "Any"}
    }
    assert public == exported - {"__version__"}
    for attr in exported:
        assert hasattr(module, attr), attr
