"""The sandbox as an aiohttp application: Salesforce's REST API over an org database.

Every request goes through :func:`_entry`: it finds the handler (404 / 405 otherwise), checks the
bearer token and the API allowance, runs the handler, turns errors into Salesforce's JSON error
array, and logs one line. Nothing a client sends escapes as a traceback: an unexpected fault is
logged and answered as a 500 UNKNOWN_EXCEPTION.
"""

from __future__ import annotations

import json
import secrets
import time
from typing import Any
from urllib.parse import unquote

import structlog
from aiohttp import web

from crmsim.errors import SalesforceError

from . import _auth, _composite, _describe, _limits, _query, _records
from ._config import SandboxConfig, parse_version
from ._routing import Call, Reply, Router, method_not_allowed, not_found, route, split_path
from ._state import Sandbox
from .store import Store

SANDBOX = web.AppKey("sandbox", Sandbox)
"""``app[SANDBOX]`` is the :class:`Sandbox` behind an app made by :func:`create_app`."""

log = structlog.get_logger("crmsim.sandbox")

DATA_ROUTES = Router([
    route("", GET=_describe.resources),
    route("query", GET=_query.query),
    route("queryAll", GET=_query.query_all),
    route("query/{locator}", GET=_query.query_more),
    route("queryAll/{locator}", GET=_query.query_all_more),
    route("search", GET=_query.search),
    route("parameterizedSearch", GET=_query.parameterized_search,
          POST=_query.parameterized_search),
    route("sobjects", GET=_describe.global_describe),
    route("sobjects/{sobject}", GET=_describe.basic_info, POST=_records.create_record),
    route("sobjects/{sobject}/describe", GET=_describe.describe),
    route("sobjects/{sobject}/{id}", GET=_records.get_record, PATCH=_records.update_record,
          DELETE=_records.delete_record),
    route("composite", POST=_composite.composite),
    route("limits", GET=_limits.limits_handler),
])
"""Resources under ``/services/data/vXX.X/``."""

PUBLIC_ROUTES = Router([
    route("services/data", GET=_describe.versions),
    route("services/oauth2/token", POST=_auth.token_endpoint),
    route("services/oauth2/revoke", POST=_auth.revoke_endpoint),
])
"""Resources that need no access token."""

SESSION_ROUTES = Router([
    route("services/oauth2/userinfo", GET=_auth.userinfo_endpoint, POST=_auth.userinfo_endpoint),
    route("id/{org}/{user}", GET=_auth.identity_endpoint),
])
"""Resources outside the versioned API that need an access token."""


def create_app(store: Store, config: SandboxConfig | None = None) -> web.Application:
    """An aiohttp app serving ``store``. The caller keeps ownership of the store."""
    config = config or SandboxConfig()
    app = web.Application(client_max_size=config.max_body_bytes)
    sandbox = Sandbox(store, config)
    sandbox.subrequest = lambda call: _subrequest(sandbox, call)
    app[SANDBOX] = sandbox
    app.router.add_route("*", r"/{tail:[\s\S]*}", _entry)
    return app


async def _entry(request: web.Request) -> web.StreamResponse:
    started = time.perf_counter()
    sandbox = request.app[SANDBOX]
    try:
        reply = await _handle(sandbox, request)
    except SalesforceError as exc:
        reply = error_reply(exc)
    except web.HTTPException as exc:
        reply = error_reply(_http_error(exc))
    except Exception:
        reply = _internal_error(request.method, request.path)
    response = _response(reply)
    log.info("request", method=request.method, path=request.path, status=reply.status,
             duration_ms=round((time.perf_counter() - started) * 1000, 3),
             errorCode=_error_code(reply))
    return response


