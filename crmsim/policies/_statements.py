"""Which objects and fields a SOQL or SOSL statement reads, found with the sandbox's parsers.

A field is *read* when it appears anywhere in the statement: the SELECT list, WHERE, GROUP BY,
HAVING, ORDER BY, inside an aggregate or date function, or as a step of a relationship path
(``Account.Phone`` from Contact reads Contact.AccountId and Account.Phone). Child subqueries read
their child object; semi-join subqueries in WHERE read theirs. A SOSL statement reads each
``RETURNING`` object's listed fields (and its WHERE), plus the e-mail or phone fields its search
runs over (``IN EMAIL FIELDS``, or a search term that looks like an address or a number).

Records are *pinned* when a top-level AND of the WHERE limits them to listed Ids through ``Id``,
``AccountId``, ``ContactId``, ``ParentId``, ``CaseId``, ``OrderId`` or ``QuoteId`` (or ``Account.Id``,
``Order.AccountId`` and the like); the engine compares the pins with the session's own Ids.

A statement neither parser accepts is read with a conservative regex: every identifier counts as
a field of every object named after FROM or RETURNING, and every quoted string as a filter value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

from crmsim.sandbox.schema import FieldType, ObjectDef, OrgSchema, org_schema
from crmsim.sandbox.soql import _ast as q
from crmsim.sandbox.soql import parse as parse_soql
from crmsim.sandbox.sosl import SearchGroup, SoslQuery, parse_sosl

PIN_FIELDS = frozenset({"id", "accountid", "contactid", "parentid", "caseid", "orderid", "quoteid"})
_PIN_PARENTS = frozenset({"account", "contact", "case", "order", "quote", "parent"})
_FENCE = re.compile(r"^\s*```[A-Za-z0-9_-]*[ \t]*\r?\n?(.*?)\s*```\s*$", re.S)
_STRING = re.compile(r"'((?:[^'\\]|\\.)*)'")
_IDENTIFIER = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
_FROM = re.compile(r"\bFROM\s+([A-Za-z_]\w*)", re.I)
_RETURNING = re.compile(r"\bRETURNING\s+(.*)$", re.I | re.S)
_RETURNED = re.compile(r"(?:^|[,)])\s*([A-Za-z_]\w*)")
_FIND = re.compile(r"^\s*FIND\s*(?:\{(.*?)\}|'((?:[^'\\]|\\.)*)')", re.I | re.S)
_DIGITS = re.compile(r"\d")
_KEYWORDS = frozenset(
    "select from where and or not in like find returning all fields limit offset order by group having asc desc "
    "nulls first last null true false with using scope includes excludes typeof when then else end for view "
    "reference update tracking viewstat rollup cube above below at data category".split())


def short_id(value: str) -> str:
    """The case-sensitive 15-character form of a record Id (other text is returned as it is)."""
    return value[:15] if len(value) == 18 and value.isalnum() else value


@dataclass(frozen=True, slots=True)
class ObjectRead:
    """What a statement reads of one object, under one set of pins."""

    object: str  # the schema's name for the object, or the name as written when the schema lacks it
    fields: frozenset[str]  # lower-case field names
    all_fields: bool = False  # FIELDS(ALL|STANDARD|CUSTOM) or TYPEOF: any field may be read
    pins: tuple[frozenset[str], ...] = ()  # each set limits the records to those Ids (15 characters)


@dataclass(frozen=True, slots=True)
class FilterValue:
    """A string the statement compares a field with (``field`` is ``*`` when it is not known)."""

    object: str
    field: str
    value: str


@dataclass(frozen=True, slots=True)
class StatementReads:
    """The analysis of one statement; cached, so treat it as read-only."""

    kind: Literal["soql", "sosl", "unknown"]
    reads: tuple[ObjectRead, ...] = ()
    filters: tuple[FilterValue, ...] = ()
    search_text: str = ""  # the text between FIND's braces
    roots: tuple[str, ...] = ()  # the objects whose records the result lists
    returning: tuple[tuple[str, frozenset[str]], ...] = ()  # SOSL: (object, lower-case fields listed)
    parsed: bool = True

    def reads_of(self, object_name: str) -> list[ObjectRead]:
        lowered = object_name.lower()
        return [read for read in self.reads if read.object.lower() == lowered]


def strip_fence(text: str) -> str:
    match = _FENCE.match(text)
    return (match.group(1) if match else text).strip()


@lru_cache(maxsize=4096)
def analyze_statement(statement: str, org: str) -> StatementReads:
    """What ``statement`` (SOQL or SOSL, optionally in a Markdown code fence) reads in ``org``."""
    schema = org_schema(org)
    text = strip_fence(statement)
    if text[:4].upper() == "FIND" and (len(text) == 4 or not text[4].isalnum()):
        try:
            return _sosl(parse_sosl(text), schema)
        except Exception:  # noqa: BLE001 - a statement the parser refuses is read another way
            pass
        find = _FIND.match(text)
        if find:  # often only the search term is malformed (an unescaped reserved character)
            try:
                rest = parse_sosl("FIND {placeholder}" + text[find.end():])
            except Exception:  # noqa: BLE001
                pass
            else:
                search_text = next(g for g in find.groups() if g is not None)
                return _sosl(rest, schema, search_text=search_text)
        return _fallback(text, schema, "sosl")
    try:
        parsed = parse_soql(text)
    except Exception:  # noqa: BLE001
        return _fallback(text, schema, "soql" if _FROM.search(text) else "unknown")
    collector = _Collector(schema)
    collector.query(parsed, schema.object(parsed.from_name), parsed.from_name, ())
    root = schema.object(parsed.from_name)
    return collector.result("soql", roots=(root.name if root else parsed.from_name,))


@dataclass
class _Collector:
    schema: OrgSchema
    reads: dict[tuple[str, tuple[frozenset[str], ...]], tuple[set[str], list[bool]]] = field(default_factory=dict)
    filters: list[FilterValue] = field(default_factory=list)

    def add(self, obj: str, name: str | None, pins: tuple[frozenset[str], ...], *, every: bool = False) -> None:
        fields, every_flag = self.reads.setdefault((obj, pins), (set(), [False]))
        if name is not None:
            fields.add(name.lower())
        if every:
            every_flag[0] = True

    def result(self, kind: Literal["soql", "sosl", "unknown"], **extra: Any) -> StatementReads:
        reads = tuple(ObjectRead(obj, frozenset(fields), flag[0], pins)
                      for (obj, pins), (fields, flag) in self.reads.items())
        return StatementReads(kind, reads, tuple(self.filters), **extra)

    # -- SOQL ---------------------------------------------------------------------------------------

    def query(self, query: q.Query, root: ObjectDef | None, written: str, outer: tuple[frozenset[str], ...]) -> None:
        name = root.name if root else written
        prefixes = {name.lower(), written.lower()} | ({query.alias.lower()} if query.alias else set())
        pins = outer + _pins(query.where, prefixes)
        scope = _Scope(root, name, prefixes, pins)
        self.add(name, None, pins)
        for item in query.select:
            if isinstance(item, q.FieldItem):
                self.path(item.path, scope)
            elif isinstance(item, q.FuncItem):
                self.expr(item.call, scope)
            elif isinstance(item, q.FieldsItem | q.TypeofItem):
                self.add(name, None, pins, every=True)
            elif isinstance(item, q.SubqueryItem):
                child = root.children_ci.get(item.query.from_name.lower()) if root else None
                child_root = self.schema.object(child.child_object) if child else None
                self.query(item.query, child_root, child.child_object if child else item.query.from_name, pins)
        self.condition(query.where, scope)
        self.condition(query.having, scope)
        for expr in query.group_by:
            self.expr(expr, scope)
        for order in query.order_by:
            self.expr(order.expr, scope)

    def condition(self, node: Any, scope: _Scope) -> None:
        if node is None:
            return
        if isinstance(node, q.BoolOp):
            for item in node.items:
                self.condition(item, scope)
        elif isinstance(node, q.Not | q.Paren):
            self.condition(node.item, scope)
        elif isinstance(node, q.Compare | q.Like):
            self.compared(node.left, (node.value,), scope)
        elif isinstance(node, q.InList):
            self.compared(node.left, node.values or (), scope)
            if node.subquery is not None:
                sub = node.subquery
                self.query(sub, self.schema.object(sub.from_name), sub.from_name, ())
        elif isinstance(node, q.Includes):
            self.compared(node.left, node.values, scope)

    def compared(self, left: q.Path | q.FuncCall, values: Iterable[Any], scope: _Scope) -> None:
        targets = self.expr(left, scope)
        strings = [str(v.value) for v in values if isinstance(v, q.Literal) and v.kind == "string"]
        for obj, name in targets:
            self.filters.extend(FilterValue(obj, name, value) for value in strings)

    def expr(self, node: Any, scope: _Scope) -> list[tuple[str, str]]:
        if isinstance(node, q.Path):
            return self.path(node, scope)
        if isinstance(node, q.FuncCall):
            targets: list[tuple[str, str]] = []
            for arg in node.args:
                targets.extend(self.expr(arg, scope))
            return targets
        return []

    def path(self, path: q.Path, scope: _Scope) -> list[tuple[str, str]]:
        """Record the reads along ``path``; returns the (object, field) pairs it ends on."""
        parts = list(path.parts)
        if len(parts) > 1 and parts[0].lower() in scope.prefixes:
            parts = parts[1:]
        last = parts[-1].lower()
        if scope.root is None:
            self.add(scope.name, ".".join(parts), scope.pins)
            return [(scope.name, last)]
        current = [scope.root]
        for step in parts[:-1]:
            following: list[ObjectDef] = []
            for obj in current:
                reference = obj.relationships_ci.get(step.lower())
                if reference is None:
                    self.add(obj.name, step, scope.pins)
                    continue
                self.add(obj.name, reference.name, scope.pins)
                following.extend(t for t in map(self.schema.object, reference.referenceTo or ()) if t is not None)
            current = list({obj.name: obj for obj in following}.values())
        for obj in current:
            self.add(obj.name, last, scope.pins)
        return [(obj.name, last) for obj in current]


@dataclass(frozen=True, slots=True)
class _Scope:
    root: ObjectDef | None
    name: str
    prefixes: set[str]
    pins: tuple[frozenset[str], ...]


def _pins(where: Any, prefixes: set[str]) -> tuple[frozenset[str], ...]:
    """The Id sets that top-level AND conditions limit the records to."""
    items = [where]
    while items and isinstance(items[0], q.Paren):
        items = [items[0].item]
    if isinstance(items[0], q.BoolOp) and items[0].op == "AND":
        items = list(items[0].items)
    pins: list[frozenset[str]] = []
    for item in items:
        while isinstance(item, q.Paren):
            item = item.item
        values: tuple[Any, ...]
        if isinstance(item, q.Compare) and item.op == "=":
            left, values = item.left, (item.value,)
        elif isinstance(item, q.InList) and not item.negated and item.values:
            left, values = item.left, item.values
        else:
            continue
        if not isinstance(left, q.Path) or not _is_pin(left, prefixes):
            continue
        if all(isinstance(v, q.Literal) and v.kind == "string" for v in values):
            pins.append(frozenset(short_id(str(v.value)) for v in values if isinstance(v, q.Literal)))
    return tuple(pins)


def _is_pin(path: q.Path, prefixes: set[str]) -> bool:
    parts = [part.lower() for part in path.parts]
    if len(parts) > 1 and parts[0] in prefixes:
        parts = parts[1:]
    if len(parts) == 1:
        return parts[0] in PIN_FIELDS
    if len(parts) == 2:
        return parts[1] in ("accountid", "contactid") or (parts[0] in _PIN_PARENTS and parts[1] == "id")
    return False


# -- SOSL -----------------------------------------------------------------------------------------


def _sosl(query: SoslQuery, schema: OrgSchema, *, search_text: str | None = None) -> StatementReads:
    """The reads of a parsed SOSL statement (``search_text`` replaces the parsed term's text)."""
    term = query.search_text if search_text is None else search_text
    parsed = search_text is None
    collector = _Collector(schema)
    roots: list[str] = []
    returning: list[tuple[str, frozenset[str]]] = []
    specs = query.returning
    searched: list[tuple[str, ObjectDef | None]] = [(obj.name, None) for obj in schema.objects.values()
                if any(f.searchable for f in obj.fields.values())] if not specs else []
    for spec in specs:
        obj = schema.object(spec.name)
        name = obj.name if obj else spec.name
        roots.append(name)
        listed = frozenset(part.split(".")[0].strip().lower() for part in spec.fields) | {"id"}
        returning.append((name, listed))
        soql = f"SELECT {', '.join(spec.fields) or 'Id'} FROM {spec.name}"
        if spec.where:
            soql += f" WHERE {spec.where}"
        if spec.order_by:
            soql += f" ORDER BY {spec.order_by}"
        try:
            collector.query(parse_soql(soql), obj, spec.name, ())
        except Exception:  # noqa: BLE001
            _regex_reads(collector, soql, [name], schema)
        searched.append((name, obj))
    for name, obj in searched:
        target = obj or schema.object(name)
        for field_name in _searched_fields(target, query.group, term):
            collector.add(name, field_name, ())
        if not specs:
            collector.add(name, "id", ())
    for name, _ in searched:
        collector.filters.append(FilterValue(name, "*", term))
    return collector.result("sosl", search_text=term, roots=tuple(roots), returning=tuple(returning), parsed=parsed)


def _searched_fields(obj: ObjectDef | None, group: SearchGroup, term: str) -> list[str]:
    """The fields a search reveals something about: what it looks in, narrowed by what it looks for."""
    if obj is None:
        return []
    wanted: set[FieldType] = set()
    if group is SearchGroup.EMAIL or (group is SearchGroup.ALL and "@" in term):
        wanted.add(FieldType.EMAIL)
    if group is SearchGroup.PHONE or (group is SearchGroup.ALL and len(_DIGITS.findall(term)) >= 7):
        wanted.add(FieldType.PHONE)
    found = [f.name for f in obj.fields.values() if f.type in wanted]
    if group in (SearchGroup.NAME, SearchGroup.ALL, SearchGroup.SIDEBAR):
        found.extend(name for name in (obj.nameField, *(obj.composedName or ())) if name)
    return found


# -- the conservative fallback ---------------------------------------------------------------------


def _fallback(text: str, schema: OrgSchema, kind: Literal["soql", "sosl", "unknown"]) -> StatementReads:
    collector = _Collector(schema)
    objects = [m.group(1) for m in _FROM.finditer(text)]
    returning = _RETURNING.search(text)
    if returning:
        body = re.sub(r"\([^()]*\)", ")", returning.group(1))
        objects.extend(m.group(1) for m in _RETURNED.finditer(body))
    names = [obj.name if (obj := schema.object(name)) else name for name in objects]
    names = list(dict.fromkeys(names))
    _regex_reads(collector, text, names, schema)
    find = _FIND.match(text)
    search_text = next((g for g in find.groups() if g is not None), "") if find else ""
    return collector.result(kind, search_text=search_text, roots=tuple(names), parsed=False)


def _regex_reads(collector: _Collector, text: str, objects: list[str], schema: OrgSchema) -> None:
    bare = _FIND.sub("FIND {}", _STRING.sub("''", text), count=1)
    identifiers = {m.group().lower() for m in _IDENTIFIER.finditer(bare)} - _KEYWORDS
    for name in objects:
        collector.add(name, None, ())
        for identifier in identifiers:
            collector.add(name, identifier.split(".")[-1], ())
        collector.filters.extend(FilterValue(name, "*", m.group(1)) for m in _STRING.finditer(text))
    for identifier in identifiers:
        parts = identifier.split(".")
        if len(parts) > 1 and (obj := schema.object(parts[-2])) is not None:
            collector.add(obj.name, parts[-1], ())
