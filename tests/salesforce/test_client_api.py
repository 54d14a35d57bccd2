"""The rest of the client's API: SOSL, describe (cached), records, composite, limits and API usage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from crmsim.errors import InvalidField, InvalidSearch, MalformedQuery, NotFound, RequestLimitExceeded
from crmsim.salesforce import SalesforceClient, SalesforceConfig
from crmsim.sandbox._config import SandboxConfig
from crmsim.sandbox.seed import FIXTURE_ACCOUNT_NAME

V = "/services/data/v62.0"


async def test_search(client: SalesforceClient) -> None:
    found = await client.search("FIND {Acme} IN NAME FIELDS RETURNING Account(Id, Name ORDER BY Name)")
    assert FIXTURE_ACCOUNT_NAME in [r["Name"] for r in found]
    assert all(r["attributes"]["type"] == "Account" for r in found)  # the raw records, as the API sends them


async def test_search_errors(client: SalesforceClient) -> None:
    with pytest.raises(InvalidSearch) as short:
        await client.search("FIND {a}")
    assert (short.value.error_code, short.value.status) == ("INVALID_SEARCH", 400)
    assert short.value.request == f"GET {V}/search"
    with pytest.raises(MalformedQuery) as broken:
        await client.search("FIND Acme RETURNING")
    assert broken.value.error_code == "MALFORMED_SEARCH"
    assert client.stats.retries == 0


async def test_parameterized_search(client: SalesforceClient, traffic: Any) -> None:
    found = await client.parameterized_search(
        "Acme", sobjects=[{"name": "Account", "fields": ["Id", "Name"]}], **{"in": "NAME"}
    )
    assert FIXTURE_ACCOUNT_NAME in [r["Name"] for r in found]
    assert {r["attributes"]["type"] for r in found} == {"Account"}
    assert ("POST", f"{V}/parameterizedSearch") in traffic.seen


async def test_describe_is_cached(client: SalesforceClient, traffic: Any) -> None:
    account = await client.describe("Account")
    assert account["name"] == "Account"
    assert "Name" in {f["name"] for f in account["fields"]}
    calls = traffic.api_calls
    assert await client.describe("Account") == account
    assert await client.describe("account") == account  # object names are case-insensitive
    assert traffic.api_calls == calls
    contact = await client.describe("Contact")
    assert contact["name"] == "Contact" and traffic.api_calls == calls + 1


async def test_describe_global_is_cached(client: SalesforceClient, traffic: Any) -> None:
    described = await client.describe_global()
    assert {"Account", "Contact", "Case"} <= {o["name"] for o in described["sobjects"]}
    calls = traffic.api_calls
    assert await client.describe_global() == described
    assert traffic.api_calls == calls


async def test_describe_errors_are_not_cached(client: SalesforceClient, traffic: Any) -> None:
    with pytest.raises(NotFound) as caught:
        await client.describe("NoSuchObject")
    assert caught.value.status == 404
    calls = traffic.api_calls
    with pytest.raises(NotFound):
        await client.describe("NoSuchObject")
    assert traffic.api_calls == calls + 1


async def test_record_round_trip(client: SalesforceClient) -> None:
    record_id = await client.create("Account", {"Name": "Round Trip Inc", "Industry": "Energy"})
    assert len(record_id) == 18 and record_id.startswith("001")
    record = await client.get("Account", record_id)
    assert (record["Id"], record["Name"], record["Industry"]) == (record_id, "Round Trip Inc", "Energy")
    assert record["attributes"]["type"] == "Account"
    some = await client.get("Account", record_id, fields=["Name"])
    assert some["Name"] == "Round Trip Inc" and "Industry" not in some

    assert await client.update("Account", record_id, {"Industry": "Retail", "Description": "renamed"}) is None
    updated = await client.get("Account", record_id, fields=["Industry", "Description"])
    assert (updated["Industry"], updated["Description"]) == ("Retail", "renamed")

    assert await client.delete("Account", record_id) is None
    with pytest.raises(NotFound) as caught:
        await client.get("Account", record_id)
    error = caught.value
    assert error.status == 404 and error.error_code in ("NOT_FOUND", "ENTITY_IS_DELETED")
    assert error.request == f"GET {V}/sobjects/Account/{record_id}"
    with pytest.raises(NotFound):
        await client.delete("Account", record_id)
    assert client.stats.retries == 0


async def test_record_errors(client: SalesforceClient) -> None:
    with pytest.raises(InvalidField) as caught:
        await client.create("Account", {"Name": "X", "NoSuchField__c": 1})
    assert (caught.value.error_code, caught.value.status) == ("INVALID_FIELD", 400)
    assert caught.value.request == f"POST {V}/sobjects/Account"
    with pytest.raises(NotFound):
        await client.update("Account", "001000000000000AAA", {"Name": "Nobody"})


async def test_composite_with_a_reference(client: SalesforceClient) -> None:
    responses = await client.composite([
        {"method": "POST", "url": f"{V}/sobjects/Account", "referenceId": "acct", "body": {"Name": "Composite Co"}},
        {"method": "POST", "url": f"{V}/sobjects/Contact", "referenceId": "person",
         "body": {"LastName": "Linked", "AccountId": "@{acct.id}"}},
        {"method": "GET", "url": f"{V}/sobjects/Contact/@{{person.id}}?fields=AccountId", "referenceId": "check"},
    ])
    assert [r["referenceId"] for r in responses] == ["acct", "person", "check"]
    assert [r["httpStatusCode"] for r in responses] == [201, 201, 200]
    account_id = responses[0]["body"]["id"]
    assert responses[2]["body"]["AccountId"] == account_id
    contact = await client.get("Contact", responses[1]["body"]["id"], fields=["AccountId", "LastName"])
    assert (contact["AccountId"], contact["LastName"]) == (account_id, "Linked")


async def test_composite_all_or_none_rolls_back(client: SalesforceClient) -> None:
    responses = await client.composite([
        {"method": "POST", "url": f"{V}/sobjects/Account", "referenceId": "a", "body": {"Name": "Never Kept"}},
        {"method": "POST", "url": f"{V}/sobjects/Contact", "referenceId": "bad", "body": {"FirstName": "No Last"}},
    ], all_or_none=True)
    assert [r["httpStatusCode"] for r in responses] == [400, 400]
    assert responses[1]["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert (await client.query_all("SELECT Id FROM Account WHERE Name = 'Never Kept'")).total_size == 0


async def test_limits_and_api_usage(client: SalesforceClient, sandbox: Any) -> None:
    assert client.api_usage is None  # nothing asked yet
    limits = await client.limits()
    daily = limits["DailyApiRequests"]
    assert daily["Max"] == sandbox.limits.daily_max
    assert daily["Remaining"] == sandbox.limits.daily_max - sandbox.limits.used
    assert client.api_usage == (sandbox.limits.used, sandbox.limits.daily_max) == client.stats.api_usage
    for _ in range(3):
        await client.query_all("SELECT Id FROM Account LIMIT 1")
    assert client.api_usage == (sandbox.limits.used, sandbox.limits.daily_max)
    assert client.api_usage[0] == 4


@pytest.mark.parametrize("sandbox_config", [SandboxConfig(daily_api_requests=5)])
async def test_api_usage_up_to_the_daily_limit(make_config: Callable[..., SalesforceConfig]) -> None:
    async with SalesforceClient(make_config(max_retries=1)) as sf:
        for used in range(1, 6):
            await sf.limits()
            assert sf.api_usage == (used, 5)
        with pytest.raises(RequestLimitExceeded) as caught:
            await sf.limits()
        assert (caught.value.status, sf.api_usage, sf.stats.retries) == (403, (5, 5), 1)


async def test_another_api_version(make_config: Callable[..., SalesforceConfig], traffic: Any) -> None:
    async with SalesforceClient(make_config(api_version="v58.0")) as sf:
        found = await sf.search("FIND {Acme} RETURNING Account(Id)")
        assert found[0]["attributes"]["url"].startswith("/services/data/v58.0/")
    assert traffic.seen[-1] == ("GET", "/services/data/v58.0/search")


async def test_raw_request(client: SalesforceClient) -> None:
    versions = await client.request("GET", "/services/data")
    assert "62.0" in [v["version"] for v in versions]
