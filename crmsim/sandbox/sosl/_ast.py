"""What a parsed SOSL statement is: the search expression, the field scope, the RETURNING specs."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum, StrEnum


class Wildcard(Enum):
    """An unescaped ``*`` (any run of characters) or ``?`` (exactly one character) in a search term."""

    ANY = "*"
    ONE = "?"


Part = str | Wildcard


@dataclass(frozen=True)
class Term:
    """A search word or a "quoted phrase": literal text (escapes resolved) and wildcards."""

    parts: tuple[Part, ...]
    phrase: bool = False

    @property
    def text(self) -> str:
        """The term as it reads, wildcards included (escapes already resolved)."""
        return "".join(p.value if isinstance(p, Wildcard) else p for p in self.parts)


@dataclass(frozen=True)
class Not:
    """A negated member of an :class:`And` (``... AND NOT x``); never stands alone."""

    item: SearchExpr


@dataclass(frozen=True)
class And:
    """Rows matching every item; ``a b AND NOT c`` is ``And((a, b, Not(c)))``."""

    items: tuple[SearchExpr | Not, ...]


@dataclass(frozen=True)
class Or:
    items: tuple[SearchExpr, ...]


SearchExpr = Term | And | Or


class SearchGroup(StrEnum):
    """The ``IN ... FIELDS`` scope."""

    ALL = "ALL"
    NAME = "NAME"
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    SIDEBAR = "SIDEBAR"


@dataclass(frozen=True)
class ReturningSpec:
    """One ``Object(fields WHERE ... ORDER BY ... LIMIT n OFFSET m)`` of a RETURNING clause.

    ``fields``, ``where`` and ``order_by`` are the source text as written, so they can be handed to
    the SOQL engine unchanged.
    """

    name: str
    pos: int
    fields: tuple[str, ...] = ()
    where: str | None = None
    order_by: str | None = None
    limit: int | None = None
    offset: int | None = None


@dataclass(frozen=True)
class WithClause:
    """A ``WITH`` clause: its kind (``METADATA``, ``SNIPPET``, ...) and its value, if any."""

    kind: str
    value: str | None = None


@dataclass(frozen=True)
class SoslQuery:
    text: str
    search: SearchExpr
    search_text: str  # the term as written between the braces (or quotes)
    search_pos: int  # offset of the term's first character in ``text``
    group: SearchGroup = SearchGroup.ALL
    returning: tuple[ReturningSpec, ...] = ()
    with_clauses: tuple[WithClause, ...] = field(default=())
    limit: int | None = None

    def with_value(self, kind: str) -> str | None:
        for clause in self.with_clauses:
            if clause.kind == kind:
                return clause.value
        return None


def walk_terms(expr: SearchExpr | Not) -> list[Term]:
    """Every :class:`Term` of ``expr``, left to right (negated ones included)."""
    if isinstance(expr, Term):
        return [expr]
    if isinstance(expr, Not):
        return walk_terms(expr.item)
    return [term for item in expr.items for term in walk_terms(item)]
