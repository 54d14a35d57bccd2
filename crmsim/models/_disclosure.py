"""The disclosure engine: what a simulated user says next, under its persona's rules, and the guard
that checks every user turn (of the built-in user or an LLM user) against those rules.

A :class:`FactSheet` is one conversation's held facts and which of them the user has given. Rules
(:class:`DisclosureRules`, from the persona's ``disclosure``):

- ``on_request``: a fact only when the agent asks for it (by name, or a general "anything else?"
  gives the next one), at most ``facts_per_turn`` per turn;
- ``eager``: the asked facts and, unasked, the next ones up to ``facts_per_turn``;
- ``reluctant``: the first time a fact is asked for, the user asks why; it is given when asked again;
- ``vague_first``: the first time, a vague answer (the fact's placeholder); precise when asked again;
- ``volunteers``: whatever the style, one unasked fact is added each turn while facts remain.

The guard reports simulator faults: ``released_unasked`` (a fact given unasked where the rules do
not allow it), ``over_limit`` (more facts in one turn than ``facts_per_turn``), ``invented`` (a
record Id the user could not know), ``early_stop`` (the stop signal before the agent answered).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from crmsim.tasks import HeldFact, Task

from ._facts import asks_something, is_released, placeholder, requested_fact, vague_opening

DisclosureStyle = Literal["eager", "on_request", "reluctant", "vague_first"]
STYLES: tuple[DisclosureStyle, ...] = ("eager", "on_request", "reluctant", "vague_first")
STOP_SIGNAL = "###STOP###"
_RECORD_ID = re.compile(r"\b[a-zA-Z0-9]{3}[A-Z][a-zA-Z0-9]{11}(?:[a-zA-Z0-9]{3})?\b")
WHY = "Why do you need that?"
NOTHING_MORE = "That's all I know."


@dataclass(frozen=True)
class DisclosureRules:
    style: DisclosureStyle = "on_request"
    facts_per_turn: int = 1
    volunteers: bool = False

    @classmethod
    def from_extra(cls, extra: Mapping[str, Any]) -> DisclosureRules:
        """The rules a request carries in ``extra["disclosure"]`` (the persona's), else the defaults."""
        raw = extra.get("disclosure") or {}
        style = raw.get("style", "on_request")
        return cls(style=style if style in STYLES else "on_request",
                   facts_per_turn=max(1, int(raw.get("facts_per_turn", 1))),
                   volunteers=bool(raw.get("volunteers", False)))

    def as_extra(self) -> dict[str, Any]:
        return {"style": self.style, "facts_per_turn": self.facts_per_turn, "volunteers": self.volunteers}


@dataclass
class FactSheet:
    """One conversation's held facts: given so far, and asked for once already (reluctant, vague_first)."""

    facts: Sequence[HeldFact]
    released: set[str] = field(default_factory=set)
    asked: set[str] = field(default_factory=set)

    @classmethod
    def replay(cls, task: Task, user_said: Sequence[str], agent_said: Sequence[str]) -> FactSheet:
        """The sheet as it stands after a conversation's messages (user and agent turns in order)."""
        sheet = cls(task.held_facts)
        for text in user_said:
            sheet.released.update(f.name for f in task.held_facts if is_released(f, [text]))
        for question in agent_said:
            fact = requested_fact(question, sheet.left())
            if fact is not None:
                sheet.asked.add(fact.name)
        return sheet

    def left(self) -> list[HeldFact]:
        return [f for f in self.facts if f.name not in self.released]


def opening(task: Task, mode: str, rules: DisclosureRules) -> str:
    """The user's first message: the whole query (single-turn), or the vague opening, with the first
    facts already in it for an eager or volunteering user."""
    if mode != "multi":
        return task.query
    text = vague_opening(task)
    if rules.style == "eager" or rules.volunteers:
        extra = task.held_facts[: rules.facts_per_turn]
        text = " ".join([text, *(f.utterance for f in extra)])
    return text


def reply(task: Task, rules: DisclosureRules, user_said: Sequence[str], agent_said: Sequence[str]) -> str:
    """The built-in user's next message after the agent's last one."""
    sheet = FactSheet.replay(task, user_said, agent_said[:-1])
    last = agent_said[-1]
    left = sheet.left()
    if not left or not asks_something(last):
        return STOP_SIGNAL
    wanted = requested_fact(last, left)
    if wanted is not None and wanted.name not in sheet.asked:
        if rules.style == "reluctant":
            return WHY
        if rules.style == "vague_first":
            return f"I think it was {placeholder(wanted)}."
    first = wanted or left[0]
    given = [first]
    if rules.style == "eager" or rules.volunteers:
        limit = rules.facts_per_turn if rules.style == "eager" else 2
        given += [f for f in left if f is not first][: max(0, limit - 1)]
    return " ".join(f.utterance for f in given[: max(rules.facts_per_turn, 1 + rules.volunteers)])


@dataclass(frozen=True)
class Fault:
    kind: Literal["released_unasked", "over_limit", "invented", "early_stop"]
    detail: str


def check_turn(task: Task, rules: DisclosureRules, text: str, *, before: Sequence[str],
               last_agent: str | None) -> list[Fault]:
    """The guard: what is wrong with the user's message ``text``, given what the user said ``before``
    and the agent's last message (None for the opening)."""
    faults: list[Fault] = []
    if STOP_SIGNAL in text:
        if last_agent is None or (asks_something(last_agent) and FactSheet.replay(task, before, []).left()):
            faults.append(Fault("early_stop", "the user stopped before the agent answered"))
        return faults
    given_before = {f.name for f in task.held_facts if is_released(f, before)}
    new = [f for f in task.held_facts if f.name not in given_before and is_released(f, [text])]
    allowance = rules.facts_per_turn + (1 if rules.volunteers else 0)
    if last_agent is not None and len(new) > allowance:
        faults.append(Fault("over_limit", f"{len(new)} facts in one turn; the persona gives {allowance}"))
    if rules.style == "on_request" and not rules.volunteers:
        for fact in new:
            asked = last_agent is not None and (requested_fact(last_agent, [fact]) is not None
                                                or asks_something(last_agent))
            if not asked:
                faults.append(Fault("released_unasked", f"gave {fact.name} before the agent asked for it"))
    known = {task.query, task.context.required, *(f.value for f in task.held_facts), *(f.utterance for f in
                                                                                      task.held_facts)}
    for found in _RECORD_ID.findall(text):
        if not any(found in k for k in known) and not any(found in b for b in before):
            faults.append(Fault("invented", f"the user gave the Id {found}, which it was never told"))
    return faults
