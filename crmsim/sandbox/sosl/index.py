"""The FTS5 indexes behind SOSL: one per searchable object, kept in sync by triggers.

For an object ``X`` the index is three things in the org database:

- ``_sosl_src_X``: a view over ``X`` with its row id and the text SOSL searches, one column per
  indexed field. Most columns are the field as stored; a composed name (Contact, Lead, User, person
  Account) falls back to ``FirstName LastName`` when ``Name`` is empty, and a phone also carries
  its digits run together so ``4155551234`` finds ``(415) 555-1234``.
- ``_sosl_X``: an external-content FTS5 table over that view (tokenizer ``unicode61
  remove_diacritics 2``: case- and accent-insensitive), so the text is not stored twice.
- ``_sosl_vocab_X``: an ``fts5vocab`` table listing the index's terms (wildcards are expanded
  against it).
- triggers ``_sosl_X_ai`` / ``_ad`` / ``_au`` on ``X`` that add, remove and re-index rows on
  INSERT, DELETE and UPDATE of an indexed field.

Indexed fields: those the schema marks ``searchable``, the name field (and, as Salesforce's
``IN NAME FIELDS`` does, a few standard extras such as Case.Subject and Lead.Company), and every
email and phone field.

Because the triggers fire on plain INSERT (``Store.insert_rows``), no rebuild is needed after a
bulk load. :func:`rebuild_search_index` is for databases written with triggers disabled or by
``INSERT OR REPLACE`` without ``recursive_triggers``, and for after a VACUUM: the object tables
have no INTEGER PRIMARY KEY, so VACUUM may renumber their rowids and leave the index pointing at
the wrong rows.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from ..schema import FieldType, ObjectDef, OrgSchema
from ..store import quote_ident
from ._ast import SearchGroup

TOKENIZER = "unicode61 remove_diacritics 2"
_TEXT_TYPES = frozenset(
    {
        FieldType.STRING,
        FieldType.TEXTAREA,
        FieldType.EMAIL,
        FieldType.PHONE,
        FieldType.URL,
        FieldType.PICKLIST,
        FieldType.MULTIPICKLIST,
    }
)
# Fields Salesforce searches with IN NAME FIELDS besides the name field (those present are used).
_EXTRA_NAME_FIELDS: dict[str, tuple[str, ...]] = {
    "Account": ("Website", "Site", "NameLocal"),
    "Asset": ("SerialNumber",),
    "Case": ("SuppliedName", "SuppliedCompany", "Subject"),
    "Contact": ("AssistantName",),
    "Event": ("Subject",),
    "Lead": ("Company",),
    "Task": ("Subject",),
}
_BARE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FTS_RESERVED = frozenset({"rank", "rowid"})
_PHONE_PUNCTUATION = ("(", ")", "-", " ", ".", "+", "/")


@dataclass(frozen=True)
class IndexedColumn:
    """One FTS5 column: the field it shows, what it is computed from, which IN groups it is in."""

    name: str
    sources: tuple[str, ...]
    groups: frozenset[SearchGroup]
    kind: str = "plain"  # plain | composed | phone

    def sql(self, row: str = "") -> str:
        """The column's value as SQL over the object row; ``row`` is ``"new."``, ``"old."`` or ``""``."""
        cols = [row + quote_ident(s) for s in self.sources]
        if self.kind == "composed":
            joined = " || ' ' || ".join(f"COALESCE({c}, '')" for c in cols[1:])
            return f"COALESCE(NULLIF(TRIM({cols[0]}), ''), NULLIF(TRIM({joined}), ''))"
        if self.kind == "phone":
            digits = cols[0]
            for ch in _PHONE_PUNCTUATION:
                digits = f"REPLACE({digits}, '{ch}', '')"
            return f"{cols[0]} || ' ' || {digits}"
        return cols[0]


@dataclass(frozen=True)
class ObjectIndex:
    object_name: str
    columns: tuple[IndexedColumn, ...]
    default_search: bool  # searched by a FIND without RETURNING
    scoped: bool  # whether IN ... FIELDS narrows the columns (not for articles and products)

    @property
    def fts_table(self) -> str:
        return f"_sosl_{self.object_name}"

    @property
    def source_view(self) -> str:
        return f"_sosl_src_{self.object_name}"

    @property
    def vocab_table(self) -> str:
        """An ``fts5vocab`` view of the index's terms, used to expand wildcards."""
        return f"_sosl_vocab_{self.object_name}"

    def columns_for(self, group: SearchGroup) -> tuple[str, ...]:
        """The FTS5 columns ``IN group FIELDS`` searches on this object (may be empty)."""
        if not self.scoped or group in (SearchGroup.ALL, SearchGroup.SIDEBAR):
            return tuple(c.name for c in self.columns)
        return tuple(c.name for c in self.columns if group in c.groups)


