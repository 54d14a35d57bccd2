"""Generators of sales_amount_understanding, sales_cycle_understanding and conversion_rate_comprehension.

Definitions (the task's required context states them; the reference solvers apply the same ones):

- Sales amount: an order's amount is the sum of Quantity * UnitPrice over its order items; it counts
  for the order's owner and for the period its EffectiveDate falls in. Agents with at least one order
  in the period are compared on their total.
- Sales cycle: a won opportunity's cycle is the number of days from the day it was created to the
  signature date of its contract (Opportunity.ContractID__c; CompanySignedDate in B2B,
  CustomerSignedDate in B2C); it counts for the opportunity's owner and for the period the signature
  date falls in. Agents are compared on their average cycle.
- Conversion rate: of the leads an agent owns that were created in the period, the share converted
  (IsConverted) with a ConvertedDate in the same period; only agents with at least three such leads
  are compared.

A question is asked for each period (relative, calendar) and direction (lowest/highest) whose answer
is clear: the best agent beats the runner-up by 10% of the amount, by 10% and a day of average cycle,
or by ten points of conversion rate, and at least two agents compete. The answer is None when no
agent qualifies (a period before the data, the planted month without signed contracts). The
latents' own questions (top seller of the past five months, quickest cycle of the past three months,
the quiet month, conversion extremes of the past four quarters) come first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import date

from .._model import Task
from .._types import TaskType
from . import GenContext, generator
from ._sales_common import SALES_DOMAIN, Ranking, choose_rankings, day, periods, rankings
from ._service_common import Period, cap, make_task, today_line

AMOUNT_RATIO = 1.1
CYCLE_RATIO, CYCLE_GAP_DAYS = 1.1, 1.0
CONVERSION_GAP = 0.10
MIN_LEADS = 3
SIGNED_FIELD = {"b2b": "CompanySignedDate", "b2c": "CustomerSignedDate"}

AMOUNT_POLICY = """## Sales amount
- The sales amount of an order is the sum, over its order items (OrderItem), of Quantity * UnitPrice.
- An order counts for the agent who owns it (Order.OwnerId), in the period its EffectiveDate falls in.
- Agents are compared on the total sales amount of their orders in the period; only agents with at least one \
order in the period take part."""
CYCLE_POLICY = """## Sales cycle
- The sales cycle of a won opportunity is the number of days from the day the opportunity was created \
(CreatedDate) to the {field} of the contract it is linked to (Opportunity.ContractID__c).
- An opportunity counts for its owner (Opportunity.OwnerId), in the period its contract's {field} falls in.
- Agents are compared on the average sales cycle of their opportunities in the period."""
CONVERSION_POLICY = f"""## Lead conversion rate
- The leads of a period are those created (CreatedDate) in it. A lead of the period is converted when \
IsConverted is true and its ConvertedDate falls in the same period.
- An agent's conversion rate = converted leads / leads of the period, over the leads the agent owns \
(Lead.OwnerId), times 100%.
- Only agents who own at least {MIN_LEADS} leads of the period are compared."""

_AMOUNT_WORDS = {"low": ("lowest", "smallest"), "high": ("highest", "largest", "top")}
_AMOUNT_QUERIES = (
    "Which agent had the {dir} total sales {period}? Return only the Id of the agent.",
    "{Period}, whose orders added up to the {dir} sales amount? Return only the agent's Id.",
    "Find the agent with the {dir} order sales total {period}. Give only the Id of the agent.",
    "Identify the agent who generated the {dir} sales from orders {period}. Return only the agent Id.",
)
_CYCLE_WORDS = {"low": ("quickest", "shortest", "fastest"), "high": ("slowest", "longest")}
_CYCLE_QUERIES = (
    "Which agent had the {dir} average sales cycle {period}? Return only the Id of the agent.",
    "{Period}, who had the {dir} average time from creating an opportunity to getting the contract signed? "
    "Return only the agent's Id.",
    "Determine the agent whose won deals had the {dir} average time to close {period}. Give only the agent Id.",
    "Find the agent with the {dir} average turnaround from opportunity creation to signature {period}. "
    "Return only the Id of the agent.",
)
_CONVERSION_WORDS = {"low": ("lowest", "poorest", "weakest"), "high": ("highest", "best", "strongest")}
_CONVERSION_QUERIES = (
    "Which agent had the {dir} lead conversion rate {period}? Return only the Id of the agent.",
    "{Period}, who turned leads into customers at the {dir} rate? Return only the agent's Id.",
    "Find the agent with the {dir} conversion rate of leads {period}. Give only the Id of the agent.",
    "Among agents with at least three leads {period}, who had the {dir} lead conversion rate? "
    "Return only the agent Id.",
)


def _first(ctx: GenContext, sql: str) -> date:
    row = ctx.rows(sql)
    return day(row[0][0]) if row and row[0][0] else ctx.today


def _between(value: date, period: Period) -> bool:
    return period.start <= value <= period.end


def _tasks(ctx: GenContext, chosen: list[Ranking], templates: tuple[str, ...],
           direction_words: Mapping[str, tuple[str, ...]], policy: str) -> list[Task]:
    tasks = []
    for pick in chosen:
        phrase = pick.period.phrase
        query = ctx.rng.choice(templates).format(
            Period=cap(phrase), period=phrase, dir=ctx.rng.choice(direction_words[pick.direction])
        )
        required = [policy, "", today_line(ctx), pick.period.line]
        tasks.append(make_task(ctx, query, pick.answer, required, optional=SALES_DOMAIN,
                               held=[pick.period.held(ctx.rng)]))
    return tasks


def _window(truth: dict[str, object], start: str, end: str, *directions: str) -> set[tuple[date, date, str]]:
    return {(date.fromisoformat(str(truth[start])), date.fromisoformat(str(truth[end])), d) for d in directions}


# -- sales amount ---------------------------------------------------------------------------------

_ORDER_LINES = """
SELECT o.OwnerId, o.EffectiveDate, SUM(CAST(round(i.Quantity * i.UnitPrice * 100) AS INTEGER))
FROM "Order" o JOIN OrderItem i ON i.OrderId = o.Id GROUP BY o.Id"""


def amount_values(ctx: GenContext) -> Callable[[Period], dict[str, float]]:
    """Per period: each order owner's total in cents."""
    orders = [(str(owner), day(effective), int(str(cents))) for owner, effective, cents in ctx.rows(_ORDER_LINES)]

    def values(period: Period) -> dict[str, float]:
        totals: dict[str, float] = defaultdict(float)
        for owner, effective, cents in orders:
            if _between(effective, period):
                totals[owner] += cents
        return dict(totals)

    return values


