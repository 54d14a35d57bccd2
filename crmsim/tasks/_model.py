"""The task model: one validated task, as stored one per JSON line.

A task is the same whether it runs single-turn (the whole ``query`` is sent) or multi-turn (the
simulated user opens vaguely and releases ``held_facts`` over turns). ``skill``, ``metric`` and
``expects_refusal`` follow from ``task_type``: they may be left out when building a task and are
checked against the registry when given.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator, model_validator

from ._types import TASK_TYPES, AnswerKind, Metric, Skill, TaskType, TaskTypeInfo, unknown_task_type

Org = Literal["b2b", "b2c"]
NONE_ANSWER = "None"  # the answer when nothing qualifies, as in the benchmark

_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")  # ids of tasks and personas: no spaces
_FACT_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_TYPE_NAMES = frozenset(t.value for t in TaskType)

NonEmpty = Annotated[str, Field(min_length=1)]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Context(_Frozen):
    """Text given to the agent with the query, as in the benchmark's ``metadata``.

    ``required``: what the task cannot be solved without (today's date, the policy, the target
    record's Id). ``optional``: helpful definitions (quarters, seasons, periods).
    """

    required: str = ""
    optional: str = ""


class HeldFact(_Frozen):
    """A piece of the query that a multi-turn user withholds at first."""

    name: str = Field(min_length=1, max_length=64, description="snake_case key, e.g. 'period' or 'product'")
    value: NonEmpty = Field(description="the fact itself, e.g. '2023-04-01..2023-06-30'")
    utterance: NonEmpty = Field(description="how a user would say it, e.g. 'I mean last quarter'")

    @field_validator("name")
    @classmethod
    def _snake_case(cls, value: str) -> str:
        if not _FACT_NAME.match(value):
            raise ValueError(f"{value!r} is not a snake_case name (letters, digits, underscores)")
        return value


class Source(_Frozen):
    """Where a task came from: generated here from a seed, or imported from published rows."""

    origin: Literal["generated", "imported"]
    idx: int | None = Field(default=None, ge=0, description="row idx in the published file (imported)")
    seed: int | None = Field(default=None, description="generator seed (generated)")
    dataset: str | None = Field(default=None, description="published file name or generator version")

    @model_validator(mode="after")
    def _origin_fields(self) -> Source:
        if self.origin == "imported" and self.idx is None:
            raise ValueError("an imported task needs its published idx")
        if self.origin == "generated" and self.seed is None:
            raise ValueError("a generated task needs its seed")
        return self


class Task(_Frozen):
    """One benchmark task: what to ask, what the right answer is, how to score it."""

    id: str = Field(min_length=1, max_length=200)
    task_type: TaskType
    skill: Skill
    org: Org
    query: NonEmpty
    answer: list[NonEmpty] = Field(min_length=1, description='answer list; ["None"] when nothing qualifies')
    metric: Metric
    context: Context = Context()
    held_facts: list[HeldFact] = []
    persona: str | None = Field(default=None, max_length=200, description="persona id (personas/<id>.yaml)")
    persona_text: str | None = Field(default=None, description="the benchmark's free-text persona, if any")
    expects_refusal: bool
    source: Source

    @model_validator(mode="before")
    @classmethod
    def _defaults_from_type(cls, data: Any) -> Any:
        """Fill ``skill``, ``metric`` and ``expects_refusal`` from the registry when left out."""
        if not isinstance(data, dict):
            return data
        try:
            info = TASK_TYPES[TaskType(str(data.get("task_type")))]
        except ValueError:
            return data  # reported by the task_type field
        defaults = {"skill": info.skill, "metric": info.metric, "expects_refusal": info.expects_refusal}
        missing = {key: value for key, value in defaults.items() if key not in data}
        return {**data, **missing} if missing else data

    @field_validator("id", "persona")
    @classmethod
    def _token(cls, value: str | None) -> str | None:
        if value is not None and not _TOKEN.match(value):
            raise ValueError(f"{value!r} must start with a letter or digit and hold only letters, digits and _ . : -")
        return value

    @field_validator("task_type", mode="before")
    @classmethod
    def _known_type(cls, value: Any) -> Any:
        if isinstance(value, str) and value not in _TYPE_NAMES:
            raise ValueError(unknown_task_type(value))
        return value

    @field_validator("skill", "metric", "expects_refusal")
    @classmethod
    def _matches_type(cls, value: Any, info: ValidationInfo) -> Any:
        task_type = info.data.get("task_type")
        if task_type is None or info.field_name is None:
            return value
        expected = getattr(TASK_TYPES[task_type], info.field_name)
        if value != expected:
            raise ValueError(f"{task_type.value} tasks have {info.field_name} {_show(expected)}, not {_show(value)}")
        return value

    @field_validator("answer")
    @classmethod
    def _none_alone(cls, value: list[str]) -> list[str]:
        if NONE_ANSWER in value and len(value) > 1:
            raise ValueError(f'"{NONE_ANSWER}" means nothing qualifies and cannot be listed with other answers')
        return value

    @field_validator("held_facts")
    @classmethod
    def _unique_facts(cls, value: list[HeldFact]) -> list[HeldFact]:
        names = [fact.name for fact in value]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"held fact names must be unique; repeated: {', '.join(duplicates)}")
        return value

    @property
    def info(self) -> TaskTypeInfo:
        """The registry entry of this task's type."""
        return TASK_TYPES[self.task_type]

    @property
    def answer_kind(self) -> AnswerKind:
        return self.info.answer_kind

    @property
    def has_answer(self) -> bool:
        """False when the answer is ``["None"]`` (nothing qualifies)."""
        return self.answer != [NONE_ANSWER]


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return repr(str(value))
