"""What a run does: a small validated value object, built from CLI flags or Python keywords."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from crmsim.actors import Strategy
from crmsim.errors import ConfigError
from crmsim.models import CacheMode
from crmsim.tasks import TaskType

OrgName = Literal["b2b", "b2c"]
ModeName = Literal["single", "multi"]
MonitorMode = Literal["off", "observe", "enforce"]
_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")


class RunConfig(BaseModel):
    """Every setting of a run. The defaults are the main job: both orgs, all 22 task types, two tasks
    per type, single- and multi-turn, one epoch, the built-in models."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    orgs: list[OrgName] = Field(default=["b2b", "b2c"], min_length=1)
    task_types: list[TaskType] | None = Field(default=None, description="None: all 22 types")
    per_type: int = Field(default=2, ge=1, le=1000, description="generated tasks per type and org")
    tasks_file: Path | None = Field(default=None, description="run these tasks instead of generating them")
    modes: list[ModeName] = Field(default=["single", "multi"], min_length=1)
    epochs: int = Field(default=1, ge=1, le=100)
    concurrency: int = Field(default=64, ge=1, le=100_000)
    agent_model: str = "crmsim-reference"
    user_model: str = "crmsim-user"
    judge_model: str = "crmsim-judge"
    base_url: str | None = Field(default=None, description="endpoint for every role without its own")
    api_key: SecretStr | None = Field(default=None, description="key for every role without its own")
    agent_base_url: str | None = None
    agent_api_key: SecretStr | None = None
    user_base_url: str | None = None
    user_api_key: SecretStr | None = None
    judge_base_url: str | None = None
    judge_api_key: SecretStr | None = None
    agent_strategy: Strategy = "react"
    confidentiality_prompt: bool = False
    temperature: float | None = Field(default=None, ge=0, le=2, description="agent and user sampling temperature")
    models_config: Path | None = Field(default=None, description="YAML: prices and per-endpoint limits")
    rpm: float | None = Field(default=None, gt=0, description="requests per minute per endpoint")
    tpm: float | None = Field(default=None, gt=0, description="tokens per minute per endpoint")
    max_inflight: int = Field(default=256, ge=1, description="requests in flight per endpoint at most")
    cache: CacheMode = "read-write"
    cache_path: Path | None = Field(default=None, description="default: the cache directory's responses.sqlite")
    budget_usd: float | None = Field(default=None, gt=0, description="start no conversation once this is spent")
    model_latency_s: float = Field(default=0.0, ge=0.0, description="added before every built-in completion")
    monitor: MonitorMode = "observe"
    personas_dir: Path | None = Field(default=None, description="persona files (default: the shipped personas/)")
    personas: list[str] | None = Field(default=None, description="run each task with these personas (those fitting)")
    personas_per_task: int = Field(default=1, ge=1, le=100, description="personas drawn per task when none are named")
    policies_dir: Path | None = Field(default=None, description="policy files (default: the shipped policies/)")
    max_steps: int = Field(default=20, ge=1)
    max_user_turns: int = Field(default=10, ge=1)
    timeout_s: float = Field(default=600.0, gt=0)
    runs_dir: Path = Path("runs")
    run_id: str | None = None
    resume: bool = False
    seed: int = 0
    scale: float = Field(default=1.0, ge=0.05, le=100)
    progress: bool = True

    @field_validator("run_id")
    @classmethod
    def _run_id(cls, value: str | None) -> str | None:
        if value is not None and not _RUN_ID.match(value):
            raise ValueError(f"{value!r} is not a usable run id (letters, digits, _ . -; at most 100)")
        return value

    @field_validator("orgs", "modes", "task_types")
    @classmethod
    def _unique(cls, value: list[str] | None) -> list[str] | None:
        return list(dict.fromkeys(value)) if value is not None else None

    @classmethod
    def build(cls, **settings: object) -> RunConfig:
        """Validate settings; mistakes become one :class:`ConfigError` naming each bad setting."""
        try:
            return cls.model_validate(settings)
        except ValidationError as exc:
            problems = []
            for error in exc.errors():
                where = ".".join(str(part) for part in error["loc"]) or "settings"
                problems.append(f"{where}: {_message(error)}")
            raise ConfigError("; ".join(problems)) from None


def _message(error: object) -> str:
    details = error if isinstance(error, dict) else {}
    if details.get("type") == "enum" or details.get("type") == "literal_error":
        expected = details.get("ctx", {}).get("expected", "")
        return f"got {details.get('input')!r}; expected {expected}"
    if details.get("type") == "extra_forbidden":
        return "unknown setting"
    return str(details.get("msg", error))
