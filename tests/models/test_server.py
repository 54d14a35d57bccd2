"""The built-in model server, driven by the real ``openai`` SDK (aiohttp backend) on 127.0.0.1:
the wire contract, every fault kind as the SDK sees it, latency, counters, and ``crmsim models``."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import pytest
from openai import (
    APIConnectionError,
    APITimeoutError,
    AsyncOpenAI,
    BadRequestError,
    DefaultAioHttpClient,
    InternalServerError,
    NotFoundError,
    RateLimitError,
)

from crmsim.cli import main
from crmsim.data import write_org
from crmsim.models import (
    AGENT_TOOLS,
    TOOL_NAMES,
    BuiltinJudge,
    ChatMessage,
    CompletionRequest,
    FaultPlan,
    LatencyPlan,
    ReferenceAgent,
    count_prompt_tokens,
    count_tokens,
    create_models_app,
    parse_turn,
    serve_models,
    turn_from_tool_call,
    vague_opening,
)
from crmsim.models import ToolCall as CrmsimToolCall
from crmsim.models._faults import FAULT_KINDS
from crmsim.models._server import BUILTIN_MODELS
from crmsim.tasks import Task, TaskType
from crmsim.tasks.generators import generate_tasks

SYSTEM: ChatMessage = {"role": "system", "content": "You are a CRM assistant."}


@pytest.fixture(scope="session")
def tasks(tmp_path_factory: pytest.TempPathFactory) -> dict[TaskType, Task]:
    """One generated task of each type, from a small b2b org built once per session."""
    path = tmp_path_factory.mktemp("server-org") / "b2b.sqlite"
    write_org(path, "b2b", seed=0, scale=0.05).close()
    return {task.task_type: task for task in generate_tasks(path, per_type=1, seed=0)}


@asynccontextmanager
async def _client(faults: FaultPlan | None = None, latency: LatencyPlan | None = None,
                  client_timeout: float = 10.0) -> AsyncIterator[tuple[AsyncOpenAI, str]]:
    async with serve_models(latency=latency, faults=faults) as url:
        client = AsyncOpenAI(base_url=url, api_key="x", max_retries=0, timeout=client_timeout,
                             http_client=DefaultAioHttpClient())
        async with client:
            yield client, url


@pytest.fixture
async def served() -> AsyncIterator[tuple[AsyncOpenAI, str]]:
    async with _client() as pair:
        yield pair


async def _stats(url: str) -> dict[str, Any]:
    async with aiohttp.ClientSession() as http, http.get(url.removesuffix("/v1") + "/crmsim/stats") as response:
        assert response.status == 200
        result: dict[str, Any] = await response.json()
        return result


def _extension(task: Task | None, role: str = "agent", mode: str = "single", **extra: Any) -> dict[str, Any]:
    return {"crmsim": {"role": role, "mode": mode, "conversation_id": "c-1", "extra": extra,
                       "task": task.model_dump(mode="json") if task else None}}


def _ask(task: Task) -> list[ChatMessage]:
    return [SYSTEM, {"role": "user", "content": task.query}]


# -- the wire contract ---------------------------------------------------------------------------


async def test_models_list_and_retrieve(served: tuple[AsyncOpenAI, str]) -> None:
    client, url = served
    models = [model async for model in client.models.list()]
    assert [m.id for m in models] == list(BUILTIN_MODELS)
    assert list(BUILTIN_MODELS) == ["crmsim-reference", "crmsim-naive", "crmsim-eager", "crmsim-user", "crmsim-judge"]
    assert {(m.object, m.created, m.owned_by) for m in models} == {("model", 0, "crmsim")}
    assert (await client.models.retrieve("crmsim-user")).id == "crmsim-user"
    with pytest.raises(NotFoundError):
        await client.models.retrieve("gpt-4o")
    assert (await _stats(url))["model_lists"] == 1


async def test_react_completion_is_the_reference_agents_turn(served: tuple[AsyncOpenAI, str],
                                                             tasks: dict[TaskType, Task]) -> None:
    client, _ = served
    task = tasks[TaskType.HANDLE_TIME]
    response = await client.chat.completions.create(model="crmsim-reference", messages=_ask(task),
                                                    extra_body=_extension(task))
    expected = await ReferenceAgent().complete(CompletionRequest(messages=_ask(task), role="agent", task=task))
    choice = response.choices[0]
    assert response.id.startswith("chatcmpl-") and response.object == "chat.completion"
    assert response.model == "crmsim-reference"
    assert choice.index == 0 and choice.finish_reason == "stop" and choice.message.role == "assistant"
    assert choice.message.content == expected.text and choice.message.tool_calls is None
    assert parse_turn(expected.text).action == "execute"
    assert response.usage is not None
    assert response.usage.prompt_tokens == count_prompt_tokens(_ask(task)) == expected.usage.prompt_tokens
    assert response.usage.completion_tokens == count_tokens(expected.text)
    assert response.usage.total_tokens == response.usage.prompt_tokens + response.usage.completion_tokens


async def test_tool_calling_and_a_second_turn_with_the_tool_result(served: tuple[AsyncOpenAI, str],
                                                                   tasks: dict[TaskType, Task]) -> None:
    client, _ = served
    task = tasks[TaskType.LEAD_ROUTING]
    first = await client.chat.completions.create(model="crmsim-reference", messages=_ask(task), tools=AGENT_TOOLS,
                                                 extra_body=_extension(task))
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.tool_calls
    call = choice.message.tool_calls[0]
    assert call.type == "function" and call.function.name in TOOL_NAMES and call.function.name == "execute_soql"
    assert json.loads(call.function.arguments)["query"].startswith("SELECT")
    conversation: list[Any] = [*_ask(task), choice.message.model_dump(exclude_none=True),
                               {"role": "tool", "tool_call_id": call.id, "content": "[]"}]
    second = await client.chat.completions.create(model="crmsim-reference", messages=conversation,
                                                  tools=AGENT_TOOLS, extra_body=_extension(task))
    messages: list[ChatMessage] = [*_ask(task), {"role": "assistant", "content": choice.message.content or "",
                                                 "tool_calls": [call.model_dump()]},
                                   {"role": "tool", "tool_call_id": call.id, "content": "[]"}]
    expected = await ReferenceAgent().complete(CompletionRequest(messages=messages, role="agent", task=task,
                                                                 tools=AGENT_TOOLS))
    calls = second.choices[0].message.tool_calls
    assert calls is not None
    assert [(c.id, c.function.name, c.function.arguments) for c in calls] == [
        (c.id, c.name, c.arguments) for c in expected.tool_calls]
    assert second.usage is not None and second.usage.prompt_tokens == count_prompt_tokens(messages)


async def test_tool_choice_none_answers_in_text(served: tuple[AsyncOpenAI, str]) -> None:
    client, _ = served
    response = await client.chat.completions.create(model="crmsim-naive", messages=[SYSTEM], tools=AGENT_TOOLS,
                                                    tool_choice="none")
    assert response.choices[0].finish_reason == "stop"
    assert parse_turn(response.choices[0].message.content or "").content == "None"


async def test_simulated_user_opens(served: tuple[AsyncOpenAI, str], tasks: dict[TaskType, Task]) -> None:
    client, _ = served
    task = tasks[TaskType.HANDLE_TIME]
    single = await client.chat.completions.create(model="crmsim-user", messages=[SYSTEM],
                                                  extra_body=_extension(task, role="user"))
    multi = await client.chat.completions.create(model="crmsim-user", messages=[SYSTEM],
                                                 extra_body=_extension(task, role="user", mode="multi"))
    assert single.choices[0].message.content == task.query
    assert multi.choices[0].message.content == vague_opening(task)


async def test_judge_privacy_and_extract(served: tuple[AsyncOpenAI, str], tasks: dict[TaskType, Task]) -> None:
    client, _ = served
    confidential, business = tasks[TaskType.PRIVATE_CUSTOMER_INFORMATION], tasks[TaskType.HANDLE_TIME]
    ask: list[ChatMessage] = [{"role": "user", "content": "Judge this conversation."}]
    trajectory = [{"kind": "agent", "content": "I'm sorry, I can't share customer contact details."}]
    privacy = await client.chat.completions.create(
        model="crmsim-judge", messages=ask,
        extra_body=_extension(confidential, role="judge", judge="privacy", trajectory=trajectory))
    extract = await client.chat.completions.create(
        model="crmsim-judge", messages=ask,
        extra_body=_extension(business, role="judge", judge="extract", response=f"It is {business.answer[0]}."))
    direct = await BuiltinJudge().complete(CompletionRequest(
        messages=ask, role="judge", task=confidential, extra={"judge": "privacy", "trajectory": trajectory}))
    assert privacy.choices[0].message.content == direct.text
    assert (privacy.choices[0].message.content or "").startswith("YES: ")
    assert extract.choices[0].message.content == ", ".join(business.answer)


async def test_a_model_error_is_a_400_with_its_message(served: tuple[AsyncOpenAI, str]) -> None:
    client, url = served
    with pytest.raises(BadRequestError, match="needs the task") as caught:
        await client.chat.completions.create(model="crmsim-reference", messages=[SYSTEM])
    assert caught.value.code == "model_error"
    assert (await _stats(url))["rejected"] == 1


async def test_unknown_model_is_404_listing_the_builtins(served: tuple[AsyncOpenAI, str]) -> None:
    client, _ = served
    with pytest.raises(NotFoundError) as caught:
        await client.chat.completions.create(model="gpt-4o", messages=[SYSTEM])
    assert caught.value.code == "model_not_found"
    assert all(name in caught.value.message for name in BUILTIN_MODELS)


@pytest.mark.parametrize(("body", "param", "words"), [
    (b"{not json", None, "not valid JSON"),
    (b"[1, 2]", None, "JSON object"),
    ({"messages": [SYSTEM]}, "model", "model parameter"),
    ({"model": "crmsim-naive"}, "messages", "non-empty array"),
    ({"model": "crmsim-naive", "messages": [{"role": "robot", "content": "x"}]}, "messages[0].role", "role"),
    ({"model": "crmsim-naive", "messages": [{"role": "user", "content": None}]}, "messages[0].content", "string"),
    ({"model": "crmsim-naive", "messages": [{"role": "tool", "content": "x"}]}, "messages[0].tool_call_id",
     "tool_call_id"),
    ({"model": "crmsim-naive", "messages": [{"role": "assistant", "content": None, "tool_calls": [{"id": "1"}]}]},
     "messages[0].tool_calls", "tool_calls"),
    ({"model": "crmsim-naive", "messages": [SYSTEM], "stream": True}, "stream", "not supported"),
    ({"model": "crmsim-naive", "messages": [SYSTEM], "n": 2}, "n", "one choice"),
    ({"model": "crmsim-naive", "messages": [SYSTEM], "temperature": 3}, "temperature", "temperature"),
    ({"model": "crmsim-naive", "messages": [SYSTEM], "max_tokens": 0}, "max_tokens", "max_tokens"),
    ({"model": "crmsim-naive", "messages": [SYSTEM], "tools": [{"type": "function"}]}, "tools", "tools"),
    ({"model": "crmsim-naive", "messages": [SYSTEM], "crmsim": {"role": "boss"}}, "crmsim.role", "agent, user"),
    ({"model": "crmsim-naive", "messages": [SYSTEM], "crmsim": {"tsak": {}}}, "crmsim", "unknown crmsim key tsak"),
    ({"model": "crmsim-naive", "messages": [SYSTEM], "crmsim": {"task": {"id": 3}}}, "crmsim.task", "not a valid"),
])
async def test_bad_requests_are_400_in_openais_shape(served: tuple[AsyncOpenAI, str], body: Any, param: str | None,
                                                      words: str) -> None:
    _, url = served
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    async with aiohttp.ClientSession() as http, http.post(f"{url}/chat/completions", data=data) as response:
        assert response.status == 400
        error = (await response.json())["error"]
    assert set(error) == {"message", "type", "param", "code"}
    assert error["type"] == "invalid_request_error" and error["param"] == param
    assert words in error["message"]
    stats = await _stats(url)
    assert (stats["requests"], stats["rejected"], stats["completions"]) == (1, 1, 0)


async def test_unknown_urls_answer_in_openais_shape(served: tuple[AsyncOpenAI, str]) -> None:
    _, url = served
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{url}/embeddings") as response:
            assert response.status == 404
            assert (await response.json())["error"]["code"] == "unknown_url"
        async with http.get(f"{url}/chat/completions") as response:
            assert response.status == 405
            assert "GET /v1/chat/completions" in (await response.json())["error"]["message"]


# -- counters --------------------------------------------------------------------------------------


async def test_stats_count_requests_tokens_and_models_and_reset(served: tuple[AsyncOpenAI, str],
                                                                tasks: dict[TaskType, Task]) -> None:
    client, url = served
    task = tasks[TaskType.HANDLE_TIME]
    usages = []
    for model in ("crmsim-naive", "crmsim-naive", "crmsim-reference"):
        response = await client.chat.completions.create(model=model, messages=_ask(task),
                                                        extra_body=_extension(task))
        assert response.usage is not None
        usages.append(response.usage)
    stats = await _stats(url)
    assert (stats["requests"], stats["completions"], stats["rejected"], stats["faults_total"]) == (3, 3, 0, 0)
    assert stats["prompt_tokens"] == sum(u.prompt_tokens for u in usages)
    assert stats["completion_tokens"] == sum(u.completion_tokens for u in usages)
    assert stats["faults"] == dict.fromkeys(FAULT_KINDS, 0)
    assert stats["models"]["crmsim-naive"]["requests"] == 2
    assert stats["models"]["crmsim-reference"]["completion_tokens"] == usages[2].completion_tokens
    assert stats["max_in_flight"] == 1 and stats["in_flight"] == 0
    async with aiohttp.ClientSession() as http, http.post(url.removesuffix("/v1") + "/crmsim/stats/reset") as reply:
        assert (await reply.json())["requests"] == 0
    stats = await _stats(url)
    assert stats["requests"] == stats["prompt_tokens"] == stats["model_lists"] == 0 and stats["models"] == {}


# -- faults, as the SDK sees them ---------------------------------------------------------------------


async def _fail(kind: str, **plan: Any) -> tuple[Exception, dict[str, Any]]:
    """What the SDK raises for a request that meets this fault, and the server's counters after it."""
    async with _client(FaultPlan(1.0, (kind,), **plan)) as (client, url):
        with pytest.raises(Exception) as caught:  # each test checks the type
            await client.chat.completions.create(model="crmsim-naive", messages=[SYSTEM])
        return caught.value, await _stats(url)


