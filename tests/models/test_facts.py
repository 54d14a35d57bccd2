"""Held facts: the vague opening hides them, the multi-turn context leaves them out, and the helpers
tell when a message gives one away or asks for one."""

from __future__ import annotations

import re

import pytest

from crmsim.models import asks_something, is_released, requested_fact, vague_opening, withheld_context
from crmsim.models._facts import is_record_id
from crmsim.tasks import HeldFact, Task, TaskType

PERIOD = HeldFact(name="period", value="2024-02-14..2024-06-14", utterance="Look at the past four months, please.")
MIN_CASES = HeldFact(name="min_cases", value="2", utterance="Only agents managing more than one case.")
LEAD_ID = HeldFact(name="lead_id", value="00QWt000000001DMAQ", utterance="It's lead 00QWt000000001DMAQ.")
PRODUCT_KIND = HeldFact(name="product_kind", value="power management product",
                        utterance="It's the power management product.")
PURCHASE_DATE = HeldFact(name="purchase_date", value="2024-04-24", utterance="I bought it 51 days ago.")


def _of_type(tasks: list[Task], task_type: TaskType) -> list[Task]:
    found = [task for task in tasks if task.task_type is task_type]
    assert found, f"no generated {task_type.value} tasks"
    return found


def _id_values(task: Task) -> list[str]:
    return [fact.value for fact in task.held_facts if is_record_id(fact.value)]


def test_generated_tasks_hold_record_ids(generated_tasks: list[Task]) -> None:
    """The opening test below means something: many tasks hold a record Id back."""
    holding = {task.task_type for task in generated_tasks if _id_values(task)}
    assert len(holding) >= 8, sorted(t.value for t in holding)


@pytest.mark.parametrize("task_type", list(TaskType), ids=lambda t: t.value)
def test_vague_opening_never_names_a_held_record_id(generated_tasks: list[Task], task_type: TaskType) -> None:
    for task in _of_type(generated_tasks, task_type):
        opening = vague_opening(task)
        assert opening.strip(), task.id
        if not task.held_facts:
            assert opening == task.query
        for value in _id_values(task):
            assert value.lower() not in opening.lower(), f"{task.id}: {value} in {opening!r}"
        for fact in task.held_facts:
            if ".." in fact.value:  # a period: neither its dates nor how the user says it
                start, _, end = fact.value.partition("..")
                assert start not in opening and end not in opening, f"{task.id}: {opening!r}"
                assert fact.utterance.lower() not in opening.lower()
            assert not is_released(fact, [opening]) or fact.name == "min_cases", f"{task.id}: {fact.name}"


def test_vague_opening_replaces_a_period_by_a_placeholder() -> None:
    task = _task("Over the past four months, which agent had the longest average handle time?", [PERIOD])
    assert vague_opening(task) == "Over a certain period, which agent had the longest average handle time?"


def test_vague_opening_drops_the_sentence_with_a_record_id() -> None:
    task = _task("Who should take this lead? The lead is 00QWt000000001DMAQ. Return only the Id.", [LEAD_ID])
    assert vague_opening(task) == "Who should take this lead? Return only the Id."


def _context_lines_with_values(task: Task) -> list[str]:
    """Lines of ``context.required`` that state a held value (an Id, a period, a region code)."""
    found = []
    for line in task.context.required.splitlines():
        for fact in task.held_facts:
            forms = [fact.value]
            if ".." in fact.value:
                forms.append(fact.value.replace("..", " to "))
            if any(re.search(rf"(?<![\w-]){re.escape(form)}(?![\w-])", line) for form in forms):
                found.append(line)
                break
    return found


@pytest.mark.parametrize("task_type", list(TaskType), ids=lambda t: t.value)
def test_withheld_context_drops_the_lines_carrying_held_values(generated_tasks: list[Task],
                                                              task_type: TaskType) -> None:
    for task in _of_type(generated_tasks, task_type):
        withheld = withheld_context(task).splitlines()
        original = task.context.required.splitlines()
        assert all(line in original for line in withheld), task.id  # lines are dropped, never rewritten
        for line in _context_lines_with_values(task):
            assert line not in withheld, f"{task.id}: {line!r} kept"
        if not task.held_facts:
            assert withheld == original
        assert any(line.startswith("- Today's date:") for line in withheld), task.id


def test_withheld_context_keeps_policy_lines_that_state_no_held_value(generated_tasks: list[Task]) -> None:
    for task in _of_type(generated_tasks, TaskType.HANDLE_TIME):
        kept = set(withheld_context(task).splitlines())
        dropped = [line for line in task.context.required.splitlines()
                   if line not in kept and line not in _context_lines_with_values(task)]
        assert not dropped, f"{task.id}: {dropped}"


def test_withheld_context_of_a_hand_written_task() -> None:
    task = _task("Which agent?", [PERIOD, LEAD_ID], context="## Policy\n- Count closed cases.\n"
                 "- Time period: 2024-02-14 to 2024-06-14\n- Lead Id to be considered is: 00QWt000000001DMAQ\n"
                 "- Today's date: 2024-06-14")
    assert withheld_context(task) == "## Policy\n- Count closed cases.\n- Today's date: 2024-06-14"


@pytest.mark.parametrize(("texts", "released"), [
    (["Look at the past four months, please."], True),
    (["LOOK AT THE PAST FOUR MONTHS, PLEASE."], True),
    (["The window is 2024-02-14..2024-06-14"], True),
    (["Hi", "look at the past four months, please. Thanks"], True),
    (["Over a certain period, which agent?"], False),
    ([], False),
])
def test_is_released(texts: list[str], released: bool) -> None:
    assert is_released(PERIOD, texts) is released


@pytest.mark.parametrize(("message", "asks"), [
    ("Could you tell me the period?", True),
    ("Which quarter do you mean", True),
    ("Please provide the lead Id.", True),
    ("What is the case about", True),
    ("Let me know the region.", True),
    ("005Wt0000000005IAA", False),
    ("The agent with the longest handle time is 005Wt0000000005IAA.", False),
    ("None", False),
])
def test_asks_something(message: str, asks: bool) -> None:
    assert asks_something(message) is asks


@pytest.mark.parametrize(("message", "expected"), [
    ("Could you tell me the min cases?", MIN_CASES),
    ("What is the minimum number of cases?", MIN_CASES),
    ("Which lead do you mean? Give me its Id.", LEAD_ID),
    ("Could you tell me the product kind?", PRODUCT_KIND),
    ("When was the purchase date?", PURCHASE_DATE),
    ("Which PERIOD?", PERIOD),
    ("Anything else?", None),
])
def test_requested_fact_is_the_one_the_question_names(message: str, expected: HeldFact | None) -> None:
    assert requested_fact(message, [PERIOD, MIN_CASES, LEAD_ID, PURCHASE_DATE, PRODUCT_KIND]) == expected


def test_requested_fact_prefers_the_first_listed_match() -> None:
    assert requested_fact("Tell me the period and the lead.", [LEAD_ID, PERIOD]) == LEAD_ID
    assert requested_fact("Tell me the period and the lead.", []) is None


def _task(query: str, facts: list[HeldFact], *, context: str = "- Today's date: 2024-06-14") -> Task:
    return Task.model_validate({
        "id": "t-1", "task_type": "handle_time", "org": "b2b", "query": query, "answer": ["005Wt0000000005IAA"],
        "context": {"required": context}, "held_facts": [f.model_dump() for f in facts],
        "source": {"origin": "generated", "seed": 0}})
