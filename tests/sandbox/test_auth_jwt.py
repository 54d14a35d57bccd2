"""The JWT bearer grant: RS256 assertions signed with the connected app's key."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import aiohttp
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from crmsim.cli import main
from crmsim.sandbox._config import SandboxConfig
from crmsim.sandbox._jwt import JWT_BEARER_GRANT, public_key_pem


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _public_pem(key: rsa.RSAPrivateKey) -> str:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


KEY = _key()
OTHER_KEY = _key()


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    return SandboxConfig(jwt_public_key=_public_pem(KEY))


def _assertion(aud: str, *, key: rsa.RSAPrivateKey = KEY, **claims: Any) -> str:
    now = int(time.time())
    payload = {"iss": "crmsim", "sub": "admin@crmsim.local", "aud": aud, "iat": now, "exp": now + 180}
    payload.update(claims)
    return jwt.encode(payload, key, algorithm="RS256")


async def _token(http: aiohttp.ClientSession, url: str, assertion: str) -> tuple[int, Any]:
    form = {"grant_type": JWT_BEARER_GRANT, "assertion": assertion}
    async with http.post(f"{url}/services/oauth2/token", data=form) as response:
        return response.status, await response.json()


async def test_valid_assertion_gets_a_working_token(http: aiohttp.ClientSession, base_url: str) -> None:
    status, body = await _token(http, base_url, _assertion(base_url))
    assert status == 200, body
    assert body["token_type"] == "Bearer" and body["instance_url"] == base_url
    headers = {"Authorization": f"Bearer {body['access_token']}"}
    async with http.get(f"{base_url}/services/data/v62.0/limits", headers=headers) as response:
        assert response.status == 200


async def test_login_audience_is_accepted(http: aiohttp.ClientSession, base_url: str) -> None:
    status, _ = await _token(http, base_url, _assertion("https://login.salesforce.com"))
    assert status == 200


@pytest.mark.parametrize(
    ("claims", "error", "description"),
    [
        ({"key": OTHER_KEY}, "invalid_grant", "invalid assertion"),
        ({"aud": "https://example.com"}, "invalid_grant", "audience is invalid"),
        ({"exp": int(time.time()) - 600, "iat": int(time.time()) - 700}, "invalid_grant", "expired authorization code"),
        ({"iss": "someone-else"}, "invalid_client_id", "client identifier invalid"),
        ({"sub": "intruder@example.com"}, "invalid_grant", "user hasn't approved this consumer"),
        ({"exp": int(time.time()) + 3600}, "invalid_grant", "invalid assertion"),
    ],
)
async def test_refused_assertions(
    http: aiohttp.ClientSession, base_url: str, claims: dict[str, Any], error: str, description: str
) -> None:
    key = claims.pop("key", KEY)
    aud = claims.pop("aud", base_url)
    status, body = await _token(http, base_url, _assertion(aud, key=key, **claims))
    assert status == 400
    assert body == {"error": error, "error_description": description}


async def test_garbage_and_missing_assertions(http: aiohttp.ClientSession, base_url: str) -> None:
    status, body = await _token(http, base_url, "not.a.jwt")
    assert (status, body["error"]) == (400, "invalid_grant")
    async with http.post(f"{base_url}/services/oauth2/token", data={"grant_type": JWT_BEARER_GRANT}) as response:
        assert response.status == 400
        assert (await response.json())["error"] == "invalid_request"


async def test_grant_is_refused_without_a_configured_key(
    http: aiohttp.ClientSession, store: Any
) -> None:
    from crmsim.sandbox.app import create_app
    from crmsim.sandbox.server import serve_sandbox

    async with serve_sandbox(create_app(store, SandboxConfig())) as url:
        status, body = await _token(http, url, _assertion(url))
    assert status == 400 and body["error"] == "invalid_grant"
    assert "--jwt-cert" in body["error_description"]


def test_public_key_from_a_certificate_or_key(tmp_path: Path) -> None:
    from crmsim.sandbox._tls import ensure_certificate

    cert, _ = ensure_certificate(tmp_path)
    assert "BEGIN PUBLIC KEY" in public_key_pem(cert.read_text())
    assert public_key_pem(_public_pem(KEY)) == _public_pem(KEY)
    with pytest.raises(ValueError):
        public_key_pem("-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n")


def test_cli_rejects_a_bad_jwt_cert(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.pem"
    bad.write_text("not a key")
    db = tmp_path / "org.sqlite"
    code = main(["sandbox", "serve", "--org", "b2b", "--db", str(db), "--port", "0", "--jwt-cert", str(bad)])
    assert code == 2
    err = capsys.readouterr().err
    assert "is not a PEM certificate or public key" in err and "Traceback" not in err
