"""The agent actor: asks its model for one ReAct turn at a time and carries out the action.

``execute`` goes to the org's Salesforce tools actor and the observation comes back as the next
message; ``respond`` goes to the user; a malformed turn is answered with the corrective message.
Every model turn counts as a step; the cap restarts after each ``respond``.
"""

from __future__ import annotations

from anyio.abc import ObjectReceiveStream

from crmsim.bus import AgentMessage, Envelope, MalformedTurn, ToolCall, ToolResult, UserMessage
from crmsim.errors import ModelError
from crmsim.models import CORRECTIVE_MESSAGE, ChatMessage, CompletionRequest, observation_message, parse_turn

from ._conversation import Conversation, Termination
from ._prompt import agent_messages


async def run_agent(conversation: Conversation, inbox: ObjectReceiveStream[Envelope]) -> None:
    spec = conversation.spec
    me = conversation.address("agent")
    messages: list[ChatMessage] = agent_messages(conversation.schema_prompt, spec.task, spec.mode)
    async for envelope in inbox:
        if not isinstance(envelope.payload, UserMessage):
            raise ModelError(f"expected a user message, got {envelope.kind}")
        messages.append({"role": "user", "content": envelope.payload.content})
        steps = 0
        while True:
            if steps >= conversation.limits.max_steps:
                conversation.finish(Termination.MAX_STEPS)
                return
            steps += 1
            conversation.steps += 1
            step = conversation.steps
            request = CompletionRequest(messages=tuple(messages), role="agent", task=spec.task, mode=spec.mode,
                                        conversation_id=conversation.id)
            try:
                completion = await conversation.complete("agent", conversation.agent_model, request)
            except ModelError as exc:
                conversation.finish(Termination.MODEL_ERROR, error=str(exc))
                return
            messages.append({"role": "assistant", "content": completion.text})
            turn = parse_turn(completion.text)
            if turn.action == "execute":
                await conversation.send(me, conversation.tools_address,
                                        ToolCall(statement=turn.content, thought=turn.thought, step=step))
                reply = await inbox.receive()
                if not isinstance(reply.payload, ToolResult):
                    raise ModelError(f"expected a tool result, got {reply.kind}")
                if reply.payload.failed:
                    conversation.finish(Termination.TOOL_ERROR, error=reply.payload.observation)
                    return
                messages.append({"role": "user", "content": observation_message(reply.payload.observation)})
            elif turn.action == "respond":
                conversation.last_agent_message = turn.content
                await conversation.send(me, conversation.address("user"),
                                        AgentMessage(content=turn.content, thought=turn.thought, step=step))
                break
            else:
                await conversation.send(me, "*", MalformedTurn(raw=completion.text, problem=turn.content, step=step))
                messages.append({"role": "user", "content": CORRECTIVE_MESSAGE})
