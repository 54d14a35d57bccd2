"""``query``, ``queryAll`` and paging through ``nextRecordsUrl`` (SOQL itself is tested apart)."""

from __future__ import annotations

from typing import Any

import pytest

from crmsim.sandbox._pagination import QueryCursors, batch_size


def _add_accounts(store: Any, count: int) -> None:
    account = store.schema.objects["Account"]
    store.insert_rows(
        account,
        [
            {"Id": store.ids.next("001"), "Name": f"Bulk {i:05d}", "CreatedDate": "2024-01-01 00:00:00"}
            for i in range(count)
        ],
    )


async def test_query_shape(api: Any) -> None:
    result = await api.get("query/", params={"q": "SELECT Id, Name, Account.Name FROM Contact ORDER BY Name LIMIT 3"})
    assert result.status == 200
    assert list(result.body) == ["totalSize", "done", "records"]
    assert result.body["totalSize"] == 3 and result.body["done"] is True
    record = result.body["records"][0]
    assert record["attributes"]["type"] == "Contact"
    assert record["attributes"]["url"].startswith("/services/data/v62.0/sobjects/Contact/")


async def test_query_uses_the_request_version(api: Any) -> None:
    api.version = "45.0"
    record = (await api.get("query", params={"q": "SELECT Id FROM Account LIMIT 1"})).body
    assert record["records"][0]["attributes"]["url"].startswith("/services/data/v45.0/")


async def test_count_query(api: Any) -> None:
    result = await api.get("query", params={"q": "SELECT COUNT() FROM Account"})
    assert result.body["totalSize"] > 0 and result.body["records"] == []


@pytest.mark.parametrize("params", [{}, {"q": ""}, {"q": "   "}])
async def test_missing_query_string(api: Any, params: dict[str, str]) -> None:
    result = await api.get("query", params=params)
    assert result.status == 400
    assert result.body == [{"message": "A query string has to be specified", "errorCode": "MALFORMED_QUERY"}]


async def test_engine_errors_pass_through(api: Any) -> None:
    result = await api.get("query", params={"q": "SELECT Nope FROM Account"})
    assert result.status == 400 and result.error_code == "INVALID_FIELD"
    result = await api.get("query", params={"q": "SELECT Id FROM Nope"})
    assert result.status == 400 and result.error_code == "INVALID_TYPE"


async def test_pages_of_2000_by_default(api: Any, store: Any) -> None:
    _add_accounts(store, 2100)
    first = (await api.get("query", params={"q": "SELECT Id, Name FROM Account"})).body
    total = first["totalSize"]
    assert total >= 2100 and first["done"] is False and len(first["records"]) == 2000
    next_url = first["nextRecordsUrl"]
    assert next_url.startswith("/services/data/v62.0/query/01g") and next_url.endswith("-2000")
    second = (await api.get(next_url)).body
    assert second["done"] is True and "nextRecordsUrl" not in second
    assert second["totalSize"] == total
    ids = [r["Id"] for r in first["records"] + second["records"]]
    assert len(ids) == len(set(ids)) == total


async def test_batch_size_header(api: Any, store: Any) -> None:
    _add_accounts(store, 450)
    headers = {"Sforce-Query-Options": "batchSize=200"}
    page = (await api.get("query", params={"q": "SELECT Id FROM Account"}, headers=headers)).body
    seen = list(page["records"])
    sizes = [len(page["records"])]
    while not page["done"]:
        page = (await api.get(page["nextRecordsUrl"])).body
        sizes.append(len(page["records"]))
        seen.extend(page["records"])
    assert sizes[:-1] == [200] * (len(sizes) - 1) and 0 < sizes[-1] <= 200
    assert len(seen) == page["totalSize"]


async def test_query_all_pages_stay_on_query_all(api: Any, store: Any) -> None:
    _add_accounts(store, 250)
    page = (
        await api.get(
            "queryAll", params={"q": "SELECT Id FROM Account"}, headers={"Sforce-Query-Options": "batchSize=200"}
        )
    ).body
    assert page["nextRecordsUrl"].startswith("/services/data/v62.0/queryAll/")
    assert (await api.get(page["nextRecordsUrl"])).status == 200


@pytest.mark.parametrize("locator", ["01gWt0000000099AAA-2000", "nonsense", "01g-abc", "-5"])
async def test_unknown_locator(api: Any, locator: str) -> None:
    result = await api.get(f"query/{locator}")
    assert result.status == 400
    assert result.body == [{"message": "invalid query locator", "errorCode": "INVALID_QUERY_LOCATOR"}]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", 2000),
        ("batchSize=500", 500),
        ("batchSize=50", 200),
        ("batchSize=99999", 2000),
        ("BATCHSIZE = 300", 300),
        ("nonsense", 2000),
    ],
)
def test_batch_size_parsing(header: str, expected: int) -> None:
    assert batch_size({"Sforce-Query-Options": header} if header else {}) == expected


def test_cursors_are_bounded_and_expire() -> None:
    now = [0.0]
    cursors = QueryCursors(max_cursors=2, ttl=10.0, clock=lambda: now[0])
    records = [{"n": i} for i in range(5)]
    urls = [cursors.first_page(records, 5, 2, "/q")["nextRecordsUrl"] for _ in range(3)]
    assert len(cursors) == 2
    token = urls[0].rsplit("/", 1)[1]
    with pytest.raises(Exception, match="invalid query locator"):
        cursors.next_page(token, "/q")  # dropped: least recently used
    later = cursors.next_page(urls[2].rsplit("/", 1)[1], "/q")
    assert later["records"] == [{"n": 2}, {"n": 3}] and later["nextRecordsUrl"].endswith("-4")
    now[0] = 11.0
    with pytest.raises(Exception, match="invalid query locator"):
        cursors.next_page(urls[1].rsplit("/", 1)[1], "/q")  # expired
