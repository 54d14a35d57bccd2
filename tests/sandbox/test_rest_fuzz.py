"""Random and mutated SOQL and SOSL sent over HTTP never produce a 5xx or a non-Salesforce body."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

VALID_SOQL = [
    "SELECT Id, Name, Owner.Name FROM Account WHERE Industry = 'Energy' ORDER BY Name LIMIT 5",
    "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName LIMIT 2) FROM Account",
    "SELECT StageName, COUNT(Id), SUM(Amount) FROM Opportunity GROUP BY StageName HAVING COUNT(Id) > 1",
    "SELECT Id FROM Case WHERE CreatedDate = LAST_N_DAYS:30 AND Status != 'Closed'",
    "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact WHERE Email != null)",
    "SELECT Subject, What.Name FROM Task WHERE ActivityDate < NEXT_MONTH",
]
VALID_SOSL = [
    "FIND {battery overheating} RETURNING Product2(Name), Case(Subject WHERE Status = 'New' LIMIT 3)",
    "FIND {Acme*} IN NAME FIELDS RETURNING Account(Id, Name ORDER BY Name)",
    'FIND {"data security" AND NOT finance} RETURNING Knowledge__kav(Title)',
]
TOKENS = ["SELECT", "FROM", "WHERE", "(", ")", ",", "'", "\\", "=", "!=", "LIKE", "IN", "AND", "OR", "NOT",
          "{", "}", "*", "?", "RETURNING", "GROUP BY", "LIMIT", "2000", "-1", "null", "TODAY", ":x", ".", "__c"]


@st.composite
def mutated(draw: st.DrawFn, corpus: list[str]) -> str:
    text = draw(st.sampled_from(corpus))
    for _ in range(draw(st.integers(1, 4))):
        pos = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "token"]))
        if action == "insert":
            text = text[:pos] + draw(st.text(min_size=1, max_size=3)) + text[pos:]
        elif action == "delete":
            text = text[:pos] + text[pos + draw(st.integers(1, 6)):]
        else:
            text = text[:pos] + " " + draw(st.sampled_from(TOKENS)) + " " + text[pos:]
    return text


async def _assert_clean(api: Any, resource: str, text: str) -> None:
    result = await api.get(resource, params={"q": text})
    assert result.status < 500, (text, result.body)
    if result.status >= 400:
        assert isinstance(result.body, list) and "errorCode" in result.body[0], (text, result.body)
    else:
        json.dumps(result.body)


SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@SETTINGS
@given(text=st.one_of(mutated(VALID_SOQL), st.text(max_size=60)))
async def test_mutated_soql_over_http(api: Any, text: str) -> None:
    await _assert_clean(api, "query", text)


@SETTINGS
@given(text=st.one_of(mutated(VALID_SOSL), st.text(max_size=60)))
async def test_mutated_sosl_over_http(api: Any, text: str) -> None:
    await _assert_clean(api, "search", text)


async def test_the_corpus_itself_runs(api: Any) -> None:
    for text in VALID_SOQL:
        result = await api.get("query", params={"q": text})
        assert result.status == 200, (text, result.body)
    for text in VALID_SOSL:
        result = await api.get("search", params={"q": text})
        assert result.status == 200, (text, result.body)
