"""The ReAct text protocol: what ``parse_turn`` accepts, what it calls malformed and why, and that
``format_turn`` writes what ``parse_turn`` reads."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmsim.models import CORRECTIVE_MESSAGE, OBSERVATION_PREFIX, Turn, format_turn, observation_message, parse_turn


@pytest.mark.parametrize(("text", "expected"), [
    ("<thought>Count the accounts.</thought>\n<execute>SELECT COUNT() FROM Account</execute>",
     Turn("execute", "SELECT COUNT() FROM Account", "Count the accounts.")),
    ("<thought>I know it.</thought>\n<respond>005Wt0000000005IAA</respond>",
     Turn("respond", "005Wt0000000005IAA", "I know it.")),
    ("<respond>\n  None  \n</respond>", Turn("respond", "None", "")),
    ("Sure.\n<thought>\nmulti\nline\n</thought>\nThen:\n<execute>\nSELECT Id\nFROM Case\n</execute>\nDone.",
     Turn("execute", "SELECT Id\nFROM Case", "multi\nline")),
    ("<thought>a</thought><execute>SELECT Id FROM Opportunity WHERE Amount < 100</execute>",
     Turn("execute", "SELECT Id FROM Opportunity WHERE Amount < 100", "a")),
    ("<execute>FIND {Acme} IN NAME FIELDS RETURNING Account(Id)</execute><thought>after</thought>",
     Turn("execute", "FIND {Acme} IN NAME FIELDS RETURNING Account(Id)", "after")),
], ids=["execute", "respond", "no-thought", "surrounding-text", "less-than-in-soql", "thought-after"])
def test_valid_turns(text: str, expected: Turn) -> None:
    assert parse_turn(text) == expected


@pytest.mark.parametrize(("text", "action", "content"), [
    ("<THOUGHT>up</THOUGHT><EXECUTE>SELECT Id FROM Account</EXECUTE>", "execute", "SELECT Id FROM Account"),
    ("<Thought>mixed</thought><Respond>Hello</rEsPoNd>", "respond", "Hello"),
])
def test_tags_are_case_insensitive(text: str, action: str, content: str) -> None:
    turn = parse_turn(text)
    assert (turn.action, turn.content) == (action, content)
    assert turn.thought in {"up", "mixed"}


@pytest.mark.parametrize(("text", "problem"), [
    ("The answer is 42.", "no <execute> or <respond> block"),
    ("", "no <execute> or <respond> block"),
    ("<thought>only thinking</thought>", "no <execute> or <respond> block"),
    ("<thought>t</thought><execute>SELECT Id FROM Account</execute><respond>done</respond>",
     "2 actions in one turn; give exactly one"),
    ("<execute>SELECT Id FROM Account</execute>\n<execute>SELECT Id FROM Case</execute>\n<execute>x</execute>",
     "3 actions in one turn; give exactly one"),
    ("<thought>t</thought><execute>SELECT Id FROM Account", "an <execute> or <respond> tag is not closed"),
    ("<respond>hello</execute>", "an <execute> or <respond> tag is not closed"),
    ("<thought>t</thought><respond>   \n </respond>", "the <respond> block is empty"),
    ("<EXECUTE></EXECUTE>", "the <execute> block is empty"),
], ids=["prose", "empty", "thought-only", "two-actions", "three-actions", "unclosed", "mismatched", "empty-respond",
        "empty-execute-upper"])
def test_malformed_turns_say_what_is_wrong(text: str, problem: str) -> None:
    turn = parse_turn(text)
    assert turn.action == "malformed"
    assert turn.content == problem


def test_malformed_turn_keeps_its_thought() -> None:
    assert parse_turn("<thought>why</thought> no action").thought == "why"


def test_format_turn_writes_one_action() -> None:
    written = format_turn("t", execute="SELECT Id FROM Account")
    assert written == "<thought>t</thought>\n<execute>SELECT Id FROM Account</execute>"
    assert format_turn("t", respond="None") == "<thought>t</thought>\n<respond>None</respond>"


@pytest.mark.parametrize("actions", [{}, {"execute": "x", "respond": "y"}])
def test_format_turn_needs_exactly_one_action(actions: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="exactly one"):
        format_turn("t", **actions)


def test_observation_message_and_corrective_message() -> None:
    assert observation_message('[{"Id": "1"}]') == f'{OBSERVATION_PREFIX} [{{"Id": "1"}}]'
    assert parse_turn(CORRECTIVE_MESSAGE).action == "malformed"  # it describes the tags but holds no action


NO_TAGS = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="<"))


@given(thought=NO_TAGS, content=NO_TAGS.filter(str.strip), action=st.sampled_from(["execute", "respond"]))
def test_format_then_parse_round_trips(thought: str, content: str, action: str) -> None:
    turn = parse_turn(format_turn(thought, **{action: content}))
    assert turn == Turn(action, content.strip(), thought.strip())  # type: ignore[arg-type]


@given(thought=NO_TAGS, content=st.text(" \t\r\n"), action=st.sampled_from(["execute", "respond"]))
def test_blank_action_is_malformed(thought: str, content: str, action: str) -> None:
    turn = parse_turn(format_turn(thought, **{action: content}))
    assert turn == Turn("malformed", f"the <{action}> block is empty", thought.strip())
