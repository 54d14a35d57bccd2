"""SOQL conformance: WHERE operators, literals, relative dates, semi-joins and anti-joins."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from soql_fixtures import (
    ACCOUNT_NAMES,
    ACME,
    BACKSLASH,
    BETA,
    CAFE,
    CASE_LAST_YEAR,
    CASE_MARCH,
    CASE_TODAY_END,
    CASE_TODAY_START,
    CASE_TOMORROW,
    CASE_YESTERDAY_END,
    LIVE_ACCOUNTS,
    O_BIG,
    O_CAFE,
    O_FREIGHT,
    O_ORPHAN,
    O_PILOT,
    O_PROMO,
    O_RENEWAL,
    OBRIEN,
    PROMO,
    ROBOTICS,
    T_ACCOUNT,
    T_CASE,
    T_NONE,
    T_OPP,
    TASK_DATES,
    TODAY,
    api_error,
    open_engine,
)

from crmsim.sandbox.soql import SoqlEngine


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoqlEngine]:
    with open_engine(tmp_path_factory.mktemp("soql_where") / "org.db") as eng:
        yield eng


async def ids(engine: SoqlEngine, text: str) -> set[str]:
    result = await engine.query(text)
    found = [r["Id"] for r in result.records]
    assert len(found) == len(set(found)) == result.total_size
    return set(found)


async def account_names(engine: SoqlEngine, where: str) -> set[str]:
    result = await engine.query(f"SELECT Name FROM Account WHERE {where}")
    return {r["Name"] for r in result.records}


def names(*account_ids: str) -> set[str]:
    return {ACCOUNT_NAMES[a] for a in account_ids}


# Live accounts by NumberOfEmployees: ACME 500, ROBOTICS 120, CAFE 42, PROMO 15, BACKSLASH 7, BETA 0, OBRIEN null.


# -- comparison operators -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("NumberOfEmployees = 42", {CAFE}),
        ("NumberOfEmployees != 42", set(LIVE_ACCOUNTS) - {CAFE}),  # != includes the null
        ("NumberOfEmployees <> 42", set(LIVE_ACCOUNTS) - {CAFE}),
        ("NumberOfEmployees < 15", {BACKSLASH, BETA}),
        ("NumberOfEmployees <= 15", {BACKSLASH, BETA, PROMO}),
        ("NumberOfEmployees > 120", {ACME}),
        ("NumberOfEmployees >= 120", {ACME, ROBOTICS}),
        ("NumberOfEmployees = 0", {BETA}),
        ("NumberOfEmployees = null", {OBRIEN}),
        ("NumberOfEmployees != null", set(LIVE_ACCOUNTS) - {OBRIEN}),
        ("NumberOfEmployees>=120", {ACME, ROBOTICS}),
        ("NumberOfEmployees > -1", set(LIVE_ACCOUNTS) - {OBRIEN}),
        ("NumberOfEmployees < 42.5", {CAFE, PROMO, BACKSLASH, BETA}),
    ],
)
async def test_comparison_operators_on_numbers(engine: SoqlEngine, where: str, expected: set[str]) -> None:
    assert await ids(engine, f"SELECT Id FROM Account WHERE {where}") == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Amount = 12000.5", {O_RENEWAL}),
        ("Amount = 12000.50", {O_RENEWAL}),
        ("Amount > 1500.25", {O_BIG, O_RENEWAL, O_PILOT, O_PROMO}),
        ("Amount >= 1500.25", {O_BIG, O_RENEWAL, O_PILOT, O_PROMO, O_CAFE}),
        ("Amount < 0", set()),
        ("Amount = null", {O_FREIGHT}),
        ("Probability >= 60", {O_BIG, O_CAFE, O_RENEWAL}),
        ("Amount != 50000", {O_RENEWAL, O_PILOT, O_FREIGHT, O_CAFE, O_ORPHAN, O_PROMO}),
    ],
)
async def test_comparison_operators_on_currency_and_percent(engine: SoqlEngine, where: str, expected: set[str]) -> None:
    assert await ids(engine, f"SELECT Id FROM Opportunity WHERE {where}") == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("IsWon = true", {O_BIG, O_CAFE}),
        ("IsWon = TRUE", {O_BIG, O_CAFE}),
        ("IsWon = false", {O_RENEWAL, O_PILOT, O_FREIGHT, O_ORPHAN, O_PROMO}),
        ("IsWon != true", {O_RENEWAL, O_PILOT, O_FREIGHT, O_ORPHAN, O_PROMO}),
        ("IsClosed = True AND IsWon = False", {O_PILOT}),
    ],
)
async def test_booleans(engine: SoqlEngine, where: str, expected: set[str]) -> None:
    assert await ids(engine, f"SELECT Id FROM Opportunity WHERE {where}") == expected


# -- text comparisons -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Name = 'acme corporation'", {ACME}),
        ("Name = 'ACME CORPORATION'", {ACME}),
        ("name = 'Acme Corporation'", {ACME}),
        ("Industry = 'technology'", {ACME}),
        ("Industry != 'Technology'", set(LIVE_ACCOUNTS) - {ACME}),  # includes the null Industry
        ("Industry != 'TECHNOLOGY'", set(LIVE_ACCOUNTS) - {ACME}),
        ("Industry = null", {OBRIEN}),
        ("Industry != null", set(LIVE_ACCOUNTS) - {OBRIEN}),
        ("Name < 'b'", {PROMO, ACME, ROBOTICS}),
        ("Name >= 'BETA'", {BETA, CAFE, OBRIEN}),
        ("Name = ''", set()),
    ],
)
async def test_text_comparisons_are_case_insensitive(engine: SoqlEngine, where: str, expected: set[str]) -> None:
    assert await ids(engine, f"SELECT Id FROM Account WHERE {where}") == expected


async def test_text_equality_is_case_insensitive_beyond_ascii(engine: SoqlEngine) -> None:
    assert await ids(engine, "SELECT Id FROM Account WHERE Name = 'CAFÉ ZOË'") == {CAFE}


# -- LIKE -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("Acme%", {ACME, ROBOTICS}),
        ("acme%", {ACME, ROBOTICS}),
        ("%ROBOTICS", {ROBOTICS}),
        ("%o%", {ACME, ROBOTICS, OBRIEN, PROMO, CAFE}),
        ("Acme Corporatio_", {ACME}),
        ("Acme Corporati_", set()),
        ("_eta labs", {BETA}),
        ("%", set(LIVE_ACCOUNTS)),
        ("50\\% Off\\_Store", {PROMO}),  # escaped wildcards are literal
        ("50\\%%", {PROMO}),
        ("%\\_%", {PROMO}),
        ("%\\%%", {PROMO}),
        ("50_ Off%", {PROMO}),
        ("O\\'Brien%", {OBRIEN}),
        ("Back\\\\slash%", {BACKSLASH}),  # \\ is one literal backslash
        ("Back\\\\%", {BACKSLASH}),
        ("Caf\\u00e9%", {CAFE}),
        ("café%", {CAFE}),
        ("Acme", set()),
        ("", set()),
    ],
)
async def test_like(engine: SoqlEngine, pattern: str, expected: set[str]) -> None:
    assert await ids(engine, f"SELECT Id FROM Account WHERE Name LIKE '{pattern}'") == expected


async def test_like_on_parent_path_and_picklist(engine: SoqlEngine) -> None:
    got = await ids(engine, "SELECT Id FROM Opportunity WHERE Account.Name LIKE 'acme%' AND StageName LIKE 'clo%'")
    assert got == {O_BIG, O_PILOT}


async def test_like_underscore_is_not_literal_without_escape(engine: SoqlEngine) -> None:
    # '_' matches any single character, so 'beta_labs' matches 'beta labs'.
    assert await ids(engine, "SELECT Id FROM Account WHERE Name LIKE 'beta_labs'") == {BETA}
    assert await ids(engine, "SELECT Id FROM Account WHERE Name LIKE 'beta\\_labs'") == set()


async def test_like_is_case_insensitive_beyond_ascii(engine: SoqlEngine) -> None:
    assert await ids(engine, "SELECT Id FROM Account WHERE Name LIKE 'CAFÉ%'") == {CAFE}


async def test_like_on_non_text_field_is_refused(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT Id FROM Opportunity WHERE Amount LIKE '1%'")
    assert err.error_code == "INVALID_FIELD"


# -- string escapes -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("literal", "expected"),
    [
        ("O\\'Brien Freight Services", OBRIEN),
        ("Back\\\\slash Ltd", BACKSLASH),
        ("Caf\\u00e9 Zo\\u00eb", CAFE),
        ("Café Zoë", CAFE),
        ("50% Off_Store", PROMO),  # outside LIKE, % and _ are plain characters
        ("50\\% Off\\_Store", PROMO),
        ('beta\\"labs', None),
        ("beta\\tlabs", None),
    ],
)
async def test_string_escapes(engine: SoqlEngine, literal: str, expected: str | None) -> None:
    got = await ids(engine, f"SELECT Id FROM Account WHERE Name = '{literal}'")
    assert got == ({expected} if expected else set())


async def test_newline_escape(engine: SoqlEngine) -> None:
    assert await ids(engine, "SELECT Id FROM Case WHERE Subject = 'Line one\\nLine two'") == {CASE_YESTERDAY_END}
    assert await ids(engine, "SELECT Id FROM Case WHERE Subject = 'Line one\\\\nLine two'") == set()


@pytest.mark.parametrize("literal", ["a\\x", "a\\", "\\u12", "\\uZZZZ", "a\\q"])
async def test_invalid_escape_is_malformed(engine: SoqlEngine, literal: str) -> None:
    err = await api_error(engine, f"SELECT Id FROM Account WHERE Name = '{literal}'")
    assert err.error_code == "MALFORMED_QUERY"


async def test_lone_surrogate_escape_is_an_api_error(engine: SoqlEngine) -> None:
    await api_error(engine, "SELECT Id FROM Account WHERE Name = '\\ud800'")


# -- IN / NOT IN / INCLUDES -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Industry IN ('Retail', 'finance')", {PROMO, BACKSLASH}),
        ("Industry IN ('Retail', null)", {PROMO, OBRIEN}),
        ("Industry IN (null)", {OBRIEN}),
        ("Industry NOT IN ('Retail')", set(LIVE_ACCOUNTS) - {PROMO}),  # includes the null Industry
        ("Industry NOT IN ('Retail', null)", set(LIVE_ACCOUNTS) - {PROMO, OBRIEN}),
        ("Industry not   in ('RETAIL', 'Technology')", set(LIVE_ACCOUNTS) - {PROMO, ACME}),
        ("NumberOfEmployees IN (0, 42, 9999)", {BETA, CAFE}),
        ("NumberOfEmployees NOT IN (0, 42)", set(LIVE_ACCOUNTS) - {BETA, CAFE}),
        (f"Id IN ('{ACME}', '{CAFE[:15]}')", {ACME, CAFE}),
        (f"ParentId IN ('{ACME}')", {ROBOTICS}),
        ("Name IN ('O\\'Brien Freight Services', 'BETA LABS')", {OBRIEN, BETA}),
    ],
)
async def test_in_and_not_in(engine: SoqlEngine, where: str, expected: set[str]) -> None:
    assert await ids(engine, f"SELECT Id FROM Account WHERE {where}") == expected


@pytest.mark.parametrize("op", ["INCLUDES", "EXCLUDES", "includes"])
async def test_includes_excludes_on_non_multipicklist_is_refused(engine: SoqlEngine, op: str) -> None:
    err = await api_error(engine, f"SELECT Id FROM Account WHERE Industry {op} ('Technology')")
    assert err.error_code == "INVALID_FIELD"
    assert "multi-select picklist" in err.message
    assert "ERROR at Row:1:Column:39" in err.message


# -- AND / OR / NOT -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Industry = 'Technology' AND NumberOfEmployees > 100", {ACME}),
        ("Industry = 'Retail' OR Industry = 'Finance' OR Industry = null", {PROMO, BACKSLASH, OBRIEN}),
        ("(Industry = 'Technology' OR Industry = 'Retail') AND NumberOfEmployees < 100", {PROMO}),
        ("Industry = 'Technology' OR (Industry = 'Retail' AND NumberOfEmployees > 100)", {ACME}),
        ("((Industry = 'Retail'))", {PROMO}),
        ("NOT Name LIKE 'Acme%'", set(LIVE_ACCOUNTS) - {ACME, ROBOTICS}),
        ("NOT (Name = 'Acme Corporation' OR Name = 'beta labs')", set(LIVE_ACCOUNTS) - {ACME, BETA}),
        ("(NOT Name LIKE '%o%') AND NumberOfEmployees != null", {BACKSLASH, BETA}),
        ("Name LIKE 'A%' AND (NOT Name = 'Acme Robotics')", {ACME}),
        ("Name != null and (Industry = 'Energy' or Industry = 'Healthcare')", {BETA, CAFE}),
    ],
)
async def test_boolean_logic(engine: SoqlEngine, where: str, expected: set[str]) -> None:
    assert await ids(engine, f"SELECT Id FROM Account WHERE {where}") == expected


async def test_mixing_and_or_without_parentheses_is_refused(engine: SoqlEngine) -> None:
    text = "SELECT Id FROM Account WHERE Name = 'a' AND Name = 'b' OR Name = 'c'"
    err = await api_error(engine, text)
    assert err.error_code == "MALFORMED_QUERY"
    assert err.message.endswith("unexpected token: OR")
    assert f"ERROR at Row:1:Column:{text.index(' OR ') + 2}" in err.message


async def test_mixing_or_then_and_blames_the_and(engine: SoqlEngine) -> None:
    text = "SELECT Id FROM Account WHERE Name = 'a' OR Name = 'b' AND Name = 'c'"
    err = await api_error(engine, text)
    assert err.error_code == "MALFORMED_QUERY"
    assert err.message.endswith("unexpected token: AND")
    assert f"ERROR at Row:1:Column:{text.index(' AND ') + 2}" in err.message


async def test_moderate_nesting_executes(engine: SoqlEngine) -> None:
    depth = 20
    where = "(" * depth + "Name = 'beta labs'" + ")" * depth
    assert await ids(engine, f"SELECT Id FROM Account WHERE {where}") == {BETA}
    many = " OR ".join(f"NumberOfEmployees = {n}" for n in range(200))
    assert await ids(engine, f"SELECT Id FROM Account WHERE {many}") == {BETA, BACKSLASH, PROMO, CAFE, ROBOTICS}


async def test_deep_nesting_is_not_an_internal_error(engine: SoqlEngine) -> None:
    depth = 120
    await engine.query("SELECT Id FROM Account WHERE " + "(" * depth + "Name = 'x'" + ")" * depth)


async def test_long_or_chain_is_not_an_internal_error(engine: SoqlEngine) -> None:
    many = " OR ".join(f"NumberOfEmployees = {n}" for n in range(1200))
    assert await ids(engine, f"SELECT Id FROM Account WHERE {many}") == {BETA, BACKSLASH, PROMO, CAFE, ROBOTICS, ACME}


# -- Ids ------------------------------------------------------------------------------------------


async def test_fifteen_character_ids_are_accepted(engine: SoqlEngine) -> None:
    assert await ids(engine, f"SELECT Id FROM Account WHERE Id = '{ACME[:15]}'") == {ACME}
    assert await ids(engine, f"SELECT Id FROM Account WHERE ParentId = '{ACME[:15]}'") == {ROBOTICS}
    assert await ids(engine, f"SELECT Id FROM Account WHERE Id != '{ACME[:15]}'") == set(LIVE_ACCOUNTS) - {ACME}


@pytest.mark.parametrize("value", ["abc", "001", ACME[:14], ACME + "X", ACME[:15] + "AAA", "' OR 1=1 --"])
async def test_invalid_id_literal(engine: SoqlEngine, value: str) -> None:
    escaped = value.replace("'", "\\'")
    err = await api_error(engine, f"SELECT Id FROM Account WHERE Id = '{escaped}'")
    assert err.error_code == "INVALID_QUERY_FILTER_OPERATOR"
    assert f"invalid ID field: {value}" in err.message


async def test_invalid_id_in_reference_field_and_in_list(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT Id FROM Contact WHERE AccountId = 'nope'")
    assert err.error_code == "INVALID_QUERY_FILTER_OPERATOR"
    err = await api_error(engine, f"SELECT Id FROM Account WHERE Id IN ('{ACME}', 'nope')")
    assert err.error_code == "INVALID_QUERY_FILTER_OPERATOR"
    assert "invalid ID field: nope" in err.message


# -- semi-joins and anti-joins --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("Id IN (SELECT AccountId FROM Contact)", {ACME, ROBOTICS, OBRIEN, CAFE}),
        ("Id NOT IN (SELECT AccountId FROM Contact)", {PROMO, BACKSLASH, BETA}),
        ("Id IN (SELECT AccountId FROM Opportunity WHERE StageName = 'closed')", {ACME, ROBOTICS, CAFE}),
        ("Id IN (SELECT AccountId FROM Contact WHERE LastName = 'Gone')", set()),  # the contact is deleted
        (
            "Id IN (SELECT AccountId FROM Contact) AND "
            "Id NOT IN (SELECT AccountId FROM Opportunity WHERE Amount > 5000)",
            {OBRIEN, CAFE},
        ),
        ("Id IN (SELECT WhatId FROM Task)", {ACME}),
    ],
)
async def test_semi_and_anti_joins(engine: SoqlEngine, where: str, expected: set[str]) -> None:
    assert await ids(engine, f"SELECT Id FROM Account WHERE {where}") == expected


async def test_semi_join_on_reference_field(engine: SoqlEngine) -> None:
    got = await ids(
        engine, "SELECT Id FROM Opportunity WHERE AccountId IN (SELECT Id FROM Account WHERE Industry = 'Technology')"
    )
    assert got == {O_BIG, O_RENEWAL}
    got = await ids(
        engine,
        "SELECT Id FROM Opportunity WHERE AccountId != null AND "
        "AccountId NOT IN (SELECT Id FROM Account WHERE Name LIKE 'Acme%')",
    )
    assert got == {O_FREIGHT, O_CAFE, O_PROMO}


async def test_semi_join_on_polymorphic_field(engine: SoqlEngine) -> None:
    assert await ids(engine, "SELECT Id FROM Task WHERE WhatId IN (SELECT Id FROM Opportunity)") == {T_OPP}
    assert await ids(engine, "SELECT Id FROM Task WHERE WhatId IN (SELECT Id FROM Case WHERE Status = 'New')") == {
        T_CASE
    }


async def test_semi_join_on_non_id_field_is_refused(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT Id FROM Account WHERE Name IN (SELECT LastName FROM Contact)")
    assert err.error_code == "MALFORMED_QUERY"


# -- date and datetime literals -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("CloseDate = 2024-06-14", {O_BIG}),
        ("CloseDate > 2024-06-14", {O_RENEWAL, O_FREIGHT, O_ORPHAN}),
        ("CloseDate >= 2024-06-14", {O_BIG, O_RENEWAL, O_FREIGHT, O_ORPHAN}),
        ("CloseDate < 2024-03-31", {O_CAFE}),
        ("CloseDate <= 2024-03-31", {O_CAFE, O_PILOT}),
        ("CloseDate != 2024-06-14", {O_RENEWAL, O_PILOT, O_FREIGHT, O_CAFE, O_ORPHAN, O_PROMO}),
        ("CloseDate IN (2024-06-14, 2024-06-09)", {O_BIG, O_PROMO}),
    ],
)
async def test_date_literals(engine: SoqlEngine, where: str, expected: set[str]) -> None:
    assert await ids(engine, f"SELECT Id FROM Opportunity WHERE {where}") == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("CreatedDate = 2024-06-14T00:00:00Z", {CASE_TODAY_START}),
        ("CreatedDate > 2024-06-14T00:00:00Z", {CASE_TODAY_END, CASE_TOMORROW}),
        ("CreatedDate >= 2024-06-14T00:00:00Z", {CASE_TODAY_START, CASE_TODAY_END, CASE_TOMORROW}),
        ("CreatedDate >= 2024-06-14T02:00:00+02:00", {CASE_TODAY_START, CASE_TODAY_END, CASE_TOMORROW}),
        ("CreatedDate = 2024-06-13T19:59:59-04:00", {CASE_YESTERDAY_END}),
        ("CreatedDate = 2024-06-14T05:30:00+05:30", {CASE_TODAY_START}),
        ("CreatedDate = 2024-06-14T00:00:00.000Z", {CASE_TODAY_START}),
        ("CreatedDate < 2024-01-01T00:00:00Z", {CASE_LAST_YEAR}),
        ("ClosedDate = null", {CASE_TODAY_START, CASE_TODAY_END, CASE_TOMORROW}),
        ("ClosedDate > 2024-06-14T09:29:59Z", {CASE_YESTERDAY_END}),
    ],
)
async def test_datetime_literals_are_converted_to_utc(engine: SoqlEngine, where: str, expected: set[str]) -> None:
    assert await ids(engine, f"SELECT Id FROM Case WHERE {where}") == expected


async def test_impossible_date_literal_is_refused(engine: SoqlEngine) -> None:
    await api_error(engine, "SELECT Id FROM Opportunity WHERE CloseDate = 2024-13-45")


async def test_impossible_datetime_literal_is_refused(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT Id FROM Case WHERE CreatedDate = 2024-02-30T00:00:00Z")
    assert err.error_code == "MALFORMED_QUERY"


# Relative date literals against today = Friday 2024-06-14, as half-open ranges [start, end).
RANGES: dict[str, tuple[str, str]] = {
    "YESTERDAY": ("2024-06-13", "2024-06-14"),
    "TODAY": ("2024-06-14", "2024-06-15"),
    "TOMORROW": ("2024-06-15", "2024-06-16"),
    "LAST_WEEK": ("2024-06-02", "2024-06-09"),
    "THIS_WEEK": ("2024-06-09", "2024-06-16"),  # weeks start on Sunday
    "NEXT_WEEK": ("2024-06-16", "2024-06-23"),
    "LAST_MONTH": ("2024-05-01", "2024-06-01"),
    "THIS_MONTH": ("2024-06-01", "2024-07-01"),
    "NEXT_MONTH": ("2024-07-01", "2024-08-01"),
    "LAST_QUARTER": ("2024-01-01", "2024-04-01"),
    "THIS_QUARTER": ("2024-04-01", "2024-07-01"),
    "NEXT_QUARTER": ("2024-07-01", "2024-10-01"),
    "LAST_YEAR": ("2023-01-01", "2024-01-01"),
    "THIS_YEAR": ("2024-01-01", "2025-01-01"),
    "NEXT_YEAR": ("2025-01-01", "2026-01-01"),
    "THIS_FISCAL_YEAR": ("2024-01-01", "2025-01-01"),
    "LAST_FISCAL_QUARTER": ("2024-01-01", "2024-04-01"),
    "LAST_90_DAYS": ("2024-03-16", "2024-06-15"),  # 90 days back plus today: 91 days
    "NEXT_90_DAYS": ("2024-06-15", "2024-09-13"),  # tomorrow and 89 more days
    "NEXT_N_DAYS:7": ("2024-06-15", "2024-06-22"),
    "N_DAYS_AGO:7": ("2024-06-07", "2024-06-08"),
    "LAST_N_WEEKS:2": ("2024-05-26", "2024-06-09"),
    "NEXT_N_WEEKS:1": ("2024-06-16", "2024-06-23"),
    "N_WEEKS_AGO:1": ("2024-06-02", "2024-06-09"),
    "LAST_N_MONTHS:2": ("2024-04-01", "2024-06-01"),
    "NEXT_N_MONTHS:1": ("2024-07-01", "2024-08-01"),
    "NEXT_N_MONTHS:2": ("2024-07-01", "2024-09-01"),
    "N_MONTHS_AGO:1": ("2024-05-01", "2024-06-01"),
    "LAST_N_QUARTERS:1": ("2024-01-01", "2024-04-01"),
    "NEXT_N_QUARTERS:2": ("2024-07-01", "2025-01-01"),
    "N_QUARTERS_AGO:2": ("2023-10-01", "2024-01-01"),
    "LAST_N_YEARS:1": ("2023-01-01", "2024-01-01"),
    "NEXT_N_YEARS:1": ("2025-01-01", "2026-01-01"),
    "N_YEARS_AGO:2": ("2022-01-01", "2023-01-01"),
    "NEXT_N_FISCAL_QUARTERS:1": ("2024-07-01", "2024-10-01"),
}
# Salesforce: "LAST_N_DAYS:n ... includes the current day, not just previous days. For example,
# LAST_N_DAYS:1 includes yesterday and today" -- so LAST_N_DAYS:90 equals LAST_90_DAYS.
LAST_N_DAYS = {
    "LAST_N_DAYS:1": ("2024-06-13", "2024-06-15"),
    "LAST_N_DAYS:7": ("2024-06-07", "2024-06-15"),
    "LAST_N_DAYS:90": ("2024-03-16", "2024-06-15"),
}


def expected_subjects(op: str, start: str, end: str) -> set[str]:
    def keep(day: str) -> bool:
        return {
            "=": start <= day < end,
            "!=": not start <= day < end,
            "<": day < start,
            "<=": day < end,
            ">": day >= end,
            ">=": day >= start,
        }[op]

    return {f"D {day}" for day in TASK_DATES if keep(day)}


async def date_task_subjects(engine: SoqlEngine, condition: str) -> set[str]:
    result = await engine.query(f"SELECT Subject FROM Task WHERE Subject LIKE 'D %' AND {condition}")
    return {r["Subject"] for r in result.records}


def test_fixture_today_is_a_friday() -> None:
    assert TODAY == date(2024, 6, 14)
    assert TODAY.strftime("%A") == "Friday"


@pytest.mark.parametrize("op", ["=", "!=", "<", "<=", ">", ">="])
@pytest.mark.parametrize("literal", list(RANGES))
async def test_relative_date_literals_on_date_field(engine: SoqlEngine, literal: str, op: str) -> None:
    start, end = RANGES[literal]
    got = await date_task_subjects(engine, f"ActivityDate {op} {literal}")
    assert got == expected_subjects(op, start, end)


@pytest.mark.parametrize("literal", list(LAST_N_DAYS))
async def test_last_n_days_includes_today_and_n_days_back(engine: SoqlEngine, literal: str) -> None:
    start, end = LAST_N_DAYS[literal]
    assert await date_task_subjects(engine, f"ActivityDate = {literal}") == expected_subjects("=", start, end)


async def test_last_n_days_includes_today_and_excludes_tomorrow(engine: SoqlEngine) -> None:
    got = await date_task_subjects(engine, "ActivityDate = LAST_N_DAYS:1")
    assert "D 2024-06-14" in got
    assert "D 2024-06-15" not in got
    later = await date_task_subjects(engine, "ActivityDate > LAST_N_DAYS:7")
    assert later == expected_subjects(">=", "2024-06-15", "2024-06-15")


async def test_relative_literals_are_case_insensitive(engine: SoqlEngine) -> None:
    assert await date_task_subjects(engine, "ActivityDate = today") == {"D 2024-06-14"}
    assert await date_task_subjects(engine, "ActivityDate = n_days_ago:7") == {"D 2024-06-07"}


async def test_today_is_configurable(engine: SoqlEngine) -> None:
    other = SoqlEngine(engine.store)
    assert other.today == TODAY  # read from the org database
    other.today_override = date(2024, 7, 1)
    result = await other.query("SELECT Subject FROM Task WHERE ActivityDate = TODAY")
    assert [r["Subject"] for r in result.records] == ["D 2024-07-01"]
    result = await other.query(
        "SELECT Subject FROM Task WHERE ActivityDate = LAST_MONTH AND Subject LIKE 'D 2024-06-3%'"
    )
    assert [r["Subject"] for r in result.records] == ["D 2024-06-30"]
    # the original engine (and its plan cache) still uses the org's today
    assert await date_task_subjects(engine, "ActivityDate = TODAY") == {"D 2024-06-14"}


async def test_not_equal_relative_literal_includes_nulls(engine: SoqlEngine) -> None:
    got = await ids(engine, "SELECT Id FROM Task WHERE ActivityDate != TODAY AND Subject LIKE '%a%'")
    assert {T_OPP, T_ACCOUNT, T_NONE} <= got


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("CreatedDate = TODAY", {CASE_TODAY_START, CASE_TODAY_END}),
        ("CreatedDate = YESTERDAY", {CASE_YESTERDAY_END}),
        ("CreatedDate = TOMORROW", {CASE_TOMORROW}),
        ("CreatedDate > TODAY", {CASE_TOMORROW}),
        ("CreatedDate >= TODAY", {CASE_TODAY_START, CASE_TODAY_END, CASE_TOMORROW}),
        ("CreatedDate < TODAY", {CASE_YESTERDAY_END, CASE_MARCH, CASE_LAST_YEAR}),
        ("CreatedDate <= TODAY", {CASE_YESTERDAY_END, CASE_MARCH, CASE_LAST_YEAR, CASE_TODAY_START, CASE_TODAY_END}),
        ("CreatedDate = THIS_WEEK", {CASE_YESTERDAY_END, CASE_TODAY_START, CASE_TODAY_END, CASE_TOMORROW}),
        ("CreatedDate = LAST_90_DAYS", {CASE_MARCH, CASE_YESTERDAY_END, CASE_TODAY_START, CASE_TODAY_END}),
        ("CreatedDate = LAST_YEAR", {CASE_LAST_YEAR}),
        ("CreatedDate = LAST_QUARTER", {CASE_MARCH}),
        ("ClosedDate = TODAY", {CASE_YESTERDAY_END}),
        ("ClosedDate != TODAY", {CASE_TODAY_START, CASE_TODAY_END, CASE_TOMORROW, CASE_MARCH, CASE_LAST_YEAR}),
    ],
)
async def test_relative_date_literals_on_datetime_field(engine: SoqlEngine, where: str, expected: set[str]) -> None:
    assert await ids(engine, f"SELECT Id FROM Case WHERE {where}") == expected


async def test_last_n_days_on_datetime_field(engine: SoqlEngine) -> None:
    got = await ids(engine, "SELECT Id FROM Case WHERE CreatedDate = LAST_N_DAYS:90")
    assert got == {CASE_MARCH, CASE_YESTERDAY_END, CASE_TODAY_START, CASE_TODAY_END}


@pytest.mark.parametrize(
    "condition",
    [
        "ActivityDate = LAST_N_DAYS",
        "ActivityDate = TODAY:3",
        "ActivityDate = LAST_FORTNIGHT",
        "Subject = TODAY",
        "ActivityDate = 'TODAY'",
    ],
)
async def test_bad_relative_literals_are_refused(engine: SoqlEngine, condition: str) -> None:
    err = await api_error(engine, f"SELECT Id FROM Task WHERE {condition}")
    assert err.error_code in ("MALFORMED_QUERY", "INVALID_FIELD")
    assert "ERROR at Row:1:Column:" in err.message


# -- date functions in WHERE ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("CALENDAR_YEAR(CloseDate) = 2024", {O_BIG, O_RENEWAL, O_PILOT, O_FREIGHT, O_ORPHAN, O_PROMO}),
        ("CALENDAR_YEAR(CloseDate) < 2024", {O_CAFE}),
        ("CALENDAR_MONTH(CloseDate) = 6", {O_BIG, O_RENEWAL, O_PROMO}),
        ("CALENDAR_QUARTER(CloseDate) = 3", {O_FREIGHT, O_ORPHAN}),
        ("CALENDAR_QUARTER(CloseDate) IN (1, 4)", {O_PILOT, O_CAFE}),
        ("DAY_IN_MONTH(CloseDate) = 31", {O_PILOT, O_CAFE}),
        ("WEEK_IN_YEAR(CloseDate) = 24", {O_BIG}),
        ("calendar_month(closedate) = 6 AND Amount > 10000", {O_BIG, O_RENEWAL}),
    ],
)
async def test_date_functions_in_where_on_date(engine: SoqlEngine, where: str, expected: set[str]) -> None:
    assert await ids(engine, f"SELECT Id FROM Opportunity WHERE {where}") == expected


@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ("DAY_ONLY(CreatedDate) = 2024-06-14", {CASE_TODAY_START, CASE_TODAY_END}),
        ("DAY_ONLY(CreatedDate) = TODAY", {CASE_TODAY_START, CASE_TODAY_END}),
        ("HOUR_IN_DAY(CreatedDate) = 23", {CASE_YESTERDAY_END, CASE_TODAY_END}),
        ("HOUR_IN_DAY(CreatedDate) < 1", {CASE_TODAY_START, CASE_TOMORROW}),
        ("CALENDAR_YEAR(CreatedDate) = 2023", {CASE_LAST_YEAR}),
        ("WEEK_IN_YEAR(CreatedDate) = 11", {CASE_MARCH}),
    ],
)
async def test_date_functions_in_where_on_datetime(engine: SoqlEngine, where: str, expected: set[str]) -> None:
    assert await ids(engine, f"SELECT Id FROM Case WHERE {where}") == expected


async def test_date_function_on_wrong_type_is_refused(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT Id FROM Opportunity WHERE HOUR_IN_DAY(CloseDate) = 1")
    assert err.error_code == "MALFORMED_QUERY"
    err = await api_error(engine, "SELECT Id FROM Opportunity WHERE CALENDAR_YEAR(Name) = 2024")
    assert err.error_code == "MALFORMED_QUERY"


async def test_aggregate_in_where_is_refused(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT Id FROM Opportunity WHERE COUNT(Id) > 1")
    assert err.error_code == "MALFORMED_QUERY"


# -- filters on parents, and the empty-string and null corner cases -------------------------------


async def test_parent_filter_excludes_null_parent(engine: SoqlEngine) -> None:
    got = await ids(engine, "SELECT Id FROM Opportunity WHERE Account.Industry != 'Technology'")
    # the orphan opportunity (no account) and O'Brien's (null Industry) both count as "not Technology"
    assert got == {O_PILOT, O_FREIGHT, O_CAFE, O_ORPHAN, O_PROMO}


async def test_two_level_parent_filter(engine: SoqlEngine) -> None:
    got = await ids(engine, "SELECT Id FROM Opportunity WHERE Account.Parent.Name = 'Acme Corporation'")
    assert got == {O_PILOT}
    got = await ids(engine, "SELECT Id FROM Opportunity WHERE Account.Owner.Profile.Name = 'Standard User'")
    assert got == {O_PILOT, O_FREIGHT}
