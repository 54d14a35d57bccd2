"""Helpers for the persona tests: a valid persona file's text and a writer for edited copies of it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

# Line numbers matter: the broken-file tests edit this text and expect errors on these lines.
VALID = """\
id: {id}
name: Test Person
role: service agent
org: b2b
audience: internal
tone: calm
disclosure:
  style: on_request
  facts_per_turn: 2
patience: 5
traits:
  - short answers
prompt: |
  You ask for help.
"""

Write = Callable[..., Path]


def writer(root: Path) -> Write:
    """``write(name, text=None, **edits)``: a persona file under ``root``.

    Without ``text`` the file is :data:`VALID` with its id set to the file's stem; each edit replaces
    one line (``old="new"``, the whole line; a new value of ``None`` deletes the line). Nested keys
    are written with ``__``: ``disclosure__style="style: eager"``.
    """

    def make(name: str, text: str | None = None, /, **edits: str | None) -> Path:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        body = VALID.format(id=Path(name).stem) if text is None else text
        lines = body.splitlines(keepends=True)
        for old, new in edits.items():
            key = old.replace("__", ".")
            matches = [i for i, line in enumerate(lines) if _key(line) == key]
            assert len(matches) == 1, f"no single line for {key!r}"
            if new is None:
                del lines[matches[0]]
            else:
                line = lines[matches[0]]
                lines[matches[0]] = f"{line[: len(line) - len(line.lstrip())]}{new}\n"
        path.write_text("".join(lines), encoding="utf-8")
        return path

    return make


def _key(line: str) -> str:
    """The dotted key of a line of VALID: 'disclosure.style' for '  style: ...' under disclosure."""
    name = line.strip().split(":", 1)[0]
    if line.startswith("  ") and name in ("style", "facts_per_turn", "volunteers"):
        return f"disclosure.{name}"
    return name
