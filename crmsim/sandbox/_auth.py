"""OAuth 2.0 login (password, client-credentials and JWT bearer grants), bearer sessions, identity URLs.

Tokens live in memory only: restarting the sandbox logs every client out, as an expired session
would, and clients that log in again (simple-salesforce does on 401) carry on.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from crmsim.errors import SalesforceError

from ._config import Credentials
from ._jwt import JWT_BEARER_GRANT, LOGIN_AUDIENCES, AssertionRefused, verify_assertion
from ._routing import Call, Reply, not_found

if TYPE_CHECKING:
    from ._state import Sandbox


@dataclass(frozen=True)
class UserInfo:
    """The User record a session acts as."""

    user_id: str
    username: str
    name: str
    first_name: str | None = None
    last_name: str | None = None
    email: str | None = None


@dataclass
class Session:
    """One access token and what it may still do."""

    token: str
    user: UserInfo
    issued_at_ms: int
    expires_at: float
    api_calls: int = 0
    calls_day: str = ""


def invalid_session() -> SalesforceError:
    return SalesforceError("Session expired or invalid", "INVALID_SESSION_ID", status=401)


class Authenticator:
    """Issues and checks access tokens; at most ``max_sessions`` are kept (oldest dropped)."""

    def __init__(self, credentials: Credentials, ttl: float, *, org_id: str,
                 max_sessions: int = 10000, clock: Callable[[], float] = time.monotonic) -> None:
        self.credentials = credentials
        self.ttl = ttl
        self.org_id = org_id
        self.clock = clock
        self._max_sessions = max_sessions
        self._sessions: OrderedDict[str, Session] = OrderedDict()

    def issue(self, user: UserInfo) -> Session:
        token = f"{self.org_id[:15]}!{secrets.token_urlsafe(48)}"
        session = Session(token=token, user=user, issued_at_ms=int(time.time() * 1000),
                          expires_at=self.clock() + self.ttl)
        self._sessions[token] = session
        while len(self._sessions) > self._max_sessions:
            self._sessions.popitem(last=False)
        return session

    def check(self, authorization: str | None) -> Session:
        """The session behind an ``Authorization: Bearer <token>`` header, or INVALID_SESSION_ID."""
        if not authorization:
            raise invalid_session()
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() not in ("bearer", "oauth"):
            raise invalid_session()
        session = self._sessions.get(token.strip())
        if session is None:
            raise invalid_session()
        if self.clock() >= session.expires_at:
            del self._sessions[session.token]
            raise invalid_session()
        return session

    def revoke(self, token: str) -> bool:
        return self._sessions.pop(token, None) is not None

    def expire_all(self) -> None:
        """Make every issued token invalid (tests use this to exercise a client's re-login)."""
        self._sessions.clear()


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def reply(self) -> Reply:
        return Reply(self.status, {"error": self.error, "error_description": self.description})


def _form(call: Call) -> dict[str, str]:
    values = {key: call.query[key] for key in call.query}
    content_type = call.headers.get("Content-Type", "")
    if call.body and "json" not in content_type and "multipart" not in content_type:
        try:
            text = call.body.decode("utf-8")
        except UnicodeDecodeError:
            raise OAuthError("invalid_request", "invalid request body") from None
        values.update(parse_qsl(text, keep_blank_values=True))
    return values


def _basic_client(headers: Mapping[str, str]) -> tuple[str, str] | None:
    scheme, _, encoded = headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        client_id, _, secret = base64.b64decode(encoded).decode("utf-8").partition(":")
    except (ValueError, UnicodeDecodeError):
        return None
    return client_id, secret


def _same(given: str | None, expected: str) -> bool:
    return given is not None and hmac.compare_digest(given.encode(), expected.encode())


async def token_endpoint(sandbox: Sandbox, call: Call) -> Reply:
    """``POST /services/oauth2/token``."""
    try:
        form = _form(call)
        grant = form.get("grant_type")
        if grant == JWT_BEARER_GRANT:
            _check_assertion(sandbox, call, form.get("assertion"))
        elif grant not in ("password", "client_credentials"):
            raise OAuthError("unsupported_grant_type", "grant type not supported")
        client_id, secret = form.get("client_id"), form.get("client_secret")
        if client_id is None and (basic := _basic_client(call.headers)):
            client_id, secret = basic
        creds = sandbox.auth.credentials
        if grant != JWT_BEARER_GRANT:  # a verified assertion already names the client and the user
            if not _same(client_id, creds.client_id):
                raise OAuthError("invalid_client_id", "client identifier invalid")
            if not _same(secret, creds.client_secret):
                raise OAuthError("invalid_client", "invalid client credentials")
        if grant == "password" and not (_same(form.get("username"), creds.username)
                                        and _same(form.get("password"), creds.password)):
            raise OAuthError("invalid_grant", "authentication failure")
    except OAuthError as exc:
        return exc.reply()
    user = await sandbox.run_as_user()
    session = sandbox.auth.issue(user)
    identity = f"{call.origin}/id/{sandbox.org_id}/{user.user_id}"
    issued_at = str(session.issued_at_ms)
    digest = hmac.new(creds.client_secret.encode(), (identity + issued_at).encode(), hashlib.sha256)
    return Reply(200, {
        "access_token": session.token,
        "instance_url": call.origin,
        "id": identity,
        "token_type": "Bearer",
        "issued_at": issued_at,
        "signature": base64.b64encode(digest.digest()).decode("ascii"),
    }, {"Cache-Control": "no-store", "Pragma": "no-cache"})


def _check_assertion(sandbox: Sandbox, call: Call, assertion: str | None) -> None:
    key = sandbox.config.jwt_public_key
    if key is None:
        raise OAuthError("invalid_grant", "JWT bearer flow is not enabled: start the sandbox with --jwt-cert")
    if not assertion:
        raise OAuthError("invalid_request", "assertion parameter is missing")
    creds = sandbox.auth.credentials
    try:
        verify_assertion(assertion, key, client_id=creds.client_id, username=creds.username,
                         audiences=(call.origin, *LOGIN_AUDIENCES))
    except AssertionRefused as exc:
        raise OAuthError(exc.error, exc.description) from None


async def revoke_endpoint(sandbox: Sandbox, call: Call) -> Reply:
    """``POST /services/oauth2/revoke``: forget a token."""
    try:
        token = _form(call).get("token")
    except OAuthError as exc:
        return exc.reply()
    if not token or not sandbox.auth.revoke(token):
        return OAuthError("unsupported_token_type", "this token type is not supported").reply()
    return Reply(200, None)


def _urls(call: Call, sandbox: Sandbox, user: UserInfo) -> dict[str, str]:
    base = f"{call.origin}/services/data/v{{version}}/"
    return {
        "rest": base,
        "sobjects": base + "sobjects/",
        "search": base + "search/",
        "query": base + "query/",
        "recent": base + "recent/",
        "profile": f"{call.origin}/{user.user_id}",
        "users": base + "chatter/users",
        "custom_domain": call.origin,
    }


async def userinfo_endpoint(sandbox: Sandbox, call: Call) -> Reply:
    """``GET /services/oauth2/userinfo`` (OpenID Connect shape)."""
    assert call.session is not None
    user = call.session.user
    return Reply(200, {
        "sub": f"{call.origin}/id/{sandbox.org_id}/{user.user_id}",
        "user_id": user.user_id,
        "organization_id": sandbox.org_id,
        "preferred_username": user.username,
        "nickname": user.username.split("@")[0],
        "name": user.name,
        "email": user.email,
        "email_verified": True,
        "given_name": user.first_name,
        "family_name": user.last_name,
        "zoneinfo": "America/Los_Angeles",
        "urls": _urls(call, sandbox, user),
        "active": True,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": -28800000,
        "updated_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    })


async def identity_endpoint(sandbox: Sandbox, call: Call) -> Reply:
    """``GET /id/<orgId>/<userId>``: the identity URL returned by the token endpoint."""
    assert call.session is not None
    user = call.session.user
    if call.params.get("org") != sandbox.org_id or call.params.get("user") != user.user_id:
        raise not_found()
    return Reply(200, {
        "id": f"{call.origin}/id/{sandbox.org_id}/{user.user_id}",
        "asserted_user": True,
        "user_id": user.user_id,
        "organization_id": sandbox.org_id,
        "username": user.username,
        "nick_name": user.username.split("@")[0],
        "display_name": user.name,
        "email": user.email,
        "email_verified": True,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "timezone": "America/Los_Angeles",
        "status": {"created_date": None, "body": None},
        "urls": _urls(call, sandbox, user),
        "active": True,
        "user_type": "STANDARD",
        "language": "en_US",
        "locale": "en_US",
        "utcOffset": -28800000,
        "last_modified_date": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
    })
