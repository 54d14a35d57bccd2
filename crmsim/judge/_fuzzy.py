"""fuzzy_match: token F1 between the response and the answer, after SQuAD-style normalisation.

Normalisation follows the benchmark's code: lowercase, underscores and punctuation become spaces
(so ``e-mail`` gives the tokens ``e mail``, as in CRMArena-Pro), the articles a/an/the are
dropped and whitespace is collapsed.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from typing import TYPE_CHECKING

from ._registry import scorer
from ._score import Score, Step

if TYPE_CHECKING:
    from crmsim.tasks import Task

_PUNCTUATION = str.maketrans(dict.fromkeys(string.punctuation + "‘’´`“”", " "))
_ARTICLES = re.compile(r"\b(?:a|an|the)\b")


def normalize_answer(text: str) -> str:
    """Lowercase; punctuation and underscores to spaces; no articles; single spaces."""
    text = text.replace("_", " ").lower().translate(_PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def token_f1(prediction: str, truth: str) -> float:
    """Token-level F1 of two texts after :func:`normalize_answer`.

    Two texts with no tokens at all (both empty after normalisation) count as equal (1.0); when only
    one is empty the F1 is 0.
    """
    predicted = normalize_answer(prediction).split()
    expected = normalize_answer(truth).split()
    if not predicted or not expected:
        return float(predicted == expected)
    same = sum((Counter(predicted) & Counter(expected)).values())
    if same == 0:
        return 0.0
    precision = same / len(predicted)
    recall = same / len(expected)
    return 2 * precision * recall / (precision + recall)


@scorer("fuzzy_match")
def fuzzy_match(task: Task, response: str, steps: list[Step]) -> Score:
    """Token F1 of the final response against the answer (the best over several answers)."""
    best, against = max((token_f1(response, answer), answer) for answer in task.answer)
    return Score(
        metric="fuzzy_match",
        value=round(best, 6),
        answer=[response],
        expected=list(task.answer),
        explanation=f"token F1 {best:.3f} against {against!r}",
        task_id=task.id,
    )
