"""SOQL conformance: errors in Salesforce's codes, wording and Row/Column preamble, and syntax the
sandbox parses but does not (fully) execute."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from soql_fixtures import ACME, LIVE_ACCOUNTS, U_ALICE, api_error, open_engine

from crmsim.errors import InvalidField, InvalidType, MalformedQuery, SalesforceError
from crmsim.sandbox.soql import SoqlEngine

WSDL = "Please reference your WSDL or the describe call for the appropriate names."


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoqlEngine]:
    with open_engine(tmp_path_factory.mktemp("soql_errors") / "org.db") as eng:
        yield eng


def preamble(text: str, column: int, row: int = 1) -> str:
    """Salesforce's error preamble for a one-line query: the query, a caret under the column, the position."""
    return f"\n{text}\n{' ' * (column - 1)}^\nERROR at Row:{row}:Column:{column}\n"


async def check(
    engine: SoqlEngine, text: str, code: str, column: int | None, detail: str | re.Pattern[str]
) -> SalesforceError:
    err = await api_error(engine, text)
    assert err.error_code == code, err.message
    assert err.status == 400
    if column is not None:
        assert err.message.startswith(preamble(text, column)), err.message
    body = err.message.rsplit("\n", 1)[-1]
    if isinstance(detail, re.Pattern):
        assert detail.fullmatch(body), body
    else:
        assert body == detail
    assert err.to_body() == [{"message": err.message, "errorCode": code}]
    return err


# -- MALFORMED_QUERY: syntax ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "column", "token"),
    [
        ("SELECT Id FROM Account LIMIT x", 30, "x"),
        ("SELECTT Id FROM Account", 1, "SELECTT"),
        ("SELECT Id FROM Account WHERE Name = 'x' ORDER Name", 47, "Name"),
        ("SELECT Id FROM Account WHERE Name == 'x'", 36, "="),
    ],
)
async def test_unexpected_token(engine: SoqlEngine, text: str, column: int, token: str) -> None:
    err = await check(engine, text, "MALFORMED_QUERY", column, re.compile(rf"unexpected token: '?{re.escape(token)}'?"))
    assert isinstance(err, MalformedQuery)


@pytest.mark.parametrize(
    "text",
    [
        "SELECT Id FROM Account WHERE",
        "SELECT Id FROM",
        "SELECT",
        "SELECT Id FROM Account WHERE Name = 'x' AND",
        "SELECT Id FROM Account ORDER BY",
        "",
        "   ",
    ],
)
async def test_unexpected_eof(engine: SoqlEngine, text: str) -> None:
    await check(engine, text, "MALFORMED_QUERY", None, "unexpected token: <EOF>")


@pytest.mark.parametrize(
    "text",
    [
        "SELECT Id FROM Account; DROP TABLE Account",
        "SELECT Id FROM Account WHERE Name = 'x' -- comment",
        "SELECT Id FROM Account /* comment */",
        'SELECT Id FROM Account WHERE Name = "x"',
        "SELECT * FROM Account",
        "SELECT Id FROM Account WHERE Name = 'unterminated",
        "SELECT Id FROM Account WHERE Name IN ()",
        "SELECT Id FROM Account LIMIT -1",
    ],
)
async def test_malformed(engine: SoqlEngine, text: str) -> None:
    err = await api_error(engine, text)
    assert err.error_code == "MALFORMED_QUERY"
    assert "ERROR at Row:1:Column:" in err.message


async def test_trailing_comma_blames_from(engine: SoqlEngine) -> None:
    await check(engine, "SELECT Id, FROM Account", "MALFORMED_QUERY", 12, re.compile(r"unexpected token: '?FROM'?"))


async def test_multi_line_query_reports_row_and_column(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT Id\nFROM Account\nWHERE Foo = 1")
    assert err.error_code == "INVALID_FIELD"
    assert "\nERROR at Row:3:Column:7\n" in err.message
    err = await api_error(engine, "SELECT Id,\n  Bogus__c\nFROM Account")
    assert "\nERROR at Row:2:Column:3\n" in err.message


async def test_caret_sits_under_the_token_with_leading_whitespace(engine: SoqlEngine) -> None:
    err = await api_error(engine, "  SELECT Foo FROM Account")
    _, shown, caret = err.message.split("\n")[:3]
    assert shown[caret.index("^") :].startswith("Foo")


# -- bind variables -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("SELECT Id FROM Account WHERE Name = :name", 37),
        ("SELECT Id FROM Account WHERE Name IN ('a', :b)", 44),
        ("SELECT Id FROM Account WHERE NumberOfEmployees > :n", 50),
    ],
)
async def test_bind_variables_are_refused(engine: SoqlEngine, text: str, column: int) -> None:
    await check(engine, text, "MALFORMED_QUERY", column, "Bind variables only allowed in Apex code")


