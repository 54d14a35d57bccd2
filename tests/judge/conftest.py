"""A factory for tasks to score, and a clean scorer registry for tests that register their own."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from crmsim.judge import _registry
from crmsim.tasks import Task


@pytest.fixture
def make_task() -> Callable[..., Task]:
    def make(task_type: str, answer: list[str], **changes: Any) -> Task:
        data: dict[str, Any] = {
            "id": f"t-{task_type}",
            "task_type": task_type,
            "org": "b2b",
            "query": "What is the answer?",
            "answer": answer,
            "source": {"origin": "generated", "seed": 0},
            **changes,
        }
        return Task.model_validate(data)

    return make


@pytest.fixture
def registry() -> Iterator[dict[str, _registry.Scorer]]:
    """The scorer registry, restored after the test."""
    saved = dict(_registry._SCORERS)
    yield _registry._SCORERS
    _registry._SCORERS.clear()
    _registry._SCORERS.update(saved)
