"""The async Salesforce REST client: one aiohttp session per org, bounded concurrency, retries.

    async with SalesforceClient(SalesforceConfig.from_env()) as sf:
        async for record in sf.query("SELECT Id, Name FROM Account"):
            ...
        result = await sf.query_all("SELECT COUNT() FROM Case")

Every failure is a :class:`crmsim.errors.SalesforceError` carrying errorCode, message, HTTP
status and the request. Failures that may pass (5xx, REQUEST_LIMIT_EXCEEDED, network errors,
timeouts) are retried with exponential backoff and jitter, honouring ``Retry-After``, within
``max_retries`` and ``retry_deadline``; everything else (a bad query, a missing record) is not.
An expired session is renewed once, however many requests notice it at the same time.
"""

from __future__ import annotations

import json as jsonlib
import re
import ssl
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Self
from urllib.parse import quote

import aiohttp
import anyio
import structlog
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt, stop_after_delay
from tenacity.wait import wait_random_exponential

from crmsim.errors import CertificateInvalid, ConnectionFailed, SalesforceError, ServerError, SessionExpired, error_for

from ._auth import Token, TokenManager
from ._config import Grant, SalesforceConfig

log = structlog.get_logger("crmsim.salesforce")

_LIMIT_INFO = re.compile(r"api-usage=(\d+)/(\d+)")
MAX_RETRY_AFTER_S = 60.0
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


@dataclass
class QueryResult:
    """Every page of a query merged: ``total_size`` counts rows (or the COUNT() result)."""

    total_size: int
    records: list[dict[str, Any]] = field(default_factory=list)
    done: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"totalSize": self.total_size, "done": self.done, "records": self.records}


@dataclass
class ClientStats:
    requests: int = 0
    retries: int = 0
    logins: int = 0
    api_usage: tuple[int, int] | None = None  # (used, max) from Sforce-Limit-Info


