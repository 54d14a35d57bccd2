"""The bus interface actors program against; the in-process backend is :class:`MemoryBus`.

A networked backend (Redis Streams, say) implements the same methods, so actors never change.
"""

from __future__ import annotations

import abc
from collections.abc import Collection
from typing import NamedTuple

from anyio.abc import ObjectReceiveStream

from ._envelopes import Envelope


class BusStats(NamedTuple):
    """Counters of a bus: envelopes ``sent``; copies ``delivered`` to inboxes and taps; envelopes
    ``queued`` in buffers now; the deepest any buffer has been (``max_depth``); envelopes whose
    recipient had no inbox (``undeliverable``, each one also logged)."""

    sent: int
    delivered: int
    queued: int
    max_depth: int
    undeliverable: int


class Bus(abc.ABC):
    """Point-to-point inboxes by address, plus read-only taps that see a copy of chosen kinds."""

    @abc.abstractmethod
    def open_inbox(self, address: str, *, max_buffer: int = 16) -> ObjectReceiveStream[Envelope]:
        """A bounded inbox for ``address``; envelopes sent to it wait (backpressure) when it is full."""

    @abc.abstractmethod
    def close_inbox(self, address: str) -> None:
        """No more envelopes for ``address``; its reader sees end-of-stream after the buffered ones."""

    @abc.abstractmethod
    def tap(self, name: str, *, kinds: Collection[str] | None = None,
            max_buffer: int = 256) -> ObjectReceiveStream[Envelope]:
        """A read-only copy of every envelope (or of ``kinds`` only), bounded like an inbox."""

    @abc.abstractmethod
    def close_tap(self, name: str) -> None:
        """End a tap; its reader sees end-of-stream after the buffered envelopes."""

    @abc.abstractmethod
    async def send(self, envelope: Envelope) -> Envelope:
        """Stamp ``seq`` and ``ts``, deliver to the recipient's inbox and to matching taps."""

    @abc.abstractmethod
    def forget(self, conversation_id: str) -> None:
        """Drop a finished conversation's sequence counter."""

    @abc.abstractmethod
    def statistics(self) -> BusStats: ...
