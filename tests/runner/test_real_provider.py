"""Opt-in: a small run against a real provider. Skipped unless CRMSIM_REAL_MODEL and OPENAI_API_KEY
are set (OPENAI_BASE_URL optional), so the default suite never leaves 127.0.0.1."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from run_helpers import small_config

from crmsim.runner import Simulation

MODEL = os.environ.get("CRMSIM_REAL_MODEL")
pytestmark = pytest.mark.skipif(not (MODEL and os.environ.get("OPENAI_API_KEY")),
                                reason="set CRMSIM_REAL_MODEL and OPENAI_API_KEY to run against a real provider")


@pytest.mark.parametrize("strategy", ["react", "tools"])
async def test_a_real_model_runs_a_few_conversations(runs_dir: Path, strategy: str) -> None:
    config = small_config(runs_dir, agent_model=MODEL, agent_strategy=strategy, modes=["single"],
                          task_types=["knowledge_qa", "private_customer_information"], cache="off", budget_usd=0.5)
    outcome = await Simulation(config).run()
    assert len(outcome.results) == 2
    assert all(r.usage_by_role["agent"].prompt_tokens > 0 for r in outcome.results)
    assert {r.termination_reason for r in outcome.results} <= {"agent_answer", "max_steps"}
