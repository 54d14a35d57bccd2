"""Solvers of handle_time, transfer_count and best_region_identification.

They read the period from ``- Time period: start to end``, the direction (lowest/highest, fewest/
most) and the case-count condition ("more than one case", "at least three cases") from the query,
fetch the period's cases and their 'Owner Assignment' history rows, and apply the definitions the
task states:

- a case is in the period when its CreatedDate is (inclusive dates);
- an agent manages the cases whose 'Owner Assignment' rows name them as NewValue__c;
- handle time: ClosedDate - CreatedDate of closed cases, for the owner at closing, averaged;
- transfers: 'Owner Assignment' rows with the agent as OldValue__c;
- states: the account's ShippingState; average closure time of the period's closed cases, among
  states with at least the number of closed cases the task names.

The answer is the agent Id (state code) with the extreme value, or None when nobody qualifies.
"""

from __future__ import annotations

import re
from collections import defaultdict
from statistics import mean
from typing import Any

from .._model import NONE_ANSWER, Task
from .._types import TaskType
from . import Toolbox, solver
from ._service_common import created_between, days_between, number, period

_MINIMUM = re.compile(r"\b(more than|at least)\s+([a-z0-9-]+)\s+cases?\b", re.I)
_LOW = re.compile(r"\b(lowest|shortest|quickest|fastest|fewest|smallest)\b", re.I)
_HIGH = re.compile(r"\b(highest|longest|slowest|most|largest)\b", re.I)


def direction(query: str) -> str:
    low, high = _LOW.search(query), _HIGH.search(query)
    if low and (not high or low.start() < high.start()):
        return "low"
    if high:
        return "high"
    raise LookupError(f"no direction (lowest/highest) in {query!r}")


def minimum_cases(query: str) -> int:
    match = _MINIMUM.search(query)
    if match is None:
        return 1
    n = number(match.group(2))
    return n + 1 if match.group(1).lower() == "more than" else n


def _extreme(values: dict[str, float], how: str) -> str:
    if not values:
        return NONE_ANSWER
    pick = min if how == "low" else max
    return pick(sorted(values), key=lambda key: values[key])


async def _period_cases(task: Task, box: Toolbox) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    start, end = period(task)
    where = created_between(start, end)
    cases = await box.records(f"SELECT Id, OwnerId, Status, CreatedDate, ClosedDate FROM Case WHERE {where}")
    moves = await box.records(
        "SELECT CaseId__c, OldValue__c, NewValue__c FROM CaseHistory__c WHERE Field__c = 'Owner Assignment' "
        f"AND CaseId__c IN (SELECT Id FROM Case WHERE {where})"
    )
    return cases, moves


def _managed(moves: list[dict[str, Any]]) -> dict[str, set[str]]:
    managed: dict[str, set[str]] = defaultdict(set)
    for move in moves:
        if move.get("NewValue__c"):
            managed[str(move["NewValue__c"])].add(str(move["CaseId__c"]))
    return managed


@solver(TaskType.HANDLE_TIME)
async def handle_time(task: Task, box: Toolbox) -> str:
    cases, moves = await _period_cases(task, box)
    managed, minimum = _managed(moves), minimum_cases(task.query)
    times: dict[str, list[float]] = defaultdict(list)
    for case in cases:
        if case.get("Status") == "Closed" and case.get("ClosedDate"):
            times[str(case["OwnerId"])].append(days_between(case["CreatedDate"], case["ClosedDate"]))
    values = {agent: mean(days) for agent, days in times.items() if len(managed[agent]) >= minimum}
    return _extreme(values, direction(task.query))


@solver(TaskType.TRANSFER_COUNT)
async def transfer_count(task: Task, box: Toolbox) -> str:
    _, moves = await _period_cases(task, box)
    managed, minimum = _managed(moves), minimum_cases(task.query)
    values = {
        agent: float(sum(1 for move in moves if move.get("OldValue__c") == agent))
        for agent, cases in managed.items()
        if len(cases) >= minimum
    }
    return _extreme(values, direction(task.query))


@solver(TaskType.BEST_REGION_IDENTIFICATION)
async def best_region_identification(task: Task, box: Toolbox) -> str:
    start, end = period(task)
    match = re.search(r"at least (\d+) closed cases", task.context.required)
    minimum = int(match.group(1)) if match else 1
    cases = await box.records(
        "SELECT CreatedDate, ClosedDate, Account.ShippingState FROM Case "
        f"WHERE Status = 'Closed' AND {created_between(start, end)}"
    )
    times: dict[str, list[float]] = defaultdict(list)
    for case in cases:
        state = (case.get("Account") or {}).get("ShippingState")
        if state and case.get("ClosedDate"):
            times[str(state)].append(days_between(case["CreatedDate"], case["ClosedDate"]))
    return _extreme({state: mean(days) for state, days in times.items() if len(days) >= minimum}, "low")
