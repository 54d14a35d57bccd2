"""The benchmark-scale data generator: both orgs, any scale, deterministic per seed.

    rows, latents = generate_org("b2b", seed=0, scale=1.0)
    store = write_org("runs/b2b.sqlite", "b2b", seed=0, scale=1.0)

Stages run in order (people -> catalog -> sales -> service); each plants latent variables that
give the benchmark's questions one well-defined answer. The manifest of latent variables is saved
in the database (meta key ``latents``) for the task generators.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from crmsim.sandbox.schema import org_schema
from crmsim.sandbox.store import Store

from ._base import OrgGenerator
from ._catalog import build_catalog
from ._latent import Latent, manifest_json
from ._people import build_people
from ._records import Record
from ._sales import build_sales
from ._service import build_service

DEFAULT_TODAY = {"b2b": date(2024, 6, 14), "b2c": date(2024, 6, 14)}
GENERATOR_VERSION = 3
"""Bump when generated data changes, so cached org databases are generated afresh."""
MIN_SCALE = 0.05

Stage = Callable[[OrgGenerator], None]


def _stages() -> list[Stage]:
    return [build_people, build_catalog, build_sales, build_service]


def generate_org(
    org: str, *, seed: int = 0, scale: float = 1.0, today: date | None = None
) -> tuple[dict[str, list[Record]], list[Latent]]:
    """Every row of ``org`` in stored form, per object, and the latent variables planted."""
    if scale < MIN_SCALE:
        raise ValueError(f"scale must be at least {MIN_SCALE}, got {scale}")
    g = OrgGenerator(org_schema(org), seed=seed, scale=scale, today=today or DEFAULT_TODAY[org])
    for stage in _stages():
        stage(g)
    return g.stored(), g.latents


def write_org(path: str | Path, org: str, *, seed: int = 0, scale: float = 1.0, today: date | None = None) -> Store:
    """Generate ``org`` and write it to a fresh database at ``path``; returns the open store."""
    today = today or DEFAULT_TODAY[org]
    rows, latents = generate_org(org, seed=seed, scale=scale, today=today)
    schema = org_schema(org)
    store = Store.create(path, schema, today=today)
    try:
        for name, obj in schema.objects.items():
            store.insert_rows(obj, rows[name])
        store.set_meta("latents", manifest_json(latents))
        store.set_meta("generator", f"version={GENERATOR_VERSION} seed={seed} scale={scale:g}")
    except BaseException:
        store.close()
        raise
    return store
