"""The packaged org schemas: complete against the reference, internally consistent, strict loader."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from crmsim.errors import SchemaError
from crmsim.sandbox.schema import ORGS, FieldType, build_schema, load_schema_file, org_schema

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference" / "crmarena-pro"


@pytest.mark.parametrize("org", ORGS)
def test_reference_objects_and_fields_are_all_present(org: str) -> None:
    path = REFERENCE / f"{org}_schema.json"
    if not path.exists():
        pytest.skip("reference schemas are not on this machine")
    schema = org_schema(org)
    for entry in json.loads(path.read_text()):
        obj = schema.object(entry["object"])
        assert obj is not None, entry["object"]
        assert obj.name == entry["object"]
        for field in entry["fields"]:
            assert obj.field(field) is not None, f"{entry['object']}.{field}"


@pytest.mark.parametrize("org", ORGS)
def test_system_fields_and_owner(org: str) -> None:
    schema = org_schema(org)
    for obj in schema.objects.values():
        for name in ("Id", "IsDeleted", "CreatedDate", "CreatedById", "LastModifiedDate", "SystemModstamp"):
            assert name in obj.fields, f"{obj.name}.{name}"
        assert ("OwnerId" in obj.fields) == obj.owned
    assert schema.objects["Case"].fields["OwnerId"].relationshipName == "Owner"


@pytest.mark.parametrize("org", ORGS)
def test_relationships_resolve(org: str) -> None:
    schema = org_schema(org)
    for obj in schema.objects.values():
        for field in obj.fields.values():
            if field.type is FieldType.REFERENCE:
                assert field.referenceTo and field.relationshipName
                assert all(target in schema.objects for target in field.referenceTo)
    account = schema.objects["Account"]
    for child in ("Contacts", "Cases", "Opportunities"):
        assert child in account.child_relationships
    assert schema.objects["Opportunity"].child_relationships["OpportunityLineItems"].field == "OpportunityId"
    assert schema.objects["Quote"].child_relationships["QuoteLineItems"].child_object == "QuoteLineItem"
    assert schema.objects["Contact"].relationships_ci["account"].name == "AccountId"
    assert schema.objects["OrderItem"].relationships_ci["order"].name == "OrderId"


def test_key_prefixes_are_the_real_ones() -> None:
    schema = org_schema("b2b")
    expected = {"Account": "001", "Contact": "003", "User": "005", "Opportunity": "006", "Lead": "00Q",
                "Case": "500", "Product2": "01t", "Pricebook2": "01s", "PricebookEntry": "01u",
                "OpportunityLineItem": "00k", "Task": "00T", "Event": "00U", "Contract": "800",
                "Order": "801", "OrderItem": "802", "Quote": "0Q0", "QuoteLineItem": "0QL"}
    for name, prefix in expected.items():
        assert schema.objects[name].keyPrefix == prefix
    assert schema.object_for_id("500Wt00000DDzSnIAL") is schema.objects["Case"]


def test_org_differences() -> None:
    b2b, b2c = org_schema("b2b"), org_schema("b2c")
    assert b2b.objects["Account"].field("Industry") is not None
    assert b2c.objects["Account"].field("Industry") is None
    assert b2c.objects["Account"].field("PersonEmail") is not None
    assert b2b.objects["VoiceCallTranscript__c"].field("TranscriptBody__c") is not None
    assert b2c.objects["VoiceCallTranscript__c"].field("Body__c") is not None
    assert b2c.objects["Contract"].field("CompanySignedDate") is None


def test_unknown_org_is_a_clear_error() -> None:
    with pytest.raises(SchemaError, match="unknown org 'b2x'"):
        org_schema("b2x")


def _minimal(fields: dict[str, object]) -> dict[str, object]:
    return {"org": "t", "objects": {"Thing__c": {"keyPrefix": "a00", "label": "Thing", "fields": fields}}}


def test_loader_names_the_object_and_field() -> None:
    with pytest.raises(SchemaError, match=r"Thing__c\.Size__c: type"):
        build_schema(_minimal({"Size__c": {"type": "bigint"}}), source="t.yaml")
    with pytest.raises(SchemaError, match=r"Thing__c\.Parent__c: referenceTo names unknown object 'Nope'"):
        build_schema(_minimal({"Parent__c": {"type": "reference", "referenceTo": ["Nope"]}}))
    with pytest.raises(SchemaError, match=r"Thing__c\.CreatedDate: system field"):
        build_schema(_minimal({"CreatedDate": {"type": "datetime"}}))
    with pytest.raises(SchemaError, match="picklist needs values"):
        build_schema(_minimal({"Kind__c": {"type": "picklist"}}))


def test_loader_reports_bad_yaml_with_the_path(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("org: x\nobjects: [unclosed\n")
    with pytest.raises(SchemaError, match=str(bad)):
        load_schema_file(bad)


def test_packaged_files_round_trip(tmp_path: Path) -> None:
    raw = yaml.safe_load((Path(__file__).resolve().parents[2] / "crmsim/sandbox/schema/orgs/b2b.yaml").read_text())
    assert build_schema(raw).objects.keys() == org_schema("b2b").objects.keys()
