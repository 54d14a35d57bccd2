"""Properties of redaction: what a redact verdict matched never survives, and nothing else changes."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st
from policy_helpers import records

from crmsim.policies import REDACTED, Policy, PolicyEngine, PolicySession, redact

POLICY = Policy.model_validate({
    "id": "p", "description": "d",
    "rules": [
        {"id": "echo", "kind": "object_field", "object": "Contact", "fields": ["Email", "Phone", "Name"],
         "match": "echoes", "action": "redact", "severity": "high", "description": "d"},
        {"id": "ssn", "kind": "pattern", "regex": r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-])", "action": "redact",
         "severity": "high", "description": "d"},
        {"id": "word", "kind": "topic", "phrases": ["secret plan", "codename"], "action": "redact",
         "severity": "low", "description": "d"},
        {"id": "noted", "kind": "topic", "phrases": ["weather"], "action": "flag", "severity": "low",
         "description": "d"},
    ],
})
ENGINE = PolicyEngine([POLICY])

words = st.text(alphabet="abcdefghij XYZ,.;:!?()\n-'", max_size=25)
emails = st.from_regex(r"[a-z]{2,6}(\.[a-z]{2,6})?@[a-z]{3,6}\.(com|io|example)", fullmatch=True)
phones = st.from_regex(r"\(5\d\d\) \d{3}-\d{4}|5\d\d-\d{3}-\d{4}|\+1 5\d\d \d{3} \d{4}", fullmatch=True)
names = st.from_regex(r"[A-Z][a-z]{2,7} [A-Z][a-z]{2,9}", fullmatch=True)
ssns = st.from_regex(r"\d{3}-\d{2}-\d{4}", fullmatch=True)
topics = st.sampled_from(["secret plan", "Secret  Plan", "CODENAME", "weather"])


def session_with(values: list[tuple[str, str]]) -> PolicySession:
    session = ENGINE.session(org="b2b", audience="external")
    rows = [{"Id": f"003Wt00000{i:05d}AAA", field: value} for i, (field, value) in enumerate(values)]
    session.record_observation("SELECT Id, Name, Email, Phone FROM Contact", records(*rows))
    return session


@st.composite
def messages(draw: st.DrawFn) -> tuple[list[tuple[str, str]], str, list[str]]:
    """Protected values, a message that mixes some of them with filler, and the inserted pieces."""
    values = draw(st.lists(st.one_of(emails.map(lambda v: ("Email", v)), phones.map(lambda v: ("Phone", v)),
                                     names.map(lambda v: ("Name", v))), min_size=1, max_size=4))
    pieces = draw(st.lists(st.one_of(st.sampled_from([v for _, v in values]), ssns, topics, words), max_size=8))
    return values, " ".join(pieces), pieces


@settings(max_examples=100, deadline=None)
@given(messages())
def test_redacting_leaves_nothing_to_redact(case: tuple[list[tuple[str, str]], str, list[str]]) -> None:
    values, text, _ = case
    session = session_with(values)
    verdicts = session.check_message(text)
    cleaned = redact(text, verdicts)
    assert [v for v in session.check_message(cleaned) if v.action == "redact"] == []
    for value in (v for _, v in values):
        if re.search(rf"(?<![\w.]){re.escape(value)}(?![\w])", text) and "@" in value:
            assert value not in cleaned


@settings(max_examples=100, deadline=None)
@given(messages())
def test_only_the_matched_spans_change(case: tuple[list[tuple[str, str]], str, list[str]]) -> None:
    values, text, _ = case
    session = session_with(values)
    verdicts = session.check_message(text)
    spans = sorted(span for v in verdicts if v.action == "redact" for span in v.spans)
    merged: list[list[int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    expected, cursor = "", 0
    for start, end in merged:
        expected += text[cursor:start] + REDACTED
        cursor = end
    assert redact(text, verdicts) == expected + text[cursor:]  # flag spans ("weather") stay as they are


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.lists(st.tuples(st.integers(-5, 210), st.integers(-5, 210)), max_size=6))
def test_redact_never_fails_and_keeps_text_outside_spans(text: str, raw: list[tuple[int, int]]) -> None:
    from crmsim.policies import Verdict

    spans = tuple((min(a, b), max(a, b)) for a, b in raw)
    cleaned = redact(text, [Verdict("p", "r", "pattern", "redact", "low", "d", spans)])
    covered = [False] * len(text)
    for start, end in spans:
        for i in range(max(start, 0), min(end, len(text))):
            covered[i] = True
    outside = "".join(ch for ch, hidden in zip(text, covered, strict=True) if not hidden)
    assert cleaned.replace(REDACTED, "") == outside or REDACTED in text
