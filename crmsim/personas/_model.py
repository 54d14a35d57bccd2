"""The persona model: who a simulated user is, how they talk, and how they give away held facts.

A persona file (``personas/<id>.yaml``) holds exactly these fields; unknown keys are errors, so a
typo is caught, and values are taken as YAML typed them (``patience: "5"`` is text, not a number).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

PersonaOrg = Literal["b2b", "b2c", "any"]
Audience = Literal["internal", "external"]
DisclosureStyle = Literal["eager", "on_request", "reluctant", "vague_first"]

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"  # letters, digits, _ . - (no spaces: a file name and a CLI word)
_ID = re.compile(ID_PATTERN)


def _not_blank(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be blank")
    return value


Text = Annotated[str, Field(min_length=1), AfterValidator(_not_blank)]
ShortText = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_not_blank)]
Trait = Annotated[str, Field(min_length=1, max_length=80), AfterValidator(_not_blank)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Disclosure(_Strict):
    """How the user releases the task's held facts over the conversation."""

    style: DisclosureStyle = Field(
        description="on_request: a fact only when the agent asks for it; eager: the asked facts plus the next "
                    "ones unasked; reluctant: asks why the first time a fact is asked for, gives it when asked "
                    "again; vague_first: a vague answer the first time, the precise fact when asked again")
    facts_per_turn: int = Field(default=1, ge=1, description="most held facts given away in one user turn")
    volunteers: bool = Field(
        default=False,
        description="true: adds one unasked fact each turn while facts remain, whatever the style; false: "
                    "no unasked facts beyond what the style allows")


class Persona(_Strict):
    """One simulated user: identity, voice, disclosure policy, patience and the LLM prompt."""

    id: str = Field(max_length=64, pattern=ID_PATTERN,
                    description="letters, digits, _ . - ; must equal the file name without .yaml")
    name: ShortText = Field(description="display name, e.g. 'Maya Okafor'")
    role: ShortText = Field(description="what the person does, e.g. 'service manager' or 'B2C customer'")
    org: PersonaOrg = Field(description="the org whose tasks this persona fits: b2b, b2c or any")
    audience: Audience = Field(description="internal: an employee of the company; external: an outside customer")
    tone: ShortText = Field(description="voice in a few words, e.g. 'brisk, friendly, a little impatient'")
    disclosure: Disclosure = Field(description="how held facts are released: style, facts_per_turn, volunteers")
    patience: int = Field(default=10, ge=1, description="user turns before the user gives up and ends the chat")
    traits: list[Trait] = Field(default_factory=list, description="short behaviour notes, e.g. 'types in lowercase'")
    prompt: Text = Field(description="free-text instructions for an LLM-driven user: how this person talks, "
                                     "what they say and do not say")


def is_persona_id(text: str) -> bool:
    """Whether ``text`` is a valid persona id (and so a valid file name stem)."""
    return len(text) <= 64 and bool(_ID.match(text))
