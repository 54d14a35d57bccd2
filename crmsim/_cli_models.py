"""``crmsim models serve`` and ``crmsim models list``: the built-in models, and a server for them.

    crmsim models serve [--host 127.0.0.1] [--port 8000] [--latency MS|DIST] [--fault-rate F]
                        [--fault-kinds K,K] [--retry-after S] [--timeout-delay S] [--seed N]
    crmsim models list
"""

from __future__ import annotations

import argparse
import contextlib
import ipaddress
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from crmsim.errors import ConfigError

if TYPE_CHECKING:
    from crmsim.models import FaultPlan, LatencyPlan

DESCRIPTIONS = {
    "crmsim-reference": "plays the task's reference solver: queries the org, then answers",
    "crmsim-naive": "answers None at once",
    "crmsim-eager": "solves like the reference but never refuses confidential requests",
    "crmsim-user": "the simulated user: opens, gives held facts when asked, stops",
    "crmsim-judge": "the deterministic judge: refusal (privacy) and answer extraction (extract)",
}


def _number(kind: str, low: float, *, above: bool = False, high: float | None = None) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = float("nan")
        if not (value > low if above else value >= low) or (high is not None and value > high):
            bound = (f"above {low:g}" if above else f"from {low:g} to {high:g}" if high is not None
                     else f"{low:g} or more")
            raise argparse.ArgumentTypeError(f"invalid {kind} {text!r}: use a number {bound}")
        return value
    return parse


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: use a number from 0 to 65535")
    return int(text)


def _latency(text: str) -> str:
    from crmsim.models import LatencyPlan

    try:
        LatencyPlan.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def _kinds(text: str) -> tuple[str, ...]:
    from crmsim.models._faults import parse_fault_kinds

    try:
        return parse_fault_kinds(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def add_model_commands(commands: argparse._SubParsersAction[Any]) -> None:
    from crmsim.models._faults import FAULT_KINDS

    models = commands.add_parser("models", help="the built-in models, and an OpenAI-compatible server for them")
    actions = models.add_subparsers(dest="action", required=True, parser_class=type(models))
    serve = actions.add_parser(
        "serve", help="serve the built-in models over OpenAI's chat-completions API",
        description="Serve crmsim's deterministic models as an OpenAI-compatible endpoint (base URL "
                    "http://HOST:PORT/v1), optionally slow and faulty, for tests and benchmarks of real clients.")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--allow-remote", action="store_true",
                       help="allow a --host other than a loopback address (the server has no authentication)")
    serve.add_argument("--port", type=_port, default=8000, help="port (default 8000; 0 picks one)")
    serve.add_argument("--latency", type=_latency, default="0", metavar="MS|DIST",
                       help="delay before each answer, in ms: a number, uniform:LO-HI, normal:MEAN,SD or exp:MEAN "
                            "(default 0)")
    serve.add_argument("--fault-rate", type=_number("fault rate", 0, high=1), default=0.0, metavar="F",
                       help="probability that a chat-completion request fails (0..1, default 0)")
    serve.add_argument("--fault-kinds", type=_kinds, default=FAULT_KINDS, metavar="K,K",
                       help=f"how requests fail, drawn uniformly (default all: {', '.join(FAULT_KINDS)})")
    serve.add_argument("--retry-after", type=_number("retry-after", 0), default=1.0, metavar="S",
                       help="Retry-After seconds of a rate_limit fault (default 1)")
    serve.add_argument("--timeout-delay", type=_number("timeout delay", 0, above=True), default=120.0, metavar="S",
                       help="seconds a timeout fault holds the request (default 120)")
    serve.add_argument("--seed", type=int, default=0, help="seed of the latency and fault draws (default 0)")
    serve.set_defaults(func=_serve)
    listing = actions.add_parser("list", help="the built-in models and their roles")
    listing.set_defaults(func=_list)


def _roles() -> dict[str, str]:
    from crmsim.models import BUILTIN_AGENTS, BUILTIN_JUDGES, BUILTIN_USERS

    return {**dict.fromkeys(BUILTIN_AGENTS, "agent"), **dict.fromkeys(BUILTIN_USERS, "user"),
            **dict.fromkeys(BUILTIN_JUDGES, "judge")}


def _list(args: argparse.Namespace) -> int:
    roles = _roles()
    width = max(map(len, roles))
    for name, role in roles.items():
        sys.stdout.write(f"{name:<{width}}  {role:<5}  {DESCRIPTIONS.get(name, '')}".rstrip() + "\n")
    return 0


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _serve(args: argparse.Namespace) -> int:
    import anyio

    from crmsim.logs import configure_logging
    from crmsim.models import FaultPlan, LatencyPlan

    if not _is_loopback(args.host) and not args.allow_remote:
        raise ConfigError(f"--host {args.host} is not a loopback address; the model server has no authentication: "
                          "add --allow-remote to serve it anyway")
    try:
        latency = LatencyPlan.parse(args.latency, seed=args.seed)
        faults = FaultPlan(args.fault_rate, args.fault_kinds, args.retry_after, args.timeout_delay, args.seed)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    try:
        stream = configure_logging(level=args.log_level or "info", file=args.log_file)
    except OSError as exc:
        raise ConfigError(f"cannot write the log file {args.log_file}: {exc.strerror}") from None
    try:
        anyio.run(_serve_until_signal, args, latency, faults)
    finally:
        if args.log_file:
            stream.close()
    return 0


async def _serve_until_signal(args: argparse.Namespace, latency: LatencyPlan, faults: FaultPlan) -> None:
    import anyio

    from crmsim.models import serve_models

    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        async with contextlib.AsyncExitStack() as stack:
            try:
                url = await stack.enter_async_context(
                    serve_models(latency=latency, faults=faults, host=args.host, port=args.port))
            except OSError as exc:
                raise ConfigError(f"cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None
            sys.stdout.write(banner(url, latency, faults))
            sys.stdout.flush()
            async for _ in signals:
                break
    sys.stderr.write("crmsim models: stopped\n")


def banner(url: str, latency: LatencyPlan, faults: FaultPlan) -> str:
    """What ``models serve`` prints once it listens: the base URL first, alone on its line."""
    root = url.removesuffix("/v1")
    injected = [f"latency {latency} ms" if not latency.is_zero else "", str(faults) if faults.rate > 0 else ""]
    shown = "; ".join(part for part in injected if part)
    return (f"{url}\n"
            f"use it: OPENAI_BASE_URL={url} OPENAI_API_KEY=any, model crmsim-reference (crmsim models list); "
            f"counters at {root}/crmsim/stats; Ctrl+C stops\n"
            + (f"injecting {shown}\n" if shown else ""))
