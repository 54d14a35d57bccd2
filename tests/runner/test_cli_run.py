"""``crmsim run``, ``crmsim score`` and ``crmsim logs follow`` from the command line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from run_helpers import SCALE

from crmsim.cli import main

SMALL = ["--org", "b2b", "--per-type", "1", "--scale", str(SCALE), "--no-progress"]


def _run(runs_dir: Path, *extra: str) -> int:
    return main(["run", *SMALL, "--runs-dir", str(runs_dir), *extra])


def test_run_prints_the_summary_and_the_paths(runs_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(runs_dir, "--run-id", "cli", "--mode", "single", "--task-types", "knowledge_qa,handle_time") == 0
    out = capsys.readouterr().out
    assert "knowledge_qa" in out and "handle_time" in out and "pass^1" in out
    assert "mean reward 1.000 over 2 conversations" in out
    assert f"results: {runs_dir / 'cli' / 'results.jsonl'}" in out
    assert "crmsim logs follow cli" in out


@pytest.mark.parametrize(("flags", "message"), [
    (["--org", "b2x"], "argument --org: invalid choice: 'b2x' (choose from 'b2b', 'b2c', 'both')"),
    (["--task-types", "knowledge_qa,nope"], "unknown task type nope; choose from activity_priority"),
    (["--mode", "single,twice"], "unknown mode twice; choose from single, multi"),
    (["--agent-model", "crmsim-user"], "unknown agent model 'crmsim-user'; built-in agent models: "
                                       "crmsim-reference, crmsim-naive, crmsim-eager"),
    (["--agent-model", "gpt-9"], "the agent model 'gpt-9' at https://api.openai.com/v1 needs an API key"),
    (["--concurrency", "0"], "invalid value '0': use a positive int"),
    (["--persona", "nobody"], "unknown persona nobody; personas in"),
    (["--policies-dir", "no-such-dir"], "invalid policy files"),
    (["--resume"], "--resume needs the --run-id"),
    (["--tasks", "missing.jsonl"], "--tasks missing.jsonl: no such file"),
])
def test_bad_flags_say_what_is_wrong_and_write_nothing(runs_dir: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch, flags: list[str],
                                                       message: str) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    assert _run(runs_dir, *flags) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
    assert not runs_dir.exists()


def test_logs_follow_and_score_on_a_finished_run(runs_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(runs_dir, "--run-id", "done", "--task-types", "lead_routing") == 0
    capsys.readouterr()
    assert main(["logs", "follow", "done", "--runs-dir", str(runs_dir)]) == 0
    lines = capsys.readouterr().out.splitlines()
    events = (runs_dir / "done" / "events.jsonl").read_text().splitlines()
    assert len(lines) == len(events)
    assert any(" tool_call: SELECT" in line for line in lines)
    assert main(["logs", "follow", "done", "--runs-dir", str(runs_dir), "--kind", "agent_message", "--json",
                 "--conversation", "gen-b2b-lead_routing-0-1:multi"]) == 0
    picked = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert picked and {e["kind"] for e in picked} == {"agent_message"}
    (picked_id,) = {e["conversation_id"] for e in picked}
    assert picked_id.startswith("gen-b2b-lead_routing-0-1:multi:") and picked_id.endswith(":1")
    assert main(["score", str(runs_dir / "done")]) == 0
    assert "re-scored 2 conversations" in capsys.readouterr().out
    assert main(["logs", "follow", "nope", "--runs-dir", str(runs_dir)]) == 2
    assert "no run 'nope'; runs in" in capsys.readouterr().err


def _crmsim(*args: str, cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "crmsim.cli", *args], cwd=cwd, env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait_for(path: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not (path.exists() and path.read_text()):
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


@pytest.mark.slow
def test_ctrl_c_stops_cleanly(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    run = _crmsim("run", *SMALL, "--runs-dir", str(runs), "--run-id", "stop", "--concurrency", "4",
                  "--model-latency", "0.3", cwd=tmp_path)
    _wait_for(runs / "stop" / "results.jsonl")
    run.send_signal(signal.SIGINT)
    out, err = run.communicate(timeout=60)
    assert run.returncode == 130, err
    assert "Traceback" not in err and "conversations in flight are recorded as cancelled" in err
    assert "finish with --resume --run-id stop" in out
    results = [json.loads(line) for line in (runs / "stop" / "results.jsonl").read_text().splitlines()]
    assert 1 <= sum(r["termination_reason"] == "cancelled" for r in results) <= 4
    for line in (runs / "stop" / "events.jsonl").read_text().splitlines():
        json.loads(line)
    resumed = _crmsim("run", *SMALL, "--runs-dir", str(runs), "--run-id", "stop", "--resume", cwd=tmp_path)
    out, err = resumed.communicate(timeout=120)
    assert resumed.returncode == 0, err
    final = [json.loads(line) for line in (runs / "stop" / "results.jsonl").read_text().splitlines()]
    assert len(final) == len({r["conversation_id"] for r in final}) == 2 * 22
    assert all(r["termination_reason"] != "cancelled" for r in final)


@pytest.mark.slow
def test_logs_follow_tails_a_running_run(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    run = _crmsim("run", *SMALL, "--runs-dir", str(runs), "--run-id", "live", "--concurrency", "8",
                  "--model-latency", "0.05", cwd=tmp_path)
    _wait_for(runs / "live" / "events.jsonl")
    follow = _crmsim("logs", "follow", "live", "--runs-dir", str(runs), "--json", cwd=tmp_path)
    followed, _ = follow.communicate(timeout=120)
    run.communicate(timeout=120)
    assert run.returncode == 0 and follow.returncode == 0
    written = (runs / "live" / "events.jsonl").read_text().splitlines()
    assert [json.loads(line) for line in followed.splitlines()] == [json.loads(line) for line in written]
