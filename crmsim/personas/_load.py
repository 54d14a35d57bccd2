"""Persona files: load one, load a directory, or find every problem in a set of files.

Every problem is a :class:`PersonaFileError` naming the file, the line of the offending key, the
field path and what is wrong (for a choice, the values allowed)::

    personas/sales-rep.yaml:4: org: 'b2x' is not allowed; use one of: b2b, b2c, any
    personas/sales-rep.yaml:9: tones: unknown key 'tones' (did you mean 'tone'?); known keys: id, name, ...
    personas/sales-rep.yaml:1: prompt: required field is missing
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

import crmsim
from crmsim.errors import PersonaFileError

from ._model import Persona
from ._yaml import YamlDocument, dump_yaml, parse_yaml

ENV_DIR = "CRMSIM_PERSONAS_DIR"
SUFFIXES = (".yaml", ".yml")
SCHEMA_ID = "urn:crmsim:schema:persona"
_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def default_personas_dir() -> Path:
    """``$CRMSIM_PERSONAS_DIR`` if set, else the ``personas/`` directory shipped beside the package."""
    explicit = os.environ.get(ENV_DIR)
    if explicit:
        return Path(explicit)
    return Path(crmsim.__file__).resolve().parent.parent / "personas"


def persona_files(directory: str | Path) -> list[Path]:
    """The persona files (``*.yaml``, ``*.yml``; not hidden) of a directory, sorted by name."""
    directory = Path(directory)
    return sorted(path for path in directory.iterdir()
                  if path.suffix in SUFFIXES and not path.name.startswith(".") and path.is_file())


def load_persona(path: str | Path) -> Persona:
    """One persona file; raises the first :class:`PersonaFileError` (its message counts the rest)."""
    persona, problems, _ = _read_document(Path(path))
    if problems or persona is None:
        raise _first(problems)
    return persona


def load_personas(directory: str | Path | None = None) -> dict[str, Persona]:
    """Every persona of a directory (default :func:`default_personas_dir`) by id, sorted by id.

    Raises the first :class:`PersonaFileError` found, its message counting the others; use
    :func:`validate_personas` to get all of them.
    """
    directory = default_personas_dir() if directory is None else Path(directory)
    personas, problems = _collect([directory])
    if problems:
        raise _first(problems)
    return dict(sorted(personas.items()))


def validate_personas(
    source: str | Path | Sequence[str | Path] | None = None,
) -> list[PersonaFileError]:
    """Every problem in persona files, in file and line order (empty when all are valid).

    ``source`` is a directory (default :func:`default_personas_dir`), a file, or a list of either.
    Besides each file's own problems, an id must equal its file name and be used by one file only.
    """
    return _collect(_sources(source))[1]


def count_persona_files(source: str | Path | Sequence[str | Path] | None = None) -> int:
    """How many files :func:`validate_personas` reads for ``source``."""
    total = 0
    for path in _sources(source):
        if path.is_dir():
            total += len(persona_files(path))
        elif path.exists():
            total += 1
    return total


def persona_json_schema() -> dict[str, Any]:
    """The JSON Schema of a persona file, for editors (e.g. a ``yaml-language-server`` modeline)."""
    schema = Persona.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            **schema, "title": "crmsim persona"}


def dump_persona(persona: Persona) -> str:
    """A persona as the YAML text of its file (fields in file order; multi-line text as blocks)."""
    return dump_yaml(persona.model_dump(mode="json"))


def _sources(source: str | Path | Sequence[str | Path] | None) -> list[Path]:
    if source is None:
        return [default_personas_dir()]
    if isinstance(source, str | Path):
        return [Path(source)]
    return [Path(item) for item in source]


def _collect(sources: Iterable[Path]) -> tuple[dict[str, Persona], list[PersonaFileError]]:
    personas: dict[str, Persona] = {}
    problems: list[PersonaFileError] = []
    first_use: dict[str, str] = {}  # id -> "file:line" of the first file that used it
    for source in sources:
        if source.is_dir():
            try:
                files = persona_files(source)
            except OSError as exc:
                problems.append(PersonaFileError(f"cannot read the directory: {exc.strerror or exc}", path=str(source)))
                continue
        elif source.exists():
            files = [source]
        else:
            problems.append(PersonaFileError("no such file or directory", path=str(source)))
            continue
        for path in files:
            persona, found, document = _read_document(path)
            raw_id = document.data.get("id") if document is not None and isinstance(document.data, dict) else None
            if document is not None and isinstance(raw_id, str):
                line = document.line_of(("id",))
                if raw_id in first_use:
                    found.append(PersonaFileError(f"duplicate id {raw_id!r} (first used in {first_use[raw_id]})",
                                                  path=str(path), line=line, field="id"))
                else:
                    first_use[raw_id] = f"{path}:{line}"
            if persona is not None and not found:
                personas[persona.id] = persona
            problems.extend(sorted(found, key=lambda problem: problem.line or 0))
    return personas, problems


def _read_document(path: Path) -> tuple[Persona | None, list[PersonaFileError], YamlDocument | None]:
    name = str(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, [PersonaFileError("no such file", path=name)], None
    except IsADirectoryError:
        return None, [PersonaFileError("is a directory, not a persona file", path=name)], None
    except OSError as exc:
        return None, [PersonaFileError(f"cannot read: {exc.strerror or exc}", path=name)], None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        return None, [PersonaFileError("not UTF-8 text", path=name, line=line)], None
    try:
        document = parse_yaml(text, path=name)
    except PersonaFileError as exc:
        return None, [exc], None
    problems = [PersonaFileError(f"duplicate key {key[-1]!r} (first on line {first})", path=name, line=line,
                                 field=_field(key))
                for key, line, first in document.repeated]
    data = document.data
    if not isinstance(data, dict):
        got = "an empty file" if data is None else _describe(data)
        problems.append(PersonaFileError(f"expected a mapping of persona fields ({', '.join(Persona.model_fields)}), "
                                         f"got {got}", path=name, line=document.root_line))
        return None, problems, document
    persona: Persona | None = None
    try:
        persona = Persona.model_validate(data)
    except ValidationError as exc:
        problems.extend(_problem(error, document, name) for error in exc.errors(include_url=False))
    raw_id = data.get("id")
    stem = path.stem
    if isinstance(raw_id, str) and raw_id != stem:
        problems.append(PersonaFileError(
            f"{raw_id!r} does not match the file name {path.name!r}: rename the file to "
            f"{raw_id}{path.suffix} or set id: {stem}", path=name, line=document.line_of(("id",)), field="id"))
    problems.sort(key=lambda problem: problem.line or 0)
    return (persona if not problems else None), problems, document


def _first(problems: list[PersonaFileError]) -> PersonaFileError:
    first = problems[0]
    if len(problems) == 1:
        return first
    more = len(problems) - 1
    return PersonaFileError(f"{first.message} (and {more} more {'problem' if more == 1 else 'problems'})",
                            path=first.path, line=first.line, field=first.field)


# -- pydantic errors as one-line messages ---------------------------------------------------------

_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "bool_type": "true or false",
    "list_type": "a list",
    "model_type": "a mapping",
    "dict_type": "a mapping",
}


def _problem(error: ErrorDetails, document: YamlDocument, path: str) -> PersonaFileError:
    loc = tuple(error["loc"])
    kind = error["type"]
    value = error.get("input")
    context = error.get("ctx") or {}
    field = _field(loc)
    line = document.line_of(loc)
    message = error["msg"].removeprefix("Value error, ")
    if kind == "missing":
        line = document.line_of(loc[:-1]) if loc[:-1] else document.root_line
        choices = _choices(loc)
        message = "required field is missing" + (f"; use one of: {', '.join(choices)}" if choices else "")
    elif kind == "extra_forbidden":
        known = list(_model_at(loc[:-1]).model_fields)
        close = difflib.get_close_matches(str(loc[-1]), known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        message = f"unknown key {loc[-1]!r}{hint}; known keys: {', '.join(known)}"
    elif kind == "literal_error":
        message = f"{value!r} is not allowed; use one of: {', '.join(_choices(loc))}"
    elif kind in _EXPECTED:
        expected = _EXPECTED[kind]
        if kind in ("model_type", "dict_type"):
            expected += f" ({', '.join(_model_at(loc).model_fields)})"
        message = f"expected {expected}, got {_describe(value)}"
        if kind == "string_type" and isinstance(value, bool | int | float):
            message += "; put it in quotes to mean text"
    elif kind == "greater_than_equal":
        message = f"must be at least {context.get('ge')}, got {value!r}"
    elif kind == "string_too_short":
        message = "must not be empty"
    elif kind == "string_too_long":
        message = f"must be at most {context.get('max_length')} characters, got {len(str(value))}"
    elif kind == "string_pattern_mismatch":
        message = f"{value!r} must start with a letter or digit and hold only letters, digits and _ . -"
    elif kind == "invalid_key":
        message = f"keys must be text, got {value!r}"
    return PersonaFileError(message, path=path, line=line, field=field)


def _field(loc: tuple[Any, ...]) -> str | None:
    """A dotted field path; a key that is not a plain name is quoted, so the message stays one line."""
    return ".".join(part if isinstance(part, str) and _PLAIN_KEY.match(part) else
                    str(part) if isinstance(part, int) else repr(part) for part in loc) or None


def _model_at(loc: tuple[Any, ...]) -> type[BaseModel]:
    """The model whose mapping sits at ``loc`` (``()`` is the persona itself)."""
    model: type[BaseModel] = Persona
    for part in loc:
        info = model.model_fields.get(str(part))
        annotation = info.annotation if info is not None else None
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            break
        model = annotation
    return model


def _choices(loc: tuple[Any, ...]) -> tuple[str, ...]:
    """The allowed values of the field at ``loc`` when it is a choice, else ``()``."""
    if not loc:
        return ()
    info = _model_at(loc[:-1]).model_fields.get(str(loc[-1]))
    annotation = info.annotation if info is not None else None
    if get_origin(annotation) is Literal:
        return tuple(str(arg) for arg in get_args(annotation))
    return ()


def _describe(value: Any) -> str:
    if value is None:
        return "an empty value"
    if isinstance(value, bool):
        return f"a boolean ({str(value).lower()})"
    if isinstance(value, int | float):
        return f"a number ({value})"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:39] + "…"
        return f"text ({shown!r})"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"a {type(value).__name__} ({value})"
