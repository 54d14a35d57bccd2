"""The agent actor: asks its model for one turn at a time and carries out the action.

Two strategies share the loop. ``react``: the model writes ``<thought>`` plus one ``<execute>`` or
``<respond>``. ``tools``: the model calls one of three functions (execute_soql, execute_sosl,
respond); extra calls in the same turn are answered with an error result and not carried out.
``execute`` goes to the org's Salesforce tools actor and the observation comes back as the next
message; ``respond`` goes to the user; a malformed turn (missing tags, no tool call, bad arguments,
an unknown tool) is answered with a corrective message. Every model turn counts as a step; the cap
restarts after each ``respond``.
"""

from __future__ import annotations

from anyio.abc import ObjectReceiveStream

from crmsim.bus import AgentMessage, Envelope, MalformedTurn, ToolCall, ToolResult, UserMessage
from crmsim.errors import ModelError
from crmsim.models import (
    AGENT_TOOLS,
    CORRECTIVE_MESSAGE,
    EXTRA_CALL,
    RESPOND_DELIVERED,
    ChatMessage,
    Completion,
    CompletionRequest,
    Turn,
    observation_message,
    parse_turn,
    turn_from_tool_call,
)

from ._conversation import Conversation, Termination
from ._prompt import agent_messages

NO_TOOL_CALL = "no tool call: call exactly one of execute_soql, execute_sosl or respond"


def _read_turn(completion: Completion, tools: bool, messages: list[ChatMessage]) -> tuple[Turn, str | None]:
    """The turn the completion asks for, recorded in ``messages``; with tools, the id of the call
    whose result is still owed."""
    if not tools:
        messages.append({"role": "assistant", "content": completion.text})
        return parse_turn(completion.text), None
    calls = completion.tool_calls
    if not calls:
        messages.append({"role": "assistant", "content": completion.text})
        return Turn("malformed", NO_TOOL_CALL), None
    messages.append({"role": "assistant", "content": completion.text,
                     "tool_calls": [call.message_part() for call in calls]})
    for extra in calls[1:]:
        messages.append({"role": "tool", "tool_call_id": extra.id, "content": EXTRA_CALL})
    turn = turn_from_tool_call(calls[0])
    return Turn(turn.action, turn.content, completion.text.strip()), calls[0].id


def _answer(messages: list[ChatMessage], call_id: str | None, content: str) -> None:
    """The result of the pending tool call (tools), or a user message (react)."""
    if call_id is None:
        messages.append({"role": "user", "content": content})
    else:
        messages.append({"role": "tool", "tool_call_id": call_id, "content": content})


async def run_agent(conversation: Conversation, inbox: ObjectReceiveStream[Envelope]) -> None:
    spec = conversation.spec
    tools = conversation.strategy == "tools"
    me = conversation.address("agent")
    messages: list[ChatMessage] = agent_messages(conversation.schema_prompt, spec.task, spec.mode,
                                                 strategy=conversation.strategy,
                                                 confidentiality=conversation.confidentiality_prompt)
    async for envelope in inbox:
        if not isinstance(envelope.payload, UserMessage):
            raise ModelError(f"expected a user message, got {envelope.kind}")
        messages.append({"role": "user", "content": envelope.payload.content})
        if conversation.guard is not None:
            await conversation.guard.user_said(envelope.payload.content)
        steps = 0
        while True:
            if steps >= conversation.limits.max_steps:
                conversation.finish(Termination.MAX_STEPS)
                return
            steps += 1
            conversation.steps += 1
            step = conversation.steps
            request = CompletionRequest(messages=tuple(messages), role="agent", task=spec.task, mode=spec.mode,
                                        conversation_id=conversation.id, tools=AGENT_TOOLS if tools else None)
            try:
                completion = await conversation.complete("agent", conversation.agent_model, request)
            except ModelError as exc:
                conversation.finish(Termination.MODEL_ERROR, error=str(exc))
                return
            turn, call_id = _read_turn(completion, tools, messages)
            guard = conversation.guard
            if turn.action == "execute":
                denied = await guard.tool_call(turn.content, step) if guard is not None else None
                call = ToolCall(statement=turn.content, thought=turn.thought, step=step)
                if denied is not None:
                    await conversation.send(me, "*", call)
                    await conversation.send("monitor", "*", ToolResult(observation=denied, step=step))
                    observation = denied
                else:
                    await conversation.send(me, conversation.tools_address, call)
                    reply = await inbox.receive()
                    if not isinstance(reply.payload, ToolResult):
                        raise ModelError(f"expected a tool result, got {reply.kind}")
                    if reply.payload.failed:
                        conversation.finish(Termination.TOOL_ERROR, error=reply.payload.observation)
                        return
                    observation = reply.payload.observation
                    if guard is not None:
                        guard.observed(turn.content, observation)
                _answer(messages, call_id, observation if tools else observation_message(observation))
            elif turn.action == "respond":
                content = turn.content
                if guard is not None:
                    decided = await guard.message(content, step)
                    if decided.end:
                        conversation.finish(Termination.POLICY_BLOCK, error="the policy monitor blocked a message")
                        return
                    content = decided.text
                conversation.last_agent_message = content
                await conversation.send(me, conversation.address("user"),
                                        AgentMessage(content=content, thought=turn.thought, step=step))
                if call_id is not None:
                    _answer(messages, call_id, RESPOND_DELIVERED)
                break
            else:
                raw = completion.text if not completion.tool_calls else str(
                    [(c.name, c.arguments) for c in completion.tool_calls])
                await conversation.send(me, "*", MalformedTurn(raw=raw, problem=turn.content, step=step))
                _answer(messages, call_id, f"Error: {turn.content}. {CORRECTIVE_MESSAGE}" if call_id
                        else CORRECTIVE_MESSAGE if not tools else f"{NO_TOOL_CALL}.")