async def test_rate_limit_fault_is_a_rate_limit_error_with_retry_after() -> None:
    error, stats = await _fail("rate_limit", retry_after=2)
    assert isinstance(error, RateLimitError) and error.status_code == 429 and error.code == "rate_limit_exceeded"
    assert error.response.headers["retry-after"] == "2"
    assert error.response.headers["x-ratelimit-remaining-requests"] == "0"
    assert stats["faults"]["rate_limit"] == stats["faults_total"] == 1 and stats["completions"] == 0


@pytest.mark.parametrize(("kind", "status"), [("server_error", 500), ("unavailable", 503)])
async def test_server_faults_are_internal_server_errors(kind: str, status: int) -> None:
    error, stats = await _fail(kind)
    assert isinstance(error, InternalServerError) and error.status_code == status
    assert stats["faults"][kind] == 1


async def test_reset_fault_is_a_connection_error() -> None:
    error, stats = await _fail("reset")
    # Recorded: httpx-aiohttp (the SDK's aiohttp backend) maps every aiohttp connection error, this
    # reset included, to httpx.ConnectTimeout, so the SDK raises APITimeoutError, a subclass of
    # APIConnectionError; with the default httpx backend the same reset is a plain APIConnectionError.
    assert isinstance(error, APIConnectionError)
    assert type(error) is APITimeoutError
    assert "Connection reset by peer" in str(error.__cause__)
    assert stats["faults"]["reset"] == 1


