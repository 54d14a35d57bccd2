"""Org schemas as data: objects, fields and relationships loaded from packaged YAML files."""

from ._load import ORGS, build_schema, load_schema_file, org_schema
from ._model import ChildRelationship, FieldDef, FieldType, ObjectDef, OrgSchema

__all__ = [
    "ORGS",
    "ChildRelationship",
    "FieldDef",
    "FieldType",
    "ObjectDef",
    "OrgSchema",
    "build_schema",
    "load_schema_file",
    "org_schema",
]
