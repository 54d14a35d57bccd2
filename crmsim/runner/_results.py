"""The results store: one JSON line per conversation in ``results.jsonl``, appended when the judge
has scored it, plus every scoring in ``scores.jsonl`` (a re-score appends there, never re-runs)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

import anyio
from anyio.abc import TaskStatus
from pydantic import BaseModel, ConfigDict

from crmsim.bus import Bus, ConversationEnded, ConversationStarted, ModelCall, PolicyVerdict, Scored, SimulatorFault
from crmsim.errors import ConfigError
from crmsim.judge import Score, detect_refusal
from crmsim.tasks import TASK_TYPES, TaskType


class TokenUsage(BaseModel):
    model_config = ConfigDict(extra="forbid")

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0


class ConversationResult(BaseModel):
    """What ``results.jsonl`` holds for one conversation."""

    model_config = ConfigDict(extra="forbid")

    conversation_id: str
    task_id: str
    task_type: str
    skill: str
    org: str
    mode: str
    persona: str
    epoch: int
    termination_reason: str
    answer: str | None
    reward: float
    scores: list[Score]
    steps: int
    user_turns: int
    model_calls: int = 0
    usage: TokenUsage
    usage_by_role: dict[str, TokenUsage] = {}
    cost_by_role: dict[str, float] = {}
    model_by_role: dict[str, str] = {}
    cost: float = 0.0
    duration_s: float
    policy_flags: int = 0
    leaked_messages: int = 0
    """Agent messages that reached the user carrying what a policy protects (not kept back by the monitor)."""
    refused: bool = False
    """The conversation ended with the agent declining (its last message refuses, or policy_block)."""
    simulator_faults: list[str] = []
    error: str | None = None
    scoring_error: str | None = None

    @property
    def passed(self) -> bool:
        return self.reward >= 1.0


@dataclass
class _Pending:
    started: ConversationStarted | None = None
    ended: ConversationEnded | None = None
    usage: dict[str, TokenUsage] = field(default_factory=dict)
    costs: dict[str, float] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)
    cost: float = 0.0
    flags: int = 0
    leaks: int = 0
    calls: int = 0
    faults: list[str] = field(default_factory=list)


def build_result(conversation_id: str, pending: _Pending, scored: Scored) -> ConversationResult:
    started, ended = pending.started, pending.ended
    if started is None or ended is None:
        raise ValueError(f"conversation {conversation_id} was scored before it started and ended")
    total = TokenUsage(prompt_tokens=sum(u.prompt_tokens for u in pending.usage.values()),
                       completion_tokens=sum(u.completion_tokens for u in pending.usage.values()))
    total.total_tokens = total.prompt_tokens + total.completion_tokens
    return ConversationResult(
        conversation_id=conversation_id, task_id=started.task_id, task_type=started.task_type,
        skill=TASK_TYPES[TaskType(started.task_type)].skill.value, org=started.org, mode=started.mode,
        persona=started.persona, epoch=started.epoch, termination_reason=ended.reason, answer=ended.answer,
        reward=scored.reward, scores=scored.scores, steps=ended.steps, user_turns=ended.user_turns,
        model_calls=pending.calls, usage=total,
        usage_by_role=pending.usage, cost_by_role={r: round(c, 8) for r, c in pending.costs.items()},
        model_by_role=pending.models, cost=round(pending.cost, 8), duration_s=ended.duration_s,
        policy_flags=pending.flags, leaked_messages=pending.leaks,
        refused=ended.reason == "policy_block" or bool(ended.answer and detect_refusal(ended.answer)),
        simulator_faults=pending.faults, error=ended.error, scoring_error=scored.error)


class ResultsWriter:
    """A tap on lifecycle, usage, verdict and score envelopes; writes a result when a conversation is scored."""

    address = "results"

    def __init__(self, bus: Bus, path: Path, *, on_result: Callable[[ConversationResult], None] | None = None,
                 max_buffer: int = 1024) -> None:
        self.bus = bus
        self.path = path
        self.on_result = on_result
        self._tap = bus.tap(self.address, kinds=("conversation_started", "model_call", "policy_verdict",
                                                 "simulator_fault", "conversation_ended", "scored"),
                            max_buffer=max_buffer)
        self._pending: dict[str, _Pending] = {}
        self.results: list[ConversationResult] = []

    async def run(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        with self.path.open("a", encoding="utf-8") as results, (self.path.parent / "scores.jsonl").open(
                "a", encoding="utf-8") as scores:
            async with self._tap:
                task_status.started()
                async for envelope in self._tap:
                    self._take(envelope.conversation_id, envelope.payload, results, scores)

    def _take(self, cid: str, payload: object, results: TextIO, scores: TextIO) -> None:
        if isinstance(payload, ConversationStarted):
            self._pending[cid] = _Pending(started=payload)
            return
        pending = self._pending.get(cid)
        if pending is None:
            return
        if isinstance(payload, ModelCall):
            usage = pending.usage.setdefault(payload.role, TokenUsage())
            usage.prompt_tokens += payload.prompt_tokens
            usage.completion_tokens += payload.completion_tokens
            usage.total_tokens += payload.prompt_tokens + payload.completion_tokens
            pending.cost += payload.cost
            pending.calls += 1
            pending.costs[payload.role] = pending.costs.get(payload.role, 0.0) + payload.cost
            pending.models[payload.role] = payload.model
        elif isinstance(payload, PolicyVerdict):
            pending.flags += 1
            if payload.target == "agent_message" and not payload.enforced and payload.action != "flag":
                pending.leaks += 1
        elif isinstance(payload, SimulatorFault):
            pending.faults.append(f"turn {payload.turn}: {payload.fault}: {payload.detail}")
        elif isinstance(payload, ConversationEnded):
            pending.ended = payload
        elif isinstance(payload, Scored):
            del self._pending[cid]
            result = build_result(cid, pending, payload)
            scores.write(json.dumps(score_record(cid, payload, "run")) + "\n")
            scores.flush()
            results.write(result.model_dump_json() + "\n")
            results.flush()
            self.results.append(result)
            if self.on_result is not None:
                self.on_result(result)

    def close(self) -> None:
        self.bus.close_tap(self.address)


def score_record(conversation_id: str, scored: Scored, origin: str) -> dict[str, Any]:
    return {"conversation_id": conversation_id, "origin": origin, **scored.model_dump(mode="json")}


def read_results(path: Path) -> list[ConversationResult]:
    """The results of a run directory (or its ``results.jsonl``); a torn last line is ignored."""
    return list(iter_results(path))


def iter_results(path: Path) -> Iterator[ConversationResult]:
    file = path / "results.jsonl" if path.is_dir() else path
    if not file.exists():
        raise ConfigError(f"no results at {file}")
    with file.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, 1):
            if not line.strip():
                continue
            try:
                yield ConversationResult.model_validate_json(line)
            except ValueError as exc:
                if not line.endswith("\n"):
                    return  # the last line of an interrupted write
                raise ConfigError(f"{file}:{number}: not a result record: {str(exc).splitlines()[0]}") from None
