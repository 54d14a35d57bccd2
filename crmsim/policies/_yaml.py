"""YAML with line numbers: the data of a policy file plus the line of every key and list item.

PyYAML composes nodes that carry marks (line, column); walking them records where each key is and
catches repeated keys, which ``yaml.safe_load`` would silently overwrite; the same loader then
constructs plain Python data from the nodes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from crmsim.errors import PolicyFileError

KeyPath = tuple[Any, ...]  # keys and list indexes from the document root, e.g. ("rules", 0, "action")


@dataclass(slots=True)
class MarkedYaml:
    """A parsed YAML document: its data, the 1-based line of each key, and repeated keys."""

    data: Any
    root_line: int = 1
    lines: dict[KeyPath, int] = field(default_factory=dict)
    repeated: list[tuple[KeyPath, int, int]] = field(default_factory=list)  # (path, line, first line)

    def line_of(self, path: KeyPath) -> int:
        """The line of ``path``'s key, else of its nearest ancestor, else of the document start."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return self.root_line


def parse_marked(text: str, *, path: str) -> MarkedYaml:
    """Parse one YAML document; invalid YAML raises :class:`PolicyFileError` with its line."""
    loader: yaml.SafeLoader | None = None
    try:
        loader = yaml.SafeLoader(text)  # checks the characters first: may raise ReaderError
        node = loader.get_single_node()
        if node is None:
            return MarkedYaml(data=None)
        marked = MarkedYaml(data=None, root_line=node.start_mark.line + 1)
        _walk(loader, node, (), marked)
        marked.data = loader.construct_document(node)
        return marked
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"invalid YAML: {exc.problem or exc.context or 'cannot parse'}"
        if exc.context and exc.problem:
            message += f" ({exc.context})"
        raise PolicyFileError(message, path=path, line=mark.line + 1 if mark else None) from None
    except yaml.reader.ReaderError as exc:
        line = text[:exc.position].count("\n") + 1
        raise PolicyFileError(f"invalid YAML: {exc.reason}", path=path, line=line) from None
    except yaml.YAMLError as exc:  # pragma: no cover - the errors above carry a position
        raise PolicyFileError(f"invalid YAML: {exc}", path=path) from None
    finally:
        if loader is not None:
            loader.dispose()


def _walk(loader: yaml.SafeLoader, node: yaml.Node, path: KeyPath, marked: MarkedYaml) -> None:
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = loader.construct_object(key_node)
            line = key_node.start_mark.line + 1
            if key in seen:
                marked.repeated.append(((*path, key), line, seen[key]))
                continue
            seen[key] = line
            marked.lines[(*path, key)] = line
            _walk(loader, value_node, (*path, key), marked)
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            marked.lines[(*path, index)] = item.start_mark.line + 1
            _walk(loader, item, (*path, index), marked)
