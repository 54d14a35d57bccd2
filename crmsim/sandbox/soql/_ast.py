"""SOQL syntax tree: small frozen dataclasses built from the lark parse tree.

Every node keeps ``pos``, the character offset of where it starts in the query, so that errors can
carry Salesforce's ``ERROR at Row:1:Column:N`` preamble.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lark import Token, Transformer, Tree, v_args


@dataclass(frozen=True)
class Path:
    parts: tuple[str, ...]
    pos: int

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class Literal:
    kind: str  # string | number | date | datetime | boolean | null
    value: Any
    pos: int
    raw: str = ""


@dataclass(frozen=True)
class DateLiteral:
    """A relative date literal such as TODAY or LAST_N_DAYS:30."""

    name: str
    n: int | None
    pos: int


@dataclass(frozen=True)
class BindVariable:
    name: str
    pos: int


Value = Literal | DateLiteral | BindVariable


@dataclass(frozen=True)
class FuncCall:
    name: str
    args: tuple[Any, ...]
    pos: int

    @property
    def upper(self) -> str:
        return self.name.upper()


@dataclass(frozen=True)
class FieldItem:
    path: Path
    alias: str | None


@dataclass(frozen=True)
class FuncItem:
    call: FuncCall
    alias: str | None


@dataclass(frozen=True)
class FieldsItem:
    kind: str  # ALL | STANDARD | CUSTOM
    pos: int


@dataclass(frozen=True)
class TypeofItem:
    pos: int


@dataclass(frozen=True)
class SubqueryItem:
    query: Query


@dataclass(frozen=True)
class Compare:
    left: Path | FuncCall
    op: str
    value: Value
    pos: int


@dataclass(frozen=True)
class Like:
    left: Path | FuncCall
    value: Value
    pos: int


@dataclass(frozen=True)
class InList:
    left: Path | FuncCall
    values: tuple[Value, ...] | None
    subquery: Query | None
    negated: bool
    pos: int


@dataclass(frozen=True)
class Includes:
    left: Path | FuncCall
    values: tuple[Value, ...]
    excludes: bool
    pos: int


@dataclass(frozen=True)
class BoolOp:
    op: str  # AND | OR
    items: tuple[Any, ...]
    pos: int


@dataclass(frozen=True)
class Not:
    item: Any
    pos: int


@dataclass(frozen=True)
class Paren:
    item: Any
    pos: int


@dataclass(frozen=True)
class OrderItem:
    expr: Path | FuncCall
    descending: bool
    nulls_last: bool | None


@dataclass(frozen=True)
class Query:
    select: tuple[Any, ...]
    from_name: str
    from_pos: int
    alias: str | None
    where: Any = None
    group_by: tuple[Path | FuncCall, ...] = ()
    having: Any = None
    order_by: tuple[OrderItem, ...] = ()
    limit: int | None = None
    offset: int | None = None
    scope: str | None = None
    with_clause: str | None = None
    for_clause: tuple[str, ...] = ()
    update_clause: tuple[str, ...] = ()
    clause_pos: dict[str, int] = field(default_factory=dict, compare=False, hash=False)


TOO_BIG = 10**19


def _bounded_int(tok: Token) -> int:
    """The value of an integer token, or TOO_BIG for one too long to be any valid count."""
    text = str(tok).lstrip("0") or "0"
    return int(text) if len(text) <= 19 else TOO_BIG


def _pos(item: Token | Tree[Any]) -> int:
    if isinstance(item, Token):
        return item.start_pos or 0
    return getattr(item.meta, "start_pos", 0) or 0


# Escaped % and _ decode to these private-use characters, which only LIKE turns back into literals.
LITERAL_PERCENT = "\ue000"
LITERAL_UNDERSCORE = "\ue001"
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"', "'": "'", "\\": "\\"}


def unescape(raw: str) -> str:
    """Decode a quoted SOQL string; ``\\%`` and ``\\_`` become LITERAL_PERCENT / LITERAL_UNDERSCORE."""
    body = raw[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        nxt = body[i + 1] if i + 1 < len(body) else ""
        if nxt in _ESCAPES:
            out.append(_ESCAPES[nxt])
            i += 2
        elif nxt in "%_":
            out.append(LITERAL_PERCENT if nxt == "%" else LITERAL_UNDERSCORE)
            i += 2
        elif nxt == "u" and len(body) >= i + 6:
            try:
                code = int(body[i + 2 : i + 6], 16)
            except ValueError:
                raise InvalidEscape(i + 1) from None
            if 0xD800 <= code <= 0xDFFF:
                raise InvalidEscape(i + 1)
            out.append(chr(code))
            i += 6
        else:
            raise InvalidEscape(i + 1)
    return "".join(out)


class InvalidEscape(ValueError):
    def __init__(self, offset: int) -> None:
        super().__init__(offset)
        self.offset = offset


@v_args(inline=True)
class ToAst(Transformer[Token, Query]):
    """Turns the lark tree into :class:`Query` nodes."""

    def start(self, query: Query) -> Query:
        return query

    def path(self, *names: Token) -> Path:
        return Path(tuple(str(n) for n in names), _pos(names[0]))

    def alias(self, name: Token) -> str:
        return str(name)

    def field_item(self, path: Path, alias: str | None = None) -> FieldItem:
        return FieldItem(path, alias)

    def func_item(self, call: FuncCall, alias: str | None = None) -> FuncItem:
        return FuncItem(call, alias)

    def fields_call(self, kw: Token, kind: Token) -> FieldsItem:
        return FieldsItem(str(kind).upper(), _pos(kw))

    def typeof_expr(self, kw: Token, *_rest: Any) -> TypeofItem:
        return TypeofItem(_pos(kw))

    def path_list(self, *paths: Path) -> tuple[Path, ...]:
        return paths

    def subquery_item(self, query: Query) -> SubqueryItem:
        return SubqueryItem(query)

    def func_call(self, name: Token, *args: Any) -> FuncCall:
        return FuncCall(str(name), tuple(a for a in args if a is not None), _pos(name))

    def string(self, tok: Token) -> Literal:
        try:
            value = unescape(str(tok))
        except InvalidEscape as exc:
            raise InvalidEscape(_pos(tok) + exc.offset) from None
        return Literal("string", value, _pos(tok), str(tok))

    def number(self, tok: Token) -> Literal:
        text = str(tok)
        whole = not any(c in text for c in ".eE") and len(text) <= 40
        value: int | float = int(text) if whole else float(text)
        return Literal("number", value, _pos(tok), text)

    def date(self, tok: Token) -> Literal:
        return Literal("date", str(tok), _pos(tok), str(tok))

    def datetime(self, tok: Token) -> Literal:
        return Literal("datetime", str(tok), _pos(tok), str(tok))

    def true(self, tok: Token) -> Literal:
        return Literal("boolean", True, _pos(tok), str(tok))

    def false(self, tok: Token) -> Literal:
        return Literal("boolean", False, _pos(tok), str(tok))

    def null(self, tok: Token) -> Literal:
        return Literal("null", None, _pos(tok), str(tok))

    def date_literal(self, name: Token) -> DateLiteral:
        return DateLiteral(str(name).upper(), None, _pos(name))

    def date_n_literal(self, name: Token, n: Token) -> DateLiteral:
        return DateLiteral(str(name).upper(), int(n), _pos(name))

    def bind_variable(self, name: Token) -> BindVariable:
        return BindVariable(str(name), _pos(name) - 1)

    def value_list(self, *values: Value) -> tuple[Value, ...]:
        return values

    def compare(self, left: Path | FuncCall, op: Token, value: Value) -> Compare:
        return Compare(left, "!=" if str(op) == "<>" else str(op), value, _pos(op))

    def like(self, left: Path | FuncCall, kw: Token, value: Value) -> Like:
        return Like(left, value, _pos(kw))

    def in_(self, left: Path | FuncCall, kw: Token, arg: Any) -> InList:
        return self._in(left, kw, arg, negated=False)

    def not_in(self, left: Path | FuncCall, kw: Token, arg: Any) -> InList:
        return self._in(left, kw, arg, negated=True)

    @staticmethod
    def _in(left: Path | FuncCall, kw: Token, arg: Any, *, negated: bool) -> InList:
        if isinstance(arg, Query):
            return InList(left, None, arg, negated, _pos(kw))
        return InList(left, tuple(arg), None, negated, _pos(kw))

    def in_bind(self, left: Path | FuncCall, kw: Token, name: Token) -> InList:
        return InList(left, (BindVariable(str(name), _pos(name) - 1),), None, str(kw).upper() != "IN", _pos(kw))

    def includes(self, left: Path | FuncCall, kw: Token, values: tuple[Value, ...]) -> Includes:
        return Includes(left, values, False, _pos(kw))

    def excludes(self, left: Path | FuncCall, kw: Token, values: tuple[Value, ...]) -> Includes:
        return Includes(left, values, True, _pos(kw))

    def or_cond(self, *items: Any) -> BoolOp:
        ops = [i for i in items if isinstance(i, Token)]
        return BoolOp("OR", tuple(i for i in items if not isinstance(i, Token)), _pos(ops[0]) if ops else 0)

    def and_cond(self, *items: Any) -> BoolOp:
        ops = [i for i in items if isinstance(i, Token)]
        return BoolOp("AND", tuple(i for i in items if not isinstance(i, Token)), _pos(ops[0]) if ops else 0)

    def not_(self, kw: Token, item: Any) -> Not:
        return Not(item, _pos(kw))

    def paren(self, item: Any) -> Paren:
        return Paren(item, 0)

    def order_item(self, expr: Path | FuncCall, *rest: Token) -> OrderItem:
        descending = False
        nulls_last: bool | None = None
        for tok in rest:
            if tok.type == "DIRECTION":
                descending = str(tok).upper() == "DESC"
            elif tok.type == "NULLS_POS":
                nulls_last = str(tok).upper() == "LAST"
        return OrderItem(expr, descending, nulls_last)

    def query(self, *clauses: Any) -> Query:
        parts: dict[str, Any] = {}
        positions: dict[str, int] = {}
        for clause in clauses:
            key, value, pos = clause
            parts[key] = value
            positions[key] = pos
        select = parts.pop("select")
        from_name, from_pos, alias = parts.pop("from")
        return Query(select=select, from_name=from_name, from_pos=from_pos, alias=alias, clause_pos=positions, **parts)

    def select_clause(self, kw: Token, *items: Any) -> tuple[str, Any, int]:
        return ("select", items, _pos(kw))

    def from_clause(self, kw: Token, name: Token, alias: str | None = None) -> tuple[str, Any, int]:
        return ("from", (str(name), _pos(name), alias), _pos(kw))

    def using_clause(self, kw: Token, _scope: Token, name: Token) -> tuple[str, Any, int]:
        return ("scope", str(name).lower(), _pos(name))

    def where_clause(self, kw: Token, cond: Any) -> tuple[str, Any, int]:
        return ("where", cond, _pos(kw))

    def having_clause(self, kw: Token, cond: Any) -> tuple[str, Any, int]:
        return ("having", cond, _pos(kw))

    def with_clause(self, kw: Token, *rest: Any) -> tuple[str, Any, int]:
        first = rest[0]
        name = "DATA CATEGORY" if isinstance(first, Token) and first.type == "DATA" else str(first).upper()
        return ("with_clause", name, _pos(kw))

    def category_filter(self, *_items: Any) -> None:
        return None

    def group_clause(self, kw: Token, _by: Token, *items: Any) -> tuple[str, Any, int]:
        return ("group_by", items, _pos(kw))

    def order_clause(self, kw: Token, _by: Token, *items: OrderItem) -> tuple[str, Any, int]:
        return ("order_by", items, _pos(kw))

    def limit_clause(self, kw: Token, n: Token) -> tuple[str, Any, int]:
        return ("limit", _bounded_int(n), _pos(n))

    def offset_clause(self, kw: Token, n: Token) -> tuple[str, Any, int]:
        return ("offset", _bounded_int(n), _pos(n))

    def for_clause(self, kw: Token, *names: Token) -> tuple[str, Any, int]:
        return ("for_clause", tuple(str(n).upper() for n in names), _pos(kw))

    def update_clause(self, kw: Token, *names: Token) -> tuple[str, Any, int]:
        return ("update_clause", tuple(str(n).upper() for n in names), _pos(kw))
