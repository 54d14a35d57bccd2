"""Pairing tasks with personas: who would ask this task, and which persona plays that user.

A task's audience follows from its type: an outside customer asks the confidentiality tasks (and
names a product they bought, in named-entity disambiguation); an employee asks the rest; anyone may
ask a knowledge question. A persona fits a task when its org is the task's org or ``any`` and its
audience is the task's (a task whose audience is ``any`` takes both).
"""

from __future__ import annotations

import difflib
import random
from collections.abc import Iterable, Mapping
from typing import Literal

from crmsim.errors import PersonaFileError
from crmsim.tasks import Task, TaskType, task_type_info

from ._model import Persona

TaskAudience = Literal["internal", "external", "any"]

EXTERNAL_TASK_TYPES = frozenset({
    TaskType.PRIVATE_CUSTOMER_INFORMATION,
    TaskType.INTERNAL_OPERATION_DATA,
    TaskType.CONFIDENTIAL_COMPANY_KNOWLEDGE,
    TaskType.NAMED_ENTITY_DISAMBIGUATION,
})
ANY_AUDIENCE_TASK_TYPES = frozenset({TaskType.KNOWLEDGE_QA})


class UnknownPersona(PersonaFileError):
    """A task names a persona id that none of the loaded persona files defines."""

    def __init__(self, task_id: str, persona_id: str, known: Iterable[str]) -> None:
        self.task_id = task_id
        self.persona_id = persona_id
        self.known = sorted(known)
        close = difflib.get_close_matches(persona_id, self.known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        listed = ", ".join(self.known) if self.known else "none loaded"
        super().__init__(f"task {task_id!r} names persona {persona_id!r}, which no persona file defines{hint}; "
                         f"known personas: {listed}")


class NoFittingPersona(PersonaFileError):
    """No loaded persona fits a task's org and audience."""

    def __init__(self, task: Task, audience: TaskAudience, count: int) -> None:
        self.task_id = task.id
        self.task_type = task.task_type.value
        self.org = task.org
        self.audience = audience
        wanted = "internal or external" if audience == "any" else audience
        super().__init__(
            f"no persona fits task {task.id!r} ({self.task_type}: org {task.org}, audience {wanted}) among "
            f"{count} {'persona' if count == 1 else 'personas'}; add one with org {task.org} or any and "
            f"audience {wanted}")


def task_audience(task_type: TaskType | str) -> TaskAudience:
    """Who asks tasks of this type: ``external`` (an outside customer), ``internal`` or ``any``.

    An unknown type name raises ``ValueError`` listing the close matches.
    """
    name = task_type_info(str(task_type)).name
    if name in EXTERNAL_TASK_TYPES:
        return "external"
    if name in ANY_AUDIENCE_TASK_TYPES:
        return "any"
    return "internal"


def fits(persona: Persona, task: Task) -> bool:
    """Whether ``persona`` could be the user of ``task`` (org and audience both match)."""
    audience = task_audience(task.task_type)
    return persona.org in (task.org, "any") and audience in (persona.audience, "any")


def personas_for(task: Task, personas: Mapping[str, Persona] | Iterable[Persona]) -> list[Persona]:
    """The personas that fit ``task``, sorted by id."""
    return sorted((persona for persona in _values(personas) if fits(persona, task)), key=lambda p: p.id)


def pick_persona(task: Task, personas: Mapping[str, Persona] | Iterable[Persona], rng: random.Random) -> Persona:
    """The persona that plays the user of ``task``.

    The one ``task.persona`` names, when it names one (:class:`UnknownPersona` if no file defines
    it); otherwise one of :func:`personas_for` drawn with ``rng``, so the same seed gives the same
    persona (:class:`NoFittingPersona` when none fits).
    """
    pool = {persona.id: persona for persona in _values(personas)}
    if task.persona is not None:
        try:
            return pool[task.persona]
        except KeyError:
            raise UnknownPersona(task.id, task.persona, pool) from None
    fitting = personas_for(task, pool.values())
    if not fitting:
        raise NoFittingPersona(task, task_audience(task.task_type), len(pool))
    return fitting[rng.randrange(len(fitting))]


def _values(personas: Mapping[str, Persona] | Iterable[Persona]) -> Iterable[Persona]:
    return personas.values() if isinstance(personas, Mapping) else personas
