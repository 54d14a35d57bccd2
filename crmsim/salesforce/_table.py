"""Readable tables of Salesforce records and describe results, for ``crmsim sf``.

Records lose their ``attributes``; parent objects become dotted columns (``Account.Name``,
``Account.Owner.Name``); a child subquery cell shows how many child records it holds. Cell text is
never read as rich markup, so a value such as ``[bold]`` prints as it is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, TextIO

from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

TYPE_COLUMN = "sObject"
UNWRAPPED = 1_000_000  # console width when not a terminal: never wrap a cell


def is_child_result(value: Any) -> bool:
    """Whether ``value`` is a child subquery's result (``{"totalSize", "done", "records"}``)."""
    return isinstance(value, dict) and isinstance(value.get("records"), list) and "totalSize" in value


def flatten_record(record: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """One record as ``column -> value``: parents flattened to dotted columns, no ``attributes``."""
    out: dict[str, Any] = {}
    for key, value in record.items():
        if key == "attributes":
            continue
        column = f"{prefix}{key}"
        if isinstance(value, dict) and not is_child_result(value):
            out.update(flatten_record(value, f"{column}."))
        else:
            out[column] = value
    return out


def _columns(rows: list[dict[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for row in rows:
        seen.update(dict.fromkeys(row))
    columns = list(seen)
    # A parent that is null in some records and present in others: keep only its dotted columns.
    return [c for c in columns
            if not (all(row.get(c) is None for row in rows) and any(o.startswith(f"{c}.") for o in columns))]


def cell_text(value: Any, child: bool = False) -> str:
    """What a table cell shows for one value (a child result shows its record count)."""
    if is_child_result(value):
        return str(value["totalSize"])
    if value is None:
        return "0" if child else ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def records_table(records: Iterable[dict[str, Any]], *, with_type: bool = False) -> Table:
    """A table of records; ``with_type`` adds a first column with each record's sObject type."""
    records = list(records)
    rows = []
    for record in records:
        row = flatten_record(record)
        if with_type:
            row = {TYPE_COLUMN: (record.get("attributes") or {}).get("type"), **row}
        rows.append(row)
    columns = _columns(rows)
    child = {c for c in columns if any(is_child_result(row.get(c)) for row in rows)}
    table = _table(columns)
    for row in rows:
        table.add_row(*(Text(cell_text(row.get(c), c in child)) for c in columns))
    return table


FIELD_COLUMNS = ("name", "type", "label", "referenceTo", "nillable")


def fields_table(describe: dict[str, Any]) -> Table:
    """The fields of an object's describe: name, type, label, referenceTo, nillable."""
    table = _table(FIELD_COLUMNS)
    for f in describe.get("fields", []):
        references = f.get("referenceTo") or []
        table.add_row(Text(str(f.get("name", ""))), Text(str(f.get("type", ""))), Text(str(f.get("label", ""))),
                      Text(", ".join(map(str, references))), Text(cell_text(f.get("nillable"))))
    return table


def _table(columns: Iterable[str]) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in columns:
        table.add_column(Text(column), overflow="fold")
    return table


def print_table(table: Table, stream: TextIO) -> None:
    """Print ``table`` to ``stream``: fitted to a terminal, unwrapped when piped or captured."""
    console = Console(file=stream, highlight=False)
    if console.is_terminal:
        console.print(table)
        return
    width = Measurement.get(console, console.options.update_width(UNWRAPPED), table).maximum
    plain = Console(file=stream, highlight=False, width=max(width, 1), color_system=None)
    with plain.capture() as captured:
        plain.print(table)
    stream.write("".join(f"{line.rstrip()}\n" for line in captured.get().splitlines()))
