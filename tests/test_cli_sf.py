"""``crmsim sf query|search|describe`` run in-process against a sandbox served on 127.0.0.1:0.

``main()`` calls ``asyncio.run`` itself, so the sandbox runs in a background thread with its own
event loop, shared by the whole module (the tests only read, except one that adds and deletes its
own Account).
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from crmsim.cli import main
from crmsim.salesforce import SalesforceClient, SalesforceConfig
from crmsim.salesforce._config import ENV_VARS
from crmsim.sandbox.ids import make_id
from crmsim.sandbox.schema import org_schema
from crmsim.sandbox.seed import seed_org
from crmsim.sandbox.server import serve_sandbox
from crmsim.sandbox.store import Store

EXTRA_CASES = 4_200  # with the seeded ones, three pages of 2000


def _add_cases(path: Path, n: int) -> None:
    schema = org_schema("b2b")
    store = Store.open(path, schema)
    try:
        rows = [{"Id": make_id("500", 900_000 + i), "Subject": f"Bulk case {i}", "Status": "New",
                 "CreatedDate": "2024-01-02 03:04:05"} for i in range(n)]
        store.insert_rows(schema.objects["Case"], rows)
    finally:
        store.close()


@pytest.fixture(scope="module")
def instance_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    path = tmp_path_factory.mktemp("sf-cli") / "b2b.sqlite"
    seed_org(path, "b2b").close()
    _add_cases(path, EXTRA_CASES)
    ready = threading.Event()
    state: dict[str, Any] = {}

    async def serve() -> None:
        state["loop"], state["stop"] = asyncio.get_running_loop(), asyncio.Event()
        async with serve_sandbox(path) as url:
            state["url"] = url
            ready.set()
            await state["stop"].wait()

    def run() -> None:
        try:
            asyncio.run(serve())
        except BaseException as exc:  # reported by the fixture below
            state["error"] = exc
        finally:
            ready.set()

    thread = threading.Thread(target=run, name="sandbox", daemon=True)
    thread.start()
    ready.wait(30)
    if "url" not in state:
        raise RuntimeError(f"the sandbox did not start: {state.get('error')!r}")
    yield str(state["url"])
    state["loop"].call_soon_threadsafe(state["stop"].set)
    thread.join(30)


@pytest.fixture(autouse=True)
def _hermetic(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No SF_* variables from the outside, and no .env in the working directory."""
    for var in ENV_VARS.values():
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)


