"""Compiles a SOQL syntax tree against an org schema into parameterized SQLite SQL.

User values only ever travel as parameters; identifiers in the SQL text come from the schema.
Ids filters supplied by the engine (child subqueries, SOSL matches) are a single JSON parameter
marked by :data:`IDS_PARAM`, so a compiled plan can be cached and reused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from ..schema import FieldDef, FieldType, ObjectDef, OrgSchema
from ..store import quote_ident as q
from . import _ast as a
from ._dates import DATE_FUNCTIONS, DATETIME_ONLY_FUNCTIONS
from ._errors import QueryErrors
from ._filters import FilterCompiler, Operand
from ._plan import ChildOut, FieldOut, ParentOut, Plan

IDS_PARAM = object()
MAX_OFFSET = 2000
MAX_FIELDS_LIMIT = 200
MAX_RELATIONSHIP_DEPTH = 5
AGGREGATES = frozenset({"COUNT", "COUNT_DISTINCT", "SUM", "AVG", "MIN", "MAX"})
IDENTITY_FUNCTIONS = frozenset({"TOLABEL", "FORMAT", "CONVERTCURRENCY"})
IGNORED_WITH = frozenset({"SECURITY_ENFORCED", "USER_MODE", "SYSTEM_MODE"})
MAX_INT = 2_147_483_647


@dataclass
class _Join:
    aliases: dict[str, str]  # object name -> SQL alias (one entry unless polymorphic)
    objects: list[ObjectDef]
    key: str  # canonical relationship name
    id_sql: str


@dataclass
class Scope:
    """Name resolution for one SELECT: its root object, alias and the joins it needed."""

    root: ObjectDef
    alias: str  # SQL alias of the root table
    user_alias: str | None
    counter: list[int]
    joins: dict[tuple[str, ...], _Join] = field(default_factory=dict)
    join_sql: list[str] = field(default_factory=list)

    def new_alias(self) -> str:
        self.counter[0] += 1
        return f"t{self.counter[0]}"


@dataclass
class Resolved:
    sql: str
    field: FieldDef
    chain: list[tuple[tuple[str, ...], _Join]]  # joins walked, outermost first
    name: str  # canonical field name (last segment)
    polymorphic_type: bool = False


class Compiler:
    def __init__(
        self, schema: OrgSchema, text: str, today: date, *, include_deleted: bool, user_id: str | None = None
    ) -> None:
        self.schema = schema
        self.errors = QueryErrors(text)
        self.today = today
        self.include_deleted = include_deleted
        self.user_id = user_id
        self.counter = [0]

    # -- entry --------------------------------------------------------------------------------

    def compile(self, query: a.Query, *, restrict_ids: bool = False) -> Plan:
        root = self.schema.object(query.from_name)
        if root is None:
            raise self.errors.no_such_object(query.from_pos, query.from_name)
        scope = Scope(root, "t0", query.alias, self.counter)
        return self._compile_select(query, scope, restrict_ids=restrict_ids, child_fk=None)

    # -- SELECT -------------------------------------------------------------------------------

    def _compile_select(self, query: a.Query, scope: Scope, *, restrict_ids: bool, child_fk: FieldDef | None) -> Plan:
        self._check_unsupported(query, scope)
        params: list[Any] = []
        where_parts = [] if self.include_deleted and child_fk is None else [f'{scope.alias}."IsDeleted" = 0']
        if child_fk is not None:
            where_parts.append(f"{scope.alias}.{q(child_fk.name)} IN (SELECT value FROM json_each(?))")
            params.append(IDS_PARAM)
        if restrict_ids:
            where_parts.append(f'{scope.alias}."Id" IN (SELECT value FROM json_each(?))')
            params.append(IDS_PARAM)
        if query.scope is not None:
            where_parts.append(self._scope_filter(query, scope, params))
        filters = FilterCompiler(self, scope)
        if query.where is not None:
            where_parts.append(filters.condition(query.where, params, aggregate=False))

        aggregate = bool(query.group_by) or any(self._is_aggregate_item(i) for i in query.select)
        if query.having is not None and not query.group_by:
            raise self.errors.malformed(query.clause_pos.get("having"), "HAVING clause requires a GROUP BY clause")
        is_count = (
            len(query.select) == 1
            and isinstance(query.select[0], a.FuncItem)
            and query.select[0].call.upper == "COUNT"
            and not query.select[0].call.args
        )
        if not is_count:
            for item in query.select:
                if isinstance(item, a.FuncItem) and item.call.upper == "COUNT" and not item.call.args:
                    raise self.errors.malformed(item.call.pos, "COUNT() cannot be used with other fields")

        if is_count:
            plan = self._count_plan(query, scope, where_parts, params, filters)
        elif aggregate:
            plan = self._aggregate_plan(query, scope, where_parts, params, filters)
        else:
            plan = self._records_plan(query, scope, where_parts, params, child_fk)
        return plan

    def _records_plan(
        self, query: a.Query, scope: Scope, where_parts: list[str], params: list[Any], child_fk: FieldDef | None
    ) -> Plan:
        columns: list[str] = [f'{scope.alias}."Id"']
        entries: list[FieldOut | ParentOut | ChildOut] = []
        parents: dict[tuple[str, ...], ParentOut] = {}
        seen: set[str] = set()
        children: list[ChildOut] = []

        def add_path(path: a.Path, pos: int) -> None:
            resolved = self.resolve(path, scope)
            key = ".".join((*(resolved.chain[-1][0] if resolved.chain else ()), resolved.name.lower()))
            if key in seen:
                raise self.errors.invalid_field(pos, f"duplicate field selected: {path.text}")
            seen.add(key)
            target = entries
            for chain_key, join in resolved.chain:
                parent = parents.get(chain_key)
                if parent is None:
                    columns.append(join.id_sql)
                    parent = ParentOut(
                        join.key, len(columns) - 1, join.objects[0].name if len(join.objects) == 1 else None
                    )
                    parents[chain_key] = parent
                    target.append(parent)
                target = parent.entries
            columns.append(resolved.sql)
            out_field = None if resolved.polymorphic_type else resolved.field
            target.append(FieldOut(resolved.name, len(columns) - 1, out_field))

        for item in query.select:
            if isinstance(item, a.FieldItem):
                if item.alias:
                    raise self.errors.malformed(item.path.pos, "Only aggregate expressions use field aliasing")
                add_path(item.path, item.path.pos)
            elif isinstance(item, a.FieldsItem):
                for f in self._fields_function(item, query, scope.root):
                    if f.name.lower() not in seen:
                        add_path(a.Path((f.name,), item.pos), item.pos)
            elif isinstance(item, a.FuncItem):
                name = item.call.upper
                if name in IDENTITY_FUNCTIONS and len(item.call.args) == 1 and isinstance(item.call.args[0], a.Path):
                    add_path(item.call.args[0], item.call.pos)
                    if item.alias and isinstance(entries[-1], FieldOut):
                        entries[-1].key = item.alias
                elif name in DATE_FUNCTIONS:
                    raise self.errors.malformed(
                        item.call.pos,
                        f"Date function {item.call.name} is only allowed in a query with GROUP BY or an aggregate",
                    )
                else:
                    self.function_error(item.call)
            elif isinstance(item, a.SubqueryItem):
                if child_fk is not None:
                    raise self.errors.malformed(
                        item.query.from_pos, "Nested subqueries are not supported inside a relationship subquery"
                    )
                child = self._child(item.query, scope, query.limit)
                entries.append(child)
                children.append(child)
        from_sql = f"{q(scope.root.name)} {scope.alias}"
        order_sql = self._order_by(query, scope, aggregate=False, outputs=None)
        order_sql.append(f"{scope.alias}.rowid")
        fk_col = None
        if child_fk is not None:
            columns.append(f"{scope.alias}.{q(child_fk.name)}")
            fk_col = len(columns) - 1
        sql = (
            f"SELECT {', '.join(columns)} FROM {from_sql} {' '.join(scope.join_sql)} "
            f"WHERE {' AND '.join(where_parts) or '1'} ORDER BY {', '.join(order_sql)}"
        )
        if child_fk is None:
            sql += self._limit_offset(query, params)
        return Plan("records", scope.root, sql, params, 0, entries, children, fk_col)

    def _count_plan(
        self, query: a.Query, scope: Scope, where_parts: list[str], params: list[Any], filters: FilterCompiler
    ) -> Plan:
        group_sql = [self._group_expr(g, scope)[0] for g in query.group_by]
        inner = f"SELECT 1 FROM {q(scope.root.name)} {scope.alias} {{joins}} WHERE {' AND '.join(where_parts) or '1'}"
        if group_sql:
            inner += " GROUP BY " + ", ".join(group_sql)
            if query.having is not None:
                inner += " HAVING " + filters.condition(query.having, params, aggregate=True)
        inner += self._limit_offset(query, params)
        sql = f"SELECT COUNT(*) FROM ({inner.replace('{joins}', ' '.join(scope.join_sql))})"
        return Plan("count", scope.root, sql, params)

    def _aggregate_plan(
        self, query: a.Query, scope: Scope, where_parts: list[str], params: list[Any], filters: FilterCompiler
    ) -> Plan:
        group_exprs = [self._group_expr(g, scope) for g in query.group_by]
        group_sqls = {sql for sql, _ in group_exprs}
        columns: list[str] = []
        entries: list[FieldOut | ParentOut | ChildOut] = []
        expr_index = 0
        outputs: dict[str, str] = {}
        for item in query.select:
            if isinstance(item, a.FieldItem):
                resolved = self.resolve(item.path, scope)
                if resolved.sql not in group_sqls:
                    raise self.errors.malformed(item.path.pos, f"Field must be grouped or aggregated: {item.path.text}")
                columns.append(resolved.sql)
                key = item.alias or resolved.name
                self._check_alias(key, outputs, item.path.pos)
                entries.append(FieldOut(key, len(columns) - 1, resolved.field))
                outputs[key.lower()] = resolved.sql
            elif isinstance(item, a.FuncItem):
                sql, result_field = self.function_sql(item.call, scope, aggregate=True)
                if item.call.upper not in AGGREGATES and sql not in group_sqls:
                    raise self.errors.malformed(item.call.pos, f"Field must be grouped or aggregated: {item.call.name}")
                if item.alias:
                    key = item.alias
                else:
                    key = f"expr{expr_index}"
                    expr_index += 1
                self._check_alias(key, outputs, item.call.pos)
                columns.append(sql)
                entries.append(FieldOut(key, len(columns) - 1, result_field))
                outputs[key.lower()] = sql
            elif isinstance(item, a.SubqueryItem):
                raise self.errors.malformed(
                    item.query.from_pos, "Relationship subqueries cannot be used in an aggregate query"
                )
            elif isinstance(item, a.FieldsItem):
                raise self.errors.malformed(item.pos, "FIELDS() cannot be used in an aggregate query")
        sql = (
            f"SELECT {', '.join(columns)} FROM {q(scope.root.name)} {scope.alias} {{joins}} "
            f"WHERE {' AND '.join(where_parts) or '1'}"
        )
        if group_exprs:
            sql += " GROUP BY " + ", ".join(s for s, _ in group_exprs)
        if query.having is not None:
            filters.group_sqls = group_sqls
            sql += " HAVING " + filters.condition(query.having, params, aggregate=True)
        order_sql = self._order_by(query, scope, aggregate=True, outputs=outputs, group_sqls=group_sqls)
        if order_sql:
            sql += " ORDER BY " + ", ".join(order_sql)
        sql += self._limit_offset(query, params)
        sql = sql.replace("{joins}", " ".join(scope.join_sql))
        return Plan("aggregate", scope.root, sql, params, -1, entries)

    def _check_alias(self, key: str, outputs: dict[str, str], pos: int) -> None:
        if key.lower() in outputs:
            raise self.errors.malformed(pos, f"duplicate alias: {key}")

    def _group_expr(self, item: a.Path | a.FuncCall, scope: Scope) -> tuple[str, FieldDef | None]:
        if isinstance(item, a.Path):
            resolved = self.resolve(item, scope)
            if not resolved.field.groupable:
                raise self.errors.malformed(item.pos, f"field '{resolved.name}' can not be grouped in a query call")
            return resolved.sql, resolved.field
        if item.upper in ("ROLLUP", "CUBE"):
            raise self.errors.malformed(item.pos, f"GROUP BY {item.upper} is not supported by the crmsim sandbox")
        if item.upper not in DATE_FUNCTIONS:
            raise self.errors.malformed(item.pos, f"Invalid GROUP BY expression: {item.name}")
        return self.function_sql(item, scope, aggregate=False)

    def _child(self, sub: a.Query, scope: Scope, parent_limit: int | None) -> ChildOut:
        rel = scope.root.children_ci.get(sub.from_name.lower())
        if rel is None:
            raise self.errors.bad_child_relationship(sub.from_pos, sub.from_name)
        child_obj = self.schema.objects[rel.child_object]
        child_scope = Scope(child_obj, self._fresh(scope), sub.alias, self.counter)
        child_scope.user_alias = sub.alias or rel.name
        fk = child_obj.fields[rel.field]
        if any(self._is_aggregate_item(i) for i in sub.select) or sub.group_by:
            raise self.errors.malformed(sub.from_pos, "Aggregate queries are not supported in a relationship subquery")
        if sub.offset is not None and parent_limit != 1:
            raise self.errors.malformed(
                sub.clause_pos.get("offset"), "OFFSET in a relationship subquery needs LIMIT 1 on the outer query"
            )
        self._limit_offset(sub, [])  # range checks only: limits apply per parent, in Python
        plan = self._compile_select(sub, child_scope, restrict_ids=False, child_fk=fk)
        assert plan.fk_col is not None
        return ChildOut(rel.name, plan, plan.fk_col, sub.limit, sub.offset or 0)

    def _fresh(self, scope: Scope) -> str:
        return scope.new_alias()

    # -- names --------------------------------------------------------------------------------

    def resolve(self, path: a.Path, scope: Scope) -> Resolved:
        parts = list(path.parts)
        pos = path.pos
        if len(parts) > 1:
            first = parts[0].lower()
            if scope.user_alias and first == scope.user_alias.lower():
                pos += len(parts[0]) + 1
                parts = parts[1:]
            elif first not in scope.root.relationships_ci and first == scope.root.name.lower():
                pos += len(parts[0]) + 1
                parts = parts[1:]
        if len(parts) - 1 > MAX_RELATIONSHIP_DEPTH:
            raise self.errors.malformed(
                path.pos,
                "SOQL statements cannot query relationships that are "
                "more than 5 levels away from the root entity object.",
            )
        obj_alias = scope.alias
        objects = [scope.root]
        chain: list[tuple[tuple[str, ...], _Join]] = []
        key: tuple[str, ...] = ()
        for part in parts[:-1]:
            if len(objects) > 1:
                raise self.errors.bad_relationship(pos, part)
            ref = objects[0].relationships_ci.get(part.lower())
            if ref is None:
                raise self.errors.bad_relationship(pos, part)
            key = (*key, part.lower())
            join = scope.joins.get(key)
            if join is None:
                join = self._join(scope, obj_alias, ref)
                scope.joins[key] = join
            chain.append((key, join))
            objects = join.objects
            obj_alias = next(iter(join.aliases.values()))
            pos += len(part) + 1
        last = parts[-1]
        if len(objects) == 1:
            fdef = objects[0].field(last)
            if fdef is None:
                raise self.errors.no_such_column(pos, last, objects[0].name)
            alias = chain[-1][1].aliases[objects[0].name] if chain else scope.alias
            return Resolved(f"{alias}.{q(fdef.name)}", fdef, chain, fdef.name)
        join = chain[-1][1]
        if last.lower() == "type":
            prefix_cases = " ".join(f"WHEN '{o.keyPrefix}' THEN '{o.name}'" for o in join.objects)
            sql = f"CASE substr({join.id_sql}, 1, 3) {prefix_cases} END"
            fdef = FieldDef(name="Type", type=FieldType.PICKLIST, values=[o.name for o in join.objects])
            return Resolved(sql, fdef, chain, "Type", polymorphic_type=True)
        having = [(o, f) for o in join.objects if (f := _polymorphic_field(o, last)) is not None]
        if not having:
            raise self.errors.no_such_column(pos, last, "Name")
        fdef = having[0][1]
        columns = [f"{join.aliases[o.name]}.{q(f.name)}" for o, f in having]
        sql = columns[0] if len(columns) == 1 else "COALESCE(" + ", ".join(columns) + ")"
        name = "Name" if last.lower() == "name" else fdef.name
        return Resolved(sql, fdef, chain, name)

    def _join(self, scope: Scope, from_alias: str, ref: FieldDef) -> _Join:
        targets = [self.schema.objects[t] for t in ref.referenceTo or []]
        aliases: dict[str, str] = {}
        ref_sql = f"{from_alias}.{q(ref.name)}"
        for target in targets:
            alias = scope.new_alias()
            aliases[target.name] = alias
            scope.join_sql.append(f'LEFT JOIN {q(target.name)} {alias} ON {alias}."Id" = {ref_sql}')
        id_sql = (
            f'{aliases[targets[0].name]}."Id"'
            if len(targets) == 1
            else ("COALESCE(" + ", ".join(f'{al}."Id"' for al in aliases.values()) + ")")
        )
        return _Join(aliases, targets, ref.relationshipName or ref.name, id_sql)

    # -- functions ----------------------------------------------------------------------------

    def function_sql(self, call: a.FuncCall, scope: Scope, *, aggregate: bool) -> tuple[str, FieldDef | None]:
        """SQL for an aggregate or date function and the field describing its result."""
        name = call.upper
        if name in AGGREGATES:
            if not aggregate:
                raise self.errors.malformed(call.pos, "Aggregate functions are not allowed here")
            if name == "COUNT" and not call.args:
                return "COUNT(*)", None
            arg = self._single_path_arg(call)
            resolved = self.resolve(arg, scope)
            f = resolved.field
            if name in ("SUM", "AVG") and not f.is_number:
                raise self.errors.malformed(
                    call.pos, f"field {resolved.name} does not support aggregate operator {name}"
                )
            if name in ("MIN", "MAX") and f.type in (FieldType.TEXTAREA, FieldType.MULTIPICKLIST, FieldType.BOOLEAN):
                raise self.errors.malformed(
                    call.pos, f"field {resolved.name} does not support aggregate operator {name}"
                )
            if name == "COUNT":
                return f"COUNT({resolved.sql})", None
            if name == "COUNT_DISTINCT":
                return f"COUNT(DISTINCT {resolved.sql})", None
            if name == "AVG":
                return f"AVG({resolved.sql})", FieldDef(name="avg", type=FieldType.DOUBLE)
            return f"{name}({resolved.sql})", f
        if name in DATE_FUNCTIONS:
            arg = self._single_path_arg(call)
            resolved = self.resolve(arg, scope)
            f = resolved.field
            if f.type not in (FieldType.DATE, FieldType.DATETIME) or (
                name in DATETIME_ONLY_FUNCTIONS and f.type is not FieldType.DATETIME
            ):
                raise self.errors.malformed(
                    call.pos, f"{call.name}: invalid field type for date function: {resolved.name}"
                )
            result_type = FieldType.DATE if name == "DAY_ONLY" else FieldType.INT
            return DATE_FUNCTIONS[name].format(x=resolved.sql), FieldDef(name=name, type=result_type)
        self.function_error(call)
        raise AssertionError("unreachable")

    def _single_path_arg(self, call: a.FuncCall) -> a.Path:
        if len(call.args) != 1 or not isinstance(call.args[0], a.Path):
            raise self.errors.malformed(call.pos, f"{call.name} takes exactly one field")
        return call.args[0]

    def function_error(self, call: a.FuncCall) -> None:
        name = call.upper
        if name in ("DISTANCE", "GEOLOCATION"):
            raise self.errors.invalid_field(
                call.pos, f"{call.name}: the org has no location fields to compute a distance on"
            )
        if name in IDENTITY_FUNCTIONS:
            raise self.errors.malformed(call.pos, f"{call.name} takes exactly one field")
        raise self.errors.malformed(call.pos, f"unknown function: {call.name}")

    def _is_aggregate_item(self, item: Any) -> bool:
        return isinstance(item, a.FuncItem) and item.call.upper in AGGREGATES

    def _fields_function(self, item: a.FieldsItem, query: a.Query, root: ObjectDef) -> list[FieldDef]:
        if item.kind not in ("ALL", "STANDARD", "CUSTOM"):
            raise self.errors.malformed(item.pos, f"unexpected token: {item.kind}")
        if item.kind != "STANDARD" and (query.limit is None or query.limit > MAX_FIELDS_LIMIT):
            raise self.errors.malformed(item.pos, "The SOQL FIELDS function must have a LIMIT of at most 200")
        fields = list(root.fields.values())
        if item.kind == "STANDARD":
            return [f for f in fields if not f.custom]
        if item.kind == "CUSTOM":
            return [f for f in fields if f.custom]
        return fields

    # -- clauses ------------------------------------------------------------------------------

    def _order_by(
        self,
        query: a.Query,
        scope: Scope,
        *,
        aggregate: bool,
        outputs: dict[str, str] | None,
        group_sqls: set[str] | None = None,
    ) -> list[str]:
        out = []
        for item in query.order_by:
            expr = item.expr
            if isinstance(expr, a.Path):
                if aggregate and outputs and len(expr.parts) == 1 and expr.parts[0].lower() in outputs:
                    sql = outputs[expr.parts[0].lower()]
                else:
                    resolved = self.resolve(expr, scope)
                    if not resolved.field.sortable:
                        raise self.errors.malformed(
                            expr.pos, f"field '{resolved.name}' can not be sorted in a query call"
                        )
                    sql = resolved.sql
                    if aggregate and group_sqls is not None and sql not in group_sqls:
                        raise self.errors.malformed(
                            expr.pos, f"Ordered field must be grouped or aggregated: {expr.text}"
                        )
            else:
                sql, _ = self.function_sql(expr, scope, aggregate=aggregate)
            direction = "DESC" if item.descending else "ASC"
            nulls = "LAST" if item.nulls_last else "FIRST"
            out.append(f"{sql} {direction} NULLS {nulls}")
        return out

    def _limit_offset(self, query: a.Query, params: list[Any], *, skip_limit: bool = False) -> str:
        sql = ""
        if query.limit is not None and query.limit > MAX_INT:
            raise self.errors.out_of_range(query.clause_pos.get("limit"), f"Number outside valid range: {query.limit}")
        if query.offset is not None and query.offset > MAX_OFFSET:
            raise self.errors.out_of_range(query.clause_pos.get("offset"), "Maximum SOQL offset allowed is 2000")
        if query.limit is not None and not skip_limit:
            sql += " LIMIT ?"
            params.append(query.limit)
        if query.offset is not None:
            if not sql:
                sql += " LIMIT -1"
            sql += " OFFSET ?"
            params.append(query.offset)
        return sql

    def _scope_filter(self, query: a.Query, scope: Scope, params: list[Any]) -> str:
        pos = query.clause_pos.get("scope")
        if query.scope in ("everything", "all"):
            return "1"
        if query.scope == "mine" and "ownerid" in scope.root.fields_ci and self.user_id:
            params.append(self.user_id)
            return f'{scope.alias}."OwnerId" = ?'
        raise self.errors.malformed(
            pos, f"USING SCOPE {query.scope} is not supported for {scope.root.name} in the crmsim sandbox"
        )

    def _check_unsupported(self, query: a.Query, scope: Scope) -> None:
        for item in query.select:
            if isinstance(item, a.TypeofItem):
                raise self.errors.malformed(
                    item.pos,
                    "TYPEOF is not supported by the crmsim sandbox; "
                    "select polymorphic fields directly, e.g. What.Name, What.Type",
                )
        if query.with_clause is not None and query.with_clause not in IGNORED_WITH:
            pos = query.clause_pos.get("with_clause")
            if query.with_clause == "DATA CATEGORY":
                raise self.errors.malformed(
                    pos, "WITH DATA CATEGORY is not supported: the sandbox org has no data category groups"
                )
            raise self.errors.unexpected(pos, query.with_clause)
        for word in query.for_clause:
            if word not in ("VIEW", "REFERENCE", "UPDATE"):
                raise self.errors.unexpected(query.clause_pos.get("for_clause"), word)
        for word in query.update_clause:
            if word not in ("TRACKING", "VIEWSTAT"):
                raise self.errors.unexpected(query.clause_pos.get("update_clause"), word)

    def operand(self, expr: a.Path | a.FuncCall, scope: Scope, *, aggregate: bool) -> Operand:
        if isinstance(expr, a.Path):
            resolved = self.resolve(expr, scope)
            return Operand(resolved.sql, resolved.field, resolved.name, expr.pos)
        sql, fdef = self.function_sql(expr, scope, aggregate=aggregate)
        if fdef is None:
            fdef = FieldDef(name=expr.name, type=FieldType.INT)
        return Operand(sql, fdef, expr.name, expr.pos)

    def semi_join(self, sub: a.Query, outer: Operand) -> tuple[str, list[Any]]:
        """SQL for ``x IN (SELECT ...)``: the inner query compiled in its own scope."""
        root = self.schema.object(sub.from_name)
        if root is None:
            raise self.errors.no_such_object(sub.from_pos, sub.from_name)
        if not outer.field.is_id:
            raise self.errors.malformed(
                outer.pos, f"Semi join sub-selects are only allowed on Id or reference fields, not {outer.name}"
            )
        if len(sub.select) != 1 or not isinstance(sub.select[0], a.FieldItem):
            raise self.errors.malformed(
                sub.from_pos, "Semi join sub-selects must select exactly one Id or reference field"
            )
        scope = Scope(root, self._fresh_root(), sub.alias, self.counter)
        inner = self.resolve(sub.select[0].path, scope)
        if not inner.field.is_id:
            raise self.errors.malformed(
                sub.select[0].path.pos, "Semi join sub-selects must select an Id or reference field"
            )
        params: list[Any] = []
        where = [f'{scope.alias}."IsDeleted" = 0', f"{inner.sql} IS NOT NULL"]
        if sub.where is not None:
            where.append(FilterCompiler(self, scope).condition(sub.where, params, aggregate=False))
        sql = (
            f"SELECT {inner.sql} FROM {q(root.name)} {scope.alias} {' '.join(scope.join_sql)} "
            f"WHERE {' AND '.join(where)}"
        )
        if sub.limit is not None:
            sql += " LIMIT ?"
            params.append(sub.limit)
        return sql, params

    def _fresh_root(self) -> str:
        self.counter[0] += 1
        return f"t{self.counter[0]}"


def _polymorphic_field(obj: ObjectDef, name: str) -> FieldDef | None:
    """A field of one target of a polymorphic relationship; Name means the target's name field."""
    if name.lower() == "name" and obj.nameField:
        return obj.fields[obj.nameField]
    return obj.field(name)
