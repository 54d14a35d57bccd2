"""Turns SQL rows into records shaped as the REST API returns them."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from ..codec import from_db
from ..schema import OrgSchema
from ._plan import ChildOut, FieldOut, ParentOut, Plan


def run_plan(
    conn: sqlite3.Connection, plan: Plan, schema: OrgSchema, api_version: str, ids: Sequence[str] | None = None
) -> tuple[int, list[dict[str, Any]]]:
    """Execute ``plan`` on ``conn``; returns (totalSize, records)."""
    params = _bind(plan.params, ids)
    rows = conn.execute(plan.sql, params).fetchall()
    if plan.kind == "count":
        return int(rows[0][0]), []
    if plan.kind == "aggregate":
        return len(rows), [_aggregate_record(plan, row) for row in rows]
    shaper = _Shaper(schema, api_version)
    children: dict[int, dict[str, list[dict[str, Any]]]] = {}
    if plan.children and rows:
        parent_ids = [row[plan.id_col] for row in rows]
        for child in plan.children:
            children[id(child)] = _child_records(conn, child, parent_ids, shaper)
    records = [shaper.record(plan.entries, row, row[plan.id_col], plan.root.name, children) for row in rows]
    return len(records), records


def _bind(params: list[object], ids: Sequence[str] | None) -> list[object]:
    from ._compile import IDS_PARAM

    if not any(p is IDS_PARAM for p in params):
        return params
    encoded = json.dumps(list(ids or []))
    return [encoded if p is IDS_PARAM else p for p in params]


def _child_records(
    conn: sqlite3.Connection, child: ChildOut, parent_ids: list[str], shaper: _Shaper
) -> dict[str, list[dict[str, Any]]]:
    rows = conn.execute(child.plan.sql, _bind(child.plan.params, parent_ids)).fetchall()
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    skipped: dict[str, int] = defaultdict(int)
    for row in rows:
        parent = str(row[child.fk_col]).lower()
        if skipped[parent] < child.offset:
            skipped[parent] += 1
            continue
        bucket = grouped[parent]
        if child.limit is not None and len(bucket) >= child.limit:
            continue
        bucket.append(shaper.record(child.plan.entries, row, row[child.plan.id_col], child.plan.root.name, {}))
    return grouped


def _aggregate_record(plan: Plan, row: Sequence[Any]) -> dict[str, Any]:
    record: dict[str, Any] = {"attributes": {"type": "AggregateResult"}}
    for entry in plan.entries:
        assert isinstance(entry, FieldOut)
        value = row[entry.col]
        record[entry.key] = value if entry.field is None else from_db(entry.field, value)
    return record


class _Shaper:
    def __init__(self, schema: OrgSchema, api_version: str) -> None:
        self.schema = schema
        self.prefix = f"/services/data/v{api_version}/sobjects/"

    def record(
        self,
        entries: list[FieldOut | ParentOut | ChildOut],
        row: Sequence[Any],
        record_id: str,
        type_name: str,
        children: dict[int, dict[str, list[dict[str, Any]]]],
    ) -> dict[str, Any]:
        out: dict[str, Any] = {"attributes": {"type": type_name, "url": f"{self.prefix}{type_name}/{record_id}"}}
        for entry in entries:
            if isinstance(entry, FieldOut):
                value = row[entry.col]
                out[entry.key] = value if entry.field is None else from_db(entry.field, value)
            elif isinstance(entry, ParentOut):
                parent_id = row[entry.id_col]
                if parent_id is None:
                    out[entry.key] = None
                    continue
                parent_type = entry.type_name
                if parent_type is None:
                    obj = self.schema.object_for_id(parent_id)
                    parent_type = obj.name if obj else "Name"
                out[entry.key] = self.record(entry.entries, row, parent_id, parent_type, children)
            else:
                found = children.get(id(entry), {}).get(record_id.lower())
                out[entry.key] = None if not found else {"totalSize": len(found), "done": True, "records": found}
        return out
