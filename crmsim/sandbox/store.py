"""One SQLite file per org: a table per object, WAL mode, reads on a thread pool, one writer.

The event loop never touches SQLite: :meth:`Store.read` runs a function on one of a few reader
threads (each with its own connection) and :meth:`Store.write` on the single writer connection.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread

from .codec import sql_type
from .ids import IdAllocator, sequence_of
from .schema import FieldType, ObjectDef, OrgSchema

T = TypeVar("T")

META_TABLE = "_crmsim_meta"


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class Store:
    """An org database. Open with :meth:`open` (existing file) or :meth:`create` (new, empty)."""

    def __init__(self, path: Path, schema: OrgSchema, *, readers: int = 4) -> None:
        self.path = path
        self.schema = schema
        self.ids = IdAllocator()
        self._local = threading.local()
        self._read_limiter = anyio.CapacityLimiter(readers)
        self._write_limiter = anyio.CapacityLimiter(1)
        self._write_lock = threading.Lock()
        self._connections: list[sqlite3.Connection] = []
        self._connections_lock = threading.Lock()
        self._writer = self._connect()
        self._seed_allocator()

    # -- construction -------------------------------------------------------------------------

    @classmethod
    def create(cls, path: str | Path, schema: OrgSchema, *, today: date | None = None) -> Store:
        """Write a new empty org database at ``path`` (replacing any file there)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        conn = sqlite3.connect(path)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            with conn:
                create_tables(conn, schema)
                conn.execute(f"CREATE TABLE {META_TABLE} (key TEXT PRIMARY KEY, value TEXT)")
                conn.executemany(
                    f"INSERT INTO {META_TABLE} VALUES (?, ?)",
                    [("org", schema.org), ("today", (today or date.today()).isoformat())],
                )
        finally:
            conn.close()
        return cls(path, schema)

    @classmethod
    def open(cls, path: str | Path, schema: OrgSchema) -> Store:
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"no org database at {path}")
        return cls(path, schema)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA cache_size=-65536")
        conn.execute("PRAGMA temp_store=MEMORY")
        conn.create_function("sf_lower", 1, _lower, deterministic=True)
        with self._connections_lock:
            self._connections.append(conn)
        return conn

    def _seed_allocator(self, objects: Iterable[ObjectDef] | None = None) -> None:
        # Base-62 digits sort correctly only byte-wise, hence BINARY rather than the column's NOCASE.
        for obj in self.schema.objects.values() if objects is None else objects:
            row = self._writer.execute(
                f"SELECT Id FROM {quote_ident(obj.name)} WHERE substr(Id, 1, 6) = ? "
                "ORDER BY Id COLLATE BINARY DESC LIMIT 1",
                (obj.keyPrefix + "Wt0",),
            ).fetchone()
            if row:
                self.ids.seed(obj.keyPrefix, sequence_of(row[0]))

    def close(self) -> None:
        with self._connections_lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()

    # -- meta ---------------------------------------------------------------------------------

    def meta(self, key: str) -> str | None:
        row = self._writer.execute(f"SELECT value FROM {META_TABLE} WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._write_lock:
            self._writer.execute(f"INSERT OR REPLACE INTO {META_TABLE} VALUES (?, ?)", (key, value))

    @property
    def today(self) -> date:
        value = self.meta("today")
        return date.fromisoformat(value) if value else date.today()

    # -- access -------------------------------------------------------------------------------

    def reader(self) -> sqlite3.Connection:
        """This thread's read connection (created on first use)."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            conn.execute("PRAGMA query_only=ON")
            self._local.conn = conn
        return conn

    async def read(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn(connection)`` on a reader thread."""
        return await anyio.to_thread.run_sync(lambda: fn(self.reader()), limiter=self._read_limiter)

    async def write(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``fn(connection)`` on the writer connection, inside one transaction."""
        return await anyio.to_thread.run_sync(lambda: self.write_sync(fn), limiter=self._write_limiter)

    def write_sync(self, fn: Callable[[sqlite3.Connection], T]) -> T:
        with self._write_lock:
            conn = self._writer
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(conn)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return result

    def insert_rows(self, obj: ObjectDef, rows: Iterable[Mapping[str, Any]]) -> int:
        """Bulk-insert already-converted rows (field name -> stored value) in one transaction."""
        columns = list(obj.fields)
        sql = (
            f"INSERT INTO {quote_ident(obj.name)} ({', '.join(quote_ident(c) for c in columns)}) "
            f"VALUES ({', '.join('?' for _ in columns)})"
        )
        defaults = _defaults(obj)
        compose = obj.composedName if obj.nameField and obj.composedName else None

        def complete(row: Mapping[str, Any]) -> Mapping[str, Any]:
            if compose and obj.nameField and row.get(obj.nameField) is None:
                name = " ".join(str(row[p]) for p in compose if row.get(p))
                return {**row, obj.nameField: name or None}
            return row

        values = [tuple(complete(row).get(c, defaults.get(c)) for c in columns) for row in rows]
        self.write_sync(lambda conn: conn.executemany(sql, values))
        self._seed_allocator([obj])
        return len(values)


def _lower(value: str | None) -> str | None:
    return value.lower() if isinstance(value, str) else value


def _defaults(obj: ObjectDef) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in obj.fields.values():
        if field.default is not None:
            out[field.name] = int(field.default) if field.type is FieldType.BOOLEAN else field.default
    out["IsDeleted"] = 0
    return out


def create_tables(conn: sqlite3.Connection, schema: OrgSchema) -> None:
    """Create one table per object, with indexes on Id and every reference field."""
    for obj in schema.objects.values():
        cols = []
        for field in obj.fields.values():
            col = f"{quote_ident(field.name)} {sql_type(field)}"
            if field.name == "Id":
                col += " NOT NULL UNIQUE"
            cols.append(col)
        conn.execute(f"CREATE TABLE {quote_ident(obj.name)} ({', '.join(cols)})")
        indexed = [f for f in obj.fields.values() if f.type is FieldType.REFERENCE]
        if obj.nameField:  # agents look records up by name more than by anything else
            indexed.append(obj.fields[obj.nameField])
        for field in indexed:
            conn.execute(
                f"CREATE INDEX {quote_ident(f'ix_{obj.name}_{field.name}')} "
                f"ON {quote_ident(obj.name)} ({quote_ident(field.name)})"
            )
    from .sosl.index import create_search_index

    create_search_index(conn, schema)
