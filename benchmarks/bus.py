"""MemoryBus throughput: envelopes/s through the bus against a raw anyio memory object stream pair.

Pre-builds a fixed list of envelopes (the kind mix of a real run: per conversation one
``conversation_started``, user and agent messages, tool calls with ~4 kB results, a ``model_call``
per completion, ``conversation_ended`` and ``scored``; 100 conversation ids interleaved), then moves
the same objects, in the same process, several ways:

  - raw:       one sender ``await send.send(obj)`` to one reader ``async for obj in receive``
               (``anyio.create_memory_object_stream(16)``: the size of a bus inbox's default buffer),
  - bus:       ``await bus.send(envelope)`` to one inbox (``open_inbox(max_buffer=16)``), one reader,
  - bus+taps:  the same, with the three taps a run attaches (``log``: every kind; ``judge``: the
               transcript kinds; ``results``: lifecycle, usage, verdict and score kinds; buffers of
               1024 as in the run), each drained by its own reader,
  - raw-nowait: the raw pair delivering the way the bus does (``send_nowait``, and ``await send``
               only when the buffer is full, so no checkpoint per item): what is left of the gap
               to it is the bus's own bookkeeping (sequence numbers, time stamps, statistics),
  - raw fan-out: the baseline for bus+taps: each object delivered the raw-nowait way to the inbox
               stream and to each of three raw streams whose kinds match (same buffers),
  - bus+taps+sink: bus+taps with the real ``LogSink`` writing ``events.jsonl`` to a temp file in
               place of the drained ``log`` tap (the sink's JSON and file work, on the event loop).

Every envelope is addressed to the inbox (a run sends lifecycle and usage envelopes to ``*``, which
only taps see; routing to the inbox here makes the inbox case comparable to the raw pair). Each
repetition runs every case once, in an order that rotates between repetitions; the figure of a case
is its median over repetitions. The last line printed is one JSON object with every figure.

Run: .venv/bin/python benchmarks/bus.py [--envelopes 100000] [--repetitions 5]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import date
from pathlib import Path
from typing import Any

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from crmsim.actors import LogSink
from crmsim.actors._transcript import TRANSCRIPT_KINDS
from crmsim.bus import (
    AgentMessage,
    ConversationEnded,
    ConversationStarted,
    Envelope,
    MemoryBus,
    ModelCall,
    Payload,
    Scored,
    ToolCall,
    ToolResult,
    UserMessage,
)
from crmsim.logs import configure_logging

INBOX = "agent/bench"
INBOX_BUFFER = 16
TAP_BUFFER = 1024
RESULTS_KINDS = frozenset({"conversation_started", "model_call", "policy_verdict", "conversation_ended", "scored"})
TARGET_RATIO = 0.5
OBSERVATION = json.dumps([{"attributes": {"type": "Case", "url": f"/services/data/v62.0/sobjects/Case/500{i:015d}"},
                           "Id": f"500{i:015d}", "Subject": f"Printer on floor {i} keeps jamming",
                           "Status": "Working", "Priority": "High", "Origin": "Email",
                           "CreatedDate": "2024-05-02T10:11:12.000+0000"} for i in range(16)])


def conversation_payloads(n: int) -> list[Payload]:
    """One conversation's envelopes, in order: a multi-step exchange like the reference agent's."""
    payloads: list[Payload] = [
        ConversationStarted(task_id=f"b2b-case_routing-{n:04d}", task_type="case_routing", org="b2b",
                            mode="multi", persona="default", epoch=1),
        ModelCall(role="user", model="crmsim-user", prompt_tokens=412, completion_tokens=38, duration_s=1.0),
        UserMessage(content="Hi, I need to know which agent should get case 00001234 about the printer.", turn=1),
    ]
    for step in range(1, 4):
        payloads += [
            ModelCall(role="agent", model="crmsim-reference", prompt_tokens=2900 + 400 * step, completion_tokens=61,
                      duration_s=1.0),
            ToolCall(statement=f"SELECT Id, Subject, Status FROM Case WHERE AccountId = '001{step:015d}'",
                     thought="Let me query the org for what I need next.", step=step),
            ToolResult(observation=OBSERVATION, step=step, duration_s=0.0012),
        ]
    payloads += [
        ModelCall(role="agent", model="crmsim-reference", prompt_tokens=4300, completion_tokens=22, duration_s=1.0),
        AgentMessage(content="The case should go to 005000000000000042.", thought="I have everything.", step=4),
        ModelCall(role="user", model="crmsim-user", prompt_tokens=530, completion_tokens=4, duration_s=1.0),
        UserMessage(content="Thanks! ###STOP###", turn=1, stop=True),
        ConversationEnded(reason="user_stop", answer="005000000000000042", steps=4, user_turns=1, duration_s=6.1),
        Scored(reward=1.0, scores=[]),
    ]
    return payloads


def build_envelopes(count: int, conversations: int = 100) -> list[Envelope]:
    """``count`` envelopes: ``conversations`` conversations interleaved, each repeating its script."""
    scripts = [conversation_payloads(n) for n in range(conversations)]
    envelopes = []
    position = [0] * conversations
    for i in range(count):
        c = i % conversations
        script = scripts[c]
        payload = script[position[c] % len(script)]
        position[c] += 1
        envelopes.append(Envelope(run_id="bench", conversation_id=f"b2b-case_routing-{c:04d}:multi:default:1",
                                  sender="user/bench", recipient=INBOX, payload=payload))
    return envelopes


async def drain(stream: MemoryObjectReceiveStream[Any]) -> int:
    received = 0
    async with stream:
        async for _ in stream:
            received += 1
    return received


async def timed(body: Callable[[anyio.abc.TaskGroup], Awaitable[None]]) -> float:
    start = time.perf_counter()
    async with anyio.create_task_group() as tg:
        await body(tg)
    return time.perf_counter() - start


async def run_raw(envelopes: list[Envelope], _: Path) -> float:
    send, receive = anyio.create_memory_object_stream[Envelope](INBOX_BUFFER)

    async def body(tg: anyio.abc.TaskGroup) -> None:
        tg.start_soon(drain, receive)
        async with send:
            for envelope in envelopes:
                await send.send(envelope)

    return await timed(body)


async def put(send: MemoryObjectSendStream[Envelope], envelope: Envelope) -> None:
    try:
        send.send_nowait(envelope)
    except anyio.WouldBlock:
        await send.send(envelope)


async def run_raw_nowait(envelopes: list[Envelope], _: Path) -> float:
    send, receive = anyio.create_memory_object_stream[Envelope](INBOX_BUFFER)

    async def body(tg: anyio.abc.TaskGroup) -> None:
        tg.start_soon(drain, receive)
        async with send:
            for envelope in envelopes:
                await put(send, envelope)

    return await timed(body)


async def run_raw_fanout(envelopes: list[Envelope], _: Path) -> float:
    inbox_send, inbox_receive = anyio.create_memory_object_stream[Envelope](INBOX_BUFFER)
    taps: list[tuple[frozenset[str] | None, MemoryObjectSendStream[Envelope]]] = []
    readers = [inbox_receive]
    for kinds in (None, TRANSCRIPT_KINDS, RESULTS_KINDS):
        send, receive = anyio.create_memory_object_stream[Envelope](TAP_BUFFER)
        taps.append((kinds, send))
        readers.append(receive)

    async def body(tg: anyio.abc.TaskGroup) -> None:
        for reader in readers:
            tg.start_soon(drain, reader)
        for envelope in envelopes:
            await put(inbox_send, envelope)
            kind = envelope.payload.kind
            for kinds, send in taps:
                if kinds is None or kind in kinds:
                    await put(send, envelope)
        inbox_send.close()
        for _, send in taps:
            send.close()

    return await timed(body)


async def run_bus(envelopes: list[Envelope], tmp: Path, *, taps: bool = False, sink: bool = False) -> float:
    bus = MemoryBus("bench")
    inbox = bus.open_inbox(INBOX, max_buffer=INBOX_BUFFER)
    tap_streams: dict[str, MemoryObjectReceiveStream[Envelope]] = {}
    log_sink = None
    if taps:
        if sink:
            log_sink = LogSink(bus, tmp / f"events-{time.monotonic_ns()}.jsonl", max_buffer=TAP_BUFFER)
        else:
            tap_streams["log"] = bus.tap("log", max_buffer=TAP_BUFFER)  # type: ignore[assignment]
        tap_streams["judge"] = bus.tap("judge", kinds=TRANSCRIPT_KINDS, max_buffer=TAP_BUFFER)  # type: ignore[assignment]
        tap_streams["results"] = bus.tap("results", kinds=RESULTS_KINDS, max_buffer=TAP_BUFFER)  # type: ignore[assignment]

    async def body(tg: anyio.abc.TaskGroup) -> None:
        tg.start_soon(drain, inbox)
        for stream in tap_streams.values():
            tg.start_soon(drain, stream)
        if log_sink is not None:
            await tg.start(log_sink.run)
        for envelope in envelopes:
            await bus.send(envelope)
        bus.close_inbox(INBOX)
        for name in tap_streams:
            bus.close_tap(name)
        if log_sink is not None:
            log_sink.close()

    elapsed = await timed(body)
    if log_sink is not None and log_sink.written != len(envelopes):
        raise SystemExit(f"the log sink wrote {log_sink.written} of {len(envelopes)} envelopes")
    return elapsed


CASES: dict[str, Callable[[list[Envelope], Path], Awaitable[float]]] = {
    "raw": run_raw,
    "raw_nowait": run_raw_nowait,
    "bus": run_bus,
    "raw_fanout": run_raw_fanout,
    "bus_taps": lambda envelopes, tmp: run_bus(envelopes, tmp, taps=True),
    "bus_taps_sink": lambda envelopes, tmp: run_bus(envelopes, tmp, taps=True, sink=True),
}


def remove_logs(folder: Path) -> None:
    for path in folder.glob("events-*.jsonl"):
        path.unlink()


async def measure(args: argparse.Namespace) -> dict[str, list[float]]:
    envelopes = build_envelopes(args.envelopes)
    rates: dict[str, list[float]] = {name: [] for name in CASES}
    names = list(CASES)
    with tempfile.TemporaryDirectory(prefix="crmsim-bus-bench-") as tmp:
        for name in names:  # warm-up: imports, pydantic serializers, code paths
            await CASES[name](envelopes[:2000], Path(tmp))
        for rep in range(args.repetitions):
            order = names[rep % len(names):] + names[:rep % len(names)]
            for name in order:
                gc.collect()
                elapsed = await CASES[name](envelopes, Path(tmp))
                rates[name].append(len(envelopes) / elapsed)
            print(f"repetition {rep + 1}: " + ", ".join(f"{n} {rates[n][-1]:,.0f}/s" for n in names))
            remove_logs(Path(tmp))
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--envelopes", type=int, default=100_000)
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    configure_logging(level="warning")
    rates = anyio.run(measure, args)
    median = {name: statistics.median(values) for name, values in rates.items()}
    ratio_inbox = median["bus"] / median["raw"]
    ratio_nowait = median["bus"] / median["raw_nowait"]
    ratio_taps = median["bus_taps"] / median["raw"]
    ratio_taps_fanout = median["bus_taps"] / median["raw_fanout"]
    ratio_sink = median["bus_taps_sink"] / median["raw"]
    print(f"{args.envelopes:,} envelopes, median of {args.repetitions} repetitions")
    for name, value in median.items():
        print(f"  {name:<14} {value:>10,.0f} envelopes/s  ({1e6 / value:.2f} µs per envelope; "
              f"range {min(rates[name]):,.0f}-{max(rates[name]):,.0f})")
    print(f"bus / raw (inbox only): {ratio_inbox:.2f}x (target >= {TARGET_RATIO}x: "
          f"{'met' if ratio_inbox >= TARGET_RATIO else 'MISSED'})")
    print(f"bus / raw-nowait (the bus's own bookkeeping): {ratio_nowait:.2f}x")
    print(f"bus with 3 taps / raw: {ratio_taps:.2f}x; / raw fan-out to the same 4 streams: {ratio_taps_fanout:.2f}x")
    print(f"bus with 3 taps and the real log sink / raw: {ratio_sink:.2f}x")
    summary = {
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "date": date.today().isoformat(),
        "envelopes": args.envelopes,
        "repetitions": args.repetitions,
        "per_s": {name: round(value) for name, value in median.items()},
        "us_per_envelope": {name: round(1e6 / value, 2) for name, value in median.items()},
        "ratio_inbox": round(ratio_inbox, 3),
        "ratio_inbox_vs_nowait": round(ratio_nowait, 3),
        "ratio_taps": round(ratio_taps, 3),
        "ratio_taps_vs_fanout": round(ratio_taps_fanout, 3),
        "ratio_taps_sink": round(ratio_sink, 3),
        "target_ratio": TARGET_RATIO,
        "met": ratio_inbox >= TARGET_RATIO,
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
