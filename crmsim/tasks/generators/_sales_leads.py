"""Generators of lead_routing and lead_qualification.

Lead routing (the policy the task states): the territory whose Description (comma-separated state
codes) lists the lead's region; among the agents assigned to it (UserTerritory2Association), the
most quotes with Status 'Accepted' (a quote counts for its opportunity's owner); on a tie, the fewest
unconverted leads. The latent's new lead (owned by the admin, its region given in the task) comes
first; more questions are asked for leads from other regions, each only when one agent comes out
ahead. Regions are taken round-robin over territories so that answers vary. Never None.

Lead qualification: the lead's most recent call (VoiceCallTranscript__c by LeadId__c, the latest
EndTime__c) decides. A BANT factor fails when the lead says so; the latent records the phrase that
marks each failing factor (``no budget``, ``not the decision maker``, ...), which passing lines never
contain. The answer is the failing factors in BANT order, or None when all four are met. The latent's
planted leads come first; more unconverted leads with calls are used when more tasks are wanted
(their latest call must be unique).
"""

from __future__ import annotations

from collections import defaultdict

from .._model import HeldFact, Task
from .._types import TaskType
from . import GenContext, generator
from ._sales_common import BODY_FIELD, all_planted_first, id_line, record_held, record_tasks
from ._service_common import make_task, mix, today_line

ROUTING_POLICY = """## Lead routing policy
A new lead goes to one agent, chosen in this order:
- Territory: the territory (Territory2) whose Description, a comma-separated list of state codes, includes \
the lead's region.
- Quote success: among the agents assigned to that territory (UserTerritory2Association), those with the most \
quotes whose Status is 'Accepted'. A quote counts for the owner of its opportunity.
- Workload: if several agents are still tied, the one who owns the fewest leads that are not converted."""
BANT_GUIDE = """## Lead qualification guide (BANT)
- Judge the lead by its most recent call: the VoiceCallTranscript__c record linked to the lead (LeadId__c) \
with the latest EndTime__c. Earlier calls are out of date.
- Budget fails when the lead has no budget for the purchase. Authority fails when the person is not the \
decision maker. Need fails when they don't really need a solution. Timeline fails when there is no timeline \
for a decision.
- A lead meeting all four factors is qualified (answer None); otherwise name every factor that fails."""

_ROUTING_QUERIES = (
    "Which agent should this new lead be assigned to under the lead routing policy? Return only the Id of the "
    "agent.",
    "Who is the right agent to take this lead? Return only the agent's Id.",
    "Route this lead to the most suitable agent following our routing rules. Give only the Id of the agent.",
    "A new lead needs an owner. According to the routing policy, which agent gets it? Return only the agent Id.",
)
_BANT_QUERIES = (
    "Going by the most recent conversation, can this lead be qualified? If not, which BANT factors (Budget, "
    "Authority, Need, Timeline) does it fail? Return only the failing factors, or None if the lead qualifies.",
    "Check this lead against BANT using its latest call. Return only the factors among 'Budget', 'Authority', "
    "'Need' and 'Timeline' that are not met, or None if all of them are met.",
    "Is this lead ready to be qualified, based on what was said in the last call? Return only the BANT "
    "factor(s) it falls short on (Budget, Authority, Need, Timeline), or None if it meets all four.",
    "Based on the latest discussion with this lead, which of Budget, Authority, Need and Timeline keep it from "
    "qualifying? Return only those factors, or None if nothing does.",
)

# -- lead routing ---------------------------------------------------------------------------------

_ACCEPTED = """
SELECT o.OwnerId, COUNT(*) FROM Quote q JOIN Opportunity o ON o.Id = q.OpportunityId
WHERE q.Status = 'Accepted' GROUP BY o.OwnerId"""
_UNCONVERTED = "SELECT OwnerId, COUNT(*) FROM Lead WHERE IsConverted = 0 GROUP BY OwnerId"