_cache: dict[int, tuple[OrgSchema, dict[str, ObjectIndex]]] = {}


def object_indexes(schema: OrgSchema) -> dict[str, ObjectIndex]:
    """Every searchable object of ``schema`` and its index layout, in schema order."""
    cached = _cache.get(id(schema))
    if cached is not None and cached[0] is schema:
        return cached[1]
    out = {}
    for obj in schema.objects.values():
        index = _object_index(obj)
        if index is not None:
            out[obj.name] = index
    _cache[id(schema)] = (schema, out)
    return out


def _object_index(obj: ObjectDef) -> ObjectIndex | None:
    columns: dict[str, IndexedColumn] = {}
    name_fields = {obj.nameField, *_EXTRA_NAME_FIELDS.get(obj.name, ())} - {None}
    for field in obj.fields.values():
        if field.type not in _TEXT_TYPES or not _BARE.match(field.name) or field.name.lower() in _FTS_RESERVED:
            continue
        groups: set[SearchGroup] = set()
        if field.name in name_fields:
            groups.add(SearchGroup.NAME)
        if field.type is FieldType.EMAIL:
            groups.add(SearchGroup.EMAIL)
        if field.type is FieldType.PHONE:
            groups.add(SearchGroup.PHONE)
        if not groups and not field.searchable:
            continue
        if field.name == obj.nameField and obj.composedName:
            sources = (field.name, *obj.composedName)
            column = IndexedColumn(field.name, sources, frozenset(groups), "composed")
        elif field.type is FieldType.PHONE:
            column = IndexedColumn(field.name, (field.name,), frozenset(groups), "phone")
        else:
            column = IndexedColumn(field.name, (field.name,), frozenset(groups))
        columns[field.name] = column
    if not columns:
        return None
    explicit_only = obj.name == "Product2" or obj.name.endswith("__kav")
    searchable = any(f.searchable or f.type in (FieldType.EMAIL, FieldType.PHONE) for f in obj.fields.values())
    return ObjectIndex(obj.name, tuple(columns.values()), searchable and not explicit_only, not explicit_only)


def _statements(index: ObjectIndex) -> list[str]:
    table, fts, view = quote_ident(index.object_name), quote_ident(index.fts_table), quote_ident(index.source_view)
    vocab = quote_ident(index.vocab_table)
    names = [c.name for c in index.columns]
    col_list = ", ".join(names)
    select = ", ".join(f"{c.sql()} AS {quote_ident(c.name)}" for c in index.columns)
    new_values = ", ".join(c.sql("new.") for c in index.columns)
    old_values = ", ".join(c.sql("old.") for c in index.columns)
    sources = sorted({s for c in index.columns for s in c.sources})
    insert = f"INSERT INTO {fts}(rowid, {col_list}) VALUES (new.rowid, {new_values});"
    delete = f"INSERT INTO {fts}({fts}, rowid, {col_list}) VALUES ('delete', old.rowid, {old_values});"
    trigger = quote_ident
    return [
        f"CREATE VIEW IF NOT EXISTS {view} AS SELECT rowid AS _rowid, {select} FROM {table}",
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({col_list}, content='{index.source_view}', "
        f"content_rowid='_rowid', tokenize='{TOKENIZER}')",
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {vocab} USING fts5vocab('{index.fts_table}', 'row')",
        f"CREATE TRIGGER IF NOT EXISTS {trigger(index.fts_table + '_ai')} AFTER INSERT ON {table} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {trigger(index.fts_table + '_ad')} AFTER DELETE ON {table} BEGIN {delete} END",
        f"CREATE TRIGGER IF NOT EXISTS {trigger(index.fts_table + '_au')} AFTER UPDATE OF "
        f"{', '.join(quote_ident(s) for s in sources)} ON {table} BEGIN {delete} {insert} END",
    ]


def create_search_index(conn: sqlite3.Connection, schema: OrgSchema) -> None:
    """Create the FTS5 index, its source view and its triggers for every searchable object.

    Safe to call again on a database that already has them (every statement is IF NOT EXISTS).
    """
    for index in object_indexes(schema).values():
        for statement in _statements(index):
            conn.execute(statement)


def rebuild_search_index(conn: sqlite3.Connection, schema: OrgSchema) -> None:
    """Create any missing index, then re-read every index from its object table."""
    create_search_index(conn, schema)
    for index in object_indexes(schema).values():
        fts = quote_ident(index.fts_table)
        conn.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
