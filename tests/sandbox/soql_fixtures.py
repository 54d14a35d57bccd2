"""A small, deterministic b2b org for the SOQL tests, and helpers to run queries against it.

The org's "today" is Friday 2024-06-14. Every record is named by a module constant (``ACME``,
``CASE_TODAY_START``, ...) so tests can state expected results without re-deriving them.

Highlights planted on purpose:

* accounts with a null Industry (``OBRIEN``, whose name has an apostrophe), with ``%`` and ``_`` in
  the name (``PROMO``), an accented name (``CAFE``), a backslash (``BACKSLASH``), a soft-deleted
  account (``DELETED``) and a parent chain ``OBRIEN -> ROBOTICS -> ACME``;
* a contact without an account (``C_ORPHAN``) and a soft-deleted contact under ``ACME``;
* opportunities with a null Amount and a null AccountId;
* cases whose CreatedDate sits exactly on day boundaries around today;
* tasks whose WhatId points at an opportunity, a case and an account (polymorphic ``What``), and
  one task per interesting ActivityDate (Subject ``D yyyy-mm-dd``) for the relative date literals.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from crmsim.errors import SalesforceError
from crmsim.sandbox.ids import make_id, sequence_of
from crmsim.sandbox.schema import org_schema
from crmsim.sandbox.soql import SoqlEngine
from crmsim.sandbox.store import Store

TODAY = date(2024, 6, 14)  # a Friday; this week runs Sunday 06-09 .. Saturday 06-15
STAMP = "2024-01-02 03:04:05"

# -- Ids ------------------------------------------------------------------------------------------

P_ADMIN, P_STANDARD = make_id("00e", 1), make_id("00e", 2)
U_ALICE, U_BOB, U_CAROL = make_id("005", 1), make_id("005", 2), make_id("005", 3)

ACME = make_id("001", 1)
ROBOTICS = make_id("001", 2)
OBRIEN = make_id("001", 3)
PROMO = make_id("001", 4)
CAFE = make_id("001", 5)
BACKSLASH = make_id("001", 6)
DELETED = make_id("001", 7)
BETA = make_id("001", 8)

C_DECLAN, C_ZOE, C_JANE, C_JOHN, C_ORPHAN, C_DEEP, C_GONE = (make_id("003", n) for n in range(1, 8))
O_BIG, O_RENEWAL, O_PILOT, O_FREIGHT, O_CAFE, O_ORPHAN, O_PROMO = (make_id("006", n) for n in range(1, 8))
(
    CASE_TODAY_START,
    CASE_YESTERDAY_END,
    CASE_TODAY_END,
    CASE_TOMORROW,
    CASE_MARCH,
    CASE_LAST_YEAR,
) = (make_id("500", n) for n in range(1, 7))
T_OPP, T_CASE, T_ACCOUNT, T_NONE = (make_id("00T", n) for n in range(1, 5))

ACCOUNT_NAMES = {
    ACME: "Acme Corporation",
    ROBOTICS: "Acme Robotics",
    OBRIEN: "O'Brien Freight Services",
    PROMO: "50% Off_Store",
    CAFE: "Café Zoë",
    BACKSLASH: "Back\\slash Ltd",
    DELETED: "Deleted Dynamics",
    BETA: "beta labs",
}
LIVE_ACCOUNTS = [a for a in ACCOUNT_NAMES if a != DELETED]

# Dates planted on tasks "D yyyy-mm-dd" (ActivityDate), chosen on the edges of every literal's range.
TASK_DATES = [
    "2023-06-14",
    "2023-10-01",
    "2023-12-31",
    "2024-01-01",
    "2024-03-15",
    "2024-03-16",
    "2024-03-17",
    "2024-03-31",
    "2024-04-01",
    "2024-05-26",
    "2024-05-31",
    "2024-06-01",
    "2024-06-02",
    "2024-06-07",
    "2024-06-08",
    "2024-06-09",
    "2024-06-13",
    "2024-06-14",
    "2024-06-15",
    "2024-06-16",
    "2024-06-22",
    "2024-06-23",
    "2024-06-30",
    "2024-07-01",
    "2024-07-31",
    "2024-08-01",
    "2024-09-12",
    "2024-09-13",
    "2024-09-30",
    "2024-10-01",
    "2024-12-31",
    "2025-01-01",
    "2025-12-31",
    "2026-01-01",
]
DATE_TASKS = {make_id("00T", 100 + i): d for i, d in enumerate(TASK_DATES)}


def _system(created: str = STAMP) -> dict[str, Any]:
    return {
        "CreatedDate": created,
        "LastModifiedDate": created,
        "SystemModstamp": created,
        "CreatedById": U_ALICE,
        "LastModifiedById": U_ALICE,
        "IsDeleted": 0,
    }


def _rows() -> dict[str, list[dict[str, Any]]]:
    profiles = [
        {"Id": P_ADMIN, "Name": "System Administrator"},
        {"Id": P_STANDARD, "Name": "Standard User"},
    ]
    users = [
        {
            "Id": uid,
            "FirstName": first,
            "LastName": last,
            "Name": f"{first} {last}",
            "Alias": first.lower()[:8],
            "Email": f"{first.lower()}@example.com",
            "Username": f"{first.lower()}@example.com",
            "ProfileId": profile,
            "IsActive": 1,
            "EmailEncodingKey": "UTF-8",
            "LanguageLocaleKey": "en_US",
            "LocaleSidKey": "en_US",
            "TimeZoneSidKey": "America/Los_Angeles",
        }
        for uid, first, last, profile in [
            (U_ALICE, "Alice", "Admin", P_ADMIN),
            (U_BOB, "Bob", "Rep", P_STANDARD),
            (U_CAROL, "Carol", "Nobody", None),
        ]
    ]
    account_rows: list[tuple[str, str | None, int | None, str | None, str, str | None, str]] = [
        # Id, Industry, employees, Type, Owner, Parent, CreatedDate
        (ACME, "Technology", 500, "Customer", U_ALICE, None, "2024-01-10 09:00:00"),
        (ROBOTICS, "Manufacturing", 120, "Customer", U_BOB, ACME, "2024-06-14 08:30:00"),
        (OBRIEN, None, None, None, U_BOB, ROBOTICS, "2024-02-01 12:00:00"),
        (PROMO, "Retail", 15, "Prospect", U_ALICE, None, "2023-07-04 16:20:00"),
        (CAFE, "Healthcare", 42, "Partner", U_CAROL, None, "2022-11-30 23:59:59"),
        (BACKSLASH, "Finance", 7, "Other", U_ALICE, None, "2024-05-01 00:00:00"),
        (DELETED, "Technology", 3, "Other", U_ALICE, None, "2024-03-03 03:03:03"),
        (BETA, "Energy", 0, "Prospect", U_BOB, None, "2024-06-13 10:00:00"),
    ]
    accounts = [
        {
            "Id": aid,
            "Name": ACCOUNT_NAMES[aid],
            "Industry": industry,
            "NumberOfEmployees": employees,
            "Type": type_,
            "OwnerId": owner,
            "ParentId": parent,
            "Phone": None if aid == OBRIEN else f"555-010{n}",
            "ShippingState": "CA" if n % 2 else "NY",
            "Description": f"Description of {ACCOUNT_NAMES[aid]}",
            **_system(created),
            "IsDeleted": int(aid == DELETED),
        }
        for n, (aid, industry, employees, type_, owner, parent, created) in enumerate(account_rows, 1)
    ]
    contact_rows = [
        (C_DECLAN, "Declan", "O'Brien", OBRIEN, U_BOB),
        (C_ZOE, "Zoë", "Lambert", CAFE, U_CAROL),
        (C_JANE, "Jane", "Doe", ACME, U_ALICE),
        (C_JOHN, "John", "Smith", ACME, U_ALICE),
        (C_ORPHAN, "Olive", "Orphan", None, U_BOB),
        (C_DEEP, "Dee", "Deep", ROBOTICS, U_BOB),
        (C_GONE, "Gary", "Gone", ACME, U_ALICE),
    ]
    contacts = [
        {
            "Id": cid,
            "FirstName": first,
            "LastName": last,
            "Name": f"{first} {last}",
            "AccountId": account,
            "OwnerId": owner,
            "Email": f"{first.lower()}@example.org",
            **_system(),
            "IsDeleted": int(cid == C_GONE),
        }
        for cid, first, last, account, owner in contact_rows
    ]
    opp_rows = [
        # Id, Name, Account, Amount, CloseDate, Stage, won, closed, probability, owner, contact
        (O_BIG, "Acme Big Deal", ACME, 50000.0, "2024-06-14", "Closed", 1, 1, 100.0, U_ALICE, C_JANE),
        (O_RENEWAL, "Acme Renewal", ACME, 12000.5, "2024-06-20", "Negotiation", 0, 0, 60.0, U_ALICE, None),
        (O_PILOT, "Robotics Pilot", ROBOTICS, 8000.0, "2024-03-31", "Closed", 0, 1, 0.0, U_BOB, C_DEEP),
        (O_FREIGHT, "Freight Expansion", OBRIEN, None, "2024-07-01", "Qualification", 0, 0, 10.0, U_BOB, None),
        (O_CAFE, "Cafe Supplies", CAFE, 1500.25, "2023-12-31", "Closed", 1, 1, 100.0, U_CAROL, C_ZOE),
        (O_ORPHAN, "Orphan Opp", None, 300.0, "2024-09-30", "Discovery", 0, 0, 20.0, U_ALICE, None),
        (O_PROMO, "Store Promo", PROMO, 2500.0, "2024-06-09", "Quote", 0, 0, 50.0, U_BOB, None),
    ]
    opportunities = [
        {
            "Id": oid,
            "Name": name,
            "AccountId": account,
            "Amount": amount,
            "CloseDate": close,
            "StageName": stage,
            "IsWon": won,
            "IsClosed": closed,
            "Probability": prob,
            "OwnerId": owner,
            "ContactId": contact,
            **_system(),
        }
        for oid, name, account, amount, close, stage, won, closed, prob, owner, contact in opp_rows
    ]

    case_rows = [
        # Id, CreatedDate, ClosedDate, Status/Priority/Origin, Subject, Account, Contact, Owner
        (CASE_TODAY_START, "2024-06-14 00:00:00", None, "New/High/Phone", "Printer jammed", ACME, C_JANE, U_ALICE),
        (CASE_YESTERDAY_END, "2024-06-13 23:59:59", "2024-06-14 09:30:00", "Closed/Medium/Email", "Line one\nLine two",
         ACME, C_JOHN, U_BOB),
        (CASE_TODAY_END, "2024-06-14 23:59:59", None, "Working/Low/Web", "Promo code for 20% off", PROMO, None, U_BOB),
        (CASE_TOMORROW, "2024-06-15 00:00:00", None, "New/High/Chat", "Login failure", ROBOTICS, None, U_ALICE),
        (CASE_MARCH, "2024-03-16 10:00:00", "2024-03-20 17:45:00", "Closed/Medium/Web", "Billing question",
         OBRIEN, C_DECLAN, U_ALICE),
        (CASE_LAST_YEAR, "2023-11-05 14:30:00", "2023-11-06 08:00:00", "Closed/Low/Phone", "Old case",
         CAFE, C_ZOE, U_CAROL),
    ]  # fmt: skip
    cases: list[dict[str, Any]] = []
    for kid, created, closed, status_priority_origin, subject, account, contact, owner in case_rows:
        status, priority, origin = status_priority_origin.split("/")
        n = sequence_of(kid)
        cases.append(
            {
                "Id": kid,
                "CaseNumber": f"0000100{n}",
                "ClosedDate": closed,
                "Status": status,
                "Priority": priority,
                "Origin": origin,
                "Subject": subject,
                "AccountId": account,
                "ContactId": contact,
                "OwnerId": owner,
                **_system(created),
            }
        )
    tasks: list[dict[str, Any]] = [
        {"Id": T_OPP, "Subject": "Call about deal", "WhatId": O_BIG, "Status": "Completed", "Priority": "High"},
        {"Id": T_CASE, "Subject": "Follow up case", "WhatId": CASE_TODAY_START, "Status": "Not Started"},
        {"Id": T_ACCOUNT, "Subject": "Account check-in", "WhatId": ACME, "Status": "In Progress"},
        {"Id": T_NONE, "Subject": "No what", "WhatId": None, "Status": "Deferred"},
    ]
    tasks += [
        {"Id": tid, "Subject": f"D {day}", "ActivityDate": day, "Status": "Not Started"}
        for tid, day in DATE_TASKS.items()
    ]
    tasks = [{"Priority": "Normal", "OwnerId": U_BOB, **t, **_system()} for t in tasks]
    return {
        "Profile": profiles,
        "User": [{**u, **_system()} for u in users],
        "Account": accounts,
        "Contact": contacts,
        "Opportunity": opportunities,
        "Case": cases,
        "Task": tasks,
    }


def build_store(path: Path, today: date = TODAY) -> Store:
    """Create the SOQL test org at ``path`` (the caller closes it)."""
    schema = org_schema("b2b")
    store = Store.create(path, schema, today=today)
    for name, rows in _rows().items():
        store.insert_rows(schema.objects[name], rows)
    return store


@contextmanager
def open_engine(path: Path) -> Iterator[SoqlEngine]:
    """A SoqlEngine over a freshly built test org at ``path``; the store is closed on exit."""
    store = build_store(path)
    try:
        yield SoqlEngine(store)
    finally:
        store.close()


def snapshot(store: Store) -> dict[str, tuple[int, str]]:
    """Row count and a checksum of every row of every table, read with a separate connection."""
    conn = sqlite3.connect(store.path)
    try:
        out = {}
        for name in store.schema.objects:
            rows = conn.execute(f'SELECT * FROM "{name}" ORDER BY rowid').fetchall()
            out[name] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return out
    finally:
        conn.close()


def strip(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Records without their ``attributes`` (recursively), for compact comparisons."""
    return [_strip(r) for r in records]


def _strip(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"totalSize", "done", "records"}:
            return {**value, "records": strip(value["records"])}
        return {k: _strip(v) for k, v in value.items() if k != "attributes"}
    return value


async def api_error(engine: SoqlEngine, text: str, **kwargs: Any) -> SalesforceError:
    """The SalesforceError ``text`` raises; fails the test if it runs or raises anything else."""
    try:
        await engine.query(text, **kwargs)
    except SalesforceError as exc:
        return exc
    raise AssertionError(f"expected a SalesforceError from {text!r}")
