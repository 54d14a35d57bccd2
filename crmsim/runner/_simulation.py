"""A run: tasks x personas x epochs x modes as conversations, ``concurrency`` at a time, every
envelope in ``events.jsonl``, every scored conversation in ``results.jsonl``.

    sim = Simulation(RunConfig.build(orgs=["b2b"], per_type=1))
    outcome = await sim.run()          # or crmsim.run(orgs=["b2b"]) outside an event loop
    outcome.results, outcome.summary, outcome.directory
"""

from __future__ import annotations

import dataclasses
import gc
import json
import platform
import random
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AsyncExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import anyio
import structlog
from anyio.abc import TaskStatus
from pydantic import SecretStr

from crmsim.actors import (
    Conversation,
    ConversationSpec,
    JudgeActor,
    Limits,
    LLMJudge,
    LogSink,
    PolicyMonitor,
    SalesforceToolsActor,
    Spend,
    tools_address,
)
from crmsim.bus import BusStats, MemoryBus
from crmsim.errors import ConfigError
from crmsim.models import (
    BUILTIN_NAMES,
    DisclosureRules,
    EndpointLimits,
    Model,
    ModelFactory,
    ResponseCache,
    Role,
    encoding,
    load_models_config,
)
from crmsim.paths import cache_dir
from crmsim.personas import (
    Persona,
    default_personas_dir,
    fits,
    load_personas,
    personas_for,
    pick_persona,
    task_audience,
    validate_personas,
)
from crmsim.policies import PolicyEngine, default_policies_dir, load_policies, validate_policies
from crmsim.salesforce import SalesforceConfig
from crmsim.tasks import Task, save_tasks

from ._config import RunConfig
from ._orgs import OrgHandle, open_org
from ._progress import RunProgress
from ._results import ConversationResult, ResultsWriter, read_results
from ._schedule import LongestFirst, load_hints, save_hints
from ._summary import SummaryRow, summarize
from ._tasks import load_run_tasks

log = structlog.get_logger("crmsim.runner")
DEFAULT_PERSONA = "default"
ROLES: tuple[Role, ...] = ("agent", "user", "judge")


@dataclass(repr=False)
class RunOutcome:
    run_id: str
    directory: Path
    results: list[ConversationResult]
    summary: list[SummaryRow]
    planned: int
    cancelled: bool
    wall_s: float
    bus: BusStats
    skipped: int = 0
    budget_reached: bool = False
    spent_usd: float = 0.0
    model_retries: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def __repr__(self) -> str:  # short: asyncio builds it when a run's result is returned
        return (f"RunOutcome(run_id={self.run_id!r}, conversations={len(self.results)}, "
                f"mean_reward={self.mean_reward:.3f}, cancelled={self.cancelled})")

    @property
    def mean_reward(self) -> float:
        return sum(r.reward for r in self.results) / len(self.results) if self.results else 0.0


def conversation_id(task: Task, mode: str, persona: str, epoch: int) -> str:
    return f"{task.id}:{mode}:{persona}:{epoch}"


def plan(tasks: Sequence[Task], config: RunConfig,
         personas_of: Callable[[Task], Sequence[str]] | None = None) -> list[ConversationSpec]:
    """Every conversation of the run: tasks x their personas x epochs x modes (epochs outermost);
    :class:`LongestFirst` picks the start order."""
    specs = []
    for epoch in range(1, config.epochs + 1):
        for task in tasks:
            for persona in (personas_of(task) if personas_of else [task.persona or DEFAULT_PERSONA]):
                for mode in config.modes:
                    specs.append(ConversationSpec(conversation_id(task, mode, persona, epoch), task, mode, persona,
                                                  epoch))
    return specs


