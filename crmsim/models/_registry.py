"""Models by name: the built-in deterministic ones, optionally slowed down for benchmarks."""

from __future__ import annotations

import anyio

from crmsim.errors import ConfigError

from ._base import Completion, CompletionRequest, Model
from ._builtin_agents import EagerAgent, NaiveAgent, ReferenceAgent
from ._builtin_judge import BuiltinJudge
from ._builtin_user import BuiltinUser

BUILTIN_AGENTS: dict[str, type[ReferenceAgent | NaiveAgent | EagerAgent]] = {
    "crmsim-reference": ReferenceAgent, "crmsim-naive": NaiveAgent, "crmsim-eager": EagerAgent}
BUILTIN_USERS = {"crmsim-user": BuiltinUser}
BUILTIN_JUDGES = {"crmsim-judge": BuiltinJudge}
"""The judge role's built-in: the deterministic scorers' rules (refusal, answer extraction)."""


class Delayed(Model):
    """Another model with a fixed delay before each completion: a stand-in for endpoint latency."""

    def __init__(self, model: Model, seconds: float) -> None:
        self.model = model
        self.seconds = seconds
        self.name = model.name

    async def complete(self, request: CompletionRequest) -> Completion:
        await anyio.sleep(self.seconds)
        return await self.model.complete(request)


def _unknown(role: str, name: str, known: list[str]) -> ConfigError:
    return ConfigError(f"unknown {role} model {name!r}; built-in {role} models: {', '.join(known)}")


def agent_model(name: str, *, latency: float = 0.0) -> Model:
    if name not in BUILTIN_AGENTS:
        raise _unknown("agent", name, list(BUILTIN_AGENTS))
    model = BUILTIN_AGENTS[name]()
    return Delayed(model, latency) if latency > 0 else model


def user_model(name: str, *, latency: float = 0.0) -> Model:
    if name not in BUILTIN_USERS:
        raise _unknown("user", name, list(BUILTIN_USERS))
    model: Model = BUILTIN_USERS[name]()
    return Delayed(model, latency) if latency > 0 else model


def check_judge_model(name: str) -> str:
    if name not in BUILTIN_JUDGES:
        raise _unknown("judge", name, list(BUILTIN_JUDGES))
    return name


def builtin_model(name: str) -> Model:
    """Any built-in model by name (agents, user, judge); ``ConfigError`` listing them otherwise."""
    every: dict[str, type[Model]] = {**BUILTIN_AGENTS, **BUILTIN_USERS, **BUILTIN_JUDGES}
    if name not in every:
        raise ConfigError(f"unknown built-in model {name!r}; built-in models: {', '.join(every)}")
    return every[name]()
