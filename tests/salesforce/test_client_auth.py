"""Logging in: the three OAuth grants, a given session id, refusals, and renewal when tokens expire."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from crmsim.errors import AuthenticationFailed, ConfigError, SessionExpired
from crmsim.salesforce import Grant, SalesforceClient, SalesforceConfig
from crmsim.sandbox._config import Credentials, SandboxConfig

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
PUBLIC_PEM = KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
).decode()
JWT_SANDBOX = SandboxConfig(jwt_public_key=PUBLIC_PEM)
PAGED = "SELECT Id FROM Account WHERE Name LIKE 'Paged %'"


def _write_key(path: Path, key: rsa.RSAPrivateKey) -> Path:
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    return path


async def _raw_login(url: str) -> str:
    form = {"grant_type": "password", "client_id": "crmsim", "client_secret": "crmsim",
            "username": "admin@crmsim.local", "password": "crmsim"}
    async with aiohttp.ClientSession() as http, http.post(f"{url}/services/oauth2/token", data=form) as response:
        assert response.status == 200
        token: str = (await response.json())["access_token"]
        return token


async def test_password_grant_logs_in_lazily_once(make_config: Callable[..., SalesforceConfig], traffic: Any) -> None:
    config = make_config()
    assert config.grant is Grant.PASSWORD
    async with SalesforceClient(config) as sf:
        assert traffic.logins == 0  # nothing happens until the first call
        await sf.limits()
        await sf.query_all("SELECT Id FROM Account LIMIT 1")
        assert (sf.stats.logins, traffic.logins) == (1, 1)
    assert traffic.grants == ["password"]


@pytest.mark.parametrize("given", [{"username": None, "password": None}, {"grant_type": "client_credentials"}])
async def test_client_credentials_grant(make_config: Callable[..., SalesforceConfig], traffic: Any,
                                        given: dict[str, Any]) -> None:
    config = make_config(**given)
    assert config.grant is Grant.CLIENT_CREDENTIALS
    async with SalesforceClient(config) as sf:
        assert (await sf.query_all("SELECT COUNT() FROM Account")).total_size > 0
        assert (sf.stats.logins, traffic.logins) == (1, 1)
    assert traffic.grants == ["client_credentials"]


@pytest.mark.parametrize("sandbox_config", [JWT_SANDBOX])
async def test_jwt_bearer_grant(make_config: Callable[..., SalesforceConfig], tmp_path: Path, traffic: Any) -> None:
    config = make_config(private_key_file=_write_key(tmp_path / "key.pem", KEY))
    assert config.grant is Grant.JWT_BEARER
    async with SalesforceClient(config) as sf:
        assert (await sf.query_all("SELECT COUNT() FROM Account")).total_size > 0
        assert (sf.stats.logins, traffic.logins) == (1, 1)
    assert traffic.grants == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]


@pytest.mark.parametrize("sandbox_config", [JWT_SANDBOX])
async def test_jwt_bearer_with_an_unregistered_key_is_refused(make_config: Callable[..., SalesforceConfig],
                                                              tmp_path: Path) -> None:
    config = make_config(private_key_file=_write_key(tmp_path / "other.pem", OTHER_KEY))
    async with SalesforceClient(config) as sf:
        with pytest.raises(AuthenticationFailed) as caught:
            await sf.limits()
        assert caught.value.error_code == "invalid_grant"
        assert (sf.stats.logins, sf.stats.retries) == (0, 0)


@pytest.mark.parametrize("sandbox_config", [JWT_SANDBOX])
async def test_jwt_bearer_key_problems_are_config_errors(make_config: Callable[..., SalesforceConfig],
                                                         tmp_path: Path) -> None:
    missing = tmp_path / "missing.pem"
    async with SalesforceClient(make_config(private_key_file=missing)) as sf:
        with pytest.raises(ConfigError, match="missing.pem"):
            await sf.limits()
    garbage = tmp_path / "garbage.pem"
    garbage.write_text("not a key\n")
    async with SalesforceClient(make_config(private_key_file=garbage)) as sf:
        with pytest.raises(ConfigError, match="garbage.pem"):
            await sf.limits()


@pytest.mark.parametrize("sandbox_config", [JWT_SANDBOX])
async def test_jwt_bearer_through_a_separate_login_url(make_config: Callable[..., SalesforceConfig], base_url: str,
                                                       closed_port: int, tmp_path: Path) -> None:
    """The assertion's audience is the login host; calls go to the instance URL the token names."""
    config = make_config(instance_url=f"http://127.0.0.1:{closed_port}", login_url=base_url,
                         private_key_file=_write_key(tmp_path / "key.pem", KEY), max_retries=0)
    assert config.token_url == f"{base_url}/services/oauth2/token"
    async with SalesforceClient(config) as sf:
        assert (await sf.query_all("SELECT COUNT() FROM Account")).total_size > 0


async def test_given_session_id_is_used_without_logging_in(make_config: Callable[..., SalesforceConfig],
                                                           base_url: str, traffic: Any) -> None:
    token = await _raw_login(base_url)
    config = make_config(session_id=token)
    assert config.grant is Grant.SESSION
    async with SalesforceClient(config) as sf:
        assert (await sf.query_all("SELECT COUNT() FROM Account")).total_size > 0
        assert (sf.stats.logins, traffic.logins) == (0, 1)  # only the raw login above


