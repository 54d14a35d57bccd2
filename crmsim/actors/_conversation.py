"""One conversation's lifecycle: its agent and user actors in a task group, under a deadline.

The first actor to finish decides how the conversation ended (:class:`Termination`) and cancels the
other. Whatever happens (an answer, a cap, a model fault, a timeout, the run being cancelled), a
``conversation_ended`` envelope is sent, so every conversation that started is accounted for.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import StrEnum

import anyio
import structlog
from anyio.abc import ObjectReceiveStream

from crmsim.bus import Bus, ConversationEnded, ConversationStarted, Envelope, Mode, ModelCall, Payload, PolicyVerdict
from crmsim.models import Completion, CompletionRequest, DisclosureRules, Model, Role, Usage
from crmsim.tasks import Task

from ._monitor import MonitorSession, PolicyMonitor
from ._prompt import Strategy

log = structlog.get_logger("crmsim.conversation")


class Termination(StrEnum):
    USER_STOP = "user_stop"
    AGENT_ANSWER = "agent_answer"
    MAX_STEPS = "max_steps"
    MAX_USER_TURNS = "max_user_turns"
    TIMEOUT = "timeout"
    MODEL_ERROR = "model_error"
    TOOL_ERROR = "tool_error"
    POLICY_BLOCK = "policy_block"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class Limits:
    """Caps on one conversation; the step cap restarts after each agent message in multi-turn."""

    max_steps: int = 20
    max_user_turns: int = 10
    timeout_s: float = 600.0


@dataclass(frozen=True)
class ConversationSpec:
    conversation_id: str
    task: Task
    mode: Mode
    persona: str
    epoch: int


class Spend:
    """Money spent on model calls so far in a run (shared by its conversations)."""

    def __init__(self) -> None:
        self.total = 0.0

    def add(self, cost: float) -> None:
        self.total += cost


@dataclass
class Ending:
    reason: Termination
    answer: str | None = None
    error: str | None = None


@dataclass
class Conversation:
    """Shared state of one conversation, what its actors use to talk and to end it."""

    spec: ConversationSpec
    bus: Bus
    run_id: str
    limits: Limits
    agent_model: Model
    user_model: Model
    schema_prompt: str
    tools_address: str
    strategy: Strategy = "react"
    confidentiality_prompt: bool = False
    disclosure: DisclosureRules = field(default_factory=DisclosureRules)
    persona_prompt: str | None = None
    policy_monitor: PolicyMonitor | None = None
    audience: str = "internal"
    guard: MonitorSession | None = None
    usage: dict[Role, Usage] = field(default_factory=dict)
    cost: float = 0.0
    steps: int = 0
    user_turns: int = 0
    last_agent_message: str | None = None
    ending: Ending | None = None
    spend: Spend | None = None
    _scope: anyio.CancelScope | None = None

    @property
    def id(self) -> str:
        return self.spec.conversation_id

    def address(self, actor: str) -> str:
        return f"{actor}/{self.id}"

    async def send(self, sender: str, recipient: str, payload: Payload) -> Envelope:
        envelope = Envelope(run_id=self.run_id, conversation_id=self.id, sender=sender, recipient=recipient,
                            payload=payload)
        # Shielded: a send cancelled while it waits on a full tap (backpressure) would leave the
        # envelope in the recipient's inbox but missing from the log and the judge's transcript.
        with anyio.CancelScope(shield=True):
            sent = await self.bus.send(envelope)
        return sent

    async def complete(self, role: Role, model: Model, request: CompletionRequest) -> Completion:
        started = time.perf_counter()
        completion = await model.complete(request)
        if self.spend is not None:
            self.spend.add(completion.cost)
        self.usage[role] = self.usage.get(role, Usage()) + completion.usage
        self.cost += completion.cost
        await self.send(role, "*", ModelCall(role=role, model=completion.model,
                                             prompt_tokens=completion.usage.prompt_tokens,
                                             completion_tokens=completion.usage.completion_tokens,
                                             cost=completion.cost, duration_s=time.perf_counter() - started,
                                             retries=completion.retries, cached=completion.cached))
        return completion

    async def _ask_monitor(self, prompt: str) -> str:
        monitor = self.policy_monitor
        assert monitor is not None and monitor.llm is not None
        request = CompletionRequest(messages=({"role": "user", "content": prompt},), role="judge",
                                    task=self.spec.task, conversation_id=self.id, extra={"judge": "policy"})
        return (await self.complete("judge", monitor.llm, request)).text

    async def _send_verdict(self, verdict: PolicyVerdict) -> None:
        await self.send("monitor", "*", verdict)

    def finish(self, reason: Termination, *, answer: str | None = None, error: str | None = None) -> None:
        """Record how the conversation ended (the first call wins) and stop both actors."""
        if self.ending is None:
            self.ending = Ending(reason, answer if answer is not None else self.last_agent_message, error)
        if self._scope is not None:
            self._scope.cancel()

    async def run(self) -> Ending:
        from ._agent import run_agent
        from ._user import run_user

        spec = self.spec
        started = time.perf_counter()
        if self.policy_monitor is not None:
            self.guard = self.policy_monitor.session(spec.task, self.audience, self._send_verdict, self._ask_monitor)
        agent_inbox = self.bus.open_inbox(self.address("agent"), max_buffer=2)
        user_inbox = self.bus.open_inbox(self.address("user"), max_buffer=2)
        try:
            await self.send("runner", "*", ConversationStarted(
                task_id=spec.task.id, task_type=spec.task.task_type.value, org=spec.task.org, mode=spec.mode,
                persona=spec.persona, epoch=spec.epoch, expects_refusal=spec.task.expects_refusal))
            with anyio.move_on_after(self.limits.timeout_s) as deadline:
                async with anyio.create_task_group() as tg:
                    self._scope = tg.cancel_scope
                    tg.start_soon(_guarded, self, "agent", run_agent, agent_inbox)
                    tg.start_soon(_guarded, self, "user", run_user, user_inbox)
            if self.ending is None:
                self.finish(Termination.TIMEOUT if deadline.cancelled_caught else Termination.CANCELLED,
                            error=f"no ending within {self.limits.timeout_s:g} s" if deadline.cancelled_caught
                            else None)
        except BaseException:
            if self.ending is None:
                self.ending = Ending(Termination.CANCELLED, self.last_agent_message)
            raise
        finally:
            self.bus.close_inbox(self.address("agent"))
            self.bus.close_inbox(self.address("user"))
            ending = self.ending or Ending(Termination.CANCELLED, self.last_agent_message)
            with anyio.CancelScope(shield=True):
                await agent_inbox.aclose()
                await user_inbox.aclose()
                await self.send("runner", "*", ConversationEnded(
                    reason=ending.reason.value, answer=ending.answer, steps=self.steps, user_turns=self.user_turns,
                    duration_s=round(time.perf_counter() - started, 6), error=ending.error))
            log.debug("conversation_ended", conversation_id=self.id, reason=ending.reason.value)
        return ending


ActorBody = Callable[[Conversation, ObjectReceiveStream[Envelope]], Awaitable[None]]


async def _guarded(conversation: Conversation, actor: str, body: ActorBody,
                   inbox: ObjectReceiveStream[Envelope]) -> None:
    """Run one actor; an exception ends only this conversation, with the reason recorded."""
    with structlog.contextvars.bound_contextvars(conversation_id=conversation.id, actor=actor):
        try:
            await body(conversation, inbox)
        except anyio.get_cancelled_exc_class():
            raise
        except Exception as exc:  # noqa: BLE001 - an actor fault must end its conversation, not the run
            from crmsim.errors import ModelError, SalesforceError

            reason = Termination.TOOL_ERROR if isinstance(exc, SalesforceError) else Termination.MODEL_ERROR
            detail = str(exc) if isinstance(exc, ModelError) else f"{actor} actor failed: {type(exc).__name__}: {exc}"
            log.warning("actor_failed", error=detail, reason=reason.value)
            conversation.finish(reason, error=detail)