def _sf(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(["sf", *argv])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def _lines(out: str) -> list[list[str]]:
    """The table's lines split into cells (cells are separated by 2+ spaces)."""
    return [[cell.strip() for cell in line.split("  ") if cell.strip()] for line in out.splitlines()]


def test_query_json_merges_every_page(instance_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _sf(capsys, "query", "SELECT Id, Subject FROM Case", "--json", "--instance-url", instance_url)
    assert status == 0, err
    body = json.loads(out)
    assert list(body) == ["totalSize", "done", "records"]
    assert body["done"] is True
    assert body["totalSize"] == len(body["records"]) > 2 * 2000
    assert len({r["Id"] for r in body["records"]}) == body["totalSize"]
    assert body["records"][0]["attributes"]["type"] == "Case"


def test_query_table_flattens_parents_and_counts_children(
    instance_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    soql = ("SELECT Name, Account.Name, Account.Owner.Name, (SELECT Id FROM Cases) FROM Contact "
            "WHERE Account.Name != null ORDER BY Name LIMIT 4")
    status, out, err = _sf(capsys, "query", soql, "--instance-url", instance_url, "--json")
    assert status == 0, err
    records = json.loads(out)["records"]

    status, out, err = _sf(capsys, "query", soql, "--instance-url", instance_url)
    assert status == 0, err
    lines = _lines(out)
    assert lines[0] == ["Name", "Account.Name", "Account.Owner.Name", "Cases"]
    assert set(lines[1][0]) == {"─"}
    for record, cells in zip(records, lines[2:-1], strict=True):
        cases = record["Cases"]["totalSize"] if record["Cases"] else 0
        assert cells == [record["Name"], record["Account"]["Name"], record["Account"]["Owner"]["Name"], str(cases)]
    assert lines[-1] == ["4 records"]
    assert "attributes" not in out


def test_count_query_prints_only_the_count(instance_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _sf(capsys, "query", "SELECT COUNT() FROM Case WHERE Subject LIKE 'Bulk case%'",
                           "--instance-url", instance_url)
    assert (status, out, err) == (0, f"{EXTRA_CASES} records\n", "")


def test_query_all_includes_deleted_records(instance_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    async def create_and_delete() -> None:
        async with SalesforceClient(SalesforceConfig(instance_url=instance_url)) as client:
            await client.delete("Account", await client.create("Account", {"Name": "Deleted by test_cli_sf"}))

    asyncio.run(create_and_delete())
    capsys.readouterr()  # log lines written with structlog's default configuration
    soql = "SELECT Name, IsDeleted FROM Account WHERE Name = 'Deleted by test_cli_sf'"
    status, out, _ = _sf(capsys, "query", soql, "--instance-url", instance_url)
    assert (status, out) == (0, "0 records\n")
    status, out, err = _sf(capsys, "query", soql, "--all", "--instance-url", instance_url)
    assert status == 0, err
    assert _lines(out)[2:] == [["Deleted by test_cli_sf", "true"], ["1 record"]]


def test_search_table_and_json(instance_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    sosl = "FIND {battery overheating} RETURNING Product2(Name), Case(Subject)"
    status, out, err = _sf(capsys, "search", sosl, "--instance-url", instance_url, "--json")
    assert status == 0, err
    body = json.loads(out)
    assert list(body) == ["searchRecords"]
    found = body["searchRecords"]
    assert {r["attributes"]["type"] for r in found} == {"Product2", "Case"}

    status, out, err = _sf(capsys, "search", sosl, "--instance-url", instance_url)
    assert status == 0, err
    lines = _lines(out)
    assert lines[0] == ["sObject", "Name", "Subject"]
    assert [cells[0] for cells in lines[2:-1]] == [r["attributes"]["type"] for r in found]
    assert lines[-1] == [f"{len(found)} records"]


def test_describe_prints_the_fields(instance_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = _sf(capsys, "describe", "Contact", "--instance-url", instance_url, "--json")
    assert status == 0, err
    body = json.loads(out)
    assert body["name"] == "Contact"

    status, out, err = _sf(capsys, "describe", "Contact", "--instance-url", instance_url)
    assert status == 0, err
    lines = _lines(out)
    assert lines[0] == ["name", "type", "label", "referenceTo", "nillable"]
    rows = {cells[0]: cells for cells in lines[2:-1]}
    assert list(rows) == [f["name"] for f in body["fields"]]
    assert rows["AccountId"] == ["AccountId", "reference", "Account ID", "Account", "true"]
    assert rows["Id"][-1] == "false"
    assert lines[-1] == [f"Contact: {len(body['fields'])} fields"]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["query", "SELECT Id FRM Account"], "MALFORMED_QUERY: "),
        (["query", "SELECT Nope__c FROM Account"], "INVALID_FIELD: "),
        (["search", "FIND {unclosed"], "MALFORMED_SEARCH: "),
        (["describe", "NoSuchObject"], "NOT_FOUND: "),
        (["query", "SELECT Id FROM Account", "--password", "s3cr3t-guess"], "invalid_grant: "),
        (["query", "SELECT Id FROM Account", "--session-id", "00Dfake!s3cr3t-guess"], "INVALID_SESSION_ID: "),
    ],
)
def test_salesforce_errors_exit_1(
    instance_url: str, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    status, out, err = _sf(capsys, *argv, "--instance-url", instance_url)
    assert status == 1
    assert out == ""
    assert err.startswith(expected), err
    assert "s3cr3t" not in err


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["query", "x", "--instance-url", "127.0.0.1:8443"], ["instance_url", "http://"]),
        (["query", "x", "--instance-url", "http://:8443"], ["instance URL", "no host"]),
        (["query", "x", "--instance-url", "http://localhost:99999"], ["instance URL", "Port"]),
        (["query", "x", "--login-url", "https://login.example.com/?x=1"], ["login URL"]),
        (["query", "x", "--api-version", "latest"], ["api_version", "latest"]),
        (["query", "x", "--env-file", "missing.env"], ["missing.env", "no such file"]),
        (["query", "x", "--ca-file", "missing.pem"], ["missing.pem"]),
        (["describe", "Account", "--private-key-file", "missing.key"], ["missing.key"]),
        (["query"], ["SOQL"]),
        (["query", "x", "--bogus"], ["--bogus"]),
        (["frobnicate"], ["frobnicate"]),
        ([], ["action"]),
    ],
)
def test_input_mistakes_exit_2_with_one_line(
    capsys: pytest.CaptureFixture[str], argv: list[str], words: list[str]
) -> None:
    status, out, err = _sf(capsys, *argv)
    assert status == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0], err


def test_unparsable_env_file_is_an_input_mistake(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "bad.env").write_text('SF_INSTANCE_URL="http://127.0.0.1:1\n')
    status, _, err = _sf(capsys, "query", "x", "--env-file", "bad.env")
    assert status == 2
    assert err.strip().splitlines() == [err.strip()] and "bad.env:1" in err


def test_settings_come_from_the_env_file(
    instance_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = (f"SF_INSTANCE_URL={instance_url}\nSF_CLIENT_ID=crmsim\nSF_CLIENT_SECRET=crmsim\n"
                "SF_USERNAME=admin@crmsim.local\nSF_PASSWORD=wrong-password\n")
    (tmp_path / "org.env").write_text(settings)
    soql = "SELECT COUNT() FROM Account"
    status, _, err = _sf(capsys, "query", soql, "--env-file", "org.env")
    assert (status, err) == (1, "invalid_grant: authentication failure\n")  # the file's password was used
    status, out, err = _sf(capsys, "query", soql, "--env-file", "org.env", "--password", "crmsim")
    assert status == 0, err  # a flag beats the file
    assert out.endswith(" records\n")
    monkeypatch.setenv("SF_PASSWORD", "crmsim")
    assert _sf(capsys, "query", soql, "--env-file", "org.env") == (0, out, "")  # the environment beats the file
    monkeypatch.delenv("SF_PASSWORD")
    (tmp_path / ".env").write_text(settings.replace("wrong-password", "crmsim"))
    assert _sf(capsys, "query", soql) == (0, out, "")  # ./.env by default


def test_session_id_skips_login_and_debug_logs_hide_it(
    instance_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async def token() -> str:
        async with SalesforceClient(SalesforceConfig(instance_url=instance_url)) as client:
            return await client.access_token()

    session_id = asyncio.run(token())
    capsys.readouterr()
    status = main(["--log-level", "debug", "sf", "query", "SELECT Id FROM User LIMIT 1", "--session-id", session_id,
                   "--instance-url", instance_url])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert out.endswith("1 record\n")
    events = [json.loads(line) for line in err.splitlines()]  # the client's and the sandbox's
    assert all(not e["event"].startswith("salesforce.retry") for e in events)
    assert "/services/oauth2/token" not in {e.get("path") for e in events}  # the session id was used as is
    assert session_id not in out + err
