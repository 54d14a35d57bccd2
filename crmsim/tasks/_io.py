"""Task files: one task per JSON line, read with errors that name the file, line and field."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TextIO

from pydantic import ValidationError

from crmsim.errors import TaskFileError

from ._model import Task


def iter_tasks(path: str | Path) -> Iterator[Task]:
    """Tasks of a JSON-lines file, one at a time; blank lines are skipped.

    Raises :class:`TaskFileError` naming the file, line and field of the first bad row (and, for a
    repeated ``id``, the line that first used it).
    """
    path = Path(path)
    seen: dict[str, int] = {}
    try:
        stream = path.open("rb")
    except FileNotFoundError:
        raise TaskFileError("no such file", path=str(path)) from None
    except IsADirectoryError:
        raise TaskFileError("is a directory, not a task file", path=str(path)) from None
    except OSError as exc:
        raise TaskFileError(f"cannot read: {exc.strerror or exc}", path=str(path)) from None
    with stream:
        for number, raw in enumerate(stream, 1):
            data = _json_object(raw, str(path), number)
            if data is None:
                continue
            task = validate_task(data, path=str(path), line=number)
            if task.id in seen:
                raise TaskFileError(f"duplicate id {task.id!r} (first on line {seen[task.id]})",
                                    path=str(path), line=number, field="id")
            seen[task.id] = number
            yield task


def load_tasks(path: str | Path) -> list[Task]:
    """All tasks of a JSON-lines file (see :func:`iter_tasks` for the errors)."""
    return list(iter_tasks(path))


def save_tasks(path: str | Path, tasks: Iterable[Task], *, append: bool = False) -> int:
    """Write tasks as JSON lines and return how many were written.

    Without ``append`` the file is replaced atomically (written beside it, then renamed), so a
    reader never sees half a file; with ``append`` the lines are added at the end. Missing parent
    folders are created. Fields that are ``None`` are left out of each line.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if append:
        with path.open("a", encoding="utf-8") as out:
            return _write(out, tasks)
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            count = _write(out, tasks)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return count


def task_line(task: Task) -> str:
    """One task as its JSON line (without the newline)."""
    return task.model_dump_json(exclude_none=True)


def validate_task(data: Any, *, path: str | None = None, line: int | None = None, row: int | None = None,
                  idx: int | None = None) -> Task:
    """Validate one task object; a :class:`TaskFileError` names where it was and the first bad field."""
    try:
        return Task.model_validate(data)
    except ValidationError as exc:
        raise validation_error(exc, path=path, line=line, row=row, idx=idx) from None


def validation_error(exc: ValidationError, *, path: str | None = None, line: int | None = None,
                     row: int | None = None, idx: int | None = None) -> TaskFileError:
    """The first error of a pydantic validation as a one-line :class:`TaskFileError`."""
    errors = exc.errors(include_url=False)
    first = errors[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    message = first["msg"].removeprefix("Value error, ")
    if len(errors) > 1:
        message += f" (and {len(errors) - 1} more {'error' if len(errors) == 2 else 'errors'})"
    return TaskFileError(message, path=path, line=line, row=row, idx=idx, field=field)


def _json_object(raw: bytes, path: str, number: int) -> dict[str, Any] | None:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise TaskFileError("not UTF-8 text", path=path, line=number) from None
    if not text.strip():
        return None
    try:
        data = json.loads(text.rstrip("\r\n"))
    except json.JSONDecodeError as exc:
        raise TaskFileError(f"invalid JSON: {exc.msg} (column {exc.pos + 1})", path=path, line=number) from None
    if not isinstance(data, dict):
        raise TaskFileError(f"expected a JSON object, got {_json_type(data)}", path=path, line=number)
    return data


def _json_type(value: Any) -> str:
    names = {list: "an array", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _write(out: TextIO, tasks: Iterable[Task]) -> int:
    count = 0
    for task in tasks:
        out.write(task_line(task) + "\n")
        count += 1
    return count
