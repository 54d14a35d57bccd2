"""Personas: simulated users authored as YAML files (``personas/<id>.yaml``) and paired with tasks.

A persona says who the user is (role, org, internal employee or external customer), how they talk
(tone, traits, a prompt for LLM-driven users), how they give away the task's held facts
(disclosure) and how long they stay (patience). See ``docs/personas.md``.
"""

from crmsim.errors import PersonaFileError

from ._load import (
    count_persona_files,
    default_personas_dir,
    dump_persona,
    load_persona,
    load_personas,
    persona_files,
    persona_json_schema,
    validate_personas,
)
from ._model import Audience, Disclosure, DisclosureStyle, Persona, PersonaOrg, is_persona_id
from ._pick import (
    NoFittingPersona,
    TaskAudience,
    UnknownPersona,
    fits,
    personas_for,
    pick_persona,
    task_audience,
)
from ._template import persona_template

__all__ = [
    "Audience",
    "Disclosure",
    "DisclosureStyle",
    "NoFittingPersona",
    "Persona",
    "PersonaFileError",
    "PersonaOrg",
    "TaskAudience",
    "UnknownPersona",
    "count_persona_files",
    "default_personas_dir",
    "dump_persona",
    "fits",
    "is_persona_id",
    "load_persona",
    "load_personas",
    "persona_files",
    "persona_json_schema",
    "persona_template",
    "pick_persona",
    "personas_for",
    "task_audience",
    "validate_personas",
]
