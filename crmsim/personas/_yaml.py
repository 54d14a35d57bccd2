"""YAML with line numbers: the data of a file plus the line of every key, so errors can point at it.

PyYAML is used in two steps: ``compose`` builds nodes that carry marks (line, column), then the
same loader constructs plain Python data from those nodes. Walking the nodes first records where
each key is and catches repeated keys, which ``yaml.safe_load`` would silently overwrite.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from crmsim.errors import PersonaFileError

KeyPath = tuple[Any, ...]  # keys and list indexes from the document root, e.g. ("disclosure", "style")
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(slots=True)
class YamlDocument:
    """A parsed YAML file: its data, the line of each key (1-based), and repeated keys found."""

    data: Any
    root_line: int = 1
    lines: dict[KeyPath, int] = field(default_factory=dict)
    duplicates: list[tuple[KeyPath, int, int]] = field(default_factory=list)  # (path, line, first line)

    def line_of(self, path: KeyPath) -> int:
        """The line of ``path``'s key, else of its nearest ancestor's key, else of the root mapping."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return self.root_line


def parse_yaml(text: str, *, path: str) -> YamlDocument:
    """Parse one YAML document; invalid YAML raises :class:`PersonaFileError` with its line."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, path) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return YamlDocument(data=None)
        document = YamlDocument(data=None, root_line=node.start_mark.line + 1)
        _walk(loader, node, (), document, set())
        document.data = loader.construct_document(node)
        return document
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        said = ", ".join(part for part in (exc.context, exc.problem) if part)  # PyYAML's own order
        message = f"invalid YAML: {' '.join(said.split()) or 'cannot parse'}"
        raise PersonaFileError(message, path=path, line=mark.line + 1 if mark else None) from None
    except yaml.reader.ReaderError as exc:
        raise _reader_error(exc, text, path) from None
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error above carries a position
        raise PersonaFileError(f"invalid YAML: {exc}", path=path) from None
    finally:
        loader.dispose()


def _reader_error(exc: yaml.reader.ReaderError, text: str, path: str) -> PersonaFileError:
    line = text[:exc.position].count("\n") + 1
    character = f" (character #x{exc.character:04x})" if isinstance(exc.character, int) else ""
    return PersonaFileError(f"invalid YAML: {exc.reason}{character}", path=path, line=line)


def _walk(loader: yaml.SafeLoader, node: yaml.Node, path: KeyPath, document: YamlDocument,
          seen_nodes: set[int]) -> None:
    """Record the line of every key and list item under ``node``, and the repeated keys."""
    if id(node) in seen_nodes:  # an alias: its lines are those of its anchor (and it may be recursive)
        return
    seen_nodes.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first_lines: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
                continue  # merged keys have no line of their own; complex keys fail in construction
            key = loader.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in first_lines:
                document.duplicates.append(((*path, key), line, first_lines[key]))
                continue
            first_lines[key] = line
            document.lines[(*path, key)] = line
            _walk(loader, value_node, (*path, key), document, seen_nodes)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            document.lines[(*path, index)] = item.start_mark.line + 1
            _walk(loader, item, (*path, index), document, seen_nodes)


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