def routing_answers(ctx: GenContext) -> dict[str, tuple[str, str]]:
    """``region -> (territory Id, agent Id)`` for every region whose routing names one agent."""
    accepted = {str(rep): int(str(n)) for rep, n in ctx.rows(_ACCEPTED)}
    unconverted = {str(rep): int(str(n)) for rep, n in ctx.rows(_UNCONVERTED)}
    members: dict[str, set[str]] = defaultdict(set)
    for territory, user in ctx.rows("SELECT Territory2Id, UserId FROM UserTerritory2Association"):
        members[str(territory)].add(str(user))
    holders: dict[str, list[str]] = defaultdict(list)
    for territory, description in ctx.rows("SELECT Id, Description FROM Territory2 ORDER BY Id"):
        for region in dict.fromkeys(part.strip() for part in str(description or "").split(",") if part.strip()):
            holders[region].append(str(territory))
    out = {}
    for region, territories in holders.items():
        if len(territories) != 1 or not members[territories[0]]:
            continue
        ranked = sorted((-accepted.get(rep, 0), unconverted.get(rep, 0), rep) for rep in members[territories[0]])
        if len(ranked) == 1 or ranked[0][:2] != ranked[1][:2]:
            out[region] = (territories[0], ranked[0][2])
    return out


@generator(TaskType.LEAD_ROUTING)
def lead_routing(ctx: GenContext) -> list[Task]:
    truth = ctx.latent("lead_routing.best_rep").truth
    answers = routing_answers(ctx)
    planted = str(truth["region"])
    by_territory: dict[str, list[str]] = defaultdict(list)
    for region in sorted(answers):
        if region != planted:
            by_territory[answers[region][0]].append(region)
    for regions in by_territory.values():
        ctx.rng.shuffle(regions)
    territories = sorted(by_territory)
    ctx.rng.shuffle(territories)
    order = [planted] if planted in answers else []
    while any(by_territory.values()):  # round-robin over territories
        order += [by_territory[t].pop() for t in territories if by_territory[t]]
    tasks = []
    for region in order[: ctx.per_type]:
        required = [ROUTING_POLICY, "", today_line(ctx), f"- Lead's region: {region}"]
        held = [HeldFact(name="region", value=region,
                         utterance=ctx.rng.choice(("The lead is from {}.", "It's a lead in {}.",
                                                   "Their region is {}.")).format(region))]
        if region == planted:
            lead_id = str(truth["lead_id"])
            required.append(id_line("Lead", lead_id))
            held.append(record_held(ctx.rng, "lead_id", "Lead", lead_id))
        query = ctx.rng.choice(_ROUTING_QUERIES)
        tasks.append(make_task(ctx, query, answers[region][1], required, held=held))
    ctx.rng.shuffle(tasks)
    return tasks


# -- lead qualification ---------------------------------------------------------------------------

_LEAD_CALLS = """
SELECT v.LeadId__c, v.EndTime__c, v.{body} FROM VoiceCallTranscript__c v JOIN Lead l ON l.Id = v.LeadId__c
WHERE l.IsConverted = 0 ORDER BY v.LeadId__c"""
BANT = ("Budget", "Authority", "Need", "Timeline")


def bant_failures(ctx: GenContext, markers: dict[str, str]) -> dict[str, list[str]]:
    """``lead -> failing factors`` (BANT order) for unconverted leads whose latest call is unique."""
    calls: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for lead, ended, body in ctx.rows(_LEAD_CALLS.format(body=BODY_FIELD[ctx.org])):
        calls[str(lead)].append((str(ended), str(body or "")))
    out = {}
    for lead, items in calls.items():
        items.sort(reverse=True)
        if len(items) > 1 and items[0][0] == items[1][0]:
            continue
        said = items[0][1].lower()
        out[lead] = [factor for factor in BANT if markers[factor].lower() in said]
    return out


@generator(TaskType.LEAD_QUALIFICATION)
def lead_qualification(ctx: GenContext) -> list[Task]:
    truth = ctx.latent("lead_qualification.bant_failures").truth
    planted = set(truth["leads"])
    failures = bant_failures(ctx, dict(truth["markers"]))
    leads = sorted(failures)
    answered = all_planted_first(ctx.rng, [lead for lead in leads if failures[lead]], planted.__contains__)
    nones = all_planted_first(ctx.rng, [lead for lead in leads if not failures[lead]], planted.__contains__)
    chosen = mix(ctx.rng, answered, nones, ctx.per_type)
    picks = [(lead, failures[lead] or None) for lead in chosen]
    return record_tasks(ctx, picks, label="Lead", held_name="lead_id", templates=_BANT_QUERIES, guide=BANT_GUIDE)