class SalesforceClient:
    """An ``async with``-managed client for one org (a real one or the crmsim sandbox)."""

    def __init__(self, config: SalesforceConfig | None = None) -> None:
        self.config = config or SalesforceConfig()
        self.stats = ClientStats()
        self._tokens = TokenManager(self.config)
        self._limiter = anyio.CapacityLimiter(self.config.max_concurrency)
        self._http: aiohttp.ClientSession | None = None
        self._describe_cache: dict[str, Any] = {}

    # -- lifecycle ----------------------------------------------------------------------------

    async def __aenter__(self) -> Self:
        ssl_context: ssl.SSLContext | bool = True
        if self.config.ca_file is not None:
            ssl_context = ssl.create_default_context(cafile=str(self.config.ca_file))
        connector = aiohttp.TCPConnector(limit=self.config.max_concurrency, ssl=ssl_context)
        self._http = aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=self.config.timeout), trust_env=False
        )
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.close()
            self._http = None

    @property
    def http(self) -> aiohttp.ClientSession:
        if self._http is None:
            raise RuntimeError("use SalesforceClient inside 'async with'")
        return self._http

    async def access_token(self) -> str:
        """The current access token, logging in first if there is none yet."""
        token = await self._tokens.current(self.http, since=time.monotonic())
        self.stats.logins = self._tokens.logins
        return token.access_token

    @property
    def api_usage(self) -> tuple[int, int] | None:
        return self.stats.api_usage

    # -- queries ------------------------------------------------------------------------------

    async def query(self, soql: str, *, include_deleted: bool = False,
                    batch_size: int | None = None) -> AsyncIterator[dict[str, Any]]:
        """Every record of a SOQL query, fetching the next page as the previous one runs out."""
        page = await self._first_page(soql, include_deleted, batch_size)
        while True:
            for record in page.get("records", []):
                yield record
            next_url = page.get("nextRecordsUrl")
            if page.get("done", True) or not next_url:
                return
            page = await self.request("GET", next_url, headers=_batch_header(batch_size))

    async def query_all(self, soql: str, *, include_deleted: bool = False,
                        batch_size: int | None = None) -> QueryResult:
        """All pages of a SOQL query merged; ``include_deleted`` uses ``queryAll``."""
        page = await self._first_page(soql, include_deleted, batch_size)
        result = QueryResult(int(page.get("totalSize", 0)), list(page.get("records", [])))
        while not page.get("done", True) and page.get("nextRecordsUrl"):
            page = await self.request("GET", page["nextRecordsUrl"], headers=_batch_header(batch_size))
            result.records.extend(page.get("records", []))
        return result

    async def _first_page(self, soql: str, include_deleted: bool, batch_size: int | None) -> dict[str, Any]:
        resource = "queryAll" if include_deleted else "query"
        body = await self.request("GET", self._api(resource), params={"q": soql}, headers=_batch_header(batch_size))
        return _as_dict(body)

    async def search(self, sosl: str) -> list[dict[str, Any]]:
        """The records a SOSL search finds, grouped in RETURNING order."""
        body = await self.request("GET", self._api("search"), params={"q": sosl})
        return list(_as_dict(body).get("searchRecords", []))

    async def parameterized_search(self, q: str, **params: Any) -> list[dict[str, Any]]:
        """``parameterizedSearch`` with a JSON body: ``q`` plus e.g. ``sobjects``, ``fields``, ``overallLimit``."""
        body = await self.request("POST", self._api("parameterizedSearch"), json={"q": q, **params})
        return list(_as_dict(body).get("searchRecords", []))

    # -- metadata -----------------------------------------------------------------------------

    async def describe_global(self) -> dict[str, Any]:
        if "" not in self._describe_cache:
            self._describe_cache[""] = await self.request("GET", self._api("sobjects"))
        return _as_dict(self._describe_cache[""])

    async def describe(self, sobject: str) -> dict[str, Any]:
        key = sobject.lower()
        if key not in self._describe_cache:
            self._describe_cache[key] = await self.request("GET", self._api(f"sobjects/{quote(sobject)}/describe"))
        return _as_dict(self._describe_cache[key])

    async def limits(self) -> dict[str, Any]:
        return _as_dict(await self.request("GET", self._api("limits")))

    # -- records ------------------------------------------------------------------------------

    async def create(self, sobject: str, values: Mapping[str, Any]) -> str:
        body = await self.request("POST", self._api(f"sobjects/{quote(sobject)}"), json=dict(values))
        return str(_as_dict(body)["id"])

    async def get(self, sobject: str, record_id: str, fields: Sequence[str] | None = None) -> dict[str, Any]:
        params = {"fields": ",".join(fields)} if fields else None
        return _as_dict(await self.request("GET", self._api(f"sobjects/{quote(sobject)}/{quote(record_id)}"),
                                           params=params))

    async def update(self, sobject: str, record_id: str, values: Mapping[str, Any]) -> None:
        await self.request("PATCH", self._api(f"sobjects/{quote(sobject)}/{quote(record_id)}"), json=dict(values))

    async def delete(self, sobject: str, record_id: str) -> None:
        await self.request("DELETE", self._api(f"sobjects/{quote(sobject)}/{quote(record_id)}"))

    async def composite(self, subrequests: Sequence[Mapping[str, Any]], *,
                        all_or_none: bool = False) -> list[dict[str, Any]]:
        """Run up to 25 subrequests in one call; returns their ``compositeResponse`` entries."""
        body = await self.request("POST", self._api("composite"),
                                  json={"allOrNone": all_or_none, "compositeRequest": list(subrequests)})
        return list(_as_dict(body).get("compositeResponse", []))

    # -- transport ----------------------------------------------------------------------------

    def _api(self, resource: str) -> str:
        return f"/services/data/v{self.config.api_version}/{resource}"

    async def request(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
                      json: Any = None, headers: Mapping[str, str] | None = None) -> Any:
        """Send one API request (retried if it may pass); the decoded JSON body, or None."""
        deadline = self.config.retry_deadline
        idempotent = method.upper() in IDEMPOTENT

        def should_retry(exc: BaseException) -> bool:
            if not isinstance(exc, SalesforceError) or not exc.retryable:
                return False
            return idempotent or not exc.maybe_processed  # never risk doing a create or update twice

        def wait(state: RetryCallState) -> float:
            return min(_wait(state), max(deadline - (state.seconds_since_start or 0.0), 0.0))

        retrying = AsyncRetrying(
            stop=stop_after_attempt(self.config.max_retries + 1) | stop_after_delay(deadline),
            wait=wait,
            retry=retry_if_exception(should_retry),
            before_sleep=self._count_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await self._send_authenticated(method, path, params, json, headers)
        raise AssertionError("unreachable")

    def _count_retry(self, state: RetryCallState) -> None:
        self.stats.retries += 1
        exc = state.outcome.exception() if state.outcome else None
        log.info("salesforce.retry", attempt=state.attempt_number,
                 error=getattr(exc, "error_code", type(exc).__name__), request=getattr(exc, "request", None))

    async def _send_authenticated(self, method: str, path: str, params: Mapping[str, str] | None, json: Any,
                                  headers: Mapping[str, str] | None) -> Any:
        began = time.monotonic()
        token = await self._tokens.current(self.http, since=began)
        try:
            return await self._send(token, method, path, params, json, headers)
        except SessionExpired:
            if self.config.grant is Grant.SESSION:
                raise
            fresh = await self._tokens.renew(self.http, stale=token, since=began)
            self.stats.logins = self._tokens.logins
            return await self._send(fresh, method, path, params, json, headers)
        finally:
            self.stats.logins = self._tokens.logins

    async def _send(self, token: Token, method: str, path: str, params: Mapping[str, str] | None, json: Any,
                    headers: Mapping[str, str] | None) -> Any:
        url = path if path.startswith(("http://", "https://")) else token.instance_url + path
        sent = {"Authorization": f"Bearer {token.access_token}", "Accept": "application/json", **(headers or {})}
        request = f"{method} {path}"
        async with self._limiter:
            self.stats.requests += 1
            try:
                async with self.http.request(method, url, params=params, json=json, headers=sent) as response:
                    status = response.status
                    text = await response.text()
                    limit_info = response.headers.get("Sforce-Limit-Info")
                    retry_after = response.headers.get("Retry-After")
            except aiohttp.ClientConnectorCertificateError as exc:
                raise CertificateInvalid(f"{exc.certificate_error}", request=request) from None
            except (aiohttp.ClientError, TimeoutError) as exc:
                failed = ConnectionFailed(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__,
                                          request=request)
                # Only a refused connection proves the request never reached the server.
                failed.maybe_processed = not isinstance(exc, aiohttp.ClientConnectorError)
                raise failed from None
        if limit_info and (m := _LIMIT_INFO.search(limit_info)):
            self.stats.api_usage = (int(m.group(1)), int(m.group(2)))
        if status < 300:
            return _decode(text, request) if text else None
        error = _error(status, text, request)
        error.maybe_processed = status >= 500 and status != 503
        if retry_after is not None:
            error.retry_after = _seconds(retry_after)
        raise error


def _wait(state: RetryCallState) -> float:
    exc = state.outcome.exception() if state.outcome else None
    retry_after = exc.retry_after if isinstance(exc, SalesforceError) else None
    if retry_after is not None:
        return float(min(retry_after, MAX_RETRY_AFTER_S))
    return float(wait_random_exponential(multiplier=0.25, max=8.0)(state))


def _seconds(value: str) -> float | None:
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None  # an HTTP date: fall back to backoff


def _batch_header(batch_size: int | None) -> dict[str, str] | None:
    return {"Sforce-Query-Options": f"batchSize={batch_size}"} if batch_size else None


def _decode(text: str, request: str) -> Any:
    try:
        return jsonlib.loads(text)
    except ValueError:
        raise ServerError(f"response is not JSON: {text[:200]!r}", "INVALID_RESPONSE", status=502,
                          request=request) from None


def _error(status: int, text: str, request: str) -> SalesforceError:
    try:
        body = jsonlib.loads(text) if text else None
    except ValueError:
        body = None
    if isinstance(body, list) and body and isinstance(body[0], dict) and "errorCode" in body[0]:
        first = body[0]
        fields = first.get("fields")
        return error_for(status, str(first["errorCode"]), str(first.get("message", "")),
                         fields=list(fields) if isinstance(fields, list) else None, request=request)
    if isinstance(body, dict) and "error" in body:
        return error_for(status, str(body["error"]), str(body.get("error_description", "")), request=request)
    code = "SERVER_ERROR" if status >= 500 else "HTTP_ERROR"
    return error_for(status, code, f"HTTP {status}: {text[:200]}", request=request)


def _as_dict(body: Any) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise ServerError(f"expected a JSON object, got {type(body).__name__}", "INVALID_RESPONSE", status=502)
    return body
