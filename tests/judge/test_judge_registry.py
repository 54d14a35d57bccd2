"""Scorers registered by name; sync and async scorers; Score and trajectory shapes."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from pydantic import ValidationError

from crmsim.judge import Score, Scorer, Step, as_steps, ascore, get_scorer, score, scorer, scorer_names
from crmsim.tasks import Task


def test_builtin_scorers(make_task: Callable[..., Task]) -> None:
    exact = get_scorer("exact_match")
    assert isinstance(exact, Scorer) and not exact.is_async
    assert exact.description.startswith("Direct compare")
    task = make_task("monthly_trend_analysis", ["May"])
    assert exact.score(task, "May").correct
    with pytest.raises(LookupError, match="no scorer named 'nope'; registered: .*exact_match"):
        get_scorer("nope")


def test_register_a_scorer(registry: dict[str, Scorer], make_task: Callable[..., Task]) -> None:
    @scorer("always_half", description="half marks")
    def half(task: Task, response: str, steps: list[Step]) -> Score:
        return Score(metric="always_half", value=0.5, answer=[response], explanation=f"{len(steps)} steps")

    assert "always_half" in scorer_names()
    task = make_task("knowledge_qa", ["x"])
    result = score(task, "y", ["a", "b"], metric="always_half")
    assert result.value == 0.5 and result.explanation == "2 steps"
    with pytest.raises(ValueError, match="already registered"):
        scorer("always_half")(half)


async def test_async_scorers(registry: dict[str, Scorer], make_task: Callable[..., Task]) -> None:
    @scorer("exact_match", replace=True)
    async def model_backed(task: Task, response: str, steps: list[Step]) -> Score:
        """Stands in for an LLM extractor."""
        return Score(metric="exact_match", value=1.0, answer=["May"], expected=list(task.answer))

    task = make_task("monthly_trend_analysis", ["May"])
    assert get_scorer("exact_match").is_async
    assert (await ascore(task, "whatever")).correct
    with pytest.raises(TypeError, match="asynchronous"):
        score(task, "whatever")


async def test_ascore_runs_plain_scorers(make_task: Callable[..., Task]) -> None:
    assert (await ascore(make_task("lead_routing", ["None"]), "None")).correct


def test_score_values_are_bounded() -> None:
    with pytest.raises(ValidationError):
        Score(metric="x", value=1.5)
    assert Score(metric="x", value=1.0).correct and not Score(metric="x", value=0.99).correct


def test_as_steps() -> None:
    steps = as_steps([
        Step(kind="user", content="hi"),
        "SELECT Id FROM Case",
        "```sql\nFIND {x}\n```",
        "Here you go.",
        {"role": "assistant", "content": "ok"},
        {"name": "execute", "content": "SELECT Id FROM Lead"},
        {"kind": "observation", "content": None},
        {"role": "tool", "content": [1]},
    ])
    assert [step.kind for step in steps] == ["user", "query", "query", "agent", "agent", "query", "observation",
                                              "observation"]
    assert steps[6].content == "" and steps[7].content == "[1]"
    assert as_steps(None) == []
    with pytest.raises(ValueError, match="unknown trajectory step kind 'system'"):
        as_steps([{"role": "system", "content": "x"}])
    with pytest.raises(TypeError):
        as_steps([42])  # type: ignore[list-item]


def test_a_scorer_must_return_a_score(registry: dict[str, Scorer], make_task: Callable[..., Task]) -> None:
    @scorer("broken")
    def broken(task: Task, response: str, steps: list[Step]) -> Score:
        return 1.0  # type: ignore[return-value]

    with pytest.raises(TypeError, match="scorer 'broken' returned float, not a Score"):
        score(make_task("knowledge_qa", ["x"]), "x", metric="broken")
