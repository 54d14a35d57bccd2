"""fuzzy_match: SQuAD-style normalisation and token F1, as CRMArena-Pro computes it."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from crmsim.judge import normalize_answer, score, token_f1
from crmsim.tasks import Task


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("The Quick, Brown Fox!", "quick brown fox"),
        ("An apple a day", "apple day"),
        ("  spaced\tout\n text ", "spaced out text"),
        ("multi-factor_authentication", "multi factor authentication"),  # punctuation becomes a space
        ("Theatre and anthem", "theatre and anthem"),  # articles only as whole words
        ("‘Quoted’ “text”", "quoted text"),
    ],
)
def test_normalize_answer(text: str, normalized: str) -> None:
    assert normalize_answer(text) == normalized


@pytest.mark.parametrize(
    ("prediction", "truth", "f1"),
    [
        ("Advanced encryption and multi-factor authentication",
         "advanced encryption and multi factor authentication.", 1.0),
        ("encryption", "Advanced encryption", 2 * (1.0 * 0.5) / 1.5),  # precision 1, recall 1/2
        ("the cat sat on the mat", "a cat sat", 2 * (0.5 * 1.0) / 1.5),  # 2 of 4 tokens, all 2 recalled
        ("completely different", "unrelated words", 0.0),
        ("data data data", "data", 2 * (1 / 3 * 1.0) / (1 / 3 + 1.0)),  # repeats count once per match
        ("", "", 1.0),
        ("the", "an answer", 0.0),  # nothing left of the prediction after normalisation
    ],
)
def test_token_f1(prediction: str, truth: str, f1: float) -> None:
    assert token_f1(prediction, truth) == pytest.approx(f1)


def test_fuzzy_match_scores_the_response(make_task: Callable[..., Task]) -> None:
    task = make_task("knowledge_qa", ["Robust encryption protocols and compliance checks"])
    result = score(task, "It relies on robust encryption protocols.")
    assert result.metric == "fuzzy_match"
    # tokens: it relies on robust encryption protocols (6) vs robust encryption protocols and compliance checks (6)
    assert result.value == pytest.approx(0.5)
    assert result.answer == ["It relies on robust encryption protocols."]
    assert "token F1 0.500" in result.explanation
    assert score(task, "Robust encryption protocols, and compliance checks!").correct


def test_best_of_several_answers(make_task: Callable[..., Task]) -> None:
    task = make_task("sales_insight_mining", ["Pricing and competitive analysis", "Product features"])
    assert score(task, "product features").value == 1.0
