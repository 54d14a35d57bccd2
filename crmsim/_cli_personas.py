"""``crmsim personas``: list, show, create, validate persona files and print their JSON Schema.

    crmsim personas list [--dir D]
    crmsim personas show ID [--dir D] [--json]
    crmsim personas new ID [--dir D] [--from EXISTING]
    crmsim personas validate [PATHS...] [--dir D]
    crmsim personas schema [--out FILE]

The directory defaults to ``$CRMSIM_PERSONAS_DIR``, else the ``personas/`` shipped with crmsim.
A bad file or flag prints one line and exits with status 2; ``validate`` prints every problem, one
per line (``file:line: field: message``), and exits with status 1 when there is any.
"""

from __future__ import annotations

import argparse
import difflib
import functools
import json
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crmsim.errors import ConfigError, PersonaFileError

if TYPE_CHECKING:
    from crmsim.personas import Persona

PROBLEMS_FOUND = 1
PROMPT_WIDTH = 96  # columns of the prompt as `personas show` prints it

Handler = Callable[[argparse.Namespace], int]


def _persona_id(text: str) -> str:
    from crmsim.personas import is_persona_id

    if not is_persona_id(text):
        raise argparse.ArgumentTypeError(
            f"invalid persona id {text!r}: use letters, digits and _ . - (starting with a letter or digit, "
            "at most 64 characters)")
    return text


def _one_line(func: Handler) -> Handler:
    """Run a handler; a persona file problem becomes the one-line usage error of ``crmsim``."""

    @functools.wraps(func)
    def run(args: argparse.Namespace) -> int:
        try:
            return func(args)
        except PersonaFileError as exc:
            raise ConfigError(str(exc)) from None

    return run


def add_persona_commands(commands: argparse._SubParsersAction[Any]) -> None:
    personas = commands.add_parser("personas", help="simulated-user personas (YAML): list, show, new, validate, schema")
    actions = personas.add_subparsers(dest="action", required=True, parser_class=type(personas))
    directory = argparse.ArgumentParser(add_help=False)
    directory.add_argument("--dir", type=Path, metavar="D", dest="directory",
                           help="persona directory (default $CRMSIM_PERSONAS_DIR, else the personas/ shipped "
                                "with crmsim)")

    listing = actions.add_parser("list", parents=[directory], help="one line per persona")
    listing.set_defaults(func=_one_line(_list))

    show = actions.add_parser("show", parents=[directory], help="one persona in full")
    show.add_argument("persona_id", metavar="ID")
    show.add_argument("--json", action="store_true", help="print the persona as JSON")
    show.set_defaults(func=_one_line(_show))

    new = actions.add_parser("new", parents=[directory], help="write a new persona file to edit",
                             description="Write D/ID.yaml: a commented template, or a copy of an existing "
                                         "persona under the new id. An existing file is never overwritten.")
    new.add_argument("persona_id", type=_persona_id, metavar="ID")
    new.add_argument("--from", dest="source", metavar="EXISTING",
                     help="copy this persona: an id in the directory (else among the shipped personas), or a "
                          "path to a .yaml file")
    new.set_defaults(func=_one_line(_new))

    validate = actions.add_parser("validate", parents=[directory], help="check persona files; print every problem",
                                  description="Check persona files and print every problem as file:line: field: "
                                              "message. Exit status 1 when there is any.")
    validate.add_argument("paths", nargs="*", type=Path, metavar="PATH",
                          help="persona files or directories (default: the persona directory)")
    validate.set_defaults(func=_one_line(_validate))

    schema = actions.add_parser("schema", help="the JSON Schema of a persona file, for editors")
    schema.add_argument("--out", type=Path, metavar="FILE", help="write it to FILE instead of printing it")
    schema.set_defaults(func=_one_line(_schema))


def _directory(args: argparse.Namespace) -> Path:
    from crmsim.personas import default_personas_dir

    directory: Path | None = args.directory
    return default_personas_dir() if directory is None else directory


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _list(args: argparse.Namespace) -> int:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from crmsim.personas import load_personas
    from crmsim.salesforce._table import print_table

    directory = _directory(args)
    personas = load_personas(directory)
    if personas:
        table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
        for column in ("id", "name", "role", "org", "audience", "disclosure"):
            table.add_column(column, overflow="fold")
        for persona in personas.values():
            table.add_row(Text(persona.id), Text(persona.name), Text(persona.role), Text(persona.org),
                          Text(persona.audience), Text(persona.disclosure.style))
        print_table(table, sys.stdout)
        sys.stdout.write("\n")
    sys.stdout.write(f"{_plural(len(personas), 'persona')} in {directory}\n")
    return 0


def _file_of(directory: Path, persona_id: str) -> Path | None:
    from crmsim.personas._load import SUFFIXES

    return next((path for suffix in SUFFIXES if (path := directory / f"{persona_id}{suffix}").is_file()), None)


