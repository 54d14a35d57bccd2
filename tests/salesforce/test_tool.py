"""SalesforceTool.execute: routing, code fences and observations rendered by the benchmark's rules."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

import pytest

from crmsim.errors import SalesforceError
from crmsim.salesforce import (
    SalesforceClient,
    SalesforceTool,
    clean_records,
    render_error,
    render_records,
    strip_code_fence,
)
from crmsim.sandbox.seed import FIXTURE_ACCOUNT_NAME

V = "/services/data/v62.0"
CUT_NOTE = re.compile(r"\[output cut: showing (\d+) of (\d+) records; (\d+) of (\d+) characters left out\]")


def _keys_anywhere(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys_anywhere(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys_anywhere(v)}
    return set()


@pytest.fixture
def tool(client: SalesforceClient) -> SalesforceTool:
    return SalesforceTool(client)


async def test_soql_observation_is_the_record_list(tool: SalesforceTool, client: SalesforceClient) -> None:
    soql = "SELECT Id, Name FROM Account ORDER BY Name LIMIT 5"
    observation = await tool.execute(soql)
    expected = [{"Id": r["Id"], "Name": r["Name"]} for r in (await client.query_all(soql)).records]
    assert json.loads(observation) == expected
    assert "attributes" not in observation


@pytest.mark.parametrize("text", [
    "FIND {Acme} IN NAME FIELDS RETURNING Account(Id, Name)",
    "find {Acme} in name fields returning Account(Id, Name)",
    "  FIND {Acme} IN NAME FIELDS RETURNING Account(Id, Name)\n",
    "```sql\nFIND {Acme} IN NAME FIELDS RETURNING Account(Id, Name)\n```",
])
async def test_find_is_routed_to_sosl(tool: SalesforceTool, traffic: Any, text: str) -> None:
    observation = await tool.execute(text)
    records = json.loads(observation)
    assert FIXTURE_ACCOUNT_NAME in [r["Name"] for r in records]
    assert "attributes" not in _keys_anywhere(records)
    assert traffic.seen[-1] == ("GET", f"{V}/search")


async def test_other_statements_go_to_soql(tool: SalesforceTool, traffic: Any) -> None:
    await tool.execute("SELECT Id FROM Account WHERE Name = 'Finder' LIMIT 1")
    assert traffic.seen[-1] == ("GET", f"{V}/query")
    assert (await tool.execute("FINDER")).startswith("MALFORMED_QUERY: ")  # FIND only as a whole word
    assert traffic.seen[-1] == ("GET", f"{V}/query")


@pytest.mark.parametrize("fenced", [
    "```sql\n{q}\n```",
    "```SQL\n{q}\n```",
    "```soql\n{q}\n```",
    "```\n{q}\n```",
    "  ```sql\n  {q}\n```  \n",
    "```sql\r\n{q}\r\n```",
    "```sql {q}```",
])
async def test_code_fences_are_stripped(tool: SalesforceTool, fenced: str) -> None:
    soql = "SELECT Id, Name FROM Account ORDER BY Name LIMIT 3"
    assert strip_code_fence(fenced.format(q=soql)) == soql
    assert await tool.execute(fenced.format(q=soql)) == await tool.execute(soql)


async def test_one_line_bare_fence_is_stripped(tool: SalesforceTool) -> None:
    soql = "SELECT Id, Name FROM Account ORDER BY Name LIMIT 3"
    assert strip_code_fence(f"```{soql}```") == soql


async def test_attributes_removed_at_every_depth(tool: SalesforceTool, client: SalesforceClient) -> None:
    account_id = await client.create("Account", {"Name": "Depth Test Co"})
    await client.create("Contact", {"LastName": "Deep", "AccountId": account_id})
    await client.create("Contact", {"LastName": "Deeper", "AccountId": account_id})
    nested = await tool.execute(
        f"SELECT Id, Name, (SELECT Id, LastName, Account.Name FROM Contacts ORDER BY LastName) "
        f"FROM Account WHERE Id = '{account_id}'"
    )
    [account] = json.loads(nested)
    assert "attributes" not in _keys_anywhere(account)
    contacts = account["Contacts"]["records"]
    assert [c["LastName"] for c in contacts] == ["Deep", "Deeper"]
    assert contacts[0]["Account"] == {"Name": "Depth Test Co"}
    parent = json.loads(await tool.execute(
        f"SELECT LastName, Account.Name, Account.Owner.Name FROM Contact WHERE AccountId = '{account_id}' "
        "ORDER BY LastName"
    ))
    assert "attributes" not in _keys_anywhere(parent)
    assert parent[0]["LastName"] == "Deep" and parent[0]["Account"]["Name"] == "Depth Test Co"


async def test_columns_null_in_every_record_are_dropped(tool: SalesforceTool, client: SalesforceClient) -> None:
    await client.create("Account", {"Name": "Nullcheck A", "Industry": "Energy"})
    await client.create("Account", {"Name": "Nullcheck B"})
    await client.create("Account", {"Name": "Nullcheck C"})
    observation = await tool.execute(
        "SELECT Name, Industry, Description, Phone FROM Account WHERE Name LIKE 'Nullcheck%' ORDER BY Name"
    )
    assert json.loads(observation) == [
        {"Name": "Nullcheck A", "Industry": "Energy"},
        {"Name": "Nullcheck B", "Industry": None},  # null here but not everywhere: kept
        {"Name": "Nullcheck C", "Industry": None},
    ]


@pytest.mark.parametrize("statement", [
    "SELECT Id FROM NoSuchObject",
    "SELECT NoSuchField__c FROM Account",
    "SELEC Id FROM Account",
    "SELECT Id FROM Account WHERE",
    "FIND {a}",
    "FIND Acme RETURNING",
])
async def test_failures_render_error_code_and_message(tool: SalesforceTool, client: SalesforceClient,
                                                      statement: str) -> None:
    observation = await tool.execute(statement)
    with pytest.raises(SalesforceError) as caught:
        if statement.startswith("FIND"):
            await client.search(statement)
        else:
            await client.query_all(statement)
    assert observation == f"{caught.value.error_code}: {caught.value.message}"
    assert observation == render_error(caught.value)
    assert re.match(r"^[A-Z_]+: ", observation)


async def test_count_renders_its_total(tool: SalesforceTool, client: SalesforceClient) -> None:
    total = len((await client.query_all("SELECT Id FROM Case")).records)
    assert total > 0
    assert json.loads(await tool.execute("SELECT COUNT() FROM Case")) == {"totalSize": total}
    assert json.loads(await tool.execute("SELECT COUNT(Id) n FROM Case")) == [{"n": total}]


async def test_no_records(tool: SalesforceTool) -> None:
    assert await tool.execute("SELECT Id FROM Account WHERE Name = 'Nobody At All'") == "[]"


async def test_size_cap_says_how_much_was_cut(client: SalesforceClient) -> None:
    soql = "SELECT Id, Name FROM Account ORDER BY Name"
    total = (await client.query_all(soql)).total_size
    full = await SalesforceTool(client).execute(soql)
    capped = await SalesforceTool(client, max_chars=300).execute(soql)
    shown, note = capped.split("\n")
    match = CUT_NOTE.fullmatch(note)
    assert match, note
    kept, of, left_out, of_chars = (int(g) for g in match.groups())
    assert len(shown) <= 300
    assert 0 < kept < of == total
    assert json.loads(shown) == json.loads(full)[:kept]
    assert (of_chars, left_out) == (len(full), len(full) - len(shown))
    assert await SalesforceTool(client, max_chars=len(full)).execute(soql) == full  # fits: no note


async def test_size_cap_applies_to_search(client: SalesforceClient) -> None:
    capped = await SalesforceTool(client, max_chars=60).execute("FIND {Acme} RETURNING Account(Id, Name), Contact(Id)")
    assert CUT_NOTE.search(capped)


def test_clean_records_rules() -> None:
    records = [
        {"attributes": {"type": "Account"}, "Id": "1", "Gone": None,
         "Owner": {"attributes": {"type": "User"}, "Name": "Ann"},
         "Contacts": {"totalSize": 1, "done": True, "records": [{"attributes": {"type": "Contact"}, "Id": "c"}]}},
        {"attributes": {"type": "Account"}, "Id": "2", "Gone": None, "Owner": None, "Contacts": None, "Late": 5},
    ]
    assert clean_records(records) == [
        {"Id": "1", "Owner": {"Name": "Ann"}, "Contacts": {"totalSize": 1, "done": True, "records": [{"Id": "c"}]}},
        {"Id": "2", "Owner": None, "Contacts": None, "Late": 5},
    ]
    assert clean_records([]) == []
    assert render_records([]) == "[]"


def test_render_records_cut_to_nothing() -> None:
    text = render_records([{"Name": "x" * 50}, {"Name": "y"}], max_chars=10)
    shown, note = text.split("\n")
    assert shown == "[]"
    assert CUT_NOTE.fullmatch(note) and "showing 0 of 2 records" in note


async def test_tool_over_paged_results(client: SalesforceClient, add_accounts: Callable[..., list[str]]) -> None:
    ids = add_accounts(2100)  # more than one default batch of 2000
    observation = await SalesforceTool(client).execute("SELECT Id FROM Account WHERE Name LIKE 'Paged %' ORDER BY Name")
    assert [r["Id"] for r in json.loads(observation)] == ids
