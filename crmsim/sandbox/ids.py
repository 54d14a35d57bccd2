"""Salesforce record Ids: 3-character key prefix, 12 more characters, 3-character case-safe suffix."""

from __future__ import annotations

import itertools
import re
import threading

_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_ID_SHAPE = re.compile(r"^[a-zA-Z0-9]{15}(?:[A-Za-z0-5]{3})?$")
# Ids made here carry this pod/instance marker after the prefix, as real orgs carry theirs.
_INSTANCE = "Wt0"


def checksum(id15: str) -> str:
    """The 3 characters that make a 15-character Id case-insensitively unique."""
    out = []
    for chunk in (id15[0:5], id15[5:10], id15[10:15]):
        bits = sum(1 << i for i, ch in enumerate(chunk) if "A" <= ch <= "Z")
        out.append(_ALPHABET[bits])
    return "".join(out)


def to18(record_id: str) -> str:
    """Normalise a 15- or 18-character Id to 18 characters; raises ValueError if it is not one."""
    if not _ID_SHAPE.match(record_id):
        raise ValueError(f"not a Salesforce Id: {record_id!r}")
    if len(record_id) == 18:
        return record_id[:15] + checksum(record_id[:15])
    return record_id + checksum(record_id)


def is_id(value: str) -> bool:
    if not _ID_SHAPE.match(value):
        return False
    return len(value) == 15 or value[15:].upper() == checksum(value[:15])


def make_id(prefix: str, number: int) -> str:
    """The 18-character Id with key ``prefix`` and sequence ``number`` (deterministic)."""
    body = []
    n = number
    for _ in range(9):
        n, digit = divmod(n, 62)
        body.append(_BASE62[digit])
    id15 = prefix + _INSTANCE + "".join(reversed(body))
    return id15 + checksum(id15)


class IdAllocator:
    """Hands out fresh Ids per key prefix, continuing after the largest already in use."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: dict[str, itertools.count[int]] = {}

    def seed(self, prefix: str, used: int) -> None:
        with self._lock:
            self._counters[prefix] = itertools.count(used + 1)

    def next(self, prefix: str) -> str:
        with self._lock:
            counter = self._counters.setdefault(prefix, itertools.count(1))
            return make_id(prefix, next(counter))


def sequence_of(record_id: str) -> int:
    """Inverse of :func:`make_id` for Ids it produced (the last 9 body characters, base 62)."""
    n = 0
    for ch in record_id[6:15]:
        n = n * 62 + _BASE62.index(ch)
    return n
