"""Which conversation starts next: the one expected to take longest.

With C slots, a long conversation started near the end keeps the run going alone while the other
slots sit idle. The scheduler groups waiting conversations by (task type, mode), learns each group's
length (model turns) from the conversations that finished, and always starts from the group with
the longest expected length. Each group's first conversation starts before any group's second, so
every kind is measured early; a group with nothing finished yet counts as long. This is longest-processing-time-first scheduling, with the
processing times learned during the run.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable

from crmsim.actors import ConversationSpec

from ._results import ConversationResult

Group = tuple[str, str]


def _group(task_type: str, mode: str) -> Group:
    return (task_type, mode)


def prior_turns(spec: ConversationSpec) -> float:
    """Before anything finished: multi-turn conversations take two model turns per held fact more."""
    return 2.0 * len(spec.task.held_facts) + 1.0 if spec.mode == "multi" else 1.0


class LongestFirst:
    def __init__(self, specs: Iterable[ConversationSpec]) -> None:
        self._waiting: dict[Group, deque[ConversationSpec]] = {}
        self._prior: dict[Group, float] = {}
        for spec in specs:
            group = _group(spec.task.task_type.value, spec.mode)
            self._waiting.setdefault(group, deque()).append(spec)
            self._prior[group] = max(self._prior.get(group, 0.0), prior_turns(spec))
        self._seen: dict[Group, tuple[float, int]] = {}
        self._probed: set[Group] = set()

    def __len__(self) -> int:
        return sum(len(queue) for queue in self._waiting.values())

    def expected(self, group: Group) -> float:
        seen = self._seen.get(group)
        if seen is not None:
            return seen[0] / seen[1]
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
        """Learn from a finished conversation (its agent steps and user turns)."""
        if result.termination_reason == "cancelled":
            return
        group = _group(result.task_type, result.mode)
        total, n = self._seen.get(group, (0.0, 0))
        self._seen[group] = (total + result.steps + result.user_turns, n + 1)
