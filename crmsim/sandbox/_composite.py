"""``composite``: up to 25 subrequests in one call, with ``@{ref.path}`` references between them.

Subrequests run in order through the same handlers as plain requests. With ``allOrNone`` the
first failure undoes every write made so far and every other subrequest reports that it was
rolled back; without it, only subrequests that reference a failed one are skipped.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from multidict import CIMultiDict, CIMultiDictProxy, MultiDict, MultiDictProxy

from crmsim.errors import SalesforceError

from ._config import parse_version
from ._routing import Call, Reply, Undo

if TYPE_CHECKING:
    from ._state import Sandbox

MAX_SUBREQUESTS = 25
MAX_QUERIES = 5
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
_REFERENCE = re.compile(r"@\{([^}]*)\}")
_REFERENCE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_]*$")
_PATH_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")
_RESERVED_HEADERS = ("accept", "authorization", "content-type")
ROLLED_BACK = ("The transaction was rolled back since another operation in the same "
               "transaction failed.")


def _invalid(message: str) -> SalesforceError:
    return SalesforceError(message, "INVALID_INPUT")


class _Unresolved(Exception):
    def __init__(self, expression: str, reference_id: str) -> None:
        super().__init__(expression)
        self.expression = expression
        self.reference_id = reference_id

    def reply(self) -> Reply:
        message = (f"Invalid reference specified. No value for {self.expression} found in "
                   f"{self.reference_id}. Provided referenceId ('{self.reference_id}') is not "
                   "available: it does not name an earlier successful subrequest.")
        return Reply(400, [{"errorCode": "PROCESSING_HALTED", "message": message}])


def _lookup(expression: str, results: dict[str, Any]) -> Any:
    head = re.match(r"^[^.\[]+", expression)
    reference_id = head.group(0) if head else expression
    if reference_id not in results:
        raise _Unresolved(expression, reference_id)
    value = results[reference_id]
    rest = expression[len(reference_id):]
    position = 0
    while position < len(rest):
        step = _PATH_STEP.match(rest, position)
        if step is None:
            raise _Unresolved(expression, reference_id)
        key, index = step.groups()
        if key is not None and isinstance(value, dict) and key in value:
            value = value[key]
        elif index is not None and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        else:
            raise _Unresolved(expression, reference_id)
        position = step.end()
    return value


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def _resolve(value: Any, results: dict[str, Any]) -> Any:
    """``value`` with every ``@{...}`` replaced by what it points at in earlier results."""
    if isinstance(value, str):
        whole = _REFERENCE.fullmatch(value)
        if whole:
            return _lookup(whole.group(1), results)
        return _REFERENCE.sub(lambda m: _text(_lookup(m.group(1), results)), value)
    if isinstance(value, dict):
        return {_resolve(k, results): _resolve(v, results) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(item, results) for item in value]
    return value


def _validate(body: Any) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("compositeRequest"), list):
        raise _invalid("The compositeRequest field is required and must be an array of "
                       "subrequests.")
    subrequests: list[dict[str, Any]] = body["compositeRequest"]
    if not subrequests:
        raise _invalid("The compositeRequest array must contain at least one subrequest.")
    if len(subrequests) > MAX_SUBREQUESTS:
        raise SalesforceError(f"Exceeded max limit of subrequests: {MAX_SUBREQUESTS}. "
                                 f"Received {len(subrequests)} subrequests.", "LIMIT_EXCEEDED")
    seen: set[str] = set()
    queries = 0
    for sub in subrequests:
        if not isinstance(sub, dict):
            raise _invalid("Each subrequest must be a JSON object.")
        method, url, ref = sub.get("method"), sub.get("url"), sub.get("referenceId")
        if method not in METHODS:
            raise _invalid(f"Invalid method {method!r}: use one of {', '.join(METHODS)}.")
        if not isinstance(url, str) or not url.startswith("/services/data/v"):
            raise _invalid(f"Invalid url {url!r}: it must start with /services/data/vXX.X/.")
        if not isinstance(ref, str) or not _REFERENCE_ID.match(ref):
            raise _invalid(f"Invalid referenceId {ref!r}: it must start with a letter or a number "
                           "and contain only letters, numbers and underscores ('_').")
        if ref in seen:
            raise _invalid(f"Duplicate referenceId provided in the request: {ref}")
        seen.add(ref)
        headers = sub.get("httpHeaders") or {}
        if not isinstance(headers, dict) or any(k.lower() in _RESERVED_HEADERS for k in headers):
            raise _invalid("Subrequest httpHeaders must be an object and must not set Accept, "
                           "Authorization or Content-Type.")
        path = urlsplit(url).path.split("/")
        if len(path) > 4 and path[4] in ("query", "queryAll"):
            queries += 1
    if queries > MAX_QUERIES:
        raise SalesforceError(f"A composite request can contain at most {MAX_QUERIES} query "
                                 "subrequests.", "LIMIT_EXCEEDED")
    return subrequests


def _subcall(parent: Call, sub: dict[str, Any], url: str, body: Any, undo_log: list[Undo]) -> Call:
    parts = urlsplit(url)
    segments = parts.path.split("/")
    version = parse_version(segments[3]) if len(segments) > 3 else None
    headers = CIMultiDict(parent.headers)
    for key, value in (sub.get("httpHeaders") or {}).items():
        headers[str(key)] = str(value)
    query: MultiDict[str] = MultiDict()
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        query.add(key, value)
    call = Call(method=sub["method"], path=parts.path, query=MultiDictProxy(query),
                headers=CIMultiDictProxy(headers), origin=parent.origin,
                version=version or "", session=parent.session, undo_log=undo_log)
    if "body" in sub:
        call.data = body
    return call


async def composite(sandbox: Sandbox, call: Call) -> Reply:
    """``POST composite``."""
    body = call.json()
    subrequests = _validate(body)
    all_or_none = bool(body.get("allOrNone"))
    results: dict[str, Any] = {}
    replies: list[Reply] = []
    undo_log: list[Undo] = []
    failed_at: int | None = None
    for index, sub in enumerate(subrequests):
        try:
            url = _resolve(sub["url"], results)
            sub_body = _resolve(sub.get("body"), results)
        except _Unresolved as exc:
            reply = exc.reply()
        else:
            reply = await sandbox.subrequest(_subcall(call, sub, str(url), sub_body, undo_log))
        replies.append(reply)
        if reply.status < 300:
            results[sub["referenceId"]] = reply.body
        elif all_or_none:
            failed_at = index
            break
    if failed_at is not None:
        if undo_log:
            await sandbox.records.undo(undo_log)
        halted = Reply(400, [{"errorCode": "PROCESSING_HALTED", "message": ROLLED_BACK}])
        replies = [replies[i] if i == failed_at else halted for i in range(len(subrequests))]
    return Reply(200, {"compositeResponse": [
        {"body": reply.body, "httpHeaders": reply.headers, "httpStatusCode": reply.status,
         "referenceId": sub["referenceId"]}
        for sub, reply in zip(subrequests, replies, strict=True)
    ]})

