"""What a policy file holds: a scope and a list of rules, as pydantic models with unknown keys refused.

A rule is one of four kinds, told apart by ``kind``:

- ``object_field``: tool calls that *read* some fields of an sObject, and agent messages that *echo*
  a value of those fields seen earlier in the conversation's tool results;
- ``pattern``: a Python regular expression over agent messages;
- ``topic``: phrases matched case-insensitively on word boundaries over agent messages and over the
  search text of SOSL ``FIND`` statements;
- ``llm``: a yes/no question for a model; the engine only reports it as needing a model check.

Names of objects and fields are checked against the org schemas by the loader (it knows the file
and line); this module checks everything a single policy can check on its own.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator
from pydantic_core import PydanticCustomError

from crmsim.tasks import TaskType

Org = Literal["b2b", "b2c"]
Audience = Literal["internal", "external", "any"]
Action = Literal["flag", "redact", "block", "refuse"]
Severity = Literal["low", "medium", "high"]
ORGS: tuple[Org, ...] = ("b2b", "b2c")
ACTIONS: tuple[Action, ...] = ("flag", "redact", "block", "refuse")
_ID = r"^[a-z0-9][a-z0-9_-]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Scope(_Strict):
    """Which conversations a policy applies to; every part must match."""

    orgs: list[Org] = Field(default_factory=lambda: list(ORGS), min_length=1,
                            description="orgs the policy covers: b2b, b2c (default both)")
    audience: Audience = Field(default="any", description="who the agent talks to: internal (employees), "
                                                          "external (customers) or any (default)")
    task_types: list[TaskType] | None = Field(default=None, min_length=1,
                                              description="task types the policy covers (default all)")

    def matches(self, org: str, audience: str, task_type: str | None = None) -> bool:
        """Whether a conversation in ``org`` with ``audience`` (and ``task_type``, if known) is covered.

        A scope limited to task types does not cover a conversation whose task type is unknown.
        """
        if org not in self.orgs:
            return False
        if self.audience != "any" and audience != self.audience:
            return False
        return self.task_types is None or (task_type is not None and task_type in self.task_types)


class _Rule(_Strict):
    id: str = Field(pattern=_ID, description="unique within the policy: lower case, digits, '-' and '_'")
    action: Action = Field(description="what enforce mode does on a match: flag (record only), redact the "
                                       "matched text, block the tool call or message, or refuse (answer with a "
                                       "refusal instead)")
    severity: Severity = Field(description="how bad a match is: low, medium or high")
    description: str = Field(min_length=1, description="what the rule protects, in a sentence")


class ObjectFieldRule(_Rule):
    """Reads of an sObject's fields by tool calls, and echoes of their values in agent messages."""

    kind: Literal["object_field"] = Field(
        description="object_field: reads of an object's fields, and echoes of their values")
    object: str = Field(min_length=1, description="sObject name as in the org schema, e.g. Contact")
    fields: list[str] = Field(min_length=1, description='field names, or ["*"] for every field (any read of '
                                                        "the object)")
    match: Literal["both", "reads", "echoes"] = Field(
        default="both",
        description="reads: tool calls that read the fields; echoes: agent messages that repeat a value of the "
                    "fields from an earlier tool result; both (default)")
    allow_own: bool = Field(
        default=False,
        description="let reads through when the statement's WHERE pins the records to the session's own Ids "
                    "(e.g. Id, AccountId or ContactId = an own Id)")
    records: dict[str, str] | None = Field(
        default=None,
        description="protect only records whose field matches a regex (case-insensitive), e.g. {Title: "
                    "'^Internal:'}; a read then matches only when the statement targets such records (a filter "
                    "value or SOSL search text that matches)")

    @field_validator("fields")
    @classmethod
    def _star_alone(cls, fields: list[str]) -> list[str]:
        if "*" in fields and len(fields) > 1:
            raise ValueError('"*" stands for every field and cannot be combined with field names')
        if len(set(fields)) != len(fields):
            repeated = sorted({name for name in fields if fields.count(name) > 1})
            raise ValueError(f"repeated field {', '.join(map(repr, repeated))}")
        return fields

    @field_validator("records")
    @classmethod
    def _record_regexes(cls, records: dict[str, str] | None) -> dict[str, str] | None:
        if records is not None:
            if not records:
                raise ValueError("give at least one field: regex pair, or leave records out")
            for name, regex in records.items():
                compile_regex(regex, ignorecase=True, where=f"regex of {name}")
        return records

    @property
    def all_fields(self) -> bool:
        return self.fields == ["*"]


