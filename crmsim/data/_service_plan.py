"""Planning the cases: which order line, issue, owner and dates each case gets (see
:mod:`crmsim.data._service_model` for the signals planted and how)."""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta

from ._base import OrgGenerator
from ._service_knowledge import Issue
from ._service_model import FAST, REGULAR, SLOW, WINDOWS, CaseSpec, Line, ProductPlan, Roles, months_before
from ._service_transfers import finish, fit_history, plant_transfers


class CasePlanner:
    def __init__(self, g: OrgGenerator, lines: list[Line]) -> None:
        self.g = g
        self.now = g.now
        self.n_cases = g.count("Case")
        self.since = {name: datetime.combine(months_before(g.today, m), time()) for name, m in WINDOWS.items()}
        self.lines = sorted(lines, key=lambda line: (line.day, str(line.item["Id"])))
        self.specs: list[CaseSpec] = []
        agents = [str(a["Id"]) for a in g.cast.agents]
        k = min(len(agents), max(3, round(self.n_cases / 6)))
        team = g.rng.sample(agents, k)
        self.collapsed = k < 5  # too few agents for four distinct roles: low = fast, high = slow
        self.roles = Roles(
            team,
            fast=team[0],
            slow=team[1],
            high=team[1] if self.collapsed else team[2],
            low=team[0] if self.collapsed else team[3],
            regulars=team[1:],
        )
        products = {line.product_id for line in self.lines}
        self.n_spikes = max(1, min(1 if self.n_cases < 25 else 2 if self.n_cases < 400 else 4, len(products) - 2))
        self.spike_size = max(3, min(12, round(math.sqrt(self.n_cases) / 2.5)))
        # Other months (and other issues) of a spike product stay at or under this count.
        self.cap = (self.spike_size - 1) // 2
        self.tie_size = 1 if self.n_cases < 100 else 2
        self.products = self._choose_products()
        self.experts: dict[str, str] = {}
        self.by_month: dict[str, Counter[int]] = defaultdict(Counter)
        self.by_issue: dict[str, Counter[str]] = defaultdict(Counter)

    # -- dates and lines ----------------------------------------------------------------------

    def month_start(self, back: int) -> date:
        return self.g.month_start(back)

    def months_back(self, when: datetime) -> int:
        today = self.g.today
        return today.year * 12 + today.month - when.year * 12 - when.month

    def month_bounds(self, back: int) -> tuple[datetime, datetime]:
        """The part of the month ``back`` months ago inside the trend window, before now."""
        lo = datetime.combine(self.month_start(back), time())
        hi = datetime.combine(self.month_start(back - 1), time()) - timedelta(minutes=1) if back else self.now
        return max(lo, self.since["trend"]), min(hi, self.now - timedelta(hours=1))

    def moment(self, lo: datetime, hi: datetime) -> datetime:
        """A random time in [lo, hi], during working hours when the span allows."""
        when = self.g.between(lo, hi)
        if hi - lo > timedelta(days=2):
            when = min(max(when.replace(hour=self.g.rng.randrange(8, 18)), lo), hi)
        return when

    def line_pool(self, *, product: str | None = None, inside: bool | None = None) -> list[Line]:
        star = self.products.star
        return [
            line
            for line in self.lines
            if (product is None or line.product_id == product) and (inside is None or (line.state == star) == inside)
        ]

    def dated_line(self, pool: list[Line], lo: datetime, hi: datetime) -> tuple[datetime, Line]:
        """A time in [lo, hi] and a line of ``pool`` (sorted by day) ordered at least a day before it."""
        if not pool:
            raise RuntimeError("service stage: no order line to attach a case to")
        lo = max(lo, datetime.combine(pool[0].day + timedelta(days=1), time(8)))
        if lo > hi:
            raise RuntimeError(f"service stage: no order line before {hi:%Y-%m-%d}")
        created = self.moment(lo, hi)
        days = [line.day for line in pool]
        return created, pool[self.g.rng.randrange(bisect_left(days, created.date()))]

    # -- products -----------------------------------------------------------------------------

    def _choose_products(self) -> ProductPlan:
        by_state: dict[str, int] = Counter(line.state for line in self.lines)
        for star in sorted(by_state, key=lambda s: (-by_state[s], s))[:12]:
            plan = self._products_for(star)
            if plan is not None:
                return plan
        raise RuntimeError("service stage: the order lines are too few or too recent to plant case signals")

    def _products_for(self, star: str) -> ProductPlan | None:
        """Spike products (sold outside the fast state early enough), the tie product and its months."""
        first_out: dict[str, date] = {}
        first_in: dict[str, date] = {}
        for line in self.lines:
            (first_in if line.state == star else first_out).setdefault(line.product_id, line.day)
        rng = self.g.rng
        category = self.g.catalog.category_of
        candidates = sorted(first_out)
        rng.shuffle(candidates)
        spikes: dict[str, int] = {}
        for product in candidates:
            taken = {category.get(p) for p in spikes}
            if len(spikes) >= self.n_spikes:
                break
            if category.get(product) in taken and len(taken) < len(set(category.values())):
                continue
            feasible = [m for m in (1, 2, 3, 4) if first_out[product] < self.month_start(m) - timedelta(days=2)]
            if self.collapsed:  # the expert is the slow agent: weeks to close, inside the handle window
                feasible = [m for m in feasible if m in (2, 3)]
            if feasible:
                spikes[product] = rng.choice([m for m in feasible if m not in spikes.values()] or feasible)
        if not spikes:
            return None
        rest = [p for p in sorted(set(first_out) | set(first_in)) if p not in spikes]
        rng.shuffle(rest)
        recent = self.g.today - timedelta(days=20)
        for tie in rest:
            # Without another product sold in the fast state, the tie cases are the fast agent's cases.
            inside = not any(first_in.get(p, recent) < recent for p in rest if p != tie)
            first = first_in.get(tie) if inside else first_out.get(tie)
            if first is None:
                continue
            months = (0, 1, 2, 3) if self.g.today.day >= 5 else (1, 2, 3)
            tie_months = [m for m in months if first < self.month_start(m) - timedelta(days=2)]
            if len(tie_months) >= 2:
                a, b = rng.sample(tie_months, 2)
                return ProductPlan(star, spikes, tie, (a, b), inside)
        return None

    def issue_lines(self) -> list[str]:
        """Product lines in the order issues should be created (planted products' lines first)."""
        category = self.g.catalog.category_of
        first = [category[p] for p in (*self.products.spikes, self.products.tie) if p in category]
        return list(dict.fromkeys([*first, *sorted(set(category.values()))]))

    # -- the plan -----------------------------------------------------------------------------

    def plan(self, issues: list[Issue], chat_cases: int) -> list[CaseSpec]:
        self.by_line: dict[str, list[Issue]] = defaultdict(list)
        for issue in issues:
            self.by_line[issue.line].append(issue)
        self.spike_issue: dict[str, Issue] = {}
        for product in self.products.spikes:
            line_issues = self.by_line.get(self.g.catalog.category_of.get(product, ""), [])
            if not line_issues:
                raise RuntimeError("service stage: a spike product's line has no issue")
            unused = [i for i in line_issues if i not in self.spike_issue.values()]
            self.spike_issue[product] = (unused or line_issues)[0]
        self._plant_tie()
        self._plant_spikes()
        self._plant_routing()
        self._plant_fast()
        if not self.collapsed:
            self._plant_slow_and_low()
        self._fill_background()
        for spec in self.specs:
            if not spec.locked and spec.closed is None:
                age = self.now - spec.created
                chance = 0.95 if age > timedelta(days=60) else 0.8 if age > timedelta(days=20) else 0.4
                if self.g.rng.random() < chance:
                    self.close(spec)
        plant_transfers(self)
        fit_history(self)
        finish(self, chat_cases)
        self.specs.sort(key=lambda spec: spec.created)
        return self.specs

    def issue_for(self, line: Line) -> Issue | None:
        """A background issue for the line's product: never a spike issue (they drive routing)."""
        spike = {id(i) for i in self.spike_issue.values()}
        category = self.g.catalog.category_of.get(line.product_id, "")
        options = [i for i in self.by_line.get(category, []) if id(i) not in spike]
        if not options or self.g.rng.random() < 0.08:
            return None
        return self.g.pick(options)

    def fits(self, product: str, created: datetime, issue: Issue | None) -> bool:
        """Whether an unplanted case may be added without blurring a product signal."""
        if created < self.since["trend"] or (product not in self.products.spikes and product != self.products.tie):
            return True
        if product == self.products.tie:
            return False
        back = self.months_back(created)
        if back != self.products.spikes[product] and self.by_month[product][back] >= self.cap:
            return False
        return not (issue and created >= self.since["top_issue"] and self.by_issue[product][issue.id] >= self.cap)

    def add(self, kind: str, created: datetime, line: Line, issue: Issue | None, owner: str | None) -> CaseSpec:
        contacts = self.g.contacts_by_account.get(str(line.account["Id"])) or []
        known = [c for c in contacts if c["CreatedDate"] < created] or contacts
        spec = CaseSpec(kind, created, line, self.g.pick(known) if known else None, issue, owner)
        self.specs.append(spec)
        if line.product_id in self.products.spikes and created >= self.since["trend"]:
            self.by_month[line.product_id][self.months_back(created)] += 1
            if issue and kind != "routing" and created >= self.since["top_issue"]:
                self.by_issue[line.product_id][issue.id] += 1
        return spec

    def add_unplanted(self, kind: str, created: datetime, line: Line, owner: str) -> CaseSpec | None:
        issue = self.issue_for(line)
        if not self.fits(line.product_id, created, issue):
            if not self.fits(line.product_id, created, None):
                return None
            issue = None
        return self.add(kind, created, line, issue, owner)

    def close(self, spec: CaseSpec) -> bool:
        """Close ``spec`` after its owner's usual handling time, if that fits before now."""
        assert spec.owner is not None
        lo, hi = FAST if spec.owner == self.roles.fast else SLOW if spec.owner == self.roles.slow else REGULAR
        latest = self.now - timedelta(minutes=30)
        if spec.created + lo > latest:
            return False
        spec.closed = self.g.between(spec.created + lo, min(spec.created + hi, latest))
        return True

    def _plant_tie(self) -> None:
        tie = self.products.tie
        line_issues = self.by_line.get(self.g.catalog.category_of.get(tie, ""), [])
        spike = [id(i) for i in self.spike_issue.values()]
        calm = [i for i in line_issues if id(i) not in spike]
        pair: list[Issue | None] = (
            self.g.rng.sample(calm, 2) if len(calm) >= 2 else [calm[0]] * 2 if calm else [None, None]
        )
        pool = self.line_pool(product=tie, inside=self.products.tie_inside)
        for month, issue in zip(self.products.tie_months, pair, strict=True):
            lo, hi = self.month_bounds(month)
            for _ in range(self.tie_size):
                created, line = self.dated_line(pool, lo, min(hi, self.now - timedelta(days=1)))
                inside = line.state == self.products.star
                owner = self.roles.fast if inside else self.g.pick(self.roles.regulars)
                spec = self.add("tie", created, line, issue, owner)
                spec.locked = inside and self.close(spec)

    def _plant_spikes(self) -> None:
        roles = self.roles
        pool_experts = [a for a in roles.regulars if a not in (roles.slow, roles.low)] or roles.regulars
        for n, (product, back) in enumerate(self.products.spikes.items()):
            issue = self.spike_issue[product]
            unused = [a for a in pool_experts if a not in self.experts.values()] or pool_experts
            expert = roles.slow if self.collapsed and n == 0 else self.g.pick(unused)
            self.experts[product] = expert
            pool = self.line_pool(product=product, inside=False)
            lo, hi = self.month_bounds(back)
            batch = pool
            if n == 0:  # a regional batch: the first spike's cases come from one state
                early = Counter(line.state for line in pool if line.day < lo.date() - timedelta(days=1))
                region = min(early, key=lambda state: (-early[state], state))
                batch = [line for line in pool if line.state == region]
            cases = [self.add("spike", *self.dated_line(batch, lo, hi), issue, None) for _ in range(self.spike_size)]
            cases.sort(key=lambda spec: spec.created)
            slowest = SLOW[0] if expert == roles.slow else REGULAR[0]
            closable = [c for c in cases if c.created < self.now - slowest - timedelta(days=2)]
            if len(closable) == len(cases):  # one stays open (the customer has not confirmed the fix)
                closable.pop()
            if not closable:
                raise RuntimeError("service stage: no spike case can be closed before today")
            lead = len(closable) // 2 + 1 if len(closable) >= 2 else len(closable)
            others = [a for a in roles.regulars if a not in (expert, roles.slow)] or [expert]
            self.g.rng.shuffle(others)
            for i, spec in enumerate(cases):
                spec.locked = True
                if i < len(closable):
                    spec.owner = expert if i < lead else others[(i - lead) % len(others)]
                    if not self.close(spec):
                        raise RuntimeError("service stage: a spike case cannot be closed in time")
                else:
                    spec.owner = self.g.pick(others)
            months = [m for m in range(1, WINDOWS["trend"] + 1) if m != back]
            self.g.rng.shuffle(months)
            for month in months[: self.spike_size // 2]:
                lo, hi = self.month_bounds(month)
                if lo < hi and pool[0].day < lo.date():
                    created, line = self.dated_line(pool, lo, hi)
                    self.add_unplanted("noise", created, line, self.g.pick(roles.regulars))

    def _plant_fast(self) -> None:
        """The fast agent owns every case of the fast state: two closed in the handle window at least."""
        fast = self.roles.fast
        w4 = self.since["handle"]
        have = sum(1 for s in self.specs if s.owner == fast and s.closed and s.created >= w4)
        free = [line for line in self.line_pool(inside=True) if line.product_id not in self.products.spikes]
        free = [line for line in free if line.product_id != self.products.tie]
        for _ in range(max(0, 2 - have)):
            created, line = self.dated_line(free, w4 + timedelta(days=1), self.now - timedelta(days=2))
            spec = self.add("fast", created, line, self.issue_for(line), fast)
            spec.locked = self.close(spec)
        if fast != self.roles.low:  # an open case the fast agent will hand over (its one transfer)
            created, line = self.dated_line(free, self.now - timedelta(days=60), self.now - timedelta(days=2))
            self.add("fast_open", created, line, self.issue_for(line), fast).locked = True
        reserve = self.spike_size * len(self.products.spikes) // 2 + (0 if self.collapsed else 4) + 3
        wanted = min(round(self.n_cases / len(self.roles.team)), self.n_cases - len(self.specs) - reserve)
        inside = self.line_pool(inside=True)
        days = [line.day for line in inside]
        for _ in range(max(0, wanted - sum(1 for s in self.specs if s.owner == fast))):
            created = self.moment(self.g.start + timedelta(days=45), self.now - timedelta(hours=1))
            count = bisect_left(days, created.date())
            if count:
                self.add_unplanted("fast", created, inside[self.g.rng.randrange(count)], fast)

    def _plant_slow_and_low(self) -> None:
        """Two weeks-long closures for the slow agent, two cases in the transfer window for low."""
        pool = [line for line in self.line_pool(inside=False) if line.product_id not in self.products.spikes]
        pool = [line for line in pool if line.product_id != self.products.tie]
        for _ in range(2):
            created, line = self.dated_line(
                pool, self.since["handle"] + timedelta(days=1), self.now - timedelta(days=40)
            )
            spec = self.add("slow", created, line, self.issue_for(line), self.roles.slow)
            spec.locked = self.close(spec)
            created, line = self.dated_line(
                pool, self.since["transfer"] + timedelta(days=1), self.now - timedelta(days=3)
            )
            self.add("low", created, line, self.issue_for(line), self.roles.low)

    def _plant_routing(self) -> None:
        for product in list(self.products.spikes)[:3]:
            pool = self.line_pool(product=product, inside=False)
            created, line = self.dated_line(pool, self.now - timedelta(days=3), self.now - timedelta(hours=2))
            self.add("routing", created, line, self.spike_issue[product], None).locked = True

    def _fill_background(self) -> None:
        missing = self.n_cases - len(self.specs)
        if missing < 0:
            raise RuntimeError(f"service stage: {len(self.specs)} planted cases exceed the target {self.n_cases}")
        pool = self.line_pool(inside=False)
        days = [line.day for line in pool]
        for _ in range(missing):
            for _attempt in range(1000):
                created = self.moment(self.g.start + timedelta(days=45), self.now - timedelta(hours=1))
                count = bisect_left(days, created.date())
                if count:
                    line = pool[self.g.rng.randrange(count)]
                    if self.add_unplanted("background", created, line, self.g.pick(self.roles.regulars)):
                        break
            else:
                raise RuntimeError("service stage: no order line for a background case")
