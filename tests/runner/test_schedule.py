"""LongestFirst: every kind is tried once first, then the longest expected kind starts next."""

from __future__ import annotations

from crmsim.actors import ConversationSpec
from crmsim.runner import ConversationResult, LongestFirst, TokenUsage
from crmsim.tasks import HeldFact, Source, Task


def _task(task_type: str, n: int, facts: int = 0) -> Task:
    held = [HeldFact(name=f"f{i}", value=f"v{i}", utterance=f"it is v{i}") for i in range(facts)]
    return Task(id=f"{task_type}-{n}", task_type=task_type, org="b2b", query="q?", answer=["a"], held_facts=held,
                source=Source(origin="generated", seed=0))


def _spec(task: Task, mode: str = "single") -> ConversationSpec:
    return ConversationSpec(f"{task.id}:{mode}", task, mode, "default", 1)  # type: ignore[arg-type]


def _finished(spec: ConversationSpec, steps: int, reason: str = "agent_answer") -> ConversationResult:
    return ConversationResult(
        conversation_id=spec.conversation_id, task_id=spec.task.id, task_type=spec.task.task_type.value, skill="s",
        org="b2b", mode=spec.mode, persona="default", epoch=1, termination_reason=reason, answer="a", reward=1.0,
        scores=[], steps=steps - 1, user_turns=1, model_calls=steps, usage=TokenUsage(), duration_s=1.0)


def test_each_kind_once_then_longest_learned_first() -> None:
    specs = [_spec(_task("knowledge_qa", n)) for n in range(3)] + [_spec(_task("handle_time", n)) for n in range(3)]
    queue = LongestFirst(specs)
    first, second = queue.next(), queue.next()
    assert first is not None and second is not None
    assert {first.task.task_type.value, second.task.task_type.value} == {"knowledge_qa", "handle_time"}
    queue.observe(_finished(first if first.task.task_type.value == "knowledge_qa" else second, steps=2))
    queue.observe(_finished(first if first.task.task_type.value == "handle_time" else second, steps=9))
    order = [spec.task.task_type.value for spec in iter(queue.next, None)]
    assert order == ["handle_time", "handle_time", "knowledge_qa", "knowledge_qa"]
    assert len(queue) == 0 and queue.next() is None


def test_unfinished_kinds_count_as_long_and_priors_order_the_first_wave() -> None:
    multi = _spec(_task("lead_routing", 0, facts=2), "multi")
    single = _spec(_task("lead_routing", 1, facts=2))
    queue = LongestFirst([single, multi])
    assert queue.next() is multi  # two held facts to ask for: longer than single-turn
    known = _spec(_task("knowledge_qa", 0))
    queue = LongestFirst([known, _spec(_task("knowledge_qa", 1)), _spec(_task("handle_time", 0)),
                          _spec(_task("handle_time", 1))])
    started = [queue.next(), queue.next()]
    queue.observe(_finished(next(s for s in started if s and s.task.task_type.value == "knowledge_qa"), steps=30))
    assert queue.expected(("knowledge_qa", "single", "default")) == 30
    assert queue.expected(("handle_time", "single", "default")) > 30  # nothing finished yet: counts as long
    queue.observe(_finished(known, steps=99, reason="cancelled"))  # a cancelled one teaches nothing
    assert queue.expected(("knowledge_qa", "single", "default")) == 30


def test_hints_order_the_first_wave_and_are_kept_for_the_next_run() -> None:
    from crmsim.runner._schedule import load_hints, save_hints

    short, long = _spec(_task("knowledge_qa", 0)), _spec(_task("handle_time", 0))
    hints = {("knowledge_qa", "single", "default"): 12.0, ("handle_time", "single", "default"): 3.0}
    queue = LongestFirst([short, long], hints=hints)
    assert queue.next() is short
    queue.observe(_finished(short, steps=4))
    assert queue.learned() == {("knowledge_qa", "single", "default"): 4.0, ("handle_time", "single", "default"): 3.0}
    save_hints("some/model", queue.learned())
    assert load_hints("some/model") == queue.learned()
    assert load_hints("never-ran") == {}
