"""Generators of monthly_trend_analysis and top_issue_identification.

Definitions (the reference solvers apply the same ones; the task's required context states them):

- A case is about the product of its order line (Case.OrderItemId__c -> OrderItem.Product2Id) and is
  in the period when its CreatedDate is in it (inclusive dates).
- Monthly trend: cases of the product per calendar month of the period. A month stands out when it
  has more cases than every other month; when the highest count is shared, the answer is None.
- Top issue: cases of the product per IssueId__c (cases without an issue do not count). The answer
  is the issue with the most cases; when the highest count is shared, the answer is None.

A task is emitted only when the answer does not hang on a single case: a month (issue) answer has at
least three cases and at least twice as many as, and two more than, the runner-up; a None answer
has two or more months (issues) sharing the highest count. Trend periods touch three to twelve
calendar months, so that every month name is unique in them.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from .._model import HeldFact, Task
from .._types import TaskType
from . import GenContext, generator
from ._service_common import (
    DOMAIN_DETAILS,
    MONTH_NAMES,
    Period,
    all_periods,
    cap,
    first_case_date,
    make_task,
    mix,
    planted_first,
    today_line,
)

_COUNTS = """
SELECT oi.Product2Id, {key}, COUNT(*)
FROM "Case" c JOIN OrderItem oi ON oi.Id = c.OrderItemId__c
WHERE c.CreatedDate >= ? AND c.CreatedDate <= ?{extra}
GROUP BY 1, 2"""
MONTH_COUNTS = _COUNTS.format(key="CAST(strftime('%m', c.CreatedDate) AS INTEGER)", extra="")
ISSUE_COUNTS = _COUNTS.format(key="c.IssueId__c", extra=" AND c.IssueId__c IS NOT NULL")

TREND_POLICY = """## Monthly case volume
- A case concerns the product of its order line (OrderItemId__c) and counts for the calendar month of its \
CreatedDate; only cases created in the period count.
- A month stands out when it has more cases than every other month of the period. When two or more months \
share the highest count, no month stands out and the answer is None."""
ISSUE_POLICY = """## Most reported issue
- A case concerns the product of its order line (OrderItemId__c) and reports the known issue in its IssueId__c \
field; cases without an issue do not count. Only cases created in the period count.
- The most reported issue is the one the most cases of the product point to. When two or more issues share \
the highest count, the answer is None."""

_TREND_QUERIES = (
    "Is there a month {period} in which {product} cases were significantly more numerous than in the other "
    "months? The product Id is {pid}. Return only the month name.",
    "{Period}, did any single month see clearly more cases about the {product} than the others? "
    "(Product Id {pid}.) Return only the name of the month.",
    "Which month {period} stands out with more {product} cases than any other? The associated product Id is "
    "{pid}. Return only the month name, or None if no month stands out.",
)
_ISSUE_QUERIES = (
    "What was the most frequently reported issue with the {product} {period}? The product Id is {pid}. "
    "Return only the Id of the issue.",
    "{Period}, which known issue came up most often in cases about the {product}? (Product Id: {pid}.) "
    "Return only the issue Id.",
    "Find the issue reported most for the {product} {period}. The associated product Id is {pid}. "
    "Return only the Id of the most reported issue.",
)


@dataclass(frozen=True)
class _Pick:
    period: Period
    product: str
    answer: str | None


def _verdict(counts: Counter[str]) -> tuple[bool, str | None]:
    """``(clear, answer)``: the standout key, or None when the top is shared; ``clear`` False otherwise."""
    ranked = [n for _, n in counts.most_common()] + [0]
    top, second = ranked[0], ranked[1]
    if top == second and top > 0:
        return True, None
    if top >= 3 and top >= max(2 * second, second + 2):
        return True, counts.most_common(1)[0][0]
    return False, None


def _picks(ctx: GenContext, sql: str, periods: list[Period], by_issue: bool) -> tuple[list[_Pick], list[_Pick]]:
    answered: list[_Pick] = []
    nones: list[_Pick] = []
    for period in periods:
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        for product, key, n in ctx.rows(sql, period.sql_bounds()):
            label = str(key) if by_issue else MONTH_NAMES[int(str(key)) - 1]
            counts[str(product)][label] += int(str(n))
        for product, counter in sorted(counts.items()):
            clear, answer = _verdict(counter)
            if clear:
                (answered if answer else nones).append(_Pick(period, product, answer))
    return answered, nones


def _order(ctx: GenContext, picks: list[_Pick], preferred: set[tuple[str, str]]) -> list[_Pick]:
    """Shuffled, up to half of them the latent's planted questions in front; no repeated question."""
    picks = planted_first(ctx.rng, picks, lambda p: (p.period.start.isoformat(), p.product) in preferred,
                          ctx.per_type)
    seen: set[tuple[str, str, str]] = set()
    out = []
    for pick in picks:
        key = (pick.product, pick.period.start.isoformat(), pick.period.end.isoformat())
        if key not in seen:
            seen.add(key)
            out.append(pick)
    return out


def _tasks(ctx: GenContext, latent: str, sql: str, periods: list[Period], by_issue: bool) -> list[Task]:
    truth = ctx.latent(latent).truth
    since = str(truth["since"])
    preferred = {(since, str(p)) for p in truth["products"]}
    answered, nones = _picks(ctx, sql, periods, by_issue)
    chosen = mix(ctx.rng, _order(ctx, answered, preferred), _order(ctx, nones, preferred), ctx.per_type)
    names = {str(pid): str(name) for pid, name in ctx.rows("SELECT Id, Name FROM Product2")}
    templates, policy = (_ISSUE_QUERIES, ISSUE_POLICY) if by_issue else (_TREND_QUERIES, TREND_POLICY)
    tasks = []
    for pick in chosen:
        rng = ctx.rng
        product, period = names[pick.product], pick.period.phrase
        query = rng.choice(templates).format(Period=cap(period), period=period, product=product, pid=pick.product)
        required = [policy, "", today_line(ctx), f"- Product Id: {pick.product}", pick.period.line]
        held = [
            HeldFact(name="product", value=pick.product,
                     utterance=rng.choice(("It's about the {0} (product Id {1}).", "The product is the {0}, Id {1}."))
                     .format(product, pick.product)),
            pick.period.held(rng),
        ]
        tasks.append(make_task(ctx, query, pick.answer, required, optional=DOMAIN_DETAILS, held=held))
    return tasks


def _all_periods(ctx: GenContext) -> list[Period]:
    return all_periods(ctx.today, first_case_date(ctx))


@generator(TaskType.MONTHLY_TREND_ANALYSIS)
def monthly_trend_analysis(ctx: GenContext) -> list[Task]:
    periods = [p for p in _all_periods(ctx) if 3 <= p.month_span <= 12]
    return _tasks(ctx, "monthly_trend_analysis.spikes", MONTH_COUNTS, periods, by_issue=False)


@generator(TaskType.TOP_ISSUE_IDENTIFICATION)
def top_issue_identification(ctx: GenContext) -> list[Task]:
    return _tasks(ctx, "top_issue_identification.products", ISSUE_COUNTS, _all_periods(ctx), by_issue=True)
