"""Runtime efficiency: a whole `Simulation` against a fixed-latency model, wall time vs the ideal.

Runs ``crmsim.runner.Simulation`` with the built-in models (agent ``crmsim-reference``, user
``crmsim-user``), each completion delayed by ``--latency`` seconds (``RunConfig.model_latency_s``,
the ``Delayed`` wrapper: a stand-in for an LLM endpoint), ``--concurrency`` conversations at a time,
tools against the sandbox. Progress display off; the run directory is a temp dir.

Conversations. The script writes a tasks file (``RunConfig.tasks_file``): tasks generated from the
cached org (seed 0, scale 1.0, ``per_type=100``) taken round-robin over the task types (so every
type is in the mix in equal numbers as far as the data has them), ceil(N / 2) of them, each run in
both modes (single and multi), one epoch: N conversations (N + 1 when N is odd). When N / 2 is more
than the tasks the data supports, epochs are added.

Sandbox. By default ``crmsim sandbox serve --org ORG --port <free>`` runs in a subprocess (the
default cached org; the script waits until it answers) and the run gets
``salesforce={ORG: SalesforceConfig(instance_url=url, max_concurrency=min(64, C))}``, so the
sandbox's CPU is not on the run's event loop, as with a real CRM. ``--sandbox inprocess`` lets the
run start its embedded sandbox instead (same process, same loop).

Figures
  - wall_s: ``await Simulation.run()`` end to end (org connection, schema prompt, task file, all
    conversations, results read back); also split into setup, conversations and teardown from the
    first and last envelope's time stamp;
  - completions: the agent's and user's ``model_call`` events in the run's ``events.jsonl``; model
    time = completions x S;
  - ideal_s = model time / C (the headline definition); efficiency = ideal_s / wall_s;
  - schedule_s: the critical-path bound. A conversation's completions are sequential, so the run
    can not finish before a zero-overhead replay of the same queue: each conversation takes
    (its completions) x S, conversations start in the order they started in the run as soon as one
    of the C slots is free (greedy list schedule, like the runner's worker pool);
    schedule_efficiency = schedule_s / wall_s. The same bound is also given for the same
    conversations queued multi-turn first, longest (mode, task type) first and longest first, to
    show what the order of the queue is worth;
  - loop_lag_*: a task in the same event loop sleeps 10 ms repeatedly and records the overshoot;
    garbage-collector pauses per generation are recorded too (``gc.callbacks``);
  - rss_per_conversation_kb: (peak RSS during the run - RSS before it) / min(C, N); the peak is the
    larger of VmRSS sampled every 20 ms by a thread and VmHWM (reset before the run via
    /proc/self/clear_refs where allowed). Per-process costs paid during the run (the tiktoken
    encoding, ~40 MB; caches) are in it;
  - cpu: this process's CPU time during the run, per conversation and per completion; the
    sandbox subprocess's CPU time likewise.
``--order longest-first`` first runs one task per type in both modes with no latency (a pilot),
then queues the tasks longest type first, each multi-turn then single-turn: what a plan ordered by
expected length would give (the pilot also warms per-process caches, so RSS before is higher).
``--profile`` runs the same thing under cProfile (about twice the CPU; timings then are not the
headline) and prints own time (tottime) per area in ms of event-loop CPU per conversation; time
in builtins and the standard library goes to the area of its caller, time waiting in epoll is
left out. ``--watchdog`` samples the loop thread's stack whenever the loop stalls for 50 ms.
The last line printed is one JSON object with every figure.

Through the SDK (``--via-sdk``). ``crmsim models serve --port <free> --latency <S x 1000>`` runs in a
second subprocess (its CPU is not in this process; the script waits until ``/v1/models`` answers)
and the run gets ``base_url=<server>/v1`` for every role (agent ``crmsim-reference``, user
``crmsim-user``, judge ``crmsim-judge``: each a ``crmsim.models.OpenAIModel`` on one shared
``AsyncOpenAI`` client with the aiohttp backend, the task in the request's ``crmsim`` extension),
``model_latency_s=0`` (the server adds the latency), ``cache="off"`` and ``max_inflight=2 x C`` (never
the limit). The judge goes over HTTP too, and the server delays its calls by S like every other: its
calls are asked after a conversation has ended, so they are left out of completions and model time
(their ``model_call`` events, role ``judge``, are counted as ``judge_calls``; how long they keep the
run going after the last conversation ended is ``after_last_conversation_s``). completions, the
efficiency and CPU per completion therefore count agent + user completions, as without
``--via-sdk``; the server's counters (``/crmsim/stats``, reset before the run) cross-check them. The
model server's CPU is reported like the sandbox's. ``--profile`` then also names the SDK's areas
(openai + httpx2; crmsim's model client) and aiohttp, which both the SDK's transport and the tool
client use, and gives the cumulative time of the SDK's entry points per completion.

Run: .venv/bin/python benchmarks/harness.py --conversations 100 --concurrency 50 --latency 0.2
     [--org b2b] [--sandbox subprocess|inprocess] [--order plan|longest-first] [--via-sdk] [--profile]
     [--watchdog] [--keep]
Targets (issue): at N=2000, C=500, S=1.0: efficiency >= 0.9 (aim 0.95), loop lag p99 <= 20 ms.
Through the SDK (issue): at N=2000, C=300, S=1.0: efficiency >= 0.8 (>= 240 completions/s in one
process), with the CPU milliseconds per completion.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import heapq
import json
import math
import os
import platform
import pstats
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from datetime import date
from itertools import zip_longest
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel

from crmsim.logs import configure_logging
from crmsim.runner import RunConfig, Simulation
from crmsim.salesforce import SalesforceConfig
from crmsim.sandbox.cache import ensure_org
from crmsim.tasks import Task, save_tasks
from crmsim.tasks.generators import generate_tasks

MODES = ("single", "multi")
PER_TYPE = 100
LAG_INTERVAL = 0.010
RSS_INTERVAL = 0.020
TARGET_EFFICIENCY = 0.9
TARGET_LAG_P99_MS = 20.0
TARGET_EFFICIENCY_SDK = 0.8


# --- tasks -------------------------------------------------------------------------------------

def choose_tasks(org: str, conversations: int) -> tuple[list[Task], int]:
    """ceil(N / 2) generated tasks, round-robin over types, and the epochs needed to reach N."""
    db, _ = ensure_org(org, seed=0, scale=1.0)
    generated = generate_tasks(db, per_type=PER_TYPE, seed=0)
    by_type: dict[str, list[Task]] = defaultdict(list)
    for task in generated:
        by_type[task.task_type.value].append(task)
    mixed = [t for group in zip_longest(*by_type.values()) for t in group if t is not None]
    wanted = math.ceil(conversations / len(MODES))
    epochs = math.ceil(wanted / len(mixed))
    return mixed[:math.ceil(wanted / epochs)], epochs


def pilot_lengths(org: str, tasks: list[Task], salesforce: dict[str, SalesforceConfig] | None,
                  folder: Path) -> dict[str, int]:
    """Completions of one conversation per mode for the first task of each type, run with no latency."""
    firsts = list({t.task_type.value: t for t in reversed(tasks)}.values())
    save_tasks(folder / "tasks.jsonl", firsts)
    config = RunConfig.build(orgs=[org], tasks_file=folder / "tasks.jsonl", modes=list(MODES), concurrency=64,
                             progress=False, runs_dir=folder, run_id="pilot")
    outcome = anyio.run(Simulation(config, salesforce=salesforce).run)
    completions, _, _, _ = read_events(outcome.directory)
    type_of = {t.id: t.task_type.value for t in firsts}
    lengths: Counter[str] = Counter()
    for cid, count in completions.items():
        lengths[type_of[cid.rsplit(":", 3)[0]]] += count
    return dict(lengths)


# --- sandbox -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(what: str, arguments: list[str], probe: str) -> tuple[subprocess.Popen[bytes], str]:
    """``crmsim <arguments> --port <free>`` in a subprocess; (process, http://127.0.0.1:port) once
    ``GET <probe>`` answers 200."""
    port = free_port()
    command = [sys.executable, "-m", "crmsim.cli", "--log-level", "warning", *arguments, "--port", str(port)]
    proc = subprocess.Popen(command, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the {what} exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}{probe}", timeout=2) as response:
                if response.status == 200:
                    return proc, url
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    proc.terminate()
    proc.wait(timeout=30)
    raise SystemExit(f"the {what} did not answer within 120 s")


def start_sandbox(org: str) -> tuple[subprocess.Popen[bytes], str]:
    return start_server("sandbox", ["sandbox", "serve", "--org", org], "/services/data/")


def start_model_server(latency_s: float) -> tuple[subprocess.Popen[bytes], str]:
    """``crmsim models serve --latency <ms>``: the built-in models behind the OpenAI API; (process, base URL)."""
    proc, url = start_server("model server", ["models", "serve", "--latency", f"{latency_s * 1000:g}"], "/v1/models")
    return proc, f"{url}/v1"


def server_stats(base_url: str, *, reset: bool = False) -> dict[str, Any]:
    """The model server's counters (``/crmsim/stats``); with ``reset``, zeroed first."""
    root = base_url.removesuffix("/v1")
    request = (urllib.request.Request(f"{root}/crmsim/stats/reset", data=b"", method="POST") if reset
               else urllib.request.Request(f"{root}/crmsim/stats"))
    with urllib.request.urlopen(request, timeout=10) as response:
        return dict(json.loads(response.read()))


def process_cpu_s(pid: int) -> float:
    """utime + stime of a process, from /proc (0 where unavailable)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# --- memory ------------------------------------------------------------------------------------

def status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def reset_peak_rss() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class RssSampler:
    """VmRSS every ``interval`` seconds from a thread (independent of the event loop's lag)."""

    def __init__(self, interval: float = RSS_INTERVAL) -> None:
        self.interval = interval
        self.peak_kb = status_kb("VmRSS")
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.peak_kb = max(self.peak_kb, status_kb("VmRSS"))

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_kb = max(self.peak_kb, status_kb("VmRSS"))


class GcPauses:
    """Duration of every garbage collection, per generation, via ``gc.callbacks``."""

    def __init__(self) -> None:
        self.pauses: dict[int, list[float]] = defaultdict(list)
        self.collected: Counter[int] = Counter()
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses[info["generation"]].append(time.perf_counter() - self._started)
            self.collected[info["generation"]] += info["collected"]

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def summary(self) -> dict[str, Any]:
        return {f"gen{g}": {"count": len(p), "total_ms": round(1e3 * sum(p), 1), "max_ms": round(1e3 * max(p), 1),
                            "collected": self.collected[g]}
                for g, p in sorted(self.pauses.items())}


class StallWatchdog:
    """A thread that, when the event loop has not ticked for ``threshold`` s, samples its stack.

    The lag sampler ticks every 10 ms; a stall is a gap longer than ``threshold``. Each stall is
    sampled every 10 ms while it lasts; the innermost crmsim frame (and the innermost frame) of each
    sample are counted, which shows what runs on the loop when it stalls.
    """

    def __init__(self, threshold: float = 0.05) -> None:
        self.threshold = threshold
        self.heartbeat = time.perf_counter()
        self.samples: Counter[str] = Counter()
        self._main = threading.main_thread().ident or 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stall-watchdog", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.01):
            if time.perf_counter() - self.heartbeat < self.threshold:
                continue
            frame = sys._current_frames().get(self._main)  # noqa: SLF001 - sampling the loop thread
            ours, innermost = None, None
            while frame is not None:
                where = f"{frame.f_code.co_filename.rsplit('site-packages/', 1)[-1]}:{frame.f_code.co_name}"
                innermost = innermost or where
                if ours is None and "/crmsim/" in frame.f_code.co_filename:
                    ours = where.rsplit("/main/", 1)[-1]
                frame = frame.f_back
            self.samples[f"{ours} <- in {innermost}"] += 1

    def __enter__(self) -> StallWatchdog:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# --- the run -----------------------------------------------------------------------------------

async def lag_sampler(samples: list[tuple[float, float]], watchdog: StallWatchdog | None) -> None:
    """(Unix time when the sleep ended, overshoot in seconds), every ~10 ms."""
    while True:
        start = time.perf_counter()
        await anyio.sleep(LAG_INTERVAL)
        now = time.perf_counter()
        samples.append((time.time(), now - start - LAG_INTERVAL))
        if watchdog is not None:
            watchdog.heartbeat = now


async def measured_run(simulation: Simulation, lags: list[tuple[float, float]],
                       watchdog: StallWatchdog | None) -> dict[str, Any]:
    async with anyio.create_task_group() as tg:
        tg.start_soon(lag_sampler, lags, watchdog)
        await anyio.lowlevel.checkpoint()
        started_unix, started, cpu = time.time(), time.perf_counter(), time.process_time()
        outcome = await simulation.run()
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        tg.cancel_scope.cancel()
    return {"outcome": outcome, "wall_s": wall, "cpu_s": cpu, "started_unix": started_unix}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def read_events(directory: Path, judge_calls: Counter[str] | None = None
                ) -> tuple[Counter[str], list[str], float, float]:
    """Agent + user completions per conversation, conversations in start order, first and last
    envelope time. The judge's ``model_call`` events (a judge model over HTTP; asked after the
    conversation ended) are not completions: they are counted into ``judge_calls`` when given."""
    completions: Counter[str] = Counter()
    order: list[str] = []
    first, last = math.inf, 0.0
    with (directory / "events.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            event = json.loads(line)
            first, last = min(first, event["ts"]), max(last, event["ts"])
            if event["kind"] == "model_call":
                if event["payload"].get("role") == "judge":
                    if judge_calls is not None:
                        judge_calls[event["conversation_id"]] += 1
                else:
                    completions[event["conversation_id"]] += 1
            elif event["kind"] == "conversation_started":
                order.append(event["conversation_id"])
    return completions, order, first, last


def last_ended(directory: Path) -> float:
    """Time stamp of the last ``conversation_ended`` envelope (what follows it is scoring and teardown)."""
    last = 0.0
    with (directory / "events.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            if '"conversation_ended"' in line:
                event = json.loads(line)
                if event["kind"] == "conversation_ended":
                    last = max(last, event["ts"])
    return last


def mode_of(conversation_id: str) -> str:
    return conversation_id.rsplit(":", 3)[1]


def schedule_bound(order: list[str], completions: Counter[str], concurrency: int, latency: float) -> float:
    """Makespan of a greedy list schedule: conversations in start order, C slots, k x S each."""
    slots = [0.0] * min(concurrency, max(len(order), 1))
    for cid in order:
        free = heapq.heappop(slots)
        heapq.heappush(slots, free + completions[cid] * latency)
    return max(slots)


# --- profile -----------------------------------------------------------------------------------

HTTP_PACKAGES = ("aiohttp", "yarl", "multidict", "propcache", "aiohappyeyeballs", "frozenlist", "aiosignal")
SDK_AREAS: list[tuple[str, tuple[str, ...]]] = [
    ("openai SDK + httpx2", ("/openai/", "/httpx2/", "/httpx/", "/httpcore/", "/h11/", "/jiter/", "/distro/")),
    ("crmsim model client (_openai, limits)", ("crmsim/models/_openai", "crmsim/models/_limits",
                                               "crmsim/models/_cache", "crmsim/models/_prices", "aiolimiter")),
    ("aiohttp (SDK transport + tool client)", HTTP_PACKAGES),
]
"""With ``--via-sdk``: checked before AREAS, so aiohttp is one area for both of its users."""
SDK_ENTRY_POINTS = (("crmsim/models/_openai.py", "complete"), ("openai/resources/chat/completions/completions.py",
                                                                "create"),
                    ("openai/_base_client.py", "request"), ("openai/_vendor/httpx_aiohttp/transport.py",
                                                            "handle_async_request"))
"""Coroutines whose cumulative time (CPU while they run, callees included) is reported per completion."""
AREAS: list[tuple[str, tuple[str, ...]]] = [
    ("built-in models (reference replay, user)", (
        "crmsim/models/_builtin_agents", "crmsim/models/_react", "crmsim/models/_facts", "crmsim/models/_builtin_user",
        "crmsim/tasks/", "crmsim/actors/_prompt")),
    ("token counting", ("crmsim/models/_tokens", "tiktoken")),
    ("tool client", ("crmsim/salesforce/", "crmsim/actors/_tools", "tenacity", *HTTP_PACKAGES)),
    ("log sink", ("crmsim/actors/_sink",)),
    ("judge", ("crmsim/actors/_judge", "crmsim/actors/_transcript", "crmsim/judge/")),
    ("results writer", ("crmsim/runner/_results",)),
    ("policy monitor", ("crmsim/actors/_monitor",)),
    ("conversation + actors", ("crmsim/actors/_conversation", "crmsim/actors/_agent", "crmsim/actors/_user",
                               "crmsim/models/_registry")),
    ("bus", ("crmsim/bus/",)),
    ("pydantic", ("pydantic",)),
    ("sandbox (in-process)", ("crmsim/sandbox/",)),
    ("runner", ("crmsim/runner/",)),
    ("structlog", ("structlog",)),
    ("asyncio/anyio scheduling", ("asyncio/", "anyio/", "sniffio", "selectors")),
]
NEUTRAL = ("~", "json/", "re/", "/re.py", "functools", "dataclasses", "typing", "enum", "abc", "contextlib",
           "copy", "_weakrefset", "weakref", "collections", "contextvars", "threading", "socket", "ssl", "/codecs",
           "encodings/", "inspect", "http/", "email/", "urllib/", "datetime", "uuid", "random", "base64", "hmac",
           "hashlib", "string", "textwrap", "unicodedata")


def area_of(func: tuple[str, int, str], via_sdk: bool = False) -> str | None:
    path = func[0].replace("\\", "/")
    if path == "~" and "_socket.socket" in func[2]:
        return "sockets (SDK's and tool client's HTTP)" if via_sdk else "sockets (tool client's HTTP)"
    if path == "~" and "select.epoll" in func[2]:
        return "epoll"
    for name, patterns in (SDK_AREAS + AREAS if via_sdk else AREAS):
        if any(p in path for p in patterns):
            return name
    if any(p in path for p in NEUTRAL):
        return None
    return "other"


def split_by_area(stats: pstats.Stats, via_sdk: bool = False) -> dict[str, float]:
    """Own time per area; time in builtins and neutral stdlib goes to the area of whoever called it."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    totals: dict[str, float] = defaultdict(float)

    def attribute(func: Any, seconds: float, depth: int) -> None:
        area = area_of(func, via_sdk)
        if area is not None:
            totals[area] += seconds
            return
        callers = raw.get(func, (0, 0, 0, 0, {}))[4]
        edge_total = sum(edge[2] for edge in callers.values())
        if depth >= 6 or not callers or edge_total <= 0:
            totals["other (stdlib, builtins)"] += seconds
            return
        for caller, edge in callers.items():
            attribute(caller, seconds * edge[2] / edge_total, depth + 1)

    for func, (_, _, tottime, _, _) in raw.items():
        attribute(func, tottime, 0)
    return dict(totals)


# --- main --------------------------------------------------------------------------------------

def commit() -> str | None:
    """The checkout measured: HEAD, with "+dirty" when crmsim/ has uncommitted changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "crmsim"], cwd=root, capture_output=True,
                               text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if dirty else "")


def measure(args: argparse.Namespace, config: RunConfig, salesforce: dict[str, SalesforceConfig] | None,
            sandbox_pid: int | None, server: tuple[int, str] | None = None) -> dict[str, Any]:
    """One measured run: lag, RSS, GC pauses, CPU (and the profiler or watchdog when asked).

    ``server``: the model server's (pid, base URL) with ``--via-sdk``; its CPU during the run and its
    counters (reset just before the run) are recorded too."""
    simulation = Simulation(config, salesforce=salesforce)
    lags: list[tuple[float, float]] = []
    gc.collect()
    rss_before = status_kb("VmRSS")
    hwm_reset = reset_peak_rss()
    sandbox_cpu = process_cpu_s(sandbox_pid) if sandbox_pid else 0.0
    if server is not None:
        server_stats(server[1], reset=True)
    server_cpu = process_cpu_s(server[0]) if server is not None else 0.0
    profiler = cProfile.Profile() if args.profile else None
    watchdog = StallWatchdog() if args.watchdog else None
    with RssSampler() as rss, GcPauses() as gc_pauses, watchdog or contextlib.nullcontext():
        if profiler is not None:
            profiler.enable()
        run = anyio.run(measured_run, simulation, lags, watchdog)
        if profiler is not None:
            profiler.disable()
    run.update(lags=lags, rss_before_kb=rss_before,
               peak_kb=max(rss.peak_kb, status_kb("VmHWM") if hwm_reset else 0),
               sandbox_cpu_s=process_cpu_s(sandbox_pid) - sandbox_cpu if sandbox_pid else 0.0,
               server_cpu_s=process_cpu_s(server[0]) - server_cpu if server is not None else 0.0,
               server_stats=server_stats(server[1]) if server is not None else None,
               gc=gc_pauses.summary(), profiler=profiler, watchdog=watchdog)
    return run


def sdk_figures(run: dict[str, Any], completions: int, judge_logged: int) -> dict[str, Any]:
    """The model server's side of a ``--via-sdk`` run: requests by model, its CPU, the judge's calls."""
    stats = run["server_stats"] or {}
    models = stats.get("models", {})
    agent_user = sum(counts["completions"] for name, counts in models.items() if "judge" not in name)
    requests = int(stats.get("requests", 0))
    return {
        "server_requests": requests,
        "server_requests_by_model": {name: counts["requests"] for name, counts in models.items()},
        "server_agent_user_completions": agent_user,
        "completions_match_server": completions == agent_user,
        "judge_calls": judge_logged,
        "judge_requests_at_server": sum(counts["requests"] for name, counts in models.items() if "judge" in name),
        "server_rejected": stats.get("rejected", 0),
        "server_faults": stats.get("faults_total", 0),
        "server_max_in_flight": stats.get("max_in_flight", 0),
        "server_cpu_s": round(run["server_cpu_s"], 3),
        "server_cpu_ms_per_request": round(1e3 * run["server_cpu_s"] / max(requests, 1), 3),
        "completions_per_s": round(completions / run["wall_s"], 1) if run["wall_s"] else 0.0,
        "model_retries": run["outcome"].model_retries,
    }


def figures_of(args: argparse.Namespace, run: dict[str, Any], tasks: list[Task]) -> dict[str, Any]:
    outcome = run["outcome"]
    judge_calls: Counter[str] = Counter()
    completions, order, first_ts, last_ts = read_events(outcome.directory, judge_calls)
    n = len(outcome.results)
    total = sum(completions.values())
    wall, c, s = run["wall_s"], args.concurrency, args.latency
    ideal = total * s / c
    schedule = schedule_bound(order, completions, c, s)
    # What the order of the queue is worth, same conversations and C: multi-turn ones first (known
    # before the run); longest (mode, task type) first, by this run's mean per (mode, type) (what a
    # plan ordered from a pilot run or a table of expected lengths would do); longest first (LPT,
    # by each conversation's own length: a yardstick, not knowable before the run).
    type_of = {t.id: t.task_type.value for t in tasks}
    kind = {cid: (mode_of(cid), type_of.get(cid.rsplit(":", 3)[0], "")) for cid in order}
    per_kind: dict[tuple[str, str], list[int]] = defaultdict(list)
    for cid in order:
        per_kind[kind[cid]].append(completions[cid])
    mean = {k: sum(v) / len(v) for k, v in per_kind.items()}
    multi_first = schedule_bound(sorted(order, key=lambda cid: mode_of(cid) != "multi"), completions, c, s)
    type_first = schedule_bound(sorted(order, key=lambda cid: -mean[kind[cid]]), completions, c, s)
    lpt = schedule_bound(sorted(order, key=lambda cid: -completions[cid]), completions, c, s)
    lags = run["lags"]
    all_lags = [lag for _, lag in lags]
    in_run = [lag for ts, lag in lags if first_ts <= ts <= last_ts]
    worst = sorted(lags, key=lambda sample: -sample[1])[:5]
    rss_per_conv = (run["peak_kb"] - run["rss_before_kb"]) / max(1, min(c, n))
    figures = {
        "n": n, "c": c, "s": s, "org": args.org, "sandbox": args.sandbox, "order": args.order,
        "via_sdk": args.via_sdk, "profiled": args.profile,
        "completions": total,
        "wall_s": round(wall, 3),
        "ideal_s": round(ideal, 3),
        "efficiency": round(ideal / wall, 4) if wall else 0.0,
        "schedule_s": round(schedule, 3),
        "schedule_efficiency": round(schedule / wall, 4) if wall else 0.0,
        "longest_conversation_s": round(max(completions.values(), default=0) * s, 3),
        "schedule_multi_first_s": round(multi_first, 3),
        "schedule_longest_type_first_s": round(type_first, 3),
        "schedule_longest_first_s": round(lpt, 3),
        "setup_s": round(first_ts - run["started_unix"], 3),
        "conversations_s": round(last_ts - first_ts, 3),
        "teardown_s": round(run["started_unix"] + wall - last_ts, 3),
        "after_last_conversation_s": round(run["started_unix"] + wall - last_ended(outcome.directory), 3),
        "loop_lag_p50_ms": round(1e3 * percentile(all_lags, 0.50), 2),
        "loop_lag_p99_ms": round(1e3 * percentile(all_lags, 0.99), 2),
        "loop_lag_max_ms": round(1e3 * max(all_lags, default=0.0), 2),
        "lag_samples": len(all_lags),
        "lag_samples_over_20ms": sum(lag > 0.020 for lag in all_lags),
        "loop_lag_p99_conversations_ms": round(1e3 * percentile(in_run, 0.99), 2),
        "worst_lags": [{"at_s": round(ts - run["started_unix"], 2), "ms": round(1e3 * lag, 1)} for ts, lag in worst],
        "gc": run["gc"],
        "rss_before_mb": round(run["rss_before_kb"] / 1024, 1),
        "rss_peak_mb": round(run["peak_kb"] / 1024, 1),
        "rss_per_conversation_kb": round(rss_per_conv, 1),
        "cpu_s": round(run["cpu_s"], 3),
        "cpu_ms_per_conversation": round(1e3 * run["cpu_s"] / max(n, 1), 3),
        "cpu_ms_per_completion": round(1e3 * run["cpu_s"] / max(total, 1), 3),
        "sandbox_cpu_s": round(run["sandbox_cpu_s"], 3),
        "mean_reward": round(outcome.mean_reward, 4),
        "terminations": dict(Counter(r.termination_reason for r in outcome.results)),
        "bus": outcome.bus._asdict(),
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "commit": commit(),
        "date": date.today().isoformat(),
    }
    if args.via_sdk:
        figures.update(sdk_figures(run, total, sum(judge_calls.values())))
    return figures


def report(f: dict[str, Any], run: dict[str, Any]) -> None:
    print(f"wall {f['wall_s']:.2f} s (setup {f['setup_s']:.2f}, conversations {f['conversations_s']:.2f}, "
          f"teardown {f['teardown_s']:.2f}; after the last conversation ended {f['after_last_conversation_s']:.2f}); "
          f"{f['completions']} completions = {f['completions'] * f['s']:.0f} s "
          f"of model time")
    target = TARGET_EFFICIENCY_SDK if f["via_sdk"] else TARGET_EFFICIENCY
    print(f"ideal {f['ideal_s']:.2f} s (model time / C): efficiency {f['efficiency']:.3f} "
          f"(target >= {target}); critical-path schedule {f['schedule_s']:.2f} s "
          f"(longest conversation {f['longest_conversation_s']:.1f} s): schedule efficiency "
          f"{f['schedule_efficiency']:.3f}")
    print(f"the same conversations scheduled multi-turn first: {f['schedule_multi_first_s']:.2f} s; longest "
          f"(mode, type) first: {f['schedule_longest_type_first_s']:.2f} s; longest first: "
          f"{f['schedule_longest_first_s']:.2f} s")
    print(f"event-loop lag p50 {f['loop_lag_p50_ms']} ms, p99 {f['loop_lag_p99_ms']} ms (target <= "
          f"{TARGET_LAG_P99_MS}), max {f['loop_lag_max_ms']} ms; {f['lag_samples_over_20ms']} of "
          f"{f['lag_samples']} samples over 20 ms; worst at "
          + ", ".join(f"{w['at_s']} s ({w['ms']} ms)" for w in f["worst_lags"]))
    print("garbage collections: " + "; ".join(f"{g} {v['count']} x, {v['total_ms']} ms in all, longest "
                                               f"{v['max_ms']} ms, {v['collected']} objects freed"
                                               for g, v in f["gc"].items()))
    watchdog = run["watchdog"]
    if watchdog is not None:
        stalls = watchdog.samples.most_common(12)
        f["stall_samples"] = dict(stalls)
        print(f"stall samples (loop silent > 50 ms; 10 ms apart): {sum(watchdog.samples.values())}")
        for where, count in stalls:
            print(f"  {count:5d}  {where}")
    print(f"RSS {f['rss_before_mb']} MB before, peak {f['rss_peak_mb']} MB: {f['rss_per_conversation_kb']:.0f} kB "
          f"per conversation in flight")
    print(f"CPU {f['cpu_s']:.2f} s in this process ({f['cpu_ms_per_conversation']:.2f} ms per conversation, "
          f"{f['cpu_ms_per_completion']:.3f} ms per completion); sandbox {f['sandbox_cpu_s']:.2f} s")
    if f["via_sdk"]:
        print(f"through the SDK: {f['completions_per_s']:.1f} agent + user completions/s; model server: "
              f"{f['server_requests']} requests {f['server_requests_by_model']} ({f['judge_calls']} judge calls, "
              f"not in completions), {f['server_rejected']} rejected, at most {f['server_max_in_flight']} in "
              f"flight, {f['model_retries']} client retries; agent + user completions match the server's count: "
              f"{f['completions_match_server']}; server CPU {f['server_cpu_s']:.2f} s "
              f"({f['server_cpu_ms_per_request']:.3f} ms per request)")
    print(f"{f['n']} results, mean reward {f['mean_reward']:.3f}, endings {f['terminations']}")


def report_profile(f: dict[str, Any], profiler: cProfile.Profile, folder: Path) -> None:
    stats = pstats.Stats(profiler)
    areas = split_by_area(stats, f["via_sdk"])
    idle = areas.pop("epoll", 0.0)
    total = sum(areas.values())
    n = max(f["n"], 1)
    print(f"cProfile: {total:.2f} s own time on the event-loop thread besides {idle:.2f} s waiting in epoll = "
          f"{1e3 * total / n:.2f} ms per conversation under the profiler; by area (ms per conversation, share):")
    for name, seconds in sorted(areas.items(), key=lambda kv: -kv[1]):
        if seconds / total >= 0.002:
            print(f"  {name:<42} {1e3 * seconds / n:7.3f} ms  {100 * seconds / total:5.1f}%")
    f["profile_ms_per_conversation"] = {name: round(1e3 * sec / n, 3)
                                        for name, sec in sorted(areas.items(), key=lambda kv: -kv[1])}
    completions = max(f["completions"], 1)
    print(f"the same per agent + user completion ({f['completions']}): "
          + ", ".join(f"{name} {1e3 * sec / completions:.3f} ms" for name, sec in
                      sorted(areas.items(), key=lambda kv: -kv[1]) if sec / total >= 0.01))
    f["profile_ms_per_completion"] = {name: round(1e3 * sec / completions, 3)
                                      for name, sec in sorted(areas.items(), key=lambda kv: -kv[1])}
    if f["via_sdk"]:
        raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
        entries = {}
        for (path, _, name), (_, _, _, cumtime, _) in raw.items():
            for suffix, function in SDK_ENTRY_POINTS:
                if path.replace("\\", "/").endswith(suffix) and name == function:
                    entries[f"{suffix.rsplit('/', 1)[-1]}:{function}"] = cumtime
        f["profile_cumulative_ms_per_completion"] = {k: round(1e3 * v / completions, 3) for k, v in entries.items()}
        print("cumulative time while running (callees included, suspended time not), ms per completion "
              "(the judge's calls included): " + ", ".join(f"{k} {1e3 * v / completions:.3f}"
                                                          for k, v in entries.items()))
    profiler.dump_stats(folder / "profile.pstats")
    out = folder / "profile.txt"
    with out.open("w") as stream:
        pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(40)
    print("top functions by own time:")
    print("\n".join(out.read_text().splitlines()[:55]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", "-n", type=int, default=100)
    parser.add_argument("--concurrency", "-c", type=int, default=50)
    parser.add_argument("--latency", "-s", type=float, default=0.2, help="seconds per completion")
    parser.add_argument("--org", choices=["b2b", "b2c"], default="b2b")
    parser.add_argument("--sandbox", choices=["subprocess", "inprocess"], default="subprocess")
    parser.add_argument("--order", choices=["plan", "longest-first"], default="plan",
                        help="plan: tasks round-robin over types, each single then multi (the headline); "
                             "longest-first: a pilot run measures each type's completions, then tasks go "
                             "longest type first, each multi then single (what a length-aware plan would give)")
    parser.add_argument("--via-sdk", action="store_true",
                        help="models over HTTP through the openai SDK: `crmsim models serve --latency S` in a "
                             "subprocess, base_url for every role, no in-process latency, cache off")
    parser.add_argument("--profile", action="store_true", help="run under cProfile and print own time per area")
    parser.add_argument("--watchdog", action="store_true",
                        help="sample the event loop's stack whenever it stalls for more than 50 ms")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temp dir (the run directory, and profile.pstats with --profile)")
    args = parser.parse_args()
    configure_logging(level="warning")

    tasks, epochs = choose_tasks(args.org, args.conversations)
    tmp = Path(tempfile.mkdtemp(prefix="crmsim-harness-"))
    proc = None
    models_proc = None
    salesforce = None
    try:
        models: dict[str, Any] = {"model_latency_s": args.latency}
        if args.via_sdk:
            models_proc, base_url = start_model_server(args.latency)
            models = {"base_url": base_url, "model_latency_s": 0.0, "cache": "off",
                      "max_inflight": 2 * args.concurrency}
        if args.sandbox == "subprocess":
            proc, url = start_sandbox(args.org)
            salesforce = {args.org: SalesforceConfig(instance_url=url, max_concurrency=min(64, args.concurrency))}
        modes = list(MODES)
        if args.order == "longest-first":
            lengths = pilot_lengths(args.org, tasks, salesforce, tmp / "pilot")
            tasks = sorted(tasks, key=lambda t: -lengths.get(t.task_type.value, 0))
            modes = ["multi", "single"]
            print("pilot run (one task per type, both modes, no latency): completions per type "
                  + ", ".join(f"{k} {v}" for k, v in sorted(lengths.items(), key=lambda kv: -kv[1])))
        save_tasks(tmp / "tasks.jsonl", tasks)
        config = RunConfig.build(orgs=[args.org], tasks_file=tmp / "tasks.jsonl", modes=modes, epochs=epochs,
                                 concurrency=args.concurrency, progress=False, runs_dir=tmp / "runs",
                                 run_id="bench", **models)
        planned = len(tasks) * len(modes) * epochs
        print(f"{planned} conversations ({len(tasks)} tasks of {len({t.task_type for t in tasks})} types x "
              f"{len(modes)} modes x {epochs} epoch(s)), concurrency {args.concurrency}, {args.latency:g} s per "
              f"completion, org {args.org}, sandbox {args.sandbox}, order {args.order}"
              f"{', models through the SDK at ' + str(config.base_url) if args.via_sdk else ''}"
              f"{', cProfile on' if args.profile else ''}")
        run = measure(args, config, salesforce, proc.pid if proc else None,
                      (models_proc.pid, str(config.base_url)) if models_proc is not None else None)
    finally:
        for server in (proc, models_proc):
            if server is not None:
                server.terminate()
                server.wait(timeout=30)

    figures = figures_of(args, run, tasks)
    report(figures, run)
    if figures["n"] != planned:
        print(f"WARNING: planned {planned} conversations, {figures['n']} results")
    if run["profiler"] is not None:
        report_profile(figures, run["profiler"], tmp)
    if args.keep:
        print(f"run directory kept: {run['outcome'].directory}" + (f"; profile: {tmp / 'profile.pstats'}"
                                                                   if run["profiler"] is not None else ""))
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
