"""The one interface every model implements: ``await model.complete(request) -> Completion``."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal, TypedDict

if TYPE_CHECKING:
    from crmsim.tasks import Task

Role = Literal["agent", "user", "judge"]


class ChatMessage(TypedDict):
    """A chat message in the OpenAI shape."""

    role: Literal["system", "user", "assistant"]
    content: str


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


@dataclass(frozen=True, slots=True)
class Completion:
    text: str
    model: str
    usage: Usage = field(default_factory=Usage)
    cost: float = 0.0


class Model(abc.ABC):
    """A model for one role. Implementations must be safe to share between conversations."""

    name: str

    @abc.abstractmethod
    async def complete(self, request: CompletionRequest) -> Completion:
        """One completion; raise :class:`crmsim.errors.ModelError` when none can be produced."""