async def test_expired_given_session_raises_without_a_login_attempt(make_config: Callable[..., SalesforceConfig],
                                                                    base_url: str, sandbox: Any,
                                                                    traffic: Any) -> None:
    async with SalesforceClient(make_config(session_id=await _raw_login(base_url))) as sf:
        await sf.limits()
        sandbox.auth.expire_all()
        with pytest.raises(SessionExpired) as caught:
            await sf.limits()
        error = caught.value
        assert (error.error_code, error.status) == ("INVALID_SESSION_ID", 401)
        assert error.request == "GET /services/data/v62.0/limits"
        assert (sf.stats.logins, sf.stats.retries, traffic.logins) == (0, 0, 1)


async def test_unknown_given_session_raises(make_config: Callable[..., SalesforceConfig], traffic: Any) -> None:
    async with SalesforceClient(make_config(session_id="00D000000000001!made-up")) as sf:
        with pytest.raises(SessionExpired):
            await sf.query_all("SELECT Id FROM Account")
    assert traffic.logins == 0


@pytest.mark.parametrize(
    ("overrides", "error_code"),
    [
        ({"password": "wrong"}, "invalid_grant"),
        ({"username": "nobody@example.com"}, "invalid_grant"),
        ({"client_secret": "wrong"}, "invalid_client"),
        ({"client_id": "someone-else"}, "invalid_client_id"),
        ({"username": None, "password": None, "client_secret": "wrong"}, "invalid_client"),
    ],
)
async def test_bad_credentials_raise_authentication_failed(make_config: Callable[..., SalesforceConfig],
                                                           base_url: str, traffic: Any, overrides: dict[str, Any],
                                                           error_code: str) -> None:
    async with SalesforceClient(make_config(**overrides)) as sf:
        with pytest.raises(AuthenticationFailed) as caught:
            await sf.query_all("SELECT Id FROM Account")
        error = caught.value
        assert (error.error_code, error.status) == (error_code, 400)
        assert error.request == f"POST {base_url}/services/oauth2/token"
        assert error.message  # the OAuth error_description
        assert (sf.stats.logins, sf.stats.retries) == (0, 0)
        assert (traffic.logins, traffic.api_calls) == (1, 0)  # refused logins are not retried
        with pytest.raises(AuthenticationFailed):  # no token was kept: the next call tries again
            await sf.limits()
        assert traffic.logins == 2


@pytest.mark.parametrize("when", ["first login", "renewal"])
async def test_concurrent_calls_share_one_refused_login(make_config: Callable[..., SalesforceConfig], sandbox: Any,
                                                        traffic: Any, when: str) -> None:
    refused: list[AuthenticationFailed] = []

    async def call(sf: SalesforceClient) -> None:
        try:
            await sf.limits()
        except AuthenticationFailed as exc:
            refused.append(exc)

    async with SalesforceClient(make_config()) as sf:
        if when == "renewal":
            await sf.limits()
            sandbox.auth.expire_all()
        sandbox.auth.credentials = Credentials(password="changed-meanwhile")
        before = traffic.logins
        async with anyio.create_task_group() as tg:
            for _ in range(100):
                tg.start_soon(call, sf)
    assert len(refused) == 100
    assert traffic.logins - before == 1  # real orgs lock a user out after a few failed logins


async def test_first_calls_share_one_login(client: SalesforceClient, traffic: Any) -> None:
    async with anyio.create_task_group() as tg:
        for _ in range(100):
            tg.start_soon(client.limits)
    assert (client.stats.logins, traffic.logins, traffic.api_calls) == (1, 1, 100)


async def test_expiry_mid_stream_renews_once_for_100_queries(client: SalesforceClient, sandbox: Any,
                                                            add_accounts: Callable[..., list[str]],
                                                            traffic: Any) -> None:
    """100 queries hold a cursor each; every token expires; their next pages cause one login."""
    add_accounts(450)
    await client.limits()
    assert client.stats.logins == 1
    waiting = 0
    all_waiting, resume = anyio.Event(), anyio.Event()
    counts: list[int] = []

    async def read_all() -> None:
        nonlocal waiting
        count = 0
        async for _record in client.query(PAGED, batch_size=200):
            count += 1
            if count == 1:
                waiting += 1
                if waiting == 100:
                    all_waiting.set()
                await resume.wait()
        counts.append(count)

    with anyio.fail_after(20):
        async with anyio.create_task_group() as tg:
            for _ in range(100):
                tg.start_soon(read_all)
            await all_waiting.wait()
            sandbox.auth.expire_all()
            resume.set()
    assert counts == [450] * 100
    assert (client.stats.logins, traffic.logins) == (2, 2)
    assert client.stats.retries == 0


@pytest.mark.parametrize("sandbox_config", [SandboxConfig(token_ttl=1.0)])
async def test_token_lifetime_running_out_renews_once(client: SalesforceClient, traffic: Any) -> None:
    await client.limits()
    await anyio.sleep(1.05)  # the sandbox now answers INVALID_SESSION_ID to that token
    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            for _ in range(100):
                tg.start_soon(client.query_all, "SELECT Id FROM Account LIMIT 3")
    assert (client.stats.logins, traffic.logins) == (2, 2)


async def test_renewed_session_keeps_working(client: SalesforceClient, sandbox: Any) -> None:
    for expected_logins in (1, 2, 3):
        await client.limits()
        assert client.stats.logins == expected_logins
        sandbox.auth.expire_all()
