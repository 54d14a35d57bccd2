"""The case signals read back: each latent's Python mirror, its margin check, and its check SQL.

Definitions shared by the checks (and by the task generators that ask about them):

- A case belongs to a period when its CreatedDate falls in it; "the past N months" starts on the
  same day N months before today (quarters are three months).
- An agent *manages* a case when an 'Owner Assignment' row of the case names them as NewValue__c:
  the first assignee and every agent it was transferred to.
- Handle time of a closed case is ClosedDate - CreatedDate; it counts for the case's final owner
  (Case.OwnerId) only, never for agents who transferred the case away. Agents managing more than
  one case in the period are compared on their average.
- A transfer is an 'Owner Assignment' row whose OldValue__c is the agent (the admin's initial
  assignment from the queue is not a transfer).
- Routing: most closed cases (Case.OwnerId, Status 'Closed', any date) with the case's issue, then
  most closed cases of its product, then fewest cases not closed.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import datetime
from statistics import mean

from ._base import OrgGenerator
from ._latent import Latent
from ._service_cases import issue_id
from ._service_model import WINDOWS, CaseSpec
from ._service_plan import CasePlanner

MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTHS_VALUES = ", ".join(f"('{i:02d}', '{name}')" for i, name in enumerate(MONTH_NAMES, 1))

_MANAGED = """
WITH win AS (
    SELECT Id, OwnerId, Status, CreatedDate, ClosedDate FROM "Case" WHERE CreatedDate >= ? AND CreatedDate <= ?
), assignments AS (
    SELECT h.CaseId__c AS case_id, h.OldValue__c AS old, h.NewValue__c AS new
    FROM CaseHistory__c h JOIN win ON win.Id = h.CaseId__c WHERE h.Field__c = 'Owner Assignment'
), managed AS (
    SELECT new AS agent, COUNT(DISTINCT case_id) AS n FROM assignments GROUP BY new
)"""
HANDLE_SQL = (
    _MANAGED
    + """, handle AS (
    SELECT w.OwnerId AS agent, AVG(julianday(w.ClosedDate) - julianday(w.CreatedDate)) AS days
    FROM win w JOIN managed m ON m.agent = w.OwnerId WHERE w.Status = 'Closed' AND m.n > 1 GROUP BY w.OwnerId
)
SELECT 'highest', (SELECT agent FROM handle ORDER BY days DESC LIMIT 1)
UNION ALL SELECT 'lowest', (SELECT agent FROM handle ORDER BY days ASC LIMIT 1)
ORDER BY 1"""
)
TRANSFER_SQL = (
    _MANAGED
    + """, counts AS (
    SELECT m.agent, (SELECT COUNT(*) FROM assignments a WHERE a.old = m.agent) AS transfers
    FROM managed m WHERE m.n > 1
)
SELECT 'highest', (SELECT agent FROM counts ORDER BY transfers DESC LIMIT 1)
UNION ALL SELECT 'lowest', (SELECT agent FROM counts ORDER BY transfers ASC LIMIT 1)
ORDER BY 1"""
)
_PER_PRODUCT = """
WITH products(pid) AS (VALUES {values}), months(m, name) AS (VALUES {months}),
counts AS (
    SELECT oi.Product2Id AS pid, {key} AS k, COUNT(*) AS n
    FROM "Case" c JOIN OrderItem oi ON oi.Id = c.OrderItemId__c
    WHERE c.CreatedDate >= ? AND c.CreatedDate <= ?{extra} GROUP BY oi.Product2Id, {key}
), top AS (SELECT pid, MAX(n) AS n FROM counts GROUP BY pid)
SELECT p.pid, CASE WHEN (SELECT COUNT(*) FROM counts c WHERE c.pid = p.pid AND c.n = t.n) = 1
    THEN (SELECT {answer} FROM counts c LEFT JOIN months ON months.m = c.k WHERE c.pid = p.pid AND c.n = t.n) END