async def test_list_bind_variable_is_refused_as_bind(engine: SoqlEngine) -> None:
    await check(
        engine,
        "SELECT Id FROM Account WHERE Id IN :ids",
        "MALFORMED_QUERY",
        36,
        "Bind variables only allowed in Apex code",
    )


# -- INVALID_TYPE ---------------------------------------------------------------------------------


async def test_unknown_object(engine: SoqlEngine) -> None:
    err = await check(
        engine,
        "SELECT Id FROM Foo",
        "INVALID_TYPE",
        16,
        "sObject type 'Foo' is not supported. If you are attempting to use a custom object, be sure to append "
        f"the '__c' after the entity name. {WSDL}",
    )
    assert isinstance(err, InvalidType)


async def test_unknown_object_in_semi_join(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Nope__c)")
    assert err.error_code == "INVALID_TYPE"
    assert "ERROR at Row:1:Column:59" in err.message


async def test_unknown_child_relationship(engine: SoqlEngine) -> None:
    await check(
        engine,
        "SELECT Name, (SELECT Id FROM Foos) FROM Account",
        "INVALID_TYPE",
        30,
        "Didn't understand relationship 'Foos' in FROM part of query call. If you are attempting to use a "
        f"custom relationship, be sure to append the '__r' after the custom relationship name. {WSDL}",
    )


async def test_child_relationship_of_another_object(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT Name, (SELECT Id FROM OpportunityLineItems) FROM Account")
    assert err.error_code == "INVALID_TYPE"


# -- INVALID_FIELD --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "column", "name", "entity"),
    [
        ("SELECT Foo FROM Account", 8, "Foo", "Account"),
        ("SELECT Id FROM Account WHERE Bogus__c = 'x'", 30, "Bogus__c", "Account"),
        ("SELECT Id FROM Account ORDER BY Nope", 33, "Nope", "Account"),
        ("SELECT Name, (SELECT Nope FROM Contacts) FROM Account", 22, "Nope", "Contact"),
        ("SELECT Id FROM Account WHERE Id IN (SELECT Nope FROM Contact)", 44, "Nope", "Contact"),
    ],
)
async def test_no_such_column(engine: SoqlEngine, text: str, column: int, name: str, entity: str) -> None:
    err = await check(
        engine,
        text,
        "INVALID_FIELD",
        column,
        f"No such column '{name}' on entity '{entity}'. If you are attempting to use a custom field, be sure to "
        f"append the '__c' after the custom field name. {WSDL}",
    )
    assert isinstance(err, InvalidField)


