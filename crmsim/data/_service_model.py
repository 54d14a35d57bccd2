"""The case plan's values: order lines, planned cases, agent roles, windows and handling times.

Cases are planned as :class:`CaseSpec` values before any Case row exists, so that every planted
signal can be arranged and then checked (:mod:`crmsim.data._service_signals`) on plain Python data:

- a *fast* agent owns every case of one state (the fast state) and closes in hours: the lowest
  handle time and the quickest state;
- a *slow* agent closes in weeks: the highest handle time;
- in the transfer window one agent (*low*) never hands a case over while every other agent who
  manages cases does at least once, and one (*high*) hands over clearly the most;
- spike products get a burst of cases with one issue in one month (monthly trend, top issue); an
  expert agent closes most of them (case routing for the new cases about that product);
- a tie product gets the same number of cases in two months with two issues (answers None).

Earlier owners are always *prepended* to a case's owner chain, so transfers never change who closed
a case, which keeps the other signals intact.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from ._records import Record
from ._service_knowledge import Issue

# Window lengths in months, counted back from today (same day of month).
WINDOWS = {"handle": 4, "transfer": 9, "trend": 10, "top_issue": 5, "region": 18}
FAST = (timedelta(hours=2), timedelta(hours=20))
REGULAR = (timedelta(days=1.5), timedelta(days=12))
SLOW = (timedelta(days=18), timedelta(days=35))
OPEN_STATUSES = ("Working", "Working", "Escalated", "Waiting on Customer")


def months_before(day: date, months: int) -> date:
    """The same day of the month ``months`` months earlier (clamped to the month's length)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class Line:
    """An order line a case can be about."""

    item: Record
    order: Record
    account: Record
    day: date  # the order's EffectiveDate

    @property
    def product_id(self) -> str:
        return str(self.item["Product2Id"])

    @property
    def state(self) -> str:
        return str(self.account.get("ShippingState") or "")


@dataclass
class CaseSpec:
    kind: str
    created: datetime
    line: Line
    contact: Record | None
    issue: Issue | None
    owner: str | None  # final owner; None: a new case still in the queue (owned by the admin)
    closed: datetime | None = None
    pre: list[str] = field(default_factory=list)  # earlier owners, first assignee first
    moves: list[datetime] = field(default_factory=list)  # when each earlier owner handed over
    assigned: datetime | None = None
    locked: bool = False  # open/closed fixed by a plant
    status: str = "New"
    origin: str = "Email"
    priority: str = "Medium"
    sentiment: str = "neutral"
    story: tuple[str, bool] | None = None  # (policy key, violated) for policy-compliance cases
    record: Record | None = None

    @property
    def chain(self) -> list[str]:
        return [*self.pre, self.owner] if self.owner else []


@dataclass
class Roles:
    team: list[str]
    fast: str
    slow: str
    high: str
    low: str
    regulars: list[str]  # everyone but the fast agent


@dataclass
class ProductPlan:
    star: str  # the fast state
    spikes: dict[str, int]  # product id -> months back of the spike month
    tie: str  # product id with two equal top months
    tie_months: tuple[int, int]
    tie_inside: bool  # the tie cases come from the fast state (they give the fast agent its cases)