FROM products p LEFT JOIN top t ON t.pid = p.pid ORDER BY p.pid"""
REGION_SQL = """
SELECT a.ShippingState FROM "Case" c JOIN Account a ON a.Id = c.AccountId
WHERE c.Status = 'Closed' AND c.CreatedDate >= ? AND c.CreatedDate <= ?
GROUP BY a.ShippingState HAVING COUNT(*) >= 2
ORDER BY AVG(julianday(c.ClosedDate) - julianday(c.CreatedDate)) ASC LIMIT 1"""
ROUTING_SQL = """
WITH targets(case_id, issue, product) AS (VALUES {values}),
closed AS (
    SELECT c.OwnerId AS agent, c.IssueId__c AS issue, oi.Product2Id AS product
    FROM "Case" c LEFT JOIN OrderItem oi ON oi.Id = c.OrderItemId__c WHERE c.Status = 'Closed'
), workload AS (SELECT OwnerId AS agent, COUNT(*) AS n FROM "Case" WHERE Status != 'Closed' GROUP BY OwnerId),
scores AS (
    SELECT t.case_id, cl.agent,
        SUM(CASE WHEN cl.issue = t.issue THEN 1 ELSE 0 END) AS by_issue,
        SUM(CASE WHEN cl.product = t.product THEN 1 ELSE 0 END) AS by_product
    FROM targets t CROSS JOIN closed cl GROUP BY t.case_id, cl.agent
), ranked AS (
    SELECT s.case_id, s.agent, ROW_NUMBER() OVER (PARTITION BY s.case_id
        ORDER BY s.by_issue DESC, s.by_product DESC, COALESCE(w.n, 0) ASC, s.agent) AS r
    FROM scores s LEFT JOIN workload w ON w.agent = s.agent
)
SELECT case_id, agent FROM ranked WHERE r = 1 ORDER BY case_id"""


def per_product_sql(n: int, *, by_issue: bool) -> str:
    return _PER_PRODUCT.format(
        values=", ".join(["(?)"] * n),
        months=_MONTHS_VALUES,
        key="c.IssueId__c" if by_issue else "strftime('%m', c.CreatedDate)",
        extra=" AND c.IssueId__c IS NOT NULL" if by_issue else "",
        answer="c.k" if by_issue else "months.name",
    )


def ts(value: datetime) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _days(spec: CaseSpec) -> float:
    assert spec.closed is not None
    return (spec.closed - spec.created).total_seconds() / 86400


class SignalError(RuntimeError):
    """A planted signal came out ambiguous: a generator bug, never expected at run time."""


# -- Python mirrors of the checks -------------------------------------------------------------


def handle_times(window: list[CaseSpec]) -> dict[str, float]:
    managed = Counter(agent for s in window for agent in s.chain)
    times: dict[str, list[float]] = defaultdict(list)
    for spec in window:
        if spec.closed and spec.owner:
            times[spec.owner].append(_days(spec))
    return {agent: mean(days) for agent, days in times.items() if managed[agent] > 1}


def transfer_counts(window: list[CaseSpec]) -> dict[str, int]:
    managed = Counter(agent for s in window for agent in s.chain)
    moved = Counter(agent for s in window for agent in s.pre)
    return {agent: moved[agent] for agent, n in managed.items() if n > 1}


def per_product(window: list[CaseSpec], products: Iterable[str], *, by_issue: bool) -> dict[str, str | None]:
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for spec in window:
        key = issue_id(spec) if by_issue else MONTH_NAMES[spec.created.month - 1]
        if key is not None:
            counts[spec.line.product_id][key] += 1
    out: dict[str, str | None] = {}
    for product in products:
        ranked = counts[product].most_common()
        out[product] = ranked[0][0] if ranked and (len(ranked) == 1 or ranked[0][1] > ranked[1][1]) else None
    return out


def clear_lead(counter: Counter[str]) -> bool:
    ranked = [n for _, n in counter.most_common(2)] + [0]
    return ranked[0] >= max(2 * ranked[1], ranked[1] + 2)


def state_times(window: list[CaseSpec]) -> dict[str, float]:
    times: dict[str, list[float]] = defaultdict(list)
    for spec in window:
        if spec.closed:
            times[spec.line.state].append(_days(spec))
    return {state: mean(days) for state, days in times.items() if len(days) >= 2}


def routing_rank(specs: list[CaseSpec], issue: str, product: str) -> list[tuple[tuple[int, int, int], str]]:
    by_issue: Counter[str] = Counter()
    by_product: Counter[str] = Counter()
    load: Counter[str] = Counter()
    agents: set[str] = set()
    for spec in specs:
        owner = spec.owner
        if spec.closed and owner:
            agents.add(owner)
            by_issue[owner] += issue_id(spec) == issue
            by_product[owner] += spec.line.product_id == product
        elif not spec.closed:
            load[owner or ""] += 1
    return sorted(((-by_issue[a], -by_product[a], load[a]), a) for a in agents)


# -- planting ---------------------------------------------------------------------------------


def plant_case_signals(g: OrgGenerator, planner: CasePlanner) -> None:
    specs, roles, since = planner.specs, planner.roles, planner.since
    window = {name: [s for s in specs if s.created >= start] for name, start in since.items()}
    now = ts(g.now)

    def check(ok: bool, what: str) -> None:
        if not ok:
            raise SignalError(f"service stage, {g.org} seed {g.seed} scale {g.scale}: {what}")

    handle = sorted(handle_times(window["handle"]).items(), key=lambda kv: kv[1])
    check(len(handle) >= 2 and handle[0][0] == roles.fast and handle[1][1] >= 1.5 * handle[0][1], "fastest agent")
    check(handle[-1][0] == roles.slow and handle[-1][1] >= 1.3 * handle[-2][1], "slowest agent")
    g.plant(
        Latent(
            "handle_time.extremes",
            ("handle_time",),
            f"One agent closes cases within hours and one takes weeks; in the past {WINDOWS['handle']} months, "
            "among agents managing more than one case (first assignee or transferred to), they have the lowest "
            "and highest average handle time (ClosedDate - CreatedDate of closed cases they own at closing; "
            "cases they transferred away do not count). Cases are in the period by CreatedDate.",
            {
                "months": WINDOWS["handle"],
                "since": since["handle"].date().isoformat(),
                "min_managed_cases": 2,
                "lowest_agent_id": roles.fast,
                "highest_agent_id": roles.slow,
            },
            HANDLE_SQL,
            [["highest", roles.slow], ["lowest", roles.fast]],
            [ts(since["handle"]), now],
        )
    )

    moves = sorted(transfer_counts(window["transfer"]).items(), key=lambda kv: (kv[1], kv[0]))
    check(len(moves) >= 2 and moves[0][0] == roles.low and moves[0][1] < moves[1][1], "fewest transfers")
    check(moves[-1][0] == roles.high and moves[-1][1] > moves[-2][1], "most transfers")
    g.plant(
        Latent(
            "transfer_count.extremes",
            ("transfer_count",),
            f"In the past {WINDOWS['transfer'] // 3} quarters one agent managing several cases never transferred "
            "one while every other agent managing more than one case transferred at least one, and one agent "
            "transferred clearly the most. A transfer is an 'Owner Assignment' row with the agent as OldValue__c; "
            "cases are in the period by CreatedDate.",
            {
                "quarters": WINDOWS["transfer"] // 3,
                "since": since["transfer"].date().isoformat(),
                "min_managed_cases": 2,
                "lowest_agent_id": roles.low,
                "highest_agent_id": roles.high,
            },
            TRANSFER_SQL,
            [["highest", roles.high], ["lowest", roles.low]],
            [ts(since["transfer"]), now],
        )
    )

    products = planner.products
    trend_products = sorted([*products.spikes, products.tie])
    trend = per_product(window["trend"], trend_products, by_issue=False)
    months: dict[str, Counter[str]] = defaultdict(Counter)
    for spec in window["trend"]:
        months[spec.line.product_id][MONTH_NAMES[spec.created.month - 1]] += 1
    for product, back in products.spikes.items():
        expected_month = MONTH_NAMES[planner.month_start(back).month - 1]
        check(trend[product] == expected_month and clear_lead(months[product]), "monthly spike")
    check(trend[products.tie] is None, "tie product has no spike")
    g.plant(
        Latent(
            "monthly_trend_analysis.spikes",
            ("monthly_trend_analysis",),
            f"A defect causes a burst of cases for some products in one month of the past {WINDOWS['trend']} months "
            "(at least twice any other month); the tie product has the same count in its two busiest months, "
            "so no month stands out (None). Cases count for the product of their OrderItemId__c, by CreatedDate.",
            {
                "months": WINDOWS["trend"],
                "since": since["trend"].date().isoformat(),
                "products": {p: trend[p] for p in trend_products},
            },
            per_product_sql(len(trend_products), by_issue=False),
            [[p, trend[p]] for p in trend_products],
            [*trend_products, ts(since["trend"]), now],
        )
    )

    top = per_product(window["top_issue"], trend_products, by_issue=True)
    issues: dict[str, Counter[str]] = defaultdict(Counter)
    for spec in window["top_issue"]:
        if (key := issue_id(spec)) is not None:
            issues[spec.line.product_id][key] += 1
    for product in products.spikes:
        check(top[product] == planner.spike_issue[product].id and clear_lead(issues[product]), "top issue")
    top_products = [p for p in trend_products if p in products.spikes or top[p] is None or clear_lead(issues[p])]
    g.plant(
        Latent(
            "top_issue_identification.products",
            ("top_issue_identification",),
            f"For each spike product the defect issue is clearly the most reported in the past "
            f"{WINDOWS['top_issue']} months (IssueId__c of its cases by CreatedDate); the tie product's two "
            "issues are reported equally often when its line has two calm issues (None), otherwise one leads.",
            {
                "months": WINDOWS["top_issue"],
                "since": since["top_issue"].date().isoformat(),
                "products": {p: top[p] for p in top_products},
            },
            per_product_sql(len(top_products), by_issue=True),
            [[p, top[p]] for p in top_products],
            [*top_products, ts(since["top_issue"]), now],
        )
    )

    states = sorted(state_times(window["region"]).items(), key=lambda kv: kv[1])
    check(bool(states) and states[0][0] == products.star, "quickest state")
    check(len(states) < 2 or states[1][1] >= 1.5 * states[0][1], "quickest state margin")
    g.plant(
        Latent(
            "best_region_identification.fastest_state",
            ("best_region_identification",),
            f"All cases of one state's accounts go to the fast agent, so in the past {WINDOWS['region'] // 3} "
            "quarters that ShippingState has the quickest average closure (ClosedDate - CreatedDate of closed "
            "cases by CreatedDate), ignoring states with fewer than 2 closed cases.",
            {
                "quarters": WINDOWS["region"] // 3,
                "since": since["region"].date().isoformat(),
                "min_closed": 2,
                "state": products.star,
                "competing_states": len(states) - 1,
            },
            REGION_SQL,
            [[products.star]],
            [ts(since["region"]), now],
        )
    )

    targets = []
    for spec in specs:
        if spec.kind != "routing":
            continue
        assert spec.issue is not None and spec.record is not None
        ranked = routing_rank(specs, spec.issue.id, spec.line.product_id)
        expert = planner.experts[spec.line.product_id]
        check(len(ranked) >= 2 and ranked[0][1] == expert and ranked[0][0][0] < ranked[1][0][0], "routing expert")
        targets.append(
            {
                "case_id": spec.record["Id"],
                "agent_id": expert,
                "issue_id": spec.issue.id,
                "product_id": spec.line.product_id,
            }
        )
    targets.sort(key=lambda t: t["case_id"])
    g.plant(
        Latent(
            "case_routing.new_cases",
            ("case_routing",),
            "New cases waiting in the queue (owned by the admin, IssueId__c not yet set) describe a spike "
            "product's defect; one agent has closed most cases with that issue, so the routing policy (issue "
            "expertise, then product expertise, then fewest open cases) names them.",
            {"cases": targets},
            ROUTING_SQL.format(values=", ".join(["(?, ?, ?)"] * len(targets))),
            [[t["case_id"], t["agent_id"]] for t in targets],
            [v for t in targets for v in (t["case_id"], t["issue_id"], t["product_id"])],
        )
    )
