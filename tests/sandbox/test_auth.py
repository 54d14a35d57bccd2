"""OAuth token endpoint, bearer sessions, identity resources and credential settings."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
from typing import Any

import pytest
from structlog.testing import capture_logs

from crmsim.sandbox._config import Credentials, SandboxConfig

TOKEN_PATH = "/services/oauth2/token"
GOOD = {
    "grant_type": "password",
    "client_id": "crmsim",
    "client_secret": "crmsim",
    "username": "admin@crmsim.local",
    "password": "crmsim",
}


async def _token(http: Any, url: str, form: dict[str, str], **kwargs: Any) -> tuple[int, Any]:
    async with http.post(url + TOKEN_PATH, data=form, **kwargs) as response:
        if response.status == 200:
            assert response.headers["Cache-Control"] == "no-store"
        return response.status, await response.json()


async def test_password_grant_returns_salesforce_fields(http: Any, base_url: str) -> None:
    status, body = await _token(http, base_url, GOOD)
    assert status == 200
    assert set(body) == {"access_token", "instance_url", "id", "token_type", "issued_at", "signature"}
    assert body["token_type"] == "Bearer"
    assert body["instance_url"] == base_url
    assert body["id"].startswith(f"{base_url}/id/00D")
    assert body["issued_at"].isdigit() and len(body["issued_at"]) == 13
    expected = hmac.new(b"crmsim", (body["id"] + body["issued_at"]).encode(), hashlib.sha256)
    assert base64.b64decode(body["signature"]) == expected.digest()
    assert body["access_token"].startswith("00D")


async def test_client_credentials_grant_in_form_and_basic_auth(http: Any, base_url: str) -> None:
    status, body = await _token(
        http, base_url, {"grant_type": "client_credentials", "client_id": "crmsim", "client_secret": "crmsim"}
    )
    assert status == 200 and body["token_type"] == "Bearer"
    basic = base64.b64encode(b"crmsim:crmsim").decode()
    status, body = await _token(
        http, base_url, {"grant_type": "client_credentials"}, headers={"Authorization": f"Basic {basic}"}
    )
    assert status == 200 and "access_token" in body


@pytest.mark.parametrize(
    ("change", "error", "description"),
    [
        ({"client_id": "other"}, "invalid_client_id", "client identifier invalid"),
        ({"client_secret": "wrong"}, "invalid_client", "invalid client credentials"),
        ({"password": "wrong"}, "invalid_grant", "authentication failure"),
        ({"username": "someone@else"}, "invalid_grant", "authentication failure"),
        ({"grant_type": "authorization_code"}, "unsupported_grant_type", "grant type not supported"),
    ],
)
async def test_token_errors_in_salesforce_words(
    http: Any, base_url: str, change: dict[str, str], error: str, description: str
) -> None:
    status, body = await _token(http, base_url, {**GOOD, **change})
    assert status == 400
    assert body == {"error": error, "error_description": description}


async def test_token_without_grant_type(http: Any, base_url: str) -> None:
    status, body = await _token(http, base_url, {})
    assert (status, body["error"]) == (400, "unsupported_grant_type")


async def test_token_endpoint_is_post_only(http: Any, base_url: str) -> None:
    async with http.get(base_url + TOKEN_PATH) as response:
        assert response.status == 405
        body = await response.json()
    assert body[0]["errorCode"] == "METHOD_NOT_ALLOWED"


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer nope"},
        {"Authorization": "nope"},
        {"Authorization": "Bearer "},
    ],
)
async def test_api_needs_a_valid_bearer_token(api: Any, headers: dict[str, str]) -> None:
    result = await api.get("sobjects", auth=False, headers=headers)
    assert result.status == 401
    assert result.body == [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]
    assert "Sforce-Limit-Info" not in result.headers


async def test_oauth_scheme_is_accepted_too(api: Any) -> None:
    result = await api.get("limits", auth=False, headers={"Authorization": f"OAuth {api.token}"})
    assert result.status == 200


async def test_versions_list_needs_no_token(api: Any) -> None:
    result = await api.get("/services/data", auth=False)
    assert result.status == 200


@pytest.mark.parametrize("sandbox_config", [SandboxConfig(token_ttl=0.3)])
async def test_expired_token_answers_401(api: Any) -> None:
    assert (await api.get("limits")).status == 200
    await asyncio.sleep(0.4)
    result = await api.get("limits")
    assert result.status == 401 and result.error_code == "INVALID_SESSION_ID"


async def test_expire_all_logs_every_client_out(api: Any, sandbox: Any) -> None:
    sandbox.auth.expire_all()
    assert (await api.get("limits")).status == 401


async def test_revoke_forgets_the_token(api: Any) -> None:
    result = await api.post("/services/oauth2/revoke", auth=False, data={"token": api.token})
    assert result.status == 200
    assert (await api.get("limits")).status == 401


async def test_userinfo_and_identity_url(api: Any, http: Any) -> None:
    info = await api.get("/services/oauth2/userinfo")
    assert info.status == 200
    assert info.body["preferred_username"] == "admin@crmsim.local"
    assert info.body["user_id"].startswith("005")
    async with http.post(api.url + TOKEN_PATH, data=GOOD) as response:
        identity_url = (await response.json())["id"]
    identity = await api.get(identity_url)
    assert identity.status == 200
    assert identity.body["username"] == "admin@crmsim.local"
    assert identity.body["user_id"] == info.body["user_id"]
    assert identity.body["organization_id"].startswith("00D")
    assert (await api.get(identity_url, auth=False)).status == 401


async def test_records_are_created_by_the_logged_in_user(api: Any) -> None:
    me = (await api.get("/services/oauth2/userinfo")).body["user_id"]
    created = await api.post("sobjects/Account", json={"Name": "Owned"})
    record = (await api.get(f"sobjects/Account/{created.body['id']}")).body
    assert record["CreatedById"] == record["LastModifiedById"] == record["OwnerId"] == me


@pytest.mark.parametrize(
    "sandbox_config",
    [
        SandboxConfig(
            credentials=Credentials(client_id="app", client_secret="s3cret", username="me@example.com", password="pw")
        )
    ],
)
async def test_configured_credentials_replace_the_defaults(http: Any, base_url: str) -> None:
    status, _ = await _token(http, base_url, GOOD)
    assert status == 400
    status, body = await _token(
        http,
        base_url,
        {
            "grant_type": "password",
            "client_id": "app",
            "client_secret": "s3cret",
            "username": "me@example.com",
            "password": "pw",
        },
    )
    assert status == 200, body


def test_credentials_from_env_and_flags() -> None:
    env = {"CRMSIM_CLIENT_ID": "env-id", "CRMSIM_PASSWORD": "env-pw"}
    creds = Credentials.from_env(env, client_secret="flag-secret", password="flag-pw")
    assert creds == Credentials(
        client_id="env-id", client_secret="flag-secret", username="admin@crmsim.local", password="flag-pw"
    )
    assert not creds.uses_defaults
    assert Credentials.from_env({}).uses_defaults
    assert Credentials.from_env({"CRMSIM_PASSWORD": "x"}).uses_defaults  # secret still default
    assert "flag-pw" not in repr(creds) and "flag-secret" not in repr(creds)


async def test_secrets_never_reach_the_logs(http: Any, base_url: str) -> None:
    with capture_logs() as events:
        status, body = await _token(http, base_url, GOOD)
        async with http.get(
            f"{base_url}/services/data/v62.0/limits", headers={"Authorization": f"Bearer {body['access_token']}"}
        ):
            pass
    assert status == 200
    text = repr(events)
    assert body["access_token"] not in text
    assert "crmsim" not in text.replace("crmsim.sandbox", "")
    requests = [e for e in events if e["event"] == "request"]
    assert [(e["method"], e["path"], e["status"]) for e in requests] == [
        ("POST", TOKEN_PATH, 200),
        ("GET", "/services/data/v62.0/limits", 200),
    ]
    assert all(isinstance(e["duration_ms"], float) for e in requests)
