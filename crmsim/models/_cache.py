"""The response cache: completions stored in SQLite by a hash of everything that shapes them
(model, base URL, messages, tools, parameters, and the task for crmsim's own models), so a re-run
with the same seed replays without calling the endpoint. SQLite work runs on a worker thread."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from pathlib import Path
from typing import Any, Literal

import anyio

from crmsim.errors import ConfigError

from ._base import Completion, ToolCall, Usage

CacheMode = Literal["read-write", "read", "off"]
CACHE_MODES: tuple[CacheMode, ...] = ("read-write", "read", "off")


def cache_key(parts: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


class ResponseCache:
    def __init__(self, path: Path, mode: CacheMode = "read-write") -> None:
        if mode not in CACHE_MODES:
            raise ConfigError(f"unknown cache mode {mode!r}; choose from {', '.join(CACHE_MODES)}")
        self.path = path
        self.mode = mode
        self.hits = 0
        self.misses = 0
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        if mode != "off":
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
                self._conn.execute("PRAGMA journal_mode=WAL")
                self._conn.execute("CREATE TABLE IF NOT EXISTS responses (key TEXT PRIMARY KEY, completion TEXT)")
            except (OSError, sqlite3.Error) as exc:
                raise ConfigError(f"cannot open the response cache {path}: {exc}") from None

    async def get(self, key: str) -> Completion | None:
        if self._conn is None:
            return None
        row = await anyio.to_thread.run_sync(self._get, key)
        if row is None:
            self.misses += 1
            return None
        self.hits += 1
        data = json.loads(row)
        return Completion(text=data["text"], model=data["model"], usage=Usage(*data["usage"]), cost=0.0,
                          tool_calls=tuple(ToolCall(*call) for call in data["tool_calls"]), cached=True)

    async def put(self, key: str, completion: Completion) -> None:
        if self._conn is None or self.mode != "read-write":
            return
        data = {"text": completion.text, "model": completion.model,
                "usage": [completion.usage.prompt_tokens, completion.usage.completion_tokens],
                "tool_calls": [[c.id, c.name, c.arguments] for c in completion.tool_calls]}
        await anyio.to_thread.run_sync(self._put, key, json.dumps(data))

    def _get(self, key: str) -> str | None:
        with self._lock:
            assert self._conn is not None
            row = self._conn.execute("SELECT completion FROM responses WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _put(self, key: str, value: str) -> None:
        with self._lock:
            assert self._conn is not None
            self._conn.execute("INSERT OR REPLACE INTO responses (key, completion) VALUES (?, ?)", (key, value))

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None
