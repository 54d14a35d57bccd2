"""sObject rows: create, read, update, delete, and the validation errors Salesforce gives."""

from __future__ import annotations

import re
from typing import Any

import pytest

from crmsim.sandbox.ids import to18

DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000\+0000$")


async def _first_id(api: Any, sobject: str) -> str:
    result = await api.get(f"sobjects/{sobject}")
    record_id: str = result.body["recentItems"][0]["Id"]
    return record_id


async def test_create_get_update_delete(api: Any) -> None:
    created = await api.post(
        "sobjects/Account/", json={"Name": "Globex", "Industry": "Energy", "NumberOfEmployees": 120}
    )
    assert created.status == 201
    assert set(created.body) == {"id", "success", "errors"}
    assert created.body["success"] is True and created.body["errors"] == []
    record_id = created.body["id"]
    assert len(record_id) == 18 and record_id.startswith("001")
    assert created.headers["Location"] == f"/services/data/v62.0/sobjects/Account/{record_id}"

    fetched = await api.get(f"sobjects/Account/{record_id}")
    assert fetched.status == 200
    record = fetched.body
    assert record["attributes"] == {"type": "Account", "url": f"/services/data/v62.0/sobjects/Account/{record_id}"}
    assert record["Id"] == record_id and record["Name"] == "Globex"
    assert record["NumberOfEmployees"] == 120 and record["Description"] is None
    assert record["IsDeleted"] is False
    for stamp in ("CreatedDate", "LastModifiedDate", "SystemModstamp"):
        assert DATETIME.match(record[stamp]), record[stamp]

    updated = await api.patch(f"sobjects/Account/{record_id}", json={"Name": "Globex Corp", "Description": "renamed"})
    assert (updated.status, updated.body) == (204, None)
    record = (await api.get(f"sobjects/Account/{record_id}")).body
    assert (record["Name"], record["Description"]) == ("Globex Corp", "renamed")

    deleted = await api.delete(f"sobjects/Account/{record_id}")
    assert (deleted.status, deleted.body) == (204, None)
    gone = await api.get(f"sobjects/Account/{record_id}")
    assert gone.status == 404 and gone.error_code == "NOT_FOUND"
    again = await api.delete(f"sobjects/Account/{record_id}")
    assert again.status == 404
    assert again.body == [{"message": "entity is deleted", "errorCode": "ENTITY_IS_DELETED", "fields": []}]
    patch_deleted = await api.patch(f"sobjects/Account/{record_id}", json={"Name": "x"})
    assert patch_deleted.status == 404 and patch_deleted.error_code == "ENTITY_IS_DELETED"


async def test_deleted_rows_stay_visible_to_query_all(api: Any) -> None:
    record_id = (await api.post("sobjects/Account", json={"Name": "Soon Gone"})).body["id"]
    assert (await api.delete(f"sobjects/Account/{record_id}")).status == 204
    soql = f"SELECT Id, IsDeleted FROM Account WHERE Id = '{record_id}'"
    assert (await api.get("query", params={"q": soql})).body["totalSize"] == 0
    everything = (await api.get("queryAll", params={"q": soql})).body
    assert everything["totalSize"] == 1 and everything["records"][0]["IsDeleted"] is True


async def test_get_with_fields_parameter(api: Any) -> None:
    account_id = await _first_id(api, "Account")
    result = await api.get(f"sobjects/account/{account_id}", params={"fields": "name, Industry"})
    assert result.status == 200
    assert list(result.body) == ["attributes", "Name", "Industry", "Id"]
    bad = await api.get(f"sobjects/Account/{account_id}", params={"fields": "Name,Nope"})
    assert bad.status == 400 and bad.error_code == "INVALID_FIELD"
    assert bad.body[0]["message"].startswith("No such column 'Nope' on entity 'Account'.")


async def test_fifteen_character_ids_work_everywhere(api: Any) -> None:
    account_id = await _first_id(api, "Account")
    short = account_id[:15]
    assert (await api.get(f"sobjects/Account/{short}")).body["Id"] == account_id
    contact = await api.post("sobjects/Contact", json={"LastName": "Short", "AccountId": short})
    assert contact.status == 201
    stored = (await api.get(f"sobjects/Contact/{contact.body['id'][:15]}")).body
    assert stored["AccountId"] == account_id
    assert (await api.patch(f"sobjects/Contact/{contact.body['id'][:15]}", json={"FirstName": "Ada"})).status == 204


async def test_system_fields_composed_names_and_defaults(api: Any, store: Any) -> None:
    me = (await api.get("/services/oauth2/userinfo")).body["user_id"]
    created = await api.post("sobjects/Contact", json={"FirstName": "Ada", "LastName": "Byron"})
    contact = (await api.get(f"sobjects/Contact/{created.body['id']}")).body
    assert contact["Name"] == "Ada Byron"
    assert contact["OwnerId"] == contact["CreatedById"] == me
    await api.patch(f"sobjects/Contact/{created.body['id']}", json={"LastName": "Lovelace"})
    contact = (await api.get(f"sobjects/Contact/{created.body['id']}")).body
    assert contact["Name"] == "Ada Lovelace"
    lead = await api.post("sobjects/Lead", json={"LastName": "Doe", "Company": "Initech"})
    default = store.schema.objects["Lead"].fields["Status"].default
    assert default is not None
    assert (await api.get(f"sobjects/Lead/{lead.body['id']}")).body["Status"] == default


