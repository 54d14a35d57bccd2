"""FTS5 indexes behind SOSL (placeholder until the SOSL module lands)."""

from __future__ import annotations

import sqlite3

from ..schema import OrgSchema


def create_search_index(conn: sqlite3.Connection, schema: OrgSchema) -> None:
    """Create the full-text indexes for ``schema``'s searchable fields."""
