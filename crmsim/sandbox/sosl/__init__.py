"""SOSL: parse ``FIND {...} IN ... RETURNING ...`` and run it on SQLite FTS5 indexes."""

from ._ast import And, Not, Or, ReturningSpec, SearchExpr, SearchGroup, SoslQuery, Term, Wildcard, WithClause
from ._execute import execute_sosl
from ._parameterized import parameterized_to_sosl
from ._parser import parse_search_term, parse_sosl
from .index import create_search_index, object_indexes, rebuild_search_index

__all__ = [
    "And",
    "Not",
    "Or",
    "ReturningSpec",
    "SearchExpr",
    "SearchGroup",
    "SoslQuery",
    "Term",
    "Wildcard",
    "WithClause",
    "create_search_index",
    "execute_sosl",
    "object_indexes",
    "parameterized_to_sosl",
    "parse_search_term",
    "parse_sosl",
    "rebuild_search_index",
]
