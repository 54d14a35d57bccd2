"""Fuzzing: no statement, observation, message or policy file text makes the policies code raise."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policy_helpers import SHIPPED

from crmsim.errors import PolicyFileError
from crmsim.policies import PolicyEngine, analyze_statement, load_policies, validate_policies

ENGINE = PolicyEngine(load_policies(SHIPPED))
FRAGMENTS = st.sampled_from([
    "SELECT", "FIND", "{", "}", "(", ")", "FROM", "Contact", "Case", "User", "WHERE", "Email", "=", "'x'", "AND",
    "OR", "IN", "RETURNING", "Knowledge__kav", "Account.Phone", ",", "COUNT(Id)", "GROUP BY", "OwnerId", "LIKE",
    "'Internal:%'", "FIELDS(ALL)", "LIMIT 5", "```", "\n", "Contacts", "Id", "'003Wt0000000101AAA'",
])


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(max_size=120), st.lists(FRAGMENTS, max_size=14).map(" ".join)))
def test_any_statement_is_analyzed_and_checked(statement: str) -> None:
    for org in ("b2b", "b2c"):
        analyze_statement(statement, org)
        session = ENGINE.session(org=org, audience="external", own_ids=["003Wt0000000101AAA"])
        session.check_tool_call(statement)
        session.record_observation(statement, '[{"Id": "003Wt0000000202AAA", "Email": "a@b.io"}]')
        session.record_observation(statement, statement)
        session.check_message(statement)


JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None)
@given(JSONISH)
def test_any_observation_is_recorded(observation: object) -> None:
    session = ENGINE.session(org="b2c", audience="external")
    statement = "SELECT Id, Name, Email, Phone, Account.Phone, (SELECT Subject FROM Cases) FROM Contact"
    if isinstance(observation, list | dict):
        session.record_observation(statement, observation)  # type: ignore[arg-type]
    session.record_observation(statement, str(observation))
    session.check_message(str(observation))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=300))
def test_any_policy_file_text_gives_problems_not_exceptions(tmp_path: Path, text: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    found = validate_policies(path)
    assert all(isinstance(problem, PolicyFileError) for problem in found)
    assert all(str(problem).startswith(str(path)) for problem in found)
