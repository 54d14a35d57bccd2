"""Every generated task is solved by its reference solver through the REST API, and scores 1.0.

A failure names the task: it is a bug in the generator, the data, the SOQL engine or the solver.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from crmsim.data import write_org
from crmsim.judge import score
from crmsim.salesforce import SalesforceClient, SalesforceConfig
from crmsim.sandbox.app import create_app
from crmsim.sandbox.server import open_store, serve_sandbox
from crmsim.tasks import Task, TaskType
from crmsim.tasks.generators import generate_tasks, registered
from crmsim.tasks.solvers import registered as registered_solvers
from crmsim.tasks.solvers import solve

ORGS = ("b2b", "b2c")
PER_TYPE = 5


@pytest.fixture(scope="module", params=ORGS)
def generated_org(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp(request.param) / f"{request.param}.sqlite"
    write_org(path, request.param, seed=0, scale=0.05).close()
    yield path


@pytest.fixture(scope="module")
def tasks(generated_org: Path) -> list[Task]:
    return generate_tasks(generated_org, per_type=PER_TYPE, seed=0)


@pytest.fixture
async def client(generated_org: Path) -> AsyncIterator[SalesforceClient]:
    store = open_store(generated_org)
    try:
        async with serve_sandbox(create_app(store)) as url:
            async with SalesforceClient(SalesforceConfig(instance_url=url, max_retries=0)) as sf:
                yield sf
    finally:
        store.close()


def test_every_registered_type_has_a_solver() -> None:
    assert set(registered()) <= set(registered_solvers())


def test_generators_make_tasks_for_every_registered_type(tasks: list[Task]) -> None:
    made = {task.task_type for task in tasks}
    assert made == set(registered()), f"no tasks for {sorted(t.value for t in set(registered()) - made)}"
    assert len({task.id for task in tasks}) == len(tasks)


async def test_reference_solvers_solve_every_generated_task(tasks: list[Task], client: SalesforceClient) -> None:
    failures = []
    for task in tasks:
        response, box = await solve(task, client)
        result = score(task, response)
        if result.value < 1.0:
            failures.append(
                f"{task.id} ({task.task_type.value}): expected {task.answer}, got {response!r} "
                f"after {len(box.calls)} calls"
            )
    assert not failures, "\n".join(failures)


def test_none_answers_are_present_but_not_dominant(tasks: list[Task]) -> None:
    by_type: dict[TaskType, list[Task]] = {}
    for task in tasks:
        if not task.expects_refusal:  # confidentiality tasks have no answer by design
            by_type.setdefault(task.task_type, []).append(task)
    for task_type, group in by_type.items():
        nones = sum(task.answer == ["None"] for task in group)
        assert nones < len(group), f"{task_type.value}: every answer is None"


def test_cli_generate_writes_a_task_file(
    generated_org: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from crmsim.cli import main
    from crmsim.tasks import load_tasks

    out = tmp_path / "tasks.jsonl"
    assert (
        main(["tasks", "generate", "--org", "b2b", "--db", str(generated_org), "--per-type", "2", "--out", str(out)])
        == 0
    )
    assert "generated" in capsys.readouterr().out
    assert all(task.source.origin == "generated" for task in load_tasks(out))


@pytest.mark.parametrize("content", [b"", b"not sqlite"])
def test_cli_generate_refuses_a_bad_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes
) -> None:
    from crmsim.cli import main

    db = tmp_path / "bad.sqlite"
    db.write_bytes(content)
    assert main(["tasks", "generate", "--org", "b2b", "--db", str(db), "--out", str(tmp_path / "t.jsonl")]) == 2
    err = capsys.readouterr().err
    assert str(db) in err and "Traceback" not in err
