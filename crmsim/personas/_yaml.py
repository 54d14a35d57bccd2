"""Persona files' YAML: parsing with the line of every key (:mod:`crmsim._marked_yaml`, errors
worded as :class:`PersonaFileError`), and writing persona files back (``dump_yaml``, the template's
``value_span`` / ``yaml_scalar``)."""

from __future__ import annotations

from typing import Any

import yaml

from crmsim._marked_yaml import MarkedYaml, compose_marked, reader_error_line
from crmsim.errors import PersonaFileError

YamlDocument = MarkedYaml  # a persona file, parsed with the line of every key


def parse_yaml(text: str, *, path: str) -> MarkedYaml:
    """Parse one YAML document; invalid YAML raises :class:`PersonaFileError` with its line."""
    try:
        return compose_marked(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        said = ", ".join(part for part in (exc.context, exc.problem) if part)  # PyYAML's own order
        message = f"invalid YAML: {' '.join(said.split()) or 'cannot parse'}"
        raise PersonaFileError(message, path=path, line=mark.line + 1 if mark else None) from None
    except yaml.reader.ReaderError as exc:
        character = f" (character #x{exc.character:04x})" if isinstance(exc.character, int) else ""
        raise PersonaFileError(f"invalid YAML: {exc.reason}{character}", path=path,
                               line=reader_error_line(exc, text)) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error above carries a position
        raise PersonaFileError(f"invalid YAML: {exc}", path=path) from None


def value_span(text: str, key: str) -> tuple[int, int] | None:
    """Start and end offsets in ``text`` of the value of a top-level ``key`` (None if absent)."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if not isinstance(node, yaml.MappingNode):
        return None
    for key_node, value_node in node.value:
        if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
            return value_node.start_mark.index, value_node.end_mark.index
    return None


def yaml_scalar(value: str) -> str:
    """``value`` written as a YAML scalar, quoted only when YAML would read it as something else."""
    dumped = yaml.safe_dump([value], default_flow_style=True, allow_unicode=True, width=1_000_000)
    return dumped.strip()[1:-1]


class _Dumper(yaml.SafeDumper):
    """Block style, fields in model order, list items indented, multi-line text as ``|`` blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value.rstrip("\n") else None
    if "\x85" in value:  # PyYAML writes NEL raw in plain, single-quoted and block styles, then reads it back as a break
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def dump_yaml(data: Any) -> str:
    """``data`` as block-style YAML, keys kept in their order."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
