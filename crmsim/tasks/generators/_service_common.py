"""Shared pieces of the service-side generators: periods, context text, task assembly, None quotas.

Periods are inclusive date ranges: a case is in a period when its CreatedDate falls on or after
the first day (00:00:00) and on or before the last day (23:59:59). Relative periods end today:
"the past N months" starts on the same day N months earlier (clamped to the month's length), "the
past N quarters" is the past 3N months and "the past N weeks" starts 7N days earlier. Quarters,
seasons, months and years are calendar periods; winter Y runs from December 1 of Y to the end of
February of Y+1. Every task states its period as ``- Time period: YYYY-MM-DD to YYYY-MM-DD``.
"""

from __future__ import annotations

import calendar
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TypeVar

from .._model import NONE_ANSWER, Context, HeldFact, Source, Task
from . import GenContext

T = TypeVar("T")

MONTH_NAMES = tuple(calendar.month_name[1:])
NUMBER_WORDS = (
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen", "twenty",
)
_PREPOSITIONS = {"quarter": "in", "month": "in", "year": "in", "season": "during"}

DOMAIN_DETAILS = """# Domain details
## Quarters of the year
- Q1 runs from January 1 to March 31, Q2 from April 1 to June 30, Q3 from July 1 to September 30 and \
Q4 from October 1 to December 31 (first and last days included).
## Seasons
- Winter of a year Y starts on December 1 of Y and ends on the last day of February of Y+1.
- Spring: March 1 to May 31. Summer: June 1 to August 31. Fall (autumn): September 1 to November 30.
## Relative periods
- "The past N months" (also "the last N months") starts on the same day of the month N months before \
today and ends today, both days included. "The past N quarters" means the past 3N months, and "the past N \
weeks" starts 7N days before today.
- A case belongs to a period when it was created (CreatedDate) within it."""


def words(n: int) -> str:
    """``n`` spelled out when it is small (``four``), else as digits."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def months_before(day: date, months: int) -> date:
    """The same day of the month ``months`` months earlier, clamped to that month's length."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


