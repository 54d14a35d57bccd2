"""Solvers of sales_amount_understanding, sales_cycle_understanding and conversion_rate_comprehension.

They read the period from ``- Time period: start to end`` and the direction from the query (lowest,
smallest, quickest, poorest... or highest, largest, top, slowest, best...), fetch the period's
records and apply the definitions the task states:

- sales amount: order items of orders whose EffectiveDate is in the period, Quantity * UnitPrice
  summed per Order.OwnerId;
- sales cycle: opportunities whose contract's signature date (the field the definition names) is
  in the period, days from the CreatedDate's day to that date, averaged per OwnerId;
- conversion rate: leads created in the period per OwnerId (owners of at least the number of leads
  the definition names), the share with IsConverted and a ConvertedDate in the period.

The answer is the agent with the extreme value, or None when no agent qualifies.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date
from statistics import mean

from .._model import NONE_ANSWER, Task
from .._types import TaskType
from . import Toolbox, solver
from ._service_common import created_between, parse_datetime, period

_LOW = re.compile(r"\b(lowest|smallest|(?<!at )least|fewest|quickest|fastest|shortest|poorest|weakest|worst)\b", re.I)
_HIGH = re.compile(r"\b(highest|largest|greatest|top|(?<!at )most|slowest|longest|best|strongest)\b", re.I)


def direction(query: str) -> str:
    """``low`` or ``high``: the first direction word of the query."""
    low, high = _LOW.search(query), _HIGH.search(query)
    if low and (not high or low.start() < high.start()):
        return "low"
    if high:
        return "high"
    raise LookupError(f"no direction (lowest/highest) in {query!r}")


def extreme(values: dict[str, float], how: str) -> str:
    if not values:
        return NONE_ANSWER
    pick = min if how == "low" else max
    return pick(sorted(values), key=lambda key: values[key])


def _date_range(start: date, end: date, field: str) -> str:
    return f"{field} >= {start.isoformat()} AND {field} <= {end.isoformat()}"


@solver(TaskType.SALES_AMOUNT_UNDERSTANDING)
async def sales_amount_understanding(task: Task, box: Toolbox) -> str:
    start, end = period(task)
    items = await box.records(
        "SELECT Order.OwnerId, Quantity, UnitPrice FROM OrderItem "
        f"WHERE {_date_range(start, end, 'Order.EffectiveDate')}"
    )
    totals: dict[str, float] = defaultdict(float)
    for item in items:
        owner = (item.get("Order") or {}).get("OwnerId")
        if owner:
            totals[str(owner)] += float(item.get("Quantity") or 0) * float(item.get("UnitPrice") or 0)
    return extreme(dict(totals), direction(task.query))


@solver(TaskType.SALES_CYCLE_UNDERSTANDING)
async def sales_cycle_understanding(task: Task, box: Toolbox) -> str:
    start, end = period(task)
    found = re.search(r"\b(\w+SignedDate)\b", task.context.required)
    field = found.group(1) if found else ("CompanySignedDate" if task.org == "b2b" else "CustomerSignedDate")
    opps = await box.records(
        f"SELECT OwnerId, CreatedDate, ContractID__r.{field} FROM Opportunity "
        f"WHERE {_date_range(start, end, f'ContractID__r.{field}')}"
    )
    cycles: dict[str, list[int]] = defaultdict(list)
    for opp in opps:
        signed = (opp.get("ContractID__r") or {}).get(field)
        if signed and opp.get("OwnerId"):
            created = parse_datetime(str(opp["CreatedDate"])).date()
            cycles[str(opp["OwnerId"])].append((date.fromisoformat(str(signed)) - created).days)
    return extreme({owner: mean(days) for owner, days in cycles.items()}, direction(task.query))


@solver(TaskType.CONVERSION_RATE_COMPREHENSION)
async def conversion_rate_comprehension(task: Task, box: Toolbox) -> str:
    start, end = period(task)
    found = re.search(r"at least (\d+) leads", task.context.required)
    minimum = int(found.group(1)) if found else 1
    leads = await box.records(
        f"SELECT OwnerId, IsConverted, ConvertedDate FROM Lead WHERE {created_between(start, end)}"
    )
    total: dict[str, int] = defaultdict(int)
    converted: dict[str, int] = defaultdict(int)
    for lead in leads:
        owner = str(lead.get("OwnerId"))
        total[owner] += 1
        on = lead.get("ConvertedDate")
        if lead.get("IsConverted") and on and start <= date.fromisoformat(str(on)[:10]) <= end:
            converted[owner] += 1
    rates = {owner: converted[owner] / n for owner, n in total.items() if n >= minimum}
    return extreme(rates, direction(task.query))
