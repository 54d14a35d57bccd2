"""The SOQL entry point: parse (cached), compile (cached), run on a reader thread, shape."""

from __future__ import annotations

import sqlite3
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from lark import Lark
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken, VisitError

from crmsim.errors import MalformedQuery, SalesforceError, soql_error

from ..store import Store
from . import _ast as a
from ._compile import Compiler
from ._plan import Plan
from ._shape import run_plan

DEFAULT_API_VERSION = "62.0"
# SQLite's own limits on statement size and depth, reached only by very large SOQL conditions.
_TOO_COMPLEX = ("too large", "stack overflow", "too many", "too complex", "too deep")


@dataclass
class QueryResult:
    total_size: int
    records: list[dict[str, Any]] = field(default_factory=list)


@lru_cache(maxsize=1)
def _parser() -> Lark:
    grammar = resources.files("crmsim.sandbox.soql").joinpath("soql.lark").read_text(encoding="utf-8")
    # cache=True keeps the built LALR tables in the temp dir: building them takes ~0.6 s.
    return Lark(grammar, parser="lalr", lexer="contextual", transformer=a.ToAst(), maybe_placeholders=False, cache=True)


@lru_cache(maxsize=4096)
def parse(text: str) -> a.Query:
    """Parse SOQL into a syntax tree; syntax errors become MALFORMED_QUERY in Salesforce's form."""
    try:
        result = _parser().parse(text)
    except VisitError as exc:
        raise _escape_error(text, exc.orig_exc) from None
    except a.InvalidEscape as exc:
        raise _escape_error(text, exc) from None
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    assert isinstance(result, a.Query)
    return result


def _escape_error(text: str, exc: BaseException) -> MalformedQuery:
    pos = exc.offset if isinstance(exc, a.InvalidEscape) else None
    seq = text[pos : pos + 2] if pos is not None else ""
    err = soql_error(
        MalformedQuery, text, pos, f"Invalid string literal. Illegal character sequence '{seq}' in string literal."
    )
    assert isinstance(err, MalformedQuery)
    return err


def _syntax_error(text: str, exc: UnexpectedInput) -> MalformedQuery:
    if isinstance(exc, UnexpectedToken):
        tok = exc.token
        if tok.type == "$END":
            pos, shown = len(text.rstrip()), "<EOF>"
        else:
            pos, shown = tok.start_pos or 0, str(tok)
    elif isinstance(exc, UnexpectedCharacters):
        pos = exc.pos_in_stream or 0
        shown = f"'{text[pos]}'" if pos < len(text) else "<EOF>"
    elif isinstance(exc, UnexpectedEOF):
        pos, shown = len(text.rstrip()), "<EOF>"
    else:
        pos, shown = 0, "?"
    err = soql_error(MalformedQuery, text, pos, f"unexpected token: {shown}")
    assert isinstance(err, MalformedQuery)
    return err


class SoqlEngine:
    """Runs SOQL against one org :class:`Store`; parsed queries and compiled plans are cached."""

    def __init__(self, store: Store, *, cache_size: int = 1024) -> None:
        self.store = store
        self._plans: OrderedDict[tuple[Any, ...], Plan] = OrderedDict()
        self._cache_size = cache_size
        self.today_override: date | None = None
        self._today = store.today

    @property
    def today(self) -> date:
        return self.today_override or self._today

    def plan(
        self, text: str, *, include_deleted: bool = False, restrict_ids: bool = False, user_id: str | None = None
    ) -> Plan:
        key = (text, include_deleted, restrict_ids, self.today, user_id)
        plan = self._plans.get(key)
        if plan is not None:
            self._plans.move_to_end(key)
            return plan
        query = parse(text)
        plan = Compiler(self.store.schema, text, self.today, include_deleted=include_deleted, user_id=user_id).compile(
            query, restrict_ids=restrict_ids
        )
        self._plans[key] = plan
        if len(self._plans) > self._cache_size:
            self._plans.popitem(last=False)
        return plan

    async def query(
        self,
        text: str,
        *,
        include_deleted: bool = False,
        restrict_ids: Sequence[str] | None = None,
        api_version: str = DEFAULT_API_VERSION,
        user_id: str | None = None,
    ) -> QueryResult:
        """Run a SOQL query; raises SalesforceError subclasses in Salesforce's wording."""
        plan = self.plan(text, include_deleted=include_deleted, restrict_ids=restrict_ids is not None, user_id=user_id)
        version = api_version.lstrip("v")
        try:
            total, records = await self.store.read(
                lambda conn: run_plan(conn, plan, self.store.schema, version, restrict_ids)
            )
        except sqlite3.OperationalError as exc:
            if not any(sign in str(exc) for sign in _TOO_COMPLEX):
                raise
            raise SalesforceError(
                "Query is either selecting too many fields or the filter conditions are too complicated.",
                "QUERY_TOO_COMPLICATED",
            ) from None
        return QueryResult(total, records)
