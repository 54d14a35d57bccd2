"""Scorers registered by metric name.

A scorer is a function ``(task, response, steps) -> Score``, plain or ``async``::

    @scorer("exact_match")
    def exact_match(task: Task, response: str, steps: list[Step]) -> Score: ...

The deterministic scorers are plain functions; a scorer that calls a model (an LLM extractor or
judge) is an ``async def`` registered the same way, under its own name or replacing a built-in one
(``replace=True``). :func:`ascore` runs either kind; :func:`score` runs plain ones without an event
loop.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from ._score import Score, Step, Trajectory, as_steps

if TYPE_CHECKING:
    from crmsim.tasks import Task

ScoreFunction = Callable[["Task", str, list[Step]], "Score | Awaitable[Score]"]
F = TypeVar("F", bound=ScoreFunction)


@dataclass(frozen=True, slots=True)
class Scorer:
    """A registered scorer: its name, function and whether it must be awaited."""

    name: str
    function: ScoreFunction
    description: str = ""

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.function)

    def score(self, task: Task, response: str, trajectory: Trajectory | None = None) -> Score:
        """Score without an event loop; only for plain (non-async) scorers."""
        if self.is_async:
            raise TypeError(f"scorer {self.name!r} is asynchronous: await ascore(...) instead")
        return self._checked(self.function(task, response, as_steps(trajectory)))

    async def ascore(self, task: Task, response: str, trajectory: Trajectory | None = None) -> Score:
        """Score from async code; works for plain and async scorers alike."""
        result = self.function(task, response, as_steps(trajectory))
        if inspect.isawaitable(result):
            result = await result
        return self._checked(result)

    def _checked(self, result: object) -> Score:
        if not isinstance(result, Score):
            raise TypeError(f"scorer {self.name!r} returned {type(result).__name__}, not a Score")
        return result


_SCORERS: dict[str, Scorer] = {}


def scorer(name: str, *, replace: bool = False, description: str | None = None) -> Callable[[F], F]:
    """Register the decorated function as the scorer for metric ``name``.

    Registering a name twice is an error unless ``replace=True`` (how an LLM-backed scorer takes
    over a metric). The function is returned unchanged.
    """

    def register(function: F) -> F:
        if name in _SCORERS and not replace:
            raise ValueError(f"a scorer named {name!r} is already registered; pass replace=True to override it")
        text = description if description is not None else inspect.getdoc(function) or ""
        _SCORERS[name] = Scorer(name, function, text.split("\n\n")[0].replace("\n", " "))
        return function

    return register


def get_scorer(name: str) -> Scorer:
    """The scorer registered for ``name``; ``LookupError`` naming the known ones if there is none."""
    try:
        return _SCORERS[name]
    except KeyError:
        raise LookupError(f"no scorer named {name!r}; registered: {', '.join(sorted(_SCORERS))}") from None


def scorer_names() -> list[str]:
    return sorted(_SCORERS)


def score(task: Task, response: str, trajectory: Trajectory | None = None, *, metric: str | None = None) -> Score:
    """Score an agent's final ``response`` to ``task`` with the task's metric (or ``metric``).

    ``trajectory`` is the conversation so far (see :func:`as_steps` for the accepted shapes); the
    privacy scorer reads it, the answer scorers read only the final response.
    """
    return get_scorer(metric or task.metric).score(task, response, trajectory)


async def ascore(task: Task, response: str, trajectory: Trajectory | None = None, *,
                 metric: str | None = None) -> Score:
    """:func:`score` for async code; also runs scorers that call a model."""
    return await get_scorer(metric or task.metric).ascore(task, response, trajectory)
