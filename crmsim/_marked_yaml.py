"""YAML with line numbers, shared by the persona and policy loaders.

PyYAML is used in two steps: ``compose`` builds nodes that carry marks (line, column), then the same
loader constructs plain Python data from them. Walking the nodes first records the line of every key
and list item and catches repeated keys, which ``yaml.safe_load`` would silently overwrite. Errors
are PyYAML's own; each loader words them in its file type's error.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

KeyPath = tuple[Any, ...]  # keys and list indexes from the document root, e.g. ("rules", 0, "action")
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(slots=True)
class MarkedYaml:
    """A parsed YAML document: its data, the 1-based line of each key, and repeated keys."""

    data: Any
    root_line: int = 1
    lines: dict[KeyPath, int] = field(default_factory=dict)
    repeated: list[tuple[KeyPath, int, int]] = field(default_factory=list)  # (path, line, first line)

    def line_of(self, path: KeyPath) -> int:
        """The line of ``path``'s key, else of its nearest ancestor's key, else of the document start."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return self.root_line


def compose_marked(text: str) -> MarkedYaml:
    """Parse one YAML document with its marks; raises PyYAML's errors (``yaml.YAMLError``)."""
    loader = yaml.SafeLoader(text)  # checks the characters first: may raise ReaderError
    try:
        node = loader.get_single_node()
        if node is None:
            return MarkedYaml(data=None)
        marked = MarkedYaml(data=None, root_line=node.start_mark.line + 1)
        _walk(loader, node, (), marked, set())
        marked.data = loader.construct_document(node)
        return marked
    finally:
        loader.dispose()


def reader_error_line(exc: yaml.reader.ReaderError, text: str) -> int:
    return text[:exc.position].count("\n") + 1


def _walk(loader: yaml.SafeLoader, node: yaml.Node, path: KeyPath, marked: MarkedYaml, seen: set[int]) -> None:
    if id(node) in seen:  # an alias: its lines are those of its anchor (and it may be recursive)
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first_lines: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, yaml.ScalarNode):
                continue  # merged keys have no line of their own; complex keys fail in construction
            key = loader.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in first_lines:
                marked.repeated.append(((*path, key), line, first_lines[key]))
                continue
            first_lines[key] = line
            marked.lines[(*path, key)] = line
            _walk(loader, value_node, (*path, key), marked, seen)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            marked.lines[(*path, index)] = item.start_mark.line + 1
            _walk(loader, item, (*path, index), marked, seen)
