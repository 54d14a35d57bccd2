"""Writing planned cases as Case rows and their CaseHistory__c trail.

History per case: 'Case Creation' (no values), 'Owner Assignment' from the admin (the queue) to the
first owner, one 'Owner Assignment' per transfer (old owner -> new owner, both User Ids) and
'Case Closed' for closed cases. New cases still waiting for routing have only their creation row.
History rows are numbered in time order across all cases.
"""

from __future__ import annotations

from datetime import datetime

from ._base import OrgGenerator
from ._service_model import CaseSpec
from ._service_text import ASKS, B2B_CONTEXT, B2C_CONTEXT, GENERAL_TOPICS, IMPACT, SENTIMENT_OPENERS


def product_names(g: OrgGenerator) -> dict[str, str]:
    return {str(p["Id"]): str(p["Name"]) for p in g.catalog.products}


def case_text(g: OrgGenerator, spec: CaseSpec, product: str) -> tuple[str, str]:
    """Subject and customer-voice description, naming the product and the symptom."""
    rng = g.rng
    if spec.issue:
        subject = spec.issue.fill(rng.choice(spec.issue.failure.subjects), product)
        symptom = spec.issue.fill(rng.choice(spec.issue.failure.symptoms), product)
    else:
        subject_t, symptom_t = rng.choice(GENERAL_TOPICS)
        subject, symptom = subject_t.format(product=product), symptom_t.format(product=product)
    context = rng.choice(B2B_CONTEXT if g.org == "b2b" else B2C_CONTEXT).format(city=g.pick(g.cities))
    parts = (
        rng.choice(SENTIMENT_OPENERS[spec.sentiment]),
        symptom,
        context,
        rng.choice(IMPACT[spec.priority]),
        rng.choice(ASKS),
    )
    return subject, " ".join(parts)


def emit_cases(g: OrgGenerator, specs: list[CaseSpec]) -> None:
    """Add one Case per spec (in creation order) and the CaseHistory__c rows, in time order."""
    admin = g.admin_id
    names = product_names(g)
    events: list[tuple[datetime, int, str, str, str | None, str | None]] = []
    for spec in specs:
        subject, description = case_text(g, spec, names[spec.line.product_id])
        last = spec.closed or (spec.moves[-1] if spec.moves else spec.assigned or spec.created)
        record = g.add(
            "Case",
            spec.created,
            {
                "Subject": subject,
                "Description": description,
                "Priority": spec.priority,
                "Status": spec.status,
                "Origin": spec.origin,
                "AccountId": spec.line.account["Id"],
                "ContactId": spec.contact["Id"] if spec.contact else None,
                "OrderItemId__c": spec.line.item["Id"],
                "IssueId__c": issue_id(spec),
                "OwnerId": spec.owner or admin,
                "ClosedDate": spec.closed,
            },
            modified=last,
        )
        spec.record = record
        case_id = str(record["Id"])
        events.append((spec.created, len(events), case_id, "Case Creation", None, None))
        if spec.owner and spec.assigned:
            chain = spec.chain
            events.append((spec.assigned, len(events), case_id, "Owner Assignment", admin, chain[0]))
            for when, old, new in zip(spec.moves, chain, chain[1:], strict=False):
                events.append((when, len(events), case_id, "Owner Assignment", old, new))
        if spec.closed:
            events.append((spec.closed, len(events), case_id, "Case Closed", None, None))
    for at, _, parent, kind, before, after in sorted(events):
        g.add(
            "CaseHistory__c",
            at,
            {"CaseId__c": parent, "Field__c": kind, "OldValue__c": before, "NewValue__c": after},
            modified=at,
        )


def issue_id(spec: CaseSpec) -> str | None:
    """The stored IssueId__c: new cases waiting for routing are not triaged yet."""
    return None if spec.issue is None or spec.kind == "routing" else spec.issue.id
