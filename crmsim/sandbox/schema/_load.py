"""Loads an org schema file, adds the system fields a real org exposes, links relationships."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from crmsim.errors import SchemaError

from ._model import ChildRelationship, FieldDef, FieldType, ObjectDef, OrgSchema

ORGS = ("b2b", "b2c")


def _system_fields(owned: bool) -> dict[str, dict[str, Any]]:
    user = {"type": "reference", "referenceTo": ["User"], "system": True}
    fields: dict[str, dict[str, Any]] = {
        "Id": {"type": "id", "description": "Unique 18-character record Id", "system": True, "length": 18},
        "IsDeleted": {
            "type": "boolean",
            "description": "Whether the record is in the recycle bin",
            "system": True,
            "default": False,
        },
        "CreatedDate": {"type": "datetime", "description": "When the record was created", "system": True},
        "CreatedById": {**user, "description": "User who created the record", "relationshipName": "CreatedBy"},
        "LastModifiedDate": {"type": "datetime", "description": "When the record last changed", "system": True},
        "LastModifiedById": {
            **user,
            "description": "User who last changed the record",
            "relationshipName": "LastModifiedBy",
        },
        "SystemModstamp": {
            "type": "datetime",
            "description": "When a user or automated process last changed the record",
            "system": True,
        },
    }
    if owned:
        fields["OwnerId"] = {
            "type": "reference",
            "referenceTo": ["User"],
            "relationshipName": "Owner",
            "description": "User who owns the record",
            "childRelationshipName": None,
        }
    return fields


def load_schema_file(path: str | Path) -> OrgSchema:
    """Load and validate one schema file; errors name the file, object and field."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise SchemaError(str(exc), path=str(path)) from None
    return build_schema(raw, source=str(path))


def build_schema(raw: Any, *, source: str = "<schema>") -> OrgSchema:
    if not isinstance(raw, dict) or not isinstance(raw.get("objects"), dict):
        raise SchemaError("expected a mapping with 'org' and 'objects'", path=source)
    objects: dict[str, ObjectDef] = {}
    for obj_name, spec in raw["objects"].items():
        if not isinstance(spec, dict):
            raise SchemaError("object definition must be a mapping", path=source, where=obj_name)
        spec = dict(spec)
        own = spec.get("fields") or {}
        merged: dict[str, Any] = {"Id": None}
        merged.update(own)
        for name, system in _system_fields(bool(spec.get("owned"))).items():
            if name in own and name != "Id":
                raise SchemaError(
                    "system field is added automatically; remove it", path=source, where=f"{obj_name}.{name}"
                )
            merged[name] = system
        fields = {}
        for field_name, field_spec in merged.items():
            try:
                fields[field_name] = FieldDef(name=field_name, **(field_spec or {}))
            except (ValidationError, TypeError) as exc:
                raise SchemaError(_first_error(exc), path=source, where=f"{obj_name}.{field_name}") from None
        spec["fields"] = fields
        try:
            objects[obj_name] = ObjectDef(name=obj_name, **spec)
        except ValidationError as exc:
            raise SchemaError(_first_error(exc), path=source, where=obj_name) from None
    _link(objects, source)
    try:
        return OrgSchema(org=str(raw.get("org", "")), description=str(raw.get("description", "")), objects=objects)
    except ValidationError as exc:
        raise SchemaError(_first_error(exc), path=source) from None


def _link(objects: dict[str, ObjectDef], source: str) -> None:
    prefixes: dict[str, str] = {}
    for obj in objects.values():
        if obj.keyPrefix in prefixes:
            raise SchemaError(
                f"key prefix {obj.keyPrefix} already used by {prefixes[obj.keyPrefix]}", path=source, where=obj.name
            )
        prefixes[obj.keyPrefix] = obj.name
        for field in obj.fields.values():
            if field.type is FieldType.PICKLIST and not field.values:
                raise SchemaError("picklist needs values", path=source, where=f"{obj.name}.{field.name}")
            if field.type is not FieldType.REFERENCE:
                continue
            for target in field.referenceTo or []:
                if target not in objects:
                    raise SchemaError(
                        f"referenceTo names unknown object {target!r}", path=source, where=f"{obj.name}.{field.name}"
                    )
            child_name = field.childRelationshipName
            if not child_name:
                continue
            for target in field.referenceTo or []:
                objects[target].child_relationships[child_name] = ChildRelationship(
                    name=child_name, child_object=obj.name, field=field.name
                )


def _first_error(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        return f"{loc}: {err['msg']}" if loc else str(err["msg"])
    return str(exc)


@cache
def org_schema(org: str) -> OrgSchema:
    """The packaged schema of ``org`` (``b2b`` or ``b2c``), loaded once per process."""
    if org not in ORGS:
        raise SchemaError(f"unknown org {org!r}; choose one of {', '.join(ORGS)}")
    resource = resources.files("crmsim.sandbox.schema").joinpath("orgs", f"{org}.yaml")
    with resources.as_file(resource) as path:
        return load_schema_file(path)
