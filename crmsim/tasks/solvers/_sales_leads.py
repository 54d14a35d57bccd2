"""Solvers of lead_routing and lead_qualification.

Lead routing: the region is the task's ``- Lead's region:`` line. The territory is the Territory2
whose Description (comma-separated state codes) lists it; its agents are the users of its
UserTerritory2Association rows. Each agent's Accepted quotes are counted through the quote's
opportunity owner, and its unconverted leads by OwnerId; the answer is the agent with the most
Accepted quotes, then the fewest unconverted leads.

Lead qualification: the lead's latest call (VoiceCallTranscript__c by LeadId__c, latest
EndTime__c) is read for what the lead says against each BANT factor: "no budget" (Budget), "not the
decision maker" (Authority), "don't really need" (Need), "no timeline" (Timeline). The answer is the
failing factors in BANT order, or None.
"""

from __future__ import annotations

import re

from .._model import NONE_ANSWER, Task
from .._types import TaskType
from . import Toolbox, solver
from ._service_common import fact, quote, record_id

BODY_FIELD = {"b2b": "TranscriptBody__c", "b2c": "Body__c"}
BANT_FAILS = {
    "Budget": re.compile(r"\bno budget\b", re.I),
    "Authority": re.compile(r"\bnot the decision[- ]maker\b", re.I),
    "Need": re.compile(r"\b(?:don't|do not) really need\b", re.I),
    "Timeline": re.compile(r"\bno timeline\b", re.I),
}


@solver(TaskType.LEAD_ROUTING)
async def lead_routing(task: Task, box: Toolbox) -> str:
    region = fact(task, "lead's region", "region").strip().upper()
    territories = await box.records("SELECT Id, Description FROM Territory2")
    matching = [str(t["Id"]) for t in territories
                if region in {part.strip().upper() for part in str(t.get("Description") or "").split(",")}]
    if not matching:
        return NONE_ANSWER
    ids = ", ".join(quote(t) for t in matching)
    members = {str(r["UserId"]) for r in await box.records(
        f"SELECT UserId FROM UserTerritory2Association WHERE Territory2Id IN ({ids})")}
    if not members:
        return NONE_ANSWER
    accepted = {str(r["OwnerId"]): int(r["n"]) for r in await box.records(
        "SELECT Opportunity.OwnerId, COUNT(Id) n FROM Quote WHERE Status = 'Accepted' GROUP BY Opportunity.OwnerId")}
    open_leads = {str(r["OwnerId"]): int(r["n"]) for r in await box.records(
        "SELECT OwnerId, COUNT(Id) n FROM Lead WHERE IsConverted = false GROUP BY OwnerId")}
    return min(sorted(members), key=lambda rep: (-accepted.get(rep, 0), open_leads.get(rep, 0)))


@solver(TaskType.LEAD_QUALIFICATION)
async def lead_qualification(task: Task, box: Toolbox) -> str:
    lead = record_id(fact(task, "lead id to be considered is", "lead id"))
    body = BODY_FIELD.get(task.org, "TranscriptBody__c")
    calls = await box.records(
        f"SELECT Id, EndTime__c, {body} FROM VoiceCallTranscript__c WHERE LeadId__c = {quote(lead)} "
        "ORDER BY EndTime__c DESC LIMIT 1"
    )
    if not calls:
        return NONE_ANSWER
    text = str(calls[0].get(body) or "")
    failing = [factor for factor, pattern in BANT_FAILS.items() if pattern.search(text)]
    return ", ".join(failing) if failing else NONE_ANSWER
