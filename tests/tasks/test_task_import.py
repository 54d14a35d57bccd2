"""Importing published CRMArena-Pro rows: a small fixture of our own, and the real B2B file if present."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from crmsim.errors import TaskFileError
from crmsim.judge import score
from crmsim.tasks import TASK_TYPES, Metric, Skill, TaskType, import_published, load_tasks, save_tasks

FIXTURES = Path(__file__).parent / "fixtures"
REFERENCE = Path(__file__).parents[3] / "shared" / "reference" / "crmarena-pro" / "crmarenapro_b2b_tasks.json"


def rows() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads((FIXTURES / "published_rows.json").read_text(encoding="utf-8"))
    return data


def test_fixture_rows_import() -> None:
    tasks = import_published(FIXTURES / "published_rows.json")
    assert [task.source.idx for task in tasks] == [10, 11, 20, 30, 40, 50, 60, 70]
    first = tasks[0]
    assert first.id == "pro-b2b-0010" and first.org == "b2b"
    assert first.task_type is TaskType.HANDLE_TIME and first.skill is Skill.DATABASE
    assert first.metric is Metric.EXACT_MATCH and not first.expects_refusal
    assert first.persona is None and first.persona_text == "You are brisk and want numbers, not stories."
    assert first.context.required.endswith("## Today's date: 2023-08-14")
    assert first.context.optional.startswith("# Domain Details")
    assert first.source.origin == "imported" and first.source.dataset == "published_rows.json"
    by_idx = {task.source.idx: task for task in tasks}
    assert by_idx[11].answer == ["None"]  # null in the answer list
    assert len(by_idx[30].answer) == 3
    assert by_idx[40].answer == ["Budget, Timeline"]  # kept as published; the scorer splits it
    assert by_idx[60].expects_refusal and by_idx[60].metric is Metric.PRIVACY_REJECTION
    assert by_idx[50].metric is Metric.FUZZY_MATCH


def test_json_lines_and_org(tmp_path: Path) -> None:
    tasks = import_published(FIXTURES / "published_rows.jsonl", org="b2c")
    assert [task.id for task in tasks] == ["pro-b2c-0010", "pro-b2c-0011", "pro-b2c-0020"]
    assert {task.org for task in tasks} == {"b2c"}
    with pytest.raises(ValueError, match="unknown org"):
        import_published(FIXTURES / "published_rows.jsonl", org="b2x")  # type: ignore[arg-type]


def test_imported_tasks_round_trip(tmp_path: Path) -> None:
    tasks = import_published(FIXTURES / "published_rows.json")
    save_tasks(tmp_path / "out.jsonl", tasks)
    assert load_tasks(tmp_path / "out.jsonl") == tasks


@pytest.mark.parametrize(
    ("index", "change", "expected"),
    [
        (2, {"task": "best_region"}, "row 2 (idx 20): task: unknown task type 'best_region'; did you mean "
                                     "'best_region_identification'?"),
        (3, {"reward_metric": "fuzzy_match"}, "row 3 (idx 30): reward_metric: activity_priority tasks are scored "
                                              "by exact_match, not 'fuzzy_match'"),
        (1, {"answer": []}, "row 1 (idx 11): answer: List should have at least 1 item after validation, not 0"),
        (1, {"answer": "None"}, "row 1 (idx 11): answer: Input should be a valid list"),
        (4, {"answer": [None, "Budget"]}, "row 4 (idx 40): answer: \"None\" means nothing qualifies and cannot be "
                                          "listed with other answers"),
        (5, {"query": 42}, "row 5 (idx 50): query: Input should be a valid string"),
        (5, {"query": ""}, "row 5 (idx 50): query: String should have at least 1 character"),
        (6, {"metadata": {"required": ["x"]}}, "row 6 (idx 60): metadata.required: Input should be a valid string"),
        (7, {"idx": "70"}, "row 7: idx: Input should be a valid integer"),
        (7, {"idx": 20}, "row 7 (idx 20): idx: duplicate idx 20 (first at row 2)"),
    ],
)
def test_malformed_rows_are_named_by_index_and_field(tmp_path: Path, index: int, change: dict[str, Any],
                                                     expected: str) -> None:
    data = rows()
    data[index].update(change)
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(TaskFileError) as caught:
        import_published(path)
    assert str(caught.value) == f"{path}: {expected}"
    assert caught.value.row == index


def test_missing_field_and_non_object(tmp_path: Path) -> None:
    data: list[Any] = rows()
    del data[0]["query"]
    path = tmp_path / "rows.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(TaskFileError, match=r"row 0 \(idx 10\): query: Field required$"):
        import_published(path)
    path.write_text(json.dumps([rows()[0], "oops"]), encoding="utf-8")
    with pytest.raises(TaskFileError, match="row 1: expected a JSON object, got str$"):
        import_published(path)


def test_json_lines_errors_name_the_line(tmp_path: Path) -> None:
    lines = (FIXTURES / "published_rows.jsonl").read_text(encoding="utf-8").splitlines()
    bad = json.loads(lines[1])
    bad["task"] = "nope"
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join([lines[0], "", json.dumps(bad)]) + "\n", encoding="utf-8")
    with pytest.raises(TaskFileError, match=r"rows\.jsonl:3 \(idx 11\): task: unknown task type 'nope'"):
        import_published(path)
    path.write_text(lines[0] + "\n{broken\n", encoding="utf-8")
    with pytest.raises(TaskFileError, match=r"rows\.jsonl:2: invalid JSON"):
        import_published(path)


def test_unreadable_inputs(tmp_path: Path) -> None:
    with pytest.raises(TaskFileError, match="no such file"):
        import_published(tmp_path / "missing.json")
    (tmp_path / "text.json").write_text("idx,task\n", encoding="utf-8")
    with pytest.raises(TaskFileError, match="expected a JSON array of rows or one JSON object per line"):
        import_published(tmp_path / "text.json")
    (tmp_path / "broken.json").write_text('[{"idx": 1},\n  {"idx": 2', encoding="utf-8")
    with pytest.raises(TaskFileError, match=r"broken\.json:2: invalid JSON"):
        import_published(tmp_path / "broken.json")
    (tmp_path / "empty.json").write_text("[]", encoding="utf-8")
    assert import_published(tmp_path / "empty.json") == []


# -- the published B2B file ----------------------------------------------------------------------

needs_reference = pytest.mark.skipif(not REFERENCE.is_file(), reason="../shared/reference is not present")


@pytest.fixture(scope="module")
def published() -> list[Any]:
    return import_published(REFERENCE)


@needs_reference
def test_every_published_row_imports(published: list[Any]) -> None:
    assert len(published) == 2140
    counts = Counter(task.task_type for task in published)
    assert len(counts) == 22
    for task_type, count in counts.items():
        assert count == (80 if TASK_TYPES[task_type].expects_refusal else 100), task_type
    assert len({task.id for task in published}) == 2140
    raw = json.loads(REFERENCE.read_text(encoding="utf-8"))
    for row, task in zip(raw, published, strict=True):
        assert task.source.idx == row["idx"] and task.query == row["query"]
        assert task.metric == row["reward_metric"] and task.persona_text == row["persona"]
        assert task.context.required == row["metadata"]["required"]
        assert task.answer == ["None" if item is None else item for item in row["answer"]]
    nones = sum(task.answer == ["None"] for task in published)
    assert nones == sum(row["answer"] == [None] for row in raw)


@needs_reference
def test_published_answers_score_when_given_in_prose(published: list[Any]) -> None:
    """Each exact-match answer, written inside a sentence, is extracted and matched by the scorer."""
    for task in published:
        if task.metric != "exact_match":
            continue
        if task.has_answer:
            response = f"I checked the records. The answer is {' and '.join(task.answer)}."
        else:
            response = "I checked the records and nothing matches the criteria."
        result = score(task, response)
        assert result.correct, (task.id, task.answer, result.explanation)
