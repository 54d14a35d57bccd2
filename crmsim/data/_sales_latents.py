"""The sales stage's latent variables: truth, expected rows, and the SQL (in _sales_sql) that reads each back.

Expected rows are computed here in Python from the written records, independently of the SQL;
the tests run each ``check_sql`` on the written database and compare. Winners are only declared
when their margin holds (else the truth says None, which only happens at tiny scales).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import date
from typing import Any

from ._latent import Latent
from ._sales_calls import CallWriter
from ._sales_deals import SalesPlan, order_totals
from ._sales_leads import LeadPlanner
from ._sales_model import within
from ._sales_policy import Rule, violations
from ._sales_sql import (
    ACTIVITY_SQL,
    AMOUNT_SQL,
    BANT_SQL,
    CONVERSION_SQL,
    CYCLE_SQL,
    POLICY_SQL,
    QUIET_SQL,
    ROUTING_SQL,
    SENTIMENT_SQL,
    STAGE_SQL,
    TERRITORY_SQL,
)
from ._sales_tasks import TaskPlanner
from ._sales_text import BANT_MARKERS, SUBJECT_STAGE, SUBTOPICS

CYCLE_MARGIN_DAYS = 7.0
CONVERSION_MARGIN = 0.15
TERRITORY_MARGIN_DAYS = 10.0


def _avg(row: list[Any], total: int, count: int) -> float:
    return float(row[total]) / float(row[count])


def _iso(window: tuple[date, date]) -> list[str]:
    return [window[0].isoformat(), window[1].isoformat()]


class LatentBuilder:
    def __init__(self, p: SalesPlan, leads: LeadPlanner, tasks: TaskPlanner, calls: CallWriter) -> None:
        self.p, self.leads, self.tasks, self.calls = p, leads, tasks, calls
        self.g = p.g
        self.signed_field = "CompanySignedDate" if self.g.org == "b2b" else "CustomerSignedDate"
        self.body = self.g.field_name("VoiceCallTranscript__c", "TranscriptBody__c", "Body__c")

    def plant_all(self, articles: dict[str, dict[str, Any]]) -> None:
        for latent in (
            self.cycle(),
            self.quiet_month(),
            self.territory(),
            self.amount(),
            self.conversion(),
            self.routing(),
            self.bant(),
            self.wrong_stage(),
            self.activity(),
            self.policy(articles),
            self.sentiment(),
        ):
            self.g.plant(latent)

    # -- rankings -----------------------------------------------------------------------------

    def cycle(self) -> Latent:
        p, window = self.p, self.p.windows.cycle
        days: Counter[str] = Counter()
        count: Counter[str] = Counter()
        for deal in p.deals:
            signed = p.signed(deal)
            if deal.won and within(signed, window):
                assert signed is not None
                days[deal.owner["Id"]] += (signed - deal.created.date()).days
                count[deal.owner["Id"]] += 1
        rows: list[list[Any]] = [[rep, days[rep], count[rep]] for rep in count]
        rows.sort(key=lambda r: (r[1] / r[2], r[0]))
        clear = len(rows) < 2 or _avg(rows[0], 1, 2) + CYCLE_MARGIN_DAYS <= _avg(rows[1], 1, 2)
        winner = rows[0][0] if rows and clear else None
        return Latent(
            name="sales_cycle.fastest_rep",
            tasks=("sales_cycle_understanding",),
            description=(
                f"The rep with the shortest average sales cycle (days from Opportunity.CreatedDate to the linked "
                f"contract's {self.signed_field}) over contracts signed in the past 3 months. Planted by giving "
                "that rep's in-window deals 3-8 day cycles, deals of the fastest territory 18-32 days and all "
                "others 50-150 days."
            ),
            truth={
                "rep_id": winner,
                "window_start": window[0].isoformat(),
                "window_end": window[1].isoformat(),
                "date_field": self.signed_field,
                "avg_days": _avg(rows[0], 1, 2) if rows else None,
                "runner_up_avg_days": _avg(rows[1], 1, 2) if len(rows) > 1 else None,
            },
            check_sql=CYCLE_SQL.format(field=self.signed_field),
            expected=rows,
            params=_iso(window),
        )

    def quiet_month(self) -> Latent:
        window = self.p.windows.quiet
        return Latent(
            name="sales_cycle.quiet_month",
            tasks=("sales_cycle_understanding",),
            description=(
                f"A calendar month 15 months back in which no contract has a {self.signed_field}, so 'which rep "
                "closed fastest in <that month>' has the answer None. Planted by keeping signature dates at "
                "least 3 days away from the month."
            ),
            truth={"rep_id": None, "month_start": window[0].isoformat(), "month_end": window[1].isoformat()},
            check_sql=QUIET_SQL.format(field=self.signed_field),
            expected=[[0]],
            params=_iso(window),
        )

    def territory(self) -> Latent:
        p, window = self.p, self.p.windows.territory
        days: Counter[str] = Counter()
        count: Counter[str] = Counter()
        for deal in p.deals:
            if deal.won and within(deal.close, window):
                territory = p.territory_of[deal.account["Id"]]
                days[territory] += (deal.close - deal.created.date()).days
                count[territory] += 1
        rows: list[list[Any]] = sorted(([t, count[t], days[t]] for t in count), key=lambda r: (r[2] / r[1], r[0]))
        clear = len(rows) < 2 or _avg(rows[0], 2, 1) + TERRITORY_MARGIN_DAYS <= _avg(rows[1], 2, 1)
        winner = rows[0][0] if rows and clear else None
        return Latent(
            name="territory.fastest_close",
            tasks=("best_region_identification", "sales_cycle_understanding"),
            description=(
                "The territory (matched through the account's ShippingState against Territory2.Description) "
                "whose won opportunities closed in the past 4 quarters have the shortest average days from "
                "CreatedDate to CloseDate. Planted by giving that territory's won deals 18-32 day cycles "
                "against 50-150 elsewhere."
            ),
            truth={
                "territory_id": winner,
                "window_start": window[0].isoformat(),
                "window_end": window[1].isoformat(),
                "avg_days": _avg(rows[0], 2, 1) if rows else None,
                "runner_up_avg_days": _avg(rows[1], 2, 1) if len(rows) > 1 else None,
            },
            check_sql=TERRITORY_SQL,
            expected=rows,
            params=_iso(window),
        )

    def amount(self) -> Latent:
        p, window = self.p, self.p.windows.amount
        totals = order_totals(p)
        rows: list[list[Any]] = sorted(([rep, cents] for rep, cents in totals.items()), key=lambda r: (-r[1], r[0]))
        clear = len(rows) < 2 or rows[0][1] >= 1.2 * rows[1][1]
        return Latent(
            name="sales_amount.top_rep",
            tasks=("sales_amount_understanding",),
            description=(
                "The rep whose orders with an EffectiveDate in the past 5 months add up to the most "
                "(sum of OrderItem Quantity * UnitPrice; amounts in cents in the check). Planted by moving "
                "in-window consumer orders of the rep's territories to them and, if needed, raising the "
                "quantity on one of their in-window won deals until they lead by 20%. Orders of deals signed "
                "just before the window start on the signature date, so the contract-date reading agrees."
            ),
            truth={
                "rep_id": rows[0][0] if rows and clear else None,
                "window_start": window[0].isoformat(),
                "window_end": window[1].isoformat(),
                "amount": rows[0][1] / 100 if rows else None,
                "runner_up_amount": rows[1][1] / 100 if len(rows) > 1 else None,
            },
            check_sql=AMOUNT_SQL,
            expected=rows,
            params=_iso(window),
        )

    def conversion(self) -> Latent:
        window = self.p.windows.conversion
        leads: Counter[str] = Counter()
        converted: Counter[str] = Counter()
        for lead in self.p.leads:
            if within(lead.created.date(), window):
                leads[lead.owner_id] += 1
                if lead.deal is not None and within(lead.deal.created.date(), window):
                    converted[lead.owner_id] += 1
        rows: list[list[Any]] = sorted(
            ([rep, n, converted[rep]] for rep, n in leads.items() if n >= 3), key=lambda r: (r[2] / r[1], r[0])
        )

        def rate(row: list[Any]) -> float:
            return float(row[2]) / float(row[1])

        low_clear = len(rows) >= 2 and rate(rows[0]) + CONVERSION_MARGIN <= rate(rows[1])
        high_clear = len(rows) >= 2 and rate(rows[-2]) + CONVERSION_MARGIN <= rate(rows[-1])
        return Latent(
            name="conversion.extreme_reps",
            tasks=("conversion_rate_comprehension",),
            description=(
                "Lead conversion over the past 4 quarters (leads created in the window, converted in the "
                "window; reps with fewer than 3 such leads ignored): one rep converts none, one converts at "
                "least 80%, everyone else 25-55%. Planted by deciding per rep which of their in-window deals "
                "came from a lead and how many unconverted leads they also hold."
            ),
            truth={
                "lowest_rep_id": rows[0][0] if low_clear else None,
                "highest_rep_id": rows[-1][0] if high_clear else None,
                "window_start": window[0].isoformat(),
                "window_end": window[1].isoformat(),
                "min_leads": 3,
            },
            check_sql=CONVERSION_SQL,
            expected=rows,
            params=_iso(window) + _iso(window),
        )

    def routing(self) -> Latent:
        p, g = self.p, self.g
        lead = self.leads.routing_lead
        assert lead is not None and lead.record is not None
        territory = next(t for t in g.cast.territories if lead.state in t["Description"].split(","))
        memberships = g.rows["UserTerritory2Association"]
        reps = sorted({a["UserId"] for a in memberships if a["Territory2Id"] == territory["Id"]})
        accepted = Counter(d.owner["Id"] for d in p.deals if d.quote_status == "Accepted")
        open_leads = Counter(lead.owner_id for lead in p.leads if not lead.converted)
        rows: list[list[Any]] = [[r, accepted[r], open_leads[r]] for r in reps]
        rows.sort(key=lambda r: (-r[1], r[2], r[0]))
        clear = len(rows) < 2 or (rows[0][1], -rows[0][2]) > (rows[1][1], -rows[1][2])
        tied = [r[0] for r in rows if r[1] == rows[0][1]]
        return Latent(
            name="lead_routing.best_rep",
            tasks=("lead_routing",),
            description=(
                "Routing a new lead: among the reps of the territory whose Description lists the lead's region, "
                "the most Accepted quotes (through the quote's opportunity owner), then the fewest unconverted "
                "leads. Planted as a tie on Accepted quotes between the territory's two best reps (by accepting "
                "their presented quotes or adding accepted negotiations) broken by open leads. The lead itself "
                "is new and owned by the admin (no region field: the region is in the truth)."
            ),
            truth={
                "lead_id": lead.record["Id"],
                "region": lead.state,
                "territory_id": territory["Id"],
                "rep_id": rows[0][0] if clear else None,
                "tied_on_quotes": tied,
            },
            check_sql=ROUTING_SQL,
            expected=rows,
            params=[lead.state],
        )

    # -- per-record truths --------------------------------------------------------------------

    def bant(self) -> Latent:
        planted = {
            lead.record["Id"]: sorted(lead.failing)
            for lead in self.p.leads
            if lead.failing is not None and lead.record is not None
        }
        rows: list[list[Any]] = []
        for lead_id in sorted(planted):
            rows += [[lead_id, f] for f in planted[lead_id]] or [[lead_id, None]]
        return Latent(
            name="lead_qualification.bant_failures",
            tasks=("lead_qualification",),
            description=(
                "Leads whose most recent call transcript (latest EndTime__c) shows exactly which BANT factors "
                "fail; an empty list means the lead qualifies (answer None). Earlier calls carry other, "
                "superseded signals. Each failing line contains its factor's marker phrase "
                f"({', '.join(repr(m) for m in BANT_MARKERS.values())}); passing lines never do."
            ),
            truth={"leads": planted, "markers": dict(BANT_MARKERS)},
            check_sql=BANT_SQL.format(body=self.body),
            expected=rows,
            params=[json.dumps(sorted(planted)), json.dumps(BANT_MARKERS)],
        )

    def wrong_stage(self) -> Latent:
        truth: dict[str, str | None] = {}
        rows: list[list[Any]] = []
        for deal, correct in self.tasks.wrong_stage.values():
            assert deal.opp is not None
            truth[deal.opp["Id"]] = correct
            n = sum(1 for t in self.tasks.tasks if t.deal is deal)
            rows.append([deal.opp["Id"], deal.stage_name, deal.stage, n])
        rows.sort()
        return Latent(
            name="stage.wrong_stage",
            tasks=("wrong_stage_rectification",),
            description=(
                "Open opportunities whose StageName was set to another open stage while every task belongs to "
                "the true stage (truth: the true stage), plus correct ones (truth: None). Task subjects map to "
                "stages one to one (the check passes the map)."
            ),
            truth={"opportunities": truth},
            check_sql=STAGE_SQL,
            expected=rows,
            params=[json.dumps(SUBJECT_STAGE), json.dumps(sorted(truth))],
        )

    def activity(self) -> Latent:
        truth: dict[str, list[str]] = {}
        for deal in self.tasks.activity.values():
            assert deal.opp is not None
            truth[deal.opp["Id"]] = sorted(
                t.record["Id"] for t in self.tasks.tasks if t.deal is deal and t.mismatch and t.record is not None
            )
        rows = [[opp, task] for opp in sorted(truth) for task in truth[opp]]
        return Latent(
            name="activity.mismatched_tasks",
            tasks=("activity_priority",),
            description=(
                "Open opportunities with 'Not Started' tasks of another stage than StageName (truth: their "
                "Ids; an empty list means None). On every other deal open tasks match the stage and only "
                "completed tasks may belong to earlier stages."
            ),
            truth={"opportunities": truth},
            check_sql=ACTIVITY_SQL,
            expected=rows,
            params=[json.dumps(SUBJECT_STAGE), json.dumps(sorted(truth))],
        )

    def policy(self, articles: dict[str, dict[str, Any]]) -> Latent:
        p = self.p
        rules: tuple[Rule, ...] = p.rules
        truth: dict[str, str | None] = {}
        rows: list[list[Any]] = []
        for deal in p.deals:
            if deal.quote is None:
                continue
            broken = violations(rules, deal.lines)
            rows += [[deal.quote["Id"], articles[key]["Id"]] for key in broken]
            if id(deal) in p.policy:
                key = p.policy[id(deal)]
                assert broken == ([key] if key else []), (key, broken)
                truth[deal.quote["Id"]] = articles[key]["Id"] if key else None
            elif broken:
                raise AssertionError(f"unplanted quote breaks {broken}")
        rows.sort()
        return Latent(
            name="quote.policy_violations",
            tasks=("quote_approval", "invalid_config"),
            description=(
                "Company quote policies as Knowledge__kav articles (discount ceilings per category group, "
                "minimum and maximum quantities, a bundle requirement, an add-on-only category, price book "
                "prices only). Pending quotes that break exactly one rule (truth: that article's Id) and "
                "pending quotes that comply (truth: None); every other quote complies too, so the check lists "
                "every violation in the org."
            ),
            truth={
                "quotes": truth,
                "articles": {key: record["Id"] for key, record in articles.items()},
            },
            check_sql=POLICY_SQL,
            expected=rows,
            params=[json.dumps([rule.to_json(articles[rule.key]["Id"]) for rule in rules])],
        )

    def sentiment(self) -> Latent:
        truth: dict[str, dict[str, list[str]]] = {}
        rows: list[list[Any]] = []
        for deal, negative, positive in self.calls.insight.values():
            assert deal.opp is not None
            truth[deal.opp["Id"]] = {"negative": negative, "positive": positive}
            rows += [[deal.opp["Id"], "negative", t] for t in negative]
            rows += [[deal.opp["Id"], "positive", t] for t in positive]
        rows.sort()
        markers = {t.name: [t.negative_marker, t.positive_marker] for t in SUBTOPICS[self.g.org]}
        return Latent(
            name="insight.subtopic_sentiment",
            tasks=("sales_insight_mining",),
            description=(
                "Opportunities whose call transcripts discuss a fixed set of subtopics, each always with the "
                "same sentiment (truth: negative and positive subtopic names; an empty negative list means "
                "None). Sentiment lines carry a marker phrase per subtopic and polarity."
            ),
            truth={"opportunities": truth, "markers": markers},
            check_sql=SENTIMENT_SQL.format(body=self.body),
            expected=rows,
            params=[json.dumps(sorted(truth)), json.dumps(markers)],
        )
