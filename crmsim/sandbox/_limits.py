"""API call accounting: the daily request allowance, ``Sforce-Limit-Info`` and injected refusals."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from crmsim.errors import RequestLimitExceeded, SalesforceError, ServerError

from ._routing import Call, Reply

if TYPE_CHECKING:
    from ._auth import Session
    from ._state import Sandbox


def _utc_day() -> str:
    return datetime.now(UTC).date().isoformat()


def limit_exceeded() -> SalesforceError:
    return RequestLimitExceeded("TotalRequests Limit exceeded.", "REQUEST_LIMIT_EXCEEDED", status=403)


class ApiLimits:
    """Counts API calls per UTC day, org-wide and per token.

    Knobs for tests of client retry logic, each counting down as API calls arrive:
    ``fail_next_requests`` refuses calls with 403 REQUEST_LIMIT_EXCEEDED, and
    ``unavailable_next_requests`` answers 503 as an overloaded server or proxy would. While
    ``retry_after`` is set, those refusals carry a ``Retry-After`` header of that many seconds.
    """

    def __init__(self, daily_max: int, *, per_token_max: int | None = None,
                 fail_next_requests: int = 0, today: Callable[[], str] = _utc_day) -> None:
        self.daily_max = daily_max
        self.per_token_max = per_token_max
        self.fail_next_requests = fail_next_requests
        self.unavailable_next_requests = 0
        self.retry_after: float | None = None
        self._today = today
        self._day = today()
        self.used = 0

    def _roll(self) -> str:
        day = self._today()
        if day != self._day:
            self._day, self.used = day, 0
        return day

    def consume(self, session: Session) -> None:
        """Count one call by ``session``; REQUEST_LIMIT_EXCEEDED if an allowance is spent."""
        day = self._roll()
        if self.unavailable_next_requests > 0:
            self.unavailable_next_requests -= 1
            raise ServerError("Service temporarily unavailable, try again later", "SERVER_UNAVAILABLE", status=503)
        if self.fail_next_requests > 0:
            self.fail_next_requests -= 1
            raise limit_exceeded()
        if self.used >= self.daily_max:
            raise limit_exceeded()
        if session.calls_day != day:
            session.calls_day, session.api_calls = day, 0
        if self.per_token_max is not None and session.api_calls >= self.per_token_max:
            raise limit_exceeded()
        self.used += 1
        session.api_calls += 1

    def header(self) -> str:
        """The ``Sforce-Limit-Info`` header value."""
        self._roll()
        return f"api-usage={self.used}/{self.daily_max}"

    def remaining(self) -> int:
        self._roll()
        return max(self.daily_max - self.used, 0)


def _pair(maximum: int, remaining: int) -> dict[str, int]:
    return {"Max": maximum, "Remaining": remaining}


async def limits_handler(sandbox: Sandbox, call: Call) -> Reply:
    """``GET limits``: the org's allowances, with the API call count kept by the sandbox."""
    limits = sandbox.limits
    return Reply(200, {
        "ConcurrentAsyncGetReportInstances": _pair(200, 200),
        "ConcurrentSyncReportRuns": _pair(20, 20),
        "DailyApiRequests": _pair(limits.daily_max, limits.remaining()),
        "DailyAsyncApexExecutions": _pair(250000, 250000),
        "DailyBulkApiBatches": _pair(15000, 15000),
        "DailyBulkV2QueryJobs": _pair(10000, 10000),
        "DailyStreamingApiEvents": _pair(10000, 10000),
        "DataStorageMB": _pair(1024, 1024),
        "FileStorageMB": _pair(1024, 1024),
        "HourlyODataCallout": _pair(20000, 20000),
        "HourlyTimeBasedWorkflow": _pair(1000, 1000),
        "MassEmail": _pair(5000, 5000),
        "SingleEmail": _pair(5000, 5000),
    })
