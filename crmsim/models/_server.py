"""The built-in model server: crmsim's deterministic models behind OpenAI's chat-completions API,
with latency and fault injection, so that tests and benchmarks exercise the real ``openai`` SDK::

    async with serve_models(latency=LatencyPlan.parse("200")) as base_url:   # http://127.0.0.1:<port>/v1
        client = AsyncOpenAI(base_url=base_url, api_key="any")

Routes: ``GET /v1/models``, ``GET /v1/models/{id}``, ``POST /v1/chat/completions``, and crmsim's
counters ``GET /crmsim/stats`` and ``POST /crmsim/stats/reset``. A chat request may carry crmsim's
extension key ``"crmsim"``: ``{"role", "mode", "task", "conversation_id", "extra"}`` (see
:class:`~crmsim.models.CompletionRequest`); without it the role is ``agent`` and there is no task.
Errors have OpenAI's shape ``{"error": {"message", "type", "param", "code"}}``.
"""

from __future__ import annotations

import itertools
import json
import socket
import struct
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Literal, cast

import anyio
import structlog
from aiohttp import web
from pydantic import ValidationError

from crmsim.errors import ModelError
from crmsim.tasks import Task

from ._base import ChatMessage, Completion, CompletionRequest, Model, ToolCall, Usage
from ._faults import FAULT_KINDS, FaultKind, FaultPlan, LatencyPlan
from ._registry import BUILTIN_AGENTS, BUILTIN_JUDGES, BUILTIN_USERS, builtin_model
from ._tokens import count_prompt_tokens

log = structlog.get_logger("crmsim.models.server")
BUILTIN_MODELS: tuple[str, ...] = (*BUILTIN_AGENTS, *BUILTIN_USERS, *BUILTIN_JUDGES)
MAX_BODY = 64 * 1024 * 1024
"""Requests carry whole conversations (and the judge a trajectory): far above aiohttp's 1 MB default."""


def error_response(status: int, message: str, type_: str, *, param: str | None = None, code: str | None = None,
                   headers: dict[str, str] | None = None) -> web.Response:
    body = {"error": {"message": message, "type": type_, "param": param, "code": code}}
    return web.json_response(body, status=status, headers=headers)


# -- the request: OpenAI's chat-completion body, plus crmsim's extension key --------------------

