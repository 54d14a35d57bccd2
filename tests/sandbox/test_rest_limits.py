"""API allowances: ``limits``, the ``Sforce-Limit-Info`` header, and REQUEST_LIMIT_EXCEEDED."""

from __future__ import annotations

import re
from typing import Any

import pytest

from crmsim.sandbox._config import SandboxConfig
from crmsim.sandbox._limits import ApiLimits

LIMIT_EXCEEDED = [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]


def _usage(result: Any) -> tuple[int, int]:
    match = re.fullmatch(r"api-usage=(\d+)/(\d+)", result.headers["Sforce-Limit-Info"])
    assert match, result.headers["Sforce-Limit-Info"]
    return int(match.group(1)), int(match.group(2))


async def test_every_api_response_carries_the_usage_header(api: Any, sandbox: Any) -> None:
    first = await api.get("sobjects")
    second = await api.get("sobjects/Nope")
    third = await api.post("sobjects/Account", json={})
    used, total = _usage(first)
    assert total == sandbox.config.daily_api_requests
    assert _usage(second) == (used + 1, total)
    assert _usage(third) == (used + 2, total)
    versions = await api.get("/services/data", auth=False)
    assert "Sforce-Limit-Info" not in versions.headers


async def test_limits_resource(api: Any) -> None:
    result = await api.get("limits/")
    assert result.status == 200
    daily = result.body["DailyApiRequests"]
    used, total = _usage(result)
    assert daily == {"Max": total, "Remaining": total - used}
    for name in ("DataStorageMB", "FileStorageMB", "DailyBulkApiBatches"):
        assert set(result.body[name]) == {"Max", "Remaining"}


async def test_injected_refusals(api: Any, sandbox: Any) -> None:
    sandbox.limits.fail_next_requests = 2
    for _ in range(2):
        refused = await api.get("limits")
        assert (refused.status, refused.body) == (403, LIMIT_EXCEEDED)
        assert "Sforce-Limit-Info" in refused.headers
    assert (await api.get("limits")).status == 200


@pytest.mark.parametrize("sandbox_config", [SandboxConfig(fail_next_requests=1)])
async def test_injected_refusal_from_config(api: Any) -> None:
    assert (await api.get("sobjects")).status == 403
    assert (await api.get("sobjects")).status == 200


@pytest.mark.parametrize("sandbox_config", [SandboxConfig(per_token_daily_limit=3)])
async def test_per_token_daily_limit(api: Any, http: Any, login: Any, make_api: Any) -> None:
    for _ in range(3):
        assert (await api.get("limits")).status == 200
    refused = await api.get("limits")
    assert (refused.status, refused.body) == (403, LIMIT_EXCEEDED)
    fresh = make_api(api.url, await login(http, api.url))
    assert (await fresh.get("limits")).status == 200


@pytest.mark.parametrize("sandbox_config", [SandboxConfig(daily_api_requests=2)])
async def test_org_daily_limit(api: Any) -> None:
    assert (await api.get("limits")).status == 200
    assert (await api.get("limits")).status == 200
    refused = await api.get("limits")
    assert refused.status == 403 and _usage(refused) == (2, 2)


def test_usage_resets_each_day() -> None:
    days = iter(["2024-06-14", "2024-06-14", "2024-06-15", "2024-06-15"])
    limits = ApiLimits(10, today=lambda: next(days))

    class FakeSession:
        api_calls = 0
        calls_day = ""

    limits.consume(FakeSession())  # type: ignore[arg-type]
    assert limits.used == 1
    assert limits.header() == "api-usage=0/10"
