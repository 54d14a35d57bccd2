"""The scale generator as a whole: determinism, integrity, volumes, and every planted latent."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from crmsim.data import VOLUMES, generate_org, load_manifest, write_org
from crmsim.data._volumes import target
from crmsim.sandbox.schema import FieldType, org_schema

ORGS = ("b2b", "b2c")


def canonical_digest(path: Path) -> str:
    """SHA-256 over every table's rows in Id order, with the latent manifest."""
    digest = hashlib.sha256()
    with closing(sqlite3.connect(path)) as conn:
        tables = [*org_schema(conn.execute("SELECT value FROM _crmsim_meta WHERE key='org'").fetchone()[0]).objects]
        for table in [*tables, "_crmsim_meta"]:
            order = "ORDER BY Id" if table != "_crmsim_meta" else "ORDER BY key"
            for row in conn.execute(f'SELECT * FROM "{table}" {order}'):
                digest.update(json.dumps([table, *row], default=str).encode())
    return digest.hexdigest()


@pytest.fixture(scope="module", params=ORGS)
def small_org(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    org = request.param
    path = tmp_path_factory.mktemp(org) / f"{org}.sqlite"
    write_org(path, org, seed=0, scale=0.05).close()
    yield org, path


def test_same_seed_same_bytes_different_seed_differs(tmp_path: Path) -> None:
    digests = []
    for name, seed in (("a", 4), ("b", 4), ("c", 5)):
        path = tmp_path / f"{name}.sqlite"
        write_org(path, "b2b", seed=seed, scale=0.05).close()
        digests.append(canonical_digest(path))
    assert digests[0] == digests[1]
    assert digests[0] != digests[2]


def test_every_reference_resolves(small_org: tuple[str, Path]) -> None:
    org, path = small_org
    schema = org_schema(org)
    with closing(sqlite3.connect(path)) as conn:
        for obj in schema.objects.values():
            for field in obj.fields.values():
                if field.type is not FieldType.REFERENCE:
                    continue
                targets = " UNION ALL ".join(f'SELECT Id FROM "{t}"' for t in field.referenceTo or [])
                dangling = conn.execute(
                    f'SELECT COUNT(*) FROM "{obj.name}" WHERE "{field.name}" IS NOT NULL '
                    f'AND "{field.name}" NOT IN ({targets})'
                ).fetchone()[0]
                assert dangling == 0, f"{org} {obj.name}.{field.name}: {dangling} dangling"


def test_system_dates_are_ordered_and_not_in_the_future(small_org: tuple[str, Path]) -> None:
    org, path = small_org
    with closing(sqlite3.connect(path)) as conn:
        today = conn.execute("SELECT value FROM _crmsim_meta WHERE key = 'today'").fetchone()[0]
        for obj in org_schema(org).objects:
            bad = conn.execute(
                f'SELECT COUNT(*) FROM "{obj}" WHERE LastModifiedDate < CreatedDate OR CreatedDate > ?',
                (f"{today} 23:59:59",),
            ).fetchone()[0]
            assert bad == 0, f"{org} {obj}"


def test_picklists_hold_allowed_values(small_org: tuple[str, Path]) -> None:
    org, path = small_org
    with closing(sqlite3.connect(path)) as conn:
        for obj in org_schema(org).objects.values():
            for field in obj.fields.values():
                if field.type is FieldType.PICKLIST:
                    values = {r[0] for r in conn.execute(f'SELECT DISTINCT "{field.name}" FROM "{obj.name}"')}
                    assert values - {None} <= set(field.values or []), f"{obj.name}.{field.name}"


@pytest.mark.parametrize("scale", [0.05, 0.2])
@pytest.mark.parametrize("org", ORGS)
def test_volumes_follow_the_scale(org: str, scale: float) -> None:
    rows, _ = generate_org(org, seed=1, scale=scale)
    for obj in VOLUMES[org]:
        want = target(org, obj, scale)
        got = len(rows[obj])
        assert abs(got - want) <= max(2, 0.15 * want), f"{org} {obj}: {got} rows, target {want}"


def test_latents_read_back_from_the_database(small_org: tuple[str, Path]) -> None:
    org, path = small_org
    with closing(sqlite3.connect(path)) as conn:
        latents = load_manifest(conn.execute("SELECT value FROM _crmsim_meta WHERE key = 'latents'").fetchone()[0])
        for latent in latents:
            rows = [list(r) for r in conn.execute(latent.check_sql, latent.params)]
            assert rows == latent.expected, f"{org} {latent.name}"
    names = [latent.name for latent in latents]
    assert len(names) == len(set(names))


def test_scale_below_minimum_is_refused() -> None:
    with pytest.raises(ValueError, match="scale must be at least"):
        generate_org("b2b", scale=0.01)
