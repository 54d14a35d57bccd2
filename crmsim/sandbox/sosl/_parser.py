"""Parses SOSL text into :class:`SoslQuery`; syntax errors come out as Salesforce words them.

Salesforce answers SOSL syntax errors with the errorCode ``MALFORMED_SEARCH`` (not the SOQL code
``MALFORMED_QUERY``), so :class:`MalformedQuery` is raised with that code.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from crmsim.errors import InvalidSearch, MalformedQuery, SalesforceError, soql_error

from ._ast import (
    And,
    Not,
    Or,
    Part,
    ReturningSpec,
    SearchExpr,
    SearchGroup,
    SoslQuery,
    Term,
    Wildcard,
    WithClause,
    walk_terms,
)
from ._terms import literal_length

MALFORMED_SEARCH = "MALFORMED_SEARCH"
MAX_LIMIT = 2000
# Past this many characters Salesforce drops the logical operators and ORs the words together.
OPERATOR_LIMIT = 4000
MAX_NESTING = 64


@lru_cache(maxsize=1)
def _lark() -> Lark:
    grammar = resources.files("crmsim.sandbox.sosl").joinpath("sosl.lark").read_text(encoding="utf-8")
    return Lark(
        grammar, parser="lalr", lexer="contextual", start=["sosl", "search_query"], maybe_placeholders=False, cache=True
    )


@lru_cache(maxsize=2048)
def parse_sosl(text: str) -> SoslQuery:
    """Parse a SOSL statement; raises MalformedQuery (MALFORMED_SEARCH) or InvalidSearch."""
    try:
        tree = _lark().parse(text, start="sosl")
    except UnexpectedInput as exc:
        raise _statement_error(text, exc) from None
    return _Builder(text).statement(tree)


def parse_search_term(term: str) -> SearchExpr:
    """Parse the text that goes between the braces of ``FIND {...}``."""
    return _parse_term(term, term, 0, "}")


# -- statement ----------------------------------------------------------------------------------


class _Builder:
    def __init__(self, text: str) -> None:
        self.text = text

    def statement(self, tree: Tree[Token]) -> SoslQuery:
        search_tok = _first_token(tree.children[0])
        raw = str(search_tok)
        closing = "}" if raw.startswith("{") else "'"
        term_text, term_pos = raw[1:-1], (search_tok.start_pos or 0) + 1
        group = SearchGroup.ALL
        returning: list[ReturningSpec] = []
        withs: list[WithClause] = []
        limit: int | None = None
        for child in tree.children[1:]:
            assert isinstance(child, Tree)
            kind = child.data
            if kind == "in_clause":
                group = self._group(_first_token(child))
            elif kind == "returning":
                returning = [self._spec(spec) for spec in child.children if isinstance(spec, Tree)]
            elif kind == "with_clause":
                withs.append(self._with(child.children[0]))
            elif kind == "limit_clause":
                limit = self._int(_first_token(child))
            elif kind == "update_clause":
                self._update(child)
        search = _parse_term(self.text, term_text, term_pos, closing)
        if len(term_text) > OPERATOR_LIMIT:
            search = _without_operators(search)
        return SoslQuery(
            text=self.text,
            search=search,
            search_text=term_text,
            search_pos=term_pos,
            group=group,
            returning=tuple(returning),
            with_clauses=tuple(withs),
            limit=limit,
        )

    def _group(self, tok: Token) -> SearchGroup:
        try:
            return SearchGroup(str(tok).upper())
        except ValueError:
            raise self._error(tok.start_pos, f"Malformed search token: {tok}") from None

    def _spec(self, tree: Tree[Token]) -> ReturningSpec:
        name_tok = tree.children[0]
        assert isinstance(name_tok, Token)
        fields: list[str] = []
        where = order_by = None
        limit = offset = None
        for child in tree.children[1:]:
            assert isinstance(child, Tree)
            if child.data == "field_list":
                fields = [self._span(f) for f in child.children if isinstance(f, Tree)]
            elif child.data == "where_clause":
                where = self._span(child)
            elif child.data == "order_clause":
                order_by = self._span(child)
            elif child.data == "object_limit":
                limit = self._int(_first_token(child))
            elif child.data == "object_offset":
                offset = self._int(_first_token(child), maximum=None)
            elif child.data == "using_clause":
                raise self._error(_first_token(child).start_pos, "USING ListView is not supported in this org")
        return ReturningSpec(
            name=str(name_tok),
            pos=name_tok.start_pos or 0,
            fields=tuple(fields),
            where=where,
            order_by=order_by,
            limit=limit,
            offset=offset,
        )

    def _with(self, node: Tree[Token] | Token) -> WithClause:
        assert isinstance(node, Tree)
        kind = node.data.removeprefix("with_").upper()
        tokens = list(node.scan_values(lambda v: isinstance(v, Token)))
        if kind == "SPELL_CORRECTION":
            value = str(tokens[0])
            if value.lower() not in ("true", "false"):
                raise self._error(tokens[0].start_pos, f"unexpected token: {value}")
            return WithClause(kind, value.lower())
        if kind == "DATA_CATEGORY":
            return WithClause(kind, self._span(node))
        if kind in ("METADATA", "DIVISION", "PRICEBOOKID", "NETWORK"):
            values = [_unquote(str(t)) for t in tokens if t.type == "STRING"]
            return WithClause(kind, ",".join(values))
        if kind == "SNIPPET" and tokens:
            return WithClause(kind, str(tokens[-1]))
        return WithClause(kind)

    def _update(self, tree: Tree[Token]) -> None:
        for tok in tree.scan_values(lambda v: isinstance(v, Token)):
            if str(tok).upper() not in ("TRACKING", "VIEWSTAT"):
                raise self._error(tok.start_pos, f"unexpected token: {tok}")

    def _int(self, tok: Token, *, maximum: int | None = MAX_LIMIT) -> int:
        value = int(str(tok))
        if maximum is not None:
            value = min(value, maximum)
        return value

    def _span(self, tree: Tree[Token]) -> str:
        tokens = list(tree.scan_values(lambda v: isinstance(v, Token)))
        start = min(t.start_pos or 0 for t in tokens)
        end = max(t.end_pos or 0 for t in tokens)
        return self.text[start:end]

    def _error(self, pos: int | None, detail: str) -> SalesforceError:
        return soql_error(MalformedQuery, self.text, pos, detail, MALFORMED_SEARCH)


def _first_token(node: Tree[Token] | Token) -> Token:
    if isinstance(node, Token):
        return node
    return next(iter(node.scan_values(lambda v: isinstance(v, Token))))


def _unquote(value: str) -> str:
    return value[1:-1].replace("\\'", "'").replace("\\\\", "\\")


def _statement_error(text: str, exc: UnexpectedInput) -> SalesforceError:
    pos = _error_pos(text, exc)
    expected = getattr(exc, "allowed", None) or getattr(exc, "expected", None) or set()
    if "BRACED_TERM" in expected:
        rest = text[pos:].lstrip()
        if rest.startswith("{"):
            return soql_error(
                MalformedQuery,
                text,
                len(text),
                f"{_line_col(text, len(text))} mismatched character '<EOF>' expecting '}}'",
                MALFORMED_SEARCH,
            )
        return MalformedQuery("No search term found. The search term must be enclosed in braces.", MALFORMED_SEARCH)
    return soql_error(MalformedQuery, text, pos, f"unexpected token: {_shown(text, exc, pos)}", MALFORMED_SEARCH)


def _error_pos(text: str, exc: UnexpectedInput) -> int:
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        return exc.token.start_pos or 0
    if isinstance(exc, UnexpectedCharacters):
        return exc.pos_in_stream or 0
    return len(text.rstrip())


def _shown(text: str, exc: UnexpectedInput, pos: int) -> str:
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        return str(exc.token)
    if isinstance(exc, UnexpectedCharacters) and pos < len(text):
        return f"'{text[pos]}'"
    return "<EOF>"


def _line_col(text: str, pos: int) -> str:
    """ANTLR's ``line L:C`` position (column counted from 0), which Salesforce echoes for SOSL."""
    before = text[:pos]
    return f"line {before.count(chr(10)) + 1}:{pos - (before.rfind(chr(10)) + 1)}"


