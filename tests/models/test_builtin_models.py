"""The built-in deterministic models, driven through the Model interface with hand-built
conversations: the simulated user, the reference, naive and eager agents, and the registry."""

from __future__ import annotations

import time

import pytest

from crmsim.errors import ConfigError, ModelError
from crmsim.models import (
    BUILTIN_AGENTS,
    BUILTIN_USERS,
    STOP_SIGNAL,
    BuiltinUser,
    ChatMessage,
    CompletionRequest,
    Delayed,
    EagerAgent,
    Model,
    NaiveAgent,
    ReferenceAgent,
    Turn,
    agent_model,
    check_judge_model,
    count_prompt_tokens,
    count_tokens,
    executed_statements,
    format_turn,
    leaking_statement,
    observation_message,
    parse_turn,
    user_model,
    vague_opening,
)
from crmsim.tasks import Task, TaskType

SYSTEM: ChatMessage = {"role": "system", "content": "You are a user of a CRM assistant."}


def _first(tasks: list[Task], task_type: TaskType) -> Task:
    return next(task for task in tasks if task.task_type is task_type and task.org == "b2b")


@pytest.fixture
def two_facts(generated_tasks: list[Task]) -> Task:
    """A handle_time task: it holds back a period and a minimum number of cases."""
    task = _first(generated_tasks, TaskType.HANDLE_TIME)
    assert [fact.name for fact in task.held_facts] == ["period", "min_cases"]
    return task


@pytest.fixture
def confidential(generated_tasks: list[Task]) -> Task:
    task = _first(generated_tasks, TaskType.PRIVATE_CUSTOMER_INFORMATION)
    assert task.expects_refusal and not task.held_facts
    return task


async def _say(model: Model, messages: list[ChatMessage], task: Task | None, mode: str, role: str = "user") -> str:
    request = CompletionRequest(messages=tuple(messages), role=role, task=task, mode=mode)  # type: ignore[arg-type]
    return (await model.complete(request)).text


def _user_side(*turns: str) -> list[ChatMessage]:
    """The user's view: its own messages as assistant, the agent's as user, alternating from the user."""
    messages = [SYSTEM]
    for i, text in enumerate(turns):
        messages.append({"role": "assistant" if i % 2 == 0 else "user", "content": text})
    return messages


# -- the simulated user -------------------------------------------------------------------------


async def test_user_opens_with_the_query_in_single_mode(two_facts: Task) -> None:
    assert await _say(BuiltinUser(), [SYSTEM], two_facts, "single") == two_facts.query


async def test_user_opens_vaguely_in_multi_mode(two_facts: Task) -> None:
    opening = await _say(BuiltinUser(), [SYSTEM], two_facts, "multi")
    assert opening == vague_opening(two_facts) != two_facts.query


async def test_user_gives_one_held_fact_per_question_in_order(two_facts: Task) -> None:
    user = BuiltinUser()
    period, min_cases = two_facts.held_facts
    opening = vague_opening(two_facts)
    first = await _say(user, _user_side(opening, "Could you give me more details?"), two_facts, "multi")
    assert first == period.utterance
    second = await _say(user, _user_side(opening, "More details?", first, "Anything else I should know?"),
                        two_facts, "multi")
    assert second == min_cases.utterance
    third = await _say(user, _user_side(opening, "?", first, "?", second, "Can you tell me more?"), two_facts, "multi")
    assert third == STOP_SIGNAL  # nothing left to give


async def test_user_gives_the_fact_the_question_names(two_facts: Task) -> None:
    period, min_cases = two_facts.held_facts
    asked = _user_side(vague_opening(two_facts), "Could you tell me the min cases?")
    assert await _say(BuiltinUser(), asked, two_facts, "multi") == min_cases.utterance
    then = _user_side(vague_opening(two_facts), "Min cases?", min_cases.utterance, "And which period?")
    assert await _say(BuiltinUser(), then, two_facts, "multi") == period.utterance


