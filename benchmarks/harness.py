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
  - completions: ``model_call`` events in the run's ``events.jsonl``; model time = completions x S;
  - ideal_s = model time / C (the headline definition); efficiency = ideal_s / wall_s;
  - schedule_s: the critical-path bound. A conversation's completions are sequential, so the run
    can not finish before a zero-overhead replay of the same queue: each conversation takes
    (its completions) x S, conversations start in plan order as soon as one of the C slots is free
    (greedy list schedule, the runner's worker pool). schedule_efficiency = schedule_s / wall_s;
  - loop_lag_*: a task in the same event loop sleeps 10 ms repeatedly and records the overshoot;
  - rss_per_conversation_kb: (peak RSS during the run - RSS before it) / min(C, N); the peak is the
    larger of VmRSS sampled every 20 ms by a thread and VmHWM (reset before the run via
    /proc/self/clear_refs where allowed);
  - cpu: this process's CPU time during the run, per conversation and per completion; the
    sandbox subprocess's CPU time likewise.
``--profile`` runs the same thing under cProfile (slower; timings then are not the headline) and
prints own time (tottime) per area in ms of event-loop CPU per conversation.
The last line printed is one JSON object with every figure.

Run: .venv/bin/python benchmarks/harness.py --conversations 100 --concurrency 50 --latency 0.2
     [--org b2b] [--sandbox subprocess|inprocess] [--profile] [--keep]
Targets (issue): at N=2000, C=500, S=1.0: efficiency >= 0.9 (aim 0.95), loop lag p99 <= 20 ms.
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


# --- sandbox -----------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_sandbox(org: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [sys.executable, "-m", "crmsim.cli", "--log-level", "warning", "sandbox", "serve", "--org", org,
               "--port", str(port)]
    proc = subprocess.Popen(command, env={**os.environ, "PYTHONUNBUFFERED": "1"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the sandbox exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/services/data/", timeout=2) as response:
                if response.status == 200:
                    return proc, url
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    proc.terminate()
    raise SystemExit("the sandbox did not answer within 120 s")


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
        self._started = 0.0

    def _callback(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.pauses[info["generation"]].append(time.perf_counter() - self._started)

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def summary(self) -> dict[str, Any]:
        return {f"gen{g}": {"count": len(p), "total_ms": round(1e3 * sum(p), 1), "max_ms": round(1e3 * max(p), 1)}
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
        self._main = threading.main_thread().ident
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


def read_events(directory: Path) -> tuple[Counter[str], list[str], float, float]:
    """Completions per conversation, conversations in start order, first and last envelope time."""
    completions: Counter[str] = Counter()
    order: list[str] = []
    first, last = math.inf, 0.0
    with (directory / "events.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            event = json.loads(line)
            first, last = min(first, event["ts"]), max(last, event["ts"])
            if event["kind"] == "model_call":
                completions[event["conversation_id"]] += 1
            elif event["kind"] == "conversation_started":
                order.append(event["conversation_id"])
    return completions, order, first, last


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

AREAS: list[tuple[str, tuple[str, ...]]] = [
    ("reference model replay", ("crmsim/models/_builtin_agents", "crmsim/models/_react", "crmsim/models/_facts",
                                "crmsim/models/_builtin_user", "crmsim/tasks/", "crmsim/actors/_prompt")),
    ("token counting", ("crmsim/models/_tokens", "tiktoken")),
    ("tool client", ("crmsim/salesforce/", "crmsim/actors/_tools", "aiohttp", "tenacity", "yarl", "multidict",
                     "propcache", "aiohappyeyeballs", "frozenlist", "aiosignal")),
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


def area_of(filename: str) -> str | None:
    path = filename.replace("\\", "/")
    for name, patterns in AREAS:
        if any(p in path for p in patterns):
            return name
    if any(p in path for p in NEUTRAL):
        return None
    return "other"


def split_by_area(stats: pstats.Stats) -> dict[str, float]:
    """Own time per area; time in builtins and neutral stdlib goes to the area of whoever called it."""
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    totals: dict[str, float] = defaultdict(float)

    def attribute(func: Any, seconds: float, depth: int) -> None:
        area = area_of(func[0])
        if area is not None:
            totals[area] += seconds
            return
        callers = raw.get(func, (0, 0, 0, 0, {}))[4]
        edge_total = sum(edge[2] for edge in callers.values())
        if depth >= 6 or not callers or edge_total <= 0:
            totals[f"unattributed {func[2] if func[0] == '~' else func[0].rsplit('/', 1)[-1]}"[:60]] += seconds
            return
        for caller, edge in callers.items():
            attribute(caller, seconds * edge[2] / edge_total, depth + 1)

    for func, (_, _, tottime, _, _) in raw.items():
        attribute(func, tottime, 0)
    return dict(totals)


# --- main --------------------------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--conversations", "-n", type=int, default=100)
    parser.add_argument("--concurrency", "-c", type=int, default=50)
    parser.add_argument("--latency", "-s", type=float, default=0.2, help="seconds per completion")
    parser.add_argument("--org", choices=["b2b", "b2c"], default="b2b")
    parser.add_argument("--sandbox", choices=["subprocess", "inprocess"], default="subprocess")
    parser.add_argument("--profile", action="store_true", help="run under cProfile and print own time per area")
    parser.add_argument("--watchdog", action="store_true",
                        help="sample the event loop's stack whenever it stalls for more than 50 ms")
    parser.add_argument("--keep", action="store_true", help="keep the run directory")
    args = parser.parse_args()
    configure_logging(level="warning")

    tasks, epochs = choose_tasks(args.org, args.conversations)
    tmp = Path(tempfile.mkdtemp(prefix="crmsim-harness-"))
    tasks_file = tmp / "tasks.jsonl"
    save_tasks(tasks_file, tasks)
    config = RunConfig.build(orgs=[args.org], tasks_file=tasks_file, modes=list(MODES), epochs=epochs,
                             concurrency=args.concurrency, model_latency_s=args.latency, progress=False,
                             runs_dir=tmp / "runs", run_id="bench")
    planned = len(tasks) * len(MODES) * epochs
    types = Counter(t.task_type.value for t in tasks)
    print(f"{planned} conversations ({len(tasks)} tasks of {len(types)} types x {len(MODES)} modes x {epochs} "
          f"epoch(s)), concurrency {args.concurrency}, {args.latency:g} s per completion, org {args.org}, "
          f"sandbox {args.sandbox}{', cProfile on' if args.profile else ''}")

    proc = None
    salesforce = None
    if args.sandbox == "subprocess":
        proc, url = start_sandbox(args.org)
        salesforce = {args.org: SalesforceConfig(instance_url=url, max_concurrency=min(64, args.concurrency))}
    try:
        simulation = Simulation(config, salesforce=salesforce)
        lags: list[tuple[float, float]] = []
        gc.collect()
        rss_before = status_kb("VmRSS")
        hwm_reset = reset_peak_rss()
        sandbox_cpu = process_cpu_s(proc.pid) if proc else 0.0
        profiler = cProfile.Profile() if args.profile else None
        watchdog = StallWatchdog() if args.watchdog else None
        with RssSampler() as rss, GcPauses() as gc_pauses, watchdog or contextlib.nullcontext():
            if profiler is not None:
                profiler.enable()
            run = anyio.run(measured_run, simulation, lags, watchdog)
            if profiler is not None:
                profiler.disable()
        peak_kb = max(rss.peak_kb, status_kb("VmHWM") if hwm_reset else 0)
        sandbox_cpu = process_cpu_s(proc.pid) - sandbox_cpu if proc else 0.0
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)

    outcome = run["outcome"]
    completions, order, first_ts, last_ts = read_events(outcome.directory)
    n = len(outcome.results)
    total_completions = sum(completions.values())
    wall = run["wall_s"]
    model_s = total_completions * args.latency
    ideal = model_s / args.concurrency
    schedule = schedule_bound(order, completions, args.concurrency, args.latency)
    longest = max(completions.values(), default=0) * args.latency
    # What the order of the queue is worth: the same conversations, multi-turn ones first (known
    # before the run), and longest first (LPT; needs the lengths, so only a yardstick).
    multi_first = schedule_bound(sorted(order, key=lambda cid: mode_of(cid) != "multi"), completions,
                                 args.concurrency, args.latency)
    lpt = schedule_bound(sorted(order, key=lambda cid: -completions[cid]), completions, args.concurrency,
                         args.latency)
    in_run = [lag for ts, lag in lags if first_ts <= ts <= last_ts]
    all_lags = [lag for _, lag in lags]
    worst = sorted(lags, key=lambda sample: -sample[1])[:5]
    reasons = Counter(r.termination_reason for r in outcome.results)
    rss_per_conv = (peak_kb - rss_before) / max(1, min(args.concurrency, n))
    figures: dict[str, Any] = {
        "n": n, "c": args.concurrency, "s": args.latency, "org": args.org, "sandbox": args.sandbox,
        "profiled": args.profile,
        "completions": total_completions,
        "wall_s": round(wall, 3),
        "ideal_s": round(ideal, 3),
        "efficiency": round(ideal / wall, 4) if wall else 0.0,
        "schedule_s": round(schedule, 3),
        "schedule_efficiency": round(schedule / wall, 4) if wall else 0.0,
        "longest_conversation_s": round(longest, 3),
        "schedule_multi_first_s": round(multi_first, 3),
        "schedule_longest_first_s": round(lpt, 3),
        "setup_s": round(first_ts - run["started_unix"], 3),
        "conversations_s": round(last_ts - first_ts, 3),
        "teardown_s": round(run["started_unix"] + wall - last_ts, 3),
        "loop_lag_p50_ms": round(1e3 * percentile(all_lags, 0.50), 2),
        "loop_lag_p99_ms": round(1e3 * percentile(all_lags, 0.99), 2),
        "loop_lag_max_ms": round(1e3 * max(all_lags, default=0.0), 2),
        "lag_samples": len(all_lags),
        "loop_lag_p99_conversations_ms": round(1e3 * percentile(in_run, 0.99), 2),
        "loop_lag_max_conversations_ms": round(1e3 * max(in_run, default=0.0), 2),
        "worst_lags": [{"at_s": round(ts - run["started_unix"], 2), "ms": round(1e3 * lag, 1)} for ts, lag in worst],
        "gc": gc_pauses.summary(),
        "rss_before_mb": round(rss_before / 1024, 1),
        "rss_peak_mb": round(peak_kb / 1024, 1),
        "rss_per_conversation_kb": round(rss_per_conv, 1),
        "cpu_s": round(run["cpu_s"], 3),
        "cpu_ms_per_conversation": round(1e3 * run["cpu_s"] / max(n, 1), 3),
        "cpu_ms_per_completion": round(1e3 * run["cpu_s"] / max(total_completions, 1), 3),
        "sandbox_cpu_s": round(sandbox_cpu, 3),
        "mean_reward": round(outcome.mean_reward, 4),
        "terminations": dict(reasons),
        "bus": outcome.bus._asdict(),
        "machine": f"{platform.machine()} {os.cpu_count()} cpu, Python {platform.python_version()}",
        "date": date.today().isoformat(),
    }
    print(f"wall {wall:.2f} s (setup {figures['setup_s']:.2f}, conversations {figures['conversations_s']:.2f}, "
          f"teardown {figures['teardown_s']:.2f}); {total_completions} completions = {model_s:.0f} s of model time")
    print(f"ideal {ideal:.2f} s (model time / C): efficiency {figures['efficiency']:.3f} "
          f"(target >= {TARGET_EFFICIENCY}); critical-path schedule {schedule:.2f} s "
          f"(longest conversation {longest:.1f} s): schedule efficiency {figures['schedule_efficiency']:.3f}")
    print(f"the same schedule with multi-turn conversations first: {multi_first:.2f} s; longest first: {lpt:.2f} s")
    print(f"event-loop lag p50 {figures['loop_lag_p50_ms']} ms, p99 {figures['loop_lag_p99_ms']} ms "
          f"(target <= {TARGET_LAG_P99_MS}), max {figures['loop_lag_max_ms']} ms over {len(lags)} samples; "
          f"between first and last envelope p99 {figures['loop_lag_p99_conversations_ms']} ms, max "
          f"{figures['loop_lag_max_conversations_ms']} ms; worst at "
          + ", ".join(f"{w['at_s']} s ({w['ms']} ms)" for w in figures["worst_lags"]))
    print("garbage collections: " + "; ".join(f"{g} {v['count']} x, {v['total_ms']} ms in all, longest {v['max_ms']} ms"
                                               for g, v in figures["gc"].items()))
    if watchdog is not None:
        stalls = watchdog.samples.most_common(12)
        figures["stall_samples"] = dict(stalls)
        print(f"stall samples (loop silent > 50 ms; 10 ms apart): {sum(watchdog.samples.values())}")
        for where, count in stalls:
            print(f"  {count:5d}  {where}")
    print(f"RSS {figures['rss_before_mb']} MB before, peak {figures['rss_peak_mb']} MB: "
          f"{rss_per_conv:.0f} kB per conversation in flight")
    print(f"CPU {run['cpu_s']:.2f} s in this process ({figures['cpu_ms_per_conversation']:.2f} ms per conversation, "
          f"{figures['cpu_ms_per_completion']:.3f} ms per completion); sandbox {sandbox_cpu:.2f} s")
    print(f"{n} results, mean reward {outcome.mean_reward:.3f}, endings {dict(reasons)}")
    if n != planned:
        print(f"WARNING: planned {planned} conversations, {n} results")

    if profiler is not None:
        stats = pstats.Stats(profiler)
        areas = split_by_area(stats)
        total = sum(areas.values())
        print(f"cProfile own time {total:.2f} s on the event-loop thread = {1e3 * total / max(n, 1):.2f} ms "
              f"per conversation; by area (ms per conversation, share):")
        for name, seconds in sorted(areas.items(), key=lambda kv: -kv[1]):
            if seconds / total >= 0.002:
                print(f"  {name:<34} {1e3 * seconds / max(n, 1):7.3f} ms  {100 * seconds / total:5.1f}%")
        figures["profile_ms_per_conversation"] = {name: round(1e3 * s / max(n, 1), 3)
                                                  for name, s in sorted(areas.items(), key=lambda kv: -kv[1])}
        out = tmp / "profile.txt"
        with out.open("w") as stream:
            pstats.Stats(profiler, stream=stream).sort_stats("tottime").print_stats(60)
        stream_text = out.read_text()
        print("top functions by own time:")
        print("\n".join(stream_text.splitlines()[:75]))

    if args.keep:
        print(f"run directory kept: {outcome.directory}")
    else:
        shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
