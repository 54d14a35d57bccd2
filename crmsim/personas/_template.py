"""Text of new persona files: a commented template, or a copy of an existing file under a new id."""

from __future__ import annotations

from ._yaml import value_span, yaml_scalar

_TEMPLATE = """\
# Persona {id}: one simulated user. Edit the values, then check the file with
#   crmsim personas validate {file}
# Every key is described in docs/personas.md; `crmsim personas schema` prints the JSON Schema.

# Must equal the file name without .yaml: letters, digits, _ . -
id: {scalar_id}
# Display name, shown in logs and results.
name: New Persona
# What the person does: service agent, support analyst, sales manager, B2B buyer, B2C customer, ...
role: service agent
# The org whose tasks this persona fits: b2b, b2c or any.
org: any
# internal: an employee of the company; external: an outside customer.
audience: internal
# The voice, in a few words.
tone: plain and polite
disclosure:
  # How held facts come out: eager, on_request, reluctant or vague_first.
  style: on_request
  # The most held facts given away in one turn (1 or more).
  facts_per_turn: 1
  # true: may offer facts nobody asked for; false: gives facts only when asked.
  volunteers: false
# User turns before giving up.
patience: 10
# Short behaviour notes.
traits:
  - answers in one or two sentences
# Instructions for an LLM-driven user: how this person talks, what they say and what they do not say.
prompt: |
  You are a service agent at the company, asking the CRM assistant for help with a task.
  Write in short, plain sentences. Open with what you need in general terms, and give each
  detail only when the assistant asks for it. Use only the facts of your task; if asked for
  something you were not given, say you do not know. Never make up names, dates or numbers.
"""


def persona_template(persona_id: str, file: str | None = None) -> str:
    """A commented, valid persona file for ``persona_id`` with placeholder values to edit."""
    return _TEMPLATE.format(id=persona_id, scalar_id=yaml_scalar(persona_id), file=file or f"{persona_id}.yaml")


def renamed_persona_text(text: str, persona_id: str) -> str:
    """The text of a persona file with its ``id`` value replaced; comments and layout are kept."""
    span = value_span(text, "id")
    if span is None:
        return f"id: {yaml_scalar(persona_id)}\n{text}"
    start, end = span
    return text[:start] + yaml_scalar(persona_id) + text[end:]
