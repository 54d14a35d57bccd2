"""The response cache (SQLite, keyed by everything that shapes a completion) and the price table."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from structlog.testing import capture_logs

from crmsim.errors import ConfigError
from crmsim.models import (
    DEFAULT_PRICES,
    Completion,
    CompletionRequest,
    Endpoint,
    EndpointSettings,
    OpenAIModel,
    Price,
    PriceTable,
    ResponseCache,
    ToolCall,
    Usage,
    cache_key,
    serve_models,
)
from crmsim.tasks import Task

COMPLETION = Completion(text="<thought>look</thought>", model="gpt-4o", usage=Usage(120, 7), cost=0.5,
                        tool_calls=(ToolCall("call_1", "execute_soql", '{"query": "SELECT Id FROM Case"}'),
                                    ToolCall("call_2", "respond", '{"content": "é ✓"}')), retries=2)


async def test_a_round_trip_keeps_text_tool_calls_and_usage(tmp_path: Path) -> None:
    path = tmp_path / "cache" / "responses.sqlite"
    cache = ResponseCache(path)
    assert await cache.get("k") is None
    await cache.put("k", COMPLETION)
    got = await cache.get("k")
    assert got is not None
    assert (got.text, got.model, got.usage, got.tool_calls) == (COMPLETION.text, COMPLETION.model, COMPLETION.usage,
                                                                 COMPLETION.tool_calls)
    assert got.cached and got.cost == 0.0 and got.retries == 0  # a replay costs nothing and took no retries
    assert (cache.hits, cache.misses) == (1, 1)
    cache.close()
    reopened = ResponseCache(path, "read")
    assert (await reopened.get("k")) == got
    reopened.close()


async def test_read_mode_replays_but_never_writes(tmp_path: Path) -> None:
    path = tmp_path / "responses.sqlite"
    writer = ResponseCache(path)
    await writer.put("old", COMPLETION)
    writer.close()
    reader = ResponseCache(path, "read")
    await reader.put("new", COMPLETION)
    assert await reader.get("new") is None
    assert (await reader.get("old")) is not None
    reader.close()


async def test_off_mode_touches_no_file(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "responses.sqlite"
    cache = ResponseCache(path, "off")
    await cache.put("k", COMPLETION)
    assert await cache.get("k") is None
    assert not path.exists() and not path.parent.exists()
    cache.close()


def test_an_unknown_mode_or_unusable_path_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown cache mode 'write'; choose from read-write, read, off"):
        ResponseCache(tmp_path / "c.sqlite", "write")  # type: ignore[arg-type]
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(ConfigError, match="cannot open the response cache"):
        ResponseCache(blocker / "c.sqlite")


_TEXT = st.text(st.characters(codec="utf-8"), max_size=200)


@settings(max_examples=50, deadline=None)
@given(text=_TEXT, prompt=st.integers(0, 10**9), completion=st.integers(0, 10**9),
       calls=st.lists(st.tuples(_TEXT, _TEXT, _TEXT), max_size=3))
def test_any_completion_survives_the_cache(text: str, prompt: int, completion: int,
                                           calls: list[tuple[str, str, str]]) -> None:
    stored = Completion(text=text, model="m", usage=Usage(prompt, completion),
                        tool_calls=tuple(ToolCall(*call) for call in calls))

    async def round_trip() -> Completion | None:
        with tempfile.TemporaryDirectory() as directory:
            cache = ResponseCache(Path(directory) / "c.sqlite")
            try:
                await cache.put("key", stored)
                return await cache.get("key")
            finally:
                cache.close()

    got = anyio.run(round_trip)
    assert got is not None and got == Completion(text=text, model="m", usage=stored.usage,
                                                 tool_calls=stored.tool_calls, cached=True)


# -- keys -----------------------------------------------------------------------------------------

BODY: dict[str, Any] = {
    "base_url": "http://127.0.0.1:8000/v1", "model": "crmsim-reference",
    "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "q"}],
    "tools": [{"type": "function", "function": {"name": "respond"}}],
    "extra_body": {"crmsim": {"role": "agent", "mode": "single", "conversation_id": "t:single:default:1"}}}


@pytest.mark.parametrize("change", [
    {"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "q2"}]},
    {"tools": [{"type": "function", "function": {"name": "execute_soql"}}]},
    {"model": "crmsim-naive"},
    {"base_url": "http://127.0.0.1:8001/v1"},
    {"temperature": 0.0},
    {"extra_body": {"crmsim": {"role": "agent", "mode": "single", "conversation_id": "t:single:default:2"}}},
])
def test_a_key_differs_when_anything_that_shapes_the_answer_differs(change: dict[str, Any]) -> None:
    assert cache_key({**BODY, **change}) != cache_key(BODY)


def test_a_key_does_not_depend_on_key_order() -> None:
    assert cache_key(dict(reversed(list(BODY.items())))) == cache_key(BODY)
    assert len(cache_key(BODY)) == 64


async def test_a_cached_model_answers_a_repeated_request_without_the_endpoint(tmp_path: Path,
                                                                            generated_tasks: list[Task]) -> None:
    task = generated_tasks[0]
    cache = ResponseCache(tmp_path / "responses.sqlite")

    def request(conversation_id: str) -> CompletionRequest:
        return CompletionRequest(messages=({"role": "user", "content": task.query},), role="agent", task=task,
                                 conversation_id=conversation_id)

    async with serve_models() as url:
        endpoint = Endpoint(EndpointSettings(base_url=url))
        model = OpenAIModel("crmsim-reference", endpoint, send_task=True, cache=cache)
        try:
            first = await model.complete(request("c-1"))
            again = await model.complete(request("c-1"))
            other = await model.complete(request("c-2"))  # another conversation: its own sample
        finally:
            await endpoint.aclose()
            cache.close()
        async with aiohttp.ClientSession() as http, http.get(url.removesuffix("/v1") + "/crmsim/stats") as reply:
            stats = await reply.json()
    assert not first.cached and again.cached and not other.cached
    assert (again.text, again.usage) == (first.text, first.usage)
    assert stats["requests"] == 2 == endpoint.stats.requests


# -- prices ---------------------------------------------------------------------------------------


def test_default_prices_and_cost() -> None:
    table = PriceTable()
    assert table.price("gpt-4o") == DEFAULT_PRICES["gpt-4o"] == Price(2.50, 10.00)
    assert table.price("gpt-4o").cost(1_000_000, 100_000) == pytest.approx(3.50)
    assert table.price("gpt-4o-mini").cost(2_000_000, 0) == pytest.approx(0.30)


def test_a_dated_snapshot_costs_what_its_family_costs() -> None:
    table = PriceTable()
    assert table.price("gpt-4o-2024-08-06") == DEFAULT_PRICES["gpt-4o"]
    assert table.price("gpt-4o-mini-2024-07-18") == DEFAULT_PRICES["gpt-4o-mini"]  # the longest family wins
    assert table.price("gpt-4.1-nano-2025-04-14") == DEFAULT_PRICES["gpt-4.1-nano"]


def test_extra_prices_add_and_override() -> None:
    table = PriceTable({"gpt-4o": Price(1, 2), "my-finetune": Price(0.5, 1.5)})
    assert table.price("gpt-4o") == Price(1, 2) and table.price("gpt-4o-2024-08-06") == Price(1, 2)
    assert table.price("my-finetune") == Price(0.5, 1.5)
    assert table.price("gpt-4.1") == DEFAULT_PRICES["gpt-4.1"]


def test_builtins_are_free_and_unknown_models_free_with_one_warning() -> None:
    table = PriceTable()
    with capture_logs() as logs:
        assert table.price("crmsim-reference") == Price(0, 0)
        assert table.price("crmsim-judge").cost(10**6, 10**6) == 0.0
        assert table.price("mystery-model") == Price(0, 0)
        assert table.price("mystery-model") == Price(0, 0)
        assert table.price("other-model") == Price(0, 0)
    warnings = [(entry["event"], entry["model"], entry["log_level"]) for entry in logs]
    assert warnings == [("no_price", "mystery-model", "warning"), ("no_price", "other-model", "warning")]
