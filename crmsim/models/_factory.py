"""Building each role's model from settings: built-in names without a base URL stay in-process,
anything with a base URL (or a name that is not built in) goes over HTTP through the SDK.

A models config file (YAML) names each role's model (flags that differ from the defaults win),
extends the price table and sets limits per endpoint::

    roles:
      agent: {model: gpt-4o-mini, api_key_env: OPENAI_API_KEY}
      user: {model: llama3, base_url: "http://127.0.0.1:11434/v1"}
    prices:
      my-finetune: {input_per_million: 0.5, output_per_million: 1.5}
    endpoints:
      http://127.0.0.1:8000/v1: {rpm: 3000, tpm: 2000000, max_concurrency: 300}
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from crmsim.errors import ConfigError

from ._base import Model, Role
from ._cache import ResponseCache
from ._openai import EndpointPool, EndpointSettings, OpenAIModel
from ._prices import Price, PriceTable
from ._registry import BUILTIN_AGENTS, BUILTIN_JUDGES, BUILTIN_USERS, Delayed, builtin_model

OPENAI_BASE_URL = "https://api.openai.com/v1"
BUILTIN_NAMES = frozenset({*BUILTIN_AGENTS, *BUILTIN_USERS, *BUILTIN_JUDGES})
_BUILTIN_FOR_ROLE: dict[Role, Mapping[str, object]] = {"agent": BUILTIN_AGENTS, "user": BUILTIN_USERS,
                                                      "judge": BUILTIN_JUDGES}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PriceEntry(_Strict):
    input_per_million: float = Field(ge=0)
    output_per_million: float = Field(ge=0)


class EndpointLimits(_Strict):
    rpm: float | None = Field(default=None, gt=0)
    tpm: float | None = Field(default=None, gt=0)
    max_concurrency: int | None = Field(default=None, ge=1)
    timeout_s: float | None = Field(default=None, gt=0)
    max_attempts: int | None = Field(default=None, ge=1)
    max_retry_s: float | None = Field(default=None, gt=0)


class RoleSettings(_Strict):
    model: str | None = Field(default=None, min_length=1)
    base_url: str | None = None
    api_key_env: str | None = Field(default=None, description="name of the environment variable holding the key")

    def api_key(self) -> str | None:
        return os.environ.get(self.api_key_env) if self.api_key_env else None


class ModelsConfig(_Strict):
    roles: dict[Literal["agent", "user", "judge"], RoleSettings] = {}
    prices: dict[str, PriceEntry] = {}
    endpoints: dict[str, EndpointLimits] = {}


def load_models_config(path: Path | None) -> ModelsConfig:
    if path is None:
        return ModelsConfig()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except OSError as exc:
        raise ConfigError(f"cannot read the models config {path}: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    try:
        return ModelsConfig.model_validate(raw)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            field = ".".join(str(p) for p in error["loc"])
            message = "unknown key" if error["type"] == "extra_forbidden" else error["msg"]
            problems.append(f"{field}: {message}")
        raise ConfigError(f"{path}: " + "; ".join(problems)) from None


class ModelFactory:
    """Makes the models of a run and owns what they share (endpoints, cache); close with :meth:`aclose`."""

    def __init__(self, config: ModelsConfig | None = None, *, cache: ResponseCache | None = None,
                 default_limits: EndpointLimits | None = None) -> None:
        self.config = config or ModelsConfig()
        self.cache = cache
        self.default_limits = default_limits or EndpointLimits()
        self.prices = PriceTable({name: Price(p.input_per_million, p.output_per_million)
                                  for name, p in self.config.prices.items()})
        self.pool = EndpointPool()

    def resolve(self, role: Role, name: str, *, base_url: str | None = None,
                api_key: str | None = None) -> tuple[str, str] | None:
        """Where ``name`` is served: None for a built-in in this process, else (base URL, key).
        Raises :class:`ConfigError` naming what is missing or wrong."""
        if base_url is None and name in BUILTIN_NAMES:
            if name not in _BUILTIN_FOR_ROLE[role]:
                raise ConfigError(f"unknown {role} model {name!r}; built-in {role} models: "
                                  f"{', '.join(_BUILTIN_FOR_ROLE[role])}")
            return None
        if not name.strip():
            raise ConfigError(f"the {role} model name is empty")
        url = (base_url or os.environ.get("OPENAI_BASE_URL") or OPENAI_BASE_URL).rstrip("/")
        if not url.startswith(("http://", "https://")):
            raise ConfigError(f"the {role} base URL must start with http:// or https://, got {url!r}")
        key = api_key or os.environ.get("OPENAI_API_KEY") or ("crmsim" if name in BUILTIN_NAMES else None)
        if key is None:
            raise ConfigError(f"the {role} model {name!r} at {url} needs an API key: set OPENAI_API_KEY or "
                              f"--{role}-api-key (or --api-key); built-in {role} models need none: "
                              f"{', '.join(_BUILTIN_FOR_ROLE[role])}")
        return url, key

    def build(self, role: Role, name: str, *, base_url: str | None = None, api_key: str | None = None,
              latency: float = 0.0, temperature: float | None = None) -> Model:
        where = self.resolve(role, name, base_url=base_url, api_key=api_key)
        if where is None:
            model = builtin_model(name)
            return Delayed(model, latency) if latency > 0 else model
        url, key = where
        limits = self._limits(url)
        endpoint = self.pool.get(EndpointSettings(base_url=url, api_key=key, **limits))
        return OpenAIModel(name, endpoint, send_task=name in BUILTIN_NAMES, temperature=temperature,
                           prices=self.prices, cache=self.cache)

    def _limits(self, url: str) -> dict[str, Any]:
        own = self.config.endpoints.get(url) or self.config.endpoints.get(url + "/")
        merged = {**self.default_limits.model_dump(exclude_none=True), **(own.model_dump(exclude_none=True)
                                                                          if own else {})}
        return merged

    @property
    def retries(self) -> int:
        return self.pool.retries

    async def aclose(self) -> None:
        await self.pool.aclose()
        if self.cache is not None:
            self.cache.close()
