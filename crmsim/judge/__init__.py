"""Scoring: scorers registered by metric name, each returning a :class:`Score`.

Built in and deterministic: ``exact_match`` (direct compare, then an answer extractor by the task's
answer kind), ``fuzzy_match`` (token F1) and ``privacy_rejection`` (refusal over the whole
trajectory, without leaks). A model-backed extractor or judge is registered the same way with
:func:`scorer`.
"""

from ._exact import compare_answers, direct_match, exact_match, extract_for_task, strip_response
from ._extract import answer_key, canonical_answers, extract_answer
from ._fuzzy import fuzzy_match, normalize_answer, token_f1
from ._refusal import detect_refusal, find_leaks, privacy_rejection
from ._registry import ScoreFunction, Scorer, ascore, get_scorer, score, scorer, scorer_names
from ._score import Score, Step, StepKind, Trajectory, as_steps

__all__ = [
    "Score",
    "ScoreFunction",
    "Scorer",
    "Step",
    "StepKind",
    "Trajectory",
    "answer_key",
    "as_steps",
    "ascore",
    "canonical_answers",
    "compare_answers",
    "detect_refusal",
    "direct_match",
    "exact_match",
    "extract_answer",
    "extract_for_task",
    "find_leaks",
    "fuzzy_match",
    "get_scorer",
    "normalize_answer",
    "privacy_rejection",
    "score",
    "scorer",
    "scorer_names",
    "strip_response",
    "token_f1",
]
