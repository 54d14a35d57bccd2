"""Secrets (client secret, password, access tokens, a given session id) never reach logs or errors."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
import structlog
from structlog.testing import capture_logs

from crmsim.errors import AuthenticationFailed, MalformedQuery, SalesforceError, SessionExpired
from crmsim.logs import configure_logging
from crmsim.salesforce import SalesforceClient, SalesforceConfig, SalesforceTool
from crmsim.sandbox._config import Credentials, SandboxConfig

CLIENT_SECRET = "cs-Zx81-secret"
PASSWORD = "pw-Qv27-secret"
WRONG_PASSWORD = "pw-Wr0ng-secret"
GIVEN_SESSION = "00D000000000001!given-Ks55-secret"
SECRETS = (CLIENT_SECRET, PASSWORD, WRONG_PASSWORD, GIVEN_SESSION)

pytestmark = pytest.mark.parametrize(
    "sandbox_config", [SandboxConfig(credentials=Credentials(client_secret=CLIENT_SECRET, password=PASSWORD))]
)


async def _exercise(make_config: Callable[..., SalesforceConfig], sandbox: Any) -> list[SalesforceError]:
    """Successful calls, a retry, a bad query, a refused login and a dead session; the errors raised."""
    errors: list[SalesforceError] = []
    async with SalesforceClient(make_config(client_secret=CLIENT_SECRET, password=PASSWORD)) as sf:
        sandbox.limits.retry_after = 0
        sandbox.limits.unavailable_next_requests = 1
        await sf.query_all("SELECT Id, Name FROM Account")
        await sf.describe("Account")
        assert (await SalesforceTool(sf).execute("SELECT Id FROM Nowhere")).startswith("INVALID_TYPE: ")
        try:
            await sf.query_all("SELECT FROM")
        except MalformedQuery as exc:
            errors.append(exc)
        sandbox.auth.expire_all()
        await sf.limits()  # renewed login
        assert sf.stats.logins == 2 and sf.stats.retries == 1
    async with SalesforceClient(make_config(client_secret=CLIENT_SECRET, password=WRONG_PASSWORD)) as sf:
        try:
            await sf.limits()
        except AuthenticationFailed as exc:
            errors.append(exc)
    async with SalesforceClient(make_config(session_id=GIVEN_SESSION)) as sf:
        try:
            await sf.limits()
        except SessionExpired as exc:
            errors.append(exc)
    assert [type(e) for e in errors] == [MalformedQuery, AuthenticationFailed, SessionExpired]
    return errors


def _leaks(text: str, tokens: set[str]) -> list[str]:
    return [secret for secret in (*SECRETS, *tokens) if secret in text]


async def test_secrets_absent_from_captured_logs(make_config: Callable[..., SalesforceConfig], sandbox: Any,
                                                 traffic: Any) -> None:
    with capture_logs() as logs:
        errors = await _exercise(make_config, sandbox)
    assert "salesforce.retry" in {entry["event"] for entry in logs}  # the client did log
    assert len(traffic.bearer_tokens) >= 3  # two logins' tokens and the given session
    assert not _leaks(repr(logs), traffic.bearer_tokens)
    for error in errors:
        assert not _leaks(f"{error!s} {error!r} {error.request} {error.message}", traffic.bearer_tokens)


async def test_secrets_absent_from_rendered_log_lines(make_config: Callable[..., SalesforceConfig], sandbox: Any,
                                                      traffic: Any) -> None:
    stream = io.StringIO()
    configure_logging(level="debug", file=stream)
    # The entry points' pipeline, minus caching: a cached module-level logger would keep writing to
    # this stream after the test (structlog.reset_defaults cannot undo a cached proxy).
    structlog.configure(cache_logger_on_first_use=False)
    await _exercise(make_config, sandbox)
    text = stream.getvalue()
    assert "salesforce.retry" in text
    assert not _leaks(text, traffic.bearer_tokens)
