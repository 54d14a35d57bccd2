"""SOQL conformance: COUNT(), aggregate functions, GROUP BY, HAVING and date functions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from soql_fixtures import LIVE_ACCOUNTS, api_error, open_engine

from crmsim.sandbox.soql import SoqlEngine


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoqlEngine]:
    with open_engine(tmp_path_factory.mktemp("soql_aggregate") / "org.db") as eng:
        yield eng


async def rows(engine: SoqlEngine, text: str) -> list[dict[str, Any]]:
    """Aggregate rows without their attributes, after checking every row is an AggregateResult."""
    result = await engine.query(text)
    assert result.total_size == len(result.records)
    for record in result.records:
        assert record["attributes"] == {"type": "AggregateResult"}
    return [{k: v for k, v in r.items() if k != "attributes"} for r in result.records]


# Opportunities: Amount 50000, 12000.5, 8000, null, 1500.25, 300, 2500 (7 rows, one without account).


# -- COUNT() --------------------------------------------------------------------------------------


async def test_count_returns_total_size_without_records(engine: SoqlEngine) -> None:
    result = await engine.query("SELECT COUNT() FROM Opportunity")
    assert (result.total_size, result.records) == (7, [])
    result = await engine.query("select count() from opportunity where IsWon = true")
    assert (result.total_size, result.records) == (2, [])
    result = await engine.query("SELECT COUNT() FROM Account")
    assert result.total_size == len(LIVE_ACCOUNTS)


async def test_count_with_other_fields_is_refused(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT Id, COUNT() FROM Opportunity")
    assert err.error_code == "MALFORMED_QUERY"


# -- aggregate functions --------------------------------------------------------------------------


async def test_every_aggregate_function_with_expr_numbering(engine: SoqlEngine) -> None:
    got = await rows(
        engine,
        "SELECT COUNT(Id), COUNT(Amount), COUNT_DISTINCT(AccountId), SUM(Amount), AVG(Amount), "
        "MIN(Amount), MAX(Amount), MIN(CloseDate), MAX(CloseDate) FROM Opportunity",
    )
    assert got == [
        {
            "expr0": 7,
            "expr1": 6,  # COUNT(field) skips nulls
            "expr2": 5,  # COUNT_DISTINCT skips nulls
            "expr3": 74300.75,
            "expr4": pytest.approx(74300.75 / 6),
            "expr5": 300.0,
            "expr6": 50000.0,
            "expr7": "2023-12-31",
            "expr8": "2024-09-30",
        }
    ]
    assert list(got[0]) == [f"expr{n}" for n in range(9)]


async def test_aliases_do_not_consume_expr_numbers(engine: SoqlEngine) -> None:
    got = await rows(engine, "SELECT COUNT(Id) total, SUM(Amount), MAX(Amount) Biggest, MIN(Amount) FROM Opportunity")
    assert got == [{"total": 7, "expr0": 74300.75, "Biggest": 50000.0, "expr1": 300.0}]
    assert list(got[0]) == ["total", "expr0", "Biggest", "expr1"]


async def test_aggregate_output_types(engine: SoqlEngine) -> None:
    got = await rows(
        engine,
        "SELECT COUNT(Id) c, SUM(NumberOfEmployees) s, AVG(NumberOfEmployees) a, MAX(CreatedDate) m, "
        "MIN(Name) n FROM Account",
    )
    row = got[0]
    assert row == {
        "c": 7,
        "s": 684,
        "a": 114.0,
        "m": "2024-06-14T08:30:00.000+0000",
        "n": "50% Off_Store",
    }
    assert isinstance(row["c"], int)
    assert isinstance(row["s"], int)
    assert isinstance(row["a"], float)


async def test_min_max_on_text_are_case_insensitive(engine: SoqlEngine) -> None:
    got = await rows(engine, "SELECT MIN(Name) lo, MAX(Name) hi FROM Account WHERE Name LIKE '%b%'")
    assert got == [{"lo": "Acme Robotics", "hi": "O'Brien Freight Services"}]


async def test_aggregates_over_no_rows(engine: SoqlEngine) -> None:
    got = await rows(engine, "SELECT COUNT(Id), SUM(Amount), MAX(CloseDate) FROM Opportunity WHERE Name = 'zzz'")
    assert got == [{"expr0": 0, "expr1": None, "expr2": None}]
    assert (
        await rows(engine, "SELECT StageName, COUNT(Id) FROM Opportunity WHERE Name = 'zzz' GROUP BY StageName") == []
    )


async def test_aggregates_skip_deleted_rows(engine: SoqlEngine) -> None:
    got = await rows(
        engine, "SELECT Industry, COUNT(Id) n FROM Account WHERE Industry = 'Technology' GROUP BY Industry"
    )
    assert got == [{"Industry": "Technology", "n": 1}]


@pytest.mark.parametrize(
    "text",
    [
        "SELECT SUM(Name) FROM Opportunity",
        "SELECT AVG(CloseDate) FROM Opportunity",
        "SELECT MAX(IsWon) FROM Opportunity",
        "SELECT MIN(Description) FROM Opportunity",
    ],
)
async def test_aggregate_on_unsupported_type_is_refused(engine: SoqlEngine, text: str) -> None:
    err = await api_error(engine, text)
    assert err.error_code == "MALFORMED_QUERY"
    assert "does not support aggregate operator" in err.message


@pytest.mark.parametrize(
    "text",
    [
        "SELECT COUNT(Id) c, SUM(Amount) c FROM Opportunity",
        "SELECT StageName, COUNT(Id) StageName FROM Opportunity GROUP BY StageName",
    ],
)
async def test_duplicate_alias_is_refused(engine: SoqlEngine, text: str) -> None:
    err = await api_error(engine, text)
    assert err.error_code == "MALFORMED_QUERY"
    assert "duplicate alias" in err.message.lower()


# -- GROUP BY -------------------------------------------------------------------------------------


async def test_group_by_with_count_and_sum(engine: SoqlEngine) -> None:
    got = await rows(
        engine,
        "SELECT StageName, COUNT(Id), SUM(Amount) FROM Opportunity GROUP BY StageName ORDER BY StageName",
    )
    assert got == [
        {"StageName": "Closed", "expr0": 3, "expr1": 59500.25},
        {"StageName": "Discovery", "expr0": 1, "expr1": 300.0},
        {"StageName": "Negotiation", "expr0": 1, "expr1": 12000.5},
        {"StageName": "Qualification", "expr0": 1, "expr1": None},
        {"StageName": "Quote", "expr0": 1, "expr1": 2500.0},
    ]


async def test_group_by_key_uses_canonical_casing(engine: SoqlEngine) -> None:
    got = await rows(
        engine, "select stagename, count(id) from opportunity group by STAGENAME order by stagename limit 1"
    )
    assert got == [{"StageName": "Closed", "expr0": 3}]


async def test_group_by_null_group_sorts_first(engine: SoqlEngine) -> None:
    got = await rows(engine, "SELECT Industry, COUNT(Id) FROM Account GROUP BY Industry ORDER BY Industry")
    assert got[0] == {"Industry": None, "expr0": 1}
    assert [r["Industry"] for r in got[1:]] == [
        "Energy",
        "Finance",
        "Healthcare",
        "Manufacturing",
        "Retail",
        "Technology",
    ]


async def test_group_by_relationship_field_keyed_by_last_segment(engine: SoqlEngine) -> None:
    got = await rows(
        engine, "SELECT Account.Name, COUNT(Id) FROM Opportunity GROUP BY Account.Name ORDER BY Account.Name"
    )
    assert got == [
        {"Name": None, "expr0": 1},
        {"Name": "50% Off_Store", "expr0": 1},
        {"Name": "Acme Corporation", "expr0": 2},
        {"Name": "Acme Robotics", "expr0": 1},
        {"Name": "Café Zoë", "expr0": 1},
        {"Name": "O'Brien Freight Services", "expr0": 1},
    ]


async def test_group_by_two_level_relationship_with_alias(engine: SoqlEngine) -> None:
    got = await rows(
        engine,
        "SELECT Account.Owner.Name owner, SUM(Amount) total FROM Opportunity WHERE AccountId != null "
        "GROUP BY Account.Owner.Name ORDER BY Account.Owner.Name",
    )
    assert got == [
        {"owner": "Alice Admin", "total": 64500.5},
        {"owner": "Bob Rep", "total": 8000.0},
        {"owner": "Carol Nobody", "total": 1500.25},
    ]


async def test_group_by_several_fields(engine: SoqlEngine) -> None:
    got = await rows(
        engine,
        "SELECT StageName, IsWon, COUNT(Id) FROM Opportunity WHERE StageName = 'Closed' "
        "GROUP BY StageName, IsWon ORDER BY IsWon",
    )
    assert got == [
        {"StageName": "Closed", "IsWon": False, "expr0": 1},
        {"StageName": "Closed", "IsWon": True, "expr0": 2},
    ]


async def test_group_by_without_aggregate(engine: SoqlEngine) -> None:
    got = await rows(engine, "SELECT StageName FROM Opportunity GROUP BY StageName ORDER BY StageName DESC")
    assert [r["StageName"] for r in got] == ["Quote", "Qualification", "Negotiation", "Discovery", "Closed"]


async def test_order_by_aggregate_limit_offset(engine: SoqlEngine) -> None:
    got = await rows(
        engine,
        "SELECT Owner.Name, SUM(Amount) total FROM Opportunity GROUP BY Owner.Name ORDER BY SUM(Amount) DESC",
    )
    assert got == [
        {"Name": "Alice Admin", "total": 62300.5},
        {"Name": "Bob Rep", "total": 10500.0},
        {"Name": "Carol Nobody", "total": 1500.25},
    ]
    page = await rows(
        engine, "SELECT StageName, COUNT(Id) FROM Opportunity GROUP BY StageName ORDER BY StageName LIMIT 2 OFFSET 1"
    )
    assert page == [{"StageName": "Discovery", "expr0": 1}, {"StageName": "Negotiation", "expr0": 1}]


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("SELECT Name, COUNT(Id) FROM Account GROUP BY Industry", "Name"),
        ("SELECT Name, COUNT(Id) FROM Account", "Name"),
        ("SELECT Industry, Name FROM Account GROUP BY Industry", "Name"),
    ],
)
async def test_field_must_be_grouped_or_aggregated(engine: SoqlEngine, text: str, field: str) -> None:
    err = await api_error(engine, text)
    assert err.error_code == "MALFORMED_QUERY"
    assert f"Field must be grouped or aggregated: {field}" in err.message
    assert f"ERROR at Row:1:Column:{text.index(field, 7) + 1}" in err.message


async def test_order_by_ungrouped_field_is_refused(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT StageName, COUNT(Id) FROM Opportunity GROUP BY StageName ORDER BY Name")
    assert err.error_code == "MALFORMED_QUERY"
    assert "grouped or aggregated" in err.message


@pytest.mark.parametrize("field", ["Amount", "CreatedDate", "Description"])
async def test_group_by_non_groupable_field_is_refused(engine: SoqlEngine, field: str) -> None:
    err = await api_error(engine, f"SELECT {field}, COUNT(Id) FROM Opportunity GROUP BY {field}")
    assert err.error_code == "MALFORMED_QUERY"
    assert f"field '{field}' can not be grouped in a query call" in err.message


async def test_subquery_in_aggregate_is_refused(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT COUNT(Id), (SELECT Id FROM Contacts) FROM Account")
    assert err.error_code == "MALFORMED_QUERY"


# -- HAVING ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("having", "expected"),
    [
        ("COUNT(Id) > 1", ["Closed"]),
        ("COUNT(Id) = 1", ["Discovery", "Negotiation", "Qualification", "Quote"]),
        ("SUM(Amount) > 2000", ["Closed", "Negotiation", "Quote"]),
        ("SUM(Amount) = null", ["Qualification"]),
        ("StageName = 'closed'", ["Closed"]),
        ("COUNT(Id) > 1 OR StageName LIKE 'Q%'", ["Closed", "Qualification", "Quote"]),
        ("(COUNT(Id) = 1 AND MAX(Amount) < 1000)", ["Discovery"]),
        ("StageName IN ('Quote', 'Discovery')", ["Discovery", "Quote"]),
    ],
)
async def test_having(engine: SoqlEngine, having: str, expected: list[str]) -> None:
    got = await rows(
        engine, f"SELECT StageName, COUNT(Id) FROM Opportunity GROUP BY StageName HAVING {having} ORDER BY StageName"
    )
    assert [r["StageName"] for r in got] == expected


async def test_having_on_ungrouped_field_is_refused(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT StageName, COUNT(Id) FROM Opportunity GROUP BY StageName HAVING Name = 'x'")
    assert "grouped or aggregated" in err.message


# -- date functions -------------------------------------------------------------------------------


async def test_group_by_calendar_year_and_month(engine: SoqlEngine) -> None:
    got = await rows(
        engine,
        "SELECT CALENDAR_YEAR(CloseDate), CALENDAR_MONTH(CloseDate) m, COUNT(Id) FROM Opportunity "
        "GROUP BY CALENDAR_YEAR(CloseDate), CALENDAR_MONTH(CloseDate) "
        "ORDER BY CALENDAR_YEAR(CloseDate), CALENDAR_MONTH(CloseDate)",
    )
    assert got == [
        {"expr0": 2023, "m": 12, "expr1": 1},
        {"expr0": 2024, "m": 3, "expr1": 1},
        {"expr0": 2024, "m": 6, "expr1": 3},
        {"expr0": 2024, "m": 7, "expr1": 1},
        {"expr0": 2024, "m": 9, "expr1": 1},
    ]


async def test_group_by_calendar_quarter(engine: SoqlEngine) -> None:
    got = await rows(
        engine,
        "SELECT CALENDAR_QUARTER(CloseDate) q, SUM(Amount) s FROM Opportunity "
        "WHERE CALENDAR_YEAR(CloseDate) = 2024 GROUP BY CALENDAR_QUARTER(CloseDate) "
        "ORDER BY CALENDAR_QUARTER(CloseDate)",
    )
    assert got == [{"q": 1, "s": 8000.0}, {"q": 2, "s": 64500.5}, {"q": 3, "s": 300.0}]


async def test_group_by_day_only(engine: SoqlEngine) -> None:
    got = await rows(
        engine,
        "SELECT DAY_ONLY(CreatedDate) d, COUNT(Id) c FROM Case GROUP BY DAY_ONLY(CreatedDate) "
        "ORDER BY DAY_ONLY(CreatedDate) DESC",
    )
    assert got == [
        {"d": "2024-06-15", "c": 1},
        {"d": "2024-06-14", "c": 2},
        {"d": "2024-06-13", "c": 1},
        {"d": "2024-03-16", "c": 1},
        {"d": "2023-11-05", "c": 1},
    ]


async def test_group_by_hour_day_in_month_and_week(engine: SoqlEngine) -> None:
    hours = await rows(
        engine,
        "SELECT HOUR_IN_DAY(CreatedDate), COUNT(Id) FROM Case GROUP BY HOUR_IN_DAY(CreatedDate) "
        "ORDER BY HOUR_IN_DAY(CreatedDate)",
    )
    assert hours == [
        {"expr0": 0, "expr1": 2},
        {"expr0": 10, "expr1": 1},
        {"expr0": 14, "expr1": 1},
        {"expr0": 23, "expr1": 2},
    ]
    days = await rows(
        engine,
        "SELECT DAY_IN_MONTH(CloseDate) d, COUNT(Id) c FROM Opportunity GROUP BY DAY_IN_MONTH(CloseDate) "
        "HAVING COUNT(Id) > 1",
    )
    assert days == [{"d": 31, "c": 2}]
    weeks = await rows(
        engine,
        "SELECT WEEK_IN_YEAR(CloseDate) w, COUNT(Id) c FROM Opportunity WHERE CALENDAR_MONTH(CloseDate) = 6 "
        "GROUP BY WEEK_IN_YEAR(CloseDate) ORDER BY WEEK_IN_YEAR(CloseDate)",
    )
    # Jan 1-7 is week 1: 06-09 is day 161 (week 23), 06-14 day 166 (week 24), 06-20 day 172 (week 25)
    assert weeks == [{"w": 23, "c": 1}, {"w": 24, "c": 1}, {"w": 25, "c": 1}]


async def test_date_function_outside_aggregate_is_refused(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT CALENDAR_YEAR(CloseDate) FROM Opportunity")
    assert err.error_code == "MALFORMED_QUERY"


async def test_date_function_on_date_field_needs_datetime(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT DAY_ONLY(CloseDate), COUNT(Id) FROM Opportunity GROUP BY DAY_ONLY(CloseDate)")
    assert err.error_code == "MALFORMED_QUERY"


@pytest.mark.parametrize("kind", ["ROLLUP", "CUBE"])
async def test_group_by_rollup_and_cube_answer_a_clean_error(engine: SoqlEngine, kind: str) -> None:
    err = await api_error(engine, f"SELECT StageName, COUNT(Id) FROM Opportunity GROUP BY {kind}(StageName)")
    assert err.error_code == "MALFORMED_QUERY"
    assert err.status == 400