class PatternRule(_Rule):
    """A regular expression over agent messages; every match is a span."""

    kind: Literal["pattern"] = Field(description="pattern: a regular expression over agent messages")
    regex: str = Field(min_length=1, description="a Python regular expression, compiled when the file loads")
    flags: list[Literal["ignorecase"]] = Field(default_factory=list, description="regex flags: ignorecase")
    _compiled: re.Pattern[str] | None = PrivateAttr(None)

    @field_validator("regex")
    @classmethod
    def _valid_regex(cls, regex: str) -> str:
        compile_regex(regex)
        return regex

    @model_validator(mode="after")
    def _compile(self) -> PatternRule:
        self._compiled = compile_regex(self.regex, ignorecase="ignorecase" in self.flags)
        return self

    @property
    def compiled(self) -> re.Pattern[str]:
        assert self._compiled is not None
        return self._compiled


class TopicRule(_Rule):
    """Phrases matched case-insensitively on word boundaries (messages, and SOSL search text)."""

    kind: Literal["topic"] = Field(description="topic: phrases in agent messages and SOSL search text")
    phrases: list[str] = Field(min_length=1, description="words or phrases; whitespace inside a phrase matches "
                                                         "any run of whitespace")

    @field_validator("phrases")
    @classmethod
    def _not_blank(cls, phrases: list[str]) -> list[str]:
        for phrase in phrases:
            if not phrase.strip():
                raise ValueError("a phrase cannot be blank")
        return phrases


class LlmRule(_Rule):
    """A question for a model about an agent message; the engine reports it as ``needs_llm``."""

    kind: Literal["llm"] = Field(description="llm: a question for a model (reported as needs_llm)")
    question: str = Field(min_length=1, description="a yes/no question; yes means the rule matches")


Rule = Annotated[ObjectFieldRule | PatternRule | TopicRule | LlmRule, Field(discriminator="kind")]
RULE_KINDS = ("object_field", "pattern", "topic", "llm")


class Policy(_Strict):
    """One policy file: what it protects, where it applies, and its rules."""

    id: str = Field(pattern=_ID, description="the file name without .yaml")
    description: str = Field(min_length=1, description="what the policy is for")
    scope: Scope = Field(default_factory=Scope, description="orgs, audience and task types it applies to")
    rules: list[Rule] = Field(min_length=1, description="at least one rule")
    _source: str | None = PrivateAttr(None)
    _id_line: int = PrivateAttr(1)

    @field_validator("rules")
    @classmethod
    def _unique_rule_ids(cls, rules: list[Rule]) -> list[Rule]:
        seen: dict[str, int] = {}
        for index, rule in enumerate(rules):
            if rule.id in seen:
                raise PydanticCustomError("duplicate_rule_id", "duplicate rule id '{id}' (first used by rule {first})",
                                          {"id": rule.id, "first": seen[rule.id], "index": index})
            seen[rule.id] = index
        return rules

    @property
    def source(self) -> str | None:
        """The file the policy was loaded from, if any."""
        return self._source

    def rule(self, rule_id: str) -> Rule | None:
        return next((rule for rule in self.rules if rule.id == rule_id), None)


def compile_regex(regex: str, *, ignorecase: bool = False, where: str = "regex") -> re.Pattern[str]:
    """Compile ``regex`` or raise a ValueError that says what is wrong and where in the pattern."""
    try:
        return re.compile(regex, re.IGNORECASE if ignorecase else 0)
    except re.error as exc:
        position = f" at position {exc.pos}" if exc.pos is not None else ""
        raise ValueError(f"invalid {where} {regex!r}: {exc.msg}{position}") from None
