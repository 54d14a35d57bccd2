"""Shared by the per-type task tests: a generated org opened read-only, and a client on a live sandbox."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import date
from pathlib import Path
from typing import Any

from crmsim.data import Latent, load_manifest, write_org
from crmsim.salesforce import SalesforceClient, SalesforceConfig
from crmsim.sandbox.app import create_app
from crmsim.sandbox.server import open_store, serve_sandbox
from crmsim.tasks import Task, TaskType
from crmsim.tasks.generators import generate_tasks


class Org:
    """A generated org database: read-only SQL, its latents and its tasks."""

    def __init__(self, path: Path, tasks: list[Task]) -> None:
        self.path = path
        self.tasks = tasks
        self.conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        meta = dict(self.conn.execute("SELECT key, value FROM _crmsim_meta").fetchall())
        self.latents: dict[str, Latent] = {latent.name: latent for latent in load_manifest(meta["latents"])}
        self.today = date.fromisoformat(meta["today"])
        self.org = meta["org"]

    def rows(self, sql: str, params: dict[str, Any] | tuple[Any, ...] | list[Any] = ()) -> list[tuple[Any, ...]]:
        return list(self.conn.execute(sql, params))

    def of_type(self, task_type: TaskType) -> list[Task]:
        return [task for task in self.tasks if task.task_type is task_type]

    def truth(self, name: str) -> dict[str, Any]:
        return self.latents[name].truth


def build(tmp: Path, org: str, scale: float, per_type: int, types: Sequence[TaskType]) -> Org:
    path = tmp / f"{org}.sqlite"
    write_org(path, org, seed=0, scale=scale).close()
    return Org(path, generate_tasks(path, per_type=per_type, seed=0, types=types))


@asynccontextmanager
async def sandbox_client(path: Path) -> AsyncIterator[SalesforceClient]:
    store = open_store(path)
    try:
        async with serve_sandbox(create_app(store)) as url:
            async with SalesforceClient(SalesforceConfig(instance_url=url, max_retries=0)) as sf:
                yield sf
    finally:
        store.close()
