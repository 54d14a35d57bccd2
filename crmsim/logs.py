"""structlog set-up for crmsim's entry points: one JSON object per line, flushed per event.

Library code only calls ``structlog.get_logger(...)``; :func:`configure_logging` is called once by
an entry point (the CLI). Values under secret-looking keys are replaced before rendering, so a
password, token or client secret can never reach a log file.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import MutableMapping
from pathlib import Path
from typing import Any, TextIO

import structlog

LEVELS = ("debug", "info", "warning", "error")
SECRET_KEYS = frozenset({"password", "client_secret", "access_token", "refresh_token", "token",
                         "authorization", "secret", "signature", "session_id"})
REDACTED = "[redacted]"


def redact_secrets(logger: Any, method: str, event: MutableMapping[str, Any]
                   ) -> MutableMapping[str, Any]:
    """structlog processor: blank out values whose key names a secret."""
    for key in event:
        if key.lower() in SECRET_KEYS and event[key] is not None:
            event[key] = REDACTED
    return event


def configure_logging(*, level: str = "info", file: str | Path | TextIO | None = None) -> TextIO:
    """Send structlog events as JSON lines to ``file`` (a path, opened for append) or stderr.

    Returns the stream written to; the caller closes it if it passed a path.
    """
    if level not in LEVELS:
        raise ValueError(f"unknown log level {level!r}; choose one of {', '.join(LEVELS)}")
    if file is None:
        stream: TextIO = sys.stderr
    elif isinstance(file, str | Path):
        Path(file).parent.mkdir(parents=True, exist_ok=True)
        stream = open(file, "a", encoding="utf-8", buffering=1)  # kept open for the process
    else:
        stream = file
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            redact_secrets,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
        wrapper_class=structlog.make_filtering_bound_logger(getattr(logging, level.upper())),
        logger_factory=structlog.WriteLoggerFactory(file=stream),
        cache_logger_on_first_use=False,  # True would pin module loggers to one configuration for good
    )
    return stream
