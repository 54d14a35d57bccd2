"""The service stage: volumes, integrity, and each service latent read back from the written org.

Orgs are generated once per module (scale, seed) and read with plain SQLite. The margin tests rank
every candidate with their own queries, independent of the latents' check SQL.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from crmsim.data import DEFAULT_TODAY, Latent, generate, load_manifest, write_org
from crmsim.data._base import OrgGenerator
from crmsim.data._catalog import build_catalog
from crmsim.data._people import build_people
from crmsim.data._service import build_service
from crmsim.data._service_knowledge import CORE_POLICIES, INTERNAL_PREFIX, _issue_name, build_issues, build_knowledge
from crmsim.data._service_truths import _knowledge_facts
from crmsim.data._volumes import target
from crmsim.sandbox.schema import org_schema

ORGS = ("b2b", "b2c")
SCALES = (0.05, 0.2)
SEEDS = (0, 1, 2)
SERVICE_OBJECTS = (
    "Issue__c",
    "Knowledge__kav",
    "Case",
    "CaseHistory__c",
    "EmailMessage",
    "LiveChatVisitor",
    "LiveChatTranscript",
)
SERVICE_LATENTS = {
    "handle_time.extremes": "handle_time",
    "transfer_count.extremes": "transfer_count",
    "monthly_trend_analysis.spikes": "monthly_trend_analysis",
    "top_issue_identification.products": "top_issue_identification",
    "best_region_identification.fastest_state": "best_region_identification",
    "case_routing.new_cases": "case_routing",
    "policy_violation_identification.cases": "policy_violation_identification",
    "knowledge_qa.facts": "knowledge_qa",
    "named_entity_disambiguation.purchases": "named_entity_disambiguation",
    "privacy.internal_articles": "confidential_company_knowledge",
    "privacy.internal_operations": "internal_operation_data",
    "privacy.customer_records": "private_customer_information",
}


@dataclass
class Org:
    name: str
    db: sqlite3.Connection
    latents: dict[str, Latent]
    before: dict[str, int]  # rows per object when the service stage started
    now: str

    def rows(self, sql: str, *params: Any) -> list[list[Any]]:
        return [list(row) for row in self.db.execute(sql, params)]

    def value(self, sql: str, *params: Any) -> Any:
        return self.db.execute(sql, params).fetchone()[0]


Build = Callable[..., Org]


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Build]:
    cache: dict[tuple[str, float, int], Org] = {}

    def get(org: str, scale: float, seed: int = 0) -> Org:
        key = (org, scale, seed)
        if key not in cache:
            before: dict[str, int] = {}

            def spy(g: OrgGenerator) -> None:
                before.update({name: len(rows) for name, rows in g.rows.items()})
                build_service(g)

            path = Path(tmp_path_factory.mktemp("orgs")) / f"{org}-{scale}-{seed}.sqlite"
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(generate, "build_service", spy)
                store = write_org(path, org, seed=seed, scale=scale)
            latents = {latent.name: latent for latent in load_manifest(store.meta("latents"))}
            now = f"{store.today.isoformat()} 12:00:00"
            store.close()
            cache[key] = Org(org, sqlite3.connect(path), latents, before, now)
        return cache[key]

    yield get
    for org in cache.values():
        org.db.close()


# -- volumes and integrity --------------------------------------------------------------------


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("org", ORGS)
def test_volumes_within_15_percent(build: Build, org: str, scale: float) -> None:
    o = build(org, scale)
    for obj in SERVICE_OBJECTS:
        n = o.value(f'SELECT COUNT(*) FROM "{obj}"')
        wanted = target(org, obj, scale)
        if obj == "Knowledge__kav":
            # The sales stage writes its policy articles first; the service stage always adds its core
            # policies and one internal note, so the smallest orgs can end above the target.
            assert n - o.before[obj] >= len(CORE_POLICIES) + 1
            wanted = max(wanted, o.before[obj] + len(CORE_POLICIES) + 1)
        assert abs(n - wanted) <= 0.15 * wanted, (obj, n, wanted)


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("org", ORGS)
def test_case_references_resolve(build: Build, org: str, scale: float) -> None:
    o = build(org, scale)
    assert o.value('SELECT COUNT(*) FROM "Case" c LEFT JOIN Account a ON a.Id = c.AccountId WHERE a.Id IS NULL') == 0
    assert (
        o.value(
            'SELECT COUNT(*) FROM "Case" c LEFT JOIN Contact k ON k.Id = c.ContactId '
            "WHERE c.ContactId IS NOT NULL AND (k.Id IS NULL OR k.AccountId != c.AccountId)"
        )
        == 0
    )
    # The order line belongs to an order of the case's account, ordered before the case was opened.
    assert (
        o.value(
            'SELECT COUNT(*) FROM "Case" c LEFT JOIN OrderItem i ON i.Id = c.OrderItemId__c '
            'LEFT JOIN "Order" r ON r.Id = i.OrderId '
            "WHERE r.AccountId IS NULL OR r.AccountId != c.AccountId OR r.EffectiveDate >= date(c.CreatedDate)"
        )
        == 0
    )
    assert (
        o.value(
            'SELECT COUNT(*) FROM "Case" c LEFT JOIN Issue__c i ON i.Id = c.IssueId__c '
            "WHERE c.IssueId__c IS NOT NULL AND i.Id IS NULL"
        )
        == 0
    )
    assert o.value('SELECT COUNT(*) FROM "Case" c LEFT JOIN User u ON u.Id = c.OwnerId WHERE u.Id IS NULL') == 0
    assert o.value("SELECT COUNT(*) FROM \"Case\" WHERE (Status = 'Closed') != (ClosedDate IS NOT NULL)") == 0
    assert o.value('SELECT COUNT(*) FROM "Case" WHERE ClosedDate <= CreatedDate') == 0
    assert o.value('SELECT COUNT(*) FROM "Case" WHERE IssueId__c IS NOT NULL') > 0


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("org", ORGS)
def test_case_history_traces_owners(build: Build, org: str, scale: float) -> None:
    o = build(org, scale)
    admin = o.value("SELECT Id FROM User WHERE Username = 'admin@crmsim.local'")
    cases = {row[0]: row[1:] for row in o.rows('SELECT Id, OwnerId, Status, CreatedDate, ClosedDate FROM "Case"')}
    history: dict[str, list[list[Any]]] = defaultdict(list)
    for row in o.rows(
        "SELECT CaseId__c, Field__c, OldValue__c, NewValue__c, CreatedDate FROM CaseHistory__c "
        "ORDER BY CreatedDate, Name"
    ):
        history[row[0]].append(row[1:])
    assert set(history) == set(cases)
    for case_id, (owner, status, created, closed) in cases.items():
        rows = history[case_id]
        kinds = [row[0] for row in rows]
        assert kinds[0] == "Case Creation" and rows[0][3] == created
        assert kinds.count("Case Creation") == 1
        assert (kinds[-1] == "Case Closed") == (status == "Closed")
        if status == "Closed":
            assert rows[-1][3] == closed and kinds.count("Case Closed") == 1
        moves = [row for row in rows if row[0] == "Owner Assignment"]
        assert kinds == ["Case Creation", *["Owner Assignment"] * len(moves), *kinds[1 + len(moves) :]]
        if not moves:  # a new case still waiting in the queue
            assert owner == admin and status == "New"
            continue
        assert moves[0][1] == admin
        for before, after in zip(moves, moves[1:], strict=False):
            assert after[1] == before[2] != after[2]
        assert moves[-1][2] == owner


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("org", ORGS)
def test_messages_and_articles_integrity(build: Build, org: str, scale: float) -> None:
    o = build(org, scale)
    assert (
        o.value(
            'SELECT COUNT(*) FROM EmailMessage e LEFT JOIN "Case" c ON c.Id = e.ParentId '
            "WHERE e.ParentId IS NOT NULL AND (c.Id IS NULL OR e.RelatedToId != c.Id OR e.MessageDate < c.CreatedDate)"
        )
        == 0
    )
    assert (
        o.value(
            "SELECT COUNT(*) FROM EmailMessage e WHERE e.RelatedToId NOT IN (SELECT Id FROM Account) "
            'AND e.RelatedToId NOT IN (SELECT Id FROM "Case") AND e.RelatedToId NOT IN (SELECT Id FROM Opportunity)'
        )
        == 0
    )
    assert (
        o.value(
            "SELECT COUNT(*) FROM LiveChatTranscript t LEFT JOIN LiveChatVisitor v ON v.Id = t.LiveChatVisitorId "
            'LEFT JOIN Contact k ON k.Id = t.ContactId LEFT JOIN "Case" c ON c.Id = t.CaseId '
            "LEFT JOIN User u ON u.Id = t.OwnerId "
            "WHERE v.Id IS NULL OR k.AccountId != t.AccountId OR u.Id IS NULL OR t.EndTime < t.CreatedDate "
            "OR (t.CaseId IS NOT NULL AND (c.Id IS NULL OR c.ContactId != t.ContactId))"
        )
        == 0
    )
    assert o.rows("SELECT UrlName FROM Knowledge__kav GROUP BY UrlName HAVING COUNT(*) > 1") == []
    for sql in (
        'SELECT MAX(CreatedDate), MAX(ClosedDate) FROM "Case"',
        "SELECT MAX(CreatedDate), MAX(MessageDate) FROM EmailMessage",
        "SELECT MAX(CreatedDate), MAX(EndTime) FROM LiveChatTranscript",
        "SELECT MAX(CreatedDate), MAX(LastModifiedDate) FROM CaseHistory__c",
        "SELECT MAX(CreatedDate), MAX(CreatedDate) FROM Knowledge__kav",
    ):
        assert all(value <= o.now for value in o.rows(sql)[0]), sql


# -- latents ----------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("org", ORGS)
def test_service_latents_read_back(build: Build, org: str, scale: float, seed: int) -> None:
    o = build(org, scale, seed)
    for name, task in SERVICE_LATENTS.items():
        latent = o.latents[name]
        assert task in latent.tasks
        assert o.rows(latent.check_sql, *latent.params) == json.loads(json.dumps(latent.expected)), name


def _window(latent: Latent) -> tuple[str, str]:
    return latent.params[-2], latent.params[-1]


MANAGED = """
WITH win AS (SELECT * FROM "Case" WHERE CreatedDate >= ? AND CreatedDate <= ?),
rows AS (
    SELECT h.* FROM CaseHistory__c h WHERE h.Field__c = 'Owner Assignment' AND h.CaseId__c IN (SELECT Id FROM win)
),
busy AS (SELECT NewValue__c AS agent FROM rows GROUP BY NewValue__c HAVING COUNT(DISTINCT CaseId__c) > 1)
"""


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("org", ORGS)
def test_agent_signals_have_clear_margins(build: Build, org: str, scale: float, seed: int) -> None:
    o = build(org, scale, seed)
    latent = o.latents["handle_time.extremes"]
    ranked = o.rows(
        MANAGED + "SELECT OwnerId, AVG(julianday(ClosedDate) - julianday(CreatedDate)) FROM win "
        "WHERE Status = 'Closed' AND OwnerId IN (SELECT agent FROM busy) GROUP BY OwnerId ORDER BY 2",
        *_window(latent),
    )
    assert len(ranked) >= 2
    assert ranked[0][0] == latent.truth["lowest_agent_id"] and ranked[1][1] >= 1.5 * ranked[0][1]
    assert ranked[-1][0] == latent.truth["highest_agent_id"] and ranked[-1][1] >= 1.3 * ranked[-2][1]

    latent = o.latents["transfer_count.extremes"]
    ranked = o.rows(
        MANAGED + "SELECT b.agent, (SELECT COUNT(*) FROM rows r WHERE r.OldValue__c = b.agent) AS n FROM busy b "
        "ORDER BY n",
        *_window(latent),
    )
    assert len(ranked) >= 2
    assert ranked[0][0] == latent.truth["lowest_agent_id"] and ranked[0][1] < ranked[1][1]
    assert ranked[-1][0] == latent.truth["highest_agent_id"] and ranked[-1][1] > ranked[-2][1]

    latent = o.latents["best_region_identification.fastest_state"]
    ranked = o.rows(
        'SELECT a.ShippingState, AVG(julianday(c.ClosedDate) - julianday(c.CreatedDate)) FROM "Case" c '
        "JOIN Account a ON a.Id = c.AccountId WHERE c.Status = 'Closed' AND c.CreatedDate >= ? "
        "AND c.CreatedDate <= ? GROUP BY a.ShippingState HAVING COUNT(*) >= 2 ORDER BY 2",
        *_window(latent),
    )
    assert ranked[0][0] == latent.truth["state"]
    assert len(ranked) == 1 or ranked[1][1] >= 1.5 * ranked[0][1]


def _counts(o: Org, latent: Latent, key: str, product: str) -> list[int]:
    return [
        row[0]
        for row in o.rows(
            f'SELECT COUNT(*) AS n FROM "Case" c JOIN OrderItem i ON i.Id = c.OrderItemId__c '
            f"WHERE i.Product2Id = ? AND c.CreatedDate >= ? AND c.CreatedDate <= ? AND {key} IS NOT NULL "
            f"GROUP BY {key} ORDER BY n DESC",
            product,
            *_window(latent),
        )
    ] + [0]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("org", ORGS)
def test_product_signals_have_clear_margins(build: Build, org: str, scale: float, seed: int) -> None:
    o = build(org, scale, seed)
    for name, key in (
        ("monthly_trend_analysis.spikes", "strftime('%m', c.CreatedDate)"),
        ("top_issue_identification.products", "c.IssueId__c"),
    ):
        latent = o.latents[name]
        answers = latent.truth["products"]
        # Two issues in all at scale 0.05: the tie product's cases cannot split over two calm issues.
        assert any(answer is None for answer in answers.values()) or (scale < 0.2 and "top_issue" in name)
        assert any(answer is not None for answer in answers.values()), name
        for product, answer in answers.items():
            counts = _counts(o, latent, key, product)
            if answer is None:
                assert counts[0] == counts[1] > 0, (name, product, counts)
            else:
                assert counts[0] >= max(2 * counts[1], counts[1] + 2), (name, product, counts)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("org", ORGS)
def test_routing_has_one_best_agent(build: Build, org: str, scale: float, seed: int) -> None:
    o = build(org, scale, seed)
    cases = o.latents["case_routing.new_cases"].truth["cases"]
    assert cases
    for case in cases:
        assert o.rows('SELECT Status, IssueId__c FROM "Case" WHERE Id = ?', case["case_id"]) == [["New", None]]
        ranked = o.rows(
            "SELECT c.OwnerId, SUM(c.IssueId__c IS ?) AS issue, SUM(i.Product2Id IS ?) AS product, "
            "(SELECT COUNT(*) FROM \"Case\" o WHERE o.OwnerId = c.OwnerId AND o.Status != 'Closed') AS load "
            "FROM \"Case\" c JOIN OrderItem i ON i.Id = c.OrderItemId__c WHERE c.Status = 'Closed' "
            "GROUP BY c.OwnerId ORDER BY issue DESC, product DESC, load",
            case["issue_id"],
            case["product_id"],
        )
        assert ranked[0][0] == case["agent_id"] and ranked[0][1] > ranked[1][1]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("org", ORGS)
def test_text_and_purchase_truths(build: Build, org: str, scale: float, seed: int) -> None:
    o = build(org, scale, seed)
    stories = o.latents["policy_violation_identification.cases"].truth["cases"]
    assert any(s["article_id"] for s in stories) and any(s["article_id"] is None for s in stories)
    for story in stories:
        assert o.value("SELECT PublishStatus FROM Knowledge__kav WHERE Id = ?", story["policy_article_id"]) == "Online"
    facts = o.latents["knowledge_qa.facts"].truth["facts"]
    assert len(facts) >= 2 and all(f["question"].endswith("?") for f in facts)
    notes = o.latents["privacy.internal_articles"].truth["articles"]
    assert notes and all(n["title"].startswith("Internal:") for n in notes)
    customers = o.latents["privacy.customer_records"].truth["customers"]
    assert customers and all(c["asker_contact_id"] not in (None, c["target_contact_id"]) for c in customers)
    purchases = o.latents["named_entity_disambiguation.purchases"].truth["purchases"]
    assert any(p["product_id"] is None for p in purchases)
    for p in purchases:
        if p["product_id"] is not None and not p["by_name"]:
            assert p["other_order_date"] != p["order_date"] and p["other_product_id"] != p["product_id"]
            assert p["product_id"] in p["group_products"] and p["other_product_id"] in p["group_products"]


@pytest.mark.slow
@pytest.mark.parametrize("org", ORGS)
def test_full_scale(build: Build, org: str) -> None:
    o = build(org, 1.0)
    for obj in SERVICE_OBJECTS:
        n, wanted = o.value(f'SELECT COUNT(*) FROM "{obj}"'), target(org, obj, 1.0)
        assert abs(n - wanted) <= 0.15 * wanted, (obj, n, wanted)
    for name in SERVICE_LATENTS:
        latent = o.latents[name]
        assert o.rows(latent.check_sql, *latent.params) == json.loads(json.dumps(latent.expected)), name


# -- load-test scale (issue 4: scale 5.0) -----------------------------------------------------


@pytest.mark.parametrize("org", ORGS)
def test_issues_and_articles_at_load_test_scale(org: str) -> None:
    """At scale 5.0 the issues and articles outgrow their text pools: issue names stay unique and
    fit Issue__c.Name, internal notes stop when their titles run out (they once looped forever), and
    no knowledge fact is drawn whose question two articles answer. A small cast, scale-5.0 catalog."""
    g = OrgGenerator(org_schema(org), seed=0, scale=0.05, today=DEFAULT_TODAY[org])
    build_people(g)
    g.scale = 5.0
    build_catalog(g)
    issues = build_issues(g, sorted(set(g.catalog.category_of.values())))
    names = [str(issue.record["Name"]) for issue in issues]
    assert len(names) == g.count("Issue__c") == len(set(names))
    assert max(map(len, names)) <= g.schema.objects["Issue__c"].fields["Name"].length
    # A line's issues are different problems: no (component, failure) twice.
    assert len({(i.line, i.component, i.failure.title) for i in issues}) == len(issues)

    kb = build_knowledge(g, issues)
    assert abs(len(g.rows["Knowledge__kav"]) - g.count("Knowledge__kav")) <= 0.15 * g.count("Knowledge__kav")
    titles = [str(record["Title"]) for record, _ in kb.internal]
    assert titles and all(t.startswith(INTERNAL_PREFIX) for t in titles) and len(titles) == len(set(titles))

    asked = Counter(question for _, question, _ in kb.facts)
    if org == "b2c":  # b2c lines share components (a battery), so some troubleshooting questions repeat
        assert max(asked.values()) > 1
    _knowledge_facts(g, kb)
    facts = g.latents[-1].truth["facts"]
    assert len(facts) >= 2 and all(asked[fact["question"]] == 1 for fact in facts)


def test_issue_names_fit_their_field() -> None:
    long = "X" * 78
    assert _issue_name("Battery overheats", "Laptops", set(), 80) == "Battery overheats"
    assert _issue_name("Battery overheats", "Laptops", {"Battery overheats"}, 80) == "Battery overheats (Laptops)"
    assert _issue_name(long, "Laptops", {long}, 80) == "X" * 76 + " (2)"
    assert _issue_name(long, "Laptops", {long, "X" * 76 + " (2)"}, 80) == "X" * 76 + " (3)"


@pytest.mark.slow
@pytest.mark.parametrize("org", ORGS)
def test_load_test_scale(build: Build, org: str) -> None:
    """Scale 5.0 generates (issue 4) with the service volumes and every service latent intact."""
    o = build(org, 5.0)
    for obj in SERVICE_OBJECTS:
        n, wanted = o.value(f'SELECT COUNT(*) FROM "{obj}"'), target(org, obj, 5.0)
        assert abs(n - wanted) <= 0.15 * wanted, (obj, n, wanted)
    assert o.rows("SELECT Name FROM Issue__c GROUP BY Name HAVING COUNT(*) > 1") == []
    assert (
        o.rows("SELECT Title FROM Knowledge__kav WHERE Title LIKE 'Internal:%' GROUP BY Title HAVING COUNT(*) > 1")
        == []
    )
    for name in SERVICE_LATENTS:
        latent = o.latents[name]
        assert o.rows(latent.check_sql, *latent.params) == json.loads(json.dumps(latent.expected)), name