async def test_explicit_owner_is_kept(api: Any) -> None:
    users = (await api.get("query", params={"q": "SELECT Id FROM User LIMIT 2 OFFSET 1"})).body
    other = users["records"][0]["Id"]
    created = await api.post("sobjects/Account", json={"Name": "Theirs", "OwnerId": other})
    assert (await api.get(f"sobjects/Account/{created.body['id']}")).body["OwnerId"] == other


async def test_autonumbers_continue_after_the_seeded_rows(api: Any) -> None:
    numbers = (
        await api.get("query", params={"q": "SELECT CaseNumber FROM Case ORDER BY CaseNumber DESC LIMIT 1"})
    ).body
    highest = numbers["records"][0]["CaseNumber"]
    first = await api.post("sobjects/Case", json={"Subject": "Printer on fire"})
    second = await api.post("sobjects/Case", json={"Subject": "Printer still on fire"})
    got = [(await api.get(f"sobjects/Case/{r.body['id']}")).body["CaseNumber"] for r in (first, second)]
    assert got == [str(int(highest) + 1).zfill(len(highest)), str(int(highest) + 2).zfill(len(highest))]


async def test_picklist_values_match_case_insensitively(api: Any) -> None:
    created = await api.post("sobjects/Account", json={"Name": "Cased", "Industry": "energy"})
    assert (await api.get(f"sobjects/Account/{created.body['id']}")).body["Industry"] == "Energy"


@pytest.mark.parametrize(
    ("body", "status", "expected"),
    [
        (
            {"Name": "A", "Foo": 1},
            400,
            [{"message": "No such column 'Foo' on sobject of type Account", "errorCode": "INVALID_FIELD"}],
        ),
        (
            {"Industry": "Energy"},
            400,
            [
                {
                    "message": "Required fields are missing: [Name]",
                    "errorCode": "REQUIRED_FIELD_MISSING",
                    "fields": ["Name"],
                }
            ],
        ),
        (
            {"Name": None},
            400,
            [
                {
                    "message": "Required fields are missing: [Name]",
                    "errorCode": "REQUIRED_FIELD_MISSING",
                    "fields": ["Name"],
                }
            ],
        ),
        (
            {"Name": "x" * 256},
            400,
            [
                {
                    "message": f"Name: data value too large: {'x' * 256} (max length=255)",
                    "errorCode": "STRING_TOO_LONG",
                    "fields": ["Name"],
                }
            ],
        ),
        (
            {"Name": "A", "Industry": "Farming"},
            400,
            [
                {
                    "message": "Industry: bad value for restricted picklist field: Farming",
                    "errorCode": "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                    "fields": ["Industry"],
                }
            ],
        ),
        (
            {"Name": "A", "CreatedDate": "2020-01-01T00:00:00Z", "IsDeleted": True},
            400,
            [
                {
                    "message": "Unable to create/update fields: CreatedDate, IsDeleted. Please check the "
                    "security settings of this field and verify that it is read/write for your "
                    "profile or permission set.",
                    "errorCode": "INVALID_FIELD_FOR_INSERT_UPDATE",
                    "fields": ["CreatedDate", "IsDeleted"],
                }
            ],
        ),
        (
            {"Name": "A", "NumberOfEmployees": "many"},
            400,
            [
                {
                    "message": "Cannot deserialize instance of int from VALUE_STRING value many or request "
                    "may be missing a required field",
                    "errorCode": "JSON_PARSER_ERROR",
                }
            ],
        ),
        (
            {"Name": "A", "ParentId": "not-an-id"},
            400,
            [
                {
                    "message": "Parent ID: id value of incorrect type: not-an-id",
                    "errorCode": "MALFORMED_ID",
                    "fields": ["ParentId"],
                }
            ],
        ),
        (
            {"Name": "A", "ParentId": "003Wt0000000001IAA"},
            400,
            [
                {
                    "message": "Parent ID: id value of incorrect type: 003Wt0000000001IAA",
                    "errorCode": "FIELD_INTEGRITY_EXCEPTION",
                    "fields": ["ParentId"],
                }
            ],
        ),
        (
            {"Name": "A", "ParentId": "001Wt000000ZZZZ"},
            400,
            [{"message": "invalid cross reference id", "errorCode": "INVALID_CROSS_REFERENCE_KEY", "fields": []}],
        ),
        (
            ["Name"],
            400,
            [
                {
                    "message": "Cannot deserialize instance of Account from START_ARRAY value [ or request "
                    "may be missing a required field",
                    "errorCode": "JSON_PARSER_ERROR",
                }
            ],
        ),
    ],
)
async def test_create_validation_errors(api: Any, body: Any, status: int, expected: Any) -> None:
    result = await api.post("sobjects/Account", json=body)
    assert (result.status, result.body) == (status, expected)