class Simulation:
    def __init__(self, config: RunConfig | None = None, *,
                 salesforce: Mapping[str, SalesforceConfig] | None = None,
                 on_result: Callable[[ConversationResult], None] | None = None, **settings: Any) -> None:
        """``salesforce``: per org, an org to use instead of starting the embedded sandbox.
        ``on_result``: called with each conversation's result as soon as it is scored."""
        if config is not None and settings:
            raise ConfigError("give either a RunConfig or keyword settings, not both")
        self.config = config or RunConfig.build(**settings)
        self.salesforce = dict(salesforce or {})
        self.on_result = on_result
        unknown = sorted(set(self.salesforce) - set(self.config.orgs))
        if unknown:
            raise ConfigError(f"salesforce settings for {', '.join(unknown)}, which the run does not use "
                              f"(orgs: {', '.join(self.config.orgs)})")
        self.models_config = load_models_config(self.config.models_config)
        self.personas = _load_personas(self.config.personas_dir)
        unknown_personas = sorted(set(self.config.personas or ()) - set(self.personas))
        if unknown_personas:
            raise ConfigError(f"unknown persona {', '.join(unknown_personas)}; personas in "
                              f"{self.config.personas_dir or default_personas_dir()}: {', '.join(self.personas)}")
        for role in ROLES:
            self._where(role)
        self.policy_monitor = (PolicyMonitor(_load_policies(self.config.policies_dir), self.config.monitor)
                               if self.config.monitor != "off" else None)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-") + f"{time.time_ns() % 10**6:06d}"
        self.run_id = self.config.run_id or stamp
        self.directory = self.config.runs_dir / self.run_id
        self._cancel: anyio.CancelScope | None = None
        self._queue: LongestFirst | None = None
        self._models: dict[Role, Model] = {}
        self._factory_used: ModelFactory | None = None
        self.spend = Spend()
        self.budget_reached = False
        self.cancelled = False

    def _role(self, role: Role) -> tuple[str, str | None, str | None]:
        """(model name, base URL, API key) of a role: its own settings, else the shared ones."""
        config = self.config
        name = getattr(config, f"{role}_model")
        url = getattr(config, f"{role}_base_url")
        key = getattr(config, f"{role}_api_key")
        from_file = self.models_config.roles.get(role)
        if from_file is not None:
            if name == RunConfig.model_fields[f"{role}_model"].default and from_file.model:
                name = from_file.model
            url = url or from_file.base_url
            key = key or (SecretStr(from_file.api_key() or "") if from_file.api_key() else None)
        url = url or config.base_url
        key = key or config.api_key
        return name, url, key.get_secret_value() if key is not None else None

    def _where(self, role: Role) -> tuple[str, str] | None:
        """Validate a role's model settings; None when it is a built-in in this process."""
        name, url, key = self._role(role)
        return ModelFactory(self.models_config).resolve(role, name, base_url=url, api_key=key)

    def _factory(self) -> ModelFactory:
        config = self.config
        cache = None
        if config.cache != "off":
            cache = ResponseCache(config.cache_path or cache_dir() / "responses.sqlite", config.cache)
        limits = EndpointLimits(rpm=config.rpm, tpm=config.tpm, max_concurrency=config.max_inflight)
        return ModelFactory(self.models_config, cache=cache, default_limits=limits)

    def cancel(self) -> None:
        """Stop starting conversations and cancel those in flight; they are recorded as ``cancelled``."""
        self.cancelled = True
        if self._cancel is not None:
            self._cancel.cancel()

    def _pair(self, tasks: Sequence[Task]) -> dict[str, list[str]]:
        """Each task's personas: the ones named with ``personas`` that fit it, or ``personas_per_task``
        fitting ones drawn with a per-task seed (the one the task names, if it names one)."""
        config, pool = self.config, self.personas
        pairs: dict[str, list[str]] = {}
        for task in tasks:
            if task.persona is not None:
                pick_persona(task, pool, random.Random(0))  # raises UnknownPersona for a missing file
                pairs[task.id] = [task.persona]
            elif config.personas:
                fitting = [pid for pid in config.personas if fits(pool[pid], task)]
                if not fitting:
                    raise ConfigError(f"none of the personas {', '.join(config.personas)} fits task {task.id} "
                                      f"({task.task_type.value}, org {task.org}, audience "
                                      f"{task_audience(task.task_type)}); fitting: "
                                      f"{', '.join(p.id for p in personas_for(task, pool)) or 'none'}")
                pairs[task.id] = fitting
            else:
                candidates = personas_for(task, pool)
                if not candidates:
                    pick_persona(task, pool, random.Random(0))  # raises NoFittingPersona
                rng = random.Random(f"{config.seed}:{task.id}")
                pairs[task.id] = [p.id for p in rng.sample(candidates, min(config.personas_per_task,
                                                                            len(candidates)))]
        return pairs

    async def run(self) -> RunOutcome:
        config = self.config
        if self.directory.exists() and not config.resume:
            raise ConfigError(f"run {self.run_id} already exists in {config.runs_dir}; pass --resume to finish "
                              "it or choose another --run-id")
        started = time.monotonic()
        async with AsyncExitStack() as stack:
            orgs: dict[str, OrgHandle] = {}
            for org in config.orgs:
                orgs[org] = await open_org(stack, org, seed=config.seed, scale=config.scale,
                                           max_concurrency=min(64, config.concurrency),
                                           salesforce=self.salesforce.get(org))
            tasks = await load_run_tasks(config, {org: handle.db for org, handle in orgs.items()})
            pairs = self._pair(tasks)
            done = self._prepare_directory()
            if not (self.directory / "tasks.jsonl").exists():
                await anyio.to_thread.run_sync(save_tasks, self.directory / "tasks.jsonl", tasks)
            specs = [spec for spec in plan(tasks, config, lambda task: pairs[task.id])
                     if spec.conversation_id not in done]
            await anyio.to_thread.run_sync(encoding)  # load the tokenizer off the event loop
            factory = self._factory()
            stack.push_async_callback(factory.aclose)
            self._models = {role: factory.build(role, name, base_url=url, api_key=key,
                                                latency=config.model_latency_s if role != "judge" else 0.0,
                                                temperature=config.temperature if role != "judge" else 0.0)
                            for role in ROLES for name, url, key in [self._role(role)]}
            self._factory_used = factory
            judge_name = self._role("judge")[0]
            if self.policy_monitor is not None and judge_name not in BUILTIN_NAMES:
                self.policy_monitor.llm = self._models["judge"]  # answers the policies' llm rules
            self._write_run_json(started_at=datetime.now(UTC), planned=len(specs) + len(done), tasks=len(tasks))
            bus = MemoryBus(self.run_id)
            gc.collect()
            gc.freeze()  # the long-lived setup heap is never scanned again: shorter collection pauses
            try:
                results, stats = await self._converse(bus, orgs, {t.id: t for t in tasks}, specs)
            finally:
                gc.unfreeze()
        everything = read_results(self.directory)
        outcome = RunOutcome(run_id=self.run_id, directory=self.directory, results=everything,
                             summary=summarize(everything, epochs=config.epochs), planned=len(specs) + len(done),
                             cancelled=self.cancelled, wall_s=time.monotonic() - started, bus=stats,
                             skipped=len(done), budget_reached=self.budget_reached, spent_usd=self.spend.total,
                             model_retries=factory.retries)
        self._write_run_json(ended_at=datetime.now(UTC), status="cancelled" if self.cancelled else "complete",
                             conversations=len(everything), new_conversations=len(results),
                             mean_reward=outcome.mean_reward, bus=stats._asdict(), spent_usd=self.spend.total,
                             budget_reached=self.budget_reached, model_retries=factory.retries)
        return outcome

    def _prepare_directory(self) -> set[str]:
        """Create the run directory; on resume, the conversations already finished (cancelled ones run again)."""
        results = self.directory / "results.jsonl"
        if self.directory.exists() and not self.config.resume:
            raise ConfigError(f"run {self.run_id} already exists in {self.config.runs_dir}; pass --resume to finish "
                              "it or choose another --run-id")
        if self.config.resume and not results.exists():
            raise ConfigError(f"nothing to resume: {results} does not exist")
        self.directory.mkdir(parents=True, exist_ok=True)
        if not self.config.resume:
            return set()
        kept = [r for r in read_results(self.directory) if r.termination_reason != "cancelled"]
        seen: set[str] = set()
        unique = [r for r in kept if not (r.conversation_id in seen or seen.add(r.conversation_id))]  # type: ignore[func-returns-value]
        partial = results.with_suffix(".jsonl.partial")
        partial.write_text("".join(r.model_dump_json() + "\n" for r in unique), encoding="utf-8")
        partial.replace(results)
        return seen

    def _write_run_json(self, **fields: Any) -> None:
        from importlib.metadata import version

        from crmsim import __version__
        from crmsim.data import GENERATOR_VERSION

        path = self.directory / "run.json"
        record: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if "run_id" not in record:
            record.update(run_id=self.run_id, config=self.config.model_dump(mode="json"), seed=self.config.seed,
                          versions={"crmsim": __version__, "data_generator": GENERATOR_VERSION,
                                    "python": platform.python_version(),
                                    **{name: version(name) for name in ("anyio", "aiohttp", "pydantic", "openai")}})
        for key, value in fields.items():
            record[key] = value.isoformat() if isinstance(value, datetime) else value
        partial = path.with_suffix(".json.partial")
        partial.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        partial.replace(path)

    async def _converse(self, bus: MemoryBus, orgs: dict[str, OrgHandle], tasks: dict[str, Task],
                        specs: list[ConversationSpec]) -> tuple[list[ConversationResult], BusStats]:
        config = self.config
        limits = Limits(max_steps=config.max_steps, max_user_turns=config.max_user_turns, timeout_s=config.timeout_s)
        with RunProgress(len(specs), enabled=config.progress) as progress:
            sink = LogSink(bus, self.directory / "events.jsonl")
            writer = ResultsWriter(bus, self.directory / "results.jsonl", on_result=self._result_callback(progress))
            llm = None if self._where("judge") is None else LLMJudge(self._models["judge"], self.spend)
            # A model judge waits on its endpoint like any role: allow as many judgings as requests in flight.
            judge = JudgeActor(bus, tasks, llm=llm, concurrency=config.max_inflight if llm else 32)
            tools = {org: SalesforceToolsActor(bus, org, handle.client) for org, handle in orgs.items()}
            async with anyio.create_task_group() as services:
                stops = [await services.start(_service, actor) for actor in (sink, writer, judge)]
                stops.extend([await services.start(_service, actor) for actor in tools.values()])
                services.start_soon(self._tick, progress)
                with structlog.contextvars.bound_contextvars(run_id=self.run_id):
                    await self._workers(bus, orgs, limits, specs)
                # Close in dependency order: tools, judge, results, log (each drains first).
                for stop in reversed(stops):
                    await stop()
                services.cancel_scope.cancel()  # the progress ticker
            return writer.results, bus.statistics()

    async def _tick(self, progress: RunProgress) -> None:
        """Refresh the progress line every second, so retries show while nothing finishes."""
        while True:
            await anyio.sleep(1.0)
            progress.refresh(retries=self._factory_used.retries if self._factory_used else 0,
                             spent=self.spend.total)

    def _result_callback(self, progress: RunProgress) -> Callable[[ConversationResult], None]:
        user_callback = self.on_result

        def take(result: ConversationResult) -> None:
            progress.add(result)
            if self._queue is not None:
                self._queue.observe(result)
            if user_callback is not None:
                user_callback(result)
        return take

    async def _workers(self, bus: MemoryBus, orgs: dict[str, OrgHandle], limits: Limits,
                       specs: list[ConversationSpec]) -> None:
        config = self.config
        hints = await anyio.to_thread.run_sync(load_hints, config.agent_model)
        queue = self._queue = LongestFirst(specs, hints)

        budget = config.budget_usd

        async def work() -> None:
            while True:
                if budget is not None and self.spend.total >= budget:
                    if not self.budget_reached:
                        log.warning("budget_reached", spent_usd=round(self.spend.total, 4), budget_usd=budget,
                                    not_started=len(queue))
                    self.budget_reached = True
                    return
                spec = queue.next()
                if spec is None:
                    return
                org = orgs[spec.task.org]
                persona = self.personas.get(spec.persona)
                conversation = Conversation(spec=spec, bus=bus, run_id=self.run_id,
                                            limits=_limits_for(limits, persona),
                                            agent_model=self._models["agent"], user_model=self._models["user"],
                                            schema_prompt=org.schema, tools_address=tools_address(org.org),
                                            strategy=config.agent_strategy,
                                            confidentiality_prompt=config.confidentiality_prompt, spend=self.spend,
                                            disclosure=_rules_of(persona), persona_prompt=_prompt_of(persona),
                                            policy_monitor=self.policy_monitor, audience=_audience(persona, spec.task))
                await conversation.run()

        self._cancel = anyio.CancelScope()
        if self.cancelled:
            self._cancel.cancel()
        with self._cancel:
            async with anyio.create_task_group() as tg:
                for _ in range(min(config.concurrency, len(specs))):
                    tg.start_soon(work)
        await anyio.to_thread.run_sync(save_hints, config.agent_model, queue.learned())


