"""Task generators: fresh instances of each task type with ground truth from the org database.

A generator is a function registered for one task type with :func:`generator`. It receives a
:class:`GenContext` (a read-only connection to the org database, the latent-variable manifest, a
seeded Random and how many instances to make) and returns tasks. Ground truth is computed with SQL
written for the generator, never through the SOQL engine; the reference solvers
(:mod:`crmsim.tasks.solvers`) must reach the same answer through the REST API.

Conventions every generator follows, so solvers and scorers can rely on them:
- ``context.required`` holds one ``- Label: value`` line per fact the task cannot be solved without,
  e.g. ``- Today's date: 2024-06-14``, ``- Case Id to be considered is: 500...``,
  ``- Time period: 2024-02-14 to 2024-06-14`` (inclusive dates). The query's wording varies; these
  lines do not.
- About one instance in five of a business type has the answer ``["None"]`` where the type allows it.
- Business tasks carry ``held_facts`` for the multi-turn user (e.g. the period, the product).
- Task ids are ``gen-<org>-<task_type>-<seed>-<n>``.
"""

from __future__ import annotations

import random
import sqlite3
from collections.abc import Callable, Iterable
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from crmsim.data import Latent, load_manifest
from crmsim.errors import ConfigError

from .._model import Task
from .._types import TaskType

GeneratorFn = Callable[["GenContext"], list[Task]]
_REGISTRY: dict[TaskType, GeneratorFn] = {}


def generator(task_type: TaskType) -> Callable[[GeneratorFn], GeneratorFn]:
    """Register ``fn`` as the generator of ``task_type``."""

    def register(fn: GeneratorFn) -> GeneratorFn:
        if task_type in _REGISTRY:
            raise ValueError(f"a generator for {task_type.value} is already registered")
        _REGISTRY[task_type] = fn
        return fn

    return register


@dataclass
class GenContext:
    org: str
    conn: sqlite3.Connection
    latents: dict[str, Latent]
    today: date
    seed: int
    per_type: int
    rng: random.Random
    task_type: TaskType
    _count: list[int] = field(default_factory=lambda: [0])

    def latent(self, name: str) -> Latent:
        try:
            return self.latents[name]
        except KeyError:
            raise ConfigError(
                f"the org database has no latent {name!r}: generate it with `crmsim sandbox seed`"
            ) from None

    def next_id(self) -> str:
        self._count[0] += 1
        return f"gen-{self.org}-{self.task_type.value}-{self.seed}-{self._count[0]}"

    def rows(self, sql: str, params: Iterable[object] = ()) -> list[tuple[object, ...]]:
        return list(self.conn.execute(sql, tuple(params)))


def registered() -> dict[TaskType, GeneratorFn]:
    _load_all()
    return dict(_REGISTRY)


def generate_tasks(
    db: str | Path, *, per_type: int, seed: int = 0, types: Iterable[TaskType] | None = None
) -> list[Task]:
    """``per_type`` instances (or as many as the data supports) of each registered type."""
    _load_all()
    path = Path(db)
    if not path.is_file():
        raise ConfigError(f"no org database at {path}")
    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as conn:
        try:
            meta = dict(conn.execute("SELECT key, value FROM _crmsim_meta").fetchall())
        except sqlite3.DatabaseError:
            raise ConfigError(f"{path} is not a crmsim org database") from None
        latents = {latent.name: latent for latent in load_manifest(meta.get("latents"))}
        if not latents:
            raise ConfigError(f"{path} holds no latent variables: use a generated org, not the fixture dataset")
        wanted = list(types) if types is not None else sorted(_REGISTRY, key=lambda t: t.value)
        tasks: list[Task] = []
        for task_type in wanted:
            fn = _REGISTRY.get(task_type)
            if fn is None:
                raise ConfigError(f"no generator for task type {task_type.value}")
            ctx = GenContext(
                org=meta["org"], conn=conn, latents=latents, today=date.fromisoformat(meta["today"]), seed=seed,
                per_type=per_type, rng=random.Random(f"{meta['org']}:{task_type.value}:{seed}"), task_type=task_type,
            )
            tasks.extend(fn(ctx))
        return tasks


def _load_all() -> None:
    """Import the generator modules so they register themselves."""
    from . import _sales, _service  # noqa: F401


__all__ = ["GenContext", "GeneratorFn", "generate_tasks", "generator", "registered"]
