"""Versions, resources, global describe, basic information and object describe."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crmsim.sandbox._describe import release_label


async def test_versions_list(api: Any) -> None:
    for path in ("/services/data", "/services/data/"):
        result = await api.get(path, auth=False)
        assert result.status == 200
        versions = result.body
        assert versions[0] == {"label": "Winter '11", "url": "/services/data/v20.0", "version": "20.0"}
        assert versions[-1]["version"] == "66.0"
        assert len(versions) == 47
        assert {"label": "Winter '25", "url": "/services/data/v62.0", "version": "62.0"} in versions


def test_release_labels() -> None:
    assert [release_label(v) for v in (20, 21, 22, 23, 59, 62, 64)] == [
        "Winter '11",
        "Spring '11",
        "Summer '11",
        "Winter '12",
        "Winter '24",
        "Winter '25",
        "Summer '25",
    ]


@pytest.mark.parametrize("version", ["20.0", "45.0", "62.0", "66.0"])
async def test_resources_use_the_requested_version(api: Any, version: str) -> None:
    for path in (f"/services/data/v{version}", f"/services/data/v{version}/"):
        result = await api.get(path)
        assert result.status == 200
        assert result.body["sobjects"] == f"/services/data/v{version}/sobjects"
        assert result.body["query"] == f"/services/data/v{version}/query"
        assert result.body["identity"].startswith(api.url + "/id/00D")


@pytest.mark.parametrize("version", ["v19.0", "v67.0", "62.0", "v62", "vX.0"])
async def test_unknown_versions_are_not_found(api: Any, version: str) -> None:
    result = await api.get(f"/services/data/{version}/sobjects")
    assert result.status == 404
    assert result.body == [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]


async def test_global_describe(api: Any, store: Any) -> None:
    api.version = "58.0"
    result = await api.get("sobjects/")
    assert result.status == 200
    body = result.body
    assert body["encoding"] == "UTF-8" and body["maxBatchSize"] == 200
    names = [entry["name"] for entry in body["sobjects"]]
    assert names == list(store.schema.objects)
    account = next(e for e in body["sobjects"] if e["name"] == "Account")
    for key in (
        "name",
        "label",
        "labelPlural",
        "keyPrefix",
        "custom",
        "queryable",
        "createable",
        "updateable",
        "deletable",
        "searchable",
        "urls",
    ):
        assert key in account
    assert (account["keyPrefix"], account["label"], account["labelPlural"]) == ("001", "Account", "Accounts")
    assert account["urls"]["describe"] == "/services/data/v58.0/sobjects/Account/describe"
    assert account["urls"]["rowTemplate"] == "/services/data/v58.0/sobjects/Account/{ID}"
    history = next(e for e in body["sobjects"] if e["name"] == "CaseHistory__c")
    assert history["custom"] is True


async def test_basic_information(api: Any) -> None:
    result = await api.get("sobjects/contact")
    assert result.status == 200
    assert result.body["objectDescribe"]["name"] == "Contact"
    items = result.body["recentItems"]
    assert 0 < len(items) <= 10
    assert items[0]["attributes"]["type"] == "Contact"
    assert items[0]["Id"].startswith("003") and "Name" in items[0]


async def test_describe_fields(api: Any) -> None:
    result = await api.get("sobjects/ACCOUNT/describe/")
    assert result.status == 200
    body = result.body
    assert body["name"] == "Account" and body["keyPrefix"] == "001"
    fields = {f["name"]: f for f in body["fields"]}
    required_keys = {
        "name",
        "label",
        "type",
        "length",
        "precision",
        "scale",
        "nillable",
        "createable",
        "updateable",
        "defaultedOnCreate",
        "referenceTo",
        "relationshipName",
        "picklistValues",
        "filterable",
        "groupable",
        "sortable",
        "custom",
        "calculated",
        "autoNumber",
        "idLookup",
        "soapType",
        "byteLength",
        "digits",
    }
    assert required_keys <= set(fields["Name"])
    assert fields["Id"]["type"] == "id" and fields["Id"]["soapType"] == "tns:ID"
    assert fields["Id"]["nillable"] is False and fields["Id"]["createable"] is False
    assert fields["Name"]["type"] == "string" and fields["Name"]["length"] == 255
    assert fields["Name"]["nillable"] is False and fields["Name"]["nameField"] is True
    owner = fields["OwnerId"]
    assert owner["type"] == "reference" and owner["referenceTo"] == ["User"]
    assert owner["relationshipName"] == "Owner" and owner["defaultedOnCreate"] is True
    industry = fields["Industry"]
    assert industry["type"] == "picklist" and industry["restrictedPicklist"] is True
    assert {
        "value": "Technology",
        "label": "Technology",
        "active": True,
        "defaultValue": False,
        "validFor": None,
    } in industry["picklistValues"]
    assert fields["CreatedDate"]["type"] == "datetime"
    assert fields["CreatedDate"]["soapType"] == "xsd:dateTime"
    assert fields["CreatedDate"]["createable"] is False
    assert fields["NumberOfEmployees"]["soapType"] == "xsd:int"
    assert fields["Description"]["filterable"] is False
    assert body["urls"]["sobject"] == "/services/data/v62.0/sobjects/Account"


async def test_describe_child_relationships(api: Any) -> None:
    body = (await api.get("sobjects/Account/describe")).body
    children = {(c["childSObject"], c["field"]): c for c in body["childRelationships"]}
    contacts = children[("Contact", "AccountId")]
    assert contacts["relationshipName"] == "Contacts"
    assert set(contacts) >= {"childSObject", "field", "relationshipName", "cascadeDelete"}
    assert children[("Case", "AccountId")]["relationshipName"] == "Cases"
    assert children[("Account", "ParentId")]["relationshipName"] == "ChildAccounts"
    opportunity = (await api.get("sobjects/Opportunity/describe")).body
    names = {c["relationshipName"] for c in opportunity["childRelationships"]}
    assert "OpportunityLineItems" in names


async def test_describe_custom_and_autonumber_fields(api: Any) -> None:
    history = (await api.get("sobjects/CaseHistory__c/describe")).body
    assert history["custom"] is True
    fields = {f["name"]: f for f in history["fields"]}
    assert fields["Name"]["autoNumber"] is True and fields["Name"]["createable"] is False
    case = fields["CaseId__c"]
    assert case["custom"] is True and case["relationshipName"] == "CaseId__r"
    contact = {f["name"]: f for f in (await api.get("sobjects/Contact/describe")).body["fields"]}
    assert contact["Name"]["calculated"] is True and contact["Name"]["createable"] is False


@pytest.mark.parametrize("path", ["sobjects/Nope", "sobjects/Nope/describe", "sobjects/Nope/001000000000000"])
async def test_unknown_object_is_not_found(api: Any, path: str) -> None:
    result = await api.get(path)
    assert result.status == 404
    assert result.body == [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]


async def test_b2c_org_is_described_too(seeded_orgs: Any, tmp_path: Any, http: Any, login: Any, make_api: Any) -> None:
    import shutil

    from crmsim.sandbox.server import serve_sandbox

    path = tmp_path / "b2c-copy.sqlite"
    shutil.copyfile(seeded_orgs["b2c"], path)
    async with serve_sandbox(path) as url:
        api = make_api(url, await login(http, url))
        body = (await api.get("sobjects")).body
        assert {"Account", "Case", "Knowledge__kav"} <= {e["name"] for e in body["sobjects"]}
        assert (await api.get("sobjects/Case/describe")).status == 200


REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "crmarena-pro"


@pytest.mark.parametrize("org", ["b2b", "b2c"])
async def test_describe_carries_every_reference_object_and_field(api: Any, org: str) -> None:
    """Both orgs' describe calls list every object and field of CRMArena-Pro's published schemas."""
    path = REFERENCE / f"{org}_schema.json"
    if not path.exists():
        pytest.skip("reference schemas are not on this machine")
    listed = {entry["name"] for entry in (await api.get("/services/data/v62.0/sobjects")).body["sobjects"]}
    for entry in json.loads(path.read_text()):
        assert entry["object"] in listed
        described = await api.get(f"/services/data/v62.0/sobjects/{entry['object']}/describe")
        assert described.status == 200
        fields = {field["name"].lower() for field in described.body["fields"]}
        missing = {name for name in entry["fields"] if name.lower() not in fields}
        assert not missing, f"{org} {entry['object']} lacks {sorted(missing)}"
