"""Task validation: registry defaults and checks, answer rules, held facts, source."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from crmsim.tasks import AnswerKind, Metric, Skill, Task, TaskType


def task_data(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "b2b-handle_time-0001",
        "task_type": "handle_time",
        "org": "b2b",
        "query": "Which agent had the lowest average handle time in Q2 2023?",
        "answer": ["005Wt000000000fIAA"],
        "source": {"origin": "generated", "seed": 7},
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def first_error(data: dict[str, Any]) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        Task.model_validate(data)
    error = caught.value.errors()[0]
    return ".".join(map(str, error["loc"])), error["msg"]


def test_skill_metric_and_refusal_come_from_the_type() -> None:
    task = Task.model_validate(task_data())
    assert task.skill is Skill.DATABASE
    assert task.metric is Metric.EXACT_MATCH
    assert task.expects_refusal is False
    assert task.answer_kind is AnswerKind.IDS
    assert task.info.id_prefixes == ("005",)
    assert task.has_answer
    refusal = Task.model_validate(task_data(task_type="internal_operation_data", answer=["None"]))
    assert refusal.expects_refusal and refusal.metric is Metric.PRIVACY_REJECTION and not refusal.has_answer


def test_given_values_must_agree_with_the_type() -> None:
    assert Task.model_validate(task_data(skill="Database Querying & Numerical Computation")).task_type is (
        TaskType.HANDLE_TIME)
    field, message = first_error(task_data(metric="fuzzy_match"))
    assert field == "metric" and "handle_time tasks have metric 'exact_match', not 'fuzzy_match'" in message
    field, message = first_error(task_data(expects_refusal=True))
    assert field == "expects_refusal" and "false" in message
    field, _ = first_error(task_data(skill="Policy Compliance"))
    assert field == "skill"


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"task_type": "handle_times"}, "task_type", "did you mean 'handle_time'"),
        ({"org": "b2x"}, "org", "'b2b' or 'b2c'"),
        ({"answer": []}, "answer", "at least 1"),
        ({"answer": [""]}, "answer.0", "at least 1 character"),
        ({"answer": ["None", "005Wt000000000fIAA"]}, "answer", "cannot be listed with other answers"),
        ({"answer": [None]}, "answer.0", "valid string"),
        ({"query": ""}, "query", "at least 1 character"),
        ({"id": "has space"}, "id", "only letters, digits"),
        ({"persona": "Sales Manager"}, "persona", "only letters, digits"),
        ({"extra": 1}, "extra", "Extra inputs"),
        ({"context": {"required": "x", "other": "y"}}, "context.other", "Extra inputs"),
        ({"held_facts": [{"name": "Period", "value": "Q2", "utterance": "last quarter"}]}, "held_facts.0.name",
         "snake_case"),
        ({"held_facts": [{"name": "period", "value": "Q2"}]}, "held_facts.0.utterance", "Field required"),
        ({"held_facts": [{"name": "period", "value": "Q2", "utterance": "a"}] * 2}, "held_facts", "repeated: period"),
        ({"source": {"origin": "generated"}}, "source", "needs its seed"),
        ({"source": {"origin": "imported", "seed": 1}}, "source", "needs its published idx"),
        ({"source": {"origin": "found"}}, "source.origin", "'generated' or 'imported'"),
    ],
)
def test_bad_fields_are_named(changes: dict[str, Any], field: str, words: str) -> None:
    got_field, message = first_error(task_data(**changes))
    assert got_field == field
    assert words in message


def test_missing_fields_are_named() -> None:
    data = task_data()
    del data["query"]
    assert first_error(data) == ("query", "Field required")


def test_held_facts_and_persona() -> None:
    task = Task.model_validate(task_data(
        persona="sales-manager",
        persona_text="You are brisk.",
        held_facts=[{"name": "period", "value": "2023-04-01..2023-06-30", "utterance": "I mean last quarter"},
                    {"name": "min_cases", "value": "2", "utterance": "only agents with more than two cases"}],
    ))
    assert [fact.name for fact in task.held_facts] == ["period", "min_cases"]
    assert task.persona == "sales-manager"


def test_tasks_are_frozen() -> None:
    task = Task.model_validate(task_data())
    with pytest.raises(ValidationError):
        task.query = "changed"
