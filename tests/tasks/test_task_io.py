"""Task files: round trip, and bad rows reported as file:line: field: message."""

from __future__ import annotations

import json
from operator import attrgetter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crmsim.errors import CrmsimError, TaskFileError
from crmsim.tasks import TASK_TYPES, HeldFact, Source, Task, TaskType, iter_tasks, load_tasks, save_tasks, task_line


def make_task(n: int = 1, task_type: str = "handle_time", **changes: Any) -> Task:
    info = TASK_TYPES[TaskType(task_type)]
    data: dict[str, Any] = {
        "id": f"b2b-{task_type}-{n:04d}",
        "task_type": task_type,
        "org": "b2b",
        "query": f"Question number {n}?",
        "answer": ["None"] if info.expects_refusal else [f"answer {n}"],
        "source": {"origin": "generated", "seed": n},
    }
    data.update(changes)
    return Task.model_validate(data)


def write_lines(path: Path, *rows: Any) -> Path:
    path.write_text("".join((row if isinstance(row, str) else json.dumps(row)) + "\n" for row in rows),
                    encoding="utf-8")
    return path


def test_round_trip(tmp_path: Path) -> None:
    tasks = [make_task(1), make_task(2, "knowledge_qa", persona="analyst", persona_text="You are calm.",
                                      context={"required": "- Today's date: 2024-01-02", "optional": "Q1: Jan-Mar"},
                                      held_facts=[{"name": "period", "value": "Q1", "utterance": "early this year"}]),
             make_task(3, "internal_operation_data")]
    path = tmp_path / "nested" / "tasks.jsonl"
    assert save_tasks(path, tasks) == 3
    assert load_tasks(path) == tasks
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3 and all(line.startswith('{"id":') for line in lines)
    assert "persona" not in json.loads(lines[0])  # None fields are left out
    assert not list(tmp_path.glob("nested/.*partial"))


def test_append_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "tasks.jsonl"
    save_tasks(path, [make_task(1)])
    with path.open("a", encoding="utf-8") as out:
        out.write("\n   \n")
    save_tasks(path, [make_task(2)], append=True)
    assert [task.id for task in load_tasks(path)] == ["b2b-handle_time-0001", "b2b-handle_time-0002"]
    save_tasks(path, [make_task(3)])  # without append: replaced
    assert [task.id for task in iter_tasks(path)] == ["b2b-handle_time-0003"]


@pytest.mark.parametrize(
    ("bad", "expected"),
    [
        ('{"id": "x",', ":2: invalid JSON: Expecting property name enclosed in double quotes (column 12)"),
        ("[1, 2]", ":2: expected a JSON object, got an array"),
        ('"text"', ":2: expected a JSON object, got a string"),
        ({"id": "b2b-x-1"}, ":2: task_type: Field required (and 7 more errors)"),
        ({**json.loads(task_line(make_task(5))), "answer": "005Wt000000000fIAA"}, ":2: answer: Input should be a "
         "valid list"),
        ({**json.loads(task_line(make_task(5))), "metric": "fuzzy_match"}, ":2: metric: handle_time tasks have "
         "metric 'exact_match', not 'fuzzy_match'"),
        ({**json.loads(task_line(make_task(5))), "held_facts": [{"name": "p", "value": "", "utterance": "u"}]},
         ":2: held_facts.0.value: String should have at least 1 character"),
        (json.loads(task_line(make_task(1))), ":2: id: duplicate id 'b2b-handle_time-0001' (first on line 1)"),
    ],
)
def test_bad_rows_name_file_line_and_field(tmp_path: Path, bad: Any, expected: str) -> None:
    path = write_lines(tmp_path / "tasks.jsonl", task_line(make_task(1)), bad, task_line(make_task(3)))
    with pytest.raises(TaskFileError) as caught:
        load_tasks(path)
    assert str(caught.value) == f"{path}{expected}"
    assert caught.value.line == 2 and caught.value.path == str(path)
    assert isinstance(caught.value, CrmsimError)
    assert "\n" not in str(caught.value)


def test_field_attribute(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "t.jsonl", {**json.loads(task_line(make_task(1))), "org": "b2x"})
    with pytest.raises(TaskFileError) as caught:
        load_tasks(path)
    assert caught.value.field == "org" and caught.value.line == 1


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(TaskFileError, match=r"missing\.jsonl: no such file$"):
        load_tasks(tmp_path / "missing.jsonl")
    with pytest.raises(TaskFileError, match="is a directory"):
        load_tasks(tmp_path)
    path = tmp_path / "latin1.jsonl"
    path.write_bytes(task_line(make_task(1)).encode() + b"\n" + '{"query": "caf\u00e9"}'.encode("latin-1") + b"\n")
    with pytest.raises(TaskFileError, match=r"latin1\.jsonl:2: not UTF-8 text"):
        load_tasks(path)


def test_iter_tasks_is_lazy(tmp_path: Path) -> None:
    path = write_lines(tmp_path / "tasks.jsonl", task_line(make_task(1)), "not json")
    tasks = iter_tasks(path)
    assert next(tasks).id == "b2b-handle_time-0001"
    with pytest.raises(TaskFileError, match=":2: invalid JSON"):
        next(tasks)


_text = st.text(min_size=1, max_size=40)
_tasks = st.fixed_dictionaries({
    "id": st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,20}", fullmatch=True),
    "task_type": st.sampled_from([TaskType.CASE_ROUTING, TaskType.KNOWLEDGE_QA, TaskType.LEAD_QUALIFICATION]),
    "org": st.sampled_from(["b2b", "b2c"]),
    "query": _text,
    "answer": st.lists(_text.filter(lambda s: s != "None"), min_size=1, max_size=4) | st.just(["None"]),
    "context": st.fixed_dictionaries({"required": st.text(max_size=30), "optional": st.text(max_size=30)}),
    "held_facts": st.lists(st.builds(HeldFact, name=st.sampled_from(["period", "product"]), value=_text,
                                     utterance=_text), max_size=2, unique_by=attrgetter("name")),
    "persona": st.none() | st.from_regex(r"[a-z][a-z0-9-]{0,10}", fullmatch=True),
    "persona_text": st.none() | _text,
    "source": st.builds(Source, origin=st.just("generated"), seed=st.integers(-(2**63), 2**63 - 1)),
}).map(Task.model_validate)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tasks=st.lists(_tasks, max_size=5, unique_by=lambda t: t.id))
def test_any_valid_task_survives_a_round_trip(tmp_path: Path, tasks: list[Task]) -> None:
    path = tmp_path / "prop.jsonl"
    save_tasks(path, tasks)
    assert load_tasks(path) == tasks