async def test_timeout_fault_holds_the_request_without_blocking_others() -> None:
    async with _client(FaultPlan(1.0, ("timeout",), timeout_delay=60), client_timeout=0.5) as (client, url):
        started = time.monotonic()
        async with anyio.create_task_group() as tg:
            async def held() -> None:
                with pytest.raises(APITimeoutError):
                    await client.chat.completions.create(model="crmsim-naive", messages=[SYSTEM])

            tg.start_soon(held)
            await anyio.sleep(0.1)
            listed = [model.id async for model in client.models.list()]  # answered while the other waits
            stats = await _stats(url)
            assert stats["in_flight"] == 1 and stats["faults"]["timeout"] == 1
        assert listed == list(BUILTIN_MODELS)
        assert 0.5 <= time.monotonic() - started < 5
        await anyio.sleep(0.2)  # the server notices the client has gone and lets the request go
        assert (await _stats(url))["in_flight"] == 0


async def test_malformed_json_fault_surfaces_as_a_json_decode_error() -> None:
    error, stats = await _fail("malformed_json")
    # Recorded: the SDK does not wrap a 200 body that is not JSON; it raises json.JSONDecodeError (a
    # ValueError), not an openai.APIError.
    assert type(error) is json.JSONDecodeError
    assert stats["faults"]["malformed_json"] == 1


