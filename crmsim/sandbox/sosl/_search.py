"""Runs a search expression against one object's FTS5 index; returns matching Ids, best first.

Wildcards FTS5 cannot express are first expanded into the index terms they match. Then, in the
usual case, one MATCH query answers (ordered by bm25). If an expansion was too large, each term
is resolved to a set of rows (a MATCH query, plus the Python check for wildcard terms), the sets
are combined as the expression says, and a MATCH query for the positive terms (a superset)
supplies the bm25 order.
"""

from __future__ import annotations

import itertools
import sqlite3

from ..store import quote_ident
from ._ast import And, Not, Or, SearchExpr, SearchGroup, Term
from ._terms import (
    TokenPattern,
    expr_needs_check,
    fts_query,
    fts_term,
    glob_pattern,
    in_columns,
    needs_check,
    phrase_of,
    term_matches,
    term_tokens,
    token_needs_check,
    token_prefix,
)
from .index import ObjectIndex

# A wildcard term expands into at most this many exact terms (phrases) before falling back to
# checking rows one by one.
MAX_EXPANSION = 500


def search_object(conn: sqlite3.Connection, index: ObjectIndex, expr: SearchExpr, group: SearchGroup) -> list[str]:
    """Ids of live rows of ``index``'s object that match ``expr`` in the ``group`` columns, best first."""
    columns = index.columns_for(group)
    if not columns:
        return []
    if expr_needs_check(expr):
        expr = _expand(conn, index, expr, {})
    if not expr_needs_check(expr):
        query = fts_query(expr)
        return [] if query is None else [row[1] for row in _ranked(conn, index, in_columns(columns, query))]
    wanted = _rows(conn, index, columns, expr)
    if not wanted:
        return []
    superset = fts_query(expr, positive_only=True)
    if superset is None:
        return []
    return [rid for rowid, rid in _ranked(conn, index, in_columns(columns, superset)) if rowid in wanted]


def _expand(
    conn: sqlite3.Connection, index: ObjectIndex, expr: SearchExpr, seen: dict[TokenPattern, list[str] | None]
) -> SearchExpr:
    """``expr`` with each wildcard term replaced by the exact index terms it matches, where few enough."""
    if isinstance(expr, Term):
        if not needs_check(expr):
            return expr
        choices: list[list[TokenPattern]] = []
        size = 1
        for token in term_tokens(expr):
            if not token_needs_check(token):
                choices.append([token])
                continue
            if token not in seen:
                seen[token] = _vocabulary(conn, index, token)
            terms = seen[token]
            if terms is None:
                return expr
            size *= len(terms)
            if size > MAX_EXPANSION:
                return expr
            choices.append([(term,) for term in terms])
        return Or(tuple(phrase_of(tokens) for tokens in itertools.product(*choices)))
    if isinstance(expr, Or):
        return Or(tuple(_expand(conn, index, item, seen) for item in expr.items))
    items = (
        Not(_expand(conn, index, i.item, seen)) if isinstance(i, Not) else _expand(conn, index, i, seen)
        for i in expr.items
    )
    return And(tuple(items))


def _vocabulary(conn: sqlite3.Connection, index: ObjectIndex, token: TokenPattern) -> list[str] | None:
    """The index terms matching a wildcard token, or None if there are more than MAX_EXPANSION."""
    prefix = token_prefix(token)
    sql = (
        f"SELECT term FROM {quote_ident(index.vocab_table)} WHERE term >= ? AND term < ? AND term GLOB ? "
        f"LIMIT {MAX_EXPANSION + 1}"
    )
    terms = [str(r[0]) for r in conn.execute(sql, (prefix, prefix + "\U0010ffff", glob_pattern(token)))]
    return None if len(terms) > MAX_EXPANSION else terms


def _ranked(conn: sqlite3.Connection, index: ObjectIndex, match: str) -> list[tuple[int, str]]:
    fts, table = quote_ident(index.fts_table), quote_ident(index.object_name)
    sql = (
        f'SELECT {fts}.rowid, t."Id" FROM {fts} JOIN {table} AS t ON t.rowid = {fts}.rowid '
        f'WHERE {fts} MATCH ? AND t."IsDeleted" = 0 ORDER BY bm25({fts}), {fts}.rowid'
    )
    return [(int(r[0]), str(r[1])) for r in conn.execute(sql, (match,))]


def _rows(conn: sqlite3.Connection, index: ObjectIndex, columns: tuple[str, ...], expr: SearchExpr) -> set[int]:
    """The exact set of rowids matching ``expr`` (live or not; the ranking query drops deleted rows)."""
    if isinstance(expr, Term):
        return _term_rows(conn, index, columns, expr)
    if isinstance(expr, Or):
        out: set[int] = set()
        for item in expr.items:
            out |= _rows(conn, index, columns, item)
        return out
    required = [item for item in expr.items if not isinstance(item, Not)]
    excluded = [item.item for item in expr.items if isinstance(item, Not)]
    result = _rows(conn, index, columns, required[0])
    for item in required[1:]:
        if not result:
            return result
        result &= _rows(conn, index, columns, item)
    for item in excluded:
        if not result:
            return result
        result -= _rows(conn, index, columns, item)
    return result


def _term_rows(conn: sqlite3.Connection, index: ObjectIndex, columns: tuple[str, ...], term: Term) -> set[int]:
    query = fts_term(term)
    if query is None:
        return set()
    fts = quote_ident(index.fts_table)
    match = in_columns(columns, query)
    if not needs_check(term):
        return {int(r[0]) for r in conn.execute(f"SELECT rowid FROM {fts} WHERE {fts} MATCH ?", (match,))}
    view = quote_ident(index.source_view)
    values = ", ".join(f"v.{quote_ident(c)}" for c in columns)
    sql = f"SELECT v._rowid, {values} FROM {fts} JOIN {view} AS v ON v._rowid = {fts}.rowid WHERE {fts} MATCH ?"
    return {int(row[0]) for row in conn.execute(sql, (match,)) if term_matches(term, row[1:])}