# -- search term --------------------------------------------------------------------------------


def _parse_term(text: str, term: str, base: int, closing: str) -> SearchExpr:
    """Parse ``term`` (found at offset ``base`` of ``text``) and check Salesforce's length rule."""
    if not term.strip():
        raise InvalidSearch(f"search term must be longer than one character: {term.strip()}")
    depth = _nesting(term)
    if depth > MAX_NESTING:
        raise soql_error(MalformedQuery, text, base, "search term has too many nested parentheses", MALFORMED_SEARCH)
    try:
        tree = _lark().parse(term, start="search_query")
    except UnexpectedInput as exc:
        raise _term_error(text, term, base, closing, exc) from None
    for tok in tree.scan_values(lambda v: isinstance(v, Token) and v.type == "WORD"):
        if str(tok).lower() in _OPERATOR_WORDS:
            # AND / OR stand for the operators; searching for the words takes quotes
            pos = base + (tok.start_pos or 0)
            raise soql_error(MalformedQuery, text, pos, f"unexpected token: {tok}", MALFORMED_SEARCH)
    expr = _expr(tree.children[0])
    terms = walk_terms(expr)
    if max(literal_length(t) for t in terms) < 2:
        raise InvalidSearch(f"search term must be longer than one character: {term.strip()}")
    return expr