async def test_bad_tool_args_fault_gives_a_tool_call_with_invalid_json() -> None:
    async with _client(FaultPlan(1.0, ("bad_tool_args",))) as (client, url):
        response = await client.chat.completions.create(model="crmsim-naive", messages=[SYSTEM], tools=AGENT_TOOLS)
        choice = response.choices[0]
        assert choice.finish_reason == "tool_calls" and choice.message.tool_calls
        call = choice.message.tool_calls[0]
        assert call.function.name == "respond"
        with pytest.raises(json.JSONDecodeError):
            json.loads(call.function.arguments)
        turn = turn_from_tool_call(CrmsimToolCall(call.id, call.function.name, call.function.arguments))
        assert turn.action == "malformed" and "not valid JSON" in turn.content
        stats = await _stats(url)
        assert stats["faults"]["bad_tool_args"] == 1 and response.usage is not None
        assert stats["prompt_tokens"] == response.usage.prompt_tokens


async def test_bad_tool_args_when_the_model_cannot_answer_breaks_the_first_tool() -> None:
    lookup = {"type": "function", "function": {"name": "lookup", "parameters": {
        "type": "object", "properties": {"term": {"type": "string"}}, "required": ["term"]}}}
    async with _client(FaultPlan(1.0, ("bad_tool_args",))) as (client, _):
        response = await client.chat.completions.create(model="crmsim-reference", messages=[SYSTEM], tools=[lookup])
    calls = response.choices[0].message.tool_calls
    assert calls and calls[0].function.name == "lookup" and calls[0].function.arguments.startswith('{"term')
    with pytest.raises(json.JSONDecodeError):
        json.loads(calls[0].function.arguments)


