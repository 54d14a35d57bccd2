"""Requests and replies independent of aiohttp, and the table that maps paths to handlers.

Handlers take a :class:`Call` and return a :class:`Reply`, so the same handler serves an HTTP
request and a ``composite`` subrequest.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy, MultiMapping

from crmsim.errors import SalesforceError

from ._config import API_VERSION

if TYPE_CHECKING:
    from ._auth import Session
    from ._state import Sandbox

_UNSET: Any = object()

Undo = Callable[[sqlite3.Connection], None]
"""Reverses one write inside a transaction (kept by composite ``allOrNone`` requests)."""


@dataclass
class Call:
    """One API request: method, path parameters, query string, headers and body."""

    method: str
    path: str
    query: MultiMapping[str] = field(default_factory=lambda: MultiDictProxy(MultiDict()))
    headers: Mapping[str, str] = field(default_factory=lambda: CIMultiDictProxy(CIMultiDict()))
    body: bytes = b""
    origin: str = ""
    version: str = API_VERSION
    params: dict[str, str] = field(default_factory=dict)
    session: Session | None = None
    data: Any = _UNSET
    """The parsed JSON body when it is already known (composite subrequests)."""
    undo_log: list[Undo] | None = None
    """Where writes record how to reverse themselves, when the caller may need to."""

    def json(self) -> Any:
        """The body parsed as JSON; JSON_PARSER_ERROR if it is not JSON."""
        if self.data is _UNSET:
            self.data = parse_json(self.body)
        return self.data

    @property
    def has_body(self) -> bool:
        return self.data is not _UNSET or bool(self.body.strip())

    def record_undo(self, undo: Undo) -> None:
        if self.undo_log is not None:
            self.undo_log.append(undo)

    def url(self, tail: str) -> str:
        """A path under this call's API version, e.g. ``url("sobjects/Account")``."""
        return f"/services/data/v{self.version}/{tail}"


@dataclass
class Reply:
    """What a handler answers: HTTP status, a JSON-serialisable body (None for no body), headers."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[["Sandbox", Call], Awaitable[Reply]]


@dataclass(frozen=True)
class Route:
    """A path pattern (segments; ``{name}`` captures one segment) and its handler per method."""

    pattern: tuple[str, ...]
    methods: Mapping[str, Handler]

    def match(self, segments: Sequence[str]) -> dict[str, str] | None:
        if len(segments) != len(self.pattern):
            return None
        params: dict[str, str] = {}
        for want, got in zip(self.pattern, segments, strict=True):
            if want.startswith("{"):
                if not got:
                    return None
                params[want[1:-1]] = got
            elif want != got:
                return None
        return params

    def allowed(self) -> str:
        names = list(self.methods)
        if "GET" in names:
            names.insert(0, "HEAD")
        return ",".join(names)


def route(pattern: str, **methods: Handler) -> Route:
    return Route(tuple(pattern.split("/")) if pattern else (), methods)


class Router:
    """Finds the route for a path (first match wins, so list literal paths first)."""

    def __init__(self, routes: Sequence[Route]) -> None:
        self._routes = list(routes)

    def resolve(self, segments: Sequence[str]) -> tuple[Route, dict[str, str]] | None:
        for candidate in self._routes:
            params = candidate.match(segments)
            if params is not None:
                return candidate, params
        return None


def split_path(path: str) -> list[str]:
    """``/a/b/`` -> ``["a", "b"]``: one trailing slash is ignored, as Salesforce ignores it."""
    trimmed = path.strip("/")
    return trimmed.split("/") if trimmed else []


# -- Salesforce errors used across handlers ----------------------------------------------------

def not_found() -> SalesforceError:
    return SalesforceError("The requested resource does not exist", "NOT_FOUND", status=404)


def method_not_allowed(method: str, allowed: str) -> SalesforceError:
    return SalesforceError(f"HTTP Method '{method}' not allowed. Allowed are {allowed}",
                              "METHOD_NOT_ALLOWED", status=405)


def json_error(message: str) -> SalesforceError:
    return SalesforceError(message, "JSON_PARSER_ERROR", status=400)


def parse_json(raw: bytes) -> Any:
    """Parse a request body, answering JSON_PARSER_ERROR in the wording of Salesforce's parser."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise json_error("Invalid UTF-8 middle byte in request body") from None
    if not text.strip():
        raise json_error("No content to map to Object due to end of input")
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        where = f"at [line:{exc.lineno}, column:{exc.colno}]"
        if exc.pos >= len(text):
            raise json_error(f"Unexpected end-of-input: expected close marker {where}") from None
        ch = text[exc.pos]
        raise json_error(f"Unexpected character ('{ch}' (code {ord(ch)})): expected a valid value "
                         f"(number, String, array, object, 'true', 'false' or 'null') {where}") from None
    except RecursionError:
        raise json_error("Maximum nesting depth exceeded in request body") from None
    except ValueError as exc:  # e.g. an integer literal longer than Python converts
        raise json_error(f"Numeric value out of range in request body: {exc}") from None


def _reject_constant(name: str) -> Any:
    raise json_error(f"Non-standard token '{name}': enable JsonParser.Feature.ALLOW_NON_NUMERIC_NUMBERS "
                     "to allow")
