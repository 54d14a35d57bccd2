"""The function-calling protocol: three tools (run SOQL, run SOSL, respond), and its translation
to and from the ReAct text protocol, so that one agent loop and the built-in models serve both."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ._base import ChatMessage, ToolCall
from ._react import CORRECTIVE_MESSAGE, OBSERVATION_PREFIX, Turn, format_turn, parse_turn

EXECUTE_SOQL, EXECUTE_SOSL, RESPOND = "execute_soql", "execute_sosl", "respond"
_ARGUMENT = {EXECUTE_SOQL: "query", EXECUTE_SOSL: "search", RESPOND: "content"}


def _tool(name: str, description: str, argument: str, about: str) -> dict[str, Any]:
    return {"type": "function", "function": {
        "name": name, "description": description,
        "parameters": {"type": "object", "properties": {argument: {"type": "string", "description": about}},
                       "required": [argument], "additionalProperties": False}}}


AGENT_TOOLS: list[dict[str, Any]] = [
    _tool(EXECUTE_SOQL, "Run one SOQL query on the org and see its records.", "query", "the SOQL statement"),
    _tool(EXECUTE_SOSL, "Run one SOSL search on the org and see the matching records.", "search",
          "the SOSL statement, starting with FIND"),
    _tool(RESPOND, "Send a message to the user: the answer, or a question about what you still need.",
          "content", "the message"),
]
TOOL_NAMES = tuple(_ARGUMENT)
RESPOND_DELIVERED = "Message delivered to the user."
EXTRA_CALL = "Only one tool call per turn is carried out; this one was not."


def turn_from_tool_call(call: ToolCall) -> Turn:
    """The agent action a tool call asks for; bad JSON, an unknown tool or a missing argument is malformed."""
    if call.name not in _ARGUMENT:
        return Turn("malformed", f"unknown tool {call.name!r}; use one of {', '.join(TOOL_NAMES)}")
    try:
        arguments = json.loads(call.arguments or "{}")
    except ValueError as exc:
        return Turn("malformed", f"the arguments of {call.name} are not valid JSON: {exc}")
    value = arguments.get(_ARGUMENT[call.name]) if isinstance(arguments, dict) else None
    if not isinstance(value, str) or not value.strip():
        return Turn("malformed", f"{call.name} needs a non-empty string argument {_ARGUMENT[call.name]!r}")
    return Turn("respond" if call.name == RESPOND else "execute", value.strip())


def tool_call_for(turn: Turn, call_id: str) -> ToolCall:
    """The tool call that carries out a parsed ReAct turn (execute: SOSL when it starts with FIND)."""
    if turn.action == "respond":
        name = RESPOND
    elif turn.action == "execute":
        name = EXECUTE_SOSL if turn.content.lstrip()[:4].upper() == "FIND" else EXECUTE_SOQL
    else:
        raise ValueError("a malformed turn has no tool call")
    return ToolCall(id=call_id, name=name, arguments=json.dumps({_ARGUMENT[name]: turn.content}))


def as_react(messages: Sequence[ChatMessage]) -> list[ChatMessage]:
    """A function-calling conversation rewritten in the ReAct text protocol (for text-only models):
    each tool call becomes the equivalent ``<execute>``/``<respond>`` turn and each tool result the
    observation message."""
    out: list[ChatMessage] = []
    for message in messages:
        calls = message.get("tool_calls")
        if message["role"] == "assistant" and calls:
            first = calls[0]["function"]
            turn = turn_from_tool_call(ToolCall(calls[0].get("id", ""), first.get("name", ""),
                                                first.get("arguments", "")))
            text = (format_turn(message["content"] or "", execute=turn.content) if turn.action == "execute"
                    else format_turn(message["content"] or "", respond=turn.content) if turn.action == "respond"
                    else message["content"] or "")
            out.append({"role": "assistant", "content": text})
        elif message["role"] == "tool":
            content = message["content"]
            if content in (RESPOND_DELIVERED, EXTRA_CALL):
                continue
            if content == CORRECTIVE_MESSAGE or content.startswith("Error:"):
                out.append({"role": "user", "content": CORRECTIVE_MESSAGE})
            else:
                out.append({"role": "user", "content": f"{OBSERVATION_PREFIX} {content}"})
        else:
            out.append({"role": message["role"], "content": message["content"] or ""})
    return out


def react_to_tool_call(text: str, call_id: str) -> tuple[str, ToolCall | None]:
    """A ReAct reply as (thought, tool call); a malformed reply gives its text and no call."""
    turn = parse_turn(text)
    if turn.action == "malformed":
        return text, None
    return turn.thought, tool_call_for(turn, call_id)
