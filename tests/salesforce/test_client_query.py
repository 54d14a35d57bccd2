"""SOQL through the client: paging with ``nextRecordsUrl``, ``query_all``, ``queryAll`` and COUNT()."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Callable
from typing import Any

import pytest

from crmsim.salesforce import QueryResult, SalesforceClient
from crmsim.sandbox._config import SandboxConfig

PAGED = "SELECT Id, Name FROM Account WHERE Name LIKE 'Paged %' ORDER BY Name"


async def test_query_iterates_lazily_across_pages(client: SalesforceClient, add_accounts: Callable[..., list[str]],
                                                  traffic: Any) -> None:
    ids = add_accounts(450)
    await client.limits()  # log in first, so the counts below are query pages only
    before = traffic.api_calls
    seen: list[str] = []
    calls_at: dict[int, int] = {}
    async for record in client.query(PAGED, batch_size=200):
        seen.append(record["Id"])
        calls_at[len(seen)] = traffic.api_calls - before
    assert seen == ids
    # a page is fetched only when the previous one has run out: 200 + 200 + 50
    assert [calls_at[n] for n in (1, 200, 201, 400, 401, 450)] == [1, 1, 2, 2, 3, 3]
    assert traffic.api_calls - before == 3


async def test_query_all_merges_every_page(client: SalesforceClient, add_accounts: Callable[..., list[str]],
                                           traffic: Any) -> None:
    ids = add_accounts(650)
    await client.limits()
    before = traffic.api_calls
    result = await client.query_all(PAGED, batch_size=200)
    assert isinstance(result, QueryResult)
    assert (result.total_size, result.done) == (650, True)
    assert [r["Id"] for r in result.records] == ids
    assert [r["Name"] for r in result.records][:2] == ["Paged 0000", "Paged 0001"]
    assert traffic.api_calls - before == 4  # 200 + 200 + 200 + 50
    as_json = result.to_json()
    assert (as_json["totalSize"], as_json["done"], len(as_json["records"])) == (650, True, 650)


@pytest.mark.parametrize("sandbox_config", [SandboxConfig(query_batch_size=200)])
async def test_server_batch_size_pages_without_a_header(client: SalesforceClient,
                                                        add_accounts: Callable[..., list[str]], traffic: Any) -> None:
    ids = add_accounts(401)
    await client.limits()
    before = traffic.api_calls
    assert [r["Id"] async for r in client.query(PAGED)] == ids
    assert traffic.api_calls - before == 3
    result = await client.query_all(PAGED)
    assert [r["Id"] for r in result.records] == ids
    assert traffic.api_calls - before == 6


async def test_query_all_include_deleted_returns_deleted_records(client: SalesforceClient) -> None:
    record_id = await client.create("Account", {"Name": "Soon Deleted Ltd"})
    await client.delete("Account", record_id)
    soql = f"SELECT Id, Name, IsDeleted FROM Account WHERE Id = '{record_id}'"
    live = await client.query_all(soql)
    assert (live.total_size, live.records) == (0, [])
    everything = await client.query_all(soql, include_deleted=True)
    assert everything.total_size == 1
    [record] = everything.records
    assert (record["Id"], record["Name"], record["IsDeleted"]) == (record_id, "Soon Deleted Ltd", True)
    assert [r["Id"] async for r in client.query(soql, include_deleted=True)] == [record_id]


async def test_query_all_include_deleted_pages_through_query_all(client: SalesforceClient,
                                                                 add_accounts: Callable[..., list[str]],
                                                                 traffic: Any) -> None:
    ids = add_accounts(450)
    await client.delete("Account", ids[300])
    live = await client.query_all(PAGED, batch_size=200)
    assert [r["Id"] for r in live.records] == ids[:300] + ids[301:]
    before = len(traffic.seen)
    everything = await client.query_all(PAGED, include_deleted=True, batch_size=200)
    assert [r["Id"] for r in everything.records] == ids
    paths = [path for _, path in traffic.seen[before:]]
    assert len(paths) == 3 and all("/queryAll" in path for path in paths), paths


async def test_count_query_has_a_total_and_no_records(client: SalesforceClient) -> None:
    rows = (await client.query_all("SELECT Id FROM Account")).records
    result = await client.query_all("SELECT COUNT() FROM Account")
    assert (result.total_size, result.records) == (len(rows), [])
    assert [r async for r in client.query("SELECT COUNT() FROM Account")] == []


async def test_empty_result(client: SalesforceClient) -> None:
    result = await client.query_all("SELECT Id FROM Account WHERE Name = 'No Such Account Anywhere'")
    assert (result.total_size, result.records, result.done) == (0, [], True)


async def test_stopping_early_leaves_nothing_behind(make_config: Callable[..., Any],
                                                    add_accounts: Callable[..., list[str]], traffic: Any) -> None:
    add_accounts(450)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        async with SalesforceClient(make_config()) as sf:
            connector = sf.http.connector
            async for _record in sf.query(PAGED, batch_size=200):
                break
            assert traffic.api_calls == 1  # the later pages were never asked for
            assert (await sf.query_all("SELECT COUNT() FROM Account")).total_size > 0
            assert connector is not None and not connector._acquired  # nothing checked out
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
