"""The knowledge_qa sentence rule, shared by its generator and its reference solver.

An article's text is cut into sentences (lines, list markers dropped, split after ``.``/``?``/``!``
before a capital letter, headings ending with ``:`` left out); a sentence's match with a question is
the question's words (stemmed, stop words dropped, without the article title's words and without a
trailing "when ..." clause) shared with the sentence, divided by the square root of its length.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

STOP_WORDS = frozenset(
    "a an the and or of to in on for with by at from is are was were be been it its this that these those what "
    "which who whom how when where why do does did can could should would will may must i we you my our your "
    "me us about into than then there their them they he she his her not no any all each per as if so many much "
    "hi hello please tell".split()
)
_SPLIT = re.compile(r"(?<=[.?!])\s+(?=[A-Z])")


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "ly", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def words(text: str) -> frozenset[str]:
    """The stemmed content words of ``text`` (cached: solvers score the same sentences many times)."""
    return _words(text)


@lru_cache(maxsize=65_536)
def _words(text: str) -> frozenset[str]:
    return frozenset(_stem(w) for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in STOP_WORDS)


def sentences(text: str) -> list[str]:
    out: list[str] = []
    for line in text.splitlines():
        line = re.sub(r"^\s*(?:[-*•]|\d+[.)])\s+", "", line).strip()
        out.extend(piece.strip() for piece in _SPLIT.split(line) if piece.strip() and not piece.strip().endswith(":"))
    return out


def match_score(question: str, title: str, sentence: str) -> float:
    asked = words(re.split(r"\s+(?:when|if)\s+", question, maxsplit=1)[0]) - words(title)
    said = words(sentence)
    return len(asked & said) / math.sqrt(len(said)) if said else 0.0
