"""The simulated-user actor: opens the conversation, answers the agent, ends it.

Single-turn: the user sends the whole query and the conversation ends at the agent's first message
(``agent_answer``). Multi-turn: the user model opens vaguely and replies to each agent message under
the persona's disclosure rules until it says the stop signal (``user_stop``) or runs out of turns
(``max_user_turns``, the persona's patience when that is shorter). Every user turn passes the
disclosure guard; its findings are ``simulator_fault`` events.
"""

from __future__ import annotations

import structlog
from anyio.abc import ObjectReceiveStream

from crmsim.bus import AgentMessage, Envelope, SimulatorFault, UserMessage
from crmsim.errors import ModelError
from crmsim.models import STOP_SIGNAL, ChatMessage, CompletionRequest, check_turn, is_released

from ._conversation import Conversation, Termination
from ._prompt import user_messages

log = structlog.get_logger("crmsim.user")


async def run_user(conversation: Conversation, inbox: ObjectReceiveStream[Envelope]) -> None:
    spec = conversation.spec
    me, agent = conversation.address("user"), conversation.address("agent")
    messages: list[ChatMessage] = user_messages(spec.task, spec.mode, persona_prompt=conversation.persona_prompt,
                                                disclosure=conversation.disclosure)
    extra = {"disclosure": conversation.disclosure.as_extra()}
    said: list[str] = []
    last_agent: str | None = None
    released: set[str] = set()

    async def say() -> str | None:
        if released and spec.mode == "multi":  # the LLM user sees only the details it has not given
            messages[0] = user_messages(spec.task, spec.mode, persona_prompt=conversation.persona_prompt,
                                        disclosure=conversation.disclosure, released=released)[0]
        request = CompletionRequest(messages=tuple(messages), role="user", task=spec.task, mode=spec.mode,
                                    conversation_id=conversation.id, extra=extra)
        try:
            completion = await conversation.complete("user", conversation.user_model, request)
        except ModelError as exc:
            conversation.finish(Termination.MODEL_ERROR, error=str(exc))
            return None
        text = completion.text.strip()
        if spec.mode == "multi":
            for fault in check_turn(spec.task, conversation.disclosure, text, before=said, last_agent=last_agent):
                log.warning("simulator_fault", fault=fault.kind, detail=fault.detail)
                await conversation.send(me, "*", SimulatorFault(fault=fault.kind, detail=fault.detail,
                                                                turn=conversation.user_turns + 1))
        return text

    text = await say()
    while text is not None:
        if STOP_SIGNAL in text:
            await conversation.send(me, "*", UserMessage(content=text, turn=conversation.user_turns, stop=True))
            conversation.finish(Termination.USER_STOP)
            return
        if conversation.user_turns >= conversation.limits.max_user_turns:
            conversation.finish(Termination.MAX_USER_TURNS)
            return
        conversation.user_turns += 1
        new = [f.name for f in spec.task.held_facts if f.name not in released and is_released(f, [text])]
        released.update(new)
        said.append(text)
        messages.append({"role": "assistant", "content": text})
        await conversation.send(me, agent, UserMessage(content=text, turn=conversation.user_turns, released=new))
        reply = await inbox.receive()
        if not isinstance(reply.payload, AgentMessage):
            raise ModelError(f"expected an agent message, got {reply.kind}")
        if spec.mode == "single":
            conversation.finish(Termination.AGENT_ANSWER, answer=reply.payload.content)
            return
        last_agent = reply.payload.content
        messages.append({"role": "user", "content": reply.payload.content})
        text = await say()
