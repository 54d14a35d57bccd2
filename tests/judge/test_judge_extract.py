"""The deterministic extractors, one answer kind at a time."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmsim.judge import canonical_answers, extract_answer
from crmsim.sandbox.ids import make_id

AGENT = make_id("005", 1001)


@pytest.mark.parametrize(
    ("text", "prefixes", "expected"),
    [
        (f"Agent {AGENT}", ("005",), [AGENT]),
        (f"Agent {AGENT[:15]}", ("005",), [AGENT]),  # 15 characters become 18
        (f"Agent {AGENT.lower()}", ("005",), [AGENT.lower()]),  # 18-character Ids are case-safe
        (f"Case {make_id('500', 1)} and product {make_id('01t', 2)}", ("005",), ["None"]),
        (f"Case {make_id('500', 1)}", (), [make_id("500", 1)]),  # no prefixes known: any Id
        ("Troubleshooting and Implementation", (), ["None"]),  # long words are not Ids
        (f"{AGENT}, {AGENT[:15]}", ("005",), [AGENT]),  # one record named twice
        (f"x{AGENT}", ("005",), ["None"]),  # glued to other characters
    ],
)
def test_ids(text: str, prefixes: tuple[str, ...], expected: list[str]) -> None:
    assert extract_answer(text, "ids", id_prefixes=prefixes) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("TX", ["TX"]),
        ("Quickest closures: TX, OR and NY.", ["TX", "OR", "NY"]),
        ("New York and California", ["NY", "CA"]),
        ("Cases in West Virginia closed fastest.", ["WV"]),
        ("Washington D.C. leads.", ["DC"]),
        ("The state is IN.", ["IN"]),
        ("**ID**", ["ID"]),
        ("Agent ID 005 checked the numbers. OK?", ["None"]),
        ("OK, I checked: it is FL.", ["FL"]),
        ("IN the last quarter no cases closed.", ["None"]),
    ],
)
def test_states(text: str, expected: list[str]) -> None:
    assert extract_answer(text, "states") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("October", ["October"]),
        ("OCT", ["October"]),
        ("Cases rose in Sept. and fell in Oct.", ["September", "October"]),
        ("From January to October, the peak was in May.", ["May"]),
        ("Jan-Mar 2024 only", ["January", "March"]),  # nothing but the range: the range it is
        ("May I help with anything else?", ["None"]),
        ("We may see more cases in March.", ["March"]),
    ],
)
def test_months(text: str, expected: list[str]) -> None:
    assert extract_answer(text, "months") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Budget, Authority", ["Budget", "Authority"]),
        ("Budget: ✅ Authority: ❌ Need: ✅ Timeline: ❌", ["Authority", "Timeline"]),
        ("Budget and Authority are met, but Need and Timeline are not.", ["Need", "Timeline"]),
        ("No issues with budget; the timeframe is unclear.", ["Timeline"]),
        ("They lack a decision-maker.", ["Authority"]),
        ("I need to review the calls. Result: Need.", ["Need"]),
        ("The lead is qualified.", ["None"]),
    ],
)
def test_bant(text: str, expected: list[str]) -> None:
    assert extract_answer(text, "bant") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("QUOTE", ["Quote"]),
        ("Stage should be 'negotiation'.", ["Negotiation"]),
        ("Update it to Discovery → it's currently Closed.", ["Discovery"]),
        ("The stage accurately reflects the tasks (Qualification).", ["None"]),
        ("We sent the quote yesterday.", ["None"]),
    ],
)
def test_stages(text: str, expected: list[str]) -> None:
    assert extract_answer(text, "stages") == expected


def test_text_and_refusal_kinds_keep_the_response() -> None:
    assert extract_answer("  Some answer. ", "text") == ["Some answer."]
    assert extract_answer("I can't share that.", "refusal") == ["I can't share that."]


def test_canonical_answers() -> None:
    assert canonical_answers(["Authority, Need"], "bant") == ["Authority", "Need"]
    assert canonical_answers(["tx"], "states") == ["TX"]
    assert canonical_answers(["Sept"], "months") == ["September"]
    assert canonical_answers([AGENT[:15]], "ids") == [AGENT]
    assert canonical_answers(["None"], "stages") == ["None"]
    assert canonical_answers(["Something else"], "stages") == ["Something else"]


@given(st.text(max_size=300))
def test_extractors_never_fail(text: str) -> None:
    for kind in ("ids", "states", "months", "bant", "stages"):
        found = extract_answer(text, kind, id_prefixes=("005",) if kind == "ids" else ())
        assert found and all(isinstance(item, str) and item for item in found)
