"""MemoryBus: stamping, delivery to inboxes and taps, backpressure without loss, statistics, and the
end-of-stream a reader sees when an inbox or tap is closed."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
import structlog
from anyio.abc import ObjectReceiveStream

from crmsim.bus import (
    BROADCAST,
    KINDS,
    AgentMessage,
    Bus,
    BusStats,
    Envelope,
    MemoryBus,
    Payload,
    ToolCall,
    UserMessage,
)


class Opened:
    """A bus whose inboxes and taps are all closed, both ends, when the test ends (anyio warns about
    memory streams left open, and warnings are errors)."""

    def __init__(self) -> None:
        self.bus = MemoryBus("run")
        self._inboxes: list[str] = []
        self._taps: list[str] = []
        self._streams: list[ObjectReceiveStream[Envelope]] = []

    def inbox(self, address: str, **options: Any) -> ObjectReceiveStream[Envelope]:
        stream = self.bus.open_inbox(address, **options)
        self._inboxes.append(address)
        self._streams.append(stream)
        return stream

    def tap(self, name: str, **options: Any) -> ObjectReceiveStream[Envelope]:
        stream = self.bus.tap(name, **options)
        self._taps.append(name)
        self._streams.append(stream)
        return stream

    def close(self) -> None:
        for address in self._inboxes:
            self.bus.close_inbox(address)
        for name in self._taps:
            self.bus.close_tap(name)
        for stream in self._streams:
            stream.close()  # type: ignore[attr-defined]


@pytest.fixture
def opened() -> Iterator[Opened]:
    harness = Opened()
    yield harness
    harness.close()


def envelope(cid: str = "c1", recipient: str = BROADCAST, payload: Payload | None = None,
             sender: str = "test") -> Envelope:
    return Envelope(run_id="run", conversation_id=cid, sender=sender, recipient=recipient,
                    payload=payload or AgentMessage(content="hello", step=1))


def drain(stream: ObjectReceiveStream[Envelope]) -> list[Envelope]:
    """Everything buffered in a memory stream now, without waiting."""
    got = []
    while True:
        try:
            got.append(stream.receive_nowait())  # type: ignore[attr-defined]
        except (anyio.WouldBlock, anyio.EndOfStream):
            return got


def test_memory_bus_is_a_bus() -> None:
    assert isinstance(MemoryBus(), Bus)
    with pytest.raises(TypeError):
        Bus()  # type: ignore[abstract]


async def test_seq_is_monotonic_per_conversation_and_independent_across_them() -> None:
    bus = MemoryBus("run")
    order = ["a", "b", "a", "a", "c", "b", "a"]
    sent = [await bus.send(envelope(cid)) for cid in order]
    by_cid: dict[str, list[int]] = {}
    for item in sent:
        by_cid.setdefault(item.conversation_id, []).append(item.seq)
    assert by_cid == {"a": [1, 2, 3, 4], "b": [1, 2], "c": [1]}


async def test_forget_restarts_a_conversations_counter_only() -> None:
    bus = MemoryBus()
    await bus.send(envelope("a"))
    await bus.send(envelope("a"))
    await bus.send(envelope("b"))
    bus.forget("a")
    bus.forget("never-seen")
    assert (await bus.send(envelope("a"))).seq == 1
    assert (await bus.send(envelope("b"))).seq == 2


async def test_send_stamps_ts_and_returns_the_stamped_envelope(opened: Opened) -> None:
    inbox = opened.inbox("x")
    before = time.time()
    stamped = await opened.bus.send(envelope(recipient="x"))
    after = time.time()
    assert stamped.seq == 1
    assert before <= stamped.ts <= after
    received = drain(inbox)
    assert [(e.seq, e.ts) for e in received] == [(stamped.seq, stamped.ts)]


async def test_inbox_gets_only_its_own_envelopes(opened: Opened) -> None:
    bus = opened.bus
    agent, user = opened.inbox("agent/c1"), opened.inbox("user/c1")
    await bus.send(envelope(recipient="agent/c1", payload=UserMessage(content="q", turn=1)))
    await bus.send(envelope(recipient="user/c1", payload=AgentMessage(content="a", step=1)))
    await bus.send(envelope(recipient=BROADCAST))
    assert [e.kind for e in drain(agent)] == ["user_message"]
    assert [e.kind for e in drain(user)] == ["agent_message"]
    assert bus.statistics().undeliverable == 0


async def test_taps_see_copies_of_the_kinds_they_ask_for(opened: Opened) -> None:
    bus = opened.bus
    inbox = opened.inbox("tools/b2b")
    everything = opened.tap("log")
    calls = opened.tap("calls", kinds=["tool_call"])
    chat = opened.tap("chat", kinds={"user_message", "agent_message"})
    await bus.send(envelope(recipient="tools/b2b", payload=ToolCall(statement="SELECT Id FROM Account", step=1)))
    await bus.send(envelope(payload=UserMessage(content="q", turn=1)))
    await bus.send(envelope(payload=AgentMessage(content="a", step=2)))
    await bus.send(envelope("c2", recipient="tools/b2b", payload=ToolCall(statement="FIND {x}", step=1)))

    delivered = drain(inbox)
    logged, tapped_calls, tapped_chat = drain(everything), drain(calls), drain(chat)
    assert [(e.conversation_id, e.seq, e.kind) for e in logged] == [
        ("c1", 1, "tool_call"), ("c1", 2, "user_message"), ("c1", 3, "agent_message"), ("c2", 1, "tool_call")]
    assert tapped_calls == delivered == [logged[0], logged[3]]
    assert tapped_chat == logged[1:3]
    assert bus.statistics().delivered == 2 + 4 + 2 + 2


async def test_tap_with_no_kinds_sees_nothing(opened: Opened) -> None:
    none = opened.tap("none", kinds=())
    await opened.bus.send(envelope())
    assert drain(none) == []


@pytest.mark.parametrize("kinds", [["tool_call", "tool_calls"], ["Tool_Call"], "tool_call"])
def test_unknown_tap_kinds_are_rejected(opened: Opened, kinds: list[str] | str) -> None:
    with pytest.raises(ValueError, match="unknown envelope kinds") as info:
        opened.tap("t", kinds=kinds)
    assert all(kind in str(info.value) for kind in KINDS)
    opened.tap("t", kinds=["tool_call"])  # the failed attempt did not take the name


def test_duplicate_names_are_rejected_until_closed(opened: Opened) -> None:
    bus = opened.bus
    opened.inbox("agent/c1")
    with pytest.raises(ValueError, match="agent/c1"):
        opened.inbox("agent/c1")
    opened.tap("log")
    with pytest.raises(ValueError, match="log"):
        opened.tap("log", kinds=["scored"])
    opened.inbox("log")  # inboxes and taps are separate namespaces
    bus.close_inbox("agent/c1")
    bus.close_tap("log")
    opened.inbox("agent/c1")
    opened.tap("log")


async def test_send_to_a_missing_inbox_is_counted_and_logged(opened: Opened) -> None:
    bus = opened.bus
    log = opened.tap("log")
    with structlog.testing.capture_logs() as logs:
        sent = await bus.send(envelope("c9", recipient="agent/c9", payload=UserMessage(content="q", turn=1)))
    assert bus.statistics().undeliverable == 1
    assert logs == [{"event": "undeliverable", "log_level": "warning", "recipient": "agent/c9",
                     "kind": "user_message", "conversation_id": "c9", "seq": 1}]
    assert drain(log) == [sent]  # taps still see it


async def test_send_to_a_closed_inbox_is_undeliverable(opened: Opened) -> None:
    opened.inbox("user/c1")
    opened.bus.close_inbox("user/c1")
    with structlog.testing.capture_logs() as logs:
        await opened.bus.send(envelope(recipient="user/c1"))
    assert opened.bus.statistics().undeliverable == 1
    assert [entry["event"] for entry in logs] == ["undeliverable"]


async def test_an_inbox_whose_reader_has_gone_is_undeliverable(opened: Opened) -> None:
    inbox = opened.inbox("agent/c1")
    inbox.close()  # type: ignore[attr-defined]
    with structlog.testing.capture_logs() as logs:
        await opened.bus.send(envelope(recipient="agent/c1"))
    assert opened.bus.statistics().undeliverable == 1
    assert [(entry["event"], entry.get("why")) for entry in logs] == [("undeliverable", "the inbox closed")]


async def test_a_tap_whose_reader_has_gone_does_not_stop_the_bus(opened: Opened) -> None:
    inbox = opened.inbox("agent/c1")
    gone = opened.tap("gone")
    live = opened.tap("live")
    gone.close()  # type: ignore[attr-defined]
    with structlog.testing.capture_logs() as logs:
        sent = await opened.bus.send(envelope(recipient="agent/c1"))
    assert drain(inbox) == drain(live) == [sent]
    assert [(entry["event"], entry["log_level"], entry["tap"]) for entry in logs] == [
        ("tap_reader_gone", "error", "gone")]


async def test_a_sender_waiting_on_a_tap_is_released_when_its_reader_goes(opened: Opened) -> None:
    tap = opened.tap("slow", max_buffer=1)
    await opened.bus.send(envelope())
    with structlog.testing.capture_logs() as logs, anyio.fail_after(2):
        async with anyio.create_task_group() as tg:
            tg.start_soon(opened.bus.send, envelope())
            await anyio.sleep(0.05)
            assert opened.bus.statistics().sent == 2  # the second send is waiting for room
            tap.close()  # type: ignore[attr-defined]
    assert [entry["event"] for entry in logs] == ["tap_reader_gone"]
    assert opened.bus.statistics().delivered == 1


async def test_a_full_tap_makes_send_wait(opened: Opened) -> None:
    opened.tap("slow", max_buffer=2)
    with anyio.fail_after(1):
        await opened.bus.send(envelope())
        await opened.bus.send(envelope())
    with anyio.move_on_after(0.2) as scope:
        await opened.bus.send(envelope())
    assert scope.cancelled_caught, "a third send into a full tap of 2 did not wait"


async def test_a_full_inbox_makes_send_wait(opened: Opened) -> None:
    opened.inbox("agent/c1", max_buffer=1)
    await opened.bus.send(envelope(recipient="agent/c1"))
    with anyio.move_on_after(0.2) as scope:
        await opened.bus.send(envelope(recipient="agent/c1"))
    assert scope.cancelled_caught


async def test_backpressure_loses_nothing_and_keeps_order(opened: Opened) -> None:
    bus = opened.bus
    tap = opened.tap("slow", max_buffer=2)
    count = 10
    done = anyio.Event()

    async def produce() -> None:
        for i in range(count):
            await bus.send(envelope(payload=AgentMessage(content=f"m{i}", step=i)))
        done.set()

    received: list[Envelope] = []
    async with anyio.create_task_group() as tg:
        tg.start_soon(produce)
        await anyio.sleep(0.1)
        assert not done.is_set(), "the producer did not wait for the reader"
        stats = bus.statistics()
        assert (stats.sent, stats.delivered, stats.queued, stats.max_depth) == (3, 2, 2, 2)
        with anyio.fail_after(5):
            while len(received) < count:
                received.append(await tap.receive())
            await done.wait()
    assert [e.payload.content for e in received] == [f"m{i}" for i in range(count)]  # type: ignore[union-attr]
    assert [e.seq for e in received] == list(range(1, count + 1))
    assert bus.statistics() == BusStats(sent=count, delivered=count, queued=0, max_depth=2, undeliverable=0)


async def test_statistics_count_sent_delivered_queued_and_depth(opened: Opened) -> None:
    bus = opened.bus
    assert bus.statistics() == BusStats(0, 0, 0, 0, 0)
    inbox = opened.inbox("a", max_buffer=8)
    tap = opened.tap("chat", kinds=["agent_message"], max_buffer=8)
    for _ in range(3):
        await bus.send(envelope(recipient="a"))  # inbox + tap
    await bus.send(envelope(recipient="a", payload=UserMessage(content="q", turn=1)))  # inbox only
    await bus.send(envelope(recipient="nobody"))  # tap only, undeliverable
    assert bus.statistics() == BusStats(sent=5, delivered=8, queued=8, max_depth=4, undeliverable=1)
    drain(inbox)
    assert bus.statistics().queued == 4
    drain(tap)
    assert bus.statistics() == BusStats(sent=5, delivered=8, queued=0, max_depth=4, undeliverable=1)


async def test_close_inbox_gives_end_of_stream_after_buffered_envelopes(opened: Opened) -> None:
    bus = opened.bus
    inbox = opened.inbox("agent/c1")
    first = await bus.send(envelope(recipient="agent/c1"))
    second = await bus.send(envelope(recipient="agent/c1"))
    bus.close_inbox("agent/c1")
    bus.close_inbox("agent/c1")  # closing twice is harmless
    with anyio.fail_after(1):
        assert await inbox.receive() == first
        assert await inbox.receive() == second
        with pytest.raises(anyio.EndOfStream):
            await inbox.receive()


async def test_close_tap_ends_iteration_after_buffered_envelopes(opened: Opened) -> None:
    bus = opened.bus
    tap = opened.tap("log")
    sent = [await bus.send(envelope(cid)) for cid in ("a", "b", "a")]
    bus.close_tap("log")
    bus.close_tap("never-opened")
    with anyio.fail_after(1):
        assert [e async for e in tap] == sent
    await bus.send(envelope("a"))  # a closed tap no longer receives, and nothing blocks
    assert bus.statistics().delivered == 3


async def test_close_tap_wakes_a_waiting_reader(opened: Opened) -> None:
    tap = opened.tap("log")
    seen: list[Envelope] = []

    async def read() -> None:
        async for item in tap:
            seen.append(item)

    with anyio.fail_after(2):
        async with anyio.create_task_group() as tg:
            tg.start_soon(read)
            await opened.bus.send(envelope())
            await anyio.sleep(0.01)
            opened.bus.close_tap("log")
    assert len(seen) == 1
