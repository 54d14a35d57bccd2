"""Org databases on disk: where a generated org is cached, and writing one safely.

``crmsim sandbox serve`` and ``crmsim run`` share the cache (``$CRMSIM_CACHE_DIR/orgs`` or
``~/.cache/crmsim/orgs``): an org is generated once per (org, generator version, seed, scale).
"""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from crmsim.errors import ConfigError
from crmsim.paths import cache_dir

DEFAULT_SCALE = 1.0


def cached_org_path(org: str, *, seed: int = 0, scale: float | None = DEFAULT_SCALE) -> Path:
    """Where the generated org lives in the cache (``scale=None``: the small fixture dataset)."""
    from crmsim.data import GENERATOR_VERSION

    if scale is None:
        name = f"{org}-fixture-seed{seed}.sqlite"
    else:
        name = f"{org}-v{GENERATOR_VERSION}-seed{seed}-scale{scale:g}.sqlite"
    return cache_dir() / "orgs" / name


def write_org_file(path: Path, org: str, *, seed: int = 0, today: date | None = None,
                   scale: float | None = DEFAULT_SCALE) -> None:
    """Write the org to ``path`` (the generator at ``scale``, or the fixture dataset when None).

    The database is built under a temporary name and renamed when complete, so an interrupted run
    never leaves a half-written org behind to be reused.
    """
    from crmsim.data import write_org

    from .seed import seed_org

    if path.exists() and not path.is_file():
        raise ConfigError(f"{path} exists and is not a file")
    partial = path.with_name(path.name + ".partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if scale is None:
            store = seed_org(partial, org, seed=seed, today=today)
        else:
            store = write_org(partial, org, seed=seed, scale=scale, today=today)
        store.close()
        partial.replace(path)
    except (OSError, sqlite3.Error) as exc:
        raise ConfigError(f"cannot write {path}: {exc}") from None
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(partial) + suffix).unlink(missing_ok=True)


def ensure_org(org: str, *, seed: int = 0, scale: float | None = DEFAULT_SCALE) -> tuple[Path, bool]:
    """The cached org database, generated first if missing; also whether it was generated now."""
    path = cached_org_path(org, seed=seed, scale=scale)
    if path.exists():
        return path, False
    write_org_file(path, org, seed=seed, scale=scale)
    return path, True
