"""Solvers of case_routing and policy_violation_identification.

Case routing: the given case's subject and description are read from the query. The product is the
catalog product whose name the text mentions (the longest such name). The issue is the one that
triaged cases with the very same subject were traced to (IssueId__c, when they agree); failing that,
the known issue (Issue__c) whose name and description share the most distinctive words with the case
text, among the issues reported on cases of that product. Then the routing policy: most closed cases with that
issue (per OwnerId), then most closed cases of that product, then fewest cases not 'Closed'; only
agents who closed a case with the issue compete.

Policy violations: the case's conversation (its emails, the customer's ones told apart by the
contact's address, and its chat transcripts) is checked against the service policy articles,
whose numbers are read from the articles themselves:

- refund: a full refund granted when the case was opened more than the refund window after the
  delivery date the customer gives;
- warranty: a free warranty replacement granted past the warranty period;
- verification: an order or address change made before the agent asked for the email address on
  file and the order number;
- goodwill: a credit above the goodwill cap (percent of the order value);
- escalation: the customer asked to escalate and was told escalation is not available;
- data handling: the agent asked for a card number, security code or password over email or chat.

The answer is the broken policy's article Id, or None.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import date, datetime
from typing import Any

from .._model import NONE_ANSWER, Task
from .._types import TaskType
from . import Toolbox, solver
from ._service_common import fact, parse_datetime, quote, record_id, tokens

_GIVEN = re.compile(r"-\s*Case Subject:\s*(.*?)\s*\n-\s*Case Description:\s*(.*)", re.S)
ISSUE_DESCRIPTION = {"b2b": "IssueDescription__c", "b2c": "Description__c"}


def product_in(text: str, products: list[dict[str, Any]]) -> str | None:
    """The Id of the product whose name the text mentions (the longest name wins)."""
    lowered = text.lower()
    named = [p for p in products if p.get("Name") and str(p["Name"]).lower() in lowered]
    return str(max(named, key=lambda p: len(str(p["Name"])))["Id"]) if named else None


def closest(text: str, candidates: dict[str, str]) -> str | None:
    """The key of the candidate text sharing the most distinctive (idf-weighted) words with ``text``."""
    if not candidates:
        return None
    docs = {key: set(tokens(value)) for key, value in candidates.items()}
    df = Counter(word for words in docs.values() for word in words)
    wanted = set(tokens(text))
    scores = {key: sum(math.log((1 + len(docs)) / df[w]) for w in words & wanted) for key, words in docs.items()}
    return max(sorted(scores), key=lambda key: scores[key])


@solver(TaskType.CASE_ROUTING)
async def case_routing(task: Task, box: Toolbox) -> str:
    match = _GIVEN.search(task.query)
    if match is None:
        raise LookupError(f"task {task.id}: no given case in the query")
    subject, text = match.group(1), f"{match.group(1)} {match.group(2)}"
    product = product_in(text, await box.records("SELECT Id, Name FROM Product2"))
    issue = await _issue_of_same_subject(box, subject) or await _closest_issue(task, box, text, product)
    if issue is None:
        return NONE_ANSWER
    by_issue = await _closed_counts(box, f"IssueId__c = {quote(issue)}")
    by_product = await _closed_counts(box, f"OrderItemId__r.Product2Id = {quote(product)}") if product else {}
    load = {str(r["OwnerId"]): int(r["n"]) for r in await box.records(
        "SELECT OwnerId, COUNT(Id) n FROM Case WHERE Status != 'Closed' GROUP BY OwnerId")}
    if not by_issue:
        return NONE_ANSWER
    return min(sorted(by_issue), key=lambda a: (-by_issue[a], -by_product.get(a, 0), load.get(a, 0)))


async def _issue_of_same_subject(box: Toolbox, subject: str) -> str | None:
    """The issue that triaged cases with the very same subject were traced to, when they agree."""
    votes = await box.records(
        f"SELECT IssueId__c, COUNT(Id) n FROM Case WHERE Subject = {quote(subject)} AND IssueId__c != null "
        "GROUP BY IssueId__c ORDER BY COUNT(Id) DESC"
    )
    if not votes or (len(votes) > 1 and votes[0]["n"] == votes[1]["n"]):
        return None
    return str(votes[0]["IssueId__c"])


async def _closest_issue(task: Task, box: Toolbox, text: str, product: str | None) -> str | None:
    """The issue whose name and description are closest to the text, among those seen for the product."""
    field = ISSUE_DESCRIPTION.get(task.org, "Description__c")
    issues = {str(r["Id"]): f"{r.get('Name', '')} {r.get(field) or ''}"
              for r in await box.records(f"SELECT Id, Name, {field} FROM Issue__c")}
    if product:
        seen = await box.records(
            f"SELECT IssueId__c, COUNT(Id) n FROM Case WHERE OrderItemId__r.Product2Id = {quote(product)} "
            "AND IssueId__c != null GROUP BY IssueId__c"
        )
        known = {str(r["IssueId__c"]) for r in seen}
        issues = {key: value for key, value in issues.items() if key in known} or issues
    return closest(text, issues)


async def _closed_counts(box: Toolbox, condition: str) -> dict[str, int]:
    rows = await box.records(f"SELECT OwnerId, COUNT(Id) n FROM Case WHERE Status = 'Closed' AND {condition} "
                             "GROUP BY OwnerId")
    return {str(r["OwnerId"]): int(r["n"]) for r in rows}


# -- policy violations ----------------------------------------------------------------------------

_POLICY_TITLES = {
    "refund": "refund", "warranty": "warranty", "verification": "verification", "goodwill": "goodwill",
    "escalation": "escalation", "data": "data handling",
}
_DELIVERED = re.compile(r"\b(?:received|delivered)\b[^.]*?\bon ([A-Z][a-z]+ \d{1,2}, \d{4})")


def _turns(emails: list[dict[str, Any]], chats: list[dict[str, Any]], customer: str) -> list[tuple[str, str]]:
    """(speaker, text) of the conversation, speaker 'agent' or 'customer', in time order."""
    turns = []
    for email in emails:
        who = "customer" if str(email.get("FromAddress", "")).lower() == customer.lower() else "agent"
        turns.append((who, str(email.get("TextBody") or "")))
    for chat in chats:
        for line in str(chat.get("Body") or "").splitlines():
            speaker, _, said = line.partition(":")
            turns.append(("agent" if "(Agent)" in speaker else "customer", said.strip()))
    return turns


def _number(pattern: str, text: str) -> int | None:
    match = re.search(pattern, text, re.I)
    return int(match.group(1)) if match else None


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for dd in range(day.day, 0, -1):
        try:
            return date(year, month + 1, dd)
        except ValueError:
            continue
    raise ValueError(day)


def _delivered(turns: list[tuple[str, str]]) -> date | None:
    for _, text in turns:
        match = _DELIVERED.search(text)
        if match:
            return datetime.strptime(match.group(1), "%B %d, %Y").date()
    return None


def _violations(turns: list[tuple[str, str]], opened: date, policies: dict[str, str]) -> list[str]:
    """The keys of the policies the agent's messages break."""
    found = []
    agent_lines = [(i, text) for i, (who, text) in enumerate(turns) if who == "agent"]
    delivered = _delivered(turns)
    window = _number(r"within (\d+) days of delivery", policies.get("refund", ""))
    months = _number(r"for (\d+) months from delivery", policies.get("warranty", ""))
    cap = _number(r"up to (\d+)% of the order value", policies.get("goodwill", ""))
    for i, text in agent_lines:
        lowered = text.lower()
        if re.search(r"\b(processed|issued|approved)\b[^.]*\brefund\b", lowered) and delivered and window is not None:
            if (opened - delivered).days > window:
                found.append("refund")
        if re.search(r"\b(arranged|approved|sent)\b[^.]*\bwarranty replacement\b", lowered) and delivered and months:
            if opened > _add_months(delivered, months):
                found.append("warranty")
        if re.search(r"\b(updated|changed)\b[^.]*\baddress\b", lowered):
            asked = any("email" in t.lower() and "order number" in t.lower() for j, t in agent_lines if j < i)
            if not asked:
                found.append("verification")
        credit = _number(r"goodwill credit of (\d+)%", text)
        if credit is not None and cap is not None and credit > cap:
            found.append("goodwill")
        if re.search(r"escalation (?:isn't |is not |is un)available|(?:can't|cannot|can not) (?:be )?escalat", lowered):
            found.append("escalation")
        if re.search(r"\b(card number|security code|password|one-time code)\b", lowered) and re.search(
                r"\b(reply|send|give|share|type)\b", lowered):
            found.append("data")
    return found


