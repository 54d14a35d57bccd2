"""Shared pieces of the sales-side generators: periods, agent rankings, record-Id tasks, None quotas.

Periods, task assembly and the None mix come from :mod:`._service_common` (the same conventions on
both sides). What is sales-only lives here: the domain text without the case rule, the ranking of
agents over a period with a margin, and the ``- <Object> Id to be considered is:`` line with its held
fact.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from .._model import HeldFact, Task
from . import GenContext
from ._service_common import Period, all_periods, make_task, mix, planted_first, today_line

T = TypeVar("T")
BODY_FIELD = {"b2b": "TranscriptBody__c", "b2c": "Body__c"}  # VoiceCallTranscript__c text

SALES_DOMAIN = """# Domain details
## Quarters of the year
- Q1 is January 1 to March 31, Q2 April 1 to June 30, Q3 July 1 to September 30 and Q4 October 1 to \
December 31, first and last days included.
## Seasons
- Spring: March 1 to May 31. Summer: June 1 to August 31. Fall (autumn): September 1 to November 30.
- Winter of year Y runs from December 1 of Y to the last day of February of Y+1.
## Relative periods
- "The past N months" (or "the last N months") begins on the same day of the month N months before today \
and ends today, both days included. "The past N quarters" is the past 3N months; "the past N weeks" begins \
7N days before today.
- Dates are calendar days in UTC; a timestamp (such as CreatedDate) falls on the day of its date part."""


def day(value: object) -> date:
    """The calendar day of a stored date or timestamp (``2024-03-01`` or ``2024-03-01 08:47:47``)."""
    return date.fromisoformat(str(value)[:10])


def periods(ctx: GenContext, first: date) -> list[Period]:
    """Relative and calendar periods up to today (calendar ones from the year before ``first``), no repeats."""
    seen: set[tuple[date, date]] = set()
    out = []
    for period in all_periods(ctx.today, first):
        if (period.start, period.end) not in seen:
            seen.add((period.start, period.end))
            out.append(period)
    return out


def clear_extreme(values: dict[str, float], direction: str, *, ratio: float = 1.0,
                  gap: float = 0.0) -> tuple[bool, str | None]:
    """``(clear, best)``: the agent with the lowest (``low``) or highest value when it stands out.

    ``(True, None)`` when nobody qualifies; ``(False, ...)`` when there are fewer than two agents
    or the best does not beat the runner-up by ``gap`` (absolute) and by the factor ``ratio``.
    """
    if not values:
        return True, None
    if len(values) < 2:
        return False, None
    ranked = sorted(values.items(), key=lambda kv: kv[1], reverse=direction == "high")
    (best, a), (_, b) = ranked[0], ranked[1]
    low, high = (a, b) if direction == "low" else (b, a)
    return high - low >= gap and high - low > 1e-9 and high >= ratio * low, best


@dataclass(frozen=True)
class Ranking:
    """One ranking question: the period, lowest or highest, and the agent it names (None: nobody)."""

    period: Period
    direction: str
    answer: str | None

    @property
    def key(self) -> tuple[date, date, str]:
        return self.period.start, self.period.end, self.direction


def rankings(candidates: Iterable[Period], values: Callable[[Period], dict[str, float]], *, ratio: float = 1.0,
             gap: float = 0.0) -> tuple[list[Ranking], list[Ranking]]:
    """Answered and None questions over ``candidates``, both directions, clear answers only."""
    answered: list[Ranking] = []
    nones: list[Ranking] = []
    for period in candidates:
        scores = values(period)
        for direction in ("low", "high"):
            clear, best = clear_extreme(scores, direction, ratio=ratio, gap=gap)
            if clear:
                (answered if best else nones).append(Ranking(period, direction, best))
    return answered, nones


def choose_rankings(ctx: GenContext, answered: list[Ranking], nones: list[Ranking],
                    preferred: set[tuple[date, date, str]]) -> list[Ranking]:
    """About ``per_type`` questions, the planted ones in front, no repeated question, ~1 in 5 None."""

    def order(items: list[Ranking]) -> list[Ranking]:
        return planted_first(ctx.rng, items, lambda r: r.key in preferred, ctx.per_type)

    return mix(ctx.rng, order(answered), order(nones), ctx.per_type)


def all_planted_first(rng: random.Random, items: Sequence[T], planted: Callable[[T], bool]) -> list[T]:
    """``items`` shuffled, every planted one (the latent's own records) in front."""
    return planted_first(rng, items, planted, 2 * len(items))


def id_line(label: str, record_id: str) -> str:
    """``- Quote Id to be considered is: 0Q0...``, as the benchmark states a task's target record."""
    return f"- {label} Id to be considered is: {record_id}"


def record_held(rng: random.Random, name: str, label: str, record_id: str) -> HeldFact:
    """The target record as a multi-turn user gives it, e.g. ``The opportunity is 006...``."""
    utterance = rng.choice(("The {} Id is {}.", "It's {} {}.", "I mean {} {}.", "Look at {} {}, please."))
    noun = label.lower()
    return HeldFact(name=name, value=record_id, utterance=utterance.format(noun, record_id))


def record_tasks(ctx: GenContext, picks: Sequence[tuple[str, str | Sequence[str] | None]], *, label: str,
                 held_name: str, templates: Sequence[str], guide: str) -> list[Task]:
    """One task per ``(record Id, answer)``: a phrasing from ``templates``, the guide and the Id line."""
    tasks = []
    for record_id, answer in picks:
        query = ctx.rng.choice(templates)
        required = [guide, "", today_line(ctx), id_line(label, record_id)]
        held = [record_held(ctx.rng, held_name, label, record_id)]
        tasks.append(make_task(ctx, query, answer, required, held=held))
    return tasks
