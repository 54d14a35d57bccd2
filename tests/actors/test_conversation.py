"""A conversation's lifecycle, driven directly with a MemoryBus, a live sandbox behind a
SalesforceToolsActor, and small scripted models (subclasses of the Model interface): every way a
conversation can end, failure isolation, backpressure from a slow log sink, and scoring by the judge.
"""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Collection, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import anyio
import pytest
import structlog
from anyio.abc import TaskStatus

from crmsim.actors import (
    Conversation,
    ConversationSpec,
    Ending,
    JudgeActor,
    Limits,
    LogSink,
    MonitorMode,
    PolicyMonitor,
    SalesforceToolsActor,
    Termination,
    agent_instructions,
    schema_prompt,
    task_context,
    tools_address,
)
from crmsim.bus import (
    AgentMessage,
    Bus,
    ConversationEnded,
    Envelope,
    MalformedTurn,
    MemoryBus,
    Mode,
    PolicyVerdict,
    Scored,
    ToolResult,
    UserMessage,
    envelope_from_event,
)
from crmsim.errors import ModelError
from crmsim.models import (
    CORRECTIVE_MESSAGE,
    STOP_SIGNAL,
    BuiltinUser,
    Completion,
    CompletionRequest,
    EagerAgent,
    Model,
    NaiveAgent,
    ReferenceAgent,
    Usage,
    format_turn,
    vague_opening,
)
from crmsim.policies import PolicyEngine
from crmsim.salesforce import SalesforceClient, SalesforceConfig
from crmsim.sandbox.app import create_app
from crmsim.sandbox.server import open_store, serve_sandbox
from crmsim.tasks import Task, TaskType

if TYPE_CHECKING:
    from conftest import GeneratedOrg

RUN = "run-test"
SCHEMA = "# the schema prompt"
QUERY = "SELECT Id, Name FROM Account ORDER BY Name LIMIT 2"
ANSWER = "The agent is 005Wt0000000005IAA."


# -- scripted models and helper actors ---------------------------------------------------------


class Scripted(Model):
    """A model that gives preset replies in order (the last one repeats): a text is returned, an
    exception is raised. ``delay`` seconds pass before each reply; every request is kept."""

    def __init__(self, *replies: str | BaseException, name: str = "scripted", delay: float = 0.0) -> None:
        self.name = name
        self.replies = replies
        self.delay = delay
        self.requests: list[CompletionRequest] = []
        self.called = anyio.Event()

    async def complete(self, request: CompletionRequest) -> Completion:
        self.requests.append(request)
        self.called.set()
        if self.delay:
            await anyio.sleep(self.delay)
        reply = self.replies[min(len(self.requests), len(self.replies)) - 1]
        if isinstance(reply, BaseException):
            raise reply
        return Completion(text=reply, model=self.name, usage=Usage(11, 3), cost=0.001)


def execute(statement: str = QUERY) -> str:
    return format_turn("I need data.", execute=statement)


def respond(message: str) -> str:
    return format_turn("Time to reply.", respond=message)


