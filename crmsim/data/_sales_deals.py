"""Deals: opportunities with their lines, quotes, contracts and orders, planned then written.

Planted here (by shaping the plan before any record is written):

- one territory whose won deals close fastest (18-32 days against 50-150 elsewhere);
- one rep of that territory whose contracts signed in the past 3 months have the shortest cycle
  (3-8 days, everyone else's in-window cycles are 18 days or more);
- one calendar month, 15 months back, in which no contract is signed (answer None);
- a tie on Accepted quotes between the two best reps of the routing territory (broken later by
  open leads in :mod:`crmsim.data._sales_leads`);
- one rep whose orders effective in the past 5 months total at least 1.2x anyone else's.
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, datetime, timedelta

from ._base import OrgGenerator
from ._records import Record
from ._sales_model import AccountIndex, Deal, LeadPlan, Line, OrderPlan, Windows, at, split, within
from ._sales_policy import LineMaker, rules_for

OPEN_AGE = {"qualification": (2, 90), "discovery": (10, 150), "quote": (20, 200), "negotiation": (30, 240)}
STAGE_OF = {
    "qualification": "Qualification",
    "discovery": "Discovery",
    "quote": "Quote",
    "negotiation": "Negotiation",
    "won": "Closed",
    "lost": "Closed",
}
AMOUNT_MARGIN = 1.2


class SalesPlan:
    """Everything the sales stage decides before writing, shared by its modules."""

    def __init__(self, g: OrgGenerator) -> None:
        self.g = g
        self.rng = g.rng
        self.windows = Windows.for_today(g)
        self.rules = rules_for(g.org, set(g.catalog.category_of.values()))
        self.lines = LineMaker(g, self.rules)
        self.territory_of = {a["Id"]: g.cast.state_territory[a["ShippingState"]]["Id"] for a in g.accounts}
        self.accounts = AccountIndex(g, self.territory_of)
        self.rep_territories: dict[str, list[str]] = {}
        for tid, reps in g.cast.territory_reps.items():
            for rep in reps:
                self.rep_territories.setdefault(rep["Id"], []).append(tid)
        self.deals: list[Deal] = []
        self.extra_orders: list[OrderPlan] = []
        self.leads: list[LeadPlan] = []
        self.consumer_sizes: list[int] = []
        self.fast_territory = ""
        self.cycle_rep: Record = {}
        self.route_territory = ""
        self.route_reps: list[str] = []
        self.amount_rep = ""
        self.policy: dict[int, str | None] = {}  # id(deal) -> violated rule key

    # -- helpers ------------------------------------------------------------------------------

    def reps_of(self, territory: str) -> list[Record]:
        return self.g.cast.territory_reps.get(territory) or self.g.cast.reps

    def signed(self, deal: Deal) -> date | None:
        """The date the sales cycle ends: CompanySignedDate in b2b, CustomerSignedDate in b2c."""
        return deal.company_signed if self.g.org == "b2b" else deal.customer_signed

    def order_of(self, deal: Deal) -> OrderPlan:
        assert deal.start is not None
        return OrderPlan(deal.account, deal.owner["Id"], deal.start, deal.book, deal.lines, deal=deal)

    def book_for(self, account: Record) -> Record:
        standard, partner = self.g.catalog.pricebooks
        return partner if account.get("Type") == "Partner" else standard


# -- planning ---------------------------------------------------------------------------------


def plan_deals(p: SalesPlan) -> None:
    g, rng = p.g, p.rng
    n_won = g.count("Contract")
    n_quote = max(g.count("Quote"), n_won)
    n_opp = max(g.count("Opportunity"), n_quote)
    q_open = n_quote - n_won
    n_q, n_neg = round(q_open * 0.4), round(q_open * 0.3)
    unquoted = n_opp - n_quote
    n_qual, n_disc = round(unquoted * 0.4), round(unquoted * 0.4)
    extra = max(0, g.count("Order") - n_won)
    n_items = g.count("OrderItem")
    per_opp = g.count("OpportunityLineItem") / n_opp
    deal_items = min(max(n_won, round(n_won * per_opp)), max(n_won, n_items - extra)) if extra else n_items
    won_sizes = split(rng, deal_items, n_won)
    quoted_sizes = split(rng, max(q_open, g.count("QuoteLineItem") - deal_items), q_open)
    other_sizes = split(rng, max(unquoted, g.count("OpportunityLineItem") - g.count("QuoteLineItem")), unquoted)
    p.consumer_sizes = split(rng, max(extra, n_items - deal_items), extra, 1, 3)

    _choose_fast_territory(p)
    _plan_won(p, won_sizes)
    kinds = ["quote"] * n_q + ["negotiation"] * n_neg + ["lost"] * (q_open - n_q - n_neg)
    for kind, size in zip(kinds, quoted_sizes, strict=True):
        p.deals.append(_plan_other(p, kind, size, quoted=True))
    kinds = ["qualification"] * n_qual + ["discovery"] * n_disc + ["lost"] * (unquoted - n_qual - n_disc)
    for kind, size in zip(kinds, other_sizes, strict=True):
        p.deals.append(_plan_other(p, kind, size, quoted=False))


def _choose_fast_territory(p: SalesPlan) -> None:
    sizes = Counter(p.territory_of[a["Id"]] for _, a in p.accounts.all)
    staffed = [tid for tid in sizes if p.g.cast.territory_reps.get(tid)]
    best = max(sizes[tid] for tid in staffed)
    p.fast_territory = p.g.pick(sorted(tid for tid in staffed if sizes[tid] == best))
    p.cycle_rep = p.g.pick(p.g.cast.territory_reps[p.fast_territory])


def _plan_won(p: SalesPlan, sizes: list[int]) -> None:
    g, rng, w = p.g, p.rng, p.windows
    n = len(sizes)
    recent = min(n, max(4, round(n * 0.13)))
    fast_others = [r for r in p.reps_of(p.fast_territory) if r["Id"] != p.cycle_rep["Id"]]
    quiet_lo, quiet_hi = w.quiet[0] - timedelta(days=3), w.quiet[1] + timedelta(days=3)
    for i, size in enumerate(sizes):
        if i < recent:
            end = w.cycle[0] + timedelta(days=rng.randint(1, (w.cycle[1] - w.cycle[0]).days - 2))
        else:
            end = g.today - timedelta(days=rng.randint(2, 560))
            while quiet_lo <= end <= quiet_hi:
                end = g.today - timedelta(days=rng.randint(2, 560))
        role = ""
        if i < min(2, recent):
            role = "rcycle"
        elif i < min(4, recent):
            role = "tfast" if fast_others else "away"
        account, owner = _won_party(p, end, role, fast_others)
        territory = p.territory_of[account["Id"]]
        if owner["Id"] == p.cycle_rep["Id"] and within(end, w.cycle):
            cycle = rng.randint(3, 8)
        elif territory == p.fast_territory:
            cycle = rng.randint(18, 32)
        else:
            cycle = rng.randint(50, 150)
        ready = p.accounts.ready(account).date()
        created_day = max(end - timedelta(days=cycle), ready + timedelta(days=1))
        deal = Deal("won", "Closed", size, quoted=True, account=account, owner=owner)
        deal.created = at(created_day, rng, 8, 17)
        if g.org == "b2b":
            deal.company_signed = end
            deal.customer_signed = max(created_day, end - timedelta(days=rng.randint(0, 2)))
        else:
            deal.customer_signed = end
        deal.close = deal.customer_signed
        amount_start = w.amount[0]
        if amount_start - timedelta(days=8) <= end < amount_start:
            deal.start = end  # keep order date and signature on the same side of the 5-month window
        else:
            deal.start = min(g.today, end + timedelta(days=rng.randint(0, 7)))
        deal.term = rng.choice((12, 24, 36))
        deal.quote_status = "Accepted"
        _finish(p, deal, datetime.combine(deal.close, datetime.min.time()))
        p.deals.append(deal)


def _won_party(p: SalesPlan, end: date, role: str, fast_others: list[Record]) -> tuple[Record, Record]:
    g = p.g
    before = datetime.combine(end, datetime.min.time())
    if role in ("rcycle", "tfast"):
        account = p.accounts.pick(before - timedelta(days=10 if role == "rcycle" else 34), p.fast_territory)
        account = account or p.accounts.pick(before, p.fast_territory)
        if account is not None:
            return account, p.cycle_rep if role == "rcycle" else g.pick(fast_others)
    for attempt in range(60):
        away = [p.fast_territory] if role == "away" and attempt < 40 else []
        account = p.accounts.pick(before - timedelta(days=151), exclude=away) or p.accounts.pick(before, exclude=away)
        if account is None:
            continue
        territory = p.territory_of[account["Id"]]
        reps = p.reps_of(territory)
        if within(end, p.windows.cycle) and territory != p.fast_territory:
            reps = [r for r in reps if r["Id"] != p.cycle_rep["Id"]]
        if reps:
            return account, g.pick(reps)
    raise ValueError(f"no account can carry a deal signed on {end}")


def _plan_other(p: SalesPlan, kind: str, size: int, *, quoted: bool, owner: Record | None = None) -> Deal:
    g, rng = p.g, p.rng
    lo, hi = OPEN_AGE.get(kind, (40, 700))
    territories = [t for t in p.rep_territories.get(owner["Id"], []) if t in p.accounts.by_territory] if owner else []
    for attempt in range(20):
        created_day = g.today - timedelta(days=rng.randint(lo, hi))
        territory = g.pick(territories) if territories and attempt < 10 else None
        account = p.accounts.pick(at(created_day, rng), territory)
        if account is not None:
            break
        lo, hi = max(2, lo // 2), max(3, hi // 2)
    else:
        raise ValueError(f"no account can carry a {kind} deal")
    deal = Deal(kind, STAGE_OF[kind], size, quoted=quoted, account=account)
    deal.owner = owner or g.pick(p.reps_of(p.territory_of[account["Id"]]))
    deal.created = at(created_day, rng, 8, 17)
    if deal.created <= p.accounts.ready(account):
        deal.created = p.accounts.ready(account) + timedelta(hours=2)
    if kind == "lost":
        deal.close = min(g.today - timedelta(days=1), created_day + timedelta(days=rng.randint(20, 150)))
        deal.close = max(deal.close, deal.created.date())
        if quoted:
            deal.quote_status = rng.choice(("Denied", "Rejected"))
        _finish(p, deal, datetime.combine(deal.close, datetime.min.time()))
    else:
        deal.close = g.today + timedelta(days=rng.randint(7, 150))
        if quoted and kind == "quote":
            deal.quote_status = rng.choice(("Draft", "Needs Review", "In Review", "Approved", "Approved"))
        elif quoted:
            deal.quote_status = "Accepted" if rng.random() < 0.4 else "Presented"
        _finish(p, deal, g.now)
    return deal


def _finish(p: SalesPlan, deal: Deal, until: datetime) -> None:
    """Contact, price book, lines and quote date once account, dates and status are known."""
    deal.contact = p.accounts.contact(deal.account, deal.created)
    deal.book = p.book_for(deal.account)
    deal.lines = p.lines.compliant(deal.n_lines, deal.book)
    if deal.quoted:
        span = max(until, deal.created + timedelta(hours=2)) - deal.created
        deal.quote_created = min(p.g.now, deal.created + span * p.rng.uniform(0.35, 0.85))


def plan_consumer_orders(p: SalesPlan) -> None:
    """Orders beyond the won deals: consumer purchases (b2c) or add-on orders of customers (b2b)."""
    g, rng = p.g, p.rng
    standard, member = g.catalog.pricebooks
    for size in p.consumer_sizes:
        account = g.pick(g.accounts)
        first = max(account["CreatedDate"].date() + timedelta(days=1), g.today - timedelta(days=720))
        effective = first + timedelta(days=rng.randint(0, max(0, (g.today - first).days)))
        book = member if rng.random() < 0.15 else standard
        lines = [
            p.lines.line(prod, book, quantity=rng.choice((1, 1, 1, 1, 2)), discount=0.0)
            for prod in p.lines.sample(size)
        ]
        p.extra_orders.append(OrderPlan(account, account["OwnerId"], effective, book, lines))


# -- planted adjustments ----------------------------------------------------------------------


def plant_routing_tie(p: SalesPlan) -> None:
    """Make the two best reps of one territory tie on Accepted quotes, above everyone else there."""
    g = p.g
    accepted = Counter(d.owner["Id"] for d in p.deals if d.quote_status == "Accepted")
    territories = sorted(g.cast.territory_reps, key=lambda t: (-len(g.cast.territory_reps[t]), t))
    most = len(g.cast.territory_reps[territories[0]])
    p.route_territory = g.pick([t for t in territories if len(g.cast.territory_reps[t]) == most])
    reps = sorted(g.cast.territory_reps[p.route_territory], key=lambda r: (-accepted[r["Id"]], r["Id"]))
    top = reps[:2]
    target = accepted[reps[0]["Id"]]
    if len(reps) > 2:
        target = max(target, accepted[reps[2]["Id"]] + 1)
    outsiders = {r["Id"] for r in g.cast.reps} - {r["Id"] for r in reps}
    for rep in top:
        home = set(p.rep_territories[rep["Id"]])
        # cheapest first: accept a presented quote, move a quoted deal on to negotiation, take over
        # an outsider's presented deal in a shared territory; add a new deal only as a last resort
        own = [d for d in p.deals if d.owner["Id"] == rep["Id"]]
        steps = [d for d in own if d.quote_status == "Presented"] + [d for d in own if d.kind == "quote"]
        steps += [
            d
            for d in p.deals
            if d.quote_status == "Presented" and d.owner["Id"] in outsiders and p.territory_of[d.account["Id"]] in home
        ]
        steps.reverse()
        while accepted[rep["Id"]] < target:
            if steps:
                deal = steps.pop()
                deal.kind, deal.stage, deal.owner = "negotiation", "Negotiation", rep
            else:
                size = p.rng.randint(2, 4) if g.org == "b2b" else p.rng.randint(1, 3)
                deal = _plan_other(p, "negotiation", size, quoted=True, owner=rep)
                p.deals.append(deal)
            deal.quote_status = "Accepted"
            accepted[rep["Id"]] += 1
    p.route_reps = [r["Id"] for r in top]


def cents(lines: list[Line]) -> int:
    return sum(round(line.quantity * line.net_price * 100) for line in lines)


def order_totals(p: SalesPlan) -> Counter[str]:
    """Cents of order lines per owner, for orders effective in the 5-month window."""
    totals: Counter[str] = Counter()
    orders = [p.order_of(d) for d in p.deals if d.won] + p.extra_orders
    for order in orders:
        if within(order.effective, p.windows.amount):
            totals[order.owner_id] += cents(order.lines)
    return totals


def plant_top_seller(p: SalesPlan) -> None:
    """One rep's in-window order total beats every other rep's by AMOUNT_MARGIN."""
    capped = set(p.lines.max_qty)
    totals = order_totals(p)
    if not totals:
        return

    def scalable(rep: str) -> list[Line]:
        return [
            line
            for d in p.deals
            if d.won and d.owner["Id"] == rep and within(d.start, p.windows.amount)
            for line in d.lines
            if line.category not in capped
        ]

    def movable(rep: str, anywhere: bool = False) -> list[OrderPlan]:
        """In-window consumer orders the rep could have taken: in their territories, or anywhere."""
        territories = set(p.rep_territories.get(rep, []))
        return [
            o
            for o in p.extra_orders
            if o.owner_id != rep
            and within(o.effective, p.windows.amount)
            and (anywhere or p.territory_of[o.account["Id"]] in territories)
        ]

    ranked = sorted(totals, key=lambda rep: (-totals[rep], rep))
    # not the fastest closer nor a routing rep, so that one rep does not answer every question
    busy = {p.cycle_rep["Id"], *p.route_reps}
    others = [rep for rep in ranked if rep not in busy] + [rep for rep in ranked if rep in busy]
    winner = next((rep for rep in others if rep in totals and (movable(rep, True) or scalable(rep))), ranked[0])
    moves, lines, widened = movable(winner), scalable(winner), False
    while True:
        runner_up = max((v for k, v in totals.items() if k != winner), default=0)
        if totals[winner] >= AMOUNT_MARGIN * runner_up + 100:
            break
        if moves:  # take from the strongest competitor first
            i = max(range(len(moves)), key=lambda j: (totals[moves[j].owner_id], -j))
            order = moves.pop(i)
            totals[order.owner_id] -= cents(order.lines)
            totals[winner] += cents(order.lines)
            order.owner_id = winner
        elif lines:
            line = max(lines, key=lambda line: line.net_price)
            before = cents([line])
            deficit = (AMOUNT_MARGIN + 0.05) * runner_up + 100 - totals[winner]
            line.quantity += max(1, math.ceil(deficit / max(1.0, line.net_price * 100)))
            totals[winner] += cents([line]) - before
        elif not widened:  # small orgs: one rep per territory already owns all its orders
            moves, widened = movable(winner, anywhere=True), True
        else:
            break
    p.amount_rep = winner


def plant_policy_quotes(p: SalesPlan) -> None:
    """Pending quotes that break exactly one rule each, and a few that comply (answer None)."""
    candidates = [d for d in p.deals if d.kind == "quote" and not d.roles]
    p.rng.shuffle(candidates)
    per_rule = 2 if p.g.scale >= 0.5 else 1
    plan: list[str | None] = [rule.key for rule in p.rules for _ in range(per_rule)]
    plan += [None] * (3 if p.g.scale >= 0.5 else 2)
    by_key = {rule.key: rule for rule in p.rules}
    for key in plan:
        if not candidates:
            break
        deal = candidates[-1]
        if key is not None:
            lines = p.lines.violating(by_key[key], deal.n_lines, deal.book)
            if lines is None:
                continue
            deal.lines = lines
        candidates.pop()
        deal.quote_status = p.rng.choice(("Needs Review", "In Review"))
        deal.roles.add("policy")
        p.policy[id(deal)] = key
