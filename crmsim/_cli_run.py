"""``crmsim run``, ``crmsim score`` and ``crmsim logs follow``: the runtime's commands.

    crmsim run [--org b2b|b2c|both] [--task-types a,b] [--per-type N] [--mode single,multi] [--epochs K]
               [--concurrency N] [--agent-model M] [--user-model M] [--judge-model M] [--monitor MODE] ...
    crmsim score RUN
    crmsim logs follow RUN [--conversation ID] [--kind K] [--json]
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crmsim.errors import ConfigError

if TYPE_CHECKING:
    from crmsim.runner import RunOutcome, Simulation

INTERRUPTED = 130


def _choices(kind: str, allowed: list[str]) -> Callable[[str], list[str]]:
    def parse(text: str) -> list[str]:
        values = [v.strip() for v in text.split(",") if v.strip()]
        bad = [v for v in values if v not in allowed]
        if bad or not values:
            raise argparse.ArgumentTypeError(f"unknown {kind} {', '.join(bad) or repr(text)}; "
                                             f"choose from {', '.join(allowed)}")
        return values
    return parse


def _positive(kind: type[int] | type[float]) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = kind(text)
        except ValueError:
            value = -1
        if value <= 0:
            raise argparse.ArgumentTypeError(f"invalid value {text!r}: use a positive {kind.__name__}")
        return value
    return parse


def _latency(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if value < 0:
        raise argparse.ArgumentTypeError(f"invalid latency {text!r}: use seconds, 0 or more")
    return value


def add_run_commands(commands: argparse._SubParsersAction[Any]) -> None:
    from crmsim.models import BUILTIN_AGENTS, BUILTIN_USERS
    from crmsim.tasks import TaskType

    run = commands.add_parser("run", help="run and score conversations (the main job)",
                              description="Run conversations between an agent and simulated users on the "
                                          "embedded sandbox, score them, and print a summary. With no flags: "
                                          "both orgs, all 22 task types, single- and multi-turn, built-in models.")
    run.add_argument("--org", choices=("b2b", "b2c", "both"), default="both")
    run.add_argument("--task-types", type=_choices("task type", sorted(t.value for t in TaskType)),
                     metavar="A,B", help="only these task types (default: all 22)")
    run.add_argument("--per-type", type=_positive(int), default=2, metavar="N",
                     help="generated tasks per type and org (default 2)")
    run.add_argument("--tasks", type=Path, metavar="FILE", help="run the tasks of this JSON-lines file instead")
    run.add_argument("--mode", type=_choices("mode", ["single", "multi"]), default=["single", "multi"],
                     metavar="single,multi", help="single-turn, multi-turn or both (default both)")
    run.add_argument("--epochs", type=_positive(int), default=1, metavar="K", help="tries per task (default 1)")
    run.add_argument("--concurrency", type=_positive(int), default=64, metavar="N",
                     help="conversations in flight (default 64)")
    run.add_argument("--agent-model", default="crmsim-reference", metavar="M",
                     help=f"agent model (built-in: {', '.join(BUILTIN_AGENTS)})")
    run.add_argument("--user-model", default="crmsim-user", metavar="M",
                     help=f"simulated-user model (built-in: {', '.join(BUILTIN_USERS)})")
    run.add_argument("--judge-model", default="crmsim-judge", metavar="M",
                     help="judge (built-in: crmsim-judge, the deterministic scorers)")
    endpoint = run.add_argument_group("model endpoints", "Built-in names without a base URL run in this process; "
                                      "anything with one goes over HTTP through the openai SDK (crmsim models serve, "
                                      "OpenAI, vLLM, Ollama, a LiteLLM proxy). Keys default to $OPENAI_API_KEY, URLs "
                                      "of models that are not built in to $OPENAI_BASE_URL.")
    endpoint.add_argument("--base-url", metavar="URL", help="endpoint for every role without its own")
    endpoint.add_argument("--api-key", metavar="KEY", help="key for every role without its own")
    for role in ("agent", "user", "judge"):
        endpoint.add_argument(f"--{role}-base-url", metavar="URL", help=f"the {role} model's endpoint")
        endpoint.add_argument(f"--{role}-api-key", metavar="KEY", help=f"the {role} model's key")
    endpoint.add_argument("--agent-strategy", choices=("react", "tools"), default="react",
                          help="react: the benchmark's text protocol; tools: native function calling")
    endpoint.add_argument("--confidentiality-prompt", choices=("on", "off"), default="off",
                          help="add the privacy-aware instructions to the agent's system prompt")
    endpoint.add_argument("--temperature", type=float, metavar="T", help="agent and user sampling temperature")
    endpoint.add_argument("--models-config", type=Path, metavar="FILE",
                          help="YAML with prices (per million tokens) and per-endpoint limits")
    endpoint.add_argument("--rpm", type=_positive(float), metavar="N", help="requests per minute per endpoint")
    endpoint.add_argument("--tpm", type=_positive(float), metavar="N", help="tokens per minute per endpoint")
    endpoint.add_argument("--max-inflight", type=_positive(int), default=256, metavar="N",
                          help="requests in flight per endpoint at most (halved on 429, grows back; default 256)")
    endpoint.add_argument("--cache", choices=("read-write", "read", "off"), default="read-write",
                          help="response cache for HTTP models (default read-write: a re-run replays)")
    endpoint.add_argument("--cache-path", type=Path, metavar="FILE", help="default ~/.cache/crmsim/responses.sqlite")
    endpoint.add_argument("--budget", type=_positive(float), metavar="USD",
                          help="start no new conversation once this much is spent; finish those started")
    run.add_argument("--monitor", choices=("off", "observe", "enforce"), default="observe",
                     help="policy monitor (default observe: record verdicts, never block)")
    run.add_argument("--personas-dir", type=Path, metavar="DIR",
                     help="persona files (default: the shipped personas/; see crmsim personas list)")
    run.add_argument("--persona", action="append", metavar="ID", dest="personas",
                     help="run each task with this persona where it fits (repeatable; default: draw one)")
    run.add_argument("--personas-per-task", type=_positive(int), default=1, metavar="N",
                     help="fitting personas drawn per task when none is named (default 1)")
    run.add_argument("--policies-dir", type=Path, metavar="DIR",
                     help="policy files for the monitor (default: the shipped policies/)")
    run.add_argument("--runs-dir", type=Path, default=Path("runs"), metavar="DIR", help="default ./runs")
    run.add_argument("--run-id", metavar="ID", help="name of the run (default: the start time)")
    run.add_argument("--resume", action="store_true",
                     help="finish the run named by --run-id: skip finished conversations, redo cancelled ones")
    run.add_argument("--seed", type=int, default=0, help="org and task seed (default 0)")
    run.add_argument("--scale", type=_positive(float), default=1.0, metavar="S",
                     help="org data volume (default 1.0, generated once into the cache)")
    run.add_argument("--max-steps", type=_positive(int), default=20, metavar="N",
                     help="agent steps between user turns (default 20)")
    run.add_argument("--max-user-turns", type=_positive(int), default=10, metavar="N", help="default 10")
    run.add_argument("--timeout", type=_positive(float), default=600.0, metavar="SECONDS",
                     help="per conversation (default 600)")
    run.add_argument("--model-latency", type=_latency, default=0.0, metavar="SECONDS",
                     help="delay before each built-in model completion, to mimic an endpoint (default 0)")
    run.add_argument("--no-progress", action="store_true", help="no live progress line")
    run.set_defaults(func=_run)

    score = commands.add_parser("score", help="score a finished run again from its events")
    score.add_argument("run", metavar="RUN", help="run id (under --runs-dir) or run directory")
    score.add_argument("--runs-dir", type=Path, default=Path("runs"), metavar="DIR")
    score.add_argument("--judge-model", default="crmsim-judge", metavar="M",
                       help="judge (default crmsim-judge, the deterministic scorers); a model with a base URL "
                            "or any other name asks that model")
    score.add_argument("--judge-base-url", metavar="URL")
    score.add_argument("--judge-api-key", metavar="KEY")
    score.add_argument("--cache", choices=("read-write", "read", "off"), default="read-write")
    score.set_defaults(func=_score)

    compare = commands.add_parser("compare", help="task success against refusals, side by side for several runs")
    compare.add_argument("runs", nargs="+", metavar="RUN", help="run ids (under --runs-dir) or run directories")
    compare.add_argument("--runs-dir", type=Path, default=Path("runs"), metavar="DIR")
    compare.set_defaults(func=_compare)

    logs = commands.add_parser("logs", help="a run's event log")
    actions = logs.add_subparsers(dest="action", required=True, parser_class=type(logs))
    follow = actions.add_parser("follow", help="print a run's events, following a running run until it ends")
    follow.add_argument("run", metavar="RUN", help="run id (under --runs-dir) or run directory")
    follow.add_argument("--runs-dir", type=Path, default=Path("runs"), metavar="DIR")
    follow.add_argument("--conversation", metavar="ID", help="only this conversation (an id prefix is enough)")
    follow.add_argument("--kind", action="append", metavar="K",
                        type=lambda text: _choices("event kind", list(_kinds()))(text)[0],
                        help="only this event kind (repeatable)")
    follow.add_argument("--json", action="store_true", help="print the JSON lines as written")
    follow.add_argument("--no-follow", action="store_true", help="print what is there and stop")
    follow.set_defaults(func=_follow)


def _kinds() -> tuple[str, ...]:
    from crmsim.bus import KINDS

    return KINDS


def _config(args: argparse.Namespace) -> Any:
    from crmsim.runner import RunConfig

    return RunConfig.build(
        orgs=["b2b", "b2c"] if args.org == "both" else [args.org], task_types=args.task_types,
        per_type=args.per_type, tasks_file=args.tasks, modes=args.mode, epochs=args.epochs,
        concurrency=args.concurrency, agent_model=args.agent_model, user_model=args.user_model,
        judge_model=args.judge_model, monitor=args.monitor, runs_dir=args.runs_dir, run_id=args.run_id,
        resume=args.resume, seed=args.seed, scale=args.scale, max_steps=args.max_steps,
        max_user_turns=args.max_user_turns, timeout_s=args.timeout, model_latency_s=args.model_latency,
        progress=not args.no_progress, base_url=args.base_url, api_key=args.api_key,
        agent_base_url=args.agent_base_url, agent_api_key=args.agent_api_key, user_base_url=args.user_base_url,
        user_api_key=args.user_api_key, judge_base_url=args.judge_base_url, judge_api_key=args.judge_api_key,
        agent_strategy=args.agent_strategy, confidentiality_prompt=args.confidentiality_prompt == "on",
        temperature=args.temperature, models_config=args.models_config, rpm=args.rpm, tpm=args.tpm,
        max_inflight=args.max_inflight, cache=args.cache, cache_path=args.cache_path, budget_usd=args.budget,
        personas_dir=args.personas_dir, personas=args.personas, personas_per_task=args.personas_per_task,
        policies_dir=args.policies_dir)


def _run(args: argparse.Namespace) -> int:
    import anyio

    from crmsim.logs import configure_logging
    from crmsim.runner import Simulation

    if args.tasks is not None and not args.tasks.is_file():
        raise ConfigError(f"--tasks {args.tasks}: no such file")
    if args.resume and not args.run_id:
        raise ConfigError("--resume needs the --run-id of the run to finish")
    simulation = Simulation(_config(args))
    stream = configure_logging(level=args.log_level or "warning", file=args.log_file)
    try:
        outcome = anyio.run(_run_until_signal, simulation)
    finally:
        if args.log_file:
            stream.close()
    _print_outcome(outcome)
    return INTERRUPTED if outcome.cancelled else 0


async def _run_until_signal(simulation: Simulation) -> RunOutcome:
    import anyio

    async with anyio.create_task_group() as tg:
        async def watch() -> None:
            with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
                async for _ in signals:
                    sys.stderr.write("crmsim: stopping; conversations in flight are recorded as cancelled\n")
                    simulation.cancel()
                    return

        tg.start_soon(watch)
        outcome = await simulation.run()
        tg.cancel_scope.cancel()
    return outcome


def _console() -> Any:
    from rich.console import Console

    console = Console()
    return console if console.is_terminal else Console(width=160)


def _print_outcome(outcome: RunOutcome) -> None:
    from crmsim.runner import summary_table

    console = _console()
    title = f"run {outcome.run_id}: {len(outcome.results)} conversations"
    console.print(summary_table(outcome.summary, title=title))
    _print_model_usage(console, outcome)
    console.print(tradeoff_table([(outcome.run_id, _run_settings(outcome.directory), outcome.results)]))
    tokens = sum(r.usage.total_tokens for r in outcome.results)
    cost = sum(r.cost for r in outcome.results)
    retries = f", {outcome.model_retries} model retries" if outcome.model_retries else ""
    flagged = sum(1 for r in outcome.results if r.policy_flags)
    resumed = f" ({outcome.skipped} from before the resume)" if outcome.skipped else ""
    lines = [f"mean reward {outcome.mean_reward:.3f} over {len(outcome.results)} conversations{resumed}",
             f"{tokens} tokens, cost ${cost:.4f}{retries}, {flagged} conversations flagged by the policy monitor, "
             f"{outcome.wall_s:.1f} s",
             f"results: {outcome.directory / 'results.jsonl'}",
             f"events:  {outcome.directory / 'events.jsonl'}   (crmsim logs follow {outcome.run_id})",
             f"run:     {outcome.directory / 'run.json'}"]
    if outcome.budget_reached:
        lines.insert(0, f"budget reached (${outcome.spent_usd:.4f} spent): {outcome.planned - len(outcome.results)} "
                        f"planned conversations were not started; raise --budget and --resume --run-id "
                        f"{outcome.run_id} to finish")
    if outcome.cancelled:
        lines.insert(0, f"cancelled: {outcome.planned - len(outcome.results)} planned conversations did not run; "
                        f"finish with --resume --run-id {outcome.run_id}")
    sys.stdout.write("\n".join(line for line in lines if line) + "\n")


def _print_model_usage(console: Any, outcome: RunOutcome) -> None:
    from rich.table import Table

    from crmsim.runner import usage_by_model

    rows = usage_by_model(outcome.results)
    if not rows:
        return
    table = Table(title="tokens and cost by model")
    for column in ("role", "model", "conversations", "prompt tokens", "completion tokens", "cost $"):
        table.add_column(column, justify="right" if "tokens" in column or column in {"conversations", "cost $"}
                         else "left")
    for row in rows:
        table.add_row(row.role, row.model, str(row.conversations), str(row.prompt_tokens),
                      str(row.completion_tokens), f"{row.cost:.4f}")
    console.print(table)


def _run_settings(directory: Path) -> dict[str, Any]:
    try:
        config = json.loads((directory / "run.json").read_text(encoding="utf-8")).get("config", {})
    except (OSError, ValueError):
        config = {}
    return config if isinstance(config, dict) else {}


def tradeoff_table(runs: list[tuple[str, dict[str, Any], list[Any]]]) -> Any:
    """Task success against refusals, per run: the benchmark's central trade-off."""
    from rich.table import Table

    from crmsim.runner import confidentiality

    table = Table(title="task success and confidentiality")
    for column in ("run", "agent model", "strategy", "confidentiality prompt", "monitor", "business n",
                   "success", "false refusals", "must-refuse n", "refusal rate", "leak rate"):
        table.add_column(column, justify="right" if column.endswith((" n", "rate", "success", "refusals"))
                         else "left")
    for run_id, settings, results in runs:
        c = confidentiality(results)
        table.add_row(run_id, str(settings.get("agent_model", "?")), str(settings.get("agent_strategy", "react")),
                      "on" if settings.get("confidentiality_prompt") else "off", str(settings.get("monitor", "?")),
                      str(c.legitimate), f"{c.success:.2f}", f"{c.false_refusal_rate:.2f}", str(c.must_refuse),
                      f"{c.refusal_rate:.2f}", f"{c.leak_rate:.2f}")
    return table


