"""The message bus: typed envelopes between actors, bounded inboxes, read-only taps.

Actors use the :class:`Bus` interface; :class:`MemoryBus` is the in-process backend.
"""

from ._backend import Bus, BusStats
from ._envelopes import (
    KINDS,
    AgentMessage,
    ConversationEnded,
    ConversationStarted,
    Envelope,
    MalformedTurn,
    Mode,
    ModelCall,
    Payload,
    PolicyVerdict,
    Scored,
    SimulatorFault,
    ToolCall,
    ToolResult,
    UserMessage,
    envelope_from_event,
)
from ._memory import BROADCAST, MemoryBus

__all__ = [
    "BROADCAST",
    "KINDS",
    "AgentMessage",
    "Bus",
    "BusStats",
    "ConversationEnded",
    "ConversationStarted",
    "Envelope",
    "MalformedTurn",
    "MemoryBus",
    "Mode",
    "ModelCall",
    "Payload",
    "PolicyVerdict",
    "Scored",
    "SimulatorFault",
    "ToolCall",
    "ToolResult",
    "UserMessage",
    "envelope_from_event",
]
