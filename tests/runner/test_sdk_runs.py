"""Whole runs whose models go over HTTP through the ``openai`` SDK to crmsim's model server on
127.0.0.1: both agent strategies, faults that lose no conversation, the budget, the response cache,
token accounting, ``crmsim run`` with endpoint flags and the confidentiality prompt."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from anyio.from_thread import start_blocking_portal
from run_helpers import SCALE, small_config

from crmsim.actors import agent_messages
from crmsim.actors._prompt import CONFIDENTIALITY_INSTRUCTIONS
from crmsim.cli import main
from crmsim.data import write_org
from crmsim.models import FaultPlan, create_models_app, serve_models
from crmsim.runner import ConversationResult, RunOutcome, Simulation
from crmsim.tasks import Task
from crmsim.tasks.generators import generate_tasks

ENDED_WELL = {"agent_answer", "user_stop"}


async def _stats(url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http, http.get(url.removesuffix("/v1") + "/crmsim/stats") as response:
        assert response.status == 200
        result: dict[str, Any] = await response.json()
        return result


def _events(outcome: RunOutcome) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (outcome.directory / "events.jsonl").read_text().splitlines()]


def _rewards(results: list[ConversationResult]) -> dict[str, float]:
    return {r.conversation_id: r.reward for r in results}


def _tokens(results: list[ConversationResult]) -> tuple[int, int]:
    return sum(r.usage.prompt_tokens for r in results), sum(r.usage.completion_tokens for r in results)


@pytest.fixture
async def served() -> AsyncIterator[str]:
    async with serve_models() as url:
        yield url


@pytest.mark.parametrize("strategy", ["react", "tools"])
async def test_every_role_over_http_solves_the_b2b_set(runs_dir: Path, served: str, strategy: str) -> None:
    outcome = await Simulation(small_config(runs_dir, base_url=served, agent_strategy=strategy, cache="off")).run()
    results = outcome.results
    assert len(results) == outcome.planned == 44 and {r.mode for r in results} == {"single", "multi"}
    assert outcome.mean_reward == 1.0
    assert Counter(r.termination_reason for r in results) == {"agent_answer": 22, "user_stop": 22}
    stats = await _stats(served)
    assert set(stats["models"]) == {"crmsim-reference", "crmsim-user", "crmsim-judge"}
    assert stats["models"]["crmsim-judge"]["completions"] > 0  # the LLM judge's questions went over HTTP
    assert stats["faults_total"] == stats["rejected"] == 0 and outcome.model_retries == 0
    # The results account for every token the server counted (cache off: each call reached it).
    assert _tokens(results) == (stats["prompt_tokens"], stats["completion_tokens"])
    assert sum(r.model_calls for r in results) == stats["completions"]
    agent = stats["models"]["crmsim-reference"]
    assert sum(r.usage_by_role["agent"].prompt_tokens for r in results) == agent["prompt_tokens"]
    run = json.loads((outcome.directory / "run.json").read_text())
    assert run["config"]["agent_strategy"] == strategy and run["config"]["base_url"] == served


async def _faulted_and_clean(runs_dir: Path, tmp_path: Path, **settings: Any) -> tuple[RunOutcome, RunOutcome,
                                                                                       dict[str, Any]]:
    """The same run against a server failing 20% of requests (all kinds) and against a clean one."""
    faults = FaultPlan(0.2, retry_after=0.05, timeout_delay=3, seed=1)
    outcomes = []
    for label, plan in (("faulted", faults), ("clean", None)):
        async with serve_models(faults=plan) as url:
            models = tmp_path / f"{label}.yaml"
            models.write_text(f"endpoints:\n  {url}: {{timeout_s: 1}}\n")  # a held request times out in 1 s
            config = small_config(runs_dir, run_id=label, base_url=url, models_config=models, cache="off",
                                  concurrency=50, **settings)
            outcomes.append(await Simulation(config).run())
            if plan is not None:
                stats = await _stats(url)
    return outcomes[0], outcomes[1], stats


def _assert_nothing_lost(faulted: RunOutcome, clean: RunOutcome, stats: dict[str, Any]) -> None:
    results = faulted.results
    assert len(results) == faulted.planned == clean.planned
    assert len({r.conversation_id for r in results}) == len(results)
    clean_reasons = {r.conversation_id: r.termination_reason for r in clean.results}
    # An impatient persona may give up (max_user_turns) in the clean run too; faults must change nothing.
    bad = [(r.conversation_id, r.termination_reason, r.error, r.scoring_error) for r in results
           if (r.termination_reason not in ENDED_WELL and r.termination_reason != clean_reasons[r.conversation_id])
           or r.error or r.scoring_error]
    assert bad == []
    assert {r.conversation_id: r.termination_reason for r in results} == clean_reasons
    assert _rewards(results) == _rewards(clean.results)
    assert faulted.model_retries > 0 and clean.model_retries == 0
    assert faulted.model_retries >= stats["faults_total"] - stats["faults"]["bad_tool_args"]
    retried = [e for e in _events(faulted) if e["kind"] == "model_call" and e["payload"]["retries"]]
    assert sum(e["payload"]["retries"] for e in retried) == faulted.model_retries


async def test_a_fifth_of_requests_failing_loses_no_conversation(runs_dir: Path, tmp_path: Path) -> None:
    # Tools: a bad_tool_args fault reaches the agent as a malformed turn, which it survives.
    faulted, clean, stats = await _faulted_and_clean(runs_dir, tmp_path, agent_strategy="tools")
    assert faulted.planned == 44
    _assert_nothing_lost(faulted, clean, stats)
    kinds = {kind for kind, count in stats["faults"].items() if count}
    assert kinds >= {"rate_limit", "server_error", "unavailable", "reset", "timeout", "malformed_json"}
    malformed = [e for e in _events(faulted) if e["kind"] == "malformed_turn"]
    assert len(malformed) == stats["faults"]["bad_tool_args"]


@pytest.mark.slow
async def test_three_hundred_conversations_under_faults_lose_none(runs_dir: Path, tmp_path: Path) -> None:
    faulted, clean, stats = await _faulted_and_clean(runs_dir, tmp_path, orgs=["b2b", "b2c"], per_type=4)
    assert faulted.planned >= 300
    _assert_nothing_lost(faulted, clean, stats)
    assert all(count > 0 for kind, count in stats["faults"].items() if kind != "bad_tool_args")


async def test_the_budget_stops_new_conversations_and_lets_started_ones_finish(runs_dir: Path, tmp_path: Path,
                                                                               served: str) -> None:
    models = tmp_path / "models.yaml"
    models.write_text("prices:\n  crmsim-reference: {input_per_million: 1000, output_per_million: 1000}\n")
    outcome = await Simulation(small_config(runs_dir, base_url=served, models_config=models, budget_usd=0.01,
                                            concurrency=2, cache="off")).run()
    assert outcome.budget_reached and not outcome.cancelled
    assert 0 < len(outcome.results) <= 2 < outcome.planned
    assert {r.termination_reason for r in outcome.results} <= ENDED_WELL  # none cancelled
    assert all(r.cost > 0 for r in outcome.results)
    assert outcome.spent_usd == pytest.approx(sum(r.cost for r in outcome.results)) and outcome.spent_usd > 0.01
    run = json.loads((outcome.directory / "run.json").read_text())
    assert run["budget_reached"] is True and run["status"] == "complete"
    assert run["spent_usd"] == pytest.approx(outcome.spent_usd)


async def test_a_rerun_replays_from_the_cache_without_calling_the_server(runs_dir: Path, tmp_path: Path,
                                                                        served: str) -> None:
    cache = tmp_path / "responses.sqlite"
    first = await Simulation(small_config(runs_dir, run_id="first", base_url=served, cache_path=cache,
                                          task_types=["knowledge_qa", "handle_time", "lead_routing"])).run()
    calls = (await _stats(served))["requests"]
    assert calls > 0 and first.mean_reward == 1.0
    second = await Simulation(small_config(runs_dir, run_id="second", base_url=served, cache_path=cache,
                                           task_types=["knowledge_qa", "handle_time", "lead_routing"])).run()
    assert (await _stats(served))["requests"] == calls
    assert _rewards(second.results) == _rewards(first.results) and len(second.results) == first.planned
    assert _tokens(second.results) == _tokens(first.results)
    replayed = [e["payload"] for e in _events(second) if e["kind"] == "model_call"]
    assert replayed and all(call["cached"] and call["cost"] == 0 for call in replayed)
    assert not any(e["payload"]["cached"] for e in _events(first) if e["kind"] == "model_call")


# -- crmsim run ------------------------------------------------------------------------------------


@pytest.fixture
def served_in_thread() -> Iterator[str]:
    """The model server on an event loop of its own, for the synchronous CLI."""
    with start_blocking_portal() as portal, portal.wrap_async_context_manager(serve_models()) as url:
        yield url


def _cli(runs_dir: Path, url: str, *extra: str) -> int:
    return main(["run", "--org", "b2b", "--per-type", "1", "--scale", str(SCALE), "--no-progress",
                 "--runs-dir", str(runs_dir), "--base-url", url, "--agent-strategy", "tools", "--cache", "off",
                 *extra])


def test_crmsim_run_with_endpoint_flags(runs_dir: Path, tmp_path: Path, served_in_thread: str,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    assert _cli(runs_dir, served_in_thread, "--run-id", "cli", "--mode", "single",
                "--task-types", "knowledge_qa,handle_time") == 0
    out = capsys.readouterr().out
    assert "mean reward 1.000 over 2 conversations" in out and "budget reached" not in out
    config = json.loads((runs_dir / "cli" / "run.json").read_text())["config"]
    assert (config["agent_strategy"], config["cache"], config["base_url"]) == ("tools", "off", served_in_thread)

    models = tmp_path / "models.yaml"
    models.write_text("prices:\n  crmsim-reference: {input_per_million: 1000, output_per_million: 1000}\n")
    assert _cli(runs_dir, served_in_thread, "--run-id", "spent", "--mode", "single", "--concurrency", "1",
                "--models-config", str(models), "--budget", "0.01") == 0
    out = capsys.readouterr().out
    assert "budget reached ($" in out and "planned conversations were not started" in out
    assert "--resume --run-id spent" in out


# -- the confidentiality prompt --------------------------------------------------------------------


@pytest.fixture(scope="session")
def generated_task(tmp_path_factory: pytest.TempPathFactory) -> Task:
    path = tmp_path_factory.mktemp("confidential") / "b2b.sqlite"
    write_org(path, "b2b", seed=0, scale=0.05).close()
    return generate_tasks(path, per_type=1, seed=0)[0]


@pytest.mark.parametrize("strategy", ["react", "tools"])
def test_the_confidentiality_prompt_is_in_the_first_system_message(generated_task: Task, strategy: str) -> None:
    plain = agent_messages("schema", generated_task, "single", strategy=strategy)  # type: ignore[arg-type]
    private = agent_messages("schema", generated_task, "single", strategy=strategy,  # type: ignore[arg-type]
                             confidentiality=True)
    assert [m["role"] for m in private] == ["system"] * 3 and private[1:] == plain[1:]
    assert CONFIDENTIALITY_INSTRUCTIONS not in plain[0]["content"]
    assert private[0]["content"] == plain[0]["content"] + CONFIDENTIALITY_INSTRUCTIONS


def _recording(seen: list[dict[str, Any]]) -> Callable[..., Awaitable[web.StreamResponse]]:
    @web.middleware
    async def record(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                     ) -> web.StreamResponse:
        if request.path.endswith("/chat/completions"):
            seen.append(json.loads(await request.read()))
        return await handler(request)
    return record


async def test_the_confidentiality_prompt_reaches_the_agent_model_over_http(runs_dir: Path) -> None:
    seen: list[dict[str, Any]] = []
    app = create_models_app()
    app.middlewares.append(_recording(seen))
    async with serve_models(app) as url:
        outcome = await Simulation(small_config(runs_dir, agent_base_url=url, confidentiality_prompt=True,
                                                cache="off", modes=["single"],
                                                task_types=["private_customer_information"])).run()
    assert outcome.mean_reward == 1.0
    agent_requests = [body for body in seen if body["model"] == "crmsim-reference"]
    assert agent_requests and len(seen) == len(agent_requests)  # only the agent was given the URL
    for body in agent_requests:
        first = body["messages"][0]
        assert first["role"] == "system" and first["content"].endswith(CONFIDENTIALITY_INSTRUCTIONS)
