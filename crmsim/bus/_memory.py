"""The in-process bus: anyio memory object streams, bounded, one per inbox and per tap."""

from __future__ import annotations

import time
from collections.abc import Collection

import anyio
import structlog
from anyio.abc import ObjectReceiveStream
from anyio.streams.memory import MemoryObjectSendStream

from ._backend import Bus, BusStats
from ._envelopes import KINDS, Envelope

log = structlog.get_logger("crmsim.bus")

BROADCAST = "*"
"""A recipient for envelopes only taps should see (lifecycle records, verdicts)."""


class _Tap:
    __slots__ = ("kinds", "stream")

    def __init__(self, stream: MemoryObjectSendStream[Envelope], kinds: frozenset[str] | None) -> None:
        self.stream = stream
        self.kinds = kinds


class MemoryBus(Bus):
    """Delivery in this process. A full inbox or tap makes ``send`` wait: nothing is dropped."""

    def __init__(self, run_id: str = "") -> None:
        self.run_id = run_id
        self._inboxes: dict[str, MemoryObjectSendStream[Envelope]] = {}
        self._taps: dict[str, _Tap] = {}
        self._seq: dict[str, int] = {}
        self._sent = 0
        self._delivered = 0
        self._max_depth = 0
        self._undeliverable = 0

    def open_inbox(self, address: str, *, max_buffer: int = 16) -> ObjectReceiveStream[Envelope]:
        if address in self._inboxes:
            raise ValueError(f"an inbox for {address!r} is already open")
        send, receive = anyio.create_memory_object_stream[Envelope](max_buffer)
        self._inboxes[address] = send
        return receive

    def close_inbox(self, address: str) -> None:
        stream = self._inboxes.pop(address, None)
        if stream is not None:
            stream.close()

    def tap(self, name: str, *, kinds: Collection[str] | None = None,
            max_buffer: int = 256) -> ObjectReceiveStream[Envelope]:
        if name in self._taps:
            raise ValueError(f"a tap named {name!r} is already open")
        unknown = sorted(set(kinds or ()) - set(KINDS))
        if unknown:
            raise ValueError(f"unknown envelope kinds {', '.join(unknown)}; known: {', '.join(KINDS)}")
        send, receive = anyio.create_memory_object_stream[Envelope](max_buffer)
        self._taps[name] = _Tap(send, frozenset(kinds) if kinds is not None else None)
        return receive

    def close_tap(self, name: str) -> None:
        tap = self._taps.pop(name, None)
        if tap is not None:
            tap.stream.close()

    async def send(self, envelope: Envelope) -> Envelope:
        cid = envelope.conversation_id
        seq = self._seq.get(cid, 0) + 1
        self._seq[cid] = seq
        envelope.seq = seq
        envelope.ts = time.time()
        self._sent += 1
        if envelope.recipient != BROADCAST:
            inbox = self._inboxes.get(envelope.recipient)
            if inbox is None:
                self._undeliverable += 1
                log.warning("undeliverable", recipient=envelope.recipient, kind=envelope.kind,
                            conversation_id=cid, seq=seq)
            elif not await self._put(inbox, envelope):
                self._undeliverable += 1
                log.warning("undeliverable", recipient=envelope.recipient, kind=envelope.kind,
                            conversation_id=cid, seq=seq, why="the inbox closed")
        kind = envelope.payload.kind
        for name, tap in tuple(self._taps.items()):
            if (tap.kinds is None or kind in tap.kinds) and not await self._put(tap.stream, envelope):
                log.error("tap_reader_gone", tap=name, kind=kind, conversation_id=cid, seq=seq)
        return envelope

    async def _put(self, stream: MemoryObjectSendStream[Envelope], envelope: Envelope) -> bool:
        """Deliver one copy, waiting while the buffer is full; False when the reader has gone."""
        try:
            try:
                stream.send_nowait(envelope)
            except anyio.WouldBlock:
                self._max_depth = max(self._max_depth, stream.statistics().current_buffer_used)
                await stream.send(envelope)
            else:
                depth = stream.statistics().current_buffer_used
                if depth > self._max_depth:
                    self._max_depth = depth
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            return False
        self._delivered += 1
        return True

    def forget(self, conversation_id: str) -> None:
        self._seq.pop(conversation_id, None)

    def statistics(self) -> BusStats:
        streams = [*self._inboxes.values(), *(tap.stream for tap in self._taps.values())]
        queued = sum(stream.statistics().current_buffer_used for stream in streams)
        return BusStats(sent=self._sent, delivered=self._delivered, queued=queued, max_depth=self._max_depth,
                        undeliverable=self._undeliverable)