class Recorder:
    """A tap that keeps every envelope (or those of ``kinds``) in order."""

    def __init__(self, bus: Bus, name: str = "recorder", kinds: Collection[str] | None = None) -> None:
        self.bus = bus
        self.name = name
        self._tap = bus.tap(name, kinds=kinds, max_buffer=100_000)
        self.envelopes: list[Envelope] = []

    async def run(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        async with self._tap:
            task_status.started()
            async for envelope in self._tap:
                self.envelopes.append(envelope)

    def close(self) -> None:
        self.bus.close_tap(self.name)

    def of(self, cid: str, *kinds: str) -> list[Envelope]:
        return [e for e in self.envelopes if e.conversation_id == cid and (not kinds or e.kind in kinds)]

    def kinds(self, cid: str) -> list[str]:
        return [e.kind for e in self.of(cid)]

    def ended(self, cid: str) -> ConversationEnded:
        (envelope,) = self.of(cid, "conversation_ended")
        assert isinstance(envelope.payload, ConversationEnded)
        return envelope.payload


@asynccontextmanager
async def running(*actors: Any) -> AsyncIterator[None]:
    """Start shared actors in order with ``tg.start``; on exit close them in reverse order, each one
    drained before the next is closed (tools first, the recorder last)."""
    async with anyio.create_task_group() as tg:
        finished = []
        for actor in actors:
            done = anyio.Event()
            await tg.start(_until_done, actor, done)
            finished.append(done)
        try:
            yield
        finally:
            with anyio.fail_after(10, shield=True):
                for actor, done in reversed(list(zip(actors, finished, strict=True))):
                    actor.close()
                    await done.wait()


async def _until_done(actor: Any, done: anyio.Event, *, task_status: TaskStatus[None]) -> None:
    try:
        await actor.run(task_status=task_status)
    finally:
        done.set()


def conversation(bus: Bus, task: Task, agent: Model, user: Model | None = None, *, mode: Mode = "single",
                 limits: Limits | None = None, cid: str | None = None, schema: str = SCHEMA,
                 monitor: PolicyMonitor | None = None) -> Conversation:
    spec = ConversationSpec(cid or f"{task.id}:{mode}:default:1", task, mode, "default", 1)
    audience = "external" if task.expects_refusal else "internal"
    return Conversation(spec=spec, bus=bus, run_id=RUN, limits=limits or Limits(), agent_model=agent,
                        user_model=user or BuiltinUser(), schema_prompt=schema, tools_address=tools_address("b2b"),
                        policy_monitor=monitor, audience=audience)


def assert_lifecycle(recorder: Recorder, cid: str) -> None:
    """Sequence numbers 1..n in order; started first; exactly one ended, after every other
    conversation envelope."""
    envelopes = recorder.of(cid)
    assert [e.seq for e in envelopes] == list(range(1, len(envelopes) + 1))
    assert all(e.run_id == RUN for e in envelopes)
    kinds = [e.kind for e in envelopes if e.kind not in {"scored", "policy_verdict"}]
    assert kinds[0] == "conversation_started"
    assert kinds.count("conversation_ended") == 1
    assert kinds[-1] == "conversation_ended"


@pytest.fixture
def bus() -> MemoryBus:
    return MemoryBus(RUN)


@pytest.fixture
def handle_time(b2b: GeneratedOrg) -> Task:
    """A task holding back two facts: a period, then a minimum number of cases."""
    task = b2b.task(TaskType.HANDLE_TIME)
    assert [fact.name for fact in task.held_facts] == ["period", "min_cases"]
    return task


# -- every termination reason --------------------------------------------------------------------


def test_every_reachable_termination_reason_has_a_test() -> None:
    """A tripwire: a new reason needs a test below. policy_block needs the monitor's enforce mode,
    which this version does not have."""
    tested = {Termination.AGENT_ANSWER, Termination.USER_STOP, Termination.MAX_STEPS, Termination.MAX_USER_TURNS,
              Termination.TIMEOUT, Termination.MODEL_ERROR, Termination.TOOL_ERROR, Termination.CANCELLED}
    assert set(Termination) - tested == {Termination.POLICY_BLOCK}


async def test_agent_answer_in_single_mode(bus: MemoryBus, handle_time: Task) -> None:
    agent = Scripted(respond("005Wt0000000005IAA"))
    recorder = Recorder(bus)
    convo = conversation(bus, handle_time, agent)
    async with running(recorder):
        ending = await convo.run()
    assert ending == Ending(Termination.AGENT_ANSWER, "005Wt0000000005IAA")
    cid = convo.id
    assert recorder.kinds(cid) == ["conversation_started", "model_call", "user_message", "model_call",
                                   "agent_message", "conversation_ended"]
    assert_lifecycle(recorder, cid)
    ended = recorder.ended(cid)
    assert (ended.reason, ended.answer, ended.steps, ended.user_turns, ended.error) == (
        "agent_answer", "005Wt0000000005IAA", 1, 1, None)
    (user_message,) = recorder.of(cid, "user_message")
    assert isinstance(user_message.payload, UserMessage)
    assert (user_message.payload.content, user_message.payload.turn, user_message.payload.stop) == (
        handle_time.query, 1, False)
    assert (user_message.sender, user_message.recipient) == (f"user/{cid}", f"agent/{cid}")
    (request,) = agent.requests
    assert [m["content"] for m in request.messages] == [agent_instructions(), SCHEMA,
                                                       task_context(handle_time, "single"), handle_time.query]
    assert (request.role, request.task, request.mode, request.conversation_id) == ("agent", handle_time, "single", cid)
    assert convo.usage["agent"] == Usage(11, 3)
    assert convo.cost == pytest.approx(0.001)


async def test_user_stop_in_multi_mode(bus: MemoryBus, handle_time: Task) -> None:
    period = handle_time.held_facts[0]
    agent = Scripted(respond("Could you tell me the period?"), respond(ANSWER))
    recorder = Recorder(bus)
    convo = conversation(bus, handle_time, agent, mode="multi")
    async with running(recorder):
        ending = await convo.run()
    assert ending == Ending(Termination.USER_STOP, ANSWER)
    users = [e.payload for e in recorder.of(convo.id, "user_message")]
    assert users == [UserMessage(content=vague_opening(handle_time), turn=1),
                     UserMessage(content=period.utterance, turn=2, released=["period"]),
                     UserMessage(content=STOP_SIGNAL, turn=2, stop=True)]
    stop = recorder.of(convo.id, "user_message")[-1]
    assert stop.recipient == "*"  # the stop is for the record, not for the agent
    assert [m["content"] for m in agent.requests[0].messages[2:3]] == [task_context(handle_time, "multi")]
    ended = recorder.ended(convo.id)
    assert (ended.reason, ended.steps, ended.user_turns) == ("user_stop", 2, 2)
    assert_lifecycle(recorder, convo.id)


async def test_max_steps_when_the_agent_never_responds(bus: MemoryBus, handle_time: Task,
                                                       client: SalesforceClient) -> None:
    agent = Scripted(execute())
    recorder = Recorder(bus)
    tools = SalesforceToolsActor(bus, "b2b", client)
    convo = conversation(bus, handle_time, agent, limits=Limits(max_steps=3))
    async with running(recorder, tools):
        ending = await convo.run()
    assert ending == Ending(Termination.MAX_STEPS, None)
    calls = recorder.of(convo.id, "tool_call")
    results = recorder.of(convo.id, "tool_result")
    assert [c.payload.step for c in calls] == [r.payload.step for r in results] == [1, 2, 3]  # type: ignore[union-attr]
    for result in results:
        assert isinstance(result.payload, ToolResult) and not result.payload.failed
        assert len(json.loads(result.payload.observation)) == 2
        assert (result.sender, result.recipient) == ("tools/b2b", f"agent/{convo.id}")
    assert len(agent.requests) == 3
    assert agent.requests[-1].messages[-1]["content"].startswith("Salesforce instance output: [")
    assert tools.calls == 3
    assert recorder.ended(convo.id).steps == 3
    assert_lifecycle(recorder, convo.id)


async def test_step_cap_restarts_after_each_respond(bus: MemoryBus, handle_time: Task,
                                                    client: SalesforceClient) -> None:
    """Three steps per agent message: two executes and a respond, twice, fit under max_steps=3."""
    agent = Scripted(execute(), execute(), respond("Could you tell me the period?"),
                     execute(), execute(), respond(ANSWER))
    recorder = Recorder(bus)
    tools = SalesforceToolsActor(bus, "b2b", client)
    convo = conversation(bus, handle_time, agent, mode="multi", limits=Limits(max_steps=3))
    async with running(recorder, tools):
        ending = await convo.run()
    assert ending == Ending(Termination.USER_STOP, ANSWER)
    assert convo.steps == 6
    assert [e.payload.step for e in recorder.of(convo.id, "agent_message")] == [3, 6]  # type: ignore[union-attr]
    assert_lifecycle(recorder, convo.id)


async def test_max_steps_counts_malformed_turns(bus: MemoryBus, handle_time: Task) -> None:
    agent = Scripted("I think the answer is 42.")
    recorder = Recorder(bus)
    convo = conversation(bus, handle_time, agent, limits=Limits(max_steps=2))
    async with running(recorder):
        ending = await convo.run()
    assert ending.reason is Termination.MAX_STEPS
    assert [e.payload.step for e in recorder.of(convo.id, "malformed_turn")] == [1, 2]  # type: ignore[union-attr]


async def test_malformed_turn_gets_the_corrective_message_and_counts_as_a_step(bus: MemoryBus,
                                                                              handle_time: Task) -> None:
    agent = Scripted("<execute>SELECT Id FROM Account", respond("None"))
    recorder = Recorder(bus)
    convo = conversation(bus, handle_time, agent)
    async with running(recorder):
        ending = await convo.run()
    assert ending == Ending(Termination.AGENT_ANSWER, "None")
    (malformed,) = recorder.of(convo.id, "malformed_turn")
    assert malformed.payload == MalformedTurn(raw="<execute>SELECT Id FROM Account",
                                              problem="an <execute> or <respond> tag is not closed", step=1)
    assert malformed.recipient == "*"
    second = agent.requests[1].messages
    assert [m["role"] for m in second[-2:]] == ["assistant", "user"]
    assert second[-2]["content"] == "<execute>SELECT Id FROM Account"
    assert second[-1]["content"] == CORRECTIVE_MESSAGE
    assert recorder.ended(convo.id).steps == 2
    assert recorder.of(convo.id, "agent_message")[0].payload.step == 2  # type: ignore[union-attr]


async def test_max_user_turns(bus: MemoryBus, handle_time: Task) -> None:
    agent = Scripted(respond("Could you say more?"))
    user = Scripted("I need help with my team.", name="chatty-user")
    recorder = Recorder(bus)
    convo = conversation(bus, handle_time, agent, user, mode="multi", limits=Limits(max_user_turns=2))
    async with running(recorder):
        ending = await convo.run()
    assert ending == Ending(Termination.MAX_USER_TURNS, "Could you say more?")
    assert [e.payload.turn for e in recorder.of(convo.id, "user_message")] == [1, 2]  # type: ignore[union-attr]
    ended = recorder.ended(convo.id)
    assert (ended.user_turns, ended.steps) == (2, 2)
    assert len(user.requests) == 3  # the third message was asked for, then refused by the cap
    assert [m["role"] for m in user.requests[-1].messages[1:]] == ["assistant", "user", "assistant", "user"]
    assert_lifecycle(recorder, convo.id)


async def test_timeout(bus: MemoryBus, handle_time: Task) -> None:
    agent = Scripted(respond("too late"), delay=30)
    recorder = Recorder(bus)
    convo = conversation(bus, handle_time, agent, limits=Limits(timeout_s=0.2))
    with anyio.fail_after(5):
        async with running(recorder):
            ending = await convo.run()
    assert ending == Ending(Termination.TIMEOUT, None, "no ending within 0.2 s")
    ended = recorder.ended(convo.id)
    assert (ended.reason, ended.error) == ("timeout", "no ending within 0.2 s")
    assert 0.2 <= ended.duration_s < 3
    assert_lifecycle(recorder, convo.id)


@pytest.mark.parametrize(("role", "error", "detail"), [
    ("agent", ModelError("rate limited", model="scripted", role="agent"), "agent model scripted: rate limited"),
    ("user", ModelError("no key", model="scripted", role="user"), "user model scripted: no key"),
    ("agent", RuntimeError("boom"), "agent actor failed: RuntimeError: boom"),
    ("user", KeyError("persona"), "user actor failed: KeyError: 'persona'"),
], ids=["agent-model-error", "user-model-error", "agent-runtime-error", "user-key-error"])
async def test_model_error(bus: MemoryBus, handle_time: Task, role: str, error: Exception, detail: str) -> None:
    failing = Scripted(error)
    agent, user = (failing, None) if role == "agent" else (Scripted(respond("x")), failing)
    recorder = Recorder(bus)
    convo = conversation(bus, handle_time, agent, user)
    async with running(recorder):
        ending = await convo.run()
    assert ending == Ending(Termination.MODEL_ERROR, None, detail)
    ended = recorder.ended(convo.id)
    assert (ended.reason, ended.error) == ("model_error", detail)
    assert_lifecycle(recorder, convo.id)


async def test_actor_failure_is_logged_with_its_conversation(bus: MemoryBus, handle_time: Task) -> None:
    convo = conversation(bus, handle_time, Scripted(RuntimeError("boom")), cid="c-logged")
    with structlog.testing.capture_logs(processors=[structlog.contextvars.merge_contextvars]) as logs:
        await convo.run()
    failed = [entry for entry in logs if entry["event"] == "actor_failed"]
    assert failed == [{"event": "actor_failed", "log_level": "warning", "conversation_id": "c-logged",
                       "actor": "agent", "reason": "model_error",
                       "error": "agent actor failed: RuntimeError: boom"}]
    assert structlog.contextvars.get_contextvars() == {}  # the binding does not outlive the actor


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def _unreachable_client(how: str, path: Path) -> AsyncIterator[SalesforceClient]:
    """A client whose org cannot be reached: nothing ever listened there, or the sandbox it logged in
    to has stopped."""
    if how == "closed-port":
        config = SalesforceConfig(instance_url=f"http://127.0.0.1:{_closed_port()}", max_retries=0, timeout=5)
        async with SalesforceClient(config) as sf:
            yield sf
        return
    store = open_store(path)
    try:
        async with serve_sandbox(create_app(store)) as url:
            sf = SalesforceClient(SalesforceConfig(instance_url=url, max_retries=0, timeout=5))
            await sf.__aenter__()
            await sf.query_all("SELECT Id FROM Account LIMIT 1")  # logged in, connection pooled
        try:
            yield sf
        finally:
            await sf.aclose()
    finally:
        store.close()


@pytest.mark.parametrize("how", ["closed-port", "stopped-sandbox"])
async def test_tool_error_when_the_org_cannot_be_reached(bus: MemoryBus, handle_time: Task, b2b: GeneratedOrg,
                                                         how: str) -> None:
    agent = Scripted(execute(), respond("never reached"))
    recorder = Recorder(bus)
    async with _unreachable_client(how, b2b.path) as dead:
        tools = SalesforceToolsActor(bus, "b2b", dead)
        convo = conversation(bus, handle_time, agent)
        with structlog.testing.capture_logs() as logs, anyio.fail_after(10):
            async with running(recorder, tools):
                ending = await convo.run()
    assert ending.reason is Termination.TOOL_ERROR
    assert ending.error is not None and "CONNECTION_FAILED" in ending.error
    (result,) = recorder.of(convo.id, "tool_result")
    assert isinstance(result.payload, ToolResult) and result.payload.failed
    assert result.payload.observation == ending.error
    assert recorder.ended(convo.id).reason == "tool_error"
    assert len(agent.requests) == 1
    assert [entry["conversation_id"] for entry in logs if entry["event"] == "tool_failed"] == [convo.id]


async def test_cancelled_conversation_still_reports_its_end(bus: MemoryBus, handle_time: Task) -> None:
    agent = Scripted(respond("never"), delay=3600)
    recorder = Recorder(bus)
    convo = conversation(bus, handle_time, agent)
    endings: list[Ending] = []

    async def run() -> None:
        endings.append(await convo.run())

    with anyio.fail_after(5):
        async with running(recorder):
            async with anyio.create_task_group() as tg:
                tg.start_soon(run)
                await agent.called.wait()
                tg.cancel_scope.cancel()
    assert endings == []  # run() was cancelled, as its caller asked
    assert convo.ending == Ending(Termination.CANCELLED, None)
    ended = recorder.ended(convo.id)
    assert (ended.reason, ended.steps, ended.user_turns) == ("cancelled", 1, 1)
    assert_lifecycle(recorder, convo.id)
    assert bus.statistics().undeliverable == 0


# -- isolation and backpressure ----------------------------------------------------------------


async def test_a_failing_conversation_does_not_end_the_other(bus: MemoryBus, handle_time: Task) -> None:
    broken = conversation(bus, handle_time, Scripted(RuntimeError("boom"), delay=0.05), cid="broken",
                          mode="multi")
    healthy = conversation(bus, handle_time, Scripted(respond("Could you tell me the period?"), respond(ANSWER),
                                                      delay=0.05), cid="healthy", mode="multi")
    recorder = Recorder(bus)
    endings: dict[str, Ending] = {}

    async def run(convo: Conversation) -> None:
        endings[convo.id] = await convo.run()

    with anyio.fail_after(10):
        async with running(recorder), anyio.create_task_group() as tg:
            tg.start_soon(run, broken)
            tg.start_soon(run, healthy)
    assert endings["broken"].reason is Termination.MODEL_ERROR
    assert endings["healthy"] == Ending(Termination.USER_STOP, ANSWER)
    for cid in ("broken", "healthy"):
        assert_lifecycle(recorder, cid)


class SlowSink(LogSink):
    """A log sink on a slow disk."""

    async def write_batch(self, stream: TextIO, envelopes: list[Envelope]) -> None:
        await anyio.sleep(0.003)
        await super().write_batch(stream, envelopes)


async def test_a_slow_log_sink_slows_senders_and_loses_nothing(bus: MemoryBus, b2b: GeneratedOrg,
                                                               client: SalesforceClient, tmp_path: Path) -> None:
    max_buffer, batch = 2, 2
    recorder = Recorder(bus)
    sink = SlowSink(bus, tmp_path / "events.jsonl", max_buffer=max_buffer, batch=batch)
    tools = SalesforceToolsActor(bus, "b2b", client)
    tasks = [b2b.task(t) for t in (TaskType.HANDLE_TIME, TaskType.LEAD_ROUTING, TaskType.QUOTE_APPROVAL,
                                   TaskType.PRIVATE_CUSTOMER_INFORMATION)]
    convos = [conversation(bus, task, ReferenceAgent(), mode=mode) for task in tasks for mode in ("single", "multi")]
    endings: list[Ending] = []
    behind: list[int] = []

    async def run(convo: Conversation) -> None:
        endings.append(await convo.run())

    with anyio.fail_after(60):
        async with running(recorder, sink, tools):
            async with anyio.create_task_group() as tg:
                for convo in convos:
                    tg.start_soon(run, convo)
            behind.append(bus.statistics().sent - sink.written)
    stats = bus.statistics()
    assert sorted(e.reason.value for e in endings) == ["agent_answer"] * 4 + ["user_stop"] * 4
    lines = (tmp_path / "events.jsonl").read_text(encoding="utf-8").splitlines()
    logged = [envelope_from_event(json.loads(line)) for line in lines]
    missing = {(e.conversation_id, e.seq, e.kind) for e in recorder.envelopes} - {
        (e.conversation_id, e.seq, e.kind) for e in logged}
    assert not missing, f"envelopes missing from the log: {sorted(missing)}"
    assert sink.written == len(lines) == len(recorder.envelopes) == stats.sent > 100
    # When the conversations ended, the sink was at most its buffer plus the batch in hand behind them.
    assert behind[0] <= max_buffer + batch
    assert stats.max_depth >= max_buffer
    for convo in convos:
        seqs = [e.seq for e in logged if e.conversation_id == convo.id]
        assert seqs == list(range(1, len(seqs) + 1)), convo.id


# -- the judge and the policy monitor ----------------------------------------------------------


async def _judged(bus: MemoryBus, b2b: GeneratedOrg, client: SalesforceClient, agent: Model,
                  tasks: Sequence[Task], modes: Sequence[Mode], schema: str = SCHEMA,
                  monitor_mode: MonitorMode = "observe") -> tuple[Recorder, JudgeActor]:
    recorder = Recorder(bus)
    judge = JudgeActor(bus, {task.id: task for task in b2b.tasks})
    monitor = PolicyMonitor(PolicyEngine.from_directory(), monitor_mode)
    tools = SalesforceToolsActor(bus, "b2b", client)
    with anyio.fail_after(60):
        async with running(recorder, judge, tools), anyio.create_task_group() as tg:
            for task in tasks:
                for mode in modes:
                    tg.start_soon(conversation(bus, task, agent, mode=mode, schema=schema, monitor=monitor).run)
    return recorder, judge


async def test_reference_agent_scores_one_on_every_task_in_both_modes(bus: MemoryBus, b2b: GeneratedOrg,
                                                                     client: SalesforceClient) -> None:
    schema = await schema_prompt(client, "b2b")
    assert "## Account" in schema
    recorder, judge = await _judged(bus, b2b, client, ReferenceAgent(), b2b.tasks, ("single", "multi"), schema)
    assert {task.task_type for task in b2b.tasks} == set(TaskType)
    conversations = {e.conversation_id for e in recorder.envelopes}
    assert len(conversations) == judge.scored == 2 * len(b2b.tasks)
    failures = []
    for cid in sorted(conversations):
        assert_lifecycle(recorder, cid)
        (scored,) = recorder.of(cid, "scored")
        assert isinstance(scored.payload, Scored)
        ended = recorder.ended(cid)
        expected_reason = "agent_answer" if ":single:" in cid else "user_stop"
        if scored.payload.reward != 1.0 or scored.payload.error or ended.reason != expected_reason:
            failures.append(f"{cid}: {ended.reason} {ended.answer!r} -> {scored.payload}")
    assert not failures, "\n".join(failures)
    verdicts = [e.payload for e in recorder.envelopes if isinstance(e.payload, PolicyVerdict)]
    assert not [v for v in verdicts if v.action in ("block", "refuse") and v.target != "user_message"]
    assert bus.statistics().undeliverable == 0


CONFIDENTIAL = (TaskType.PRIVATE_CUSTOMER_INFORMATION, TaskType.INTERNAL_OPERATION_DATA,
                TaskType.CONFIDENTIAL_COMPANY_KNOWLEDGE)


async def test_eager_agent_fails_confidentiality_tasks_and_is_flagged(bus: MemoryBus, b2b: GeneratedOrg,
                                                                      client: SalesforceClient) -> None:
    tasks = [b2b.task(t) for t in CONFIDENTIAL]
    recorder, judge = await _judged(bus, b2b, client, EagerAgent(), tasks, ("single", "multi"), monitor_mode="observe")
    conversations = sorted({e.conversation_id for e in recorder.envelopes})
    assert len(conversations) == judge.scored == 6
    for cid in conversations:
        (scored,) = recorder.of(cid, "scored")
        assert isinstance(scored.payload, Scored)
        assert scored.payload.reward == 0.0 and scored.payload.error is None, cid
        assert recorder.of(cid, "tool_call"), f"{cid}: the eager agent did not look the data up"
        (answer,) = recorder.of(cid, "agent_message")
        assert isinstance(answer.payload, AgentMessage) and answer.payload.content.startswith("Sure!")
        verdicts = [e for e in recorder.of(cid, "policy_verdict") if isinstance(e.payload, PolicyVerdict)]
        assert verdicts, f"{cid}: the monitor saw nothing"
        assert all(not v.payload.enforced for v in verdicts)  # type: ignore[union-attr]
        assert {v.payload.action for v in verdicts} & {"block", "refuse", "redact"}  # type: ignore[union-attr]
        assert all((v.sender, v.recipient) == ("monitor", "*") for v in verdicts)


async def test_enforce_mode_turns_the_eager_agent_into_refusals(bus: MemoryBus, b2b: GeneratedOrg,
                                                               client: SalesforceClient) -> None:
    tasks = [b2b.task(t) for t in CONFIDENTIAL]
    recorder, judge = await _judged(bus, b2b, client, EagerAgent(), tasks, ("single", "multi"),
                                    monitor_mode="enforce")
    conversations = sorted({e.conversation_id for e in recorder.envelopes})
    assert len(conversations) == judge.scored == 6
    for cid in conversations:
        (scored,) = recorder.of(cid, "scored")
        assert isinstance(scored.payload, Scored) and scored.payload.reward == 1.0, (cid, scored.payload)
        enforced = [e for e in recorder.of(cid, "policy_verdict")
                    if isinstance(e.payload, PolicyVerdict) and e.payload.enforced]
        assert enforced, cid


async def test_naive_agent_is_scored_zero_where_an_answer_was_expected(bus: MemoryBus, b2b: GeneratedOrg,
                                                                       client: SalesforceClient) -> None:
    tasks = [task for task in b2b.tasks if task.answer != ["None"] and not task.expects_refusal][:3]
    recorder, _ = await _judged(bus, b2b, client, NaiveAgent(), tasks, ("single",))
    rewards = [e.payload.reward for e in recorder.envelopes if isinstance(e.payload, Scored)]
    assert rewards == [0.0, 0.0, 0.0]
