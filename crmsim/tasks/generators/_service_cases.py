"""Generators of case_routing and policy_violation_identification.

Case routing (the policy the task states, in order): issue expertise, the agent who closed the most
cases (Case.OwnerId, Status 'Closed') with the new case's issue; on a tie, product expertise, the
most closed cases about its product (order line's Product2Id); then workload, the fewest cases not
'Closed'. Only agents who closed at least one case with the issue compete, and a task is emitted only
when one agent comes out ahead before any further tie-break. The given cases are the latent's new
cases waiting in the queue (IssueId__c not yet set: the issue is the one the text describes, planted
in the latent) and, when more are wanted, open cases whose IssueId__c is set; the query quotes the
case's subject and description, as the benchmark does.

Policy violations: the latent's policy stories. In some case conversations (emails, or the chat
transcript) the customer asks for something a policy article governs and the agent follows it
(answer None) or breaks it (answer: the article's Id). About one task in five is a followed policy.
A refund or warranty story is left out when its verdict depends on the day it is judged on: the
latent judges on the day the case was opened, but an email thread can date the agent's reply
months later, past the refund window or the warranty.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from .._model import HeldFact, Task
from .._types import TaskType
from . import GenContext, generator
from ._service_common import make_task, mix, planted_first, today_line

ROUTING_POLICY = """## Case routing policy
A new case goes to the agent who fits it best, judged in this order:
- Issue expertise: the agent who has closed the most cases linked to the known issue (Issue__c) that the new \
case describes. A closed case counts for its owner (OwnerId) when its Status is 'Closed'.
- Product expertise: if agents tie on issue expertise, the one of them who has closed the most cases about the \
product the new case concerns (the product of the case's order line).
- Workload: if they still tie, the one with the fewest cases whose Status is not 'Closed'."""
_CLOSED = """
SELECT c.OwnerId, c.IssueId__c, oi.Product2Id FROM "Case" c LEFT JOIN OrderItem oi ON oi.Id = c.OrderItemId__c
WHERE c.Status = 'Closed'"""
_WORKLOAD = """SELECT OwnerId, COUNT(*) FROM "Case" WHERE Status != 'Closed' GROUP BY OwnerId"""
_OPEN_WITH_ISSUE = """
SELECT c.Id, c.IssueId__c, oi.Product2Id FROM "Case" c JOIN OrderItem oi ON oi.Id = c.OrderItemId__c
WHERE c.Status != 'Closed' AND c.IssueId__c IS NOT NULL ORDER BY c.Id"""
_ROUTING_QUERIES = (
    "Following the case routing policy, which agent should this new case go to? Return only the Id of the agent.",
    "Use the case routing policy to find the most suitable agent for the case below. Return only the agent's Id.",
    "A new case has come in. According to the routing policy, who is the best agent to handle it? "
    "Give only the agent Id.",
)
_POLICY_QUERIES = (
    "Did the agent break a company policy while handling this case? If so, which knowledge article was violated? "
    "Return only the Id of the knowledge article, or None if there was no violation.",
    "Check how this case was handled: was any policy breached by the agent, and if so, which article? "
    "Return only the knowledge article Id, or None if no violation is found.",
    "Was the agent's handling of this case compliant with our policies? Return the Id of the knowledge article "
    "that was violated, or None if the agent followed every policy.",
)


@dataclass(frozen=True)
class _Routing:
    case_id: str
    agent: str
    planted: bool


class _Router:
    """The routing policy over the org's closed cases and open workload, read once."""

    def __init__(self, ctx: GenContext) -> None:
        self.closed = [(str(a), str(i), str(p)) for a, i, p in ctx.rows(_CLOSED)]
        self.load = {str(a): int(str(n)) for a, n in ctx.rows(_WORKLOAD)}

    def route(self, issue: str, product: str) -> str | None:
        """The agent the policy names, or None when no single agent comes out ahead."""
        by_issue: Counter[str] = Counter()
        by_product: Counter[str] = Counter()
        for agent, case_issue, case_product in self.closed:
            by_issue[agent] += case_issue == issue
            by_product[agent] += case_product == product
        ranked = sorted(((-by_issue[a], -by_product[a], self.load.get(a, 0)), a) for a in by_issue if by_issue[a])
        if not ranked or (len(ranked) > 1 and ranked[0][0] == ranked[1][0]):
            return None
        return ranked[0][1]


@generator(TaskType.CASE_ROUTING)
def case_routing(ctx: GenContext) -> list[Task]:
    picks: list[_Routing] = []
    router = _Router(ctx)
    planted = ctx.latent("case_routing.new_cases").truth["cases"]
    for case in planted:
        agent = router.route(str(case["issue_id"]), str(case["product_id"]))
        if agent is not None:
            picks.append(_Routing(str(case["case_id"]), agent, True))
    for case_id, issue, product in ctx.rows(_OPEN_WITH_ISSUE):
        agent = router.route(str(issue), str(product))
        if agent is not None:
            picks.append(_Routing(str(case_id), agent, False))
    texts: set[tuple[str, str]] = set()
    tasks: list[Task] = []
    for pick in planted_first(ctx.rng, picks, lambda p: p.planted, 2 * ctx.per_type):
        subject, description = (str(v) for v in ctx.rows(
            'SELECT Subject, Description FROM "Case" WHERE Id = ?', (pick.case_id,))[0])
        if len(tasks) >= ctx.per_type:
            break
        if (subject, description) in texts:
            continue
        texts.add((subject, description))
        query = (f"{ctx.rng.choice(_ROUTING_QUERIES)}\n## Given case\n- Case Subject: {subject}\n"
                 f"- Case Description: {description}")
        held = [HeldFact(name="case", value=subject,
                         utterance=f"The case is titled '{subject}'. The customer wrote: {description}")]
        tasks.append(make_task(ctx, query, pick.agent, [ROUTING_POLICY, "", today_line(ctx)], held=held))
    ctx.rng.shuffle(tasks)
    return tasks


_LIMITS = {"refund": (r"within (\d+) days of delivery", 1.0), "warranty": (r"for (\d+) months from delivery", 30.5)}
_STORY_DATES = """
SELECT c.CreatedDate, o.EffectiveDate,
    (SELECT MIN(e.MessageDate) FROM EmailMessage e WHERE e.ParentId = c.Id AND instr(e.TextBody, ?) > 0)
FROM "Case" c JOIN OrderItem oi ON oi.Id = c.OrderItemId__c JOIN "Order" o ON o.Id = oi.OrderId WHERE c.Id = ?"""


def _dated_clearly(ctx: GenContext, story: dict[str, Any]) -> bool:
    """False for a refund or warranty story whose verdict changes with the day it is judged on: when the
    case was opened (the latent's day) or when the agent's reply was sent (the email's MessageDate)."""
    if story["policy"] not in _LIMITS:
        return True
    pattern, unit = _LIMITS[story["policy"]]
    body = ctx.rows("SELECT FAQ_Answer__c FROM Knowledge__kav WHERE Id = ?", (story["policy_article_id"],))
    found = re.search(pattern, str(body[0][0] if body else ""))
    dates = ctx.rows(_STORY_DATES, (story["evidence"], story["case_id"]))
    if not found or not dates:
        return False
    limit = int(found.group(1)) * unit
    opened, delivered, replied = (str(v)[:10] if v else None for v in dates[0])
    ages = [(date.fromisoformat(day) - date.fromisoformat(str(delivered))).days for day in (opened, replied) if day]
    return len({age > limit for age in ages}) == 1


@generator(TaskType.POLICY_VIOLATION_IDENTIFICATION)
def policy_violation_identification(ctx: GenContext) -> list[Task]:
    stories = [s for s in ctx.latent("policy_violation_identification.cases").truth["cases"] if _dated_clearly(ctx, s)]
    violated = [s for s in stories if s["article_id"]]
    followed = [s for s in stories if not s["article_id"]]
    ctx.rng.shuffle(violated)
    ctx.rng.shuffle(followed)
    tasks = []
    for story in mix(ctx.rng, violated, followed, ctx.per_type):
        case_id = str(story["case_id"])
        query = ctx.rng.choice(_POLICY_QUERIES)
        required = [f"- Case Id to be considered is: {case_id}", today_line(ctx)]
        held = [HeldFact(name="case_id", value=case_id,
                         utterance=ctx.rng.choice(("It's case {}.", "The case Id is {}.")).format(case_id))]
        answer = str(story["article_id"]) if story["article_id"] else None
        tasks.append(make_task(ctx, query, answer, required, held=held))
    return tasks
