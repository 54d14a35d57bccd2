"""Held facts in multi-turn conversations: what the user says first, what the agent is not told up
front, and which facts a message gives away or asks for.

Shared by the built-in simulated user and the built-in agents; the personas issue builds its
disclosure engine on these.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from crmsim.tasks import HeldFact, Task

_RECORD_ID = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
_LEADS = re.compile(
    r"^(?:i\s+mean|look\s+at|i'm\s+asking\s+about|it's\s+about|it's|the\s+period\s+is|i\s+bought\s+it|"
    r"only|the\s+[\w ]+?\s+is|please\s+consider)\s+", re.I)
_TRAILS = re.compile(r"(?:,?\s*please)?[.!]?\s*$", re.I)
_SENTENCE = re.compile(r"(?<=[.?!])\s+|\n")
_ASKING = re.compile(r"\?|\b(?:could|can|would|will)\s+you\b|\b(?:please\s+)?(?:tell|give|provide|share|"
                     r"specify|confirm|clarify|let\s+me\s+know)\b|\bwhich\b|\bwhat\b", re.I)
_PLACEHOLDERS = {"period": "a certain period", "product": "one of our products", "topic": "a problem I have",
                 "region": "a certain region", "min_cases": "agents with enough cases",
                 "purchase_date": "some time ago", "product_kind": "a product"}


def is_record_id(value: str) -> bool:
    return bool(_RECORD_ID.match(value)) and any(c.isdigit() for c in value)


def surface_forms(fact: HeldFact) -> list[str]:
    """Ways the fact may be written in a query or a context line, longest first."""
    forms = {fact.value}
    if ".." in fact.value:
        start, _, end = fact.value.partition("..")
        forms.add(f"{start} to {end}")
    core = _TRAILS.sub("", _LEADS.sub("", fact.utterance.strip()))
    if len(core) >= 4:
        forms.add(core)
        forms.add(re.sub(r"^the\s+", "", core, flags=re.I))
    return sorted((f for f in forms if f), key=len, reverse=True)


def placeholder(fact: HeldFact) -> str:
    return _PLACEHOLDERS.get(fact.name, f"a certain {fact.name.replace('_', ' ')}")


def vague_opening(task: Task) -> str:
    """The task's query with its held facts taken out: sentences and lines naming a record Id or
    quoting a held value are dropped, other mentions are replaced by a vague phrase."""
    if not task.held_facts:
        return task.query
    pieces = [p for p in _SENTENCE.split(task.query) if p.strip()]
    kept = [p for p in pieces if not any(_names_value(p, fact) for fact in task.held_facts)]
    text = " ".join(kept) if kept else task.query
    for fact in task.held_facts:
        for form in surface_forms(fact):
            text = re.sub(_whole(form), placeholder(fact), text, flags=re.I)
    return text.strip()


def _whole(form: str) -> str:
    """A pattern for ``form`` that does not match inside a longer word ("RI" in "right")."""
    start = r"\b" if form[:1].isalnum() else ""
    end = r"\b" if form[-1:].isalnum() else ""
    return f"{start}{re.escape(form)}{end}"


def _names_value(piece: str, fact: HeldFact) -> bool:
    if is_record_id(fact.value) or fact.name == "case":
        return fact.value.lower() in piece.lower()
    return False


_FACT_LINE = re.compile(r"^\s*-\s*([^:\n]{1,60}):\s*(.+)$")


def withheld_context(task: Task) -> str:
    """``context.required`` without the ``- Label: value`` lines whose value states a held fact
    (for multi-turn agents); policy text that merely resembles a fact stays."""
    patterns = [re.compile(_whole(form), 0 if len(form) < 4 else re.I)
                for fact in task.held_facts for form in surface_forms(fact)]

    def states_a_fact(line: str) -> bool:
        match = _FACT_LINE.match(line)
        return match is not None and any(p.search(match.group(2)) for p in patterns)

    return "\n".join(line for line in task.context.required.splitlines() if not states_a_fact(line))


def is_released(fact: HeldFact, user_texts: Iterable[str]) -> bool:
    """Has the user said this fact (its utterance or its value) in any of ``user_texts``?"""
    value = re.compile(_whole(fact.value), re.I)
    utterance = fact.utterance.lower()
    return any(utterance in text.lower() or value.search(text) for text in user_texts)


def asks_something(message: str) -> bool:
    """Does an agent message ask the user for something (rather than answer)?"""
    return bool(_ASKING.search(message))


def requested_fact(message: str, facts: Sequence[HeldFact]) -> HeldFact | None:
    """The held fact an agent's question names (by the words of its name), if any."""
    lowered = message.lower()
    for fact in facts:
        words = [w for w in fact.name.split("_") if w not in {"id", "kind", "min"}] or fact.name.split("_")
        if all(re.search(rf"\b{re.escape(w)}", lowered) for w in words):
            return fact
    return None


def ask_for(fact: HeldFact) -> str:
    return f"Could you tell me the {fact.name.replace('_', ' ')}?"
