"""Access tokens: log in with the configured OAuth grant and renew once per expiry.

Many requests can find the token expired at the same moment; each reports the generation of the
token it used, and only the first report for a generation logs in again.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import aiohttp
import anyio
import jwt

from crmsim.errors import (
    AuthenticationFailed,
    CertificateInvalid,
    ConfigError,
    ConnectionFailed,
    SalesforceError,
    ServerError,
    SessionExpired,
)

from ._config import Grant, SalesforceConfig

JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
ASSERTION_LIFETIME_S = 180


@dataclass(frozen=True)
class Token:
    access_token: str
    instance_url: str
    generation: int


class TokenManager:
    def __init__(self, config: SalesforceConfig) -> None:
        self.config = config
        self._lock = anyio.Lock()
        self._token: Token | None = None
        self._private_key: str | None = None
        self.logins = 0
        self._last_failure: tuple[int | None, float, SalesforceError] | None = None
        if config.grant is Grant.SESSION:
            assert config.session_id is not None
            self._token = Token(config.session_id, config.instance_url, 0)

    async def current(self, http: aiohttp.ClientSession, since: float) -> Token:
        token = self._token
        if token is not None:
            return token
        return await self.renew(http, stale=None, since=since)

    async def renew(self, http: aiohttp.ClientSession, stale: Token | None, since: float) -> Token:
        """A token newer than ``stale``; logs in only if nobody has done so since ``stale``.

        ``since`` is when the caller's request began. A login that failed after that moment is not
        repeated for it: it gets the same error, so a burst of requests makes one refused login,
        not hundreds (many refused logins in a row can lock a user out of a real org). A request
        that begins after the failure tries again.
        """
        key = None if stale is None else stale.generation
        async with self._lock:
            token = self._token
            if token is not None and (stale is None or token.generation != stale.generation):
                return token
            failure = self._last_failure
            if failure is not None and failure[0] == key and failure[1] >= since:
                raise failure[2]
            if self.config.grant is Grant.SESSION:
                raise SessionExpired("Session expired or invalid; the configured session id cannot be renewed",
                                     status=401, request=f"POST {self.config.token_url}")
            try:
                body = await self._login(http)
            except SalesforceError as exc:
                self._last_failure = (key, time.monotonic(), exc)
                raise
            self._last_failure = None
            generation = (token.generation + 1) if token else 1
            self._token = Token(str(body["access_token"]), str(body.get("instance_url") or self.config.instance_url),
                                generation)
            self.logins += 1
            return self._token

    def _form(self) -> dict[str, str]:
        config = self.config
        if config.grant is Grant.JWT_BEARER:
            return {"grant_type": JWT_BEARER_GRANT, "assertion": self._assertion()}
        form = {"grant_type": config.grant.value, "client_id": config.client_id}
        if config.client_secret:
            form["client_secret"] = config.client_secret
        if config.grant is Grant.PASSWORD:
            form.update(username=config.username or "", password=config.password or "")
        return form

    def _assertion(self) -> str:
        config = self.config
        if self._private_key is None:
            assert config.private_key_file is not None
            try:
                self._private_key = config.private_key_file.read_text(encoding="utf-8")
            except OSError as exc:
                raise ConfigError(f"cannot read the private key {config.private_key_file}: {exc.strerror}") from None
        now = int(time.time())
        claims = {"iss": config.client_id, "sub": config.username, "aud": config.login_url or config.instance_url,
                  "iat": now, "exp": now + ASSERTION_LIFETIME_S}
        try:
            return jwt.encode(claims, self._private_key, algorithm="RS256")
        except (ValueError, TypeError, jwt.PyJWTError) as exc:
            raise ConfigError(f"{config.private_key_file} is not a usable RS256 private key: {exc}") from None

    async def _login(self, http: aiohttp.ClientSession) -> dict[str, Any]:
        url = self.config.token_url
        request = f"POST {url}"
        try:
            async with http.post(url, data=self._form(), headers={"Accept": "application/json"}) as response:
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    body = None
                status = response.status
        except aiohttp.ClientConnectorCertificateError as exc:
            raise CertificateInvalid(f"{url}: {exc.certificate_error}", request=request) from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            failed = ConnectionFailed(f"cannot reach {url}: {exc or type(exc).__name__}", request=request)
            failed.maybe_processed = not isinstance(exc, aiohttp.ClientConnectorError)
            raise failed from None
        if status == 200 and isinstance(body, dict) and "access_token" in body:
            return body
        if status >= 500:
            raise ServerError(f"token endpoint answered HTTP {status}", status=status, request=request)
        if isinstance(body, dict) and "error" in body:
            raise AuthenticationFailed(str(body.get("error_description") or body["error"]), str(body["error"]),
                                       status=status, request=request)
        raise AuthenticationFailed(f"unexpected answer from the token endpoint (HTTP {status})",
                                   "invalid_response", status=status, request=request)
