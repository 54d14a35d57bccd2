"""The simple-salesforce client, unchanged, against the sandbox served over HTTPS.

simple-salesforce only builds ``https://`` URLs, so the sandbox runs with its self-signed
certificate and the client's ``requests`` session trusts that certificate file.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
import requests
from aiohttp import web
from simple_salesforce.api import Salesforce
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from crmsim.sandbox.app import SANDBOX
from crmsim.sandbox.seed import FIXTURE_ACCOUNT_NAME
from crmsim.sandbox.server import serve_sandbox, tls_context

T = TypeVar("T")


@pytest.fixture
async def tls_sandbox(
    app: web.Application, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[str, Path]]:
    context, cert = tls_context(tmp_path_factory.getbasetemp() / "tls")
    async with serve_sandbox(app, ssl_context=context) as url:
        yield url, cert


def _client(url: str, cert: Path) -> Any:
    session = requests.Session()
    session.verify = str(cert)
    session.trust_env = False  # else REQUESTS_CA_BUNDLE, if set, would override ``verify``
    response = session.post(
        f"{url}/services/oauth2/token",
        data={
            "grant_type": "password",
            "client_id": "crmsim",
            "client_secret": "crmsim",
            "username": "admin@crmsim.local",
            "password": "crmsim",
        },
    )
    response.raise_for_status()
    token = response.json()
    return Salesforce(
        instance_url=token["instance_url"], session_id=token["access_token"], session=session, version="62.0"
    )


async def _in_thread(fn: Callable[[], T]) -> T:
    return await asyncio.to_thread(fn)


async def test_query_all_follows_next_records_url(tls_sandbox: Any, store: Any, sandbox: Any) -> None:
    url, cert = tls_sandbox
    account = store.schema.objects["Account"]
    store.insert_rows(account, [{"Id": store.ids.next("001"), "Name": f"Paged {i:04d}"} for i in range(450)])

    def run() -> tuple[dict[str, Any], dict[str, Any], Any]:
        sf = _client(url, cert)
        first = sf.query("SELECT Id, Name FROM Account", headers={"Sforce-Query-Options": "batchSize=200"})
        everything = sf.query_all("SELECT Id, Name FROM Account", headers={"Sforce-Query-Options": "batchSize=200"})
        return first, everything, sf.api_usage

    first, everything, usage = await _in_thread(run)
    assert first["done"] is False and len(first["records"]) == 200
    assert everything["done"] is True
    assert everything["totalSize"] == len(everything["records"]) >= 475
    assert len({r["Id"] for r in everything["records"]}) == everything["totalSize"]
    assert usage["api-usage"].total == sandbox.config.daily_api_requests
    assert usage["api-usage"].used >= 4


async def test_crud_and_describe(tls_sandbox: Any) -> None:
    url, cert = tls_sandbox

    def run() -> dict[str, Any]:
        sf = _client(url, cert)
        out: dict[str, Any] = {}
        created = sf.Account.create({"Name": "Simple Co", "Industry": "Retail"})
        out["created"] = created
        record_id = created["id"]
        out["read"] = sf.Account.get(record_id)
        out["update_status"] = sf.Account.update(record_id, {"Name": "Simple Co 2"})
        out["read_again"] = sf.Account.get(record_id)
        out["delete_status"] = sf.Account.delete(record_id)
        try:
            sf.Account.get(record_id)
        except SalesforceResourceNotFound as exc:
            out["missing"] = exc.content
        out["describe"] = sf.describe()
        out["account_describe"] = sf.Account.describe()
        out["metadata"] = sf.Account.metadata()
        out["limits"] = sf.limits()
        return out

    out = await _in_thread(run)
    assert out["created"]["success"] is True and out["created"]["errors"] == []
    assert out["read"]["Name"] == "Simple Co" and out["read"]["Industry"] == "Retail"
    assert out["update_status"] == 204 and out["delete_status"] == 204
    assert out["read_again"]["Name"] == "Simple Co 2"
    assert out["missing"][0]["errorCode"] == "NOT_FOUND"
    assert "Account" in {s["name"] for s in out["describe"]["sobjects"]}
    assert "Industry" in {f["name"] for f in out["account_describe"]["fields"]}
    assert out["metadata"]["objectDescribe"]["name"] == "Account"
    assert "DailyApiRequests" in out["limits"]


async def test_search(tls_sandbox: Any) -> None:
    url, cert = tls_sandbox

    def run() -> tuple[Any, Any]:
        sf = _client(url, cert)
        return (sf.search("FIND {Acme} RETURNING Account(Id, Name)"), sf.quick_search("Acme"))

    found, quick = await _in_thread(run)
    assert FIXTURE_ACCOUNT_NAME in [r.get("Name") for r in found["searchRecords"]]
    assert quick["searchRecords"]


async def test_errors_raise_the_library_exceptions(tls_sandbox: Any, app: web.Application) -> None:
    url, cert = tls_sandbox

    def run() -> dict[str, Any]:
        sf = _client(url, cert)
        out: dict[str, Any] = {}
        try:
            sf.Account.create({"Name": "x", "Foo__c": 1})
        except SalesforceMalformedRequest as exc:
            out["create"] = exc.content
        try:
            sf.query("SELEC Id FROM Account")
        except SalesforceMalformedRequest as exc:
            out["query"] = exc.content
        app[SANDBOX].limits.fail_next_requests = 1
        try:
            sf.query("SELECT Id FROM Account LIMIT 1")
        except SalesforceRefusedRequest as exc:
            out["refused"] = exc.content
        app[SANDBOX].auth.expire_all()
        try:
            sf.query("SELECT Id FROM Account LIMIT 1")
        except SalesforceExpiredSession as exc:
            out["expired"] = exc.content
        return out

    out = await _in_thread(run)
    assert out["create"][0]["errorCode"] == "INVALID_FIELD"
    assert out["query"][0]["errorCode"] == "MALFORMED_QUERY"
    assert out["refused"][0]["errorCode"] == "REQUEST_LIMIT_EXCEEDED"
    assert out["expired"][0]["errorCode"] == "INVALID_SESSION_ID"
