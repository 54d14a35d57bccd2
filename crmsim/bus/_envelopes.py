"""Typed envelopes: everything actors say to each other, and what the run log records.

An :class:`Envelope` carries routing (run, conversation, sequence number, time, sender, recipient)
and one payload; the payload's ``kind`` literal tells the kinds apart, so a JSON line parses back to
the right class. ``seq`` and ``ts`` are stamped by the bus when the envelope is sent.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from crmsim.judge import Score

Mode = Literal["single", "multi"]


class _Payload(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ConversationStarted(_Payload):
    kind: Literal["conversation_started"] = "conversation_started"
    task_id: str
    task_type: str
    org: str
    mode: Mode
    persona: str
    epoch: int
    expects_refusal: bool = False


class UserMessage(_Payload):
    """What the (simulated) user says to the agent; ``stop`` when the user ends the conversation."""

    kind: Literal["user_message"] = "user_message"
    content: str
    turn: int
    released: list[str] = Field(default=[], description="held facts this message gives away")
    stop: bool = False


class AgentMessage(_Payload):
    """The agent's ``respond``: a message to the user (an answer or a question)."""

    kind: Literal["agent_message"] = "agent_message"
    content: str
    thought: str = ""
    step: int


class ToolCall(_Payload):
    """The agent's ``execute``: one SOQL or SOSL statement for the Salesforce tool actor."""

    kind: Literal["tool_call"] = "tool_call"
    statement: str
    thought: str = ""
    step: int


class ToolResult(_Payload):
    """The observation for a tool call; ``failed`` when the tool itself broke (not a query error)."""

    kind: Literal["tool_result"] = "tool_result"
    observation: str
    step: int
    failed: bool = False
    duration_s: float = 0.0


class MalformedTurn(_Payload):
    """A model turn that was neither one execute nor one respond; the agent is told so."""

    kind: Literal["malformed_turn"] = "malformed_turn"
    raw: str
    problem: str
    step: int


class ModelCall(_Payload):
    """One completion by a role's model, with what it cost."""

    kind: Literal["model_call"] = "model_call"
    role: Literal["agent", "user", "judge"]
    model: str
    prompt_tokens: int
    completion_tokens: int
    cost: float = 0.0
    duration_s: float
    retries: int = 0
    cached: bool = False


class PolicyVerdict(_Payload):
    """A policy monitor finding about one agent action: a tool call or a message, at agent ``step``.
    ``enforced`` when the monitor acted on it (enforce mode and an action stronger than flag)."""

    kind: Literal["policy_verdict"] = "policy_verdict"
    rule: str
    action: Literal["flag", "redact", "block", "refuse"]
    severity: Literal["low", "medium", "high"]
    detail: str
    target: Literal["tool_call", "agent_message", "user_message"] = "agent_message"
    step: int = 0
    enforced: bool = False
    about_seq: int = 0


class SimulatorFault(_Payload):
    """The disclosure guard's finding about a user turn: the simulator, not the agent, went wrong."""

    kind: Literal["simulator_fault"] = "simulator_fault"
    fault: Literal["released_unasked", "over_limit", "invented", "early_stop"]
    detail: str
    turn: int


class ConversationEnded(_Payload):
    kind: Literal["conversation_ended"] = "conversation_ended"
    reason: str
    answer: str | None
    steps: int
    user_turns: int
    duration_s: float
    error: str | None = None


class Scored(_Payload):
    """The judge's verdict on an ended conversation."""

    kind: Literal["scored"] = "scored"
    reward: float
    scores: list[Score]
    error: str | None = None


Payload: TypeAlias = Annotated[
    ConversationStarted | UserMessage | AgentMessage | ToolCall | ToolResult | MalformedTurn | ModelCall
    | PolicyVerdict | SimulatorFault | ConversationEnded | Scored,
    Field(discriminator="kind"),
]
KINDS: tuple[str, ...] = ("conversation_started", "user_message", "agent_message", "tool_call", "tool_result",
                          "malformed_turn", "model_call", "policy_verdict", "simulator_fault", "conversation_ended",
                          "scored")


class Envelope(BaseModel):
    """One message on the bus. ``seq`` is monotonic per conversation; ``ts`` is Unix time in seconds."""

    model_config = ConfigDict(extra="forbid")

    run_id: str
    conversation_id: str
    sender: str
    recipient: str
    payload: Payload
    seq: int = 0
    ts: float = 0.0

    @property
    def kind(self) -> str:
        return self.payload.kind

    def to_event(self) -> dict[str, Any]:
        """The run-log line: routing fields flat (``actor`` is the sender), the payload nested."""
        return {"run_id": self.run_id, "conversation_id": self.conversation_id, "seq": self.seq, "ts": self.ts,
                "actor": self.sender, "recipient": self.recipient, "kind": self.payload.kind,
                "payload": self.payload.model_dump(mode="json")}


_PAYLOAD: TypeAdapter[Any] = TypeAdapter(Payload)


def envelope_from_event(event: dict[str, Any]) -> Envelope:
    """Parse a run-log line (as written by :meth:`Envelope.to_event`) back into an envelope."""
    return Envelope(run_id=event["run_id"], conversation_id=event["conversation_id"], sender=event["actor"],
                    recipient=event["recipient"], payload=_PAYLOAD.validate_python(event["payload"]),
                    seq=event["seq"], ts=event["ts"])