class BadRequest(Exception):
    """A request the server refuses; answered in OpenAI's error shape."""

    def __init__(self, message: str, *, status: int = 400, type_: str = "invalid_request_error",
                 param: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message, self.status, self.type, self.param, self.code = message, status, type_, param, code


_ROLES = {"system": "system", "developer": "system", "user": "user", "assistant": "assistant", "tool": "tool"}
_EXTENSION_KEYS = {"role", "mode", "task", "conversation_id", "extra"}
_NUMBERS: dict[str, tuple[type | tuple[type, ...], float, float]] = {
    "temperature": ((int, float), 0, 2), "top_p": ((int, float), 0, 1), "max_tokens": (int, 1, 2**31),
    "max_completion_tokens": (int, 1, 2**31), "seed": (int, -(2**63), 2**63)}
"""Sampling options: checked as OpenAI checks them, then ignored (the built-in models are deterministic)."""


def parse_chat_request(body: Any, models: Collection[str]) -> tuple[str, CompletionRequest]:
    """The model name and the :class:`CompletionRequest` a chat-completion body asks for."""
    if not isinstance(body, dict):
        raise BadRequest("the request body must be a JSON object")
    name = body.get("model")
    if not isinstance(name, str) or not name:
        raise BadRequest("you must provide a model parameter", param="model")
    if name not in models:
        raise BadRequest(f"The model {name!r} does not exist; built-in models: {', '.join(models)}", status=404,
                         param="model", code="model_not_found")
    if body.get("stream"):
        raise BadRequest("streaming is not supported by the crmsim model server; send stream=false", param="stream")
    if body.get("n") not in (None, 1):
        raise BadRequest(f"n={body['n']!r} is not supported: the crmsim model server answers one choice", param="n")
    for key, (kind, low, high) in _NUMBERS.items():
        value = body.get(key)
        if value is not None and (isinstance(value, bool) or not isinstance(value, kind)
                                  or not low <= cast(float, value) <= high):
            raise BadRequest(f"invalid {key} {value!r}: use a number from {low:g} to {high:g}", param=key)
    tools = _tools(body.get("tools"))
    choice = body.get("tool_choice")
    if choice == "none":
        tools = None  # the model must not call a tool: the built-ins then answer in text
    elif choice not in (None, "auto", "required") and not isinstance(choice, dict):
        raise BadRequest(f"invalid tool_choice {choice!r}: use none, auto, required or a function", param="tool_choice")
    extension = body.get("crmsim")
    if extension is None:
        extension = {}
    if not isinstance(extension, dict):
        raise BadRequest("crmsim must be an object", param="crmsim")
    unknown = sorted(set(extension) - _EXTENSION_KEYS)
    if unknown:
        raise BadRequest(f"unknown crmsim key {', '.join(unknown)}; use {', '.join(sorted(_EXTENSION_KEYS))}",
                         param="crmsim")
    role = extension.get("role", "agent")
    if role not in ("agent", "user", "judge"):
        raise BadRequest(f"invalid crmsim.role {role!r}: use agent, user or judge", param="crmsim.role")
    mode = extension.get("mode", "single")
    if mode not in ("single", "multi"):
        raise BadRequest(f"invalid crmsim.mode {mode!r}: use single or multi", param="crmsim.mode")
    conversation_id, extra = extension.get("conversation_id", ""), extension.get("extra", {})
    if not isinstance(conversation_id, str):
        raise BadRequest("crmsim.conversation_id must be a string", param="crmsim.conversation_id")
    if not isinstance(extra, dict):
        raise BadRequest("crmsim.extra must be an object", param="crmsim.extra")
    request = CompletionRequest(messages=_messages(body.get("messages")), role=role, task=_task(extension.get("task")),
                                mode=mode, conversation_id=conversation_id, tools=tools, extra=extra)
    return name, request


def _task(value: Any) -> Task | None:
    if value is None:
        return None
    try:
        return Task.model_validate(value)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "task"
        raise BadRequest(f"crmsim.task is not a valid task ({exc.error_count()} errors): {where}: {first['msg']}",
                         param="crmsim.task") from None


def _tools(value: Any) -> list[dict[str, Any]] | None:
    if value is None or value == []:
        return None
    if not isinstance(value, list) or not all(
            isinstance(tool, dict) and tool.get("type") == "function" and isinstance(tool.get("function"), dict)
            and isinstance(tool["function"].get("name"), str) for tool in value):
        raise BadRequest("tools must be an array of {type: function, function: {name, parameters}}", param="tools")
    return value


def _messages(value: Any) -> list[ChatMessage]:
    if not isinstance(value, list) or not value:
        raise BadRequest("messages must be a non-empty array", param="messages")
    messages: list[ChatMessage] = []
    for i, item in enumerate(value):
        where = f"messages[{i}]"
        given = item.get("role") if isinstance(item, dict) else None
        role = _ROLES.get(given) if isinstance(given, str) else None
        if role is None:
            raise BadRequest(f"{where} must be an object with a role in {', '.join(_ROLES)}", param=f"{where}.role")
        message: ChatMessage = {"role": cast(Literal["system", "user", "assistant", "tool"], role),
                                "content": _content(item.get("content"), where, nullable=role == "assistant")}
        if role == "assistant" and item.get("tool_calls"):
            message["tool_calls"] = _tool_calls(item["tool_calls"], where)
        if role == "tool":
            if not isinstance(item.get("tool_call_id"), str):
                raise BadRequest(f"{where}: a tool message needs its tool_call_id", param=f"{where}.tool_call_id")
            message["tool_call_id"] = item["tool_call_id"]
        messages.append(message)
    return messages


def _content(value: Any, where: str, *, nullable: bool) -> str:
    if isinstance(value, str):
        return value
    if value is None and nullable:
        return ""
    if isinstance(value, list) and all(isinstance(part, dict) and part.get("type") == "text"
                                       and isinstance(part.get("text"), str) for part in value):
        return "\n".join(part["text"] for part in value)
    raise BadRequest(f"{where}.content must be a string or an array of text parts", param=f"{where}.content")


def _tool_calls(value: Any, where: str) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    for call in value if isinstance(value, list) else [None]:
        function = call.get("function") if isinstance(call, dict) else None
        if not (isinstance(call, dict) and isinstance(function, dict) and isinstance(function.get("name"), str)
                and isinstance(function.get("arguments"), str)):
            raise BadRequest(f"{where}.tool_calls must be an array of {{id, type, function: {{name, arguments}}}}",
                             param=f"{where}.tool_calls")
        calls.append({"id": str(call.get("id", "")), "type": "function",
                      "function": {"name": function["name"], "arguments": function["arguments"]}})
    return calls


# -- the answers ------------------------------------------------------------------------------------


@dataclass(slots=True)
class ModelCounts:
    requests: int = 0
    completions: int = 0
    faults: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass(slots=True)
class ServerStats:
    """What the server has done since it started or was last reset."""

    requests: int = 0
    """chat-completion requests received, valid or not"""
    completions: int = 0
    """normal answers (faults not included)"""
    rejected: int = 0
    """requests answered with a 4xx error (bad body, unknown model, model error)"""
    faults: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FAULT_KINDS, 0))
    prompt_tokens: int = 0
    """tokens of every answer that carried a usage (completions and bad_tool_args faults)"""
    completion_tokens: int = 0
    model_lists: int = 0
    in_flight: int = 0
    max_in_flight: int = 0
    models: dict[str, ModelCounts] = field(default_factory=dict)

    def add_usage(self, counts: ModelCounts, usage: Usage) -> None:
        self.prompt_tokens += usage.prompt_tokens
        self.completion_tokens += usage.completion_tokens
        counts.prompt_tokens += usage.prompt_tokens
        counts.completion_tokens += usage.completion_tokens

    def as_json(self) -> dict[str, Any]:
        return {"requests": self.requests, "completions": self.completions, "rejected": self.rejected,
                "faults": dict(self.faults), "faults_total": sum(self.faults.values()),
                "prompt_tokens": self.prompt_tokens, "completion_tokens": self.completion_tokens,
                "total_tokens": self.prompt_tokens + self.completion_tokens, "model_lists": self.model_lists,
                "in_flight": self.in_flight, "max_in_flight": self.max_in_flight,
                "models": {name: {"requests": c.requests, "completions": c.completions, "faults": c.faults,
                                  "prompt_tokens": c.prompt_tokens, "completion_tokens": c.completion_tokens}
                           for name, c in self.models.items()}}


