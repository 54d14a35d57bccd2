"""Search terms as FTS5 sees them: tokens, MATCH expressions, and the exact check behind wildcards.

FTS5 (tokenizer ``unicode61 remove_diacritics 2``) splits text into runs of letters and digits,
lower-cased and without accents. A search term is split the same way, so ``jane.doe@example.com``
becomes the phrase ``jane doe example com``. Each token is written into the MATCH expression as an
FTS5 string (``"..."``), never as bare syntax, and the whole expression is bound as a parameter.

Wildcards: a trailing ``*`` is an FTS5 prefix token (exact). A ``?`` anywhere, or a ``*`` inside a
token, has no FTS5 form. Such a token is expanded against the index's vocabulary (SQLite's GLOB
has the same ``*`` and ``?``), giving an OR of exact terms; when that would be too many terms,
the index is asked for the prefix before the wildcard (a superset) and the rows it returns are
checked token by token in Python (:func:`term_matches`). A wildcard at the start of a token is
ignored, as Salesforce does not allow leading wildcards.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from ._ast import And, Not, Or, Part, SearchExpr, Term, Wildcard

TokenPattern = tuple[Part, ...]  # folded literal runs and wildcards; never starts with a wildcard


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its accents, as the index does."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def is_token_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LN" or unicodedata.category(ch) == "Co"


def text_tokens(text: str) -> list[str]:
    """The tokens of a field value, folded."""
    tokens: list[str] = []
    current: list[str] = []
    for ch in fold(text):
        if is_token_char(ch):
            current.append(ch)
        elif current:
            tokens.append("".join(current))
            current = []
    if current:
        tokens.append("".join(current))
    return tokens


@lru_cache(maxsize=4096)
def term_tokens(term: Term) -> tuple[TokenPattern, ...]:
    """Split a term into token patterns (folded), dropping wildcards that start a token."""
    tokens: list[TokenPattern] = []
    current: list[Part] = []

    def flush() -> None:
        if current:
            tokens.append(tuple(current))
            current.clear()

    for part in term.parts:
        if isinstance(part, Wildcard):
            if current:
                current.append(part)
            continue
        for ch in fold(part):
            if is_token_char(ch):
                if current and isinstance(current[-1], str):
                    current[-1] += ch
                else:
                    current.append(ch)
            else:
                flush()
    flush()
    return tuple(tokens)


def literal_length(term: Term) -> int:
    """How many letters and digits the term has, wildcards and punctuation aside."""
    return sum(len(p) for token in term_tokens(term) for p in token if isinstance(p, str))


def _head(token: TokenPattern) -> str:
    """The literal text before the token's first wildcard."""
    head = token[0]
    assert isinstance(head, str)
    return head


def _exact_in_fts(token: TokenPattern) -> bool:
    """Whether FTS5 can match the token exactly: no wildcard, or only ``*`` at its end."""
    return all(p is Wildcard.ANY for p in token[1:])


def token_needs_check(token: TokenPattern) -> bool:
    return not _exact_in_fts(token)


def glob_pattern(token: TokenPattern) -> str:
    """The token as a SQLite GLOB pattern over index terms."""
    out = []
    for part in token:
        if isinstance(part, Wildcard):
            out.append(part.value)
        else:
            out.append("".join(f"[{ch}]" if ch in "*?[" else ch for ch in part))
    return "".join(out)


def token_prefix(token: TokenPattern) -> str:
    """The literal text every term matching the token starts with."""
    return _head(token)


def phrase_of(tokens: Iterable[TokenPattern]) -> Term:
    """A term that tokenizes back into ``tokens`` (literal tokens separated by spaces)."""
    parts: list[Part] = []
    for token in tokens:
        if parts:
            parts.append(" ")
        parts.extend(token)
    return Term(tuple(parts), phrase=True)


def needs_check(term: Term) -> bool:
    return not all(_exact_in_fts(t) for t in term_tokens(term))


def expr_needs_check(expr: SearchExpr | Not) -> bool:
    if isinstance(expr, Term):
        return needs_check(expr)
    if isinstance(expr, Not):
        return expr_needs_check(expr.item)
    return any(expr_needs_check(item) for item in expr.items)


def _fts_string(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def fts_term(term: Term) -> str | None:
    """The FTS5 phrase for ``term`` (a superset when :func:`needs_check`); None when it has no tokens."""
    tokens = term_tokens(term)
    if not tokens:
        return None
    pieces = []
    for token in tokens:
        piece = _fts_string(_head(token))
        if len(token) > 1:
            piece += " *"
        pieces.append(piece)
    return " + ".join(pieces)


def fts_query(expr: SearchExpr, *, positive_only: bool = False) -> str | None:
    """An FTS5 MATCH expression for ``expr``; None when nothing can match.

    With ``positive_only`` the negated members are left out, which gives a superset of the rows.
    """
    if isinstance(expr, Term):
        return fts_term(expr)
    if isinstance(expr, Or):
        alternatives = [q for q in (fts_query(item, positive_only=positive_only) for item in expr.items) if q]
        return "(" + " OR ".join(alternatives) + ")" if alternatives else None
    assert isinstance(expr, And)
    required: list[str] = []
    excluded: list[str] = []
    for item in expr.items:
        if isinstance(item, Not):
            if not positive_only:
                sub = fts_query(item.item)
                if sub:
                    excluded.append(sub)
            continue
        sub = fts_query(item, positive_only=positive_only)
        if sub is None:
            return None
        required.append(sub)
    if not required:
        return None
    query = "(" + " AND ".join(required) + ")"
    if excluded:
        query = f"({query} NOT ({' OR '.join(excluded)}))"
    return query


def in_columns(columns: Iterable[str], query: str) -> str:
    """Restrict an FTS5 expression to some columns (names come from the schema, not the user)."""
    return "{" + " ".join(columns) + "} : (" + query + ")"


@lru_cache(maxsize=4096)
def _token_regexes(term: Term) -> tuple[re.Pattern[str], ...]:
    out = []
    for token in term_tokens(term):
        pattern = "".join(".*" if p is Wildcard.ANY else "." if p is Wildcard.ONE else re.escape(p) for p in token)
        out.append(re.compile(pattern, re.DOTALL))
    return tuple(out)


def term_matches(term: Term, values: Iterable[str | None]) -> bool:
    """Whether ``term`` occurs, token for token, within one of ``values`` (wildcards honoured)."""
    regexes = _token_regexes(term)
    if not regexes:
        return False
    width = len(regexes)
    for value in values:
        if not value:
            continue
        tokens = text_tokens(value)
        for start in range(len(tokens) - width + 1):
            if all(rx.fullmatch(tokens[start + i]) for i, rx in enumerate(regexes)):
                return True
    return False
