"""Shared pieces of the service-side solvers: reading the task's facts, dates and words.

Everything here works on the task's text and on observations returned by the tool; nothing reads
the database.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from .._model import Task
from . import required_facts

NUMBER_WORDS = {
    word: n
    for n, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
} | {"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1}
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*(?:to|\.\.|-|–)\s*(\d{4}-\d{2}-\d{2})")
_ID = re.compile(r"\b([a-zA-Z0-9]{3}[a-zA-Z0-9]{12}(?:[a-zA-Z0-9]{3})?)\b")
STOPWORDS = frozenset(
    "a an the and or of to in on for with by at from is are was were be been it its this that these those what "
    "which who whom how when where why do does did can could should would will may must i we you my our your "
    "me us about into than then there their them they he she his her not no any all each per as if so".split()
)


def fact(task: Task, *labels: str) -> str:
    """The value of the first ``- Label: value`` line of the required context with one of ``labels``."""
    facts = required_facts(task)
    for label in labels:
        if label in facts:
            return facts[label]
    for label in labels:  # a label that starts the line, e.g. "case id to be considered is"
        for key, value in facts.items():
            if key.startswith(label):
                return value
    raise LookupError(f"task {task.id}: no '{labels[0]}' line in the required context")


def record_id(text: str) -> str:
    match = _ID.search(text)
    if match is None:
        raise LookupError(f"no record Id in {text!r}")
    return match.group(1)


def today(task: Task) -> date:
    return date.fromisoformat(fact(task, "today's date")[:10])


def period(task: Task) -> tuple[date, date]:
    """The task's ``- Time period: start to end`` (inclusive dates)."""
    match = _RANGE.search(fact(task, "time period"))
    if match is None:
        raise LookupError(f"task {task.id}: unreadable time period")
    return date.fromisoformat(match.group(1)), date.fromisoformat(match.group(2))


def created_between(start: date, end: date, field: str = "CreatedDate") -> str:
    """A SOQL condition for ``field`` on or after ``start`` and on or before ``end`` (whole days, UTC)."""
    return f"{field} >= {start.isoformat()}T00:00:00Z AND {field} <= {end.isoformat()}T23:59:59Z"


def parse_datetime(value: str) -> datetime:
    """A Salesforce datetime as rendered by the API (``2024-03-01T08:47:47.000+0000``)."""
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")


def days_between(start: str, end: str) -> float:
    return (parse_datetime(end) - parse_datetime(start)).total_seconds() / 86400


def number(word: str) -> int:
    """``4``, ``four``, ``twenty-one`` or ``twenty one`` as an int."""
    word = word.strip().lower()
    if word.isdigit():
        return int(word)
    total = 0
    for part in re.split(r"[-\s]+", word):
        if part not in NUMBER_WORDS:
            raise ValueError(f"not a number: {word!r}")
        total += NUMBER_WORDS[part]
    return total


def tokens(text: str) -> list[str]:
    """Lower-case content words of ``text``, crudely stemmed (plural s, -ing, -ed dropped)."""
    out = []
    for word in re.findall(r"[a-z0-9]+", text.lower()):
        if word in STOPWORDS:
            continue
        out.append(stem(word))
    return out


def stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def quote(value: str) -> str:
    """A SOQL string literal."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
