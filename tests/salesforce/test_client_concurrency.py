"""Many requests at once: the per-org concurrency limit holds and no connection outlives the client."""

from __future__ import annotations

import gc
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import aiohttp
import anyio
import pytest

from crmsim.errors import MalformedQuery, SalesforceError
from crmsim.salesforce import SalesforceClient, SalesforceConfig


@pytest.fixture
def no_resource_warnings() -> Iterator[None]:
    """Fail if anything (an unclosed session, connector or socket) warns while the test runs."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
        gc.collect()
    leaks = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert not leaks


def _checked_out(connector: aiohttp.BaseConnector) -> int:
    """Connections handed to a request and not yet given back (aiohttp keeps them in ``_acquired``)."""
    return len(connector._acquired)


async def test_500_concurrent_queries_with_max_concurrency_50(make_config: Callable[..., SalesforceConfig],
                                                              traffic: Any, no_resource_warnings: None) -> None:
    traffic.delay = 0.005  # hold each call briefly so that requests really overlap
    sizes: list[int] = []

    async def one(sf: SalesforceClient, n: int) -> None:
        result = await sf.query_all(f"SELECT Id, Name FROM Account ORDER BY Name LIMIT {1 + n % 5}")
        sizes.append(len(result.records))

    with anyio.fail_after(20):
        async with SalesforceClient(make_config(max_concurrency=50)) as sf:
            session = sf.http
            connector = session.connector
            assert connector is not None and connector.limit == 50
            async with anyio.create_task_group() as tg:
                for n in range(500):
                    tg.start_soon(one, sf, n)
            assert _checked_out(connector) == 0
            assert sf.stats.requests == 500 and sf.stats.retries == 0
    assert sorted(sizes) == sorted(1 + n % 5 for n in range(500))
    assert traffic.api_calls == 500
    assert 10 < traffic.peak <= 50, traffic.peak  # the limit is reached, never exceeded
    assert session.closed and connector.closed
    with pytest.raises(RuntimeError, match="async with"):
        _ = sf.http


@pytest.mark.parametrize("limit", [1, 7])
async def test_concurrency_limit_is_respected(make_config: Callable[..., SalesforceConfig], traffic: Any,
                                              limit: int) -> None:
    traffic.delay = 0.01
    async with SalesforceClient(make_config(max_concurrency=limit)) as sf:
        async with anyio.create_task_group() as tg:
            for _ in range(40):
                tg.start_soon(sf.limits)
    assert traffic.peak == limit


async def test_failures_release_their_connections(make_config: Callable[..., SalesforceConfig], sandbox: Any,
                                                  no_resource_warnings: None) -> None:
    sandbox.limits.retry_after = 0
    sandbox.limits.unavailable_next_requests = 50
    errors: list[SalesforceError] = []

    async def bad(sf: SalesforceClient) -> None:
        try:
            await sf.query_all("SELECT FROM WHERE")
        except SalesforceError as exc:
            errors.append(exc)

    async with SalesforceClient(make_config(max_concurrency=20)) as sf:
        connector = sf.http.connector
        assert connector is not None
        async with anyio.create_task_group() as tg:
            for _ in range(200):
                tg.start_soon(bad, sf)
        assert len(errors) == 200 and all(isinstance(e, MalformedQuery) for e in errors)
        assert sf.stats.retries == 50
        assert _checked_out(connector) == 0


async def test_cancelled_requests_release_their_slots(make_config: Callable[..., SalesforceConfig], traffic: Any,
                                                      no_resource_warnings: None) -> None:
    async with SalesforceClient(make_config(max_concurrency=5)) as sf:
        await sf.limits()
        traffic.delay = 0.3
        with anyio.move_on_after(0.05) as scope:
            async with anyio.create_task_group() as tg:
                for _ in range(20):
                    tg.start_soon(sf.limits)
        assert scope.cancelled_caught
        connector = sf.http.connector
        assert connector is not None and _checked_out(connector) == 0
        traffic.delay = 0
        with anyio.fail_after(5):  # every slot of the limiter came back
            async with anyio.create_task_group() as tg:
                for _ in range(10):
                    tg.start_soon(sf.limits)


async def test_leaving_the_block_on_an_error_closes_the_session(make_config: Callable[..., SalesforceConfig],
                                                                no_resource_warnings: None) -> None:
    sf = SalesforceClient(make_config())
    with pytest.raises(MalformedQuery):
        async with sf:
            session = sf.http
            await sf.query_all("SELECT")
    assert session.closed
    await sf.aclose()  # closing twice is harmless


async def test_calls_outside_async_with_are_refused(make_config: Callable[..., SalesforceConfig]) -> None:
    sf = SalesforceClient(make_config())
    with pytest.raises(RuntimeError, match="async with"):
        await sf.limits()
    await sf.aclose()
