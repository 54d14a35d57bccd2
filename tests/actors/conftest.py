"""A small generated b2b org with one task of each type, built once per session, and a client on a
live sandbox serving it on 127.0.0.1 (the same set-up as ``tests/tasks/org_helpers.py``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from crmsim.data import write_org
from crmsim.salesforce import SalesforceClient, SalesforceConfig
from crmsim.sandbox.app import create_app
from crmsim.sandbox.server import open_store, serve_sandbox
from crmsim.tasks import Task, TaskType
from crmsim.tasks.generators import generate_tasks


@dataclass(frozen=True)
class GeneratedOrg:
    path: Path
    tasks: list[Task]

    def task(self, task_type: TaskType) -> Task:
        return next(task for task in self.tasks if task.task_type is task_type)


@pytest.fixture(scope="session")
def b2b(tmp_path_factory: pytest.TempPathFactory) -> GeneratedOrg:
    path = tmp_path_factory.mktemp("actors") / "b2b.sqlite"
    write_org(path, "b2b", seed=0, scale=0.05).close()
    return GeneratedOrg(path, generate_tasks(path, per_type=1, seed=0))


@pytest.fixture
async def client(b2b: GeneratedOrg) -> AsyncIterator[SalesforceClient]:
    store = open_store(b2b.path)
    try:
        async with serve_sandbox(create_app(store)) as url:
            async with SalesforceClient(SalesforceConfig(instance_url=url, max_retries=0)) as sf:
                yield sf
    finally:
        store.close()
