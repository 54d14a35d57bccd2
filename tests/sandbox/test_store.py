"""The SQLite store: file layout, indexes, WAL, and that work runs off the event loop."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest

from crmsim.sandbox.ids import make_id, sequence_of
from crmsim.sandbox.schema import FieldType, org_schema
from crmsim.sandbox.store import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store.create(tmp_path / "org.sqlite", org_schema("b2b"), today=date(2024, 6, 14))
    yield s
    s.close()


def test_tables_indexes_and_wal(store: Store) -> None:
    conn = sqlite3.connect(store.path)
    try:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert set(store.schema.objects) <= tables
        case_indexes = conn.execute("PRAGMA index_list('Case')").fetchall()
        indexed = set()
        for _, name, *_ in case_indexes:
            indexed |= {r[2] for r in conn.execute(f"PRAGMA index_info('{name}')")}
        case = store.schema.objects["Case"]
        refs = {f.name for f in case.fields.values() if f.type is FieldType.REFERENCE}
        assert {"Id"} | refs <= indexed
    finally:
        conn.close()


def test_today_is_stored(store: Store) -> None:
    assert store.today == date(2024, 6, 14)
    reopened = Store.open(store.path, store.schema)
    try:
        assert reopened.today == date(2024, 6, 14)
    finally:
        reopened.close()


def test_open_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no org database"):
        Store.open(tmp_path / "missing.sqlite", org_schema("b2b"))


async def test_reads_and_writes_run_on_worker_threads(store: Store) -> None:
    loop_thread = threading.get_ident()
    account = store.schema.objects["Account"]
    store.insert_rows(account, [{"Id": make_id("001", 7), "Name": "Acme"}])

    def read(conn: sqlite3.Connection) -> tuple[int, str]:
        return threading.get_ident(), conn.execute('SELECT Name FROM "Account"').fetchone()[0]

    def write(conn: sqlite3.Connection) -> int:
        conn.execute('UPDATE "Account" SET Name = ? WHERE Id = ?', ("Acme 2", make_id("001", 7)))
        return threading.get_ident()

    reader_thread, name = await store.read(read)
    writer_thread = await store.write(write)
    assert name == "Acme"
    assert reader_thread != loop_thread and writer_thread != loop_thread
    assert (await store.read(read))[1] == "Acme 2"


async def test_failed_write_rolls_back(store: Store) -> None:
    account = store.schema.objects["Account"]
    store.insert_rows(account, [{"Id": make_id("001", 1), "Name": "Keep"}])

    def fail(conn: sqlite3.Connection) -> None:
        conn.execute('UPDATE "Account" SET Name = ?', ("Lost",))
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await store.write(fail)
    assert await store.read(lambda c: c.execute('SELECT Name FROM "Account"').fetchone()[0]) == "Keep"


def test_insert_rows_defaults_and_id_allocation(store: Store) -> None:
    case = store.schema.objects["Case"]
    store.insert_rows(case, [{"Id": make_id("500", 10), "Subject": "x"}])
    with closing(sqlite3.connect(store.path)) as conn:
        row = conn.execute('SELECT Status, IsDeleted FROM "Case"').fetchone()
    assert row == ("New", 0)
    assert sequence_of(store.ids.next("500")) == 11


def test_text_comparisons_are_case_insensitive(store: Store) -> None:
    store.insert_rows(store.schema.objects["Account"], [{"Id": make_id("001", 1), "Name": "Acme"}])
    conn = sqlite3.connect(store.path)
    try:
        assert conn.execute('SELECT COUNT(*) FROM "Account" WHERE Name = ?', ("ACME",)).fetchone()[0] == 1
    finally:
        conn.close()


def test_insert_rows_composes_names(store: Store) -> None:
    contact = store.schema.objects["Contact"]
    store.insert_rows(contact, [{"Id": make_id("003", 1), "FirstName": "Jane", "LastName": "Doe"},
                                {"Id": make_id("003", 2), "LastName": "Solo"},
                                {"Id": make_id("003", 3), "LastName": "X", "Name": "Given Name"}])
    with closing(sqlite3.connect(store.path)) as conn:
        names = [r[0] for r in conn.execute('SELECT Name FROM "Contact" ORDER BY Id')]
    assert names == ["Jane Doe", "Solo", "Given Name"]
