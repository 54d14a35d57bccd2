"""The sales stage's plan: deals, lines, orders and leads as plain dataclasses, plus shared helpers.

The stage plans everything first (who owns what, which dates, which lines), plants its latent
variables by adjusting the plan, and only then writes records in chronological order, so that
Ids and autonumbers grow with CreatedDate.
"""

from __future__ import annotations

import bisect
import calendar
import math
import random
from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from ._base import OrgGenerator
from ._records import Record

EPOCH = datetime(2000, 1, 1)


@dataclass
class Line:
    product: Record
    category: str
    entry: Record
    quantity: int
    discount: float = 0.0
    price_override: float | None = None
    oli: Record | None = None

    @property
    def list_price(self) -> float:
        return float(self.entry["UnitPrice"])

    @property
    def quote_price(self) -> float:
        return self.list_price if self.price_override is None else self.price_override

    @property
    def net_price(self) -> float:
        return round(self.quote_price * (1 - self.discount / 100), 2)

    @property
    def total(self) -> float:
        return round(self.quantity * self.net_price, 2)


@dataclass
class Deal:
    kind: str  # won | lost | quote | negotiation | qualification | discovery
    stage: str  # the true stage; StageName shows ``shown_stage`` when a wrong stage is planted
    n_lines: int
    quoted: bool
    created: datetime = EPOCH
    close: date = EPOCH.date()
    account: Record = field(default_factory=dict)
    contact: Record | None = None
    owner: Record = field(default_factory=dict)
    book: Record = field(default_factory=dict)
    lines: list[Line] = field(default_factory=list)
    quote_status: str | None = None
    quote_created: datetime | None = None
    customer_signed: date | None = None
    company_signed: date | None = None
    start: date | None = None
    term: int = 12
    shown_stage: str | None = None
    from_lead: bool = False
    roles: set[str] = field(default_factory=set)  # planted roles, kept disjoint across latents
    opp: Record | None = None
    quote: Record | None = None
    contract: Record | None = None

    @property
    def won(self) -> bool:
        return self.kind == "won"

    @property
    def closed(self) -> bool:
        return self.kind in ("won", "lost")

    @property
    def stage_name(self) -> str:
        return self.shown_stage or self.stage


@dataclass
class OrderPlan:
    account: Record
    owner_id: str
    effective: date
    book: Record
    lines: list[Line]
    deal: Deal | None = None
    record: Record | None = None


@dataclass
class LeadPlan:
    owner_id: str
    created: datetime
    state: str
    status: str
    first: str = ""
    last: str = ""
    company: str | None = None
    deal: Deal | None = None  # set when the lead converted into this deal
    failing: list[str] | None = None  # planted BANT failures of the latest call
    routing: bool = False
    record: Record | None = None

    @property
    def converted(self) -> bool:
        return self.deal is not None


@dataclass(frozen=True)
class Windows:
    """Date windows of the planted signals, all ending today (inclusive)."""

    cycle: tuple[date, date]  # past 3 months: fastest sales cycle per rep
    amount: tuple[date, date]  # past 5 months: top order amount per rep
    conversion: tuple[date, date]  # past 4 quarters: lead conversion rates
    territory: tuple[date, date]  # past 4 quarters: fastest-closing territory
    quiet: tuple[date, date]  # one calendar month with no signed contract (answer None)

    @classmethod
    def for_today(cls, g: OrgGenerator) -> Windows:
        today = g.today
        quiet_start = g.month_start(15)
        quiet_end = quiet_start.replace(day=calendar.monthrange(quiet_start.year, quiet_start.month)[1])
        return cls(
            cycle=(months_before(today, 3), today),
            amount=(months_before(today, 5), today),
            conversion=(months_before(today, 12), today),
            territory=(months_before(today, 12), today),
            quiet=(quiet_start, quiet_end),
        )


def months_before(day: date, months: int) -> date:
    """The same day of the month ``months`` months earlier (clamped to the month's length)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def within(day: date | None, window: tuple[date, date]) -> bool:
    return day is not None and window[0] <= day <= window[1]


def at(day: date, rng: random.Random, lo: int = 8, hi: int = 11) -> datetime:
    """A moment during working hours on ``day`` (before noon by default, so today stays valid)."""
    return datetime.combine(day, time(lo)) + timedelta(seconds=rng.randrange((hi - lo) * 3600))


def split(rng: random.Random, total: int, n: int, lo: int = 1, hi: int | None = None) -> list[int]:
    """``n`` random sizes in [lo, hi] that add up to ``total`` (bounds widened when infeasible)."""
    if n <= 0:
        return []
    lo = min(lo, total // n)
    avg = total / n
    hi = max(hi if hi is not None else math.ceil(2 * avg - lo), math.ceil(avg), lo)
    sizes = [rng.randint(lo, hi) for _ in range(n)]
    diff = total - sum(sizes)
    while diff:
        i = rng.randrange(n)
        if diff > 0 and sizes[i] < hi:
            sizes[i] += 1
            diff -= 1
        elif diff < 0 and sizes[i] > lo:
            sizes[i] -= 1
            diff += 1
    return sizes


class AccountIndex:
    """Accounts by the moment they can first carry a deal (their first contact exists)."""

    def __init__(self, g: OrgGenerator, territory_of: dict[str, str]) -> None:
        self.g = g
        self.territory_of = territory_of
        self.contacts: dict[str, list[Record]] = {
            acc: sorted(contacts, key=lambda c: c["CreatedDate"]) for acc, contacts in g.contacts_by_account.items()
        }
        ready = [
            (self.contacts[a["Id"]][0]["CreatedDate"], a["Id"], a) for a in g.accounts if self.contacts.get(a["Id"])
        ]
        ready.sort(key=lambda item: (item[0], item[1]))
        self.all = [(t, a) for t, _, a in ready]
        self.keys = [t for t, _ in self.all]
        self.by_territory: dict[str, list[tuple[datetime, Record]]] = {}
        for t, a in self.all:
            self.by_territory.setdefault(territory_of[a["Id"]], []).append((t, a))
        self.territory_keys = {tid: [t for t, _ in items] for tid, items in self.by_territory.items()}

    def ready(self, account: Record) -> datetime:
        return self.contacts[account["Id"]][0]["CreatedDate"]  # type: ignore[no-any-return]

    def pick(self, before: datetime, territory: str | None = None, exclude: Container[str] = ()) -> Record | None:
        """A random account ready before ``before``, in ``territory`` if given, not in ``exclude``."""
        if territory is None:
            pool, keys = self.all, self.keys
        else:
            pool, keys = self.by_territory.get(territory, []), self.territory_keys.get(territory, [])
        k = bisect.bisect_left(keys, before)
        if k == 0:
            return None
        rng = self.g.rng
        for _ in range(30):
            account = pool[rng.randrange(k)][1]
            if self.territory_of[account["Id"]] not in exclude:
                return account
        choices = [a for _, a in pool[:k] if self.territory_of[a["Id"]] not in exclude]
        return rng.choice(choices) if choices else None

    def contact(self, account: Record, before: datetime) -> Record:
        contacts = self.contacts[account["Id"]]
        ready = [c for c in contacts if c["CreatedDate"] < before] or contacts[:1]
        return self.g.pick(ready)
