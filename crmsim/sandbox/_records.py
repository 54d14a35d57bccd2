"""sObject rows: create, read, update and delete with Salesforce's field validation.

Values are checked on the event loop (names, types, lengths, picklists, Id shapes); what needs the
database (references, autonumbers, the current row) happens in one write transaction. Every write
returns an :data:`Undo` so that a composite ``allOrNone`` request can roll back what it did.
"""

from __future__ import annotations

import math
import re
import sqlite3
import threading
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from crmsim.errors import SalesforceError

from ._routing import Call, Reply, Undo, json_error, not_found
from .codec import datetime_to_db, from_db, to_db
from .ids import is_id, to18
from .schema import FieldDef, FieldType, ObjectDef, OrgSchema
from .store import Store, quote_ident

if TYPE_CHECKING:
    from ._state import Sandbox

_ID_LIKE = re.compile(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SOAP_NAMES = {FieldType.BOOLEAN: "boolean", FieldType.INT: "int", FieldType.DOUBLE: "double",
               FieldType.CURRENCY: "double", FieldType.PERCENT: "double", FieldType.DATE: "date",
               FieldType.DATETIME: "datetime"}
_SYSTEM_STAMPS = ("CreatedDate", "LastModifiedDate", "SystemModstamp")


def _error(code: str, message: str, fields: list[str] | None = None, status: int = 400
           ) -> SalesforceError:
    return SalesforceError(message, code, status=status, fields=fields)


def _now() -> str:
    return datetime_to_db(datetime.now(UTC))


# -- checking a request body -------------------------------------------------------------------

def _token(value: Any) -> tuple[str, str]:
    if isinstance(value, bool):
        return ("VALUE_TRUE" if value else "VALUE_FALSE"), str(value).lower()
    if isinstance(value, int):
        return "VALUE_NUMBER_INT", str(value)
    if isinstance(value, float):
        return "VALUE_NUMBER_FLOAT", repr(value)
    if isinstance(value, dict):
        return "START_OBJECT", "{"
    if isinstance(value, list):
        return "START_ARRAY", "["
    return "VALUE_STRING", str(value)


def _deserialize_error(field: FieldDef, value: Any) -> SalesforceError:
    token, shown = _token(value)
    kind = _SOAP_NAMES.get(field.type, "String")
    return json_error(f"Cannot deserialize instance of {kind} from {token} value {shown} "
                      "or request may be missing a required field")


def _check_value(schema: OrgSchema, field: FieldDef, value: Any) -> Any:
    """``value`` as stored, or the Salesforce error for it."""
    label = field.display_label
    if field.is_text and isinstance(value, dict | list):
        raise _deserialize_error(field, value)
    try:
        stored = to_db(field, value)
    except (ValueError, OverflowError):
        raise _deserialize_error(field, value) from None
    if isinstance(stored, float) and not math.isfinite(stored):
        raise _deserialize_error(field, value)
    if field.type is FieldType.BOOLEAN and stored is None:
        return 0
    if isinstance(stored, str) and field.is_text and stored == "":
        return None
    if stored is None:
        return None
    t = field.type
    if t is FieldType.REFERENCE:
        return _check_reference_shape(schema, field, stored)
    if field.is_text and field.length and len(stored) > field.length:
        raise _error("STRING_TOO_LONG", f"{label}: data value too large: {stored} "
                     f"(max length={field.length})", [field.name])
    if t is FieldType.EMAIL and not _EMAIL.match(stored):
        raise _error("INVALID_EMAIL_ADDRESS", f"{label}: invalid email address: {stored}",
                     [field.name])
    if t is FieldType.PICKLIST:
        return _picklist_value(field, stored)
    if t is FieldType.MULTIPICKLIST:
        parts = [_picklist_value(field, part.strip()) for part in stored.split(";") if part.strip()]
        return ";".join(dict.fromkeys(parts)) or None
    if field.is_number and field.precision:
        digits = field.precision - (field.scale or 0)
        if abs(stored) >= 10 ** digits:
            raise _error("NUMBER_OUTSIDE_VALID_RANGE",
                         f"{label}: value outside of valid range on numeric field: {value}",
                         [field.name])
    return stored


def _picklist_value(field: FieldDef, value: str) -> str:
    for allowed in field.values or []:
        if allowed.lower() == value.lower():
            return allowed
    raise _error("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                 f"{field.display_label}: bad value for restricted picklist field: {value}",
                 [field.name])


def _check_reference_shape(schema: OrgSchema, field: FieldDef, value: str) -> str:
    message = f"{field.display_label}: id value of incorrect type: {value}"
    if not is_id(value):
        raise _error("MALFORMED_ID", message, [field.name])
    value = to18(value)
    target = schema.object_for_id(value)
    if target is None or target.name not in (field.referenceTo or []):
        raise _error("FIELD_INTEGRITY_EXCEPTION", message, [field.name])
    return value


def check_payload(schema: OrgSchema, obj: ObjectDef, payload: Any, *, creating: bool,
                  record_id: str | None = None) -> dict[str, Any]:
    """Field name -> stored value for a create or update body, or the first Salesforce error."""
    if not isinstance(payload, dict):
        token, shown = _token(payload)
        raise json_error(f"Cannot deserialize instance of {obj.name} from {token} value {shown} "
                         "or request may be missing a required field")
    fields: list[tuple[FieldDef, Any]] = []
    read_only: list[str] = []
    for key, value in payload.items():
        if key == "attributes":
            continue
        field = obj.field(key)
        if field is None:
            raise _error("INVALID_FIELD", f"No such column '{key}' on sobject of type {obj.name}")
        if field.name == "Id" and not creating and isinstance(value, str) and record_id \
                and is_id(value) and to18(value) == record_id:
            continue
        if not field.createable:
            read_only.append(field.name)
            continue
        fields.append((field, value))
    if read_only:
        raise _error("INVALID_FIELD_FOR_INSERT_UPDATE",
                     f"Unable to create/update fields: {', '.join(read_only)}. Please check the "
                     "security settings of this field and verify that it is read/write for your "
                     "profile or permission set.", read_only)
    values = {field.name: _check_value(schema, field, value) for field, value in fields}
    missing = [f.name for f in obj.fields.values() if _is_missing(f, values, creating)]
    if missing:
        raise _error("REQUIRED_FIELD_MISSING",
                     f"Required fields are missing: [{', '.join(missing)}]", missing)
    return values


def _is_missing(field: FieldDef, values: Mapping[str, Any], creating: bool) -> bool:
    """A required field left empty: absent on create (unless defaulted) or set to null."""
    if not field.required or not field.createable or field.type is FieldType.BOOLEAN:
        return False
    if field.name in values:
        return values[field.name] is None
    return creating and field.default is None


def record_id_from_url(obj: ObjectDef, raw: str) -> str:
    """The 18-character Id in a record URL, or the error Salesforce gives for that segment."""
    if not _ID_LIKE.match(raw):
        raise _error("NOT_FOUND",
                     f"Provided external ID field does not exist or is not accessible: {raw}",
                     status=404)
    if not is_id(raw) or raw[:3] != obj.keyPrefix:
        raise _error("MALFORMED_ID", f"{obj.label} ID: id value of incorrect type: {raw}", ["Id"])
    return to18(raw)


# -- the database side -------------------------------------------------------------------------

class RecordWriter:
    """Writes rows for the REST API; keeps autonumber counters between calls."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.schema = store.schema
        self._autonumbers: dict[tuple[str, str], tuple[str, int, int]] = {}
        self._lock = threading.Lock()

    async def create(self, obj: ObjectDef, values: dict[str, Any], user_id: str
                     ) -> tuple[str, Undo]:
        return await self.store.write(lambda conn: self._create(conn, obj, values, user_id))

    async def update(self, obj: ObjectDef, record_id: str, values: dict[str, Any],
                     user_id: str) -> Undo:
        return await self.store.write(
            lambda conn: self._update(conn, obj, record_id, values, user_id))

    async def delete(self, obj: ObjectDef, record_id: str, user_id: str) -> Undo:
        return await self.store.write(lambda conn: self._delete(conn, obj, record_id, user_id))

    async def undo(self, undos: list[Undo]) -> None:
        """Reverse ``undos`` (latest first) in one transaction."""
        def run(conn: sqlite3.Connection) -> None:
            for action in reversed(undos):
                action(conn)
        await self.store.write(run)

    async def fetch(self, obj: ObjectDef, record_id: str) -> dict[str, Any] | None:
        """The live row (field name -> API value) or None if it is missing or deleted."""
        def run(conn: sqlite3.Connection) -> dict[str, Any] | None:
            row = _row(conn, obj, record_id)
            if row is None or row["IsDeleted"]:
                return None
            return {name: from_db(field, row[name]) for name, field in obj.fields.items()}
        return await self.store.read(run)

    # -- in the writer thread ------------------------------------------------------------------

    def _create(self, conn: sqlite3.Connection, obj: ObjectDef, values: dict[str, Any],
                user_id: str) -> tuple[str, Undo]:
        self._check_references(conn, obj, values)
        row: dict[str, Any] = {}
        for field in obj.fields.values():
            if field.default is not None:
                row[field.name] = (int(field.default) if field.type is FieldType.BOOLEAN
                                   else field.default)
            elif field.type is FieldType.BOOLEAN:
                row[field.name] = 0
        row.update(values)
        now = _now()
        record_id = self.store.ids.next(obj.keyPrefix)
        row.update({"Id": record_id, "IsDeleted": 0, "CreatedById": user_id,
                    "LastModifiedById": user_id})
        row.update(dict.fromkeys(_SYSTEM_STAMPS, now))
        if obj.owned and row.get("OwnerId") is None:
            row["OwnerId"] = user_id
        for field in obj.fields.values():
            if field.autonumber:
                row[field.name] = self._next_autonumber(conn, obj, field)
        _compose_name(obj, row, row)
        columns = [name for name in obj.fields if name in row]
        conn.execute(f"INSERT INTO {quote_ident(obj.name)} "
                     f"({', '.join(quote_ident(c) for c in columns)}) "
                     f"VALUES ({', '.join('?' for _ in columns)})", [row[c] for c in columns])

        def undo(conn: sqlite3.Connection) -> None:
            conn.execute(f"DELETE FROM {quote_ident(obj.name)} WHERE Id = ?", (record_id,))
        return record_id, undo

    def _update(self, conn: sqlite3.Connection, obj: ObjectDef, record_id: str,
                values: dict[str, Any], user_id: str) -> Undo:
        current = _live_row(conn, obj, record_id)
        self._check_references(conn, obj, values)
        changes = dict(values)
        _compose_name(obj, changes, {**current, **changes})
        changes.update({"LastModifiedById": user_id, "LastModifiedDate": _now(),
                        "SystemModstamp": _now()})
        return _set(conn, obj, record_id, changes, current)

    def _delete(self, conn: sqlite3.Connection, obj: ObjectDef, record_id: str,
                user_id: str) -> Undo:
        current = _live_row(conn, obj, record_id)
        return _set(conn, obj, record_id, {"IsDeleted": 1, "SystemModstamp": _now()}, current)

    def _check_references(self, conn: sqlite3.Connection, obj: ObjectDef,
                          values: Mapping[str, Any]) -> None:
        for name, value in values.items():
            field = obj.fields[name]
            if field.type is not FieldType.REFERENCE or value is None:
                continue
            target = self.schema.object_for_id(value)
            found = target is not None and conn.execute(
                f"SELECT 1 FROM {quote_ident(target.name)} WHERE Id = ? AND IsDeleted = 0",
                (value,)).fetchone()
            if not found:
                raise _error("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", [])

    def _next_autonumber(self, conn: sqlite3.Connection, obj: ObjectDef, field: FieldDef) -> str:
        key = (obj.name, field.name)
        with self._lock:
            state = self._autonumbers.get(key)
            if state is None:
                col = quote_ident(field.name)
                row = conn.execute(f"SELECT {col} FROM {quote_ident(obj.name)} WHERE {col} IS NOT "
                                   f"NULL ORDER BY length({col}) DESC, {col} DESC LIMIT 1").fetchone()
                match = re.match(r"^(.*?)(\d+)$", row[0]) if row else None
                state = (match.group(1), len(match.group(2)), int(match.group(2))) if match \
                    else ("", 8, 0)
            prefix, width, last = state
            self._autonumbers[key] = (prefix, width, last + 1)
        return prefix + str(last + 1).zfill(width)


def _row(conn: sqlite3.Connection, obj: ObjectDef, record_id: str) -> dict[str, Any] | None:
    cursor = conn.execute(f"SELECT * FROM {quote_ident(obj.name)} WHERE Id = ?", (record_id,))
    row = cursor.fetchone()
    if row is None:
        return None
    return {d[0]: value for d, value in zip(cursor.description, row, strict=True)}


def _live_row(conn: sqlite3.Connection, obj: ObjectDef, record_id: str) -> dict[str, Any]:
    row = _row(conn, obj, record_id)
    if row is None:
        raise not_found()
    if row["IsDeleted"]:
        raise _error("ENTITY_IS_DELETED", "entity is deleted", [], status=404)
    return row


def _set(conn: sqlite3.Connection, obj: ObjectDef, record_id: str, changes: dict[str, Any],
         current: Mapping[str, Any]) -> Undo:
    table = quote_ident(obj.name)
    names = list(changes)
    assignments = ", ".join(f"{quote_ident(n)} = ?" for n in names)
    conn.execute(f"UPDATE {table} SET {assignments} WHERE Id = ?",
                 [*(changes[n] for n in names), record_id])
    before = [current[n] for n in names]

    def undo(conn: sqlite3.Connection) -> None:
        conn.execute(f"UPDATE {table} SET {assignments} WHERE Id = ?", [*before, record_id])
    return undo


def _compose_name(obj: ObjectDef, target: dict[str, Any], source: Mapping[str, Any]) -> None:
    """Fill a composed name field (``Name`` = first + last) when one of its parts is known."""
    if not obj.composedName or not obj.nameField:
        return
    if not any(part in target for part in obj.composedName):
        return
    parts = [str(source[p]) for p in obj.composedName if source.get(p) not in (None, "")]
    target[obj.nameField] = " ".join(parts) or None


# -- handlers ----------------------------------------------------------------------------------

def sobject(sandbox: Sandbox, name: str) -> ObjectDef:
    obj = sandbox.schema.object(name)
    if obj is None:
        raise not_found()
    return obj


def _user_id(call: Call) -> str:
    assert call.session is not None
    return call.session.user.user_id


async def create_record(sandbox: Sandbox, call: Call) -> Reply:
    """``POST sobjects/{Name}``."""
    obj = sobject(sandbox, call.params["sobject"])
    values = check_payload(sandbox.schema, obj, call.json(), creating=True)
    record_id, undo = await sandbox.records.create(obj, values, _user_id(call))
    call.record_undo(undo)
    return Reply(201, {"id": record_id, "success": True, "errors": []},
                 {"Location": call.url(f"sobjects/{obj.name}/{record_id}")})


async def update_record(sandbox: Sandbox, call: Call) -> Reply:
    """``PATCH sobjects/{Name}/{Id}``."""
    obj = sobject(sandbox, call.params["sobject"])
    record_id = record_id_from_url(obj, call.params["id"])
    values = check_payload(sandbox.schema, obj, call.json(), creating=False,
                           record_id=record_id)
    call.record_undo(await sandbox.records.update(obj, record_id, values, _user_id(call)))
    return Reply(204)


async def delete_record(sandbox: Sandbox, call: Call) -> Reply:
    """``DELETE sobjects/{Name}/{Id}``: moves the row to the recycle bin (IsDeleted)."""
    obj = sobject(sandbox, call.params["sobject"])
    record_id = record_id_from_url(obj, call.params["id"])
    call.record_undo(await sandbox.records.delete(obj, record_id, _user_id(call)))
    return Reply(204)


async def get_record(sandbox: Sandbox, call: Call) -> Reply:
    """``GET sobjects/{Name}/{Id}[?fields=A,B]``."""
    obj = sobject(sandbox, call.params["sobject"])
    record_id = record_id_from_url(obj, call.params["id"])
    wanted = _wanted_fields(obj, call.query.get("fields"))
    row = await sandbox.records.fetch(obj, record_id)
    if row is None:
        raise not_found()
    url = call.url(f"sobjects/{obj.name}/{record_id}")
    body: dict[str, Any] = {"attributes": {"type": obj.name, "url": url}}
    for name in wanted or list(obj.fields):
        body[name] = row[name]
    if wanted and "Id" not in body:
        body["Id"] = row["Id"]
    return Reply(200, body)


def _wanted_fields(obj: ObjectDef, text: str | None) -> list[str] | None:
    if text is None:
        return None
    names: list[str] = []
    for raw in text.split(","):
        name = raw.strip()
        if not name:
            continue
        field = obj.field(name)
        if field is None:
            raise _error("INVALID_FIELD",
                         f"No such column '{name}' on entity '{obj.name}'. If you are attempting to "
                         "use a custom field, be sure to append the '__c' after the custom field "
                         "name. Please reference your WSDL or the describe call for the appropriate "
                         "names.")
        if field.name not in names:
            names.append(field.name)
    return names or None
