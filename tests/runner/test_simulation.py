"""Whole runs on the embedded sandbox with the built-in models."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import anyio
import pytest
from run_helpers import SCALE, small_config

import crmsim
from crmsim.errors import ConfigError
from crmsim.runner import Simulation, read_results, rescore
from crmsim.tasks import TASK_TYPES


def _events(directory: Path) -> list[dict]:
    return [json.loads(line) for line in (directory / "events.jsonl").read_text().splitlines()]


async def test_both_orgs_both_modes_reference_solves_them(runs_dir: Path) -> None:
    outcome = await Simulation(small_config(runs_dir, orgs=["b2b", "b2c"])).run()
    results = outcome.results
    assert outcome.planned == len(results) == 2 * len(TASK_TYPES) * 2
    assert {(r.org, r.mode) for r in results} == {(o, m) for o in ("b2b", "b2c") for m in ("single", "multi")}
    single = [r for r in results if r.mode == "single"]
    assert sum(r.reward for r in single) / len(single) >= 0.95
    assert Counter(r.termination_reason for r in single) == {"agent_answer": len(single)}
    multi = [r for r in results if r.mode == "multi"]
    assert {r.termination_reason for r in multi} == {"user_stop"}
    assert sum(r.reward for r in multi) / len(multi) >= 0.95
    assert len({r.persona for r in results}) >= 6  # tasks are paired with personas from the library
    assert not any(r.simulator_faults for r in results)
    assert all(r.usage.total_tokens > 0 and r.usage_by_role["agent"].prompt_tokens > 0 for r in results)


async def test_results_and_events_agree(runs_dir: Path) -> None:
    outcome = await Simulation(small_config(runs_dir, modes=["single", "multi"])).run()
    directory = outcome.directory
    results = read_results(directory)
    ids = [r.conversation_id for r in results]
    assert len(ids) == len(set(ids)) == outcome.planned
    events = _events(directory)
    by_conversation: dict[str, list[dict]] = defaultdict(list)
    for event in events:
        assert {"run_id", "conversation_id", "seq", "ts", "actor", "kind"} <= set(event)
        assert event["run_id"] == outcome.run_id
        by_conversation[event["conversation_id"]].append(event)
    assert set(by_conversation) == set(ids)
    for cid, items in by_conversation.items():
        seqs = [e["seq"] for e in items]
        assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs), cid
        kinds = Counter(e["kind"] for e in items)
        assert kinds["conversation_started"] == kinds["conversation_ended"] == kinds["scored"] == 1, cid
        assert items[0]["kind"] == "conversation_started"
    run = json.loads((directory / "run.json").read_text())
    assert run["status"] == "complete" and run["started_at"] < run["ended_at"]
    assert run["config"]["scale"] == SCALE and run["versions"]["crmsim"] == crmsim.__version__
    assert (directory / "tasks.jsonl").exists()
    assert len((directory / "scores.jsonl").read_text().splitlines()) == len(results)


async def test_rescore_reads_the_saved_events(runs_dir: Path) -> None:
    outcome = await Simulation(small_config(runs_dir, modes=["single"])).run()
    path = outcome.directory / "results.jsonl"
    spoiled = [json.loads(line) | {"reward": 0.0} for line in path.read_text().splitlines()]
    path.write_text("".join(json.dumps(r) + "\n" for r in spoiled))
    rescored = await rescore(outcome.directory)
    assert [r.reward for r in rescored] == [r.reward for r in outcome.results]
    lines = (outcome.directory / "scores.jsonl").read_text().splitlines()
    origins = Counter(json.loads(line)["origin"] for line in lines)
    assert origins == {"run": len(rescored), "rescore": len(rescored)}


async def test_resume_finishes_without_redoing(runs_dir: Path) -> None:
    config = small_config(runs_dir, run_id="r1", modes=["single"])
    first = await Simulation(config).run()
    path = first.directory / "results.jsonl"
    lines = path.read_text().splitlines()
    kept, dropped = lines[: len(lines) // 2], lines[len(lines) // 2:]
    cancelled = json.loads(dropped[0]) | {"termination_reason": "cancelled"}
    path.write_text("\n".join([*kept, json.dumps(cancelled)]) + "\n")
    second = await Simulation(small_config(runs_dir, run_id="r1", modes=["single"], resume=True)).run()
    assert second.skipped == len(kept)
    ids = [r.conversation_id for r in read_results(first.directory)]
    assert len(ids) == len(set(ids)) == len(lines)
    assert all(r.termination_reason != "cancelled" for r in second.results)


async def test_an_existing_run_is_not_overwritten(runs_dir: Path) -> None:
    await Simulation(small_config(runs_dir, run_id="same", modes=["single"], task_types=["knowledge_qa"])).run()
    before = (runs_dir / "same" / "results.jsonl").read_text()
    with pytest.raises(ConfigError, match="already exists"):
        await Simulation(small_config(runs_dir, run_id="same", modes=["single"])).run()
    assert (runs_dir / "same" / "results.jsonl").read_text() == before


@pytest.mark.parametrize(("settings", "message"), [
    ({"orgs": ["b2x"]}, "orgs.0: got 'b2x'; expected 'b2b' or 'b2c'"),
    ({"task_types": ["nope"]}, "task_types.0: got 'nope'"),
    ({"modes": ["both"]}, "modes.0: got 'both'"),
    ({"agent_model": "crmsim-naive", "user_model": "crmsim-naive"}, "unknown user model 'crmsim-naive'"),
    ({"agent_model": "gpt-9"}, "the agent model 'gpt-9' at https://api.openai.com/v1 needs an API key"),
    ({"agent_model": "m", "agent_base_url": "ftp://x"}, "the agent base URL must start with http://"),
    ({"user_model": "x"}, "built-in user models need none: crmsim-user"),
    ({"judge_model": "x"}, "built-in judge models need none: crmsim-judge"),
    ({"concurrency": 0}, "concurrency: Input should be greater than or equal to 1"),
    ({"colour": "red"}, "colour: unknown setting"),
])
def test_bad_settings_name_what_is_wrong(runs_dir: Path, settings: dict, message: str,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(ConfigError) as caught:
        Simulation(runs_dir=runs_dir, **settings)
    assert message in str(caught.value)
    assert not runs_dir.exists()


async def test_cancel_records_in_flight_conversations(runs_dir: Path) -> None:
    first_result = anyio.Event()
    simulation = Simulation(small_config(runs_dir, modes=["single", "multi"], concurrency=4, model_latency_s=0.2),
                            on_result=lambda result: first_result.set())

    async def cancel_soon() -> None:
        await first_result.wait()
        simulation.cancel()

    async with anyio.create_task_group() as tg:
        tg.start_soon(cancel_soon)
        outcome = await simulation.run()
    assert outcome.cancelled
    reasons = Counter(r.termination_reason for r in outcome.results)
    assert 1 <= reasons["cancelled"] <= 4
    assert len(outcome.results) < outcome.planned
    for line in (outcome.directory / "results.jsonl").read_text().splitlines():
        json.loads(line)
    ended = [e for e in _events(outcome.directory) if e["kind"] == "conversation_ended"]
    assert len(ended) == len(outcome.results)
    assert json.loads((outcome.directory / "run.json").read_text())["status"] == "cancelled"


def test_python_api_runs_to_the_end(runs_dir: Path) -> None:
    outcome = crmsim.run(orgs=["b2c"], task_types=["knowledge_qa", "private_customer_information"], per_type=1,
                         modes=["single"], scale=SCALE, runs_dir=runs_dir, progress=False)
    assert len(outcome.results) == 2 and outcome.mean_reward == 1.0
    assert outcome.summary[-1].key == ("all",)


async def test_models_config_names_the_roles(runs_dir: Path, tmp_path: Path) -> None:
    config_file = tmp_path / "models.yaml"
    config_file.write_text("roles:\n  agent: {model: crmsim-naive}\n")
    outcome = await Simulation(small_config(runs_dir, modes=["single"], task_types=["handle_time"],
                                            models_config=config_file)).run()
    assert [r.model_by_role["agent"] for r in outcome.results] == ["crmsim-naive"]
    flagged = await Simulation(small_config(runs_dir, modes=["single"], task_types=["handle_time"],
                                            models_config=config_file, agent_model="crmsim-eager")).run()
    assert [r.model_by_role["agent"] for r in flagged.results] == ["crmsim-eager"]  # a flag beats the file
