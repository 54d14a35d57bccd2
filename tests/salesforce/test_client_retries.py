"""Retries: what is retried (limits, 5xx, network, timeouts), what is not (4xx), and their bounds."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from typing import Any

import pytest
from structlog.testing import capture_logs

from crmsim.errors import (
    ConnectionFailed,
    InvalidField,
    InvalidType,
    MalformedQuery,
    NotFound,
    RequestLimitExceeded,
    SalesforceError,
    ServerError,
)
from crmsim.salesforce import SalesforceClient, SalesforceConfig


@pytest.fixture
async def logged_in(make_config: Callable[..., SalesforceConfig]) -> AsyncIterator[Any]:
    """``await logged_in(**overrides)``: an open client that has already logged in (closed after the test)."""
    async with AsyncExitStack() as stack:

        async def make(**overrides: Any) -> SalesforceClient:
            sf = await stack.enter_async_context(SalesforceClient(make_config(**overrides)))
            await sf.limits()
            return sf

        yield make


@pytest.mark.parametrize(
    ("knob", "code"),
    [("fail_next_requests", "REQUEST_LIMIT_EXCEEDED"), ("unavailable_next_requests", "SERVER_UNAVAILABLE")],
)
async def test_injected_refusals_are_retried(logged_in: Any, sandbox: Any, traffic: Any, knob: str,
                                             code: str) -> None:
    sf = await logged_in()
    sandbox.limits.retry_after = 0  # "Retry-After: 0" where the sandbox sends it, so the test does not wait
    setattr(sandbox.limits, knob, 2)
    before = traffic.api_calls
    with capture_logs() as logs:
        result = await sf.query_all("SELECT Id FROM Account LIMIT 2")
    assert len(result.records) == 2
    assert sf.stats.retries == 2
    assert traffic.api_calls - before == 3
    retries = [e for e in logs if e["event"] == "salesforce.retry"]
    assert [(e["attempt"], e["error"]) for e in retries] == [(1, code), (2, code)]
    assert all(e["request"] == "GET /services/data/v62.0/query" for e in retries)


async def test_limit_and_unavailable_mixed_are_retried_with_backoff(logged_in: Any, sandbox: Any) -> None:
    """No Retry-After: exponential backoff with jitter (short for the first attempts)."""
    sf = await logged_in()
    sandbox.limits.fail_next_requests = 1
    sandbox.limits.unavailable_next_requests = 1
    assert (await sf.limits())["DailyApiRequests"]["Max"] > 0
    assert sf.stats.retries == 2


async def test_retry_after_is_honoured(logged_in: Any, sandbox: Any) -> None:
    sf = await logged_in()
    sandbox.limits.retry_after = 0.2
    sandbox.limits.unavailable_next_requests = 2
    started = time.perf_counter()
    await sf.limits()
    elapsed = time.perf_counter() - started
    assert sf.stats.retries == 2
    assert elapsed >= 2 * 0.2
    assert elapsed < 2 * 0.2 + 1.0  # the header's wait, not a long backoff


@pytest.mark.parametrize(
    ("knob", "error_type", "code", "status"),
    [
        ("fail_next_requests", RequestLimitExceeded, "REQUEST_LIMIT_EXCEEDED", 403),
        ("unavailable_next_requests", ServerError, "SERVER_UNAVAILABLE", 503),
    ],
)
async def test_retries_are_bounded_in_count(logged_in: Any, sandbox: Any, traffic: Any, knob: str,
                                            error_type: type[SalesforceError], code: str, status: int) -> None:
    sf = await logged_in(max_retries=2)
    sandbox.limits.retry_after = 0
    setattr(sandbox.limits, knob, 5)
    before = traffic.api_calls
    with pytest.raises(error_type) as caught:
        await sf.query_all("SELECT Id FROM Account")
    error = caught.value
    assert (error.error_code, error.status, error.retryable) == (code, status, True)
    assert error.request == "GET /services/data/v62.0/query"
    assert sf.stats.retries == 2
    assert traffic.api_calls - before == 3
    assert getattr(sandbox.limits, knob) == 2  # the rest were never asked for


async def test_retry_after_is_kept_on_the_error(logged_in: Any, sandbox: Any) -> None:
    sf = await logged_in(max_retries=0)
    sandbox.limits.retry_after = 0.25
    sandbox.limits.unavailable_next_requests = 1
    with pytest.raises(ServerError) as caught:
        await sf.limits()
    assert caught.value.retry_after == 0.25


async def test_request_limit_refusals_carry_retry_after(logged_in: Any, sandbox: Any) -> None:
    sf = await logged_in(max_retries=0)
    sandbox.limits.retry_after = 0.25
    sandbox.limits.fail_next_requests = 1
    with pytest.raises(RequestLimitExceeded) as caught:
        await sf.limits()
    assert caught.value.retry_after == 0.25


async def test_no_retries_when_max_retries_is_zero(logged_in: Any, sandbox: Any) -> None:
    sf = await logged_in(max_retries=0)
    sandbox.limits.unavailable_next_requests = 1
    with pytest.raises(ServerError):
        await sf.limits()
    assert sf.stats.retries == 0
    await sf.limits()


async def test_retry_deadline_bounds_the_time_spent(logged_in: Any, sandbox: Any) -> None:
    sf = await logged_in(max_retries=1000, retry_deadline=0.3)
    sandbox.limits.retry_after = 0.05
    sandbox.limits.unavailable_next_requests = 10_000
    started = time.perf_counter()
    with pytest.raises(ServerError):
        await sf.limits()
    elapsed = time.perf_counter() - started
    assert 0.3 <= elapsed < 1.0
    assert 3 <= sf.stats.retries < 30


async def test_retry_after_beyond_the_deadline_does_not_outlast_it(logged_in: Any, sandbox: Any) -> None:
    sf = await logged_in(max_retries=4, retry_deadline=0.2)
    sandbox.limits.retry_after = 1.0
    sandbox.limits.unavailable_next_requests = 10
    started = time.perf_counter()
    with pytest.raises(ServerError):
        await sf.limits()
    assert time.perf_counter() - started < 0.7


async def test_malformed_soql_is_not_retried(logged_in: Any, sandbox: Any, traffic: Any) -> None:
    sf = await logged_in()
    used, before = sandbox.limits.used, traffic.api_calls
    with pytest.raises(MalformedQuery) as caught:
        await sf.query_all("SELEC Id FROM Account")
    error = caught.value
    assert error.error_code == "MALFORMED_QUERY"
    assert "ERROR at Row:1:Column:1" in error.message
    assert (error.status, error.retryable) == (400, False)
    assert error.request == "GET /services/data/v62.0/query"
    assert str(error) == f"MALFORMED_QUERY: {error.message}"
    assert sf.stats.retries == 0
    assert traffic.api_calls - before == 1
    assert sandbox.limits.used - used == 1
    assert sf.api_usage == (sandbox.limits.used, sandbox.limits.daily_max)  # error answers carry the header too


@pytest.mark.parametrize(
    ("soql", "error_type", "code"),
    [
        ("SELECT Nope__c FROM Account", InvalidField, "INVALID_FIELD"),
        ("SELECT Id FROM NoSuchObject", InvalidType, "INVALID_TYPE"),
        ("SELECT Id FROM Account WHERE", MalformedQuery, "MALFORMED_QUERY"),
    ],
)
async def test_query_errors_are_typed_and_not_retried(logged_in: Any, traffic: Any, soql: str,
                                                      error_type: type[SalesforceError], code: str) -> None:
    sf = await logged_in()
    before = traffic.api_calls
    with pytest.raises(error_type) as caught:
        await sf.query_all(soql)
    assert (caught.value.error_code, caught.value.status) == (code, 400)
    assert (sf.stats.retries, traffic.api_calls - before) == (0, 1)


async def test_not_found_is_not_retried(logged_in: Any, traffic: Any) -> None:
    sf = await logged_in()
    before = traffic.api_calls
    with pytest.raises(NotFound) as caught:
        await sf.get("Account", "001000000000000AAA")
    assert caught.value.status == 404
    assert (sf.stats.retries, traffic.api_calls - before) == (0, 1)


async def test_connection_refused_on_login(make_config: Callable[..., SalesforceConfig], closed_port: int) -> None:
    url = f"http://127.0.0.1:{closed_port}"
    async with SalesforceClient(make_config(instance_url=url, max_retries=2)) as sf:
        with pytest.raises(ConnectionFailed) as caught:
            await sf.limits()
        error = caught.value
        assert (error.error_code, error.status, error.retryable) == ("CONNECTION_FAILED", 599, True)
        assert error.request == f"POST {url}/services/oauth2/token"
        assert sf.stats.retries == 2


async def test_connection_refused_on_a_call(make_config: Callable[..., SalesforceConfig], closed_port: int) -> None:
    config = make_config(instance_url=f"http://127.0.0.1:{closed_port}", session_id="00D!given", max_retries=2)
    async with SalesforceClient(config) as sf:
        with pytest.raises(ConnectionFailed) as caught:
            await sf.query_all("SELECT Id FROM Account")
        assert caught.value.request == "GET /services/data/v62.0/query"
        assert (sf.stats.retries, sf.stats.requests) == (2, 3)


async def test_timeouts_are_retried(logged_in: Any, traffic: Any) -> None:
    sf = await logged_in(timeout=0.2)
    traffic.stall_next, traffic.stall_seconds = 1, 0.6
    started = time.perf_counter()
    assert (await sf.limits())["DailyApiRequests"]["Max"] > 0
    assert time.perf_counter() - started >= 0.2
    assert sf.stats.retries == 1


async def test_timeouts_past_max_retries_raise_connection_failed(logged_in: Any, traffic: Any) -> None:
    sf = await logged_in(timeout=0.15, max_retries=1)
    traffic.stall_next, traffic.stall_seconds = 2, 0.4
    with pytest.raises(ConnectionFailed) as caught:
        await sf.limits()
    assert "Timeout" in caught.value.message
    assert sf.stats.retries == 1


async def test_a_proxy_error_page_is_retried(logged_in: Any, traffic: Any) -> None:
    sf = await logged_in(max_retries=1)
    traffic.bad_gateway_next = 1
    assert (await sf.query_all("SELECT Id FROM Account LIMIT 1")).total_size == 1
    assert sf.stats.retries == 1
    traffic.bad_gateway_next = 2
    with pytest.raises(ServerError) as caught:
        await sf.limits()
    error = caught.value
    assert (error.status, error.error_code) == (502, "SERVER_ERROR")
    assert "502 Bad Gateway" in error.message


async def test_a_create_answered_late_is_not_made_twice(logged_in: Any, traffic: Any) -> None:
    sf = await logged_in(timeout=0.2)
    traffic.late_next, traffic.late_seconds = 1, 0.4  # the record is written, the answer comes too late
    try:
        await sf.create("Account", {"Name": "Exactly Once Ltd"})
    except ConnectionFailed:
        pass  # reporting the timeout is fine; writing the record twice is not
    made = await sf.query_all("SELECT Id FROM Account WHERE Name = 'Exactly Once Ltd'")
    assert made.total_size == 1
