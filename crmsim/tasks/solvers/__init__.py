"""Reference solvers: answer a task using only the Salesforce tool layer (SOQL and SOSL).

A solver is an async function registered for one task type with :func:`solver`. It receives the
task and a :class:`Toolbox` whose only way to the data is ``execute`` (the same call an agent
makes, returning the rendered observation) or ``records`` (the same call, parsed), and returns the
final answer text. Solvers read what they need from ``task.query`` and the ``- Label: value``
lines of ``task.context.required``; they never read the generator's SQL or the database file.
Confidentiality types decline politely.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from crmsim.salesforce import SalesforceClient, SalesforceTool

from .._model import Task
from .._types import TaskType

SolverFn = Callable[[Task, "Toolbox"], Awaitable[str]]
_REGISTRY: dict[TaskType, SolverFn] = {}
_LINE = re.compile(r"^\s*-\s*([^:\n]+?)\s*:\s*(.+?)\s*$", re.M)


def solver(task_type: TaskType) -> Callable[[SolverFn], SolverFn]:
    def register(fn: SolverFn) -> SolverFn:
        if task_type in _REGISTRY:
            raise ValueError(f"a solver for {task_type.value} is already registered")
        _REGISTRY[task_type] = fn
        return fn

    return register


class StatementRunner(Protocol):
    """What runs one SOQL/SOSL statement and returns the observation (e.g. :class:`SalesforceTool`)."""

    async def execute(self, text: str) -> str: ...


@dataclass
class Toolbox:
    """The solver's access to the org: the agent's tool, plus a log of what was run."""

    tool: StatementRunner
    calls: list[str] = field(default_factory=list)

    async def execute(self, statement: str) -> str:
        self.calls.append(statement)
        return await self.tool.execute(statement)

    async def records(self, statement: str) -> list[dict[str, Any]]:
        """Run SOQL/SOSL through the tool and parse the observation; errors raise ToolError.

        Solvers treat the records as read-only (the built-in reference agent shares them between
        the replays of one conversation)."""
        observation = await self.execute(statement)
        try:
            parsed = json.loads(observation)
        except ValueError:
            raise ToolError(statement, observation) from None
        if isinstance(parsed, dict) and "totalSize" in parsed:
            return [parsed]
        if not isinstance(parsed, list):
            raise ToolError(statement, observation)
        return parsed


class ToolError(Exception):
    def __init__(self, statement: str, observation: str) -> None:
        super().__init__(f"{statement!r} -> {observation[:300]}")
        self.statement = statement
        self.observation = observation


def required_facts(task: Task) -> dict[str, str]:
    """The ``- Label: value`` lines of ``task.context.required``, by lower-cased label."""
    return {label.strip().lower(): value for label, value in _LINE.findall(task.context.required)}


def solver_for(task_type: TaskType) -> SolverFn:
    """The registered solver of ``task_type``; ``LookupError`` if there is none."""
    _load_all()
    fn = _REGISTRY.get(task_type)
    if fn is None:
        raise LookupError(f"no solver for task type {task_type.value}")
    return fn


def registered() -> dict[TaskType, SolverFn]:
    _load_all()
    return dict(_REGISTRY)


async def solve(task: Task, client: SalesforceClient) -> tuple[str, Toolbox]:
    """The reference answer to ``task`` and the statements run to find it."""
    fn = solver_for(task.task_type)
    box = Toolbox(SalesforceTool(client))
    return await fn(task, box), box


def _load_all() -> None:
    from . import _sales, _service  # noqa: F401


__all__ = ["SolverFn", "StatementRunner", "ToolError", "Toolbox", "registered", "required_facts", "solve", "solver",
           "solver_for"]