@pytest.mark.parametrize("raw", ['{"Name": "A", "NumberOfEmployees": 1' + "0" * 400 + "}",
                                 '{"Name": "A", "NumberOfEmployees": 1' + "0" * 5000 + "}",
                                 '{"Name": "A", "Phone": ' + "[" * 100000 + "}",
                                 '{"Name": "A", "NumberOfEmployees": "1e999"}'])
async def test_numbers_out_of_any_range(api: Any, raw: str) -> None:
    result = await api.post("sobjects/Account", data=raw,
                            headers={"Content-Type": "application/json"})
    assert result.status == 400 and result.error_code == "JSON_PARSER_ERROR"


async def test_contact_email_is_checked(api: Any) -> None:
    result = await api.post("sobjects/Contact", json={"LastName": "X", "Email": "not an email"})
    assert result.body == [
        {
            "message": "Email: invalid email address: not an email",
            "errorCode": "INVALID_EMAIL_ADDRESS",
            "fields": ["Email"],
        }
    ]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (
            "{bad json",
            "Unexpected character ('b' (code 98)): expected a valid value (number, String, "
            "array, object, 'true', 'false' or 'null') at [line:1, column:2]",
        ),
        ("", "No content to map to Object due to end of input"),
        ('{"Name": "A",', "Unexpected end-of-input: expected close marker at [line:1, column:14]"),
    ],
)
async def test_malformed_json(api: Any, raw: str, message: str) -> None:
    result = await api.post("sobjects/Account", data=raw, headers={"Content-Type": "application/json"})
    assert result.status == 400
    assert result.body == [{"message": message, "errorCode": "JSON_PARSER_ERROR"}]


async def test_update_validation(api: Any) -> None:
    account_id = await _first_id(api, "Account")
    cleared = await api.patch(f"sobjects/Account/{account_id}", json={"Name": None})
    assert cleared.error_code == "REQUIRED_FIELD_MISSING"
    too_long = await api.patch(f"sobjects/Account/{account_id}", json={"Phone": "1" * 41})
    assert too_long.error_code == "STRING_TOO_LONG" and too_long.body[0]["fields"] == ["Phone"]
    readonly = await api.patch(f"sobjects/Account/{account_id}", json={"Id": "001000000000001"})
    assert readonly.error_code == "INVALID_FIELD_FOR_INSERT_UPDATE"
    same_id = await api.patch(f"sobjects/Account/{account_id}", json={"Id": account_id, "Phone": "555"})
    assert same_id.status == 204


async def test_bad_ids_in_urls(api: Any) -> None:
    missing = await api.get("sobjects/Account/xyz")
    assert missing.status == 404
    assert missing.body == [
        {"message": "Provided external ID field does not exist or is not accessible: xyz", "errorCode": "NOT_FOUND"}
    ]
    case_id = await _first_id(api, "Case")
    wrong = await api.get(f"sobjects/Account/{case_id}")
    assert wrong.status == 400
    assert wrong.body == [
        {"message": f"Account ID: id value of incorrect type: {case_id}", "errorCode": "MALFORMED_ID", "fields": ["Id"]}
    ]
    bad_checksum = case_id[:15] + "AAA" if not case_id.endswith("AAA") else case_id[:15] + "BBB"
    assert (await api.delete(f"sobjects/Case/{bad_checksum}")).error_code == "MALFORMED_ID"
    never = to18("001Wt000000ZZZZ")
    absent = await api.get(f"sobjects/Account/{never}")
    assert absent.status == 404 and absent.error_code == "NOT_FOUND"
    absent_patch = await api.patch(f"sobjects/Account/{never}", json={"Name": "x"})
    assert absent_patch.status == 404 and absent_patch.error_code == "NOT_FOUND"


async def test_http_method_override(api: Any) -> None:
    account_id = await _first_id(api, "Account")
    result = await api.post(
        f"sobjects/Account/{account_id}", params={"_HttpMethod": "PATCH"}, json={"Phone": "555-0100"}
    )
    assert result.status == 204
    assert (await api.get(f"sobjects/Account/{account_id}")).body["Phone"] == "555-0100"


async def test_reference_to_a_deleted_parent_is_refused(api: Any) -> None:
    parent = (await api.post("sobjects/Account", json={"Name": "Parent"})).body["id"]
    await api.delete(f"sobjects/Account/{parent}")
    child = await api.post("sobjects/Contact", json={"LastName": "Orphan", "AccountId": parent})
    assert child.error_code == "INVALID_CROSS_REFERENCE_KEY"


async def test_custom_object_round_trip(api: Any) -> None:
    case_id = await _first_id(api, "Case")
    created = await api.post("sobjects/CaseHistory__c", json={"CaseId__c": case_id, "Field__c": "Case Closed"})
    assert created.status == 201
    record = (await api.get(f"sobjects/CaseHistory__c/{created.body['id']}")).body
    assert record["CaseId__c"] == case_id and record["Name"]
    assert record["attributes"]["type"] == "CaseHistory__c"
