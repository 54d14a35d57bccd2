"""The agent-facing Salesforce tool: run one SOQL or SOSL statement, render the observation.

Observations follow CRMArena-Pro: the list of records without ``attributes`` and without the
columns that are null in every record, or ``errorCode: message`` when the call fails. Records are
rendered as compact JSON. A COUNT() query, which has no records, renders its count.
"""

from __future__ import annotations

import json
import re
from typing import Any

from crmsim.errors import AuthenticationFailed, ConnectionFailed, RequestLimitExceeded, SalesforceError, ServerError

from ._client import SalesforceClient

_FENCE = re.compile(
    r"^\s*```(?:(?:sql|soql|sosl|text|plaintext)\b[ \t]*|[A-Za-z0-9_-]*[ \t]*(?=\r?\n))?\r?\n?(.*?)\s*```\s*$",
    re.S | re.I,
)
_COUNT_QUERY = re.compile(r"^\s*select\s+count\s*\(\s*\)", re.I)


def strip_code_fence(text: str) -> str:
    """The statement inside a Markdown code fence (```sql ... ```), or the text itself."""
    match = _FENCE.match(text)
    return (match.group(1) if match else text).strip()


def is_sosl(statement: str) -> bool:
    return statement[:4].upper() == "FIND" and (len(statement) == 4 or not statement[4].isalnum())


def clean_records(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records without ``attributes`` (at any depth) and without columns null in every record."""
    stripped = [_strip_attributes(r) for r in records]
    keys: list[str] = []
    for record in stripped:
        keys.extend(k for k in record if k not in keys)
    kept = [k for k in keys if any(r.get(k) is not None for r in stripped)]
    return [{k: r[k] for k in kept if k in r} for r in stripped]


def _strip_attributes(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_attributes(v) for k, v in value.items() if k != "attributes"}
    if isinstance(value, list):
        return [_strip_attributes(v) for v in value]
    return value


def render_records(records: list[dict[str, Any]], max_chars: int | None = None) -> str:
    """JSON text of the cleaned records; past ``max_chars`` whole records are cut and a note says how many."""
    cleaned = clean_records(records)
    text = _dump(cleaned)
    if max_chars is None or len(text) <= max_chars:
        return text
    kept: list[dict[str, Any]] = []
    size = 2
    for record in cleaned:
        piece = len(_dump(record)) + 2
        if size + piece > max_chars:
            break
        kept.append(record)
        size += piece
    shown = _dump(kept)
    return (f"{shown}\n[output cut: showing {len(kept)} of {len(cleaned)} records; "
            f"{len(text) - len(shown)} of {len(text)} characters left out]")


def render_error(error: SalesforceError) -> str:
    return f"{error.error_code}: {error.message}"


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


_OUTAGES = (ConnectionFailed, ServerError, RequestLimitExceeded, AuthenticationFailed)


class SalesforceTool:
    """What an agent's ``execute`` action calls: one statement in, one observation string out."""

    def __init__(self, client: SalesforceClient, *, max_chars: int | None = None,
                 raise_outages: bool = False) -> None:
        self.client = client
        self.max_chars = max_chars
        self.raise_outages = raise_outages
        """Raise errors that are not about the statement (network, server, limits, login) instead of
        returning them as observations, so a caller can tell a broken tool from a bad query."""

    async def execute(self, text: str) -> str:
        statement = strip_code_fence(text)
        try:
            if is_sosl(statement):
                return render_records(await self.client.search(statement), self.max_chars)
            result = await self.client.query_all(statement)
        except SalesforceError as exc:
            if self.raise_outages and isinstance(exc, _OUTAGES):
                raise
            return render_error(exc)
        if _COUNT_QUERY.match(statement):
            return _dump({"totalSize": result.total_size})
        return render_records(result.records, self.max_chars)