async def test_user_stops_after_an_answer(two_facts: Task) -> None:
    answered = _user_side(vague_opening(two_facts), "The agent is 005Wt0000000005IAA.")
    assert await _say(BuiltinUser(), answered, two_facts, "multi") == STOP_SIGNAL


async def test_user_stops_after_any_reply_in_single_mode(two_facts: Task) -> None:
    asked = _user_side(two_facts.query, "Could you tell me the period?")
    assert await _say(BuiltinUser(), asked, two_facts, "single") == STOP_SIGNAL


async def test_user_reports_its_usage(two_facts: Task) -> None:
    messages = _user_side(vague_opening(two_facts), "Could you tell me the period?")
    completion = await BuiltinUser().complete(CompletionRequest(messages=messages, role="user", task=two_facts,
                                                                mode="multi"))
    assert completion.model == "crmsim-user"
    assert completion.usage.prompt_tokens == count_prompt_tokens(messages)
    assert completion.usage.completion_tokens == count_tokens(completion.text) > 0
    assert completion.cost == 0.0


async def test_user_without_a_task_raises_model_error() -> None:
    with pytest.raises(ModelError, match="crmsim-user") as info:
        await _say(BuiltinUser(), [SYSTEM], None, "single")
    assert (info.value.model, info.value.role) == ("crmsim-user", "user")


async def test_user_asked_to_speak_twice_raises_model_error(two_facts: Task) -> None:
    messages: list[ChatMessage] = [SYSTEM, {"role": "assistant", "content": two_facts.query}]
    with pytest.raises(ModelError, match="speak twice"):
        await _say(BuiltinUser(), messages, two_facts, "single")


# -- the agents --------------------------------------------------------------------------------


def _agent_side(task: Task, *texts: str) -> list[ChatMessage]:
    """The agent's view: the two system messages, then user and assistant messages alternating."""
    messages: list[ChatMessage] = [{"role": "system", "content": "schema"}, {"role": "system", "content": "context"}]
    for i, text in enumerate(texts):
        messages.append({"role": "user" if i % 2 == 0 else "assistant", "content": text})
    return messages


async def test_naive_agent_answers_none_at_once() -> None:
    text = await _say(NaiveAgent(), _agent_side(_dummy()), None, "single", role="agent")
    assert parse_turn(text) == Turn("respond", "None", "I will answer right away.")


async def test_reference_agent_starts_with_a_query_in_single_mode(two_facts: Task) -> None:
    text = await _say(ReferenceAgent(), _agent_side(two_facts, two_facts.query), two_facts, "single", role="agent")
    turn = parse_turn(text)
    assert turn.action == "execute"
    assert turn.content.upper().startswith(("SELECT", "FIND"))


async def test_reference_agent_asks_for_each_held_fact_first_in_multi_mode(two_facts: Task) -> None:
    agent = ReferenceAgent()
    period, min_cases = two_facts.held_facts
    opening = vague_opening(two_facts)
    asked = parse_turn(await _say(agent, _agent_side(two_facts, opening), two_facts, "multi", role="agent"))
    assert (asked.action, asked.content) == ("respond", "Could you tell me the period?")
    messages = _agent_side(two_facts, opening, format_turn("t", respond=asked.content), period.utterance)
    asked = parse_turn(await _say(agent, messages, two_facts, "multi", role="agent"))
    assert (asked.action, asked.content) == ("respond", "Could you tell me the min cases?")
    messages += [{"role": "assistant", "content": format_turn("t", respond=asked.content)},
                 {"role": "user", "content": min_cases.utterance}]
    assert parse_turn(await _say(agent, messages, two_facts, "multi", role="agent")).action == "execute"


async def test_reference_agent_cannot_read_a_broken_observation(two_facts: Task) -> None:
    agent = ReferenceAgent()
    first = await _say(agent, _agent_side(two_facts, two_facts.query), two_facts, "single", role="agent")
    messages = _agent_side(two_facts, two_facts.query, first, observation_message("MALFORMED_QUERY: oops"))
    with pytest.raises(ModelError, match="could not read") as info:
        await _say(agent, messages, two_facts, "single", role="agent")
    assert (info.value.model, info.value.role) == ("crmsim-reference", "agent")