async def _handle(sandbox: Sandbox, request: web.Request) -> Reply:
    segments = [unquote(part) for part in split_path(request.rel_url.raw_path)]
    method = request.method.upper()
    if method == "POST" and "_HttpMethod" in request.query:
        method = request.query["_HttpMethod"].upper()
    call = Call(method=method, path=request.path, query=request.query, headers=request.headers,
                body=await request.read(), origin=f"{request.scheme}://{request.host}")
    if segments[:2] == ["services", "data"] and len(segments) > 2:
        return await _data_call(sandbox, call, segments)
    found = PUBLIC_ROUTES.resolve(segments)
    if found is None:
        found = SESSION_ROUTES.resolve(segments)
        if found is None:
            raise not_found()
        call.session = sandbox.auth.check(request.headers.get("Authorization"))
    return await _invoke(sandbox, call, *found)


async def _data_call(sandbox: Sandbox, call: Call, segments: list[str]) -> Reply:
    version = parse_version(segments[2])
    if version is None:
        raise not_found()
    call.version = version
    call.session = sandbox.auth.check(call.headers.get("Authorization"))
    try:
        sandbox.limits.consume(call.session)
        found = DATA_ROUTES.resolve(segments[3:])
        if found is None:
            raise not_found()
        reply = await _invoke(sandbox, call, *found)
    except SalesforceError as exc:
        reply = error_reply(exc)
        if exc.retryable and sandbox.limits.retry_after is not None:
            reply.headers["Retry-After"] = f"{sandbox.limits.retry_after:g}"
    reply.headers["Sforce-Limit-Info"] = sandbox.limits.header()
    return reply


async def _invoke(sandbox: Sandbox, call: Call, matched: Any, params: dict[str, str]) -> Reply:
    method = "GET" if call.method == "HEAD" else call.method
    handler = matched.methods.get(method)
    if handler is None:
        raise method_not_allowed(call.method, matched.allowed())
    call.params = params
    reply: Reply = await handler(sandbox, call)
    return reply


async def _subrequest(sandbox: Sandbox, call: Call) -> Reply:
    """Run one composite subrequest; always answers (errors become error replies)."""
    try:
        segments = [unquote(part) for part in split_path(call.path)]
        if segments[:2] != ["services", "data"] or len(segments) < 3 or not call.version:
            raise not_found()
        found = DATA_ROUTES.resolve(segments[3:])
        if found is None or found[0].pattern == ("composite",):
            raise not_found()
        return await _invoke(sandbox, call, *found)
    except SalesforceError as exc:
        return error_reply(exc)
    except Exception:
        return _internal_error(call.method, call.path)


def error_reply(exc: SalesforceError) -> Reply:
    headers = {"WWW-Authenticate": "Token"} if exc.status == 401 else {}
    return Reply(exc.status, exc.to_body(), headers)


def _http_error(exc: web.HTTPException) -> SalesforceError:
    if exc.status == 413:
        return SalesforceError("Request body is larger than the sandbox accepts",
                                  "JSON_PARSER_ERROR", status=413)
    if exc.status == 404:
        return not_found()
    return SalesforceError(exc.reason, "UNKNOWN_EXCEPTION", status=exc.status)


def _internal_error(method: str, path: str) -> Reply:
    error_id = f"{secrets.randbelow(10**10):010d}-{secrets.randbelow(10**5):05d}"
    log.exception("internal error", method=method, path=path, error_id=error_id)
    return Reply(500, [{"errorCode": "UNKNOWN_EXCEPTION",
                        "message": "An unexpected error occurred. Please include this ErrorId if "
                                   f"you contact support: {error_id}"}])


def _response(reply: Reply) -> web.Response:
    if reply.body is None:
        return web.Response(status=reply.status, headers=reply.headers)
    text = json.dumps(reply.body, ensure_ascii=False, separators=(",", ":"))
    return web.Response(status=reply.status, headers=reply.headers, text=text,
                        content_type="application/json", charset="UTF-8")


def _error_code(reply: Reply) -> str | None:
    body = reply.body
    if reply.status < 400:
        return None
    if isinstance(body, list) and body and isinstance(body[0], dict):
        code = body[0].get("errorCode")
        return str(code) if code is not None else None
    if isinstance(body, dict) and "error" in body:
        return str(body["error"])
    return None
