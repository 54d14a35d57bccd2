"""``search`` (SOSL) and ``parameterizedSearch`` over REST (the SOSL engine is tested apart)."""

from __future__ import annotations

from typing import Any

import pytest

from crmsim.sandbox.seed import FIXTURE_ACCOUNT_NAME


def _names(result: Any) -> list[str]:
    return [r.get("Name") for r in result.body["searchRecords"]]


async def test_search(api: Any) -> None:
    result = await api.get(
        "search/", params={"q": "FIND {Acme} IN NAME FIELDS RETURNING Account(Id, Name ORDER BY Name)"}
    )
    assert result.status == 200
    assert FIXTURE_ACCOUNT_NAME in _names(result)
    record = result.body["searchRecords"][0]
    assert record["attributes"]["type"] == "Account"
    assert record["attributes"]["url"].startswith("/services/data/v62.0/sobjects/Account/")


async def test_search_uses_the_request_version(api: Any) -> None:
    api.version = "50.0"
    result = await api.get("search", params={"q": "FIND {Acme} RETURNING Account(Id)"})
    assert result.body["searchRecords"][0]["attributes"]["url"].startswith("/services/data/v50.0/")


@pytest.mark.parametrize("params", [{}, {"q": ""}])
async def test_search_needs_a_search_string(api: Any, params: dict[str, str]) -> None:
    result = await api.get("search", params=params)
    assert result.status == 400 and result.error_code == "MALFORMED_SEARCH"


async def test_search_errors_pass_through(api: Any) -> None:
    short = await api.get("search", params={"q": "FIND {a}"})
    assert short.status == 400 and short.error_code == "INVALID_SEARCH"
    broken = await api.get("search", params={"q": "FIND Acme RETURNING"})
    assert broken.status == 400 and broken.error_code == "MALFORMED_SEARCH"


async def test_parameterized_search_get(api: Any) -> None:
    result = await api.get(
        "parameterizedSearch/", params={"q": "Acme", "sobject": "Account", "Account.fields": "Id,Name"}
    )
    assert result.status == 200
    assert FIXTURE_ACCOUNT_NAME in _names(result)


async def test_parameterized_search_post(api: Any) -> None:
    result = await api.post(
        "parameterizedSearch",
        json={"q": "Acme", "in": "NAME", "sobjects": [{"name": "Account", "fields": ["Id", "Name"]}]},
    )
    assert result.status == 200
    assert FIXTURE_ACCOUNT_NAME in _names(result)


async def test_parameterized_search_errors(api: Any) -> None:
    missing = await api.get("parameterizedSearch", params={"sobject": "Account"})
    assert missing.status == 400 and missing.error_code
    not_object = await api.post("parameterizedSearch", json=["Acme"])
    assert not_object.status == 400 and not_object.error_code == "JSON_PARSER_ERROR"


async def test_created_records_are_searchable(api: Any) -> None:
    created = await api.post("sobjects/Account", json={"Name": "Zanzibar Quartzworks"})
    found = await api.get("search", params={"q": "FIND {Quartzworks} RETURNING Account(Id)"})
    assert [r["Id"] for r in found.body["searchRecords"]] == [created.body["id"]]
    await api.delete(f"sobjects/Account/{created.body['id']}")
    gone = await api.get("search", params={"q": "FIND {Quartzworks} RETURNING Account(Id)"})
    assert gone.body["searchRecords"] == []
