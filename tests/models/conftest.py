"""Generated tasks of every type, from small orgs built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmsim.data import write_org
from crmsim.tasks import Task
from crmsim.tasks.generators import generate_tasks


@pytest.fixture(scope="session")
def generated_tasks(tmp_path_factory: pytest.TempPathFactory) -> list[Task]:
    """Three tasks of each of the 22 types, from each of the b2b and b2c orgs."""
    tasks: list[Task] = []
    for org in ("b2b", "b2c"):
        path: Path = tmp_path_factory.mktemp(f"models-{org}") / f"{org}.sqlite"
        write_org(path, org, seed=0, scale=0.05).close()
        tasks.extend(generate_tasks(path, per_type=3, seed=0))
    return tasks
