"""The simulated-user actor: opens the conversation, answers the agent, ends it.

Single-turn: the user sends the whole query and the conversation ends at the agent's first message
(``agent_answer``). Multi-turn: the user model opens vaguely and replies to each agent message
until it says the stop signal (``user_stop``) or runs out of turns (``max_user_turns``).
"""

from __future__ import annotations

from anyio.abc import ObjectReceiveStream

from crmsim.bus import AgentMessage, Envelope, UserMessage
from crmsim.errors import ModelError
from crmsim.models import STOP_SIGNAL, ChatMessage, CompletionRequest, is_released

from ._conversation import Conversation, Termination
from ._prompt import user_messages


async def run_user(conversation: Conversation, inbox: ObjectReceiveStream[Envelope]) -> None:
    spec = conversation.spec
    me, agent = conversation.address("user"), conversation.address("agent")
    messages: list[ChatMessage] = user_messages(spec.task, spec.mode)
    released: set[str] = set()

    async def say() -> str | None:
        request = CompletionRequest(messages=tuple(messages), role="user", task=spec.task, mode=spec.mode,
                                    conversation_id=conversation.id)
        try:
            completion = await conversation.complete("user", conversation.user_model, request)
        except ModelError as exc:
            conversation.finish(Termination.MODEL_ERROR, error=str(exc))
            return None
        return completion.text.strip()

    text = await say()
    while text is not None:
        if STOP_SIGNAL in text:
            await conversation.send(me, "*",
                                    UserMessage(content=text, turn=conversation.user_turns, stop=True))
            conversation.finish(Termination.USER_STOP)
            return
        if conversation.user_turns >= conversation.limits.max_user_turns:
            conversation.finish(Termination.MAX_USER_TURNS)
            return
        conversation.user_turns += 1
        new = [f.name for f in spec.task.held_facts if f.name not in released and is_released(f, [text])]
        released.update(new)
        messages.append({"role": "assistant", "content": text})
        await conversation.send(me, agent, UserMessage(content=text, turn=conversation.user_turns, released=new))
        reply = await inbox.receive()
        if not isinstance(reply.payload, AgentMessage):
            raise ModelError(f"expected an agent message, got {reply.kind}")
        if spec.mode == "single":
            conversation.finish(Termination.AGENT_ANSWER, answer=reply.payload.content)
            return
        messages.append({"role": "user", "content": reply.payload.content})
        text = await say()
