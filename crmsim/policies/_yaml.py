"""Policy files' YAML: :func:`crmsim._marked_yaml.compose_marked`, with its errors worded as
:class:`PolicyFileError` (file and line)."""

from __future__ import annotations

import yaml

from crmsim._marked_yaml import KeyPath, MarkedYaml, compose_marked, reader_error_line
from crmsim.errors import PolicyFileError

__all__ = ["KeyPath", "MarkedYaml", "parse_marked"]


def parse_marked(text: str, *, path: str) -> MarkedYaml:
    """Parse one YAML document; invalid YAML raises :class:`PolicyFileError` with its line."""
    try:
        return compose_marked(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        message = f"invalid YAML: {exc.problem or exc.context or 'cannot parse'}"
        if exc.context and exc.problem:
            message += f" ({exc.context})"
        raise PolicyFileError(message, path=path, line=mark.line + 1 if mark else None) from None
    except yaml.reader.ReaderError as exc:
        raise PolicyFileError(f"invalid YAML: {exc.reason}", path=path, line=reader_error_line(exc, text)) from None
    except yaml.YAMLError as exc:  # pragma: no cover - the errors above carry a position
        raise PolicyFileError(f"invalid YAML: {exc}", path=path) from None