class ModelServer:
    """The state behind one app: one instance of each built-in model, the plans, the counters."""

    def __init__(self, latency: LatencyPlan | None = None, faults: FaultPlan | None = None) -> None:
        self.latency = latency or LatencyPlan()
        self.faults = faults or FaultPlan()
        self.models: dict[str, Model] = {name: builtin_model(name) for name in BUILTIN_MODELS}
        self.stats = ServerStats()
        self._delay = None if self.latency.is_zero else self.latency.sampler()
        self._choose = self.faults.chooser()
        self._ids = itertools.count(1)

    def reset_stats(self) -> None:
        in_flight = self.stats.in_flight
        self.stats = ServerStats(in_flight=in_flight, max_in_flight=in_flight)

    async def chat(self, request: web.Request) -> web.StreamResponse:
        self.stats.requests += 1
        self.stats.in_flight += 1
        self.stats.max_in_flight = max(self.stats.max_in_flight, self.stats.in_flight)
        try:
            return await self._chat(request)
        except BadRequest as exc:
            self.stats.rejected += 1
            return error_response(exc.status, exc.message, exc.type, param=exc.param, code=exc.code)
        finally:
            self.stats.in_flight -= 1  # the current counters: a reset carries the requests in flight over

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        try:
            body = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadRequest(f"the request body is not valid JSON: {exc}") from None
        name, completion_request = parse_chat_request(body, self.models)
        counts = self.stats.models.setdefault(name, ModelCounts())
        counts.requests += 1
        fault = self._choose()
        if self._delay is not None:
            await anyio.sleep(self._delay())
        if fault is not None:
            return await self._fault(fault, request, name, completion_request, counts)
        completion = await self._complete(name, completion_request)
        self.stats.completions += 1
        counts.completions += 1
        self.stats.add_usage(counts, completion.usage)
        return web.json_response(self._body(name, completion))

    async def _complete(self, name: str, request: CompletionRequest) -> Completion:
        try:
            return await self.models[name].complete(request)
        except ModelError as exc:
            raise BadRequest(str(exc), param="crmsim" if request.task is None else None, code="model_error") from None

    def _body(self, name: str, completion: Completion) -> dict[str, Any]:
        calls = completion.tool_calls
        message: dict[str, Any] = {"role": "assistant",
                                   "content": completion.text if completion.text or not calls else None}
        if calls:
            message["tool_calls"] = [call.message_part() for call in calls]
        usage = completion.usage
        return {"id": f"chatcmpl-{next(self._ids)}", "object": "chat.completion", "created": int(time.time()),
                "model": name, "system_fingerprint": None,
                "choices": [{"index": 0, "message": message, "logprobs": None,
                             "finish_reason": "tool_calls" if calls else "stop"}],
                "usage": {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens,
                          "total_tokens": usage.total_tokens}}

    async def _fault(self, kind: FaultKind, request: web.Request, name: str, chat: CompletionRequest,
                     counts: ModelCounts) -> web.StreamResponse:
        if kind == "bad_tool_args" and not chat.tools:
            kind = "malformed_json"
        self.stats.faults[kind] += 1
        counts.faults += 1
        log.info("fault", kind=kind, model=name, conversation_id=chat.conversation_id or None)
        plan = self.faults
        if kind == "rate_limit":
            return error_response(429, f"Rate limit reached for {name} (crmsim fault injection). Please try again "
                                  f"in {plan.retry_after:g}s.", "requests", code="rate_limit_exceeded",
                                  headers=_rate_limit_headers(plan.retry_after))
        if kind == "server_error":
            return error_response(500, "The server had an error while processing your request (crmsim fault "
                                  "injection).", "server_error")
        if kind == "unavailable":
            return error_response(503, "The server is overloaded or not ready yet (crmsim fault injection).",
                                  "server_error", code="service_unavailable")
        if kind == "reset":
            _drop_connection(request)
            return web.Response(status=500)  # never sent: the connection is gone
        if kind == "timeout":
            await _hold(request, plan.timeout_delay)
            return error_response(504, f"crmsim fault injection: the request was held {plan.timeout_delay:g}s.",
                                  "server_error", code="timeout")
        if kind == "malformed_json":
            text = f'{{"id": "chatcmpl-{next(self._ids)}", "object": "chat.completion", "choices": [{{"index": 0, '
            return web.Response(body=text.encode(), content_type="application/json")
        completion = await self._broken_tool_call(name, chat)
        self.stats.add_usage(counts, completion.usage)
        return web.json_response(self._body(name, completion))

    async def _broken_tool_call(self, name: str, chat: CompletionRequest) -> Completion:
        """The model's own answer with its tool call's arguments cut in half (as a token limit would)."""
        try:
            completion: Completion | None = await self.models[name].complete(chat)
        except ModelError:
            completion = None
        if completion is not None and completion.tool_calls:
            call = completion.tool_calls[0]
        else:
            tool = (chat.tools or [{}])[0].get("function", {})
            parameters = tool.get("parameters")
            required = parameters.get("required") if isinstance(parameters, dict) else None
            argument = str(required[0]) if isinstance(required, list) and required else "input"
            call = ToolCall("call_1", str(tool.get("name", "tool")), json.dumps({argument: "..."}))
        call = replace(call, arguments=call.arguments[: max(1, len(call.arguments) // 2)])
        usage = completion.usage if completion is not None else Usage(count_prompt_tokens(chat.messages), 0)
        return Completion(text=completion.text if completion else "", model=name, usage=usage, tool_calls=(call,))


def _rate_limit_headers(retry_after: float) -> dict[str, str]:
    return {"Retry-After": f"{retry_after:g}", "retry-after-ms": str(round(retry_after * 1000)),
            "x-ratelimit-limit-requests": "60", "x-ratelimit-remaining-requests": "0",
            "x-ratelimit-reset-requests": f"{retry_after:g}s", "x-ratelimit-limit-tokens": "150000",
            "x-ratelimit-remaining-tokens": "0", "x-ratelimit-reset-tokens": f"{retry_after:g}s"}


def _drop_connection(request: web.Request) -> None:
    """Close the connection with a TCP reset and no answer."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


async def _hold(request: web.Request, seconds: float) -> None:
    """Wait ``seconds``, or until the client goes away, without blocking other requests."""
    deadline = anyio.current_time() + seconds
    while (left := deadline - anyio.current_time()) > 0:
        transport = request.transport
        if transport is None or transport.is_closing():
            return
        await anyio.sleep(min(left, 0.1))


MODEL_SERVER = web.AppKey("crmsim_model_server", ModelServer)


async def _list_models(request: web.Request) -> web.Response:
    request.app[MODEL_SERVER].stats.model_lists += 1
    return web.json_response({"object": "list", "data": [_model_card(name) for name in BUILTIN_MODELS]})


async def _get_model(request: web.Request) -> web.Response:
    name = request.match_info["model"]
    if name not in BUILTIN_MODELS:
        raise BadRequest(f"The model {name!r} does not exist; built-in models: {', '.join(BUILTIN_MODELS)}",
                         status=404, param="model", code="model_not_found")
    return web.json_response(_model_card(name))


def _model_card(name: str) -> dict[str, Any]:
    return {"id": name, "object": "model", "created": 0, "owned_by": "crmsim"}


async def _chat(request: web.Request) -> web.StreamResponse:
    return await request.app[MODEL_SERVER].chat(request)


async def _stats(request: web.Request) -> web.Response:
    return web.json_response(request.app[MODEL_SERVER].stats.as_json())


async def _reset(request: web.Request) -> web.Response:
    server = request.app[MODEL_SERVER]
    server.reset_stats()
    return web.json_response(server.stats.as_json())


@web.middleware
async def _openai_errors(request: web.Request,
                         handler: Callable[[web.Request], Awaitable[web.StreamResponse]]) -> web.StreamResponse:
    """Every error in OpenAI's shape: ours, aiohttp's (unknown URL, wrong method) and bugs."""
    try:
        return await handler(request)
    except BadRequest as exc:
        return error_response(exc.status, exc.message, exc.type, param=exc.param, code=exc.code)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        code = "unknown_url" if exc.status == 404 else None
        return error_response(exc.status, f"{exc.reason}: {request.method} {request.path}", "invalid_request_error",
                              code=code)
    except Exception:
        log.exception("model_server_error", method=request.method, path=request.path)
        return error_response(500, "the crmsim model server failed on this request; see its log", "server_error")


def create_models_app(*, latency: LatencyPlan | None = None, faults: FaultPlan | None = None) -> web.Application:
    """The aiohttp app serving every built-in model (see the module docstring for the routes)."""
    app = web.Application(middlewares=[_openai_errors], client_max_size=MAX_BODY)
    app[MODEL_SERVER] = ModelServer(latency, faults)
    app.router.add_get("/v1/models", _list_models)
    app.router.add_get("/v1/models/{model}", _get_model)
    app.router.add_post("/v1/chat/completions", _chat)
    app.router.add_get("/crmsim/stats", _stats)
    app.router.add_post("/crmsim/stats/reset", _reset)
    return app


def _url(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/v1"


@asynccontextmanager
async def serve_models(app: web.Application | None = None, *, latency: LatencyPlan | None = None,
                       faults: FaultPlan | None = None, host: str = "127.0.0.1", port: int = 0
                       ) -> AsyncIterator[str]:
    """Serve the built-in models until the block exits; yields the base URL (``http://host:port/v1``).

    Pass an ``app`` from :func:`create_models_app`, or the plans to build one. Port 0 picks a free
    port. A client that goes away cancels its request (a held ``timeout`` fault ends with it).
    """
    if app is None:
        app = create_models_app(latency=latency, faults=faults)
    elif latency is not None or faults is not None:
        raise ValueError("pass the latency and fault plans to create_models_app, not with an app")
    runner = web.AppRunner(app, access_log=None, handle_signals=False, handler_cancellation=True,
                           shutdown_timeout=1.0)
    try:
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = runner.addresses[0][1] if runner.addresses else port
        yield _url(host, int(bound))
    finally:
        await runner.cleanup()
