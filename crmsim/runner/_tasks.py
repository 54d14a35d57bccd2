"""The tasks of a run: generated from each org's database, or read from a task file."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from pathlib import Path

import anyio

from crmsim.errors import ConfigError
from crmsim.tasks import Task, load_tasks
from crmsim.tasks.generators import generate_tasks

from ._config import RunConfig


async def load_run_tasks(config: RunConfig, dbs: Mapping[str, Path]) -> list[Task]:
    """Tasks for the configured orgs and types; the file's or generated ``per_type`` per type and org."""
    types = config.task_types
    if config.tasks_file is not None:
        path = config.tasks_file
        tasks = await anyio.to_thread.run_sync(load_tasks, path)
        tasks = [t for t in tasks if t.org in dbs and (types is None or t.task_type in types)]
        if not tasks:
            raise ConfigError(f"{path} has no tasks for org {', '.join(dbs)}"
                              + (f" and types {', '.join(t.value for t in types)}" if types else ""))
        return tasks
    tasks = []
    for db in dbs.values():
        tasks.extend(await anyio.to_thread.run_sync(partial(generate_tasks, db, per_type=config.per_type,
                                                            seed=config.seed, types=types)))
    if not tasks:
        raise ConfigError("the generators made no tasks for these settings")
    return tasks
