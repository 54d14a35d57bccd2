"""exact_match, as the benchmark scores it, in two stages.

1. Direct compare: a single-answer task whose response is the answer itself, once surrounding
   whitespace and quotes are stripped (case-insensitive), scores 1.
2. Otherwise the answer list is extracted from the response by the task's answer kind and compared
   with the task's answer as sorted lists (Ids as 18 characters, case-insensitively; repeats
   ignored). ``["None"]`` on both sides is a match.

The extractor is deterministic here. The models issue adds an LLM extractor as another scorer
built from the same parts::

    @scorer("exact_match_llm")
    async def exact_match_llm(task, response, steps):
        return direct_match(task, response) or compare_answers(task, await llm_extract(task, response),
                                                               metric="exact_match_llm")
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ._extract import answer_key, canonical_answers, extract_answer
from ._registry import scorer
from ._score import Score, Step

if TYPE_CHECKING:
    from crmsim.tasks import Task

_QUOTES = "\"'`“”‘’"


def strip_response(response: str) -> str:
    """The response without surrounding whitespace and quotes, as the direct compare sees it."""
    return response.strip().strip(_QUOTES).strip()


def direct_match(task: Task, response: str, *, metric: str = "exact_match") -> Score | None:
    """Full marks if the response is exactly the single answer (ignoring case, quotes, spaces), else None."""
    cleaned = strip_response(response)
    if len(task.answer) != 1 or cleaned.casefold() != task.answer[0].strip().casefold():
        return None
    return Score(metric=metric, value=1.0, answer=[cleaned], expected=list(task.answer),
                 explanation="the response is the answer", task_id=task.id)


def extract_for_task(task: Task, response: str) -> list[str]:
    """The deterministic extractor applied with the task's answer kind and Id key prefixes."""
    return extract_answer(response, task.answer_kind, id_prefixes=task.info.id_prefixes)


def compare_answers(task: Task, extracted: Sequence[str], *, metric: str = "exact_match") -> Score:
    """Score an extracted answer list against the task's answer as sorted lists."""
    kind = task.answer_kind
    expected = canonical_answers(task.answer, kind)
    answer = canonical_answers(extracted, kind)
    got = sorted({answer_key(a, kind) for a in answer})
    want = sorted({answer_key(a, kind) for a in expected})
    correct = got == want
    if correct:
        why = "the extracted answer matches"
    else:
        missing = [a for a in expected if answer_key(a, kind) not in got]
        extra = [a for a in answer if answer_key(a, kind) not in want]
        parts = [f"missing {', '.join(missing)}" if missing else "",
                 f"not expected {', '.join(extra)}" if extra else ""]
        why = "; ".join(part for part in parts if part)
    prefixes = task.info.id_prefixes
    scope = f" (Ids with key prefix {', '.join(prefixes)})" if prefixes else ""
    return Score(metric=metric, value=1.0 if correct else 0.0, answer=answer, expected=expected,
                 explanation=f"{kind.value}{scope}: {why}", task_id=task.id)


@scorer("exact_match")
def exact_match(task: Task, response: str, steps: list[Step]) -> Score:
    """Direct compare, else the deterministic extractor by answer kind and a sorted-list compare."""
    return direct_match(task, response) or compare_answers(task, extract_for_task(task, response))