def _limits_for(limits: Limits, persona: Persona | None) -> Limits:
    """The run's caps, with the persona's patience as the user-turn cap when it is shorter."""
    if persona is None or persona.patience >= limits.max_user_turns:
        return limits
    return dataclasses.replace(limits, max_user_turns=persona.patience)


def _rules_of(persona: Persona | None) -> DisclosureRules:
    if persona is None:
        return DisclosureRules()
    d = persona.disclosure
    return DisclosureRules(style=d.style, facts_per_turn=d.facts_per_turn, volunteers=d.volunteers)


def _prompt_of(persona: Persona | None) -> str | None:
    if persona is None:
        return None
    traits = "; ".join(persona.traits)
    return (f"You are {persona.name}, {persona.role}. Tone: {persona.tone}."
            + (f" Traits: {traits}." if traits else "") + f"\n{persona.prompt.strip()}")


def _audience(persona: Persona | None, task: Task) -> str:
    """Who the agent talks to: the persona's audience, else the task type's (``any`` counts as internal)."""
    if persona is not None:
        return persona.audience
    return "external" if task_audience(task.task_type) == "external" else "internal"


def _load_policies(directory: Path | None) -> PolicyEngine:
    """Every policy file, validated; all problems in one error, before anything is written."""
    problems = validate_policies(directory if directory is not None else default_policies_dir())
    if problems:
        raise ConfigError("invalid policy files:\n" + "\n".join(str(p) for p in problems))
    return PolicyEngine(load_policies(directory))


def _load_personas(directory: Path | None) -> dict[str, Persona]:
    """Every persona file, validated; all problems in one error, before anything is written."""
    problems = validate_personas(directory)
    if problems:
        raise ConfigError("invalid persona files:\n" + "\n".join(str(p) for p in problems))
    personas = load_personas(directory)
    if not personas:
        raise ConfigError(f"no persona files in {directory or default_personas_dir()}")
    return personas


async def _service(actor: Any, *, task_status: TaskStatus[Any] = anyio.TASK_STATUS_IGNORED) -> None:
    """Run a shared actor; report a function that closes it and waits until it has drained."""
    finished = anyio.Event()

    async def stop() -> None:
        actor.close()
        await finished.wait()

    async with anyio.create_task_group() as tg:
        await tg.start(actor.run)
        task_status.started(stop)
    finished.set()
