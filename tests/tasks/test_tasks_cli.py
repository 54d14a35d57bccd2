"""``crmsim tasks import|list|show|validate|types``, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crmsim.cli import main
from crmsim.tasks import load_tasks

FIXTURES = Path(__file__).parent / "fixtures"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def one_line_error(err: str, *words: str) -> None:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0], err


@pytest.fixture
def task_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    out = tmp_path / "tasks.jsonl"
    status, _, err = run(capsys, "tasks", "import", str(FIXTURES / "published_rows.json"), "--out", str(out))
    assert status == 0, err
    return out


def test_import_writes_a_task_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sub" / "b2c.jsonl"
    status, stdout, err = run(capsys, "tasks", "import", str(FIXTURES / "published_rows.jsonl"), "--out", str(out),
                              "--org", "b2c")
    assert status == 0, err
    assert stdout == f"imported 3 tasks of 2 types (b2c) from {FIXTURES / 'published_rows.jsonl'} to {out}\n"
    assert [task.id for task in load_tasks(out)] == ["pro-b2c-0010", "pro-b2c-0011", "pro-b2c-0020"]


def test_list_shows_a_table_and_counts(task_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "tasks", "list", str(task_file))
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["id", "type", "skill", "metric", "answer"]
    row = next(line for line in lines if line.startswith("pro-b2b-0040"))
    assert "lead_qualification" in row and "Policy Compliance" in row and "Budget, Timeline" in row
    assert any(line.startswith("pro-b2b-0030") and "…" in line for line in lines)  # long answers are cut
    assert [line.split() for line in lines if line.startswith("handle_time")] == [["handle_time", "2"]]
    assert lines[-1] == "8 tasks of 7 types"


def test_list_one_type(task_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "tasks", "list", str(task_file), "--type", "handle_time")
    assert status == 0
    assert out.count("pro-b2b-") == 2 and out.splitlines()[-1] == "2 tasks of 1 type"
    status, out, _ = run(capsys, "tasks", "list", str(task_file), "--type", "case_routing")
    assert status == 0 and out == "0 tasks of 0 types\n"


def test_show_prints_the_whole_task(task_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "tasks", "show", str(task_file), "pro-b2b-0010")
    assert status == 0, err
    assert "id           pro-b2b-0010" in out
    assert "answer kind  ids (User Ids, key prefix 005)" in out
    assert "source       imported, idx 10, published_rows.json" in out
    for section in ("answer\n  - 005Wt", "query\n  Which agent", "context.required\n  ## Handle time",
                    "context.optional\n  # Domain Details", "persona text\n  You are brisk"):
        assert section in out
    status, out, _ = run(capsys, "tasks", "show", str(task_file), "pro-b2b-0060", "--json")
    assert status == 0
    data = json.loads(out)
    assert data["task_type"] == "private_customer_information" and data["expects_refusal"] is True


def test_validate_and_types(task_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "tasks", "validate", str(task_file))
    assert status == 0 and out == f"{task_file}: 8 tasks of 7 types, all valid\n"
    status, out, _ = run(capsys, "tasks", "types")
    assert status == 0
    assert len([line for line in out.splitlines() if "_" in line]) == 22
    assert "ids (ka0)" in out and "privacy_rejection" in out


def test_input_mistakes_exit_2_with_one_line(tmp_path: Path, task_file: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.jsonl"
    lines = task_file.read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[1])
    row["org"] = "b2x"
    bad.write_text("\n".join([lines[0], json.dumps(row)]) + "\n", encoding="utf-8")
    broken = tmp_path / "broken.jsonl"
    broken.write_text(lines[0] + "\n{nope\n", encoding="utf-8")
    rows = tmp_path / "rows.json"
    rows.write_text(json.dumps([{"idx": 1, "task": "handle_time", "query": "q", "answer": [None],
                                 "reward_metric": "exact_match", "persona": "p"},
                                {"idx": 2, "task": "handle_time", "query": "q", "answer": [None]}]))
    cases = [
        (["tasks", "list", str(tmp_path / "missing.jsonl")], [f"{tmp_path / 'missing.jsonl'}: no such file"]),
        (["tasks", "list", str(bad)], [f"{bad}:2: org: Input should be 'b2b' or 'b2c'"]),
        (["tasks", "show", str(broken), "x"], [f"{broken}:2: invalid JSON"]),
        (["tasks", "validate", str(bad)], [f"{bad}:2: org:"]),
        (["tasks", "show", str(task_file), "pro-b2b-001"], ["no task with id 'pro-b2b-001' among 8 tasks",
                                                           "did you mean"]),
        (["tasks", "import", str(rows), "--out", str(tmp_path / "o.jsonl")],
         [f"{rows}: row 1 (idx 2): reward_metric: Field required"]),
        (["tasks", "import", str(rows)], ["--out"]),
        (["tasks", "import", str(rows), "--out", "x", "--org", "b2x"], ["--org", "b2x"]),
        (["tasks", "list", str(task_file), "--type", "nope"], ["--type", "nope"]),
        (["tasks"], ["tasks"]),
    ]
    for argv, words in cases:
        status, out, err = run(capsys, *argv)
        assert status == 2, (argv, err)
        one_line_error(err, *words)
        assert out == ""
    assert not (tmp_path / "o.jsonl").exists()


def test_import_to_an_unwritable_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    status, _, err = run(capsys, "tasks", "import", str(FIXTURES / "published_rows.json"), "--out",
                         str(blocker / "out.jsonl"))
    assert status == 2
    one_line_error(err, "cannot write", str(blocker / "out.jsonl"))
