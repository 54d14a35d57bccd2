"""Generators of handle_time, transfer_count and best_region_identification.

Definitions (the reference solvers apply the same ones; the task's required context states them):

- A case is in the period when its CreatedDate is in it (inclusive dates).
- An agent *manages* a case when an 'Owner Assignment' CaseHistory__c row of the case names them as
  NewValue__c (the first assignee and every agent it was transferred to). "Agents managing more
  than one case" counts the distinct cases of the period each agent managed.
- Handle time of a closed case: ClosedDate - CreatedDate, counted for the case's owner at closing
  (Case.OwnerId) only. Agents are compared on their average over the period's closed cases they own.
- A transfer is an 'Owner Assignment' row whose OldValue__c is the agent (the admin's first assignment
  from the queue is not one); an agent's count covers the cases of the period.
- A case belongs to the ShippingState of its account; states are compared on the average ClosedDate -
  CreatedDate of their closed cases of the period, among states with at least two such cases.

A task is emitted only when its answer is clear: the best agent (or state) beats the runner-up by at
least 10% (strictly, for transfer counts). The answer is None when no agent (state) qualifies, e.g.
in a period before the first case or when nobody managed enough cases.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from .._model import HeldFact, Task
from .._types import TaskType
from . import GenContext, generator
from ._service_common import (
    DOMAIN_DETAILS,
    Period,
    all_periods,
    cap,
    first_case_date,
    make_task,
    mix,
    planted_first,
    today_line,
)

MARGIN = 1.1  # the best average must beat the runner-up by this factor

_AGENT_STATS = """
WITH win AS (
    SELECT Id, OwnerId, Status, CreatedDate, ClosedDate FROM "Case" WHERE CreatedDate >= ? AND CreatedDate <= ?
), moves AS (
    SELECT h.CaseId__c AS case_id, h.OldValue__c AS old, h.NewValue__c AS new
    FROM CaseHistory__c h JOIN win ON win.Id = h.CaseId__c WHERE h.Field__c = 'Owner Assignment'
), agents AS (SELECT new AS agent, COUNT(DISTINCT case_id) AS managed FROM moves GROUP BY new)
SELECT a.agent, a.managed,
    (SELECT AVG(julianday(w.ClosedDate) - julianday(w.CreatedDate)) FROM win w
     WHERE w.OwnerId = a.agent AND w.Status = 'Closed' AND w.ClosedDate IS NOT NULL),
    (SELECT COUNT(*) FROM moves m WHERE m.old = a.agent)
FROM agents a ORDER BY a.agent"""
_STATE_STATS = """
SELECT a.ShippingState, COUNT(*), AVG(julianday(c.ClosedDate) - julianday(c.CreatedDate))
FROM "Case" c JOIN Account a ON a.Id = c.AccountId
WHERE c.Status = 'Closed' AND c.ClosedDate IS NOT NULL AND c.CreatedDate >= ? AND c.CreatedDate <= ?
  AND COALESCE(a.ShippingState, '') != ''
