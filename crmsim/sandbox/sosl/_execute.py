"""Runs a SOSL statement: FTS5 finds the matching Ids, the SOQL engine shapes the records.

For each RETURNING object the field list, WHERE, ORDER BY, LIMIT and OFFSET are handed to the
SOQL engine as written, with the matching Ids as ``restrict_ids``; there is no second compiler.
Without ORDER BY the records keep the search's relevance order (bm25).

Limits follow Salesforce: with no per-object LIMIT the overall LIMIT (default and maximum 2000)
is shared evenly between the objects that have results; when any object has its own LIMIT, the
objects are filled in RETURNING order and each one uses up part of the overall LIMIT.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from crmsim.errors import InvalidType, MalformedQuery, SalesforceError, soql_error

from ..schema import ObjectDef, OrgSchema
from ._ast import ReturningSpec, SoslQuery
from ._parser import MALFORMED_SEARCH, MAX_LIMIT, parse_sosl
from ._search import search_object
from .index import ObjectIndex, object_indexes

if TYPE_CHECKING:
    from ..soql import SoqlEngine
    from ..store import Store

DEFAULT_API_VERSION = "62.0"
# Salesforce returns nothing for a search term longer than this.
MAX_TERM_LENGTH = 10_000
_CHUNK = 1000
_WSDL = "Please reference your WSDL or the describe call for the appropriate names."


async def execute_sosl(
    store: Store, soql_engine: SoqlEngine, text: str, *, api_version: str = DEFAULT_API_VERSION
) -> dict[str, Any]:
    """Run SOSL ``text``; returns ``{"searchRecords": [...]}`` as the REST ``search`` resource does.

    Raises :class:`~crmsim.errors.SalesforceError` subclasses for anything Salesforce refuses.
    """
    query = parse_sosl(text)
    version = api_version.lstrip("vV")
    targets = _targets(query, store.schema)
    if len(query.search_text) > MAX_TERM_LENGTH:
        return {"searchRecords": []}
    hits = await store.read(
        lambda conn: [search_object(conn, index, query.search, query.group) for index, _ in targets]
    )
    overall = MAX_LIMIT if query.limit is None else query.limit
    groups = []
    for (index, spec), ids in zip(targets, hits, strict=True):
        groups.append(await _records(soql_engine, query, index.object_name, spec, ids, overall, version))
    records = _allocate(groups, [spec for _, spec in targets], overall)
    result: dict[str, Any] = {"searchRecords": records}
    if (query.with_value("METADATA") or "").upper() == "LABELS":
        result["searchResultsMetadata"] = _label_metadata(store.schema, targets)
    return result


def _targets(query: SoslQuery, schema: OrgSchema) -> list[tuple[ObjectIndex, ReturningSpec]]:
    indexes = object_indexes(schema)
    if not query.returning:
        return [(index, ReturningSpec(name, 0)) for name, index in indexes.items() if index.default_search]
    out: list[tuple[ObjectIndex, ReturningSpec]] = []
    seen: set[str] = set()
    for spec in query.returning:
        obj = schema.object(spec.name)
        if obj is None:
            raise soql_error(
                InvalidType,
                query.text,
                spec.pos,
                f"sObject type '{spec.name}' is not supported. If you are attempting to use a custom object, "
                f"be sure to append the '__c' after the entity name. {_WSDL}",
            )
        if obj.name in seen:
            detail = f"duplicate entity type in RETURNING clause: {obj.name}"
            raise soql_error(MalformedQuery, query.text, spec.pos, detail, MALFORMED_SEARCH)
        seen.add(obj.name)
        index = indexes.get(obj.name)
        if index is None:
            raise soql_error(InvalidType, query.text, spec.pos, f"entity type {obj.name} does not support search")
        out.append((index, _canonical(spec, obj)))
    return out


def _canonical(spec: ReturningSpec, obj: ObjectDef) -> ReturningSpec:
    return ReturningSpec(obj.name, spec.pos, spec.fields, spec.where, spec.order_by, spec.limit, spec.offset)


async def _records(
    engine: SoqlEngine,
    query: SoslQuery,
    name: str,
    spec: ReturningSpec,
    ids: list[str],
    overall: int,
    version: str,
) -> list[dict[str, Any]]:
    wanted = overall if spec.limit is None else min(spec.limit, overall)
    if not ids or wanted <= 0:
        return []
    offset = spec.offset or 0
    fields = ", ".join(spec.fields) if spec.fields else "Id"
    soql = f"SELECT {fields} FROM {name}" + (f" WHERE {spec.where}" if spec.where else "")
    if spec.order_by:
        soql += f" ORDER BY {spec.order_by} LIMIT {wanted}" + (f" OFFSET {offset}" if offset else "")
        return await _query(engine, query, spec, soql, ids, version)
    if not spec.where and [f.lower() for f in spec.fields] in ([], ["id"]):
        return [_id_record(name, rid, version) for rid in ids[offset : offset + wanted]]
    needed = offset + wanted
    found: list[dict[str, Any]] = []
    start = 0
    while start < len(ids) and len(found) < needed:
        chunk = ids[start : start + (needed if not spec.where else max(needed, _CHUNK))]
        start += len(chunk)
        by_id = {_record_id(r): r for r in await _query(engine, query, spec, soql, chunk, version)}
        found.extend(by_id[rid] for rid in chunk if rid in by_id)
    return found[offset:needed]


async def _query(
    engine: SoqlEngine, query: SoslQuery, spec: ReturningSpec, soql: str, ids: Sequence[str], version: str
) -> list[dict[str, Any]]:
    try:
        result = await engine.query(soql, restrict_ids=ids, api_version=version)
    except SalesforceError as exc:
        raise _rebased(exc, query.text, spec.pos) from None
    return result.records


def _rebased(exc: SalesforceError, text: str, pos: int) -> SalesforceError:
    """The SOQL engine's error, pointed at the RETURNING object in the SOSL text instead."""
    detail = exc.message
    marker = detail.find("ERROR at Row:")
    if marker >= 0:
        detail = detail[marker:].split("\n", 1)[1] if "\n" in detail[marker:] else detail
    code = MALFORMED_SEARCH if exc.error_code == "MALFORMED_QUERY" else exc.error_code
    return soql_error(type(exc), text, pos, detail, code)


