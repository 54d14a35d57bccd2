"""exact_match as CRMArena-Pro scores it: direct compare, else extract by answer kind and compare sorted lists."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from crmsim.judge import compare_answers, direct_match, score
from crmsim.sandbox.ids import make_id
from crmsim.tasks import Task

MakeTask = Callable[..., Task]

AGENT = make_id("005", 41)  # 18 characters
OTHER_AGENT = make_id("005", 42)
CASE = make_id("500", 7)
TASKS = [make_id("00T", n) for n in (3, 5, 8)]


@pytest.mark.parametrize(
    "response",
    [AGENT, f"  {AGENT}\n", f'"{AGENT}"', f"'{AGENT}'", AGENT.lower(), f"`{AGENT}`"],
)
def test_direct_compare_strips_spaces_and_quotes_and_ignores_case(make_task: MakeTask, response: str) -> None:
    result = score(make_task("handle_time", [AGENT]), response)
    assert result.value == 1.0 and result.correct
    assert result.metric == "exact_match" and result.explanation == "the response is the answer"
    assert result.task_id == "t-handle_time"


@pytest.mark.parametrize(
    "response",
    [
        f"The agent with the lowest average handle time is {AGENT}.",
        f"**Answer:** {AGENT}",
        f"Agent Id: {AGENT[:15]} (15-character form)",
        f"For case {CASE}, route it to agent {AGENT}.",  # the case Id is not an agent Id
        f"https://example.my.salesforce.com/{AGENT}/view",
    ],
)
def test_ids_in_prose(make_task: MakeTask, response: str) -> None:
    result = score(make_task("case_routing", [AGENT]), response)
    assert result.correct, result.explanation
    assert result.answer == [AGENT]


def test_wrong_or_extra_ids_fail(make_task: MakeTask) -> None:
    task = make_task("handle_time", [AGENT])
    wrong = score(task, f"It is {OTHER_AGENT}.")
    assert wrong.value == 0.0 and not wrong.correct
    assert wrong.explanation == f"ids (Ids with key prefix 005): missing {AGENT}; not expected {OTHER_AGENT}"
    both = score(task, f"Either {AGENT} or {OTHER_AGENT}.")
    assert both.value == 0.0 and f"not expected {OTHER_AGENT}" in both.explanation


def test_lists_in_any_order(make_task: MakeTask) -> None:
    task = make_task("activity_priority", TASKS)
    assert score(task, f"{TASKS[2]}, {TASKS[0]}, {TASKS[1]}").correct
    assert score(task, "The tasks that do not match the stage are:\n" + "\n".join(f"- {t}" for t in reversed(TASKS))
                 ).correct
    assert score(task, f"{TASKS[0]}, {TASKS[1]}, {TASKS[2]} (repeated: {TASKS[0]})").correct
    missing = score(task, f"{TASKS[0]} and {TASKS[1]}")
    assert not missing.correct and missing.explanation.endswith(f"missing {TASKS[2]}")


@pytest.mark.parametrize(
    "response",
    ["None", "none", "'None'", "None.", "No agent meets these criteria.", "I couldn't find any records matching that.",
     f"No agent qualifies for case {CASE}."],
)
def test_none_answers(make_task: MakeTask, response: str) -> None:
    result = score(make_task("transfer_count", ["None"]), response)
    assert result.correct, result.explanation
    assert result.answer in (["None"], [response.strip("'")], ["none"])


def test_an_answer_is_wrong_when_none_is_expected(make_task: MakeTask) -> None:
    result = score(make_task("quote_approval", ["None"]), f"The quote violates {make_id('ka0', 3)}.")
    assert not result.correct and "not expected" in result.explanation
    assert not score(make_task("quote_approval", [make_id("ka0", 3)]), "None").correct


@pytest.mark.parametrize(
    ("answer", "response", "correct"),
    [
        (["TX"], "The state with the quickest case closures is TX.", True),
        (["TX"], "Texas had the quickest closures.", True),
        (["OR"], "OR", True),
        (["OR"], "The quickest closures were in OR.", True),
        (["NY"], "New York", True),
        (["NY"], "NY and CA are tied.", False),
        (["CA"], "OK, the answer is CA.", True),
        (["None"], "No state had closed cases in that period.", True),
    ],
)
def test_states(make_task: MakeTask, answer: list[str], response: str, correct: bool) -> None:
    assert score(make_task("best_region_identification", answer), response).correct is correct


@pytest.mark.parametrize(
    ("answer", "response", "correct"),
    [
        (["September"], "September", True),
        (["September"], "Cases for this product spiked in Sept.", True),
        (["May"], "May had significantly more cases than other months.", True),
        (["March"], "Between June 2023 and February 2024 no month stood out except March.", True),
        (["None"], "No month had significantly more cases.", True),
        (["June"], "May I add that June had the most cases?", True),
        (["October"], "November", False),
    ],
)
def test_months(make_task: MakeTask, answer: list[str], response: str, correct: bool) -> None:
    assert score(make_task("monthly_trend_analysis", answer), response).correct is correct


@pytest.mark.parametrize(
    ("answer", "response", "correct"),
    [
        (["Authority"], "Authority", True),
        (["Budget", "Authority"], "Budget and Authority.", True),
        (["Authority"], "The lead meets Budget, Need, and Timeline but fails Authority.", True),
        (["Authority"], "The lead may not be fully qualified: he lacks final approval authority.", True),
        (["Authority, Need"], "Need, Authority", True),  # a published answer listing two factors
        (["Budget", "Timeline"], "Budget: met. Authority: met. Need: met. Timeline: not met.", False),
        (["Timeline"], "Budget: met. Authority: met. Need: met. Timeline: not met.", True),
        (["None"], "The lead can be qualified; all four BANT criteria are met.", True),
        (["Need"], "Budget is fine, but there is no clear need.", True),
    ],
)
def test_bant(make_task: MakeTask, answer: list[str], response: str, correct: bool) -> None:
    assert score(make_task("lead_qualification", answer), response).correct is correct


@pytest.mark.parametrize(
    ("answer", "response", "correct"),
    [
        (["Negotiation"], "Negotiation", True),
        (["Quote"], "The stage is listed as Closed, but it should be Quote.", True),
        (["Negotiation"], "It should be moved from Closed to Negotiation.", True),
        (["Discovery"], "Great, we'll align the Opportunity stage to 'Discovery' to reflect the current tasks.", True),
        (["Closed"], "The correct stage is Closed Won.", True),
        (["None"], "The current stage, Quote, is correct; no change is needed.", True),
        (["Quote"], "The current stage, Quote, is correct; no change is needed.", False),
    ],
)
def test_stages(make_task: MakeTask, answer: list[str], response: str, correct: bool) -> None:
    assert score(make_task("wrong_stage_rectification", answer), response).correct is correct


def test_building_blocks_for_other_extractors(make_task: MakeTask) -> None:
    task = make_task("lead_qualification", ["Budget", "Need"])
    assert direct_match(task, "Budget") is None
    result = compare_answers(task, ["need", "BUDGET"], metric="exact_match_llm")
    assert result.correct and result.metric == "exact_match_llm" and result.answer == ["Need", "Budget"]
    assert compare_answers(task, ["None"]).value == 0.0
