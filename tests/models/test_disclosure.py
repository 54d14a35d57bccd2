"""The disclosure engine: replies under each persona style, and the guard's findings."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from crmsim.models import STOP_SIGNAL, DisclosureRules, check_turn, opening, reply
from crmsim.models._disclosure import WHY
from crmsim.tasks import HeldFact, Source, Task

FACTS = [HeldFact(name="period", value="2024-01-01..2024-03-31", utterance="I mean the first quarter of 2024."),
         HeldFact(name="min_cases", value="2", utterance="Only agents with at least two cases."),
         HeldFact(name="product", value="01tWt000000000lIAA", utterance="It's product 01tWt000000000lIAA.")]
TASK = Task(id="t1", task_type="handle_time", org="b2b",
            query="Which agent had the shortest handle time in Q1 2024 among agents with at least two cases?",
            answer=["005Wt000000000SIAQ"], held_facts=FACTS, source=Source(origin="generated", seed=0))
QUESTIONS = ["Could you tell me the period?", "Which min cases threshold?", "Could you tell me the product?",
             "Anything else I should know?", "Here is the answer: 005Wt000000000SIAQ", "Thanks, done."]


def _released(texts: list[str]) -> set[str]:
    from crmsim.models import is_released

    return {f.name for f in FACTS if is_released(f, texts)}


def test_on_request_gives_the_named_fact_then_stops_after_an_answer() -> None:
    rules = DisclosureRules()
    said = [opening(TASK, "multi", rules)]
    assert _released(said) == set()
    said.append(reply(TASK, rules, said, ["Could you tell me the product?"]))
    assert said[-1] == FACTS[2].utterance
    said.append(reply(TASK, rules, said, ["Could you tell me the product?", "Anything else to add?"]))
    assert said[-1] == FACTS[0].utterance  # a general question gives the next fact
    assert reply(TASK, rules, said, ["q?", "q?", "The answer is 005Wt000000000SIAQ."]) == STOP_SIGNAL


def test_reluctant_asks_why_first_and_vague_first_answers_vaguely_first() -> None:
    reluctant = DisclosureRules(style="reluctant")
    said = [opening(TASK, "multi", reluctant)]
    assert reply(TASK, reluctant, said, ["Could you tell me the period?"]) == WHY
    said.append(WHY)
    assert reply(TASK, reluctant, said, ["Could you tell me the period?", "Could you tell me the period?"]) \
        == FACTS[0].utterance
    vague = DisclosureRules(style="vague_first")
    first = reply(TASK, vague, [opening(TASK, "multi", vague)], ["Could you tell me the period?"])
    assert first == "I think it was a certain period." and _released([first]) == set()


def test_eager_and_volunteering_users_give_more_per_turn() -> None:
    eager = DisclosureRules(style="eager", facts_per_turn=2)
    assert len(_released([opening(TASK, "multi", eager)])) == 2
    text = reply(TASK, eager, ["hello"], ["Could you tell me the product?"])
    assert _released([text]) == {"product", "period"}
    volunteer = DisclosureRules(volunteers=True)
    assert len(_released([reply(TASK, volunteer, ["hello"], ["Could you tell me the period?"])])) == 2


@settings(max_examples=60, deadline=None)
@given(questions=st.lists(st.sampled_from(QUESTIONS), min_size=1, max_size=8),
       per_turn=st.integers(1, 3), style=st.sampled_from(["on_request", "reluctant", "vague_first"]))
def test_never_unasked_and_never_over_the_limit(questions: list[str], per_turn: int, style: str) -> None:
    rules = DisclosureRules(style=style, facts_per_turn=per_turn)  # type: ignore[arg-type]
    said = [opening(TASK, "multi", rules)]
    assert _released(said) == set()  # an on-request opening gives nothing away
    agent: list[str] = []
    for question in questions:
        agent.append(question)
        text = reply(TASK, rules, said, agent)
        if text == STOP_SIGNAL:
            break
        new = _released([text]) - _released(said)
        assert len(new) <= per_turn
        if new:
            assert "?" in question  # only a question gets facts
        assert check_turn(TASK, rules, text, before=said, last_agent=question) == []
        said.append(text)


def test_the_guard_reports_what_the_simulator_got_wrong() -> None:
    rules = DisclosureRules()
    opening_text = f"{TASK.query} {FACTS[0].utterance}"
    (unasked,) = check_turn(TASK, rules, opening_text, before=[], last_agent=None)
    assert unasked.kind == "released_unasked"
    both = f"{FACTS[0].utterance} {FACTS[1].utterance}"
    kinds = {f.kind for f in check_turn(TASK, rules, both, before=["hi"], last_agent="What period?")}
    assert kinds == {"over_limit"}
    invented = check_turn(TASK, rules, "It's case 500Wt000000009ZZAA.", before=["hi"], last_agent="Which case?")
    assert [f.kind for f in invented] == ["invented"]
    early = check_turn(TASK, rules, STOP_SIGNAL, before=["hi"], last_agent="Could you tell me the period?")
    assert [f.kind for f in early] == ["early_stop"]
    assert check_turn(TASK, rules, STOP_SIGNAL, before=["hi"], last_agent="The answer is X.") == []
