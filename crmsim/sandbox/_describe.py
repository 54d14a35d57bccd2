"""Discovery resources: API versions, the resource map, global and per-object describe."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, Any

from ._config import MAX_API_VERSION, MIN_API_VERSION
from ._records import sobject
from ._routing import Call, Reply
from .schema import FieldDef, FieldType, ObjectDef
from .store import quote_ident

if TYPE_CHECKING:
    from ._state import Sandbox

_SEASONS = ("Winter", "Spring", "Summer")
_SOAP_TYPES = {FieldType.ID: "tns:ID", FieldType.REFERENCE: "tns:ID",
               FieldType.BOOLEAN: "xsd:boolean", FieldType.INT: "xsd:int",
               FieldType.DOUBLE: "xsd:double", FieldType.CURRENCY: "xsd:double",
               FieldType.PERCENT: "xsd:double", FieldType.DATE: "xsd:date",
               FieldType.DATETIME: "xsd:dateTime"}
_DEFAULT_LENGTHS = {FieldType.STRING: 255, FieldType.TEXTAREA: 32768, FieldType.PICKLIST: 255,
                    FieldType.MULTIPICKLIST: 4099, FieldType.EMAIL: 80, FieldType.PHONE: 40,
                    FieldType.URL: 255, FieldType.ID: 18, FieldType.REFERENCE: 18}
RESOURCES = ("limits", "parameterizedSearch", "composite", "query", "queryAll", "search",
             "sobjects")


def release_label(major: int) -> str:
    """Salesforce's release name for an API version: v20.0 was Winter '11, three a year since."""
    step = major - MIN_API_VERSION
    return f"{_SEASONS[step % 3]} '{11 + step // 3:02d}"


async def versions(sandbox: Sandbox, call: Call) -> Reply:
    """``GET /services/data``: every version served, oldest first."""
    return Reply(200, [{"label": release_label(v), "url": f"/services/data/v{v}.0",
                        "version": f"{v}.0"}
                       for v in range(MIN_API_VERSION, MAX_API_VERSION + 1)])


async def resources(sandbox: Sandbox, call: Call) -> Reply:
    """``GET /services/data/vXX.X``: the resources this sandbox serves."""
    body = {name: call.url(name) for name in RESOURCES}
    if call.session is not None:
        body["identity"] = f"{call.origin}/id/{sandbox.org_id}/{call.session.user.user_id}"
    return Reply(200, dict(sorted(body.items())))


def _searchable(obj: ObjectDef) -> bool:
    return any(f.searchable for f in obj.fields.values())


def _object_urls(obj: ObjectDef, call: Call) -> dict[str, str]:
    base = call.url(f"sobjects/{obj.name}")
    return {"rowTemplate": base + "/{ID}", "describe": base + "/describe", "sobject": base}


def object_summary(obj: ObjectDef, call: Call) -> dict[str, Any]:
    """One entry of the global describe (also ``objectDescribe`` of the basic information)."""
    return {
        "activateable": False,
        "associateEntityType": None,
        "associateParentEntity": None,
        "createable": True,
        "custom": obj.custom,
        "customSetting": False,
        "deepCloneable": False,
        "deletable": True,
        "deprecatedAndHidden": False,
        "feedEnabled": False,
        "hasSubtypes": False,
        "isInterface": False,
        "isSubtype": False,
        "keyPrefix": obj.keyPrefix,
        "label": obj.label,
        "labelPlural": obj.label_plural,
        "layoutable": True,
        "mergeable": False,
        "mruEnabled": True,
        "name": obj.name,
        "queryable": True,
        "replicateable": True,
        "retrieveable": True,
        "searchable": _searchable(obj),
        "triggerable": True,
        "undeletable": True,
        "updateable": True,
        "urls": _object_urls(obj, call),
    }


async def global_describe(sandbox: Sandbox, call: Call) -> Reply:
    """``GET sobjects``."""
    key = ("*", call.version)
    if key not in sandbox.describe_cache:
        sandbox.describe_cache[key] = {
            "encoding": "UTF-8",
            "maxBatchSize": 200,
            "sobjects": [object_summary(obj, call) for obj in sandbox.schema.objects.values()],
        }
    return Reply(200, sandbox.describe_cache[key])


async def basic_info(sandbox: Sandbox, call: Call) -> Reply:
    """``GET sobjects/{Name}``: the summary and the most recently changed records."""
    obj = sobject(sandbox, call.params["sobject"])
    name_field = obj.nameField if obj.nameField in obj.fields else None

    def recent(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
        columns = "Id" + (f", {quote_ident(name_field)}" if name_field else "")
        return conn.execute(f"SELECT {columns} FROM {quote_ident(obj.name)} WHERE IsDeleted = 0 "
                            "ORDER BY LastModifiedDate DESC, Id DESC LIMIT 10").fetchall()

    items = []
    for row in await sandbox.store.read(recent):
        item: dict[str, Any] = {"attributes": {"type": obj.name,
                                               "url": call.url(f"sobjects/{obj.name}/{row[0]}")},
                                "Id": row[0]}
        if name_field:
            item[name_field] = row[1]
        items.append(item)
    return Reply(200, {"objectDescribe": object_summary(obj, call), "recentItems": items})


async def describe(sandbox: Sandbox, call: Call) -> Reply:
    """``GET sobjects/{Name}/describe``."""
    obj = sobject(sandbox, call.params["sobject"])
    key = (obj.name, call.version)
    if key not in sandbox.describe_cache:
        sandbox.describe_cache[key] = describe_object(sandbox, obj, call)
    return Reply(200, sandbox.describe_cache[key])


def describe_object(sandbox: Sandbox, obj: ObjectDef, call: Call) -> dict[str, Any]:
    children: list[dict[str, Any]] = [
        {"cascadeDelete": False, "childSObject": child.name, "deprecatedAndHidden": False,
         "field": field.name, "junctionIdListNames": [], "junctionReferenceTo": [],
         "relationshipName": field.childRelationshipName, "restrictedDelete": False}
        for child in sandbox.schema.objects.values()
        for field in child.fields.values()
        if field.type is FieldType.REFERENCE and obj.name in (field.referenceTo or [])
    ]
    body = {
        **object_summary(obj, call),
        "actionOverrides": [],
        "childRelationships": children,
        "compactLayoutable": True,
        "defaultImplementation": None,
        "extendedBy": None,
        "extendsInterfaces": None,
        "fields": [describe_field(obj, f) for f in obj.fields.values()],
        "implementedBy": None,
        "implementsInterfaces": None,
        "listviewable": None,
        "lookupLayoutable": None,
        "namedLayoutInfos": [],
        "networkScopeFieldName": None,
        "recordTypeInfos": [],
        "searchLayoutable": True,
        "sobjectDescribeOption": "FULL",
        "supportedScopes": [{"label": "All records", "name": "everything"}],
    }
    return dict(sorted(body.items()))


def describe_field(obj: ObjectDef, field: FieldDef) -> dict[str, Any]:
    """One entry of ``fields`` in an object describe."""
    t = field.type
    textual = field.is_text
    length = (field.length or _DEFAULT_LENGTHS.get(t, 0)) if textual else 0
    byte_length = 18 if field.is_id else length * 3
    picklist = t in (FieldType.PICKLIST, FieldType.MULTIPICKLIST)
    default: Any = None
    if t is FieldType.BOOLEAN:
        default = bool(field.default)
    elif picklist and field.default is not None:
        default = str(field.default)
    defaulted = (field.system or field.autonumber or t in (FieldType.ID, FieldType.BOOLEAN)
                 or field.default is not None or field.name == "OwnerId")
    return {
        "aggregatable": t not in (FieldType.TEXTAREA, FieldType.MULTIPICKLIST, FieldType.BOOLEAN),
        "aiPredictionField": False,
        "autoNumber": field.autonumber,
        "byteLength": byte_length,
        "calculated": field.computed,
        "calculatedFormula": None,
        "cascadeDelete": False,
        "caseSensitive": False,
        "compoundFieldName": None,
        "controllerName": None,
        "createable": field.createable,
        "custom": field.custom,
        "defaultValue": default,
        "defaultValueFormula": None,
        "defaultedOnCreate": defaulted,
        "dependentPicklist": False,
        "deprecatedAndHidden": False,
        "digits": (field.precision or 9) if t is FieldType.INT else 0,
        "displayLocationInDecimal": False,
        "encrypted": False,
        "externalId": False,
        "extraTypeInfo": "plaintextarea" if t is FieldType.TEXTAREA else None,
        "filterable": field.filterable,
        "filteredLookupInfo": None,
        "formulaTreatNullNumberAsZero": False,
        "groupable": field.groupable,
        "highScaleNumber": False,
        "htmlFormatted": False,
        "idLookup": t is FieldType.ID or field.autonumber or t is FieldType.EMAIL
        or field.name == "Username",
        "inlineHelpText": field.description or None,
        "label": field.display_label,
        "length": length,
        "mask": None,
        "maskType": None,
        "name": field.name,
        "nameField": field.name == obj.nameField,
        "namePointing": False,
        "nillable": field.nillable,
        "permissionable": field.custom and field.nillable,
        "picklistValues": [{"active": True, "defaultValue": value == field.default,
                            "label": value, "validFor": None, "value": value}
                           for value in (field.values or [])] if picklist else [],
        "polymorphicForeignKey": len(field.referenceTo or []) > 1,
        "precision": (field.precision or 18) if t in (FieldType.CURRENCY, FieldType.DOUBLE,
                                                        FieldType.PERCENT) else 0,
        "queryByDistance": False,
        "referenceTargetField": None,
        "referenceTo": list(field.referenceTo or []),
        "relationshipName": field.relationshipName if t is FieldType.REFERENCE else None,
        "relationshipOrder": None,
        "restrictedDelete": False,
        "restrictedPicklist": picklist,
        "scale": (field.scale or 0) if field.is_number else 0,
        "searchPrefilterable": t is FieldType.REFERENCE,
        "soapType": _SOAP_TYPES.get(t, "xsd:string"),
        "sortable": field.sortable,
        "type": t.value,
        "unique": False,
        "updateable": field.createable,
        "writeRequiresMasterRead": False,
    }
