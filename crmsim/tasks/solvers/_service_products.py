"""Solvers of monthly_trend_analysis and top_issue_identification.

Both read ``- Product Id`` and ``- Time period`` from the required context and fetch the cases of
that product (through the order line: ``OrderItemId__r.Product2Id``) created in the period.

- Monthly trend: count the cases per calendar month of CreatedDate; the month with more cases than
  every other month, or None when the highest count is shared (or there are no cases).
- Top issue: count the cases per IssueId__c (cases without one are left out); the issue with the
  most cases, or None when the highest count is shared.
"""

from __future__ import annotations

import calendar
from collections import Counter

from .._model import NONE_ANSWER, Task
from .._types import TaskType
from . import Toolbox, solver
from ._service_common import created_between, fact, parse_datetime, period, quote, record_id


def _standout(counts: Counter[str]) -> str:
    ranked = counts.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return NONE_ANSWER
    return ranked[0][0]


async def _cases(task: Task, box: Toolbox, fields: str, extra: str = "") -> list[dict[str, object]]:
    product = record_id(fact(task, "product id"))
    start, end = period(task)
    return await box.records(
        f"SELECT {fields} FROM Case WHERE OrderItemId__r.Product2Id = {quote(product)} "
        f"AND {created_between(start, end)}{extra}"
    )


@solver(TaskType.MONTHLY_TREND_ANALYSIS)
async def monthly_trend_analysis(task: Task, box: Toolbox) -> str:
    cases = await _cases(task, box, "Id, CreatedDate")
    months = Counter(calendar.month_name[parse_datetime(str(case["CreatedDate"])).month] for case in cases)
    return _standout(months)


@solver(TaskType.TOP_ISSUE_IDENTIFICATION)
async def top_issue_identification(task: Task, box: Toolbox) -> str:
    cases = await _cases(task, box, "Id, IssueId__c", " AND IssueId__c != null")
    return _standout(Counter(str(case["IssueId__c"]) for case in cases if case.get("IssueId__c")))
