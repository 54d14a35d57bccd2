"""Conversion of field values between JSON (as the REST API shows them) and SQLite storage.

Storage: text types as TEXT, numbers as REAL/INTEGER, booleans as 0/1, dates as ``YYYY-MM-DD``,
datetimes in UTC as ``YYYY-MM-DD HH:MM:SS`` (sortable, and understood by SQLite's date functions).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from .schema import FieldDef, FieldType

SQL_TYPES = {
    FieldType.CURRENCY: "REAL",
    FieldType.DOUBLE: "REAL",
    FieldType.PERCENT: "REAL",
    FieldType.INT: "INTEGER",
    FieldType.BOOLEAN: "INTEGER",
    FieldType.DATE: "TEXT",
    FieldType.DATETIME: "TEXT",
}

_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?"
    r"(Z|[+-]\d{2}:?\d{2})?$"
)
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def sql_type(field: FieldDef) -> str:
    return SQL_TYPES.get(field.type, "TEXT COLLATE NOCASE")


def parse_datetime(text: str) -> datetime | None:
    """A Salesforce or ISO datetime string as an aware UTC datetime, or None if it is not one."""
    m = _DATETIME.match(text.strip())
    if not m:
        return None
    year, month, day, hour, minute, second, _frac, zone = m.groups()
    try:
        value = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second or 0))
    except ValueError:
        return None
    if zone and zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        digits = zone[1:].replace(":", "")
        from datetime import timedelta

        value -= sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
    return value.replace(tzinfo=UTC)


def datetime_to_db(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%d %H:%M:%S")


def to_db(field: FieldDef, value: Any) -> Any:
    """A JSON value for ``field`` as stored; raises ValueError with a reason if it does not fit."""
    if value is None:
        return None
    t = field.type
    if t is FieldType.BOOLEAN:
        if isinstance(value, bool):
            return int(value)
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return int(value.lower() == "true")
        raise ValueError(f"value not of required type: {value}")
    if t in (FieldType.CURRENCY, FieldType.DOUBLE, FieldType.PERCENT, FieldType.INT):
        if isinstance(value, bool):
            raise ValueError(f"value not of required type: {value}")
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValueError(f"value not of required type: {value}") from None
        if t is FieldType.INT:
            if number != int(number):
                raise ValueError(f"value not of required type: {value}")
            return int(number)
        return number
    if t is FieldType.DATE:
        if isinstance(value, date) and not isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, str) and _DATE.match(value):
            try:
                date.fromisoformat(value)
            except ValueError:
                raise ValueError(f"value not of required type: {value}") from None
            return value
        if isinstance(value, str) and (dt := parse_datetime(value)):
            return dt.date().isoformat()
        raise ValueError(f"value not of required type: {value}")
    if t is FieldType.DATETIME:
        if isinstance(value, datetime):
            return datetime_to_db(value if value.tzinfo else value.replace(tzinfo=UTC))
        if isinstance(value, str):
            dt = parse_datetime(value)
            if dt is None and _DATE.match(value):
                dt = parse_datetime(value + "T00:00:00Z")
            if dt is not None:
                return datetime_to_db(dt)
        raise ValueError(f"value not of required type: {value}")
    if isinstance(value, bool | int | float):
        return str(value).lower() if isinstance(value, bool) else str(value)
    if not isinstance(value, str):
        raise ValueError(f"value not of required type: {value}")
    return value


def from_db(field: FieldDef, value: Any) -> Any:
    """A stored value as the REST API shows it."""
    if value is None:
        return None
    t = field.type
    if t is FieldType.BOOLEAN:
        return bool(value)
    if t is FieldType.DATETIME:
        return db_datetime_to_json(value)
    if t is FieldType.INT:
        return int(value)
    if t in (FieldType.CURRENCY, FieldType.DOUBLE, FieldType.PERCENT):
        return float(value)
    return value


def db_datetime_to_json(value: str) -> str:
    return value[:10] + "T" + value[11:19] + ".000+0000"
