"""Case conversations (EmailMessage threads, LiveChatTranscript) and account-level service mail.

Some conversations carry a *policy story*: the customer asks for something a service policy
article governs (a refund, an address change, a warranty replacement, compensation, escalation, a
payment) and the agent either follows the article or breaks it. The agent's key sentence is kept
as evidence so the policy-violation latent can point at it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from ._base import OrgGenerator
from ._records import Record
from ._service_cases import product_names
from ._service_kb_text import VIOLABLE
from ._service_knowledge import KnowledgeBase
from ._service_model import CaseSpec
from ._service_text import (
    AGENT_ACKS,
    AGENT_CLOSINGS,
    AGENT_FOLLOWUPS,
    AGENT_GENERAL_STEPS,
    AGENT_STEPS,
    CUSTOMER_FOLLOWUPS,
    CUSTOMER_THANKS,
    NOTICES,
    ORDER_NOTICES,
)

CHAT_SHARE = 0.3  # share of cases opened from a chat (bounded by the transcript target)


@dataclass
class Story:
    spec: CaseSpec
    policy: str
    violated: bool
    turns: list[tuple[str, str]]  # ("customer" | "agent", text)
    evidence: str  # the agent's sentence that follows or breaks the policy
    not_before: datetime | None = None


def chat_cases(g: OrgGenerator) -> int:
    budget = g.count("LiveChatTranscript") - len(g.rows["LiveChatTranscript"])
    return max(0, min(budget, round(CHAT_SHARE * g.count("Case"))))


def build_messages(g: OrgGenerator, specs: list[CaseSpec], kb: KnowledgeBase) -> list[Story]:
    """Emails and chats for every case, general chats and notices up to the targets; the stories."""
    names = product_names(g)
    users = {str(u["Id"]): u for u in g.rows["User"]}
    stories = _stories(g, specs, kb, names)
    by_case = {id(story.spec): story for story in stories}
    for spec in specs:
        if spec.origin == "Chat":
            _chat(g, spec, users, names, by_case.get(id(spec)))
    _general_chats(g, specs, users, kb)
    budget = g.count("EmailMessage") - len(g.rows["EmailMessage"])
    mean = max(2.0, min(12.0, 0.5 * budget / max(1, len(specs))))
    for spec in specs:
        story = by_case.get(id(spec))
        length = max(1, round(g.rng.uniform(0.5, 1.5) * mean) - (spec.origin == "Chat") * 2)
        _thread(g, spec, users, names, length, None if spec.origin == "Chat" else story)
    _notices(g, g.count("EmailMessage") - len(g.rows["EmailMessage"]))
    return stories


# -- policy stories ---------------------------------------------------------------------------


def _stories(g: OrgGenerator, specs: list[CaseSpec], kb: KnowledgeBase, names: dict[str, str]) -> list[Story]:
    keys = [key for key in VIOLABLE if key in kb.policies]
    wanted = max(2, min(12, round(0.04 * len(specs))))
    plan = [(keys[i % len(keys)], True) for i in range(wanted)] + [
        (keys[(i + 1) % len(keys)], False) for i in range(wanted)
    ]
    candidates = [
        s for s in specs if s.kind != "routing" and s.contact and s.owner and g.now - s.created > timedelta(days=3)
    ]
    g.rng.shuffle(candidates)
    stories: list[Story] = []
    for key, violated in plan:
        for spec in candidates:
            story = _story(g, spec, key, violated, kb.policies[key][1], names[spec.line.product_id])
            if story is not None:
                candidates.remove(spec)
                spec.story = (key, violated)
                stories.append(story)
                break
    return stories


def _story(
    g: OrgGenerator, spec: CaseSpec, key: str, violated: bool, params: dict[str, int], product: str
) -> Story | None:
    rng = g.rng
    assert spec.contact is not None
    at = spec.created + timedelta(hours=2)
    age = (at.date() - spec.line.day).days
    delivered = f"{spec.line.day:%B} {spec.line.day.day}, {spec.line.day.year}"
    amount = float(spec.line.item["UnitPrice"]) * float(spec.line.item["Quantity"])
    order = str(spec.line.order.get("OrderNumber", ""))
    if key == "refund":
        window = params["window"]
        late = age > window + 2
        if not late and age > window - 1:
            return None
        ask = f"I received the {product} on {delivered} and I would like to return it for a full refund."
        if late and not violated:
            answer = (
                f"I'm sorry, the {product} was delivered on {delivered}, which is outside our {window}-day "
                "refund window. I can arrange a repair or a replacement under warranty instead."
            )
        elif late == violated:
            answer = f"No problem: I have processed a full refund of ${amount:,.2f} for the {product}."
        else:
            return None
        return Story(spec, key, violated, [("customer", ask), ("agent", answer)], answer)
    if key == "warranty":
        months = params["months"]
        expired = age > months * 30.5 + 10
        if not expired and age > months * 30.5 - 10:
            return None
        ask = f"My {product} stopped working. It was delivered on {delivered}; can I get a free warranty replacement?"
        if expired and not violated:
            answer = (
                f"Your {product} was delivered on {delivered}, so it is past the {months}-month warranty. "
                "I can offer a paid repair instead."
            )
        elif expired == violated:
            answer = f"Of course: I have arranged a free warranty replacement for your {product}; it ships tomorrow."
        else:
            return None
        return Story(spec, key, violated, [("customer", ask), ("agent", answer)], answer)
    if key == "verification":
        street, city = g.pick(g.streets), g.pick(g.cities)
        ask = f"Please send the replacement {product} to a new address: {street}, {city}."
        answer = f"Done: I have updated the shipping address on order {order} to {street}, {city}."
        turns = [("customer", ask)]
        if not violated:
            turns += [
                ("agent", "Before I change anything, please confirm the email address on file and your order number."),
                ("customer", f"Sure: {spec.contact['Email']}, order {order}."),
            ]
        return Story(spec, key, violated, [*turns, ("agent", answer)], answer)
    if key == "goodwill":
        cap = params["cap"]
        pct = cap + rng.randrange(5, 26) if violated else cap - rng.randrange(0, min(cap, 6))
        ask = "Honestly this has been a lot of hassle. I expect some compensation."
        answer = (
            f"I'm sorry about the trouble. I have applied a goodwill credit of {pct}% of your order value "
            f"(${amount * pct / 100:,.2f}) to your account."
        )
        return Story(spec, key, violated, [("customer", ask), ("agent", answer)], answer)
    if key == "escalation":
        hours = params["hours"]
        after = spec.created + timedelta(hours=hours + rng.randrange(6, 30))
        if spec.priority != "High" or spec.origin == "Chat" or after > (spec.closed or g.now) - timedelta(hours=2):
            return None
        waited = int((after - spec.created).total_seconds() // 3600)
        ask = f"It has been {waited} hours and the {product} is still not working. Can this be escalated?"
        answer = (
            "I understand, but escalation isn't available for this case; I'll keep working on it myself."
            if violated
            else "I have escalated your case to our tier 2 team; an engineer will contact you shortly."
        )
        return Story(spec, key, violated, [("customer", ask), ("agent", answer)], answer, not_before=after)
    if key == "data_handling":
        ask = f"How do I pay the fee for the replacement {product}?"
        answer = (
            "Just reply here with your full card number, expiry date and security code and I'll take care of it."
            if violated
            else "I have sent a secure payment link to your email; please pay the fee there."
        )
        return Story(spec, key, violated, [("customer", ask), ("agent", answer)], answer)
    return None


# -- chats ------------------------------------------------------------------------------------


def _first(user: Record) -> str:
    return str(user.get("FirstName") or user.get("Name"))


def _transcript(
    g: OrgGenerator,
    start: datetime,
    end: datetime,
    agent: Record,
    contact: Record,
    turns: list[tuple[str, str]],
    case: Record | None,
) -> None:
    speakers = {"agent": f"{_first(agent)} (Agent)", "customer": str(contact["FirstName"])}
    body = "\n".join(f"{speakers[who]}: {text}" for who, text in turns)
    visitor = g.add("LiveChatVisitor", start, {}, modified=start)
    g.add(
        "LiveChatTranscript",
        start,
        {
            "LiveChatVisitorId": visitor["Id"],
            "Body": body,
            "CaseId": case["Id"] if case else None,
            "AccountId": contact["AccountId"],
            "ContactId": contact["Id"],
            "EndTime": end,
            "OwnerId": agent["Id"],
        },
        modified=end,
    )


def _chat(
    g: OrgGenerator, spec: CaseSpec, users: dict[str, Record], names: dict[str, str], story: Story | None
) -> None:
    assert spec.contact is not None and spec.record is not None
    rng = g.rng
    product = names[spec.line.product_id]
    agent = users[spec.chain[0]] if spec.chain else users[g.admin_id]
    start = spec.created - timedelta(minutes=rng.randrange(3, 15))
    end = min(spec.created + timedelta(minutes=rng.randrange(4, 25)), g.now)
    turns = [
        ("agent", f"Hi {spec.contact['FirstName']}, thanks for contacting support. How can I help?"),
        ("customer", str(spec.record["Description"])),
        ("agent", _steps(g, spec, product)),
    ]
    if story:
        turns += story.turns
    turns += [
        ("customer", rng.choice(CUSTOMER_FOLLOWUPS[spec.sentiment])),
        ("agent", f"I've opened case {spec.record['CaseNumber']} so we can follow up. Anything else?"),
    ]
    _transcript(g, start, end, agent, spec.contact, turns, spec.record)


def _general_chats(g: OrgGenerator, specs: list[CaseSpec], users: dict[str, Record], kb: KnowledgeBase) -> None:
    missing = g.count("LiveChatTranscript") - len(g.rows["LiveChatTranscript"])
    team = sorted({a for s in specs for a in s.chain}) or [g.admin_id]
    accounts = [a for a in g.accounts if g.contacts_by_account.get(str(a["Id"]))]
    facts = [(q, a) for _, q, a in kb.facts]
    for _ in range(max(0, missing)):
        account = g.pick(accounts)
        contact = g.pick(g.contacts_by_account[str(account["Id"])])
        start = g.between(max(contact["CreatedDate"], g.start), g.now - timedelta(minutes=30))
        end = min(start + timedelta(minutes=g.rng.randrange(3, 18)), g.now)
        if facts and g.rng.random() < 0.5:
            question, answer = g.pick(facts)
            turns = [("customer", question), ("agent", f"Good question: {answer}.")]
        else:
            turns = [
                ("customer", "Where can I see the status of my latest order?"),
                ("agent", "You can follow it under Orders in the customer portal; it updates daily."),
            ]
        turns = [
            ("agent", f"Hi {contact['FirstName']}, how can I help today?"),
            *turns,
            ("customer", g.pick(CUSTOMER_THANKS)),
        ]
        _transcript(g, start, end, users[g.pick(team)], contact, turns, None)


# -- emails -----------------------------------------------------------------------------------


def _steps(g: OrgGenerator, spec: CaseSpec, product: str) -> str:
    if spec.issue:
        return g.rng.choice(AGENT_STEPS).format(workaround=spec.issue.workaround)
    return g.rng.choice(AGENT_GENERAL_STEPS).format(product=product)


def _owner_at(spec: CaseSpec, when: datetime) -> str | None:
    chain = spec.chain
    if not chain:
        return None
    return chain[sum(1 for move in spec.moves if move <= when)]


def _thread(
    g: OrgGenerator,
    spec: CaseSpec,
    users: dict[str, Record],
    names: dict[str, str],
    length: int,
    story: Story | None,
) -> None:
    assert spec.record is not None
    rng = g.rng
    product = names[spec.line.product_id]
    opening: list[tuple[str, str]]
    if spec.origin in ("Email", "Web"):
        opening = [("customer", str(spec.record["Description"]))]
    elif spec.origin == "Phone":
        opening = [("agent", f"Following up on our call about the {product}. {_steps(g, spec, product)}")]
    else:
        opening = [("agent", f"Here is a summary of our chat about the {product}. {_steps(g, spec, product)}")]
    if spec.owner and opening[0][0] == "customer":
        opening.append(("agent", f"{rng.choice(AGENT_ACKS).format(product=product)} {_steps(g, spec, product)}"))
    closing: list[tuple[str, str]] = []
    if spec.closed:
        closing.append(("agent", rng.choice(AGENT_CLOSINGS).format(product=product)))
        if spec.sentiment == "positive":
            closing.append(("customer", rng.choice(CUSTOMER_THANKS)))
    middle: list[tuple[str, str]] = []
    while len(opening) + len(middle) + len(closing) + (len(story.turns) if story else 0) < length and spec.owner:
        middle.append(("customer", rng.choice(CUSTOMER_FOLLOWUPS[spec.sentiment])))
        middle.append(("agent", rng.choice(AGENT_FOLLOWUPS).format(product=product)))
    turns = opening + (story.turns if story else []) + middle + closing
    end = spec.closed or g.now
    times = sorted(g.between(spec.created + timedelta(minutes=5), end) for _ in turns)
    times[0] = spec.created + timedelta(minutes=1) if spec.origin in ("Email", "Web") else times[0]
    first_story = len(opening)
    previous = spec.created
    subject = str(spec.record["Subject"])
    contact = spec.contact
    for i, ((who, text), when) in enumerate(zip(turns, times, strict=True)):
        if story and story.not_before and i >= first_story:
            when = max(when, story.not_before + timedelta(minutes=20 * (i - first_story)))
        when = min(max(when, previous + timedelta(minutes=1)), end)
        previous = when
        agent = users.get(_owner_at(spec, when) or g.admin_id, users[g.admin_id])
        customer_email = str(contact["Email"]) if contact else "customer@example.com"
        sender, to = (customer_email, agent["Id"]) if who == "customer" else (agent["Email"], contact and contact["Id"])
        name = str(contact["FirstName"]) if contact else "there"
        body = (
            f"{text}\n\nThanks,\n{contact['Name'] if contact else 'Customer'}"
            if who == "customer"
            else (f"Hi {name},\n\n{text}\n\nBest regards,\n{agent['Name']}\nCustomer Support")
        )
        g.add(
            "EmailMessage",
            when,
            {
                "ParentId": spec.record["Id"],
                "RelatedToId": spec.record["Id"],
                "FromAddress": sender,
                "ToIds": to,
                "Subject": (f"RE: {subject}" if i else subject) + f" [Case {spec.record['CaseNumber']}]",
                "TextBody": body,
                "MessageDate": when,
            },
            modified=when,
        )


def _notices(g: OrgGenerator, missing: int) -> None:
    """Order confirmations and service notices from the support mailbox, up to the email target."""
    if missing <= 0:
        return
    sender = f"support@{g.org}.crmsim.local"
    orders: list[Record] = list(getattr(g, "orders", None) or [])
    g.rng.shuffle(orders)
    lines = sorted(set(g.catalog.category_of.values())) or ["product"]
    accounts = [a for a in g.accounts if g.contacts_by_account.get(str(a["Id"]))]
    by_id = {str(a["Id"]): a for a in accounts}
    sent = 0
    while sent < missing:
        if orders and sent < missing // 2:
            order = orders.pop()
            account = by_id.get(str(order["AccountId"]))
            if account is None:
                continue
            for offset, (subject, body) in zip((0, 2), ORDER_NOTICES, strict=True):
                when = min(order["CreatedDate"] + timedelta(days=offset, minutes=g.rng.randrange(5, 600)), g.now)
                _notice(g, account, sender, when, subject, body, order=str(order["OrderNumber"]))
                sent += 1
            continue
        account = g.pick(accounts)
        subject, body = g.pick(NOTICES)
        _notice(g, account, sender, None, subject, body, line=g.pick(lines))
        sent += 1


def _notice(
    g: OrgGenerator, account: Record, sender: str, when: datetime | None, subject: str, body: str, **fill: str
) -> None:
    contact = g.pick(g.contacts_by_account[str(account["Id"])])
    when = when or g.between(max(contact["CreatedDate"], g.start), g.now)
    g.add(
        "EmailMessage",
        when,
        {
            "RelatedToId": account["Id"],
            "FromAddress": sender,
            "ToIds": contact["Id"],
            "Subject": subject.format(**fill),
            "TextBody": f"Hi {contact['FirstName']},\n\n{body.format(**fill)}\n\nYour Customer Support team",
            "MessageDate": when,
        },
        modified=when,
    )