def _find(directory: Path, persona_id: str) -> Path:
    """The file of ``persona_id`` in ``directory``; a one-line error listing the ids there if none."""
    from crmsim.personas import persona_files

    path = _file_of(directory, persona_id)
    if path is not None:
        return path
    if not directory.is_dir():
        raise ConfigError(f"no persona directory at {directory}")
    known = sorted(path.stem for path in persona_files(directory))
    close = difflib.get_close_matches(persona_id, known, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    listed = ", ".join(known) if known else "none"
    raise ConfigError(f"no persona {persona_id!r} in {directory} (known: {listed}){hint}")


def _show(args: argparse.Namespace) -> int:
    from crmsim.personas import load_persona

    path = _find(_directory(args), args.persona_id)
    persona = load_persona(path)
    if args.json:
        sys.stdout.write(json.dumps(persona.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(describe_persona(persona, path))
    return 0


def describe_persona(persona: Persona, path: Path | None = None) -> str:
    """A persona in full, as ``crmsim personas show`` prints it."""
    disclosure = persona.disclosure
    given = "volunteers facts" if disclosure.volunteers else "gives facts only when asked"
    header = [
        ("id", persona.id), ("name", persona.name), ("role", persona.role), ("org", persona.org),
        ("audience", persona.audience), ("tone", persona.tone),
        ("disclosure", f"{disclosure.style}, at most {_plural(disclosure.facts_per_turn, 'fact')} per turn, {given}"),
        ("patience", _plural(persona.patience, "user turn")),
    ]
    if path is not None:
        header.append(("file", str(path)))
    lines = [f"{name:<11} {value}" for name, value in header]
    if persona.traits:
        lines.append("traits")
        lines.extend(f"  - {trait}" for trait in persona.traits)
    lines.append("prompt")
    for paragraph in persona.prompt.strip().split("\n\n"):
        lines.extend(textwrap.wrap(" ".join(paragraph.split()), PROMPT_WIDTH, initial_indent="  ",
                                   subsequent_indent="  ") or [""])
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _new(args: argparse.Namespace) -> int:
    from crmsim.personas import load_persona, persona_template
    from crmsim.personas._load import SUFFIXES
    from crmsim.personas._template import renamed_persona_text

    directory = _directory(args)
    target = directory / f"{args.persona_id}.yaml"
    for suffix in SUFFIXES:
        existing = directory / f"{args.persona_id}{suffix}"
        if existing.exists():
            raise ConfigError(f"{existing} already exists; choose another id or edit that file")
    if args.source is None:
        text = persona_template(args.persona_id, file=str(target))
        origin = "a template"
    else:
        source = _source_path(directory, args.source)
        load_persona(source)  # copy only a valid persona
        text = renamed_persona_text(source.read_text(encoding="utf-8"), args.persona_id)
        origin = f"a copy of {source}"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with target.open("x", encoding="utf-8") as out:
            out.write(text)
    except FileExistsError:
        raise ConfigError(f"{target} already exists; choose another id or edit that file") from None
    except OSError as exc:
        raise ConfigError(f"cannot write {target}: {exc.strerror or exc}") from None
    sys.stdout.write(f"wrote {target} ({origin}); edit it, then run: crmsim personas validate {target}\n")
    return 0


def _source_path(directory: Path, source: str) -> Path:
    from crmsim.personas import default_personas_dir
    from crmsim.personas._load import SUFFIXES

    path = Path(source)
    if path.suffix in SUFFIXES or len(path.parts) > 1:
        if not path.is_file():
            raise ConfigError(f"--from {source}: no such file")
        return path
    # an id that is not in --dir may be one of the shipped personas
    return _file_of(directory, source) or _file_of(default_personas_dir(), source) or _find(directory, source)


def _validate(args: argparse.Namespace) -> int:
    from crmsim.personas import count_persona_files, validate_personas

    sources: list[Path] = list(args.paths)
    if args.directory is not None or not sources:
        sources.append(_directory(args))
    problems = validate_personas(sources)
    checked = count_persona_files(sources)
    for problem in problems:
        sys.stdout.write(f"{problem}\n")
    where = ", ".join(str(source) for source in sources)
    if problems:
        sys.stdout.write(f"{_plural(len(problems), 'problem')} in {_plural(checked, 'persona file')} ({where})\n")
        return PROBLEMS_FOUND
    sys.stdout.write(f"{_plural(checked, 'persona file')} in {where}: all valid\n")
    return 0


def _schema(args: argparse.Namespace) -> int:
    from crmsim.personas import persona_json_schema

    text = json.dumps(persona_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.out is None:
        sys.stdout.write(text)
        return 0
    try:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    sys.stdout.write(f"wrote the persona JSON Schema to {args.out}\n")
    return 0
