"""Built-in deterministic agents, speaking the ReAct protocol with no network and no key.

``crmsim-reference`` plays the task's reference solver one statement per turn: each completion
replays the solver against the observations already in the conversation, and the first statement
without one becomes the next ``<execute>``; when the solver returns, its answer is the ``<respond>``.
In multi-turn it first asks for each held fact the user has not given yet. ``crmsim-naive`` answers
None at once. ``crmsim-eager`` solves business tasks like the reference but never refuses: asked for
confidential data, it looks the data up and hands it over.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from crmsim.errors import ModelError
from crmsim.tasks import Task, TaskType
from crmsim.tasks.solvers import Toolbox, ToolError, solver_for

from ._base import ChatMessage, Completion, CompletionRequest, Model, Usage
from ._facts import ask_for, is_released
from ._function_tools import as_react, react_to_tool_call
from ._react import CORRECTIVE_MESSAGE, OBSERVATION_PREFIX, format_turn, parse_turn
from ._tokens import count_prompt_tokens, count_tokens


@lru_cache(maxsize=4096)
def _parsed(observation: str) -> Any:
    return json.loads(observation)


class _ReplayToolbox(Toolbox):
    """The solver's toolbox over a replay; parsed observations are shared between replays."""

    async def records(self, statement: str) -> list[dict[str, Any]]:
        observation = await self.execute(statement)
        try:
            parsed = _parsed(observation)
        except ValueError:
            raise ToolError(statement, observation) from None
        if isinstance(parsed, dict) and "totalSize" in parsed:
            return [parsed]
        if not isinstance(parsed, list):
            raise ToolError(statement, observation)
        return parsed  # shared between replays: solvers read records, never change them


class _NeedStatement(Exception):
    def __init__(self, statement: str) -> None:
        self.statement = statement


class _Replay:
    """A solver's tool that answers from the observations already in the conversation."""

    def __init__(self, executed: Sequence[tuple[str, str]]) -> None:
        self.executed = executed
        self.position = 0

    async def execute(self, text: str) -> str:
        if self.position < len(self.executed):
            statement, observation = self.executed[self.position]
            if statement.strip() == text.strip():
                self.position += 1
                return observation
        raise _NeedStatement(text.strip())


def executed_statements(messages: Sequence[ChatMessage]) -> list[tuple[str, str]]:
    """(statement, observation) pairs of the agent's executes, in order."""
    pairs = []
    for turn, reply in zip(messages, messages[1:], strict=False):
        if turn["role"] != "assistant" or not reply["content"].startswith(OBSERVATION_PREFIX):
            continue
        parsed = parse_turn(turn["content"])
        if parsed.action == "execute":
            pairs.append((parsed.content, reply["content"][len(OBSERVATION_PREFIX):].strip()))
    return pairs


def user_texts(messages: Sequence[ChatMessage]) -> list[str]:
    """What the user said, without tool observations and corrective notes."""
    return [m["content"] for m in messages if m["role"] == "user"
            and not m["content"].startswith(OBSERVATION_PREFIX) and m["content"] != CORRECTIVE_MESSAGE]


def _completion(model: str, request: CompletionRequest, text: str) -> Completion:
    """The reply as ReAct text, or as a tool call when the request offered function tools."""
    usage = Usage(count_prompt_tokens(request.messages), count_tokens(text))
    if not request.tools:
        return Completion(text=text, model=model, usage=usage)
    step = sum(1 for m in request.messages if m["role"] == "assistant") + 1
    thought, call = react_to_tool_call(text, f"call_{step}")
    return Completion(text=thought, model=model, usage=usage, tool_calls=(call,) if call else ())


def _react_view(request: CompletionRequest) -> CompletionRequest:
    """The request as the ReAct protocol would have it (function-calling messages rewritten)."""
    if not any(m["role"] == "tool" or m.get("tool_calls") for m in request.messages):
        return request
    return dataclasses.replace(request, messages=as_react(request.messages))


class _TaskPlayer(Model):
    def _task(self, request: CompletionRequest) -> Task:
        if request.task is None:
            raise ModelError("needs the task (it plays a scripted part); it cannot answer a bare prompt",
                             model=self.name, role=request.role)
        return request.task

    async def _solve(self, request: CompletionRequest, task: Task) -> str:
        request = _react_view(request)
        if request.mode == "multi":
            said = user_texts(request.messages)
            for fact in task.held_facts:
                if not is_released(fact, said):
                    return format_turn(f"I need the {fact.name.replace('_', ' ')} before I can look this up.",
                                       respond=ask_for(fact))
        replay = _Replay(executed_statements(request.messages))
        try:
            answer = await solver_for(task.task_type)(task, _ReplayToolbox(replay))
        except _NeedStatement as need:
            return format_turn("Let me query the org for what I need next.", execute=need.statement)
        except ToolError as exc:
            raise ModelError(f"the reference solver could not read {exc.statement!r}: {exc.observation[:200]}",
                             model=self.name, role=request.role) from None
        return format_turn("I have everything I need to answer.", respond=answer)


class ReferenceAgent(_TaskPlayer):
    name = "crmsim-reference"

    async def complete(self, request: CompletionRequest) -> Completion:
        return _completion(self.name, request, await self._solve(request, self._task(request)))


class NaiveAgent(Model):
    name = "crmsim-naive"

    async def complete(self, request: CompletionRequest) -> Completion:
        return _completion(self.name, request, format_turn("I will answer right away.", respond="None"))


_QUOTED = re.compile(r"'([^']{4,})'|\"([^\"]{4,})\"")
_PERSON = re.compile(r"\b([A-Z][a-z]+(?:\s+[A-Z][a-z'-]+)+?)(?:'s\b|\b)")
_ABOUT = re.compile(r"\babout\s+(?:the\s+)?(.+?)(?:\.|\?|$)", re.I)
_SOSL_UNSAFE = re.compile(r"[^\w\s]")
_INTERNAL_FIGURES = "SELECT OwnerId, COUNT(Id) FROM Case GROUP BY OwnerId"


def _search_term(query: str) -> str:
    for pattern in (_QUOTED, _PERSON, _ABOUT):
        match = pattern.search(query)
        if match:
            term = next(g for g in match.groups() if g)
            return " ".join(_SOSL_UNSAFE.sub(" ", term).split()[:6])
    return " ".join(_SOSL_UNSAFE.sub(" ", query).split()[:4])


def leaking_statement(task: Task) -> str:
    """What an agent that never refuses runs to answer a confidentiality task."""
    if task.task_type is TaskType.INTERNAL_OPERATION_DATA:
        return _INTERNAL_FIGURES
    term = _search_term(task.query.removeprefix("Can you look up ").removeprefix("Show me "))
    if task.task_type is TaskType.PRIVATE_CUSTOMER_INFORMATION:
        return f"FIND {{{term}}} IN NAME FIELDS RETURNING Contact(Id, Name, Email, Phone), Account(Id, Name, Phone)"
    return f"FIND {{{term}}} IN ALL FIELDS RETURNING Knowledge__kav(Id, Title, Summary, FAQ_Answer__c)"


class EagerAgent(_TaskPlayer):
    name = "crmsim-eager"

    async def complete(self, request: CompletionRequest) -> Completion:
        task = self._task(request)
        if not task.expects_refusal:
            return _completion(self.name, request, await self._solve(request, task))
        executed = executed_statements(_react_view(request).messages)
        if not executed:
            text = format_turn("I'll look that up for the customer.", execute=leaking_statement(task))
        else:
            text = format_turn("Here is what the org has.", respond=f"Sure! Here is what I found: {executed[-1][1]}")
        return _completion(self.name, request, text)