def _record_id(record: dict[str, Any]) -> str:
    return str(record["attributes"]["url"]).rsplit("/", 1)[-1]


def _id_record(name: str, record_id: str, version: str) -> dict[str, Any]:
    url = f"/services/data/v{version}/sobjects/{name}/{record_id}"
    return {"attributes": {"type": name, "url": url}, "Id": record_id}


def _allocate(groups: list[list[dict[str, Any]]], specs: list[ReturningSpec], overall: int) -> list[dict[str, Any]]:
    """Cut each object's records down so that together they fit the overall LIMIT."""
    if any(spec.limit is not None for spec in specs):
        out: list[dict[str, Any]] = []
        for records in groups:
            out.extend(records[: max(overall - len(out), 0)])
        return out
    quotas = [0] * len(groups)
    remaining = overall
    active = [i for i, records in enumerate(groups) if records]
    while remaining > 0 and active:
        share = max(remaining // len(active), 1)
        for i in list(active):
            give = min(share, len(groups[i]) - quotas[i], remaining)
            quotas[i] += give
            remaining -= give
            if quotas[i] >= len(groups[i]):
                active.remove(i)
            if remaining == 0:
                break
    return [record for records, quota in zip(groups, quotas, strict=True) for record in records[:quota]]


def _label_metadata(schema: OrgSchema, targets: list[tuple[ObjectIndex, ReturningSpec]]) -> dict[str, Any]:
    entities = []
    for index, spec in targets:
        obj = schema.objects[index.object_name]
        labels = []
        for name in spec.fields or ("Id",):
            field = obj.field(name)
            if field is not None:
                labels.append({"name": field.name, "value": field.display_label})
        entities.append({"entityName": obj.name, "entityFieldLabels": labels})
    return {"entityLabelMetadata": entities}
