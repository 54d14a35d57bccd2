"""Latent variables: the hidden structure planted in the data that gives each task one answer.

Each generator stage that plants a signal records a :class:`Latent`: what it is, which task
types read it, the ground truth, and a SQL query over the org database whose result reproduces
that truth. ``docs/data.md`` describes each one; tests run every ``check_sql`` against the
database written at several scales and seeds.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class Latent:
    name: str
    """Unique id, e.g. ``handle_time.fastest_agent``."""
    tasks: tuple[str, ...]
    """CRMArena-Pro task types whose answers depend on it."""
    description: str
    truth: dict[str, Any]
    """JSON-able ground truth, e.g. ``{"agent_id": "005...", "months": 4}``."""
    check_sql: str
    """SQLite query over the org database; its rows must equal ``expected``."""
    expected: list[list[Any]] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["tasks"] = list(self.tasks)
        return out


def manifest_json(latents: list[Latent]) -> str:
    return json.dumps([latent.to_json() for latent in latents], sort_keys=True, default=str)


def load_manifest(text: str | None) -> list[Latent]:
    if not text:
        return []
    return [Latent(**{**item, "tasks": tuple(item["tasks"])}) for item in json.loads(text)]
