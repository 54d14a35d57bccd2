"""The REST ``parameterizedSearch`` resource as SOSL text, so it runs through :func:`execute_sosl`.

Accepted parameters (the POST body, or GET query parameters as a dict whose values may be lists):

- ``q`` (required): the search string; operators, quotes and wildcards keep their meaning, other
  reserved characters are escaped for the caller.
- ``fields``: fields returned for every object (list, or comma-separated string).
- ``sobjects`` (POST): ``[{"name", "fields", "where", "limit", "orderBy"}]``; or, GET style,
  ``sobject`` (one name or a list) with ``<Name>.fields``, ``<Name>.where``, ``<Name>.limit``,
  ``<Name>.orderBy``.
- ``in``: ``ALL`` | ``NAME`` | ``EMAIL`` | ``PHONE`` | ``SIDEBAR``.
- ``overallLimit``, ``defaultLimit`` (per object, when the object has no ``limit`` of its own).
- ``metadata``, ``snippet``, ``highlight``, ``spellCorrection``, ``division``, ``netWorkIds``,
  ``pricebookId``, ``updateTracking``, ``updateViewStat``: become the matching WITH / UPDATE clause.
- ``dataCategory`` / ``dataCategories``: ignored (the sandbox orgs have no data categories).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from crmsim.errors import InvalidField, InvalidSearch, InvalidType, MalformedQuery, SalesforceError

from ._ast import SearchGroup
from ._parser import MALFORMED_SEARCH, MAX_LIMIT, parse_sosl

_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PATH = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_FIELD = re.compile(rf"^(?:{_PATH}|[A-Za-z_][A-Za-z0-9_]*\(\s*{_PATH}\s*\))$")
# Reserved characters with no meaning in a plain search string; operators, quotes, parentheses and
# wildcards are left alone so ``q`` keeps the search syntax.
_ESCAPE = set("&|!{}[]^~:+-")


def parameterized_to_sosl(params: Mapping[str, Any]) -> str:
    """SOSL text equivalent to a ``parameterizedSearch`` request (see the module docstring)."""
    q = _single(params.get("q"))
    if q is None or not str(q).strip():
        raise SalesforceError("Missing required parameter: q", "MISSING_ARGUMENT")
    parts = [f"FIND {{{_escape(str(q))}}}"]
    scope = _single(params.get("in"))
    if scope is not None:
        try:
            group = SearchGroup(str(scope).upper())
        except ValueError:
            raise InvalidSearch(f"Invalid value for parameter 'in': {scope}") from None
        parts.append(f"IN {group.value} FIELDS")
    specs = _sobjects(params)
    if specs:
        default_fields = _list(params.get("fields"))
        default_limit = _limit(params, "defaultLimit")
        parts.append("RETURNING " + ", ".join(_spec_text(s, default_fields, default_limit) for s in specs))
    parts.extend(_with_clauses(params))
    overall = _limit(params, "overallLimit")
    if overall is not None:
        parts.append(f"LIMIT {overall}")
    updates = [
        word for key, word in (("updateTracking", "TRACKING"), ("updateViewStat", "VIEWSTAT")) if _flag(params, key)
    ]
    if updates:
        parts.append("UPDATE " + ", ".join(updates))
    text = " ".join(parts)
    _check_structure(text, specs)
    return text


def _escape(q: str) -> str:
    out: list[str] = []
    chars = iter(q)
    for ch in chars:
        if ch == "\\":
            nxt = next(chars, None)
            out.append("\\\\" if nxt is None else "\\" + nxt)
        elif ch in _ESCAPE:
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _single(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return value[0] if value else None
    return value


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else [value]
    return [piece.strip() for item in items for piece in str(item).split(",") if piece.strip()]


def _flag(params: Mapping[str, Any], key: str) -> bool:
    value = _single(params.get(key))
    return value is True or str(value).lower() == "true"


def _limit(params: Mapping[str, Any], key: str) -> int | None:
    value = _single(params.get(key))
    if value is None or value == "":
        return None
    try:
        number = int(str(value))
    except ValueError:
        raise InvalidSearch(f"Invalid value for parameter '{key}': {value}") from None
    if number < 0:
        raise InvalidSearch(f"Invalid value for parameter '{key}': {value}")
    return min(number, MAX_LIMIT)


def _sobjects(params: Mapping[str, Any]) -> list[dict[str, Any]]:
    raw = params.get("sobjects")
    if raw is not None:
        if not isinstance(raw, list) or not all(isinstance(s, Mapping) and s.get("name") for s in raw):
            raise InvalidSearch("Invalid value for parameter 'sobjects': each entry needs a name")
        return [dict(s) for s in raw]
    specs = []
    for name in _list(params.get("sobject")):
        spec: dict[str, Any] = {"name": name}
        for key in ("fields", "where", "limit", "orderBy"):
            value = _single(params.get(f"{name}.{key}"))
            if value is not None:
                spec[key] = value
        specs.append(spec)
    return specs


def _spec_text(spec: Mapping[str, Any], default_fields: list[str], default_limit: int | None) -> str:
    name = str(spec["name"])
    if not _NAME.match(name):
        raise InvalidType(f"sObject type '{name}' is not supported.")
    fields = _list(spec.get("fields")) or default_fields
    for field in fields:
        if not _FIELD.match(field):
            raise InvalidField(f"No such column '{field}' on entity '{name}'.")
    limit = _limit(spec, "limit")
    if limit is None:
        limit = default_limit
    options = []
    where = _single(spec.get("where"))
    if where:
        options.append(f"WHERE {str(where).strip()}")
    order_by = _single(spec.get("orderBy"))
    if order_by:
        options.append(f"ORDER BY {str(order_by).strip()}")
    if limit is not None:
        options.append(f"LIMIT {limit}")
    if options and not fields:
        fields = ["Id"]
    if not fields:
        return name
    return f"{name}({' '.join([', '.join(fields), *options])})"


def _with_clauses(params: Mapping[str, Any]) -> list[str]:
    out = []
    division = _single(params.get("division"))
    if division:
        out.append(f"WITH DIVISION = {_quote(division)}")
    networks = _list(params.get("netWorkIds"))
    if networks:
        out.append(f"WITH NETWORK IN ({', '.join(_quote(n) for n in networks)})")
    pricebook = _single(params.get("pricebookId"))
    if pricebook:
        out.append(f"WITH PRICEBOOKID = {_quote(pricebook)}")
    metadata = _single(params.get("metadata"))
    if metadata:
        out.append(f"WITH METADATA = {_quote(metadata)}")
    snippet = _single(params.get("snippet"))
    if snippet not in (None, "", False, "false"):
        length = str(snippet)
        out.append(f"WITH SNIPPET (target_length={length})" if length.isdigit() else "WITH SNIPPET")
    if _flag(params, "highlight"):
        out.append("WITH HIGHLIGHT")
    spell = _single(params.get("spellCorrection"))
    if spell is not None:
        out.append(f"WITH SPELL_CORRECTION = {'true' if spell is True or str(spell).lower() == 'true' else 'false'}")
    return out


def _quote(value: Any) -> str:
    return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _check_structure(text: str, specs: list[dict[str, Any]]) -> None:
    """A ``where`` or ``orderBy`` value must not reshape the statement (e.g. close the object's list)."""
    parsed = parse_sosl(text)
    ok = len(parsed.returning) == len(specs) and all(
        (p.where or "") == str(_single(s.get("where")) or "").strip()
        and (p.order_by or "") == str(_single(s.get("orderBy")) or "").strip()
        for p, s in zip(parsed.returning, specs, strict=False)
    )
    if not ok:
        raise MalformedQuery("Invalid where or orderBy value in sobjects", MALFORMED_SEARCH)