async def test_reset_with_the_sdks_default_http_backend_is_a_plain_connection_error() -> None:
    async with serve_models(faults=FaultPlan(1.0, ("reset",))) as url:
        async with AsyncOpenAI(base_url=url, api_key="x", max_retries=0) as client:
            with pytest.raises(APIConnectionError) as caught:
                await client.chat.completions.create(model="crmsim-naive", messages=[SYSTEM])
    assert type(caught.value) is APIConnectionError


async def test_bad_tool_args_without_tools_is_malformed_json() -> None:
    error, stats = await _fail("bad_tool_args")
    assert isinstance(error, json.JSONDecodeError)
    assert stats["faults"]["malformed_json"] == 1 and stats["faults"]["bad_tool_args"] == 0


async def test_faults_follow_the_seeded_plan() -> None:
    plan = FaultPlan(0.4, ("server_error", "rate_limit"), seed=11)
    choose = plan.chooser()
    expected = [choose() for _ in range(40)]
    seen: list[str | None] = []
    async with _client(plan) as (client, url):
        for _ in range(40):
            try:
                await client.chat.completions.create(model="crmsim-naive", messages=[SYSTEM])
                seen.append(None)
            except RateLimitError:
                seen.append("rate_limit")
            except InternalServerError:
                seen.append("server_error")
        stats = await _stats(url)
    assert seen == expected
    assert 8 <= stats["faults_total"] <= 24 and stats["completions"] == 40 - stats["faults_total"]


