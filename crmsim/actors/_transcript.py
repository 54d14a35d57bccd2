"""A conversation as the judge sees it, rebuilt from envelopes: the same code reads a live run's
stream and a saved ``events.jsonl``, so a re-score matches the first score."""

from __future__ import annotations

from dataclasses import dataclass, field

from crmsim.bus import (
    AgentMessage,
    ConversationEnded,
    ConversationStarted,
    Envelope,
    PolicyVerdict,
    ToolCall,
    ToolResult,
    UserMessage,
)
from crmsim.judge import Step

TRANSCRIPT_KINDS = frozenset({"conversation_started", "user_message", "agent_message", "tool_call", "tool_result",
                              "policy_verdict", "conversation_ended"})


@dataclass
class Transcript:
    conversation_id: str
    started: ConversationStarted | None = None
    steps: list[Step] = field(default_factory=list)
    verdicts: list[PolicyVerdict] = field(default_factory=list)
    ended: ConversationEnded | None = None

    def add(self, envelope: Envelope) -> None:
        payload = envelope.payload
        if isinstance(payload, UserMessage):
            if not payload.stop:
                self.steps.append(Step(kind="user", content=payload.content))
        elif isinstance(payload, AgentMessage):
            self.steps.append(Step(kind="agent", content=payload.content))
        elif isinstance(payload, ToolCall):
            self.steps.append(Step(kind="query", content=payload.statement))
        elif isinstance(payload, ToolResult):
            self.steps.append(Step(kind="observation", content=payload.observation))
        elif isinstance(payload, PolicyVerdict):
            self.verdicts.append(payload)
        elif isinstance(payload, ConversationStarted):
            self.started = payload
        elif isinstance(payload, ConversationEnded):
            self.ended = payload
