"""What a scorer returns (:class:`Score`) and what it may read besides the final response (steps)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict, Field

StepKind = Literal["user", "agent", "query", "observation"]


class Score(BaseModel):
    """The verdict on one conversation: a value in 0..1 and how it was reached."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str = Field(description="name of the scorer that produced this score")
    value: float = Field(ge=0.0, le=1.0)
    answer: list[str] = Field(default=[], description="the answer the scorer read from the response")
    expected: list[str] = Field(default=[], description="the task's answer, as the scorer compared it")
    explanation: str = ""
    task_id: str | None = None

    @property
    def correct(self) -> bool:
        """Full marks (an exact match, an F1 of 1, a refusal that was expected)."""
        return self.value >= 1.0


class Step(BaseModel):
    """One step of a conversation, as far as scoring cares.

    ``user``: a message from the (simulated) user. ``agent``: a message from the agent to the user.
    ``query``: a SOQL/SOSL statement the agent ran. ``observation``: what the tool returned.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: StepKind
    content: str


Trajectory: TypeAlias = Sequence[Step | str | Mapping[str, Any]]

_ROLE_KINDS: dict[str, StepKind] = {
    "user": "user",
    "agent": "agent", "assistant": "agent", "respond": "agent",
    "query": "query", "execute": "query",
    "observation": "observation", "tool": "observation",
}
_STATEMENT = re.compile(r"^\s*(?:```\w*\s*)?(?:select|find)\b", re.I)


def as_steps(trajectory: Trajectory | None) -> list[Step]:
    """Normalise a trajectory to :class:`Step` objects.

    Accepted items: a :class:`Step`; a mapping with ``kind``, ``role`` or ``name`` (the benchmark's
    ``{"name": "execute" | "respond", "content": ...}`` actions) and ``content``; or a plain string,
    which is an agent action as the benchmark records them: a query when it starts with SELECT or
    FIND, otherwise a message to the user.
    """
    steps: list[Step] = []
    for item in trajectory or ():
        if isinstance(item, Step):
            steps.append(item)
        elif isinstance(item, str):
            steps.append(Step(kind="query" if _STATEMENT.match(item) else "agent", content=item))
        elif isinstance(item, Mapping):
            role = item.get("kind") or item.get("role") or item.get("name")
            kind = _ROLE_KINDS.get(str(role).lower())
            if kind is None:
                raise ValueError(f"unknown trajectory step kind {role!r}; use one of {', '.join(_ROLE_KINDS)}")
            content = item.get("content")
            steps.append(Step(kind=kind, content=content if isinstance(content, str) else str(content or "")))
        else:
            raise TypeError(f"a trajectory step must be a Step, a mapping or a string, not {type(item).__name__}")
    return steps
