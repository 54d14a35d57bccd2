"""What the compiler produces: SQL with parameters, and how to shape its rows into records."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..schema import FieldDef, ObjectDef


@dataclass
class FieldOut:
    key: str
    col: int
    field: FieldDef | None  # None: a value to pass through as is (aggregates, polymorphic Type)


@dataclass
class ParentOut:
    """A parent object nested under ``key``; ``None`` in the record when its Id column is null."""

    key: str
    id_col: int
    type_name: str | None  # None for polymorphic parents: the type comes from the Id prefix
    entries: list[FieldOut | ParentOut | ChildOut] = field(default_factory=list)


@dataclass
class ChildOut:
    key: str
    plan: Plan
    fk_col: int  # in the child plan's rows: the column holding the parent's Id
    limit: int | None
    offset: int = 0


@dataclass
class Plan:
    kind: Literal["records", "aggregate", "count"]
    root: ObjectDef
    sql: str
    params: list[object]
    id_col: int = 0
    entries: list[FieldOut | ParentOut | ChildOut] = field(default_factory=list)
    children: list[ChildOut] = field(default_factory=list)
    fk_col: int | None = None  # child plans only: the hidden column holding the parent's Id
