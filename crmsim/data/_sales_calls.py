"""Voice call transcripts with leads (BANT) and on opportunities (subtopics with a sentiment each).

Planted here:

- leads to qualify (chosen in _sales_leads) get 2-3 calls; the latest shows exactly the planted
  failing BANT factors, the earlier ones other, outdated signals;
- a few opportunities get 2-3 calls whose subtopics carry a fixed sentiment: the negative set and
  the positive set are the truth for ``sales_insight_mining``.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, timedelta

from ._sales_deals import SalesPlan
from ._sales_model import Deal, LeadPlan
from ._sales_text import (
    BANT_FAIL,
    BANT_PASS,
    BANT_QUESTIONS,
    CLOSINGS,
    COMPETITOR_LINES,
    COMPETITORS,
    CURRENT_THING,
    DECIDERS,
    GREETINGS,
    LOCATION_LINES,
    OBJECTION_REPLIES,
    SUBTOPICS,
    Subtopic,
)

BANT = ("Budget", "Authority", "Need", "Timeline")
NEGATIVE_COUNTS = (2, 1, 3, 0, 2, 1)


@dataclass
class Call:
    start: datetime
    minutes: int
    body: str
    lead: LeadPlan | None = None
    deal: Deal | None = None


class CallWriter:
    def __init__(self, p: SalesPlan) -> None:
        self.p = p
        self.g = p.g
        self.rng = p.rng
        self.topics = SUBTOPICS[self.g.org]
        self.rep_names = {rep["Id"]: rep.get("FirstName") or rep["LastName"] for rep in self.g.cast.reps}
        self.calls: list[Call] = []
        self.insight: dict[int, tuple[Deal, list[str], list[str]]] = {}

    def _thing(self) -> str:
        category = self.g.pick(sorted(self.p.lines.by_category))
        return CURRENT_THING.get(category, f"{category.lower()} setup")

    def lead_body(self, lead: LeadPlan, failing: set[str]) -> str:
        g, rng = self.g, self.rng
        rep = self.rep_names.get(lead.owner_id, "Alex")
        who = lead.first or lead.last
        greet, reply = g.pick(GREETINGS)
        amount = rng.randrange(20, 250) * 1000 if g.org == "b2b" else rng.randrange(6, 60) * 50
        month = calendar.month_name[(g.today.month + rng.randint(1, 4) - 1) % 12 + 1]
        values = {
            "thing": self._thing(),
            "amount": amount,
            "decider": g.pick(DECIDERS[g.org]),
            "month": month,
            "weeks": rng.randint(4, 12),
        }
        lines = [f"{rep}: {greet.format(contact=who)}", f"{who}: {reply}"]
        lines.append(f"{who}: " + g.pick(LOCATION_LINES[g.org]).format(city=g.pick(g.cities), state=lead.state))
        order = list(BANT)
        rng.shuffle(order)
        for factor in order:
            lines.append(f"{rep}: " + g.pick(BANT_QUESTIONS[factor]).format(**values))
            pool = BANT_FAIL if factor in failing else BANT_PASS
            lines.append(f"{who}: " + g.pick(pool[factor]).format(**values))
            if factor in failing and rng.random() < 0.5:
                lines.append(f"{rep}: " + g.pick(OBJECTION_REPLIES))
        if rng.random() < 0.3:
            lines.append(f"{who}: " + g.pick(COMPETITOR_LINES).format(competitor=g.pick(COMPETITORS[g.org])))
        close, bye = g.pick(CLOSINGS)
        lines += [f"{rep}: {close}", f"{who}: {bye}"]
        return "\n".join(lines)

    def deal_body(self, deal: Deal, topics: list[tuple[Subtopic, bool]]) -> str:
        g, rng = self.g, self.rng
        rep = self.rep_names.get(deal.owner["Id"], "Alex")
        contact = deal.contact or {}
        who = contact.get("FirstName") or contact.get("LastName") or "Customer"
        greet, reply = g.pick(GREETINGS)
        lines = [f"{rep}: {greet.format(contact=who)}", f"{who}: {reply}"]
        for topic, negative in topics:
            lines.append(f"{rep}: " + g.pick(topic.prompts))
            lines.append(f"{who}: " + g.pick(topic.negative if negative else topic.positive))
            if negative:
                lines.append(f"{rep}: " + g.pick(OBJECTION_REPLIES))
        if rng.random() < 0.35:
            lines.append(f"{who}: " + g.pick(COMPETITOR_LINES).format(competitor=g.pick(COMPETITORS[g.org])))
        close, bye = g.pick(CLOSINGS)
        lines += [f"{rep}: {close}", f"{who}: {bye}"]
        return "\n".join(lines)

    def starts(self, lo: datetime, hi: datetime, k: int) -> list[datetime]:
        """``k`` distinct call start times in [lo, hi], at least an hour from now, sorted."""
        hi = min(hi, self.g.now - timedelta(hours=1))
        lo = min(lo + timedelta(minutes=30), hi)
        times = {self.g.between(lo, hi) for _ in range(k)}
        while len(times) < k:
            times.add(self.g.between(lo, hi))
        return sorted(times)

    def spaced(self, lo: datetime, hi: datetime, k: int) -> list[datetime]:
        """``k`` call starts, one per equal slice of [lo, hi], each call over before the next starts."""
        hi = min(hi, self.g.now - timedelta(hours=1))
        step = (hi - lo) / k
        return [self.g.between(lo + step * i, lo + step * (i + 1) - timedelta(hours=1)) for i in range(k)]

    def until(self, deal: Deal) -> datetime:
        return datetime.combine(deal.close, datetime.min.time()) + timedelta(hours=17) if deal.closed else self.g.now


def plan_calls(p: SalesPlan) -> CallWriter:
    w = CallWriter(p)
    g, rng = p.g, p.rng
    for lead in p.leads:
        if lead.failing is None:
            continue
        times = w.spaced(lead.created, g.now, rng.randint(2, 3))
        for i, start in enumerate(times):
            failing = set(lead.failing)
            while i < len(times) - 1 and failing == set(lead.failing):  # earlier calls: superseded signals
                failing = {f for f in BANT if rng.random() < 0.4}
            w.calls.append(Call(start, rng.randint(8, 40), w.lead_body(lead, failing), lead=lead))

    candidates = [d for d in p.deals if not d.roles and w.until(d) - d.created > timedelta(days=5)]
    rng.shuffle(candidates)
    for deal, negatives in zip(candidates, NEGATIVE_COUNTS[: 6 if g.scale >= 0.5 else 4], strict=False):
        topics = rng.sample(list(w.topics), rng.randint(max(3, negatives + 1), 5))
        polarity = [i < negatives for i in range(len(topics))]
        k = rng.randint(2, 3)
        covered: list[list[tuple[Subtopic, bool]]] = [[] for _ in range(k)]
        for i, (topic, negative) in enumerate(zip(topics, polarity, strict=True)):
            covered[i % k].append((topic, negative))
        for start, part in zip(w.starts(deal.created, w.until(deal), k), covered, strict=True):
            rng.shuffle(part)
            w.calls.append(Call(start, rng.randint(10, 45), w.deal_body(deal, part), deal=deal))
        deal.roles.add("insight")
        negative_names = sorted(t.name for t, n in zip(topics, polarity, strict=True) if n)
        positive_names = sorted(t.name for t, n in zip(topics, polarity, strict=True) if not n)
        w.insight[id(deal)] = (deal, negative_names, positive_names)

    remaining = max(0, g.count("VoiceCallTranscript__c") - len(w.calls))
    leads = [lead for lead in p.leads if lead.failing is None and not lead.routing and lead.status != "New"]
    deals = [d for d in p.deals if "insight" not in d.roles]
    for i in range(remaining):
        if i % 2 == 0 and leads:
            lead = g.pick(leads)
            end = lead.deal.created if lead.deal is not None else g.now
            failing = {f for f in BANT if rng.random() < 0.2}
            start = w.starts(lead.created, end, 1)[0]
            w.calls.append(Call(start, rng.randint(5, 40), w.lead_body(lead, failing), lead=lead))
        else:
            deal = g.pick(deals)
            discussed = [(t, rng.random() < 0.4) for t in rng.sample(list(w.topics), rng.randint(2, 3))]
            start = w.starts(deal.created, w.until(deal), 1)[0]
            w.calls.append(Call(start, rng.randint(5, 45), w.deal_body(deal, discussed), deal=deal))
    w.calls.sort(key=lambda call: call.start)
    return w


def write_calls(w: CallWriter) -> None:
    g = w.g
    body_field = g.field_name("VoiceCallTranscript__c", "TranscriptBody__c", "Body__c")
    for call in w.calls:
        end = min(g.now, call.start + timedelta(minutes=call.minutes, seconds=w.rng.randrange(60)))
        lead = call.lead.record if call.lead else None
        opp = call.deal.opp if call.deal else None
        g.add(
            "VoiceCallTranscript__c",
            call.start,
            {
                "LeadId__c": lead["Id"] if lead else None,
                "OpportunityId__c": opp["Id"] if opp else None,
                "EndTime__c": end,
                body_field: call.body,
            },
            modified=end,
        )
