"""The log sink: a tap on every envelope, appended to ``events.jsonl`` one JSON object per line.

Envelopes that queued while a batch was written are taken together; each batch is written and
flushed before the next receive, so a reader tailing the file is at most one batch behind. The file
work is one buffered write and one flush per batch, cheap enough for the event loop
(``benchmarks/bus.py`` measures it); the tap is bounded, so a slow disk slows the senders instead of
growing memory or losing lines.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

import anyio
from anyio.abc import TaskStatus
from anyio.streams.memory import MemoryObjectReceiveStream

from crmsim.bus import Bus, Envelope


class LogSink:
    address = "log"

    def __init__(self, bus: Bus, path: Path, *, max_buffer: int = 1024, batch: int = 512) -> None:
        self.bus = bus
        self.path = path
        self.batch = batch
        self._tap = bus.tap(self.address, max_buffer=max_buffer)
        self.written = 0

    async def run(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        with self.path.open("a", encoding="utf-8") as stream:
            async with self._tap:
                task_status.started()
                async for first in self._tap:
                    envelopes = [first]
                    tap = self._tap
                    while len(envelopes) < self.batch and isinstance(tap, MemoryObjectReceiveStream):
                        try:
                            envelopes.append(tap.receive_nowait())
                        except (anyio.WouldBlock, anyio.EndOfStream):
                            break
                    await self.write_batch(stream, envelopes)

    async def write_batch(self, stream: TextIO, envelopes: list[Envelope]) -> None:
        stream.write("".join(json.dumps(e.to_event(), ensure_ascii=False) + "\n" for e in envelopes))
        stream.flush()
        self.written += len(envelopes)

    def close(self) -> None:
        self.bus.close_tap(self.address)
