"""OpenAIModel over the real ``openai`` SDK against crmsim's model server on 127.0.0.1: usage,
retries of every retryable fault (with Retry-After and the ``model_retry`` log), final errors, and a
broken tool call reaching the agent as a malformed turn."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from structlog.testing import capture_logs

from crmsim.errors import ModelError
from crmsim.models import (
    AGENT_TOOLS,
    CompletionRequest,
    Endpoint,
    EndpointSettings,
    FaultPlan,
    OpenAIModel,
    ReferenceAgent,
    Usage,
    serve_models,
    turn_from_tool_call,
)
from crmsim.models._faults import FaultKind
from crmsim.tasks import Task


@pytest.fixture
def task(generated_tasks: list[Task]) -> Task:
    return next(t for t in generated_tasks if t.org == "b2b" and t.task_type.value == "handle_time")


def _request(task: Task, **settings: Any) -> CompletionRequest:
    return CompletionRequest(messages=({"role": "user", "content": task.query},), role="agent", task=task,
                             conversation_id="c-1", **settings)


def fails_first_only(kind: FaultKind, **plan: Any) -> FaultPlan:
    """A seeded plan whose first request fails with ``kind`` and whose second one is answered."""
    for seed in range(1000):
        candidate = FaultPlan(0.5, (kind,), seed=seed, **plan)
        choose = candidate.chooser()
        if choose() == kind and choose() is None:
            return candidate
    raise AssertionError("no such seed")


async def stats(url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http, http.get(url.removesuffix("/v1") + "/crmsim/stats") as response:
        result: dict[str, Any] = await response.json()
        return result


@asynccontextmanager
async def served_model(faults: FaultPlan | None = None, *, name: str = "crmsim-reference",
                       **settings: Any) -> AsyncIterator[tuple[OpenAIModel, str]]:
    async with serve_models(faults=faults) as url:
        endpoint = Endpoint(EndpointSettings(base_url=url, **settings))
        try:
            yield OpenAIModel(name, endpoint, send_task=True), url
        finally:
            await endpoint.aclose()


def _retries(logs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [entry for entry in logs if entry["event"] == "model_retry"]


async def test_a_completion_is_the_models_answer_with_the_servers_token_counts(task: Task) -> None:
    async with served_model() as (model, url):
        completion = await model.complete(_request(task))
        counted = await stats(url)
    expected = await ReferenceAgent().complete(_request(task))
    assert completion.text == expected.text and completion.model == "crmsim-reference"
    assert completion.usage == Usage(counted["prompt_tokens"], counted["completion_tokens"])
    assert completion.usage.total_tokens == counted["total_tokens"] > 0
    assert (completion.retries, completion.cached, completion.cost) == (0, False, 0.0)
    assert model.endpoint.stats.requests == counted["requests"] == 1


async def test_a_429_waits_at_least_retry_after_and_halves_the_concurrency(task: Task) -> None:
    plan = fails_first_only("rate_limit", retry_after=0.3)
    async with served_model(plan, max_concurrency=8) as (model, url):
        started = time.monotonic()
        with capture_logs() as logs:
            completion = await model.complete(_request(task))
        elapsed = time.monotonic() - started
        counted = await stats(url)
    assert elapsed >= 0.3
    (retry,) = _retries(logs)
    assert retry["retry_after"] == 0.3 and retry["wait_s"] >= 0.3 and retry["attempt"] == 1
    assert retry["cause"].startswith("RateLimitError: Error code: 429")
    assert completion.retries == 1 and counted["faults"]["rate_limit"] == 1 and counted["completions"] == 1
    endpoint = model.endpoint
    assert (endpoint.stats.rate_limited, endpoint.stats.retries, endpoint.stats.requests) == (1, 1, 2)
    assert endpoint.concurrency.limit == 4


@pytest.mark.parametrize(("kind", "cause"), [
    ("rate_limit", "RateLimitError"),
    ("server_error", "InternalServerError: Error code: 500"),
    ("unavailable", "InternalServerError: Error code: 503"),
    ("reset", ("APITimeoutError", "APIConnectionError")),  # aiohttp's backend sees a connect timeout
    ("timeout", "APITimeoutError"),
    ("malformed_json", "JSONDecodeError"),
])
async def test_each_retryable_fault_is_retried_and_logged_with_its_cause(task: Task, kind: FaultKind,
                                                                         cause: str | tuple[str, ...]) -> None:
    plan = fails_first_only(kind, retry_after=0.05, timeout_delay=10)
    async with served_model(plan, timeout_s=0.5) as (model, url):
        with capture_logs() as logs:
            completion = await model.complete(_request(task))
        counted = await stats(url)
    (retry,) = _retries(logs)
    assert retry["cause"].startswith(cause), retry["cause"]
    assert (retry["model"], retry["role"], retry["conversation_id"]) == ("crmsim-reference", "agent", "c-1")
    assert retry["log_level"] == "warning"
    assert completion.retries == 1 and completion.text
    assert counted["faults"][kind] == 1 and counted["completions"] == 1
    assert completion.usage == Usage(counted["prompt_tokens"], counted["completion_tokens"])
    assert model.endpoint.stats.retries == 1 and model.endpoint.stats.failures == 0


@pytest.mark.parametrize(("name", "with_task", "status"), [
    ("gpt-nope", True, "404"),  # an unknown model
    ("crmsim-reference", False, "400"),  # the reference agent needs the task
])
async def test_a_client_error_is_not_retried(task: Task, name: str, with_task: bool, status: str) -> None:
    async with served_model(name=name) as (model, url):
        request = _request(task) if with_task else CompletionRequest(
            messages=({"role": "user", "content": "hello"},), role="agent")
        with capture_logs() as logs, pytest.raises(ModelError) as caught:
            await model.complete(request)
        counted = await stats(url)
    message = str(caught.value)
    assert message.startswith(f"agent model {name}: not retryable") and f"Error code: {status}" in message
    assert (caught.value.model, caught.value.role) == (name, "agent")
    assert counted["requests"] == 1 and not _retries(logs)
    assert model.endpoint.stats.failures == 1 and model.endpoint.stats.retries == 0


async def test_giving_up_after_max_attempts_names_them(task: Task) -> None:
    async with served_model(FaultPlan(1.0, ("server_error",)), max_attempts=2) as (model, url):
        with capture_logs() as logs, pytest.raises(ModelError, match=r"gave up after 2 attempts") as caught:
            await model.complete(_request(task))
        counted = await stats(url)
    assert "InternalServerError" in str(caught.value)
    assert counted["requests"] == counted["faults"]["server_error"] == 2
    assert [entry["attempt"] for entry in _retries(logs)] == [1]
    assert (model.endpoint.stats.retries, model.endpoint.stats.failures) == (1, 1)


async def test_max_retry_time_ends_the_retries_early(task: Task) -> None:
    plan = FaultPlan(1.0, ("rate_limit",), retry_after=5)
    async with served_model(plan, max_retry_s=1.0) as (model, url):
        started = time.monotonic()
        with pytest.raises(ModelError, match="gave up after 1 attempts"):
            await model.complete(_request(task))
        assert time.monotonic() - started < 1.0  # no 5 s wait that would overrun the time allowed
        assert (await stats(url))["requests"] == 1


async def test_bad_tool_args_are_not_retried_and_reach_the_agent_as_a_malformed_turn(task: Task) -> None:
    async with served_model(FaultPlan(1.0, ("bad_tool_args",))) as (model, url):
        completion = await model.complete(_request(task, tools=AGENT_TOOLS))
        counted = await stats(url)
    assert completion.retries == 0 and counted["faults"]["bad_tool_args"] == 1
    (call,) = completion.tool_calls
    assert call.name in ("execute_soql", "execute_sosl", "respond")
    turn = turn_from_tool_call(call)
    assert turn.action == "malformed" and "not valid JSON" in turn.content
