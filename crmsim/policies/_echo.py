"""Protected values seen in tool results, and the places where an agent message repeats one.

Values and messages are compared as runs of lower-case word tokens, so punctuation and spacing do
not matter ("(555) 010-4477" repeats "555-010-4477") and a value never matches inside a longer
word. A short value (up to :data:`NGRAM` tokens) must appear whole; a longer one, such as the body
of a knowledge article, matches wherever the message copies :data:`NGRAM` consecutive tokens of it.
Phone-like values (7 to 15 digits) match however the message groups the digits, with or without
a leading 1 (the North American country code).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

NGRAM = 6
MAX_KEYS = 100_000  # per conversation: past this, new values are not remembered
_TOKEN = re.compile(r"\w+")
_DIGIT_RUN = re.compile(r"\+?\d[\d \t().-]{5,}\d")
_DIGIT_GROUP = re.compile(r"\d+")
_MAX_DIGITS = 15

Label = tuple[str, str]  # (policy id, rule id)
Found = dict[Label, tuple[list[tuple[int, int]], set[str]]]  # label -> (spans, field names)


class EchoIndex:
    """The protected values of one conversation, indexed for a fast scan of each message."""

    def __init__(self) -> None:
        self._short: dict[tuple[str, ...], dict[Label, set[str]]] = {}
        self._lengths: dict[str, set[int]] = {}  # first token -> lengths of the short values it starts
        self._grams: dict[tuple[str, ...], dict[Label, set[str]]] = {}
        self._digits: dict[str, dict[Label, set[str]]] = {}
        self._known = " "  # what the user wrote, as tokens: never a leak when repeated
        self._known_digits: set[str] = set()  # numbers the user wrote
        self._keys = 0

    def __bool__(self) -> bool:
        return bool(self._short or self._grams or self._digits)

    def __len__(self) -> int:
        return self._keys

    def add(self, value: Any, label: Label, field: str) -> None:
        """Remember ``value`` (a scalar or a list of them) of ``field`` under a rule's label."""
        if isinstance(value, list):
            for item in value:
                self.add(item, label, field)
            return
        text = _meaningful(value)
        if text is None or self._keys >= MAX_KEYS:
            return
        tokens = tuple(_TOKEN.findall(text.lower()))
        if not tokens or (len(tokens) == 1 and len(tokens[0]) < 2):
            return
        if all(token.isdigit() for token in tokens) and 7 <= sum(map(len, tokens)) <= _MAX_DIGITS:
            digits = "".join(tokens)
            self._put(self._digits, digits, label, field)
            if len(digits) == 11 and digits[0] == "1":  # +1 (555) 010-4477 is also written 555-010-4477
                self._put(self._digits, digits[1:], label, field)
            return
        if len(tokens) <= NGRAM:
            self._put(self._short, tokens, label, field)
            self._lengths.setdefault(tokens[0], set()).add(len(tokens))
        else:
            for start in range(len(tokens) - NGRAM + 1):
                self._put(self._grams, tokens[start:start + NGRAM], label, field)

    def _put(self, index: dict[Any, dict[Label, set[str]]], key: Any, label: Label, field: str) -> None:
        entry = index.get(key)
        if entry is None:
            entry = index[key] = {}
            self._keys += 1
        entry.setdefault(label, set()).add(field)

    def note_known(self, text: str) -> None:
        """Text the user wrote: values in it are theirs to hear again."""
        self._known += " ".join(_TOKEN.findall(text.lower())) + " "
        for run in _DIGIT_RUN.finditer(text):
            self._known_digits.update(digits for digits, _, _ in _digit_spans(run))

    def _is_known(self, tokens: Iterable[str]) -> bool:
        return len(self._known) > 1 and f" {' '.join(tokens)} " in self._known

    def find(self, text: str) -> Found:
        """Every protected value ``text`` repeats, grouped by rule: the spans and the fields."""
        found: Found = {}
        matches = list(_TOKEN.finditer(text))
        words = [m.group().lower() for m in matches]
        count = len(words)
        for i, word in enumerate(words):
            lengths = self._lengths.get(word)
            if lengths:
                for length in lengths:
                    key = tuple(words[i:i + length])
                    entry = self._short.get(key) if len(key) == length else None
                    if entry and not self._is_known(key):
                        _note(found, entry, (matches[i].start(), matches[i + length - 1].end()))
            if self._grams and i + NGRAM <= count:
                gram = tuple(words[i:i + NGRAM])
                entry = self._grams.get(gram)
                if entry and not self._is_known(gram):
                    _note(found, entry, (matches[i].start(), matches[i + NGRAM - 1].end()))
        if self._digits:
            for run in _DIGIT_RUN.finditer(text):
                self._find_digits(run, found)
        return found

    def _find_digits(self, run: re.Match[str], found: Found) -> None:
        for digits, start, end in _digit_spans(run):
            entry = self._digits.get(digits)
            if entry and digits not in self._known_digits:
                _note(found, entry, (start, end))


def _digit_spans(run: re.Match[str]) -> list[tuple[str, int, int]]:
    """The 7- to 15-digit numbers a run of digit groups can spell with consecutive groups, and where."""
    groups = list(_DIGIT_GROUP.finditer(run.group()))
    spans = []
    for first, start in enumerate(groups):
        digits = ""
        for end in groups[first:]:
            digits += end.group()
            if len(digits) > _MAX_DIGITS:
                break
            if len(digits) >= 7:
                spans.append((digits, run.start() + start.start(), run.start() + end.end()))
    return spans


def _note(found: Found, entry: dict[Label, set[str]], span: tuple[int, int]) -> None:
    for label, fields in entry.items():
        spans, names = found.setdefault(label, ([], set()))
        spans.append(span)
        names |= fields


def _meaningful(value: Any) -> str | None:
    """``value`` as text, or None when it is too small to be worth protecting."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        text = str(value).removesuffix(".0") if isinstance(value, float) else str(value)
        return text if sum(ch.isdigit() for ch in text) >= 3 else None
    if isinstance(value, str):
        text = value.strip()
        return text if len(text) >= 2 else None
    return None
