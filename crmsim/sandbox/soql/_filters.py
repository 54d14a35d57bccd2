"""WHERE and HAVING conditions: type-checked against the fields they compare, values bound."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from .. import ids
from ..codec import datetime_to_db, parse_datetime
from ..schema import FieldDef, FieldType
from . import _ast as a
from ._dates import is_date_literal, literal_range, needs_n

if TYPE_CHECKING:
    from ._compile import Compiler, Scope

MAX_INT = 2_147_483_647
AGGREGATE_NAMES = frozenset({"COUNT", "COUNT_DISTINCT", "SUM", "AVG", "MIN", "MAX"})
MAX_NUMBER = 1e18


@dataclass
class Operand:
    sql: str
    field: FieldDef
    name: str
    pos: int


def _soap_type(field: FieldDef) -> str:
    if field.type is FieldType.INT:
        return "int"
    if field.is_number:
        return "double"
    if field.type is FieldType.DATETIME:
        return "dateTime"
    if field.type in (FieldType.DATE, FieldType.BOOLEAN):
        return field.type.value
    return "string"


class FilterCompiler:
    def __init__(self, compiler: Compiler, scope: Scope) -> None:
        self.c = compiler
        self.scope = scope
        self.errors = compiler.errors
        self.group_sqls: set[str] | None = None  # set while compiling HAVING

    def condition(self, node: Any, params: list[Any], *, aggregate: bool) -> str:
        if isinstance(node, a.Paren):  # AND/OR groups are parenthesised below; atoms need none
            return self.condition(node.item, params, aggregate=aggregate)
        if isinstance(node, a.BoolOp):
            for item in node.items:
                if isinstance(item, a.BoolOp) and item.op != node.op:
                    # Salesforce reads left to right and blames the operator where the mix begins.
                    later = node if node.pos > item.pos else item
                    raise self.errors.unexpected(later.pos, later.op)
            parts = [self.condition(i, params, aggregate=aggregate) for i in node.items]
            return _balanced(parts, f" {node.op} ")
        if isinstance(node, a.Not):
            return "NOT (" + self.condition(node.item, params, aggregate=aggregate) + ")"
        if isinstance(node, a.Compare):
            return self._compare(node, params, aggregate)
        if isinstance(node, a.Like):
            return self._like(node, params, aggregate)
        if isinstance(node, a.InList):
            return self._in(node, params, aggregate)
        if isinstance(node, a.Includes):
            return self._includes(node, params, aggregate)
        raise AssertionError(f"unknown condition node {node!r}")

    # -- operators ----------------------------------------------------------------------------

    def _operand(self, expr: a.Path | a.FuncCall, aggregate: bool) -> Operand:
        is_aggregate = isinstance(expr, a.FuncCall) and expr.upper in AGGREGATE_NAMES
        if is_aggregate and not aggregate:
            raise self.errors.malformed(expr.pos, "Aggregate functions are not allowed in the WHERE clause; use HAVING")
        op = self.c.operand(expr, self.scope, aggregate=aggregate)
        if isinstance(expr, a.Path) and not op.field.filterable:
            raise self.errors.invalid_field(expr.pos, f"field '{op.name}' can not be filtered in a query call")
        if self.group_sqls is not None and not is_aggregate and op.sql not in self.group_sqls:
            raise self.errors.malformed(op.pos, f"Field must be grouped or aggregated: {op.name}")
        return op

    def _compare(self, node: a.Compare, params: list[Any], aggregate: bool) -> str:
        op = self._operand(node.left, aggregate)
        value = node.value
        if isinstance(value, a.Literal) and value.kind == "null":
            if node.op == "=":
                return f"{op.sql} IS NULL"
            if node.op == "!=":
                return f"{op.sql} IS NOT NULL"
            raise self.errors.filter_operator(node.pos, f"invalid operator on null: {node.op}")
        if isinstance(value, a.DateLiteral):
            return self._date_range(op, node, value, params)
        bound = self.coerce(op, value)
        left, collate = _text_side(op, [bound])
        params.append(_fold(bound) if left != op.sql else bound)
        if node.op == "!=":
            return f"({op.sql} IS NULL OR {left} != ?{collate})"
        return f"{left} {node.op} ?{collate}"

    def _date_range(self, op: Operand, node: a.Compare, lit: a.DateLiteral, params: list[Any]) -> str:
        if op.field.type not in (FieldType.DATE, FieldType.DATETIME):
            raise self._type_error(op, lit.pos)
        start, end = self._literal_bounds(lit, op.field)
        sql = op.sql
        if node.op == "=":
            params += [start, end]
            return f"({sql} >= ? AND {sql} < ?)"
        if node.op == "!=":
            params += [start, end]
            return f"({sql} IS NULL OR {sql} < ? OR {sql} >= ?)"
        bound = {"<": start, ">=": start, "<=": end, ">": end}[node.op]
        sql_op = {"<": "<", ">=": ">=", "<=": "<", ">": ">="}[node.op]
        params.append(bound)
        return f"{sql} {sql_op} ?"

    def _literal_bounds(self, lit: a.DateLiteral, field: FieldDef) -> tuple[str, str]:
        if not is_date_literal(lit.name):
            raise self.errors.unexpected(lit.pos, lit.name)
        if needs_n(lit.name) != (lit.n is not None):
            detail = (
                f"Invalid date literal: {lit.name} needs a number, e.g. {lit.name}:7"
                if needs_n(lit.name)
                else f"unexpected token: {lit.name}:{lit.n}"
            )
            raise self.errors.malformed(lit.pos, detail)
        start, end = literal_range(lit.name, lit.n, self.c.today)
        if field.type is FieldType.DATETIME:
            return f"{start.isoformat()} 00:00:00", f"{end.isoformat()} 00:00:00"
        return start.isoformat(), end.isoformat()

    def _like(self, node: a.Like, params: list[Any], aggregate: bool) -> str:
        op = self._operand(node.left, aggregate)
        if not op.field.is_text:
            raise self.errors.invalid_field(
                node.pos, f"Invalid operator on field '{op.name}': LIKE works on text fields only"
            )
        value = node.value
        if isinstance(value, a.Literal) and value.kind == "null":
            return f"{op.sql} IS NULL"
        if not isinstance(value, a.Literal) or value.kind != "string":
            raise self._type_error(op, getattr(value, "pos", node.pos))
        pattern = (
            value.value.replace("\\", "\\\\").replace(a.LITERAL_PERCENT, "\\%").replace(a.LITERAL_UNDERSCORE, "\\_")
        )
        left, _ = _text_side(op, [pattern])
        params.append(_fold(pattern) if left != op.sql else pattern)
        return f"{left} LIKE ? ESCAPE '\\'"

    def _in(self, node: a.InList, params: list[Any], aggregate: bool) -> str:
        op = self._operand(node.left, aggregate)
        if node.subquery is not None:
            sub_sql, sub_params = self.c.semi_join(node.subquery, op)
            params += sub_params
            if node.negated:
                return f"({op.sql} IS NULL OR {op.sql} NOT IN ({sub_sql}))"
            return f"{op.sql} IN ({sub_sql})"
        values = node.values or ()
        has_null = any(isinstance(v, a.Literal) and v.kind == "null" for v in values)
        bound = [self.coerce(op, v) for v in values if not (isinstance(v, a.Literal) and v.kind == "null")]
        left, collate = _text_side(op, bound)
        params += [_fold(b) for b in bound] if left != op.sql else bound
        marks = ", ".join("?" for _ in bound)
        if node.negated:
            inner = f"{left}{collate} NOT IN ({marks})" if bound else "1"
            return f"({op.sql} IS NOT NULL AND {inner})" if has_null else f"({op.sql} IS NULL OR {inner})"
        inner = f"{left}{collate} IN ({marks})" if bound else "0"
        return f"({op.sql} IS NULL OR {inner})" if has_null else inner

    def _includes(self, node: a.Includes, params: list[Any], aggregate: bool) -> str:
        op = self._operand(node.left, aggregate)
        if op.field.type is not FieldType.MULTIPICKLIST:
            raise self.errors.invalid_field(
                node.pos, f"INCLUDES and EXCLUDES work on multi-select picklists only, not '{op.name}'"
            )
        groups = []
        for value in node.values:
            if not isinstance(value, a.Literal) or value.kind != "string":
                raise self._type_error(op, getattr(value, "pos", node.pos))
            terms = []
            for item in (v.strip() for v in value.value.split(";")):
                params.append(f"%;{item};%")
                terms.append(f"(';' || {op.sql} || ';') LIKE ?")
            groups.append("(" + " AND ".join(terms) + ")")
        matched = "(" + " OR ".join(groups) + ")"
        return f"({op.sql} IS NULL OR NOT {matched})" if node.excludes else f"({op.sql} IS NOT NULL AND {matched})"

    # -- values -------------------------------------------------------------------------------

    def coerce(self, op: Operand, value: a.Value) -> Any:
        """The bound parameter for comparing ``op`` with ``value``, or a Salesforce error."""
        if isinstance(value, a.BindVariable):
            raise self.errors.malformed(value.pos, "Bind variables only allowed in Apex code")
        if isinstance(value, a.DateLiteral):
            if op.field.type in (FieldType.DATE, FieldType.DATETIME):
                raise self.errors.malformed(
                    value.pos, f"Date literal {value.name} can only be used with comparison operators"
                )
            raise self.errors.unexpected(value.pos, value.name + (f":{value.n}" if value.n is not None else ""))
        f = op.field
        kind = value.kind
        if f.is_id:
            if kind != "string":
                raise self._type_error(op, value.pos)
            text = value.value
            if not ids.is_id(text):
                raise self.errors.filter_operator(value.pos, f"invalid ID field: {text}")
            return ids.to18(text)
        if f.is_text:
            if kind != "string":
                raise self._type_error(op, value.pos)
            return value.value.replace(a.LITERAL_PERCENT, "%").replace(a.LITERAL_UNDERSCORE, "_")
        if f.is_number:
            if kind != "number":
                raise self._type_error(op, value.pos)
            number = value.value
            limit = MAX_INT if f.type is FieldType.INT else MAX_NUMBER
            if abs(number) > limit:
                raise self.errors.out_of_range(value.pos, f"Number outside valid range: {value.raw}")
            return number
        if f.type is FieldType.BOOLEAN:
            if kind != "boolean":
                raise self._type_error(op, value.pos)
            return int(value.value)
        if f.type is FieldType.DATE:
            if kind != "date":
                raise self._type_error(op, value.pos)
            try:
                date.fromisoformat(value.value)
            except ValueError:
                raise self.errors.malformed(value.pos, f"invalid date: {value.raw}") from None
            return value.value
        if f.type is FieldType.DATETIME:
            if kind != "datetime":
                raise self._type_error(op, value.pos)
            parsed = parse_datetime(value.value)
            if parsed is None:
                raise self.errors.malformed(value.pos, f"invalid date/time: {value.raw}")
            return datetime_to_db(parsed)
        raise self._type_error(op, value.pos)

    def _type_error(self, op: Operand, pos: int) -> Exception:
        soap = _soap_type(op.field)
        quoted = "should be enclosed in quotes" if soap == "string" else "should not be enclosed in quotes"
        return self.errors.invalid_field(
            pos, f"value of filter criterion for field '{op.name}' must be of type {soap} and {quoted}"
        )


def _text_side(op: Operand, values: list[Any]) -> tuple[str, str]:
    """The left-hand SQL and collation for a text comparison with ``values``.

    NOCASE folds ASCII only, so a value with other letters compares lower-cased on both sides
    (``sf_lower`` is registered on every store connection); ASCII values keep the indexed column.
    """
    if not op.field.is_text:
        return op.sql, ""
    if any(isinstance(v, str) and not v.isascii() for v in values):
        return f"sf_lower({op.sql})", ""
    return op.sql, " COLLATE NOCASE"


def _fold(value: Any) -> Any:
    return value.lower() if isinstance(value, str) else value


def _balanced(parts: list[str], op: str) -> str:
    """Join with ``op`` as a balanced tree: SQLite limits expression depth, not width."""
    if len(parts) <= 8:
        return "(" + op.join(parts) + ")"
    middle = len(parts) // 2
    return "(" + _balanced(parts[:middle], op) + op + _balanced(parts[middle:], op) + ")"
