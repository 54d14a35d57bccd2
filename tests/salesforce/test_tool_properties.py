"""Properties of the tool's pure parts: fence stripping, record cleaning and the size cap."""

from __future__ import annotations

import json
import re
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from crmsim.salesforce import clean_records, render_records, strip_code_fence

STATEMENT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="`"), min_size=1).filter(
    lambda s: s.strip()
)
LANGUAGE = st.sampled_from(["", "sql", "SQL", "soql", "sosl"])
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=12))
KEYS = st.sampled_from(["Id", "Name", "Industry", "Amount", "Owner", "Account", "Contacts", "attributes"])
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(KEYS, inner, max_size=4)),
    max_leaves=10,
)
RECORD = st.dictionaries(KEYS, VALUE, max_size=6)
CUT = re.compile(r"\[output cut: showing (\d+) of (\d+) records; (\d+) of (\d+) characters left out\]")


def _has_attributes(value: Any) -> bool:
    if isinstance(value, dict):
        return "attributes" in value or any(_has_attributes(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_attributes(v) for v in value)
    return False


@given(STATEMENT, LANGUAGE)
def test_fenced_statement_comes_back(statement: str, language: str) -> None:
    assert strip_code_fence(f"```{language}\n{statement}\n```") == statement.strip()
    assert strip_code_fence(statement) == statement.strip()


@given(st.lists(RECORD, max_size=6))
def test_clean_records_properties(records: list[dict[str, Any]]) -> None:
    cleaned = clean_records(records)
    assert len(cleaned) == len(records)
    assert not _has_attributes(cleaned)
    columns = {k for r in cleaned for k in r}
    for column in columns:  # every column kept has a value somewhere
        assert any(r.get(column) is not None for r in cleaned)
    for record in records:  # every top-level value that is set survives
        for key, value in record.items():
            if key != "attributes" and value is not None:
                assert key in columns
    assert clean_records(cleaned) == cleaned  # cleaning twice changes nothing


@given(st.lists(RECORD, max_size=8), st.integers(0, 400))
def test_size_cap_properties(records: list[dict[str, Any]], max_chars: int) -> None:
    full = render_records(records)
    text = render_records(records, max_chars)
    if len(full) <= max_chars:
        assert text == full
        return
    shown, note = text.split("\n")
    match = CUT.fullmatch(note)
    assert match, note
    kept, total, left_out, total_chars = (int(g) for g in match.groups())
    assert len(shown) <= max(max_chars, 2)
    assert json.loads(shown) == json.loads(full)[:kept]
    assert (total, total_chars, left_out) == (len(records), len(full), len(full) - len(shown))