@pytest.mark.parametrize("model", [ReferenceAgent(), EagerAgent()], ids=lambda m: m.name)
async def test_task_playing_agents_need_the_task(model: Model) -> None:
    with pytest.raises(ModelError, match="needs the task"):
        await _say(model, _agent_side(_dummy(), "hello"), None, "single", role="agent")


async def test_eager_agent_leaks_what_a_confidential_task_asks_for(confidential: Task) -> None:
    agent = EagerAgent()
    first = parse_turn(await _say(agent, _agent_side(confidential, confidential.query), confidential, "single",
                                  role="agent"))
    assert (first.action, first.content) == ("execute", leaking_statement(confidential))
    observation = '[{"Name": "Steven Hardin", "Email": "steven@example.com"}]'
    messages = _agent_side(confidential, confidential.query, format_turn("t", execute=first.content),
                           observation_message(observation))
    answer = parse_turn(await _say(agent, messages, confidential, "single", role="agent"))
    assert (answer.action, answer.content) == ("respond", f"Sure! Here is what I found: {observation}")


async def test_eager_agent_solves_business_tasks_like_the_reference(two_facts: Task) -> None:
    messages = _agent_side(two_facts, two_facts.query)
    eager = await _say(EagerAgent(), messages, two_facts, "single", role="agent")
    reference = await _say(ReferenceAgent(), messages, two_facts, "single", role="agent")
    assert parse_turn(eager).content == parse_turn(reference).content


def test_executed_statements_pairs_executes_with_their_observations() -> None:
    messages = _agent_side(_dummy(), "question",
                           format_turn("a", execute="SELECT Id FROM Account"), observation_message("[]"),
                           format_turn("b", respond="Which one?"), "The first.",
                           "<execute>broken", observation_message("ignored: not an execute"),
                           format_turn("c", execute="FIND {x}"), observation_message('[{"Id": "1"}]'))
    assert executed_statements(messages) == [("SELECT Id FROM Account", "[]"), ("FIND {x}", '[{"Id": "1"}]')]


# -- the registry ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BUILTIN_AGENTS))
def test_agent_models_by_name(name: str) -> None:
    model = agent_model(name)
    assert isinstance(model, BUILTIN_AGENTS[name])
    assert model.name == name


def test_user_and_judge_models_by_name() -> None:
    assert isinstance(user_model("crmsim-user"), BUILTIN_USERS["crmsim-user"])
    assert check_judge_model("crmsim-judge") == "crmsim-judge"


@pytest.mark.parametrize(("lookup", "name", "known"), [
    (agent_model, "gpt-4o", ["crmsim-reference", "crmsim-naive", "crmsim-eager"]),
    (user_model, "crmsim-reference", ["crmsim-user"]),
    (check_judge_model, "crmsim-user", ["crmsim-judge"]),
])
def test_unknown_model_names_list_the_built_in_ones(lookup: object, name: str, known: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        lookup(name)  # type: ignore[operator]
    message = str(info.value)
    assert repr(name) in message
    assert all(builtin in message for builtin in known)


async def test_latency_wraps_a_model_in_delayed() -> None:
    model = agent_model("crmsim-naive", latency=0.05)
    assert isinstance(model, Delayed) and isinstance(model.model, NaiveAgent)
    assert model.name == "crmsim-naive"
    assert isinstance(user_model("crmsim-user", latency=0.01), Delayed)
    assert not isinstance(agent_model("crmsim-naive", latency=0.0), Delayed)
    started = time.perf_counter()
    text = await _say(model, _agent_side(_dummy(), "q"), None, "single", role="agent")
    assert time.perf_counter() - started >= 0.05
    assert parse_turn(text).content == "None"


def _dummy() -> Task:
    return Task.model_validate({"id": "t-1", "task_type": "knowledge_qa", "org": "b2b", "query": "What?",
                                "answer": ["x"], "source": {"origin": "generated", "seed": 0}})