async def test_no_such_column_on_parent(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT Account.Foo FROM Contact")
    assert err.error_code == "INVALID_FIELD"
    assert "No such column 'Foo' on entity 'Account'" in err.message


@pytest.mark.parametrize(
    ("text", "column", "name"),
    [
        ("SELECT Acount.Name FROM Contact", 8, "Acount"),
        ("SELECT Id FROM Contact WHERE Account.Foo__r.Name = 'x'", 38, "Foo__r"),
        ("SELECT Name.First FROM Contact", 8, "Name"),
    ],
)
async def test_did_not_understand_relationship(engine: SoqlEngine, text: str, column: int, name: str) -> None:
    await check(
        engine,
        text,
        "INVALID_FIELD",
        column,
        f"Didn't understand relationship '{name}' in field path. If you are attempting to use a custom "
        f"relationship, be sure to append the '__r' after the custom relationship name. {WSDL}",
    )


@pytest.mark.parametrize(
    ("text", "column", "shown"),
    [
        ("SELECT Name, Name FROM Account", 14, "Name"),
        ("SELECT Name, name FROM Account", 14, "name"),
        ("SELECT Id, Id FROM Account", 12, "Id"),
        ("SELECT Name, Account.Name FROM Account", 14, "Account.Name"),
        ("SELECT Account.Name, account.NAME FROM Contact", 22, "account.NAME"),
    ],
)
async def test_duplicate_field_selected(engine: SoqlEngine, text: str, column: int, shown: str) -> None:
    await check(engine, text, "INVALID_FIELD", column, f"duplicate field selected: {shown}")


async def test_same_field_through_different_paths_is_not_a_duplicate(engine: SoqlEngine) -> None:
    result = await engine.query(
        f"SELECT Owner.Name, Account.Owner.Name, Account.Name FROM Contact WHERE AccountId = '{ACME}'"
    )
    assert result.total_size == 2


@pytest.mark.parametrize(
    ("text", "field", "soap", "quoted"),
    [
        ("SELECT Id FROM Account WHERE NumberOfEmployees = '5'", "NumberOfEmployees", "int", False),
        ("SELECT Id FROM Opportunity WHERE Amount > '5'", "Amount", "double", False),
        ("SELECT Id FROM Opportunity WHERE Probability IN ('5')", "Probability", "double", False),
        ("SELECT Id FROM Opportunity WHERE CloseDate = '2024-06-14'", "CloseDate", "date", False),
        ("SELECT Id FROM Case WHERE CreatedDate > '2024-06-14T00:00:00Z'", "CreatedDate", "dateTime", False),
        ("SELECT Id FROM Case WHERE CreatedDate > 2024-06-14", "CreatedDate", "dateTime", False),
        ("SELECT Id FROM Opportunity WHERE CloseDate = 2024-06-14T00:00:00Z", "CloseDate", "date", False),
        ("SELECT Id FROM Opportunity WHERE IsWon = 'true'", "IsWon", "boolean", False),
        ("SELECT Id FROM Opportunity WHERE IsWon = 1", "IsWon", "boolean", False),
        ("SELECT Id FROM Account WHERE Name = 5", "Name", "string", True),
        ("SELECT Id FROM Account WHERE Name = true", "Name", "string", True),
        ("SELECT Id FROM Account WHERE Industry IN ('Retail', 5)", "Industry", "string", True),
    ],
)
async def test_filter_value_type_errors(engine: SoqlEngine, text: str, field: str, soap: str, quoted: bool) -> None:
    enclosed = "should be enclosed in quotes" if quoted else "should not be enclosed in quotes"
    await check(
        engine,
        text,
        "INVALID_FIELD",
        None,
        f"value of filter criterion for field '{field}' must be of type {soap} and {enclosed}",
    )


@pytest.mark.parametrize("field", ["Description"])
async def test_long_text_is_not_filterable(engine: SoqlEngine, field: str) -> None:
    await check(
        engine,
        f"SELECT Id FROM Account WHERE {field} = 'x'",
        "INVALID_FIELD",
        30,
        f"field '{field}' can not be filtered in a query call",
    )
    err = await api_error(engine, f"SELECT Id FROM Account WHERE {field} LIKE '%x%'")
    assert err.error_code == "INVALID_FIELD"


async def test_long_text_is_not_sortable(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT Id FROM Account ORDER BY Description")
    assert "can not be sorted" in err.message


# -- INVALID_QUERY_FILTER_OPERATOR, NUMBER_OUTSIDE_VALID_RANGE ------------------------------------


async def test_invalid_id_field(engine: SoqlEngine) -> None:
    err = await check(
        engine,
        "SELECT Id FROM Account WHERE Id = 'abc'",
        "INVALID_QUERY_FILTER_OPERATOR",
        None,
        "invalid ID field: abc",
    )
    assert "ERROR at Row:1:Column:" in err.message


async def test_null_with_ordering_operator_is_refused(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT Id FROM Account WHERE NumberOfEmployees > null")
    assert err.error_code == "INVALID_QUERY_FILTER_OPERATOR"


@pytest.mark.parametrize(
    ("text", "column", "detail"),
    [
        ("SELECT Id FROM Account WHERE NumberOfEmployees = 2147483648", 50, "Number outside valid range: 2147483648"),
        ("SELECT Id FROM Account WHERE NumberOfEmployees > -2147483649", 50, "Number outside valid range: -2147483649"),
        ("SELECT Id FROM Opportunity WHERE Amount > 1e19", 43, "Number outside valid range: 1e19"),
        ("SELECT Id FROM Account LIMIT 2147483648", 30, "Number outside valid range: 2147483648"),
        ("SELECT Id FROM Account OFFSET 2001", 31, "Maximum SOQL offset allowed is 2000"),
    ],
)
async def test_number_outside_valid_range(engine: SoqlEngine, text: str, column: int, detail: str) -> None:
    await check(engine, text, "NUMBER_OUTSIDE_VALID_RANGE", column, detail)


async def test_largest_int_is_accepted(engine: SoqlEngine) -> None:
    result = await engine.query("SELECT Id FROM Account WHERE NumberOfEmployees < 2147483647")
    assert result.total_size == len(LIVE_ACCOUNTS) - 1


async def test_enormous_integer_literal(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT Id FROM Account LIMIT " + "9" * 5000)
    assert err.error_code == "NUMBER_OUTSIDE_VALID_RANGE"


# -- syntax the sandbox parses but does not execute (or executes partly) --------------------------


@pytest.mark.parametrize(
    "text",
    [
        "SELECT Id FROM Account WITH SECURITY_ENFORCED",
        "SELECT Id FROM Account WITH USER_MODE",
        "SELECT Id FROM Account WITH SYSTEM_MODE",
        "SELECT Id FROM Account USING SCOPE Everything",
        "SELECT Id FROM Account FOR VIEW",
        "SELECT Id FROM Account FOR REFERENCE",
        "SELECT Id FROM Account FOR VIEW, REFERENCE",
        "SELECT Id FROM Account LIMIT 10 FOR UPDATE",
        "SELECT Title FROM Knowledge__kav UPDATE TRACKING",
        "SELECT Title FROM Knowledge__kav UPDATE VIEWSTAT",
        "SELECT Title FROM Knowledge__kav UPDATE TRACKING, VIEWSTAT",
        "SELECT toLabel(Industry) FROM Account",
        "SELECT toLabel(Industry) ind FROM Account",
        "SELECT FORMAT(Amount) FROM Opportunity",
        "SELECT convertCurrency(Amount) FROM Opportunity",
        "SELECT Name, (SELECT Id FROM Contacts) FROM Account FOR VIEW",
    ],
)
async def test_unsupported_syntax_that_executes(engine: SoqlEngine, text: str) -> None:
    result = await engine.query(text)
    assert result.total_size == len(result.records)


async def test_identity_functions_keep_the_field_value(engine: SoqlEngine) -> None:
    result = await engine.query(f"SELECT toLabel(Industry), Name FROM Account WHERE Id = '{ACME}'")
    assert {k: v for k, v in result.records[0].items() if k != "attributes"} == {
        "Industry": "Technology",
        "Name": "Acme Corporation",
    }
    result = await engine.query(f"SELECT toLabel(Industry) label FROM Account WHERE Id = '{ACME}'")
    assert result.records[0]["label"] == "Technology"
    result = await engine.query("SELECT FORMAT(Amount) FROM Opportunity WHERE Name = 'Acme Big Deal'")
    assert result.records[0]["Amount"] == 50000.0


async def test_using_scope_mine_filters_by_owner(engine: SoqlEngine) -> None:
    result = await engine.query("SELECT Id FROM Account USING SCOPE mine", user_id=U_ALICE)
    assert result.total_size == 3  # Acme Corporation, 50% Off_Store, Back\slash Ltd


@pytest.mark.parametrize(
    "text",
    [
        "SELECT TYPEOF What WHEN Account THEN Name, Phone WHEN Opportunity THEN Amount ELSE Name END FROM Task",
        "SELECT Id, TYPEOF What WHEN Account THEN Name END FROM Task",
        "SELECT Title FROM Knowledge__kav WITH DATA CATEGORY Geography__c AT usa__c",
        "SELECT Title FROM Knowledge__kav WITH DATA CATEGORY Geography__c ABOVE_OR_BELOW (usa__c, emea__c) "
        "AND Product__c BELOW all__c",
        "SELECT Id FROM Account WITH RecordVisibilityContext",
        "SELECT Id FROM Account USING SCOPE mine",
        "SELECT Id FROM Account USING SCOPE team",
        "SELECT Id FROM Account FOR BAR",
        "SELECT Title FROM Knowledge__kav UPDATE FOO",
        "SELECT Industry, COUNT(Id) FROM Account GROUP BY ROLLUP(Industry)",
        "SELECT Industry, Type, COUNT(Id) FROM Account GROUP BY CUBE(Industry, Type)",
        "SELECT Id FROM Account WHERE DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'mi') < 20",
        "SELECT Id, DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'mi') d FROM Account",
        "SELECT Id FROM Account ORDER BY DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'km')",
        "SELECT FORMAT(MIN(Amount)) FROM Opportunity",
        "SELECT convertTimezone(CreatedDate) FROM Account",
        "SELECT GROUPING(Industry) FROM Account GROUP BY ROLLUP(Industry)",
        "SELECT Id FROM Account WHERE toLabel(Industry) = 'Technology'",
        "SELECT FIELDS(Foo) FROM Account LIMIT 1",
        "SELECT Id FROM Account HAVING COUNT(Id) > 1",
    ],
)
async def test_unsupported_syntax_answers_a_salesforce_error(engine: SoqlEngine, text: str) -> None:
    err = await api_error(engine, text)
    assert err.status == 400
    assert err.error_code in {"MALFORMED_QUERY", "INVALID_FIELD", "INVALID_TYPE"}
    assert "ERROR at Row:1:Column:" in err.message


async def test_typeof_error_points_at_typeof(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT Id, TYPEOF What WHEN Account THEN Name END FROM Task")
    assert "ERROR at Row:1:Column:12" in err.message
    assert "TYPEOF" in err.message


async def test_distance_error_is_invalid_field(engine: SoqlEngine) -> None:
    err = await api_error(
        engine, "SELECT Id FROM Account WHERE DISTANCE(Location__c, GEOLOCATION(37.775, -122.418), 'mi') < 20"
    )
    assert err.error_code == "INVALID_FIELD"
    assert "ERROR at Row:1:Column:30" in err.message