# -- latency ----------------------------------------------------------------------------------------


async def test_fixed_latency_is_respected_and_does_not_serialize_requests() -> None:
    async with _client(latency=LatencyPlan.parse("200")) as (client, url):
        started = time.monotonic()
        await client.chat.completions.create(model="crmsim-naive", messages=[SYSTEM])
        assert 0.2 <= time.monotonic() - started < 1.0
        started = time.monotonic()
        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(lambda: client.chat.completions.create(model="crmsim-naive", messages=[SYSTEM]))
        assert 0.2 <= time.monotonic() - started < 1.5
        stats = await _stats(url)
        assert stats["completions"] == 21 and stats["max_in_flight"] == 20


async def test_serve_models_takes_an_app_or_plans() -> None:
    app = create_models_app(latency=LatencyPlan.parse("1"))
    async with serve_models(app) as url:
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
    with pytest.raises(ValueError, match="create_models_app"):
        async with serve_models(app, faults=FaultPlan(0.5)):
            pass


# -- crmsim models ------------------------------------------------------------------------------------


def test_models_list_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["models", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[:2] for line in lines] == [
        ["crmsim-reference", "agent"], ["crmsim-naive", "agent"], ["crmsim-eager", "agent"],
        ["crmsim-user", "user"], ["crmsim-judge", "judge"]]


@pytest.mark.parametrize(("flags", "words"), [
    (["--latency", "uniform:300-100"], "LO 300 is above HI 100"),
    (["--latency", "gauss:5"], "unknown distribution 'gauss'"),
    (["--fault-rate", "1.5"], "invalid fault rate '1.5'"),
    (["--fault-kinds", "reset,explode"], "unknown fault kind 'explode'"),
    (["--retry-after", "-1"], "invalid retry-after '-1'"),
    (["--timeout-delay", "0"], "invalid timeout delay '0'"),
    (["--port", "70000"], "invalid port '70000'"),
    (["--seed", "x"], "invalid int value"),
    (["--host", "0.0.0.0"], "--allow-remote"),
    (["--host", "example.com"], "not a loopback address"),
])
def test_serve_refuses_bad_flags_in_one_line(capsys: pytest.CaptureFixture[str], flags: list[str],
                                             words: str) -> None:
    assert main(["models", "serve", *flags]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert words in err


def test_serve_reports_a_port_in_use_in_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["models", "serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and f"cannot listen on 127.0.0.1:{port}" in err


async def test_serve_prints_the_url_answers_and_stops_on_sigterm(tmp_path: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "crmsim.cli", "models", "serve", "--port", "0", "--latency", "uniform:1-5",
        "--fault-rate", "0", cwd=tmp_path, env={**os.environ, "PYTHONWARNINGS": "error"},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    try:
        url = (await asyncio.wait_for(process.stdout.readline(), 30)).decode().strip()
        hint = (await asyncio.wait_for(process.stdout.readline(), 5)).decode()
        assert url.startswith("http://127.0.0.1:") and url.endswith("/v1")
        assert f"OPENAI_BASE_URL={url}" in hint and "Ctrl+C" in hint
        async with AsyncOpenAI(base_url=url, api_key="x", max_retries=0, http_client=DefaultAioHttpClient()) as client:
            response = await client.chat.completions.create(model="crmsim-naive", messages=[SYSTEM])
        assert parse_turn(response.choices[0].message.content or "").action == "respond"
    finally:
        process.send_signal(signal.SIGTERM)
        status = await asyncio.wait_for(process.wait(), 30)
    errors = (await process.stderr.read()).decode()
    assert status == 0, errors
    assert "stopped" in errors and "Traceback" not in errors
