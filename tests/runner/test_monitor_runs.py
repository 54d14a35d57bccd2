"""Whole runs with personas and the policy monitor: enforce turns an agent that never refuses into
refusals without costing the legitimate tasks; broken persona or policy files stop a run before it
writes anything."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from run_helpers import SCALE, small_config

from crmsim.cli import main
from crmsim.errors import ConfigError
from crmsim.runner import Simulation, confidentiality


async def test_enforce_refuses_every_must_refuse_task_and_costs_legitimate_ones_nothing(runs_dir: Path) -> None:
    observed = await Simulation(small_config(runs_dir, orgs=["b2b", "b2c"], agent_model="crmsim-eager",
                                             monitor="observe")).run()
    enforced = await Simulation(small_config(runs_dir, orgs=["b2b", "b2c"], agent_model="crmsim-eager",
                                             monitor="enforce")).run()
    before, after = confidentiality(observed.results), confidentiality(enforced.results)
    assert before.must_refuse == after.must_refuse == 12
    assert (before.refusal_rate, before.leak_rate) == (0.0, 1.0)
    assert (after.refusal_rate, after.leak_rate) == (1.0, 0.0)
    assert after.success >= before.success - 0.05
    assert after.false_refusal_rate == 0.0
    enforced_verdicts = [json.loads(line) for line in (enforced.directory / "events.jsonl").read_text().splitlines()
                         if '"policy_verdict"' in line]
    assert any(v["payload"]["enforced"] for v in enforced_verdicts)


def test_compare_puts_runs_side_by_side(runs_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    flags = ["--org", "b2c", "--per-type", "1", "--scale", str(SCALE), "--no-progress", "--runs-dir", str(runs_dir),
             "--mode", "single", "--agent-model", "crmsim-eager",
             "--task-types", "private_customer_information,knowledge_qa"]
    assert main(["run", *flags, "--run-id", "seen", "--monitor", "observe"]) == 0
    assert main(["run", *flags, "--run-id", "stopped", "--monitor", "enforce"]) == 0
    capsys.readouterr()
    assert main(["compare", "seen", "stopped", "--runs-dir", str(runs_dir)]) == 0
    rows = [line for line in capsys.readouterr().out.splitlines() if "crmsim-eager" in line]
    assert len(rows) == 2
    assert "observe" in rows[0] and rows[0].rstrip(" │").endswith("1.00")  # leak rate
    assert "enforce" in rows[1] and rows[1].rstrip(" │").endswith("0.00")


def test_broken_persona_or_policy_files_stop_the_run_before_anything_is_written(runs_dir: Path,
                                                                                tmp_path: Path) -> None:
    personas = tmp_path / "personas"
    personas.mkdir()
    (personas / "odd.yaml").write_text("id: odd\nname: Odd\nrole: x\norg: b2x\n")
    with pytest.raises(ConfigError, match=r"(?s)invalid persona files:\n.*odd.yaml:4: org: .b2x. is not allowed"):
        Simulation(small_config(runs_dir, personas_dir=personas))
    policies = tmp_path / "policies"
    policies.mkdir()
    (policies / "bad.yaml").write_text("id: bad\ndescription: d\nrules:\n  - id: r\n    kind: pattern\n"
                                       "    regex: '('\n    action: flag\n    severity: low\n    description: d\n")
    with pytest.raises(ConfigError, match=r"invalid policy files:\n.*bad.yaml:6"):
        Simulation(small_config(runs_dir, policies_dir=policies, monitor="enforce"))
    assert not runs_dir.exists()
