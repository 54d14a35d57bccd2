"""parameterizedSearch parameters (POST body and GET query form) turned into SOSL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from crmsim.errors import InvalidField, InvalidSearch, InvalidType, MalformedQuery, SalesforceError
from crmsim.sandbox.ids import make_id
from crmsim.sandbox.schema import org_schema
from crmsim.sandbox.soql import SoqlEngine
from crmsim.sandbox.sosl import SearchGroup, execute_sosl, parameterized_to_sosl, parse_sosl
from crmsim.sandbox.store import Store


def test_only_q() -> None:
    assert parameterized_to_sosl({"q": "acme"}) == "FIND {acme}"


def test_q_keeps_search_syntax_and_escapes_the_rest() -> None:
    text = parameterized_to_sosl({"q": 'Marie-Pier "acme co*" OR (jo?n AND NOT x:y)'})
    assert text == r'FIND {Marie\-Pier "acme co*" OR (jo?n AND NOT x\:y)}'
    assert parse_sosl(text).search_text == r'Marie\-Pier "acme co*" OR (jo?n AND NOT x\:y)'
    assert parameterized_to_sosl({"q": "a}b{c\\"}) == "FIND {a\\}b\\{c\\\\}"


def test_post_body() -> None:
    body = {
        "q": "acme",
        "fields": ["Id", "Name"],
        "sobjects": [
            {"name": "Account", "where": "Industry = 'Energy'", "limit": 10, "orderBy": "Name DESC"},
            {"name": "Contact", "fields": ["Id", "Email"]},
            {"name": "Lead"},
        ],
        "in": "name",
        "overallLimit": 100,
        "defaultLimit": "5",
    }
    text = parameterized_to_sosl(body)
    assert text == (
        "FIND {acme} IN NAME FIELDS RETURNING "
        "Account(Id, Name WHERE Industry = 'Energy' ORDER BY Name DESC LIMIT 10), "
        "Contact(Id, Email LIMIT 5), Lead(Id, Name LIMIT 5) LIMIT 100"
    )
    query = parse_sosl(text)
    assert query.group is SearchGroup.NAME
    assert [(s.name, s.limit) for s in query.returning] == [("Account", 10), ("Contact", 5), ("Lead", 5)]


def test_get_query_form() -> None:
    params = {
        "q": ["acme"],
        "sobject": ["Account", "Contact"],
        "Account.fields": "id,name",
        "Account.limit": "10",
        "Contact.where": "Email != null",
        "overallLimit": "50",
    }
    assert parameterized_to_sosl(params) == (
        "FIND {acme} RETURNING Account(id, name LIMIT 10), Contact(Id WHERE Email != null) LIMIT 50"
    )


def test_with_and_update_parameters() -> None:
    params = {
        "q": "acme",
        "metadata": "LABELS",
        "snippet": "120",
        "highlight": True,
        "spellCorrection": "false",
        "division": "Global",
        "netWorkIds": ["0DB000000000001", "0DB000000000002"],
        "pricebookId": "01s000000000001",
        "updateTracking": "true",
        "dataCategories": [{"groupName": "Geo__c", "operator": "below", "categories": ["World__c"]}],
    }
    text = parameterized_to_sosl(params)
    query = parse_sosl(text)
    assert [w.kind for w in query.with_clauses] == [
        "DIVISION",
        "NETWORK",
        "PRICEBOOKID",
        "METADATA",
        "SNIPPET",
        "HIGHLIGHT",
        "SPELL_CORRECTION",
    ]
    assert text.endswith("UPDATE TRACKING")


def test_missing_q() -> None:
    with pytest.raises(SalesforceError) as info:
        parameterized_to_sosl({"sobjects": [{"name": "Account"}]})
    assert info.value.error_code == "MISSING_ARGUMENT"


@pytest.mark.parametrize(
    ("params", "error"),
    [
        ({"q": "acme", "in": "EVERYTHING"}, InvalidSearch),
        ({"q": "acme", "overallLimit": "lots"}, InvalidSearch),
        ({"q": "acme", "sobjects": [{"fields": ["Id"]}]}, InvalidSearch),
        ({"q": "acme", "sobjects": [{"name": "Account; DROP"}]}, InvalidType),
        ({"q": "acme", "sobjects": [{"name": "Account", "fields": ["Name) , Contact(Id"]}]}, InvalidField),
        ({"q": "acme", "sobjects": [{"name": "Account", "where": "Name = 'x'), Contact(Id"}]}, MalformedQuery),
        ({"q": "a"}, InvalidSearch),
    ],
)
def test_bad_parameters(params: dict[str, object], error: type[SalesforceError]) -> None:
    with pytest.raises(error):
        parameterized_to_sosl(params)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    schema = org_schema("b2b")
    store = Store.create(tmp_path / "org.db", schema)
    account = schema.objects["Account"]
    store.insert_rows(account, [{"Id": make_id("001", 1), "Name": "Acme Corporation", "Industry": "Energy"}])
    yield store
    store.close()


async def test_runs_through_execute_sosl(store: Store) -> None:
    body = {"q": "acme", "sobjects": [{"name": "Account", "fields": ["Name", "Industry"]}]}
    result = await execute_sosl(store, SoqlEngine(store), parameterized_to_sosl(body))
    assert [r["Name"] for r in result["searchRecords"]] == ["Acme Corporation"]
