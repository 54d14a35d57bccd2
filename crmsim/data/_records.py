"""Building org rows as Python values: Ids, system fields, autonumbers, composed names, checks.

Both the small fixture dataset (:mod:`crmsim.sandbox.seed`) and the benchmark-scale generator
(:mod:`crmsim.data`) build their rows through :class:`RecordBuilder`, then convert them to stored
form with :func:`stored_rows` and load them with ``Store.insert_rows``.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from crmsim.sandbox.codec import to_db
from crmsim.sandbox.ids import make_id
from crmsim.sandbox.schema import FieldType, ObjectDef, OrgSchema

Record = dict[str, Any]

# Autonumber display formats: (format, offset added to the running number).
AUTONUMBER: dict[str, tuple[str, int]] = {
    "Case": ("{:08d}", 1000),
    "Order": ("{:08d}", 100),
    "Contract": ("{:08d}", 100),
    "OrderItem": ("{:010d}", 0),
    "QuoteLineItem": ("{:08d}", 0),
    "Knowledge__kav": ("{:09d}", 1000),
    "CaseHistory__c": ("CH-{:04d}", 0),
    "LiveChatVisitor": ("{:05d}", 0),
    "LiveChatTranscript": ("{:08d}", 0),
    "VoiceCallTranscript__c": ("VCT-{:04d}", 0),
}


class RecordBuilder:
    """Rows of one org, per object, built in creation order; nothing is created after ``now``."""

    def __init__(self, schema: OrgSchema, rng: random.Random, today: date, *, history_days: int = 730) -> None:
        self.schema = schema
        self.rng = rng
        self.org = schema.org
        self.today = today
        self.now = datetime.combine(today, time(12, 0))
        self.start = self.now - timedelta(days=history_days)
        self.rows: dict[str, list[Record]] = {name: [] for name in schema.objects}
        self.admin_id = make_id(schema.objects["User"].keyPrefix, 1)

    def add(
        self,
        obj_name: str,
        created: datetime,
        values: Mapping[str, Any],
        *,
        optional: Mapping[str, Any] | None = None,
        modified: datetime | None = None,
    ) -> Record:
        """A new record with system, autonumber and composed-name fields filled in."""
        obj = self.schema.objects[obj_name]
        rows = self.rows[obj_name]
        number = len(rows) + 1
        if created > self.now:
            raise ValueError(f"{obj_name} created after today: {created}")
        record: Record = {"Id": make_id(obj.keyPrefix, number), **values}
        record.update({k: v for k, v in (optional or {}).items() if k in obj.fields})
        for field in obj.fields.values():
            if field.autonumber:
                fmt, offset = AUTONUMBER.get(obj_name, ("{:08d}", 0))
                record[field.name] = fmt.format(number + offset)
        if obj.composedName and obj.nameField:
            record[obj.nameField] = " ".join(str(record[p]) for p in obj.composedName if record.get(p))
        if modified is None:
            modified = self.between(created, created + timedelta(days=20))
        record.update(
            CreatedDate=created,
            LastModifiedDate=max(modified, created),
            SystemModstamp=max(modified, created),
            CreatedById=self.admin_id,
            LastModifiedById=self.admin_id,
            IsDeleted=False,
        )
        check_record(obj, record)
        rows.append(record)
        return record

    def between(self, lo: datetime, hi: datetime) -> datetime:
        """A random second in [lo, hi], both capped at now."""
        lo, hi = min(lo, self.now), min(hi, self.now)
        span = int((hi - lo).total_seconds())
        return lo if span <= 0 else lo + timedelta(seconds=self.rng.randrange(span + 1))

    def field_name(self, obj_name: str, *candidates: str) -> str:
        """The first candidate the org's object has (the orgs name a few fields differently)."""
        fields = self.schema.objects[obj_name].fields
        return next(name for name in candidates if name in fields)

    def stored(self) -> dict[str, list[Record]]:
        """Every row converted to stored form, per object."""
        return {name: stored_rows(self.schema.objects[name], self.rows[name]) for name in self.schema.objects}


def slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in ascii_text.lower() if ch.isalnum() or ch in " -").strip()


def email_address(first: str, last: str, domain: str) -> str:
    return f"{slug(first).replace(' ', '')}.{slug(last).replace(' ', '')}@{domain}"


def check_record(obj: ObjectDef, record: Record) -> None:
    """Catch generator mistakes early: unknown fields, missing required values, bad picklist
    values, text too long for its field."""
    for name, value in record.items():
        field = obj.fields.get(name)
        if field is None:
            raise KeyError(f"{obj.name}.{name} is not a field of this org")
        if field.type is FieldType.PICKLIST and value is not None and value not in (field.values or []):
            raise ValueError(f"{obj.name}.{name}: {value!r} is not an allowed value")
        if isinstance(value, str) and field.length and len(value) > field.length:
            raise ValueError(f"{obj.name}.{name}: longer than {field.length} characters")
    for field in obj.fields.values():
        if (field.required or field.computed) and record.get(field.name) is None:
            raise ValueError(f"{obj.name}.{field.name} is required")


def stored_rows(obj: ObjectDef, rows: Sequence[Record]) -> list[Record]:
    fields = obj.fields
    return [{name: to_db(fields[name], value) for name, value in row.items()} for row in rows]
