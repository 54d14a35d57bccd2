"""Importer for CRMArena-Pro's published task rows.

A row is ``{idx, task, query, answer, reward_metric, persona, metadata: {required, optional}}``;
a file holds a JSON array of rows or one row per line. Each row becomes a :class:`Task` with
``source.origin == "imported"``. The answers name records of the org the benchmark was built on,
so imported tasks score only against that org's data, not against crmsim's generated orgs.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt, StrictStr, ValidationError

from crmsim.errors import TaskFileError

from ._io import validate_task, validation_error
from ._model import NONE_ANSWER, Org, Task
from ._types import TASK_TYPES, TaskType, unknown_task_type

ORGS: tuple[Org, ...] = ("b2b", "b2c")


class PublishedMetadata(BaseModel):
    model_config = ConfigDict(extra="ignore")

    required: StrictStr = ""
    optional: StrictStr = ""


class PublishedRow(BaseModel):
    """One row as published; unknown extra keys are ignored."""

    model_config = ConfigDict(extra="ignore")

    idx: StrictInt = Field(ge=0)
    task: StrictStr
    query: StrictStr
    answer: list[StrictStr | None] = Field(min_length=1)
    reward_metric: StrictStr
    persona: StrictStr | None = None
    metadata: PublishedMetadata = PublishedMetadata()


def imported_task_id(org: str, idx: int) -> str:
    """The id an imported row gets, e.g. ``pro-b2b-0042``."""
    return f"pro-{org}-{idx:04d}"


def import_published(path: str | Path, *, org: Org = "b2b") -> list[Task]:
    """Read published rows (a JSON array or JSON lines) into tasks of ``org``.

    Task names map to the registry's type, skill and metric; ``idx``, persona and metadata are kept;
    a ``null`` in an answer list becomes ``"None"``. A malformed row raises :class:`TaskFileError`
    naming the row (its position in the array, counted from 0, or its line) and the field.
    """
    if org not in ORGS:
        raise ValueError(f"unknown org {org!r}; use one of {', '.join(ORGS)}")
    path = Path(path)
    name = str(path)
    tasks: list[Task] = []
    first_row: dict[int, str] = {}
    for row_number, line, data in _rows(path):
        row = None if line else row_number
        idx = data.get("idx") if isinstance(data, dict) else None
        if not isinstance(idx, int) or isinstance(idx, bool):
            idx = None
        task = _convert(data, org, dataset=path.name, path=name, line=line, row=row, idx=idx)
        key = task.source.idx
        assert key is not None
        if key in first_row:
            raise TaskFileError(f"duplicate idx {key} (first at {first_row[key]})",
                                path=name, line=line, row=row, idx=idx, field="idx")
        first_row[key] = f"line {line}" if line else f"row {row_number}"
        tasks.append(task)
    return tasks


def _convert(data: Any, org: Org, *, dataset: str, path: str, line: int | None, row: int | None,
             idx: int | None) -> Task:
    if not isinstance(data, dict):
        raise TaskFileError(f"expected a JSON object, got {type(data).__name__}", path=path, line=line, row=row)
    try:
        published = PublishedRow.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, path=path, line=line, row=row, idx=idx) from None
    where: dict[str, Any] = {"path": path, "line": line, "row": row, "idx": published.idx}
    try:
        info = TASK_TYPES[TaskType(published.task)]
    except ValueError:
        raise TaskFileError(unknown_task_type(published.task), field="task", **where) from None
    if published.reward_metric != info.metric:
        raise TaskFileError(
            f"{published.task} tasks are scored by {info.metric.value}, not {published.reward_metric!r}",
            field="reward_metric", **where)
    task = {
        "id": imported_task_id(org, published.idx),
        "task_type": info.name,
        "org": org,
        "query": published.query,
        "answer": [NONE_ANSWER if item is None else item for item in published.answer],
        "context": {"required": published.metadata.required, "optional": published.metadata.optional},
        "persona_text": published.persona,
        "source": {"origin": "imported", "idx": published.idx, "dataset": dataset},
    }
    return validate_task(task, **where)


def _rows(path: Path) -> list[tuple[int, int | None, Any]]:
    """``(row number, line or None, row)`` for every row of an array file or a JSON-lines file."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TaskFileError("no such file", path=name) from None
    except IsADirectoryError:
        raise TaskFileError("is a directory, not a file of task rows", path=name) from None
    except UnicodeDecodeError:
        raise TaskFileError("not UTF-8 text", path=name) from None
    except OSError as exc:
        raise TaskFileError(f"cannot read: {exc.strerror or exc}", path=name) from None
    start = text.lstrip()[:1]
    if start == "[":
        try:
            rows = json.loads(text)
        except json.JSONDecodeError as exc:
            raise TaskFileError(f"invalid JSON: {exc.msg} (column {exc.colno})", path=name, line=exc.lineno) from None
        return [(number, None, row) for number, row in enumerate(rows)]
    if start not in ("{", ""):
        raise TaskFileError("expected a JSON array of rows or one JSON object per line", path=name)
    out: list[tuple[int, int | None, Any]] = []
    for line, raw in enumerate(text.splitlines(), 1):
        if not raw.strip():
            continue
        try:
            out.append((len(out), line, json.loads(raw)))
        except json.JSONDecodeError as exc:
            raise TaskFileError(f"invalid JSON: {exc.msg} (column {exc.colno})", path=name, line=line) from None
    return out
