"""Reading a run's ``events.jsonl``: all at once, or followed while the run writes it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Collection, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio

from crmsim.errors import ConfigError


def run_directory(run: str | Path, runs_dir: Path = Path("runs")) -> Path:
    """A run given by id (under ``runs_dir``) or by its directory."""
    candidates = [Path(run), runs_dir / str(run)]
    for candidate in candidates:
        if (candidate / "run.json").exists() or (candidate / "events.jsonl").exists():
            return candidate
    known = sorted(p.name for p in runs_dir.iterdir() if p.is_dir()) if runs_dir.is_dir() else []
    hint = f"; runs in {runs_dir}: {', '.join(known[-5:])}" if known else f"; {runs_dir} holds no runs"
    raise ConfigError(f"no run {str(run)!r}{hint}")


def iter_events(path: Path) -> Iterator[dict[str, Any]]:
    """Every complete event line of a run directory (or an ``events.jsonl``)."""
    file = path / "events.jsonl" if path.is_dir() else path
    with file.open(encoding="utf-8") as stream:
        for number, line in enumerate(stream, 1):
            if not line.endswith("\n"):
                return
            try:
                yield json.loads(line)
            except ValueError:
                raise ConfigError(f"{file}:{number}: not a JSON event line") from None


def _finished(directory: Path) -> bool:
    try:
        return "ended_at" in json.loads((directory / "run.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False


async def follow_events(directory: Path, *, poll_s: float = 0.2, follow: bool = True) -> AsyncIterator[dict[str, Any]]:
    """Events as they are written; ends when the run has ended and every line has been read."""
    file = directory / "events.jsonl"
    position, pending = 0, ""
    while True:
        finished = _finished(directory)  # read before the file, so no line written before the end is missed
        chunk = ""
        if file.exists():
            def read(start: int = position) -> str:
                with file.open(encoding="utf-8") as stream:
                    stream.seek(start)
                    return stream.read()
            chunk = await anyio.to_thread.run_sync(read)
            position += len(chunk.encode("utf-8"))
        lines = (pending + chunk).split("\n")
        pending = lines.pop()
        for line in lines:
            if line.strip():
                yield json.loads(line)
        if finished or not follow:
            return
        await anyio.sleep(poll_s)


def event_matches(event: dict[str, Any], *, conversation: str | None, kinds: Collection[str] | None) -> bool:
    if conversation is not None and not event["conversation_id"].startswith(conversation):
        return False
    return kinds is None or event["kind"] in kinds


def format_event(event: dict[str, Any]) -> str:
    """One readable line: time, conversation, actor, kind and the gist of the payload."""
    clock = datetime.fromtimestamp(event["ts"], UTC).strftime("%H:%M:%S.%f")[:-3]
    payload = event["payload"]
    kind = event["kind"]
    gist = _gist(kind, payload)
    return f"{clock} {event['conversation_id']} #{event['seq']} {event['actor'].split('/')[0]:<7} {kind}: {gist}"


def _gist(kind: str, p: dict[str, Any]) -> str:
    if kind == "conversation_started":
        return f"{p['task_type']} ({p['org']}, {p['mode']}, epoch {p['epoch']})"
    if kind == "user_message":
        return "[stop]" if p["stop"] else _short(p["content"])
    if kind == "agent_message":
        return _short(p["content"])
    if kind == "tool_call":
        return _short(p["statement"])
    if kind == "tool_result":
        return ("FAILED " if p["failed"] else "") + _short(p["observation"])
    if kind == "malformed_turn":
        return str(p["problem"])
    if kind == "model_call":
        return (f"{p['role']} {p['model']} {p['prompt_tokens']}+{p['completion_tokens']} tokens "
                f"{p['duration_s'] * 1000:.0f} ms")
    if kind == "policy_verdict":
        return f"{p['action']} {p['rule']} ({p['severity']}): {p['detail']}"
    if kind == "simulator_fault":
        return f"{p['fault']} at turn {p['turn']}: {p['detail']}"
    if kind == "conversation_ended":
        error = f" [{p['error']}]" if p.get("error") else ""
        return f"{p['reason']} after {p['steps']} steps: {_short(p['answer'] or '')}{error}"
    if kind == "scored":
        return f"reward {p['reward']:.2f}" + (f" [{p['error']}]" if p.get("error") else "")
    return _short(json.dumps(p))


def _short(text: str, limit: int = 140) -> str:
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
