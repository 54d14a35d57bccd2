"""Pairing tasks with personas: audience by task type, fitting by org and audience, seeded picks."""

from __future__ import annotations

import random
from typing import Any

import pytest

from crmsim.errors import PersonaFileError
from crmsim.personas import (
    NoFittingPersona,
    Persona,
    UnknownPersona,
    personas_for,
    pick_persona,
    task_audience,
)
from crmsim.tasks import Task, TaskType

EXTERNAL = {"private_customer_information", "internal_operation_data", "confidential_company_knowledge",
            "named_entity_disambiguation"}


def persona(persona_id: str, org: str, audience: str) -> Persona:
    return Persona(id=persona_id, name=persona_id.title(), role="someone", org=org, audience=audience, tone="plain",
                   disclosure={"style": "on_request"}, prompt="You ask.")


def task(task_type: str, org: str = "b2b", **extra: Any) -> Task:
    return Task(id=f"{org}-{task_type}-1", task_type=task_type, org=org, query="q", answer=["x"],
                source={"origin": "generated", "seed": 1}, **extra)


POOL = {p.id: p for p in (
    persona("agent-any", "any", "internal"),
    persona("rep-b2b", "b2b", "internal"),
    persona("clerk-b2c", "b2c", "internal"),
    persona("buyer-b2b", "b2b", "external"),
    persona("shopper-b2c", "b2c", "external"),
    persona("visitor-any", "any", "external"),
)}


@pytest.mark.parametrize("task_type", list(TaskType))
def test_task_audience(task_type: TaskType) -> None:
    expected = ("external" if task_type.value in EXTERNAL else "any" if task_type is TaskType.KNOWLEDGE_QA
                else "internal")
    assert task_audience(task_type) == expected
    assert task_audience(task_type.value) == expected


def test_task_audience_of_an_unknown_type() -> None:
    with pytest.raises(ValueError, match="handle_time"):
        task_audience("handle_tme")


@pytest.mark.parametrize(("task_type", "org", "expected"), [
    ("handle_time", "b2b", ["agent-any", "rep-b2b"]),
    ("handle_time", "b2c", ["agent-any", "clerk-b2c"]),
    ("private_customer_information", "b2b", ["buyer-b2b", "visitor-any"]),
    ("named_entity_disambiguation", "b2c", ["shopper-b2c", "visitor-any"]),
    ("knowledge_qa", "b2b", ["agent-any", "buyer-b2b", "rep-b2b", "visitor-any"]),
])
def test_personas_for_fits_org_and_audience(task_type: str, org: str, expected: list[str]) -> None:
    fitting = personas_for(task(task_type, org), POOL)
    assert [p.id for p in fitting] == expected
    assert personas_for(task(task_type, org), list(reversed(POOL.values()))) == fitting  # mapping or iterable


def test_pick_is_deterministic_for_a_seed() -> None:
    subject = task("knowledge_qa")
    picks = [pick_persona(subject, POOL, random.Random(seed)).id for seed in range(200)]
    assert picks == [pick_persona(subject, POOL, random.Random(seed)).id for seed in range(200)]
    assert set(picks) == {"agent-any", "buyer-b2b", "rep-b2b", "visitor-any"}  # every fitting persona gets a turn
    reordered = dict(reversed(POOL.items()))  # the order personas come in does not change a pick
    assert picks == [pick_persona(subject, reordered, random.Random(seed)).id for seed in range(200)]


def test_one_rng_draws_a_sequence() -> None:
    rng_a, rng_b = random.Random(7), random.Random(7)
    tasks = [task("handle_time"), task("private_customer_information", "b2c"), task("knowledge_qa")]
    assert [pick_persona(t, POOL, rng_a) for t in tasks] == [pick_persona(t, POOL, rng_b) for t in tasks]


def test_a_named_persona_is_used_even_if_it_would_not_fit() -> None:
    subject = task("handle_time", "b2b", persona="shopper-b2c")
    assert pick_persona(subject, POOL, random.Random(0)).id == "shopper-b2c"


def test_an_unknown_named_persona() -> None:
    subject = task("handle_time", persona="rep-b2c")
    with pytest.raises(UnknownPersona) as caught:
        pick_persona(subject, POOL, random.Random(0))
    error = caught.value
    assert isinstance(error, PersonaFileError)
    assert (error.task_id, error.persona_id) == ("b2b-handle_time-1", "rep-b2c")
    assert str(error) == (
        "task 'b2b-handle_time-1' names persona 'rep-b2c', which no persona file defines (did you mean 'rep-b2b'?); "
        "known personas: agent-any, buyer-b2b, clerk-b2c, rep-b2b, shopper-b2c, visitor-any")


def test_nothing_fits() -> None:
    internal_only = {p.id: p for p in POOL.values() if p.audience == "internal"}
    with pytest.raises(NoFittingPersona) as caught:
        pick_persona(task("private_customer_information", "b2c"), internal_only, random.Random(0))
    assert str(caught.value) == (
        "no persona fits task 'b2c-private_customer_information-1' (private_customer_information: org b2c, audience "
        "external) among 3 personas; add one with org b2c or any and audience external")
    with pytest.raises(NoFittingPersona, match=r"knowledge_qa: org b2b, audience internal or external\) among 0"):
        pick_persona(task("knowledge_qa"), {}, random.Random(0))