GROUP BY a.ShippingState ORDER BY a.ShippingState"""

MANAGED_RULES = """- An agent manages a case when they were its first assignee or it was transferred to them, that is \
when an 'Owner Assignment' case history row names them as the new owner. A condition such as "agents managing \
more than one case" counts the distinct cases of the period each agent managed.
- A case is in the period when it was created in it."""
HANDLE_POLICY = f"""## Handle time policy
- Handle time is how long a case took to close: from its creation (CreatedDate) to its closure (ClosedDate).
- A closed case's handle time counts only for the agent who owned it when it was closed; an agent who \
transferred a case to someone else gets no handle time for it. Agents are compared on their average.
{MANAGED_RULES}
- A case that was never transferred has one 'Owner Assignment' row; a transferred case has more than one."""
TRANSFER_POLICY = f"""## Transfer count policy
- A transfer is a case handed from one agent to another: each move from agent A to agent B adds one to A's \
transfer count. The first assignment from the queue (by the admin) is not a transfer.
{MANAGED_RULES}
- A case that was never transferred has one 'Owner Assignment' row; a transferred case has more than one."""
REGION_POLICY = """## Closure time by state
- Closure time of a case: from its creation (CreatedDate) to its closure (ClosedDate); only closed cases count.
- A case belongs to the state of its account's shipping address (ShippingState).
- States are compared on the average closure time of their closed cases created in the period; only states \
with at least 2 closed cases in the period are compared."""

_THRESHOLDS = {
    1: ("managing at least one case", "that managed more than zero cases"),
    2: ("managing more than one case", "that managed at least two cases", "handling more than one case"),
    3: ("managing more than two cases", "that managed at least three cases"),
}
_HANDLE_WORDS = {"low": ("lowest", "shortest"), "high": ("highest", "longest")}
_HANDLE_QUERIES = (
    "{Period}, which agent had the {dir} average handle time among agents {cond}? Return only the Id of the agent.",
    "Who had the {dir} average case handle time {period}, considering only agents {cond}? "
    "Return only the agent's Id.",
    "Among agents {cond} {period}, find the one whose cases had the {dir} average handle time. "
    "Return only the Id of the agent.",
    "Identify the agent with the {dir} average handle time {period} among those {cond}. Give only the agent Id.",
)
_TRANSFER_WORDS = {
    "low": ("fewest transfers", "lowest number of transfers", "lowest transfer count"),
    "high": ("most transfers", "highest number of transfers", "highest transfer count"),
}
_TRANSFER_QUERIES = (
    "Who was the agent with the {dir} {period} among those {cond}? Return only the Id of the agent.",
    "{Period}, which agent had the {dir}, counting only agents {cond}? Return only the agent's Id.",
    "Find the agent with the {dir} {period}, considering agents {cond}. Return only the Id of the agent.",
    "Among agents {cond} {period}, who had the {dir}? Give only the agent Id.",
)
_REGION_QUERIES = (
    "Which state had the quickest case closures {period}? Return only the two-letter abbreviation of the state "
    "(e.g. CA).",
    "{Period}, in which state were cases closed fastest on average? Answer with the two-letter state code only.",
    "Which state shows the shortest average case closure time {period}? Return only its two-letter code (e.g. NY).",
    "Find the state whose cases were closed the quickest {period}. Return only the state's two-letter abbreviation.",
)


@dataclass(frozen=True)
class _Pick:
    period: Period
    answer: str | None
    direction: str = ""
    minimum: int = 0


def _periods(ctx: GenContext) -> list[Period]:
    seen: set[tuple[str, str]] = set()
    out = []
    for period in all_periods(ctx.today, first_case_date(ctx)):
        key = (period.start.isoformat(), period.end.isoformat())
        if key not in seen:
            seen.add(key)
            out.append(period)
    return out


def _extreme(values: dict[str, float], direction: str, *, strict_only: bool) -> tuple[bool, str | None]:
    """``(clear, best)``: the clearly best key, None when nothing qualifies; ``clear`` False otherwise."""
    if not values:
        return True, None
    if len(values) < 2:
        return False, None
    ranked = sorted(values.items(), key=lambda kv: kv[1], reverse=direction == "high")
    (best, a), (_, b) = ranked[0], ranked[1]
    if strict_only:
        return a != b, best
    low, high = (a, b) if direction == "low" else (b, a)
    return high >= MARGIN * low and high - low > 1e-6, best


def _agent_picks(ctx: GenContext, measure: str) -> tuple[list[_Pick], list[_Pick]]:
    answered: list[_Pick] = []
    nones: list[_Pick] = []
    for period in _periods(ctx):
        stats = ctx.rows(_AGENT_STATS, period.sql_bounds())
        for minimum in _THRESHOLDS:
            qualified = [(str(a), avg, moved) for a, n, avg, moved in stats if int(str(n)) >= minimum]
            if measure == "handle":
                values = {a: float(str(avg)) for a, avg, _ in qualified if avg is not None}
            else:
                values = {a: float(str(moved)) for a, _, moved in qualified}
            for direction in ("low", "high"):
                clear, best = _extreme(values, direction, strict_only=measure == "transfer")
                if clear:
                    (answered if best else nones).append(_Pick(period, best, direction, minimum))
    return answered, nones


def _order(ctx: GenContext, picks: list[_Pick], preferred: set[tuple[str, str, int]]) -> list[_Pick]:
    """Shuffled, up to half of them the latent's planted questions in front; one question per period and
    direction (per period when nothing qualifies)."""
    picks = planted_first(
        ctx.rng, picks, lambda p: (p.period.start.isoformat(), p.direction, p.minimum) in preferred, ctx.per_type
    )
    seen: set[tuple[str, str, str]] = set()
    out = []
    for pick in picks:
        key = (pick.period.start.isoformat(), pick.period.end.isoformat(), pick.direction if pick.answer else "")
        if key not in seen:
            seen.add(key)
            out.append(pick)
    return out


def _held(rng: random.Random, pick: _Pick, cond: str) -> list[HeldFact]:
    facts = [pick.period.held(rng)]
    if pick.minimum:
        facts.append(HeldFact(name="min_cases", value=str(pick.minimum), utterance=f"Only agents {cond}."))
    return facts


def _agent_tasks(ctx: GenContext, measure: str, latent: str) -> list[Task]:
    truth = ctx.latent(latent).truth
    since = str(truth["since"])
    preferred = {(since, "low", int(truth["min_managed_cases"])), (since, "high", int(truth["min_managed_cases"]))}
    answered, nones = _agent_picks(ctx, measure)
    chosen = mix(ctx.rng, _order(ctx, answered, preferred), _order(ctx, nones, set()), ctx.per_type)
    handle = measure == "handle"
    templates, policy = (_HANDLE_QUERIES, HANDLE_POLICY) if handle else (_TRANSFER_QUERIES, TRANSFER_POLICY)
    direction_words = _HANDLE_WORDS if handle else _TRANSFER_WORDS
    tasks = []
    for pick in chosen:
        rng = ctx.rng
        cond = rng.choice(_THRESHOLDS[pick.minimum])
        phrase = pick.period.phrase
        query = rng.choice(templates).format(
            Period=cap(phrase), period=phrase, dir=rng.choice(direction_words[pick.direction]), cond=cond
        )
        required = [policy, "", today_line(ctx), pick.period.line]
        tasks.append(make_task(ctx, query, pick.answer, required, optional=DOMAIN_DETAILS,
                               held=_held(rng, pick, cond)))
    return tasks


@generator(TaskType.HANDLE_TIME)
def handle_time(ctx: GenContext) -> list[Task]:
    return _agent_tasks(ctx, "handle", "handle_time.extremes")


@generator(TaskType.TRANSFER_COUNT)
def transfer_count(ctx: GenContext) -> list[Task]:
    return _agent_tasks(ctx, "transfer", "transfer_count.extremes")


@generator(TaskType.BEST_REGION_IDENTIFICATION)
def best_region_identification(ctx: GenContext) -> list[Task]:
    since = str(ctx.latent("best_region_identification.fastest_state").truth["since"])
    answered: list[_Pick] = []
    nones: list[_Pick] = []
    for period in _periods(ctx):
        stats = ctx.rows(_STATE_STATS, period.sql_bounds())
        values = {str(state): float(str(avg)) for state, n, avg in stats if int(str(n)) >= 2}
        clear, best = _extreme(values, "low", strict_only=False)
        if clear:
            (answered if best else nones).append(_Pick(period, best))
    preferred = {(since, "", 0)}
    chosen = mix(ctx.rng, _order(ctx, answered, preferred), _order(ctx, nones, set()), ctx.per_type)
    tasks = []
    for pick in chosen:
        phrase = pick.period.phrase
        query = ctx.rng.choice(_REGION_QUERIES).format(Period=cap(phrase), period=phrase)
        required = [REGION_POLICY, "", today_line(ctx), pick.period.line]
        tasks.append(make_task(ctx, query, pick.answer, required, optional=DOMAIN_DETAILS,
                               held=[pick.period.held(ctx.rng)]))
    return tasks
