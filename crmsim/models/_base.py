"""The one interface every model implements: ``await model.complete(request) -> Completion``."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, NotRequired, TypedDict

if TYPE_CHECKING:
    from crmsim.tasks import Task

Role = Literal["agent", "user", "judge"]


class ChatMessage(TypedDict):
    """A chat message in the OpenAI shape; ``tool_calls`` on assistant messages and ``tool_call_id``
    on ``tool`` messages when the agent uses function calling."""

    role: Literal["system", "user", "assistant", "tool"]
    content: str
    tool_calls: NotRequired[list[dict[str, Any]]]
    tool_call_id: NotRequired[str]


@dataclass(frozen=True, slots=True)
class ToolCall:
    """A function call the model asked for; ``arguments`` is the JSON text as the model wrote it."""

    id: str
    name: str
    arguments: str

    def message_part(self) -> dict[str, Any]:
        return {"id": self.id, "type": "function", "function": {"name": self.name, "arguments": self.arguments}}


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(self.prompt_tokens + other.prompt_tokens, self.completion_tokens + other.completion_tokens)


@dataclass(frozen=True, slots=True)
class CompletionRequest:
    """What a model is asked: the messages, plus who asks and about which task.

    ``task`` and ``mode`` are for crmsim's own deterministic models, which play a part (the reference
    solver, the simulated user) rather than read the prompt; remote models ignore them.
    """

    messages: Sequence[ChatMessage]
    role: Role
    task: Task | None = None
    mode: Literal["single", "multi"] = "single"
    conversation_id: str = ""
    tools: Sequence[dict[str, Any]] | None = None
    """Function tools offered (OpenAI shape); None: a plain text completion."""
    extra: Mapping[str, Any] = field(default_factory=dict)
    """What a built-in model needs beyond the task (the judge: what to judge)."""


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    model: str
    usage: Usage = field(default_factory=Usage)
    cost: float = 0.0
    tool_calls: tuple[ToolCall, ...] = ()
    cached: bool = False
    retries: int = 0


class Model(abc.ABC):
    """A model for one role. Implementations must be safe to share between conversations."""

    name: str

    @abc.abstractmethod
    async def complete(self, request: CompletionRequest) -> Completion:
        """One completion; raise :class:`crmsim.errors.ModelError` when none can be produced."""