@dataclass(frozen=True)
class Period:
    """An inclusive date range and how a user names it."""

    start: date
    end: date
    name: str  # "the past four months", "Q1 2024", "March 2024", "winter 2023"
    kind: str  # months | quarters | weeks | quarter | month | season | year

    @property
    def phrase(self) -> str:
        """The name after a preposition, as it sits inside a sentence."""
        return f"{_PREPOSITIONS.get(self.kind, 'over')} {self.name}"

    @property
    def line(self) -> str:
        return f"- Time period: {self.start.isoformat()} to {self.end.isoformat()}"

    @property
    def value(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def month_span(self) -> int:
        """How many calendar months the period touches."""
        return (self.end.year - self.start.year) * 12 + self.end.month - self.start.month + 1

    def held(self, rng: random.Random) -> HeldFact:
        utterance = rng.choice(("I mean {}.", "The period is {}.", "Look at {}, please.", "I'm asking about {}."))
        return HeldFact(name="period", value=self.value, utterance=utterance.format(self.name))

    def sql_bounds(self) -> tuple[str, str]:
        """The bounds as stored timestamps compare (``YYYY-MM-DD HH:MM:SS``)."""
        return f"{self.start.isoformat()} 00:00:00", f"{self.end.isoformat()} 23:59:59"


def relative_periods(today: date) -> list[Period]:
    out = []
    for n in range(2, 12):
        out.append(Period(months_before(today, n), today, f"the past {words(n)} months", "months"))
    for n in range(1, 7):
        name = "the past quarter" if n == 1 else f"the past {words(n)} quarters"
        out.append(Period(months_before(today, 3 * n), today, name, "quarters"))
    for n in (4, 6, 8, 10, 12):
        out.append(Period(today - timedelta(days=7 * n), today, f"the past {words(n)} weeks", "weeks"))
    return out


def calendar_periods(today: date, first: date) -> list[Period]:
    """Quarters, months, seasons and years from ``first`` (or a year before it) up to today."""
    out = []
    year0 = first.year - 1
    for year in range(year0, today.year + 1):
        if date(year, 1, 1) <= today:
            out.append(Period(date(year, 1, 1), date(year, 12, 31), str(year), "year"))
        for q in range(4):
            start = date(year, 3 * q + 1, 1)
            end = date(year, 3 * q + 3, calendar.monthrange(year, 3 * q + 3)[1])
            if start <= today:
                out.append(Period(start, end, f"Q{q + 1} {year}", "quarter"))
        for m in range(1, 13):
            start = date(year, m, 1)
            if start <= today:
                out.append(Period(start, date(year, m, calendar.monthrange(year, m)[1]), f"{MONTH_NAMES[m - 1]} {year}",
                                  "month"))
        seasons = [(date(year, 3, 1), date(year, 5, 31), "spring"), (date(year, 6, 1), date(year, 8, 31), "summer"),
                   (date(year, 9, 1), date(year, 11, 30), "fall"),
                   (date(year, 12, 1), date(year + 1, 2, calendar.monthrange(year + 1, 2)[1]), "winter")]
        out.extend(Period(s, e, f"{name} {year}", "season") for s, e, name in seasons if s <= today)
    return out


def all_periods(today: date, first: date) -> list[Period]:
    return relative_periods(today) + calendar_periods(today, first)


def cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def make_task(
    ctx: GenContext,
    query: str,
    answer: Sequence[str] | str | None,
    required: Sequence[str],
    *,
    optional: str = "",
    held: Sequence[HeldFact] = (),
) -> Task:
    """A generated task of ``ctx.task_type``; ``answer`` None means nothing qualifies."""
    answers = [NONE_ANSWER] if answer is None else [answer] if isinstance(answer, str) else list(answer)
    return Task.model_validate({
        "id": ctx.next_id(),
        "task_type": ctx.task_type,
        "org": ctx.org,
        "query": query,
        "answer": answers,
        "context": Context(required="\n".join(required), optional=optional),
        "held_facts": list(held),
        "source": Source(origin="generated", seed=ctx.seed),
    })


def today_line(ctx: GenContext) -> str:
    return f"- Today's date: {ctx.today.isoformat()}"


def mix(rng: random.Random, answered: Sequence[T], nones: Sequence[T], n: int, share: float = 0.2) -> list[T]:
    """Up to ``n`` items, ``share`` of them Nones (in expectation when ``n * share`` is not whole), never
    more Nones than answered ones.

    Items are taken from the front of each list (callers shuffle or put preferred items first);
    the result is shuffled.
    """
    whole, part = divmod(n * share, 1)
    want_none = min(int(whole) + (rng.random() < part), n // 2) if nones else 0
    n_answered = min(len(answered), n - want_none)
    n_none = min(len(nones), want_none, n_answered)
    if n_answered < n - n_none:  # too few answered ones: keep the None share about the same
        n_none = min(n_none, max(1, math.ceil(n_answered * share / (1 - share)))) if n_answered else 0
    chosen = list(answered[:n_answered]) + list(nones[:n_none])
    rng.shuffle(chosen)
    return chosen


def planted_first(rng: random.Random, items: Sequence[T], planted: Callable[[T], bool], n: int) -> list[T]:
    """``items`` shuffled, with up to half of ``n`` planted ones (the latent's own questions) in front."""
    items = list(items)
    rng.shuffle(items)
    front = [i for i, item in enumerate(items) if planted(item)][: math.ceil(n / 2)]
    taken = set(front)
    return [items[i] for i in front] + [item for i, item in enumerate(items) if i not in taken]


def first_case_date(ctx: GenContext) -> date:
    row = ctx.rows('SELECT MIN(CreatedDate) FROM "Case"')
    value = row[0][0] if row else None
    return date.fromisoformat(str(value)[:10]) if value else ctx.today
