"""SOSL: parse ``FIND {...} IN ... RETURNING ...`` and run it on SQLite FTS5 indexes."""