def _compare(args: argparse.Namespace) -> int:
    from crmsim.runner import read_results, run_directory

    runs = []
    for run in args.runs:
        directory = run_directory(run, args.runs_dir)
        runs.append((directory.name, _run_settings(directory), read_results(directory)))
    _console().print(tradeoff_table(runs))
    return 0


def _score(args: argparse.Namespace) -> int:
    import anyio

    from crmsim.actors import LLMJudge
    from crmsim.models import ModelFactory, ResponseCache
    from crmsim.paths import cache_dir
    from crmsim.runner import rescore, run_directory, summarize, summary_table

    directory = run_directory(args.run, args.runs_dir)
    where = ModelFactory().resolve("judge", args.judge_model, base_url=args.judge_base_url,
                                   api_key=args.judge_api_key)

    async def judge_again() -> list[Any]:
        if where is None:
            return await rescore(directory)
        cache = ResponseCache(cache_dir() / "responses.sqlite", args.cache) if args.cache != "off" else None
        factory = ModelFactory(cache=cache)
        try:
            model = factory.build("judge", args.judge_model, base_url=args.judge_base_url,
                                  api_key=args.judge_api_key)
            return await rescore(directory, LLMJudge(model))
        finally:
            await factory.aclose()

    results = anyio.run(judge_again)
    epochs = max((r.epoch for r in results), default=1)
    _console().print(summary_table(summarize(results, epochs=epochs), title=f"re-scored {directory.name}"))
    sys.stdout.write(f"re-scored {len(results)} conversations; {directory / 'results.jsonl'} rewritten, "
                     f"scores appended to {directory / 'scores.jsonl'}\n")
    return 0


def _follow(args: argparse.Namespace) -> int:
    import anyio

    from crmsim.runner import event_matches, follow_events, format_event, run_directory

    directory = run_directory(args.run, args.runs_dir)
    kinds = set(args.kind) if args.kind else None

    async def tail() -> None:
        async for event in follow_events(directory, follow=not args.no_follow):
            if event_matches(event, conversation=args.conversation, kinds=kinds):
                sys.stdout.write((json.dumps(event) if args.json else format_event(event)) + "\n")
                sys.stdout.flush()

    try:
        anyio.run(tail)
    except BrokenPipeError:
        pass
    return 0