@generator(TaskType.SALES_AMOUNT_UNDERSTANDING)
def sales_amount_understanding(ctx: GenContext) -> list[Task]:
    truth = ctx.latent("sales_amount.top_rep").truth
    first = _first(ctx, 'SELECT MIN(EffectiveDate) FROM "Order"')
    answered, nones = rankings(periods(ctx, first), amount_values(ctx), ratio=AMOUNT_RATIO)
    preferred = _window(truth, "window_start", "window_end", "high") if truth.get("rep_id") else set()
    chosen = choose_rankings(ctx, answered, nones, preferred)
    return _tasks(ctx, chosen, _AMOUNT_QUERIES, _AMOUNT_WORDS, AMOUNT_POLICY)


# -- sales cycle ----------------------------------------------------------------------------------

_CYCLES = """
SELECT o.OwnerId, o.CreatedDate, c.{field}
FROM Opportunity o JOIN Contract c ON c.Id = o.ContractID__c WHERE c.{field} IS NOT NULL"""


def cycle_values(ctx: GenContext) -> Callable[[Period], dict[str, float]]:
    """Per period: each owner's average days from opportunity creation to contract signature."""
    field = SIGNED_FIELD[ctx.org]
    deals = [(str(owner), day(signed), (day(signed) - day(created)).days)
             for owner, created, signed in ctx.rows(_CYCLES.format(field=field))]

    def values(period: Period) -> dict[str, float]:
        spans: dict[str, list[int]] = defaultdict(list)
        for owner, signed, days in deals:
            if _between(signed, period):
                spans[owner].append(days)
        return {owner: sum(d) / len(d) for owner, d in spans.items()}

    return values


@generator(TaskType.SALES_CYCLE_UNDERSTANDING)
def sales_cycle_understanding(ctx: GenContext) -> list[Task]:
    field = SIGNED_FIELD[ctx.org]
    fastest = ctx.latent("sales_cycle.fastest_rep").truth
    quiet = ctx.latent("sales_cycle.quiet_month").truth
    first = _first(ctx, f"SELECT MIN({field}) FROM Contract")
    answered, nones = rankings(periods(ctx, first), cycle_values(ctx), ratio=CYCLE_RATIO, gap=CYCLE_GAP_DAYS)
    preferred = _window(quiet, "month_start", "month_end", "low", "high")
    if fastest.get("rep_id"):
        preferred |= _window(fastest, "window_start", "window_end", "low")
    chosen = choose_rankings(ctx, answered, nones, preferred)
    return _tasks(ctx, chosen, _CYCLE_QUERIES, _CYCLE_WORDS, CYCLE_POLICY.format(field=field))


# -- conversion rate ------------------------------------------------------------------------------

_LEADS = "SELECT OwnerId, CreatedDate, IsConverted, ConvertedDate FROM Lead"


def conversion_values(ctx: GenContext) -> Callable[[Period], dict[str, float]]:
    """Per period: each owner's share of the period's leads converted in the period (owners of 3+ leads)."""
    leads = [(str(owner), day(created), bool(converted) and converted_on is not None,
              day(converted_on) if converted_on else None)
             for owner, created, converted, converted_on in ctx.rows(_LEADS)]

    def values(period: Period) -> dict[str, float]:
        total: dict[str, int] = defaultdict(int)
        won: dict[str, int] = defaultdict(int)
        for owner, created, converted, converted_on in leads:
            if _between(created, period):
                total[owner] += 1
                if converted and converted_on is not None and _between(converted_on, period):
                    won[owner] += 1
        return {owner: won[owner] / n for owner, n in total.items() if n >= MIN_LEADS}

    return values


@generator(TaskType.CONVERSION_RATE_COMPREHENSION)
def conversion_rate_comprehension(ctx: GenContext) -> list[Task]:
    truth = ctx.latent("conversion.extreme_reps").truth
    first = _first(ctx, "SELECT MIN(CreatedDate) FROM Lead")
    answered, nones = rankings(periods(ctx, first), conversion_values(ctx), gap=CONVERSION_GAP)
    preferred = set()
    if truth.get("lowest_rep_id"):
        preferred |= _window(truth, "window_start", "window_end", "low")
    if truth.get("highest_rep_id"):
        preferred |= _window(truth, "window_start", "window_end", "high")
    chosen = choose_rankings(ctx, answered, nones, preferred)
    return _tasks(ctx, chosen, _CONVERSION_QUERIES, _CONVERSION_WORDS, CONVERSION_POLICY)
