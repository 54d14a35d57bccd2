"""Pydantic models of an org schema: objects, fields and the relationships between them."""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property

from pydantic import BaseModel, ConfigDict, Field


class FieldType(StrEnum):
    ID = "id"
    REFERENCE = "reference"
    STRING = "string"
    TEXTAREA = "textarea"
    PICKLIST = "picklist"
    MULTIPICKLIST = "multipicklist"
    DATE = "date"
    DATETIME = "datetime"
    CURRENCY = "currency"
    DOUBLE = "double"
    INT = "int"
    PERCENT = "percent"
    BOOLEAN = "boolean"
    EMAIL = "email"
    PHONE = "phone"
    URL = "url"


TEXT_TYPES = frozenset(
    {
        FieldType.ID,
        FieldType.REFERENCE,
        FieldType.STRING,
        FieldType.TEXTAREA,
        FieldType.PICKLIST,
        FieldType.MULTIPICKLIST,
        FieldType.EMAIL,
        FieldType.PHONE,
        FieldType.URL,
    }
)
NUMBER_TYPES = frozenset({FieldType.CURRENCY, FieldType.DOUBLE, FieldType.INT, FieldType.PERCENT})
ID_TYPES = frozenset({FieldType.ID, FieldType.REFERENCE})


class FieldDef(BaseModel):
    """One field of an object, as a describe call reports it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    type: FieldType
    description: str = ""
    label: str | None = None
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    required: bool = False
    default: str | bool | int | float | None = None
    values: list[str] | None = None
    referenceTo: list[str] | None = None
    relationshipName: str | None = None
    childRelationshipName: str | None = None
    custom: bool = False
    searchable: bool = False
    computed: bool = False
    autonumber: bool = False
    system: bool = False

    @property
    def display_label(self) -> str:
        return self.label or _label_from_name(self.name)

    @property
    def is_text(self) -> bool:
        return self.type in TEXT_TYPES

    @property
    def is_number(self) -> bool:
        return self.type in NUMBER_TYPES

    @property
    def is_id(self) -> bool:
        return self.type in ID_TYPES

    @property
    def createable(self) -> bool:
        return not (self.system or self.computed or self.autonumber or self.type is FieldType.ID)

    @property
    def nillable(self) -> bool:
        return not self.required and self.type is not FieldType.BOOLEAN and not self.system

    @property
    def filterable(self) -> bool:
        return self.type is not FieldType.TEXTAREA or (self.length or 0) <= 255

    sortable = filterable

    @property
    def groupable(self) -> bool:
        return self.type not in {
            FieldType.TEXTAREA,
            FieldType.DOUBLE,
            FieldType.CURRENCY,
            FieldType.PERCENT,
            FieldType.DATETIME,
            FieldType.MULTIPICKLIST,
        }


class ChildRelationship(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    child_object: str
    field: str


class ObjectDef(BaseModel):
    """One sObject: its Id prefix, fields in canonical order, and relationships."""

    model_config = ConfigDict(extra="forbid")

    name: str
    label: str
    keyPrefix: str = Field(min_length=3, max_length=3)
    custom: bool = False
    owned: bool = False
    nameField: str | None = None
    composedName: list[str] | None = None
    fields: dict[str, FieldDef]
    child_relationships: dict[str, ChildRelationship] = Field(default_factory=dict)

    @cached_property
    def fields_ci(self) -> dict[str, FieldDef]:
        return {name.lower(): field for name, field in self.fields.items()}

    @cached_property
    def relationships_ci(self) -> dict[str, FieldDef]:
        """Parent relationship name (lower case) -> its reference field."""
        return {
            f.relationshipName.lower(): f
            for f in self.fields.values()
            if f.type is FieldType.REFERENCE and f.relationshipName
        }

    @cached_property
    def children_ci(self) -> dict[str, ChildRelationship]:
        return {name.lower(): rel for name, rel in self.child_relationships.items()}

    def field(self, name: str) -> FieldDef | None:
        return self.fields_ci.get(name.lower())

    @property
    def label_plural(self) -> str:
        return self.label + ("es" if self.label.endswith(("s", "x", "ch")) else "s")


class OrgSchema(BaseModel):
    """Every object of one org, looked up case-insensitively by name or Id prefix."""

    model_config = ConfigDict(extra="forbid")

    org: str
    description: str = ""
    objects: dict[str, ObjectDef]

    @cached_property
    def objects_ci(self) -> dict[str, ObjectDef]:
        return {name.lower(): obj for name, obj in self.objects.items()}

    @cached_property
    def by_prefix(self) -> dict[str, ObjectDef]:
        return {obj.keyPrefix: obj for obj in self.objects.values()}

    def object(self, name: str) -> ObjectDef | None:
        return self.objects_ci.get(name.lower())

    def object_for_id(self, record_id: str) -> ObjectDef | None:
        return self.by_prefix.get(record_id[:3])


def _label_from_name(name: str) -> str:
    base = name.removesuffix("__c")
    if base.endswith("Id") and len(base) > 2:
        base = base[:-2] + " ID"
    out = []
    for i, ch in enumerate(base):
        if ch == "_":
            out.append(" ")
            continue
        if (
            i
            and ch.isupper()
            and (base[i - 1].islower() or (i + 1 < len(base) and base[i + 1].islower() and base[i - 1] != " "))
        ):
            out.append(" ")
        out.append(ch)
    return "".join(out).replace("  ", " ").strip()
