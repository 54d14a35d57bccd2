"""Leads: converted ones behind deals, open ones per rep, and the planted lead signals.

Planted here:

- lead conversion over the past 4 quarters: one rep converts none of at least 4 leads, one rep
  converts at least 80% of at least 3, every other rep with 3+ leads sits between 25% and 55%;
- the routing tie on Accepted quotes (planned with the deals) is broken by open leads: the winner
  owns strictly fewer unconverted leads than the other tied rep;
- a new, unrouted lead (owned by the admin) whose region is the routing territory's;
- leads to qualify: their latest call shows exactly the planted BANT failures (see _sales_calls).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from ._records import Record, email_address, slug
from ._sales_deals import SalesPlan
from ._sales_model import Deal, LeadPlan
from ._sales_text import LEAD_SOURCES, LEAD_TITLES

BANT = ("Budget", "Authority", "Need", "Timeline")
FAILING_PATTERNS: tuple[tuple[str, ...], ...] = (
    (),
    ("Budget",),
    ("Authority",),
    ("Need",),
    ("Timeline",),
    ("Budget", "Timeline"),
    ("Authority", "Need"),
    (),
    ("Budget", "Authority"),
    ("Need", "Timeline"),
    ("Timeline",),
    ("Budget",),
)
OPEN_STATUSES = ("New", "Contacted", "Contacted", "Contacted", "Qualified", "Qualified", "Proposal", "Negotiation")


class LeadPlanner:
    def __init__(self, p: SalesPlan) -> None:
        self.p = p
        self.g = p.g
        self.rng = p.rng
        self.states: dict[str, list[str]] = {t["Id"]: t["Description"].split(",") for t in self.g.cast.territories}
        start, _ = p.windows.conversion
        self.window_start = datetime.combine(start, datetime.min.time())
        self.low_rep = ""
        self.high_rep = ""
        self.route_winner = ""
        self.routing_lead: LeadPlan | None = None

    # -- pieces -------------------------------------------------------------------------------

    def state_of_rep(self, rep_id: str) -> str:
        territories = self.p.rep_territories.get(rep_id) or [self.g.cast.territories[0]["Id"]]
        return self.g.pick(self.states[self.g.pick(territories)])

    def converted(self, deal: Deal, in_window: bool) -> LeadPlan:
        rng = self.rng
        if in_window:
            earliest = max(self.window_start + timedelta(hours=1), deal.created - timedelta(days=45))
            created = self.g.between(earliest, deal.created - timedelta(hours=1))
        else:
            latest = min(deal.created - timedelta(days=1), self.window_start - timedelta(hours=1))
            created = latest - timedelta(seconds=rng.randrange(40 * 86400))
        assert deal.contact is not None
        lead = LeadPlan(
            deal.owner["Id"],
            created,
            deal.account["ShippingState"],
            "Closed",
            first=deal.contact.get("FirstName") or "",
            last=deal.contact["LastName"],
            company=deal.account["Name"] if self.g.org == "b2b" else None,
            deal=deal,
        )
        deal.from_lead = True
        return lead

    def open_lead(self, owner_id: str, created: datetime, status: str | None = None) -> LeadPlan:
        first, last = self.g.person_name()
        if status is None:
            recent = created > self.g.now - timedelta(days=10)
            status = "New" if recent else self.g.pick(OPEN_STATUSES)
        company = self.g.pick(self.g.companies) if self.g.org == "b2b" else None
        return LeadPlan(owner_id, created, self.state_of_rep(owner_id), status, first, last, company)

    def in_window(self) -> datetime:
        return self.g.between(self.window_start + timedelta(hours=1), self.g.now - timedelta(hours=1))

    def before_window(self) -> datetime:
        return self.g.between(self.g.now - timedelta(days=760), self.window_start - timedelta(days=1))


def plan_leads(p: SalesPlan) -> LeadPlanner:
    planner = LeadPlanner(p)
    g, rng = p.g, p.rng
    leads: list[LeadPlan] = []
    cutoff = planner.window_start + timedelta(days=3)
    eligible: dict[str, list[Deal]] = defaultdict(list)
    for deal in p.deals:
        if deal.created >= cutoff:
            eligible[deal.owner["Id"]].append(deal)
        elif rng.random() < 0.45:
            leads.append(planner.converted(deal, in_window=False))
    reps = [rep["Id"] for rep in g.cast.reps]
    # prefer reps that win no other question, so that one rep does not answer everything
    busy = {*p.route_reps, p.cycle_rep["Id"], p.amount_rep}
    free = [r for r in reps if r not in busy and len(eligible[r]) >= 3] or reps
    most = max(len(eligible[r]) for r in free)
    planner.high_rep = g.pick([r for r in free if len(eligible[r]) == most])
    free = [r for r in reps if r not in busy and r != planner.high_rep] or [r for r in reps if r != planner.high_rep]
    planner.low_rep = g.pick(free)
    for rep in reps:
        deals = eligible[rep]
        if rep == planner.high_rep:
            chosen, unconverted = list(deals), (0 if len(deals) < 5 else len(deals) // 5)
        elif rep == planner.low_rep:
            chosen, unconverted = [], rng.randint(4, 7)
        elif deals:
            chosen = rng.sample(deals, max(1, round(0.45 * len(deals))))
            unconverted = math.ceil(len(chosen) / rng.uniform(0.3, 0.55)) - len(chosen)
        else:
            chosen, unconverted = [], rng.randint(0, 2)
        leads += [planner.converted(deal, in_window=True) for deal in chosen]
        leads += [planner.open_lead(rep, planner.in_window()) for _ in range(unconverted)]

    _plant_qualification(planner, leads)
    routing = planner.open_lead(g.admin_id, g.now - timedelta(hours=rng.randint(6, 60)), "New")
    routing.state = g.pick(planner.states[p.route_territory])
    routing.routing = True
    planner.routing_lead = routing
    leads.append(routing)
    fill = g.count("Lead") - len(leads)
    for _ in range(max(0, fill)):
        rep = g.pick(reps)
        leads.append(planner.open_lead(rep, planner.before_window()))
    _break_routing_tie(planner, leads)
    p.leads = sorted(leads, key=lambda lead: lead.created)
    return planner


def _plant_qualification(planner: LeadPlanner, leads: list[LeadPlan]) -> None:
    g = planner.g
    wanted = max(4, min(12, round(g.count("Lead") / 100)))
    candidates = [lead for lead in leads if not lead.converted and lead.created < g.now - timedelta(days=12)]
    planner.rng.shuffle(candidates)
    for lead, pattern in zip(candidates[:wanted], FAILING_PATTERNS, strict=False):
        lead.failing = list(pattern)
        lead.status = planner.rng.choice(("Contacted", "Qualified"))


def _break_routing_tie(planner: LeadPlanner, leads: list[LeadPlan]) -> None:
    reps = planner.p.route_reps
    open_leads = Counter(lead.owner_id for lead in leads if not lead.converted)
    if len(reps) == 2 and open_leads[reps[0]] == open_leads[reps[1]]:
        loser = planner.g.pick(reps)
        leads.append(planner.open_lead(loser, planner.before_window(), "Contacted"))
        open_leads[loser] += 1
    planner.route_winner = min(reps, key=lambda rep: (open_leads[rep], rep))


def write_leads(p: SalesPlan) -> None:
    g = p.g
    for lead in p.leads:
        deal = lead.deal
        if deal is not None:
            assert deal.contact is not None and deal.opp is not None
            email = deal.contact.get("Email")
            converted: Record = {
                "IsConverted": True,
                "ConvertedDate": deal.created.date(),
                "ConvertedAccountId": deal.account["Id"],
                "ConvertedContactId": deal.contact["Id"],
                "ConvertedOpportunityId": deal.opp["Id"],
            }
            modified = deal.created
        else:
            domain = (slug(lead.company).replace(" ", "")[:24] + ".example.com") if lead.company else "example.net"
            email = email_address(lead.first or "info", lead.last, domain)
            converted = {"IsConverted": False}
            modified = g.between(lead.created, g.now)
        lead.record = g.add(
            "Lead",
            lead.created,
            {
                "FirstName": lead.first or None,
                "LastName": lead.last,
                "Email": email,
                "Phone": g.phone(),
                "Status": lead.status,
                "LeadSource": g.pick(LEAD_SOURCES),
                "OwnerId": lead.owner_id,
                **converted,
            },
            optional={"Company": lead.company, "Title": g.pick(LEAD_TITLES)},
            modified=modified,
        )
