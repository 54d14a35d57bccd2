"""The small seed dataset: complete, consistent, deterministic. Read back with plain sqlite3."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from crmsim.sandbox.ids import is_id
from crmsim.sandbox.schema import FieldType, OrgSchema, org_schema
from crmsim.sandbox.seed import (
    ADMIN_USERNAME,
    DEFAULT_TODAY,
    FIXTURE_ACCOUNT_NAME,
    FIXTURE_APOSTROPHE_NAME,
    FIXTURE_ARTICLE_TITLE,
    FIXTURE_PERCENT_SUBJECT,
    FIXTURE_PRODUCT_PHRASE,
    FIXTURE_UNDERSCORE_CODE,
    FIXTURE_UNICODE_NAME,
    seed_org,
    seed_rows,
)

ORGS = ("b2b", "b2c")


def seed(path: Path, org: str, **kwargs: Any) -> Path:
    seed_org(path, org, **kwargs).close()
    return path


def q(conn: sqlite3.Connection, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    return conn.execute(sql, params).fetchall()


def dump(path: Path, schema: OrgSchema) -> dict[str, list[tuple[Any, ...]]]:
    with closing(sqlite3.connect(path)) as conn:
        return {name: q(conn, f'SELECT * FROM "{name}" ORDER BY Id') for name in schema.objects}


@pytest.fixture(scope="module", params=ORGS)
def org(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def db(org: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed(tmp_path_factory.mktemp(org) / f"{org}.db", org)


@pytest.fixture
def conn(db: Path) -> Iterator[sqlite3.Connection]:
    with closing(sqlite3.connect(db)) as connection:
        yield connection


def test_every_object_has_rows(org: str, conn: sqlite3.Connection) -> None:
    for name in org_schema(org).objects:
        assert q(conn, f'SELECT COUNT(*) FROM "{name}"')[0][0] > 0, name


def test_roughly_the_advertised_sizes(conn: sqlite3.Connection) -> None:
    counts = {name: q(conn, f'SELECT COUNT(*) FROM "{name}"')[0][0]
              for name in ("User", "Account", "Contact", "Case", "Opportunity", "Product2",
                           "Knowledge__kav", "Issue__c", "Order")}
    assert counts["User"] == 13 and counts["Account"] == 25 and counts["Product2"] == 15
    assert counts["Case"] == 60 and counts["Opportunity"] == 30 and counts["Issue__c"] == 8
    assert counts["Knowledge__kav"] == 12 and counts["Contact"] >= 25 and counts["Order"] >= 30


def test_ids_are_valid_unique_and_carry_the_object_prefix(org: str,
                                                           conn: sqlite3.Connection) -> None:
    seen: set[str] = set()
    for name, obj in org_schema(org).objects.items():
        for (record_id,) in q(conn, f'SELECT Id FROM "{name}"'):
            assert len(record_id) == 18 and is_id(record_id), record_id
            assert record_id.startswith(obj.keyPrefix), (name, record_id)
            assert record_id.lower() not in seen
            seen.add(record_id.lower())


def test_every_reference_points_at_an_existing_row(org: str, conn: sqlite3.Connection) -> None:
    schema = org_schema(org)
    ids = {name: {row[0] for row in q(conn, f'SELECT Id FROM "{name}"')}
           for name in schema.objects}
    checked = 0
    for name, obj in schema.objects.items():
        for field in obj.fields.values():
            if field.type is not FieldType.REFERENCE:
                continue
            targets = set().union(*(ids[t] for t in field.referenceTo or []))
            for (value,) in q(conn, f'SELECT "{field.name}" FROM "{name}" '
                                    f'WHERE "{field.name}" IS NOT NULL'):
                assert value in targets, f"{name}.{field.name} = {value}"
                checked += 1
    assert checked > 1000


def test_required_and_computed_fields_are_filled(org: str, conn: sqlite3.Connection) -> None:
    for name, obj in org_schema(org).objects.items():
        for field in obj.fields.values():
            if field.required or field.computed or field.autonumber or field.system:
                nulls = q(conn, f'SELECT COUNT(*) FROM "{name}" WHERE "{field.name}" IS NULL')
                assert nulls == [(0,)], f"{name}.{field.name}"


def test_owned_objects_have_owners(org: str, conn: sqlite3.Connection) -> None:
    for name, obj in org_schema(org).objects.items():
        if obj.owned:
            assert q(conn, f'SELECT COUNT(*) FROM "{name}" WHERE OwnerId IS NULL')[0][0] == 0


def test_picklists_hold_allowed_values_only(org: str, conn: sqlite3.Connection) -> None:
    for name, obj in org_schema(org).objects.items():
        for field in obj.fields.values():
            if field.type is FieldType.PICKLIST:
                used = {v for (v,) in q(conn, f'SELECT DISTINCT "{field.name}" FROM "{name}"')}
                assert used - {None} <= set(field.values or []), f"{name}.{field.name}"


def test_autonumbers_are_unique_and_formatted(conn: sqlite3.Connection) -> None:
    numbers = [n for (n,) in q(conn, 'SELECT CaseNumber FROM "Case" ORDER BY Id')]
    assert numbers[0] == "00001001" and len(set(numbers)) == len(numbers)
    assert q(conn, "SELECT Name FROM CaseHistory__c ORDER BY Id LIMIT 1") == [("CH-0001",)]
    for table, column in (("Order", "OrderNumber"), ("Contract", "ContractNumber"),
                          ("OrderItem", "OrderItemNumber"), ("Knowledge__kav", "ArticleNumber")):
        values = [v for (v,) in q(conn, f'SELECT "{column}" FROM "{table}"')]
        assert all(v.isdigit() for v in values) and len(set(values)) == len(values), table


def test_timestamps_are_ordered_and_never_after_today(org: str,
                                                      conn: sqlite3.Connection) -> None:
    today = DEFAULT_TODAY[org].isoformat()
    assert q(conn, "SELECT value FROM _crmsim_meta WHERE key = 'today'") == [(today,)]
    for name in org_schema(org).objects:
        rows = q(conn, f'SELECT CreatedDate, LastModifiedDate, SystemModstamp, IsDeleted '
                       f'FROM "{name}"')
        for created, modified, stamp, deleted in rows:
            assert len(created) == 19 and created[:10] <= today, (name, created)
            assert created <= modified == stamp and modified[:10] <= today, name
            assert deleted == 0
    oldest = q(conn, 'SELECT MIN(CreatedDate) FROM "Case"')[0][0]
    assert oldest < "2023-01-01"  # spread over about two years


def test_cases_close_after_they_open(conn: sqlite3.Connection) -> None:
    rows = q(conn, 'SELECT Status, CreatedDate, ClosedDate FROM "Case"')
    assert {status for status, _, _ in rows} >= {"New", "Closed"}
    for status, created, closed in rows:
        assert (closed is not None) == (status == "Closed")
        if closed is not None:
            assert closed >= created


def test_case_history_tells_the_owner_story(conn: sqlite3.Connection) -> None:
    users = {u for (u,) in q(conn, 'SELECT Id FROM "User"')}
    for case_id, owner, created, closed in q(conn, 'SELECT Id, OwnerId, CreatedDate, ClosedDate '
                                                   'FROM "Case"'):
        history = q(conn, "SELECT Field__c, OldValue__c, NewValue__c, CreatedDate "
                          "FROM CaseHistory__c WHERE CaseId__c = ? ORDER BY CreatedDate, Name",
                    case_id)
        assert history[0][0] == "Case Creation" and history[0][3] == created
        transfers = [h for h in history if h[0] == "Owner Assignment"]
        for _, old, new, _ in transfers:
            assert old in users and new in users and old != new
        if transfers:
            assert transfers[-1][2] == owner
        closures = [h for h in history if h[0] == "Case Closed"]
        assert [h[3] for h in closures] == ([closed] if closed else [])
        for kind, old, new, _ in history:
            if kind != "Owner Assignment":
                assert old is None and new is None


def test_opportunities_are_consistent(conn: sqlite3.Connection) -> None:
    stages = {s for (s,) in q(conn, "SELECT DISTINCT StageName FROM Opportunity")}
    assert stages == {"Qualification", "Discovery", "Quote", "Negotiation", "Closed"}
    for opp_id, amount, stage, closed, won, probability in q(
            conn, "SELECT Id, Amount, StageName, IsClosed, IsWon, Probability FROM Opportunity"):
        total = q(conn, "SELECT SUM(TotalPrice) FROM OpportunityLineItem WHERE OpportunityId = ?",
                  opp_id)[0][0]
        assert amount == pytest.approx(total)
        assert closed == (stage == "Closed")
        if won:
            assert probability == 100
            assert q(conn, "SELECT COUNT(*) FROM Quote WHERE OpportunityId = ? "
                           "AND Status = 'Accepted'", opp_id) == [(1,)]
    for line_id, name, product in q(conn, "SELECT l.Id, l.Name, p.Name FROM OpportunityLineItem l "
                                          "JOIN Product2 p ON p.Id = l.Product2Id"):
        assert name == product, line_id


def test_pricebooks_and_orders_agree(conn: sqlite3.Connection) -> None:
    assert q(conn, "SELECT COUNT(*) FROM Pricebook2 WHERE IsStandard = 1") == [(1,)]
    products = q(conn, "SELECT COUNT(*) FROM Product2")[0][0]
    assert q(conn, "SELECT COUNT(*) FROM PricebookEntry e JOIN Pricebook2 b "
                   "ON b.Id = e.Pricebook2Id WHERE b.IsStandard = 1") == [(products,)]
    assert q(conn, "SELECT COUNT(*) FROM PricebookEntry e JOIN Product2 p ON p.Id = e.Product2Id "
                   "WHERE e.Name != p.Name") == [(0,)]
    mismatched = q(conn, 'SELECT COUNT(*) FROM OrderItem i JOIN "Order" o ON o.Id = i.OrderId '
                         "JOIN PricebookEntry e ON e.Id = i.PricebookEntryId "
                         "WHERE e.Pricebook2Id != o.Pricebook2Id OR e.Product2Id != i.Product2Id")
    assert mismatched == [(0,)]


def test_names_are_composed(org: str, conn: sqlite3.Connection) -> None:
    for name, obj in org_schema(org).objects.items():
        if obj.composedName:
            first, last = obj.composedName
            for full, a, b in q(conn, f'SELECT Name, "{first}", "{last}" FROM "{name}"'):
                assert full == " ".join(p for p in (a, b) if p), name


def test_people_and_places(org: str, conn: sqlite3.Connection) -> None:
    assert q(conn, 'SELECT COUNT(*) FROM "User" WHERE Username = ?', ADMIN_USERNAME) == [(1,)]
    states = {s for (s,) in q(conn, "SELECT ShippingState FROM Account")}
    assert all(len(s) == 2 and s.isupper() for s in states)
    covered = ",".join(d for (d,) in q(conn, "SELECT Description FROM Territory2")).split(",")
    assert states <= set(covered)
    if org == "b2c":
        assert q(conn, "SELECT COUNT(*) FROM Account WHERE PersonEmail IS NULL") == [(0,)]
        assert q(conn, "SELECT COUNT(*) FROM Account a WHERE (SELECT COUNT(*) FROM Contact c "
                       "WHERE c.AccountId = a.Id) != 1") == [(0,)]
    else:
        assert q(conn, "SELECT COUNT(*) FROM Account WHERE Industry IS NULL") == [(0,)]
    converted = q(conn, "SELECT ConvertedDate, ConvertedAccountId, ConvertedContactId, "
                        "ConvertedOpportunityId FROM Lead WHERE IsConverted = 1")
    assert converted and all(all(v is not None for v in row) for row in converted)


def test_search_fixtures_are_planted(org: str, conn: sqlite3.Connection) -> None:
    assert q(conn, "SELECT COUNT(*) FROM Product2 WHERE Description LIKE ?",
             f"%{FIXTURE_PRODUCT_PHRASE}%") == [(1,)]
    assert q(conn, "SELECT PublishStatus FROM Knowledge__kav WHERE Title = ?",
             FIXTURE_ARTICLE_TITLE) == [("Online",)]
    for person in (FIXTURE_APOSTROPHE_NAME, FIXTURE_UNICODE_NAME):
        assert q(conn, "SELECT COUNT(*) FROM Contact WHERE Name = ?", person) == [(1,)]
        if org == "b2c":
            assert q(conn, "SELECT COUNT(*) FROM Account WHERE Name = ?", person) == [(1,)]
    if org == "b2b":
        acme = q(conn, "SELECT COUNT(*) FROM Account WHERE Name = ?", FIXTURE_ACCOUNT_NAME)
        assert acme == [(1,)]
    assert q(conn, "SELECT Subject FROM \"Case\" WHERE instr(Subject, '%') > 0") == [
        (FIXTURE_PERCENT_SUBJECT,)]
    assert q(conn, "SELECT ProductCode FROM Product2 WHERE instr(ProductCode, '_') > 0") == [
        (FIXTURE_UNDERSCORE_CODE,)]


def test_text_is_ascii_except_the_unicode_fixture(org: str) -> None:
    rows = seed_rows(org)
    accented = FIXTURE_UNICODE_NAME.split()[0]
    odd = [value for records in rows.values() for record in records
           for value in record.values() if isinstance(value, str) and not value.isascii()]
    assert accented in odd
    assert all(value.replace(accented, "").isascii() for value in odd)


def test_schema_specific_fields(org: str, conn: sqlite3.Connection) -> None:
    body = "TranscriptBody__c" if org == "b2b" else "Body__c"
    assert q(conn, f'SELECT COUNT(*) FROM VoiceCallTranscript__c WHERE "{body}" IS NULL') == [(0,)]
    issue = "IssueDescription__c" if org == "b2b" else "Description__c"
    assert q(conn, f'SELECT COUNT(*) FROM Issue__c WHERE "{issue}" IS NULL') == [(0,)]
    signed = q(conn, "SELECT COUNT(*) FROM Contract WHERE CustomerSignedDate IS NOT NULL")
    assert signed[0][0] > 0


def test_same_seed_gives_identical_data(org: str, tmp_path: Path) -> None:
    schema = org_schema(org)
    first = dump(seed(tmp_path / "a.db", org, seed=7), schema)
    second = dump(seed(tmp_path / "b.db", org, seed=7), schema)
    other = dump(seed(tmp_path / "c.db", org, seed=8), schema)
    assert first == second
    assert first != other
    assert seed_rows(org, seed=7) == seed_rows(org, seed=7)


def test_today_moves_the_data(org: str) -> None:
    later = seed_rows(org, today=date(2025, 1, 31))
    assert max(r["CreatedDate"] for r in later["Case"])[:10] <= "2025-01-31"
    assert min(r["CreatedDate"] for r in later["Case"]) > "2023-01-01"


def test_seeding_again_replaces_the_database(org: str, tmp_path: Path) -> None:
    schema = org_schema(org)
    path = tmp_path / "org.db"
    seed(path, org, seed=3)
    store = seed_org(path, org, seed=0)
    try:
        assert store.today == DEFAULT_TODAY[org]
    finally:
        store.close()
    assert dump(path, schema) == dump(seed(tmp_path / "fresh.db", org, seed=0), schema)