@solver(TaskType.POLICY_VIOLATION_IDENTIFICATION)
async def policy_violation_identification(task: Task, box: Toolbox) -> str:
    case_id = record_id(fact(task, "case id to be considered is", "case id"))
    case = await box.records(f"SELECT Id, CreatedDate, Contact.Email FROM Case WHERE Id = {quote(case_id)}")
    if not case:
        return NONE_ANSWER
    customer = str((case[0].get("Contact") or {}).get("Email") or "")
    opened = parse_datetime(str(case[0]["CreatedDate"])).date()
    emails = await box.records(
        f"SELECT FromAddress, TextBody, MessageDate FROM EmailMessage WHERE ParentId = {quote(case_id)} "
        "ORDER BY MessageDate"
    )
    chats = await box.records(f"SELECT Body FROM LiveChatTranscript WHERE CaseId = {quote(case_id)}")
    articles = await box.records(
        "SELECT Id, Title, FAQ_Answer__c FROM Knowledge__kav WHERE PublishStatus = 'Online' AND Title LIKE '%Polic%'"
    )
    by_key: dict[str, dict[str, Any]] = {}
    for key, word in _POLICY_TITLES.items():
        matching = [a for a in articles if word in str(a.get("Title", "")).lower() and "quote" not in
                    str(a.get("Title", "")).lower()]
        if matching:
            by_key[key] = matching[0]
    policies = {key: str(article.get("FAQ_Answer__c") or "") for key, article in by_key.items()}
    for key in _violations(_turns(emails, chats, customer), opened, policies):
        if key in by_key:
            return str(by_key[key]["Id"])
    return NONE_ANSWER
