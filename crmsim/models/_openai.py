"""Models over HTTP through the ``openai`` SDK: any OpenAI-compatible endpoint, or crmsim's own
server (``crmsim models serve``), which also receives the task in a request extension.

One :class:`Endpoint` per base URL and key (one SDK client on the aiohttp backend, its rate limits
and adaptive concurrency), shared by every role that uses it. The SDK's own retries are off: crmsim
retries 429, 5xx, timeouts, dropped connections and unreadable bodies itself, with exponential
backoff and jitter, honouring Retry-After, within a number of attempts and a total time, and logs
every retry with its cause (tenacity drives the attempts).
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

import anyio
import openai
import structlog
from openai import AsyncOpenAI, DefaultAioHttpClient
from openai.types.chat import ChatCompletion
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception,
    stop_after_attempt,
    stop_after_delay,
    stop_any,
)
from tenacity.stop import stop_base

from crmsim.errors import ModelError

from ._base import Completion, CompletionRequest, Model, ToolCall, Usage
from ._cache import ResponseCache, cache_key
from ._limits import AdaptiveConcurrency, RateLimits
from ._prices import PriceTable
from ._tokens import count_prompt_tokens, count_tokens

log = structlog.get_logger("crmsim.models")

_RETRYABLE = (openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError,
              openai.APIResponseValidationError, ValueError)
_RETRYABLE_STATUS = frozenset({408, 409, 429})


@dataclass(frozen=True)
class EndpointSettings:
    base_url: str
    api_key: str = field(default="crmsim", repr=False)
    rpm: float | None = None
    tpm: float | None = None
    max_concurrency: int = 256
    timeout_s: float = 120.0
    max_attempts: int = 8
    max_retry_s: float = 600.0


@dataclass
class EndpointStats:
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0
    failures: int = 0


class Endpoint:
    def __init__(self, settings: EndpointSettings) -> None:
        self.settings = settings
        self.client = AsyncOpenAI(base_url=settings.base_url, api_key=settings.api_key, max_retries=0,
                                  timeout=settings.timeout_s, http_client=DefaultAioHttpClient())
        self.concurrency = AdaptiveConcurrency(settings.max_concurrency, maximum=settings.max_concurrency)
        self.rates = RateLimits(settings.rpm, settings.tpm)
        self.stats = EndpointStats()

    async def aclose(self) -> None:
        await self.client.close()


class EndpointPool:
    """Endpoints by (base URL, key): one SDK client each, however many roles use it."""

    def __init__(self) -> None:
        self._endpoints: dict[tuple[str, str], Endpoint] = {}

    def get(self, settings: EndpointSettings) -> Endpoint:
        key = (settings.base_url, settings.api_key)
        if key not in self._endpoints:
            self._endpoints[key] = Endpoint(settings)
        return self._endpoints[key]

    @property
    def retries(self) -> int:
        return sum(e.stats.retries for e in self._endpoints.values())

    async def aclose(self) -> None:
        """Close the SDK clients; the statistics stay readable."""
        for endpoint in self._endpoints.values():
            await endpoint.aclose()


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


class _RetryAfterOverruns(stop_base):
    """Stop now when the server asks for a wait that would end past the time allowed."""

    def __init__(self, started: float, limit_s: float) -> None:
        self.started = started
        self.limit_s = limit_s

    def __call__(self, retry_state: RetryCallState) -> bool:
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        retry_after = _retry_after(exc) if exc else None
        return retry_after is not None and time.monotonic() - self.started + retry_after > self.limit_s


def _cause(exc: BaseException | None) -> str:
    return f"{type(exc).__name__}: {str(exc)[:200]}" if exc is not None else "unknown"


def _retryable(exc: BaseException) -> bool:
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in _RETRYABLE_STATUS or exc.status_code >= 500
    return isinstance(exc, _RETRYABLE)


def backoff(attempt: int, retry_after: float | None, *, base: float = 0.5, cap: float = 30.0) -> float:
    """Seconds before retry ``attempt`` (1 = the first retry): full-jitter exponential, at least Retry-After."""
    wait = random.uniform(0, min(cap, base * 2 ** attempt))
    return max(wait, retry_after + random.uniform(0, 0.1 * retry_after + 0.05)) if retry_after is not None else wait


class OpenAIModel(Model):
    def __init__(self, name: str, endpoint: Endpoint, *, send_task: bool = False, temperature: float | None = None,
                 max_tokens: int | None = None, prices: PriceTable | None = None,
                 cache: ResponseCache | None = None) -> None:
        self.name = name
        self.endpoint = endpoint
        self.send_task = send_task
        self.temperature = temperature
        self.max_tokens = max_tokens
        self.prices = prices or PriceTable()
        self.cache = cache

    def _body(self, request: CompletionRequest) -> dict[str, Any]:
        body: dict[str, Any] = {"model": self.name, "messages": [dict(m) for m in request.messages]}
        if request.tools:
            body["tools"] = list(request.tools)
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.max_tokens is not None:
            body["max_tokens"] = self.max_tokens
        if self.send_task:
            body["crmsim"] = {
                "role": request.role, "mode": request.mode, "conversation_id": request.conversation_id,
                "task": request.task.model_dump(mode="json") if request.task else None, "extra": dict(request.extra)}
        return body

    async def complete(self, request: CompletionRequest) -> Completion:
        body = self._body(request)
        key = None
        if self.cache is not None and self.cache.mode != "off":
            key = cache_key({"base_url": self.endpoint.settings.base_url, **body})
            cached = await self.cache.get(key)
            if cached is not None:
                return cached
        estimated = count_prompt_tokens(request.messages) + (self.max_tokens or 256)
        completion = await self._call(request, body, estimated)
        if key is not None and self.cache is not None:
            await self.cache.put(key, completion)
        return completion

    async def _call(self, request: CompletionRequest, body: dict[str, Any], estimated: int) -> Completion:
        settings, stats = self.endpoint.settings, self.endpoint.stats
        started = time.monotonic()

        def wait(state: RetryCallState) -> float:
            exc = state.outcome.exception() if state.outcome else None
            pause = backoff(state.attempt_number, _retry_after(exc) if exc else None)
            return min(pause, max(0.0, settings.max_retry_s - (time.monotonic() - started)))

        def before_sleep(state: RetryCallState) -> None:
            exc = state.outcome.exception() if state.outcome else None
            stats.retries += 1
            log.warning("model_retry", model=self.name, role=request.role, attempt=state.attempt_number,
                        wait_s=round(state.upcoming_sleep, 3), retry_after=_retry_after(exc) if exc else None,
                        cause=_cause(exc), conversation_id=request.conversation_id)

        retrying = AsyncRetrying(
            stop=stop_any(stop_after_attempt(settings.max_attempts), stop_after_delay(settings.max_retry_s),
                          _RetryAfterOverruns(started, settings.max_retry_s)),
            wait=wait, retry=retry_if_exception(_retryable), before_sleep=before_sleep, reraise=True,
            sleep=anyio.sleep)
        try:
            async for attempt in retrying:
                with attempt:
                    completion = await self._attempt(request, body, estimated,
                                                     attempt.retry_state.attempt_number - 1)
        except Exception as exc:  # noqa: BLE001 - every final failure becomes a ModelError
            stats.failures += 1
            elapsed = time.monotonic() - started
            tries = retrying.statistics.get("attempt_number", 1)
            why = "not retryable" if not _retryable(exc) else f"gave up after {tries} attempts"
            raise ModelError(f"{why} ({elapsed:.1f} s): {_cause(exc)}", model=self.name, role=request.role) from exc
        return completion

    async def _attempt(self, request: CompletionRequest, body: dict[str, Any], estimated: int,
                       retries: int) -> Completion:
        await self.endpoint.rates.acquire(estimated)
        try:
            async with self.endpoint.concurrency.slot():
                self.endpoint.stats.requests += 1
                # The body is already plain JSON in the API's shape: posting it skips the SDK's
                # per-call parameter transform (about half its CPU per call) and keeps its
                # response parsing, errors and connection handling.
                response = await self.endpoint.client.post("/chat/completions", cast_to=ChatCompletion, body=body)
        except openai.RateLimitError:
            self.endpoint.stats.rate_limited += 1
            self.endpoint.concurrency.rate_limited()
            raise
        completion = self._completion(request, response, retries)
        self.endpoint.concurrency.succeeded()
        await self.endpoint.rates.settle(estimated, completion.usage.total_tokens)
        return completion

    def _completion(self, request: CompletionRequest, response: Any, retries: int) -> Completion:
        if not getattr(response, "choices", None):
            raise ValueError("the response has no choices")
        message = response.choices[0].message
        text = message.content or ""
        calls = tuple(ToolCall(id=c.id or f"call_{i}", name=c.function.name, arguments=c.function.arguments or "")
                      for i, c in enumerate(message.tool_calls or ()))
        usage = response.usage
        if usage is not None:
            counted = Usage(usage.prompt_tokens or 0, usage.completion_tokens or 0)
        else:
            counted = Usage(count_prompt_tokens(request.messages), count_tokens(text))
        cost = self.prices.price(self.name).cost(counted.prompt_tokens, counted.completion_tokens)
        return Completion(text=text, model=self.name, usage=counted, cost=cost, tool_calls=calls, retries=retries)