def _term_error(text: str, term: str, base: int, closing: str, exc: UnexpectedInput) -> SalesforceError:
    if isinstance(exc, UnexpectedCharacters):
        return _mismatched(text, base + (exc.pos_in_stream or 0), closing)
    if isinstance(exc, UnexpectedToken) and exc.token.type not in _TERM_TOKENS:
        # the term's own lexer found nothing here; a wider terminal of the statement grammar did
        return _mismatched(text, base + (exc.token.start_pos or 0), closing)
    if isinstance(exc, UnexpectedToken) and exc.token.type != "$END":
        pos = base + (exc.token.start_pos or 0)
        return soql_error(MalformedQuery, text, pos, f"unexpected token: {exc.token}", MALFORMED_SEARCH)
    pos = base + len(term.rstrip())
    return soql_error(MalformedQuery, text, pos, "unexpected token: <EOF>", MALFORMED_SEARCH)


def _mismatched(text: str, pos: int, closing: str) -> SalesforceError:
    char = text[pos] if pos < len(text) else "<EOF>"
    detail = f"{_line_col(text, pos)} mismatched character '{char}' expecting '{closing}'"
    return soql_error(MalformedQuery, text, pos, detail, MALFORMED_SEARCH)


_TERM_TOKENS = frozenset({"WORD", "PHRASE", "LPAR", "RPAR", "_T_AND", "_T_OR", "_T_NOT", "$END"})
_OPERATOR_WORDS = frozenset({"and", "or"})


def _nesting(term: str) -> int:
    depth = deepest = 0
    escaped = quoted = False
    for ch in term:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif ch == '"':
            quoted = not quoted
        elif not quoted and ch == "(":
            depth += 1
            deepest = max(deepest, depth)
        elif not quoted and ch == ")":
            depth -= 1
    return deepest


def _expr(node: Tree[Token] | Token) -> SearchExpr:
    assert isinstance(node, Tree)
    if node.data == "term_or":
        items = [_expr(child) for child in node.children]
        return items[0] if len(items) == 1 else Or(tuple(items))
    if node.data == "term_and":
        members: list[SearchExpr | Not] = [_expr(node.children[0])]
        for tail in node.children[1:]:
            assert isinstance(tail, Tree)
            item = _expr(tail.children[0])
            members.append(Not(item) if tail.data == "and_not_item" else item)
        return members[0] if len(members) == 1 and not isinstance(members[0], Not) else And(tuple(members))
    if node.data in ("t_word", "t_phrase"):
        raw = str(node.children[0])
        phrase = node.data == "t_phrase"
        return Term(_parts(raw[1:-1] if phrase else raw), phrase=phrase)
    raise AssertionError(f"unexpected node {node.data}")


def _parts(raw: str) -> tuple[Part, ...]:
    """Resolve backslash escapes; unescaped ``*`` and ``?`` become wildcards."""
    parts: list[Part] = []
    literal: list[str] = []
    chars = iter(raw)
    for ch in chars:
        if ch == "\\":
            literal.append(next(chars, ""))
        elif ch in "*?":
            if literal:
                parts.append("".join(literal))
                literal = []
            parts.append(Wildcard(ch))
        else:
            literal.append(ch)
    if literal:
        parts.append("".join(literal))
    return tuple(parts)


def _without_operators(expr: SearchExpr) -> SearchExpr:
    """What Salesforce does with very long search terms: every word is ORed with the others."""
    terms = walk_terms(expr)
    return terms[0] if len(terms) == 1 else Or(tuple(terms))
