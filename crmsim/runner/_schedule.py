"""Which conversation starts next: the one expected to take longest.

With C slots, a long conversation started near the end keeps the run going alone while the other
slots sit idle. The scheduler groups waiting conversations by (task type, mode, persona), learns each
group's length (model calls) from the conversations that finished, and always starts from the
group with the longest expected length: longest-processing-time-first scheduling with the
processing times learned during the run. Each group's first conversation starts before any
group's second, so every kind is measured early; a group with nothing finished yet counts as long.
What a run learns is kept per agent model in the cache directory (:func:`load_hints`,
:func:`save_hints`), so the next run orders even its first wave.
"""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterable, Mapping
from pathlib import Path

from crmsim.actors import ConversationSpec
from crmsim.paths import cache_dir

from ._results import ConversationResult

Group = tuple[str, str, str]
"""(task type, mode, persona): a persona's disclosure style changes how long a conversation runs."""


def _group(task_type: str, mode: str, persona: str) -> Group:
    return (task_type, mode, persona)


def prior_turns(spec: ConversationSpec) -> float:
    """Before anything finished: multi-turn conversations take two model turns per held fact more."""
    return 2.0 * len(spec.task.held_facts) + 1.0 if spec.mode == "multi" else 1.0


class LongestFirst:
    def __init__(self, specs: Iterable[ConversationSpec], hints: Mapping[Group, float] | None = None) -> None:
        """``hints``: expected lengths from earlier runs; a hinted kind needs no probe."""
        self._waiting: dict[Group, deque[ConversationSpec]] = {}
        self._prior: dict[Group, float] = {}
        for spec in specs:
            group = _group(spec.task.task_type.value, spec.mode, spec.persona)
            self._waiting.setdefault(group, deque()).append(spec)
            self._prior[group] = max(self._prior.get(group, 0.0), prior_turns(spec))
        self._hints = dict(hints or {})
        self._seen: dict[Group, tuple[float, int]] = {}
        self._probed: set[Group] = set(self._hints)

    def __len__(self) -> int:
        return sum(len(queue) for queue in self._waiting.values())

    def expected(self, group: Group) -> float:
        seen = self._seen.get(group)
        if seen is not None:
            return seen[0] / seen[1]
        if group in self._hints:
            return self._hints[group]
        unknown_bonus = max((total / n for total, n in self._seen.values()), default=0.0) + 1.0
        return unknown_bonus + self._prior.get(group, 1.0)

    def next(self) -> ConversationSpec | None:
        if not self._waiting:
            return None
        unprobed = [g for g in self._waiting if g not in self._probed]
        group = max(unprobed or self._waiting, key=self.expected)
        self._probed.add(group)
        queue = self._waiting[group]
        spec = queue.popleft()
        if not queue:
            del self._waiting[group]
        return spec

    def observe(self, result: ConversationResult) -> None:
        """Learn from a finished conversation (how many model calls it took)."""
        if result.termination_reason == "cancelled":
            return
        group = _group(result.task_type, result.mode, result.persona)
        total, n = self._seen.get(group, (0.0, 0))
        self._seen[group] = (total + (result.model_calls or result.steps + result.user_turns), n + 1)

    def learned(self) -> dict[Group, float]:
        """Hints for the next run: this run's means, earlier hints where this run saw nothing."""
        return {**self._hints, **{group: total / n for group, (total, n) in self._seen.items()}}


def _hints_file(agent_model: str) -> Path:
    return cache_dir() / "schedule" / (re.sub(r"[^A-Za-z0-9_.-]", "_", agent_model) + ".json")


def load_hints(agent_model: str) -> dict[Group, float]:
    """Expected lengths learned by earlier runs of ``agent_model`` (empty when none or unreadable)."""
    try:
        raw = json.loads(_hints_file(agent_model).read_text(encoding="utf-8"))
        return {(str(t), str(m), str(p)): float(v) for t, m, p, v in raw["lengths"]}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def save_hints(agent_model: str, hints: Mapping[Group, float]) -> None:
    path = _hints_file(agent_model)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".json.partial")
        lengths = [[t, m, p, round(v, 3)] for (t, m, p), v in sorted(hints.items())]
        partial.write_text(json.dumps({"agent_model": agent_model, "lengths": lengths}) + "\n", encoding="utf-8")
        partial.replace(path)
    except OSError:
        pass  # hints only speed up the next run's start order
