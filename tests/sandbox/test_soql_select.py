"""SOQL conformance: SELECT lists and the shape of the records the engine returns."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from soql_fixtures import (
    ACCOUNT_NAMES,
    ACME,
    BETA,
    C_DECLAN,
    C_DEEP,
    C_JANE,
    C_ORPHAN,
    CAFE,
    CASE_TODAY_START,
    DELETED,
    LIVE_ACCOUNTS,
    O_BIG,
    OBRIEN,
    PROMO,
    ROBOTICS,
    T_ACCOUNT,
    T_CASE,
    T_NONE,
    T_OPP,
    U_ALICE,
    api_error,
    open_engine,
    strip,
)

from crmsim.sandbox.soql import SoqlEngine


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoqlEngine]:
    with open_engine(tmp_path_factory.mktemp("soql_select") / "org.db") as eng:
        yield eng


async def records(engine: SoqlEngine, text: str, **kwargs: Any) -> list[dict[str, Any]]:
    result = await engine.query(text, **kwargs)
    assert result.total_size == len(result.records)
    return result.records


def url(type_name: str, record_id: str, version: str = "62.0") -> str:
    return f"/services/data/v{version}/sobjects/{type_name}/{record_id}"


# -- plain fields and output formats --------------------------------------------------------------


async def test_record_shape_attributes_and_select_order(engine: SoqlEngine) -> None:
    rows = await records(engine, f"SELECT Name, Id, Industry FROM Account WHERE Id = '{ACME}'")
    assert rows == [
        {
            "attributes": {"type": "Account", "url": url("Account", ACME)},
            "Name": "Acme Corporation",
            "Id": ACME,
            "Industry": "Technology",
        }
    ]
    assert list(rows[0]) == ["attributes", "Name", "Id", "Industry"]


async def test_selected_nulls_are_present(engine: SoqlEngine) -> None:
    rows = await records(engine, f"SELECT Industry, NumberOfEmployees, Phone FROM Account WHERE Id = '{OBRIEN}'")
    assert strip(rows) == [{"Industry": None, "NumberOfEmployees": None, "Phone": None}]


async def test_value_types_in_output(engine: SoqlEngine) -> None:
    rows = await records(
        engine,
        f"SELECT Amount, CloseDate, IsWon, IsClosed, Probability, CreatedDate FROM Opportunity WHERE Id = '{O_BIG}'",
    )
    assert strip(rows) == [
        {
            "Amount": 50000.0,
            "CloseDate": "2024-06-14",
            "IsWon": True,
            "IsClosed": True,
            "Probability": 100.0,
            "CreatedDate": "2024-01-02T03:04:05.000+0000",
        }
    ]
    row = strip(rows)[0]
    assert isinstance(row["Amount"], float)
    assert row["IsWon"] is True
    employees = strip(await records(engine, f"SELECT NumberOfEmployees FROM Account WHERE Id = '{BETA}'"))
    assert employees == [{"NumberOfEmployees": 0}]
    assert isinstance(employees[0]["NumberOfEmployees"], int)


async def test_datetime_output_format_is_utc_with_millis(engine: SoqlEngine) -> None:
    rows = strip(await records(engine, f"SELECT CreatedDate, ClosedDate FROM Case WHERE Id = '{CASE_TODAY_START}'"))
    assert rows == [{"CreatedDate": "2024-06-14T00:00:00.000+0000", "ClosedDate": None}]


async def test_api_version_in_url(engine: SoqlEngine) -> None:
    rows = await records(engine, f"SELECT Id FROM Account WHERE Id = '{ACME}'", api_version="58.0")
    assert rows[0]["attributes"]["url"] == url("Account", ACME, "58.0")


async def test_keywords_and_identifiers_are_case_insensitive_output_canonical(engine: SoqlEngine) -> None:
    rows = await records(engine, f"select NAME, id, industry from ACCOUNT where ID = '{ACME}'")
    assert rows == [
        {
            "attributes": {"type": "Account", "url": url("Account", ACME)},
            "Name": "Acme Corporation",
            "Id": ACME,
            "Industry": "Technology",
        }
    ]
    mixed = await records(engine, f"SeLeCt nAmE FrOm aCcOuNt WhErE iD = '{ACME}' OrDeR bY nAmE LiMiT 1")
    assert strip(mixed) == [{"Name": "Acme Corporation"}]


# -- parent relationships -------------------------------------------------------------------------


async def test_parent_path_nested_with_attributes(engine: SoqlEngine) -> None:
    rows = await records(
        engine, f"SELECT LastName, Account.Name, Account.Owner.Name FROM Contact WHERE Id = '{C_JANE}'"
    )
    assert rows == [
        {
            "attributes": {"type": "Contact", "url": url("Contact", C_JANE)},
            "LastName": "Doe",
            "Account": {
                "attributes": {"type": "Account", "url": url("Account", ACME)},
                "Name": "Acme Corporation",
                "Owner": {"attributes": {"type": "User", "url": url("User", U_ALICE)}, "Name": "Alice Admin"},
            },
        }
    ]


async def test_parent_object_appears_where_first_referenced(engine: SoqlEngine) -> None:
    rows = strip(
        await records(engine, f"SELECT Account.Name, LastName, Account.Industry FROM Contact WHERE Id = '{C_JANE}'")
    )
    assert rows == [{"Account": {"Name": "Acme Corporation", "Industry": "Technology"}, "LastName": "Doe"}]
    assert list(rows[0]) == ["Account", "LastName"]


async def test_null_parent_is_null(engine: SoqlEngine) -> None:
    rows = strip(await records(engine, f"SELECT LastName, Account.Name FROM Contact WHERE Id = '{C_ORPHAN}'"))
    assert rows == [{"LastName": "Orphan", "Account": None}]


async def test_parent_path_five_levels_with_nulls_on_the_way(engine: SoqlEngine) -> None:
    rows = strip(
        await records(
            engine,
            "SELECT LastName, Account.Parent.Parent.Owner.Profile.Name FROM Contact "
            f"WHERE Id IN ('{C_DECLAN}', '{C_DEEP}', '{C_JANE}', '{C_ORPHAN}') ORDER BY LastName",
        )
    )
    assert rows == [
        {"LastName": "Deep", "Account": {"Parent": {"Parent": None}}},
        {"LastName": "Doe", "Account": {"Parent": None}},
        {
            "LastName": "O'Brien",
            "Account": {"Parent": {"Parent": {"Owner": {"Profile": {"Name": "System Administrator"}}}}},
        },
        {"LastName": "Orphan", "Account": None},
    ]


async def test_parent_path_attributes_at_every_level(engine: SoqlEngine) -> None:
    rows = await records(engine, f"SELECT Account.Parent.Parent.Name FROM Contact WHERE Id = '{C_DECLAN}'")
    account = rows[0]["Account"]
    assert account["attributes"] == {"type": "Account", "url": url("Account", OBRIEN)}
    assert account["Parent"]["attributes"] == {"type": "Account", "url": url("Account", ROBOTICS)}
    assert account["Parent"]["Parent"] == {
        "attributes": {"type": "Account", "url": url("Account", ACME)},
        "Name": "Acme Corporation",
    }


async def test_six_levels_is_refused(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT Account.Parent.Parent.Owner.Profile.CreatedBy.Name FROM Contact")
    assert "more than 5 levels away from the root entity object" in err.message


async def test_parent_id_field_only(engine: SoqlEngine) -> None:
    rows = strip(await records(engine, f"SELECT Account.Id FROM Contact WHERE Id = '{C_JANE}'"))
    assert rows == [{"Account": {"Id": ACME}}]


async def test_filter_and_order_on_parent_path(engine: SoqlEngine) -> None:
    rows = strip(
        await records(
            engine,
            "SELECT LastName FROM Contact WHERE Account.Industry = 'technology' ORDER BY Account.Name, LastName DESC",
        )
    )
    assert rows == [{"LastName": "Smith"}, {"LastName": "Doe"}]


# -- aliases and object-name prefixes -------------------------------------------------------------


async def test_object_alias(engine: SoqlEngine) -> None:
    rows = strip(
        await records(
            engine,
            "SELECT c.Name, c.Account.Name FROM Contact c WHERE c.LastName = 'doe' ORDER BY c.LastName",
        )
    )
    assert rows == [{"Name": "Jane Doe", "Account": {"Name": "Acme Corporation"}}]


async def test_alias_and_plain_names_mix(engine: SoqlEngine) -> None:
    rows = strip(await records(engine, "SELECT c.LastName, FirstName FROM Contact c WHERE LastName = 'Doe'"))
    assert rows == [{"LastName": "Doe", "FirstName": "Jane"}]


async def test_object_name_prefix(engine: SoqlEngine) -> None:
    rows = strip(await records(engine, "SELECT Contact.Name FROM Contact WHERE Contact.LastName = 'Doe'"))
    assert rows == [{"Name": "Jane Doe"}]


async def test_alias_duplicate_of_plain_field_is_refused(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT c.Name, Name FROM Contact c")
    assert err.error_code == "INVALID_FIELD"
    assert "duplicate field selected" in err.message


# -- child relationships --------------------------------------------------------------------------


async def test_child_subquery_shape_and_null_when_empty(engine: SoqlEngine) -> None:
    rows = await records(
        engine,
        f"SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName) FROM Account "
        f"WHERE Id IN ('{ACME}', '{PROMO}') ORDER BY Name",
    )
    assert [r["Name"] for r in rows] == ["50% Off_Store", "Acme Corporation"]
    assert rows[0]["Contacts"] is None
    contacts = rows[1]["Contacts"]
    assert set(contacts) == {"totalSize", "done", "records"}
    assert contacts["totalSize"] == 2
    assert contacts["done"] is True
    assert contacts["records"][0]["attributes"]["type"] == "Contact"
    assert contacts["records"][0]["attributes"]["url"] == url("Contact", C_JANE)
    assert strip(contacts["records"]) == [{"LastName": "Doe"}, {"LastName": "Smith"}]


async def test_child_subquery_excludes_deleted_children(engine: SoqlEngine) -> None:
    rows = strip(await records(engine, f"SELECT (SELECT LastName FROM Contacts) FROM Account WHERE Id = '{ACME}'"))
    names = sorted(r["LastName"] for r in rows[0]["Contacts"]["records"])
    assert names == ["Doe", "Smith"]


async def test_child_subquery_where_order_limit_per_parent(engine: SoqlEngine) -> None:
    rows = strip(
        await records(
            engine,
            "SELECT Name, (SELECT Name, Amount FROM Opportunities WHERE Amount != null "
            "ORDER BY Amount DESC LIMIT 1) FROM Account WHERE Id IN "
            f"('{ACME}', '{ROBOTICS}', '{OBRIEN}') ORDER BY Name",
        )
    )
    assert rows == [
        {
            "Name": "Acme Corporation",
            "Opportunities": {
                "totalSize": 1,
                "done": True,
                "records": [{"Name": "Acme Big Deal", "Amount": 50000.0}],
            },
        },
        {
            "Name": "Acme Robotics",
            "Opportunities": {"totalSize": 1, "done": True, "records": [{"Name": "Robotics Pilot", "Amount": 8000.0}]},
        },
        # Freight Expansion has a null Amount: filtered out, so no children at all.
        {"Name": "O'Brien Freight Services", "Opportunities": None},
    ]


async def test_child_subquery_relationship_name_case_insensitive(engine: SoqlEngine) -> None:
    rows = strip(
        await records(
            engine, f"SELECT (select lastname from CONTACTS order by LASTNAME) FROM Account WHERE Id = '{ACME}'"
        )
    )
    assert rows == [
        {"Contacts": {"totalSize": 2, "done": True, "records": [{"LastName": "Doe"}, {"LastName": "Smith"}]}}
    ]


async def test_child_subquery_with_parent_path_and_position(engine: SoqlEngine) -> None:
    rows = strip(
        await records(
            engine,
            "SELECT (SELECT LastName, Account.Name FROM Contacts WHERE LastName = 'Doe'), Name "
            f"FROM Account WHERE Id = '{ACME}'",
        )
    )
    assert rows == [
        {
            "Contacts": {
                "totalSize": 1,
                "done": True,
                "records": [{"LastName": "Doe", "Account": {"Name": "Acme Corporation"}}],
            },
            "Name": "Acme Corporation",
        }
    ]
    assert list(rows[0]) == ["Contacts", "Name"]


async def test_child_subquery_offset_under_parent_limit_1(engine: SoqlEngine) -> None:
    rows = strip(
        await records(
            engine,
            "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName OFFSET 1) FROM Account "
            f"WHERE Id = '{ACME}' LIMIT 1",
        )
    )
    assert rows == [
        {"Name": "Acme Corporation", "Contacts": {"totalSize": 1, "done": True, "records": [{"LastName": "Smith"}]}}
    ]


async def test_child_subquery_offset_without_parent_limit_1_is_refused(engine: SoqlEngine) -> None:
    err = await api_error(
        engine,
        "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName OFFSET 1) FROM Account WHERE Name LIKE 'Acme%'",
    )
    assert err.error_code == "MALFORMED_QUERY"


async def test_two_child_subqueries(engine: SoqlEngine) -> None:
    rows = strip(
        await records(
            engine,
            "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName LIMIT 1), "
            f"(SELECT Subject FROM Cases ORDER BY Subject) FROM Account WHERE Id = '{ACME}'",
        )
    )
    assert rows[0]["Contacts"]["records"] == [{"LastName": "Doe"}]
    assert rows[0]["Cases"]["records"] == [{"Subject": "Line one\nLine two"}, {"Subject": "Printer jammed"}]


async def test_polymorphic_tasks_as_children(engine: SoqlEngine) -> None:
    rows = strip(
        await records(engine, f"SELECT Name, (SELECT Subject FROM Tasks) FROM Opportunity WHERE Id = '{O_BIG}'")
    )
    assert rows == [
        {"Name": "Acme Big Deal", "Tasks": {"totalSize": 1, "done": True, "records": [{"Subject": "Call about deal"}]}}
    ]


async def test_child_subquery_with_polymorphic_parent_path(engine: SoqlEngine) -> None:
    rows = strip(
        await records(engine, f"SELECT Name, (SELECT Subject, What.Name FROM Tasks) FROM Account WHERE Id = '{ACME}'")
    )
    assert rows == [
        {
            "Name": "Acme Corporation",
            "Tasks": {
                "totalSize": 1,
                "done": True,
                "records": [{"Subject": "Account check-in", "What": {"Name": "Acme Corporation"}}],
            },
        }
    ]


# -- polymorphic relationships --------------------------------------------------------------------


async def test_polymorphic_what_name_and_type(engine: SoqlEngine) -> None:
    rows = await records(
        engine,
        f"SELECT Subject, What.Name, What.Type FROM Task WHERE Id IN ('{T_OPP}', '{T_ACCOUNT}', '{T_NONE}') "
        "ORDER BY Subject",
    )
    assert [r["Subject"] for r in rows] == ["Account check-in", "Call about deal", "No what"]
    assert rows[0]["What"] == {
        "attributes": {"type": "Account", "url": url("Account", ACME)},
        "Name": "Acme Corporation",
        "Type": "Account",
    }
    assert rows[1]["What"] == {
        "attributes": {"type": "Opportunity", "url": url("Opportunity", O_BIG)},
        "Name": "Acme Big Deal",
        "Type": "Opportunity",
    }
    assert rows[2]["What"] is None


async def test_polymorphic_type_of_case(engine: SoqlEngine) -> None:
    rows = await records(engine, f"SELECT What.Type FROM Task WHERE Id = '{T_CASE}'")
    assert rows[0]["What"]["attributes"] == {"type": "Case", "url": url("Case", CASE_TODAY_START)}
    assert rows[0]["What"]["Type"] == "Case"


async def test_polymorphic_name_of_case_is_its_number(engine: SoqlEngine) -> None:
    rows = strip(await records(engine, f"SELECT What.Name FROM Task WHERE Id = '{T_CASE}'"))
    assert rows == [{"What": {"Name": "00001001"}}]


async def test_filter_on_polymorphic_type(engine: SoqlEngine) -> None:
    rows = strip(await records(engine, "SELECT Subject FROM Task WHERE What.Type = 'Opportunity'"))
    assert rows == [{"Subject": "Call about deal"}]


# -- FIELDS() -------------------------------------------------------------------------------------


async def test_fields_all_lists_every_field_in_schema_order(engine: SoqlEngine) -> None:
    rows = await records(engine, f"SELECT FIELDS(ALL) FROM Account WHERE Id = '{ACME}' LIMIT 1")
    expected_keys = list(engine.store.schema.objects["Account"].fields)
    assert list(strip(rows)[0]) == expected_keys
    assert rows[0]["Name"] == "Acme Corporation"
    assert rows[0]["CreatedDate"] == "2024-01-10T09:00:00.000+0000"
    assert rows[0]["IsDeleted"] is False


async def test_fields_standard_needs_no_limit(engine: SoqlEngine) -> None:
    rows = strip(await records(engine, "SELECT FIELDS(STANDARD) FROM Opportunity"))
    assert len(rows) == 7
    assert "ContractID__c" not in rows[0]
    assert {"Id", "Name", "Amount", "CloseDate"} <= set(rows[0])


async def test_fields_custom_only_custom(engine: SoqlEngine) -> None:
    rows = strip(await records(engine, f"SELECT FIELDS(CUSTOM) FROM Opportunity WHERE Id = '{O_BIG}' LIMIT 200"))
    assert rows == [{"ContractID__c": None}]


@pytest.mark.parametrize("kind", ["ALL", "CUSTOM", "all"])
@pytest.mark.parametrize("limit", ["", " LIMIT 201"])
async def test_fields_all_and_custom_need_limit_200(engine: SoqlEngine, kind: str, limit: str) -> None:
    err = await api_error(engine, f"SELECT FIELDS({kind}) FROM Account{limit}")
    assert err.error_code == "MALFORMED_QUERY"
    assert "The SOQL FIELDS function must have a LIMIT of at most 200" in err.message
    assert "ERROR at Row:1:Column:8" in err.message


async def test_fields_with_explicit_field_and_subquery(engine: SoqlEngine) -> None:
    rows = strip(
        await records(
            engine,
            f"SELECT FIELDS(STANDARD), (SELECT LastName FROM Contacts LIMIT 1) FROM Account WHERE Id = '{PROMO}'",
        )
    )
    assert rows[0]["Name"] == "50% Off_Store"
    assert rows[0]["Contacts"] is None


# -- ORDER BY, LIMIT, OFFSET ----------------------------------------------------------------------


async def test_order_by_asc_nulls_first_by_default(engine: SoqlEngine) -> None:
    rows = strip(await records(engine, "SELECT Industry FROM Account ORDER BY Industry"))
    assert [r["Industry"] for r in rows] == [
        None,
        "Energy",
        "Finance",
        "Healthcare",
        "Manufacturing",
        "Retail",
        "Technology",
    ]


async def test_order_by_desc_nulls_first_by_default(engine: SoqlEngine) -> None:
    rows = strip(await records(engine, "SELECT NumberOfEmployees FROM Account ORDER BY NumberOfEmployees DESC"))
    assert [r["NumberOfEmployees"] for r in rows] == [None, 500, 120, 42, 15, 7, 0]


@pytest.mark.parametrize(
    ("clause", "expected"),
    [
        ("ASC NULLS LAST", [0, 7, 15, 42, 120, 500, None]),
        ("ASC NULLS FIRST", [None, 0, 7, 15, 42, 120, 500]),
        ("DESC NULLS LAST", [500, 120, 42, 15, 7, 0, None]),
        ("desc nulls first", [None, 500, 120, 42, 15, 7, 0]),
        ("NULLS LAST", [0, 7, 15, 42, 120, 500, None]),
    ],
)
async def test_order_by_nulls_first_last(engine: SoqlEngine, clause: str, expected: list[int | None]) -> None:
    rows = strip(await records(engine, f"SELECT NumberOfEmployees FROM Account ORDER BY NumberOfEmployees {clause}"))
    assert [r["NumberOfEmployees"] for r in rows] == expected


async def test_order_by_text_is_case_insensitive(engine: SoqlEngine) -> None:
    rows = strip(await records(engine, "SELECT Name FROM Account WHERE Name LIKE '%b%' ORDER BY Name"))
    # 'beta labs' sorts between 'Back\slash' and "O'Brien" although it is lower case.
    assert [r["Name"] for r in rows] == ["Acme Robotics", "Back\\slash Ltd", "beta labs", "O'Brien Freight Services"]


async def test_order_by_several_keys(engine: SoqlEngine) -> None:
    rows = strip(await records(engine, "SELECT StageName, Name FROM Opportunity ORDER BY StageName DESC, Name ASC"))
    assert [(r["StageName"], r["Name"]) for r in rows] == [
        ("Quote", "Store Promo"),
        ("Qualification", "Freight Expansion"),
        ("Negotiation", "Acme Renewal"),
        ("Discovery", "Orphan Opp"),
        ("Closed", "Acme Big Deal"),
        ("Closed", "Cafe Supplies"),
        ("Closed", "Robotics Pilot"),
    ]


async def test_limit_and_offset(engine: SoqlEngine) -> None:
    names = sorted(ACCOUNT_NAMES[a] for a in LIVE_ACCOUNTS)
    names.sort(key=str.lower)
    all_rows = strip(await records(engine, "SELECT Name FROM Account ORDER BY Name"))
    assert [r["Name"] for r in all_rows] == names
    page = strip(await records(engine, "SELECT Name FROM Account ORDER BY Name LIMIT 2 OFFSET 3"))
    assert [r["Name"] for r in page] == names[3:5]
    tail = strip(await records(engine, "SELECT Name FROM Account ORDER BY Name OFFSET 5"))
    assert [r["Name"] for r in tail] == names[5:]
    assert await records(engine, "SELECT Name FROM Account ORDER BY Name LIMIT 0") == []
    assert await records(engine, "SELECT Name FROM Account ORDER BY Name OFFSET 2000") == []


async def test_offset_above_2000_is_refused(engine: SoqlEngine) -> None:
    err = await api_error(engine, "SELECT Id FROM Account OFFSET 2001")
    assert err.error_code == "NUMBER_OUTSIDE_VALID_RANGE"
    assert "Maximum SOQL offset allowed is 2000" in err.message
    assert "ERROR at Row:1:Column:31" in err.message


async def test_count_with_limit(engine: SoqlEngine) -> None:
    result = await engine.query("SELECT COUNT() FROM Account LIMIT 3")
    assert (result.total_size, result.records) == (3, [])


# -- queryAll and restrict_ids --------------------------------------------------------------------


async def test_deleted_rows_hidden_by_default(engine: SoqlEngine) -> None:
    rows = strip(await records(engine, "SELECT Id FROM Account"))
    assert sorted(r["Id"] for r in rows) == sorted(LIVE_ACCOUNTS)
    assert await records(engine, f"SELECT Id FROM Account WHERE Id = '{DELETED}'") == []
    count = await engine.query("SELECT COUNT() FROM Account")
    assert count.total_size == len(LIVE_ACCOUNTS)


async def test_query_all_includes_deleted_rows(engine: SoqlEngine) -> None:
    rows = strip(
        await records(engine, f"SELECT Name, IsDeleted FROM Account WHERE Id = '{DELETED}'", include_deleted=True)
    )
    assert rows == [{"Name": "Deleted Dynamics", "IsDeleted": True}]
    count = await engine.query("SELECT COUNT() FROM Account", include_deleted=True)
    assert count.total_size == len(ACCOUNT_NAMES)
    deleted = strip(await records(engine, "SELECT Name FROM Account WHERE IsDeleted = true", include_deleted=True))
    assert deleted == [{"Name": "Deleted Dynamics"}]
    # the same text without include_deleted is planned separately (no cache mix-up)
    assert await records(engine, "SELECT Name FROM Account WHERE IsDeleted = true") == []


async def test_restrict_ids(engine: SoqlEngine) -> None:
    rows = strip(await records(engine, "SELECT Id FROM Account ORDER BY Name", restrict_ids=[CAFE, ACME, DELETED]))
    assert rows == [{"Id": ACME}, {"Id": CAFE}]
    assert await records(engine, "SELECT Id FROM Account", restrict_ids=[]) == []
    unrestricted = await records(engine, "SELECT Id FROM Account")
    assert len(unrestricted) == len(LIVE_ACCOUNTS)


async def test_restrict_ids_with_filter_and_count(engine: SoqlEngine) -> None:
    result = await engine.query("SELECT COUNT() FROM Account WHERE Industry != null", restrict_ids=[ACME, OBRIEN, CAFE])
    assert result.total_size == 2
