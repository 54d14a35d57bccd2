"""Envelopes survive the run log: ``to_event`` -> JSON -> ``envelope_from_event`` gives the same
envelope back, for every payload kind, and a line of an unknown kind or shape is rejected."""

from __future__ import annotations

import json
import typing

import pytest
from pydantic import ValidationError

from crmsim.bus import (
    KINDS,
    AgentMessage,
    ConversationEnded,
    ConversationStarted,
    Envelope,
    MalformedTurn,
    ModelCall,
    Payload,
    PolicyVerdict,
    Scored,
    SimulatorFault,
    ToolCall,
    ToolResult,
    UserMessage,
    envelope_from_event,
)
from crmsim.judge import Score

SAMPLES = [
    ConversationStarted(task_id="gen-b2b-handle_time-0-1", task_type="handle_time", org="b2b", mode="multi",
                        persona="default", epoch=2, expects_refusal=False),
    UserMessage(content="Look at the past four months, please.", turn=2, released=["period"]),
    UserMessage(content="###STOP###", turn=3, stop=True),
    AgentMessage(content="Could you tell me the period?", thought="I need the period.", step=1),
    ToolCall(statement="SELECT Id, Name FROM Account WHERE Name LIKE 'O\\'Brien%'", thought="look", step=2),
    ToolResult(observation='[{"Id": "001Wt000000000AIAQ", "Name": "Émile & Co"}]', step=2, duration_s=0.0125),
    ToolResult(observation="the Salesforce tool failed: CONNECTION_FAILED: refused", step=3, failed=True),
    MalformedTurn(raw="<thought>hmm</thought>", problem="no <execute> or <respond> block", step=4),
    ModelCall(role="agent", model="crmsim-reference", prompt_tokens=1234, completion_tokens=56, cost=0.0012,
              duration_s=0.25),
    SimulatorFault(fault="early_stop", detail="the user stopped before the agent answered", turn=2),
    PolicyVerdict(rule="confidential_request_answered", action="flag", severity="high", about_seq=7,
                  detail="the message does not decline"),
    ConversationEnded(reason="agent_answer", answer="005Wt0000000005IAA", steps=5, user_turns=1, duration_s=1.5),
    ConversationEnded(reason="model_error", answer=None, steps=0, user_turns=0, duration_s=0.01,
                      error="agent model x: boom"),
    Scored(reward=1.0, scores=[Score(metric="exact_match", value=1.0, answer=["OR"], expected=["OR"],
                                     explanation="same set", task_id="t-1")]),
    Scored(reward=0.0, scores=[], error="scorer exact_match failed: ValueError: x"),
]


def _envelope(payload: typing.Any, **routing: typing.Any) -> Envelope:
    fields = {"run_id": "run-1", "conversation_id": "task-1:multi:default:1", "sender": "agent/task-1:multi:default:1",
              "recipient": "*", "seq": 7, "ts": 1718366400.123456, **routing}
    return Envelope(payload=payload, **fields)


def test_kinds_lists_every_payload_class_once() -> None:
    union = typing.get_args(typing.get_args(Payload)[0])
    kinds = [cls.model_fields["kind"].default for cls in union]
    assert sorted(kinds) == sorted(KINDS)
    assert len(set(KINDS)) == len(KINDS)


def test_samples_cover_every_kind() -> None:
    assert {sample.kind for sample in SAMPLES} == set(KINDS)


@pytest.mark.parametrize("payload", SAMPLES, ids=lambda p: p.kind)
def test_round_trip_through_a_json_line(payload: typing.Any) -> None:
    envelope = _envelope(payload)
    line = json.dumps(envelope.to_event(), ensure_ascii=False)
    back = envelope_from_event(json.loads(line))
    assert back == envelope
    assert type(back.payload) is type(payload)
    assert back.kind == payload.kind


def test_event_has_flat_routing_and_nested_payload() -> None:
    envelope = _envelope(AgentMessage(content="hi", step=1), sender="agent/c1", recipient="user/c1")
    event = envelope.to_event()
    assert event == {"run_id": "run-1", "conversation_id": "task-1:multi:default:1", "seq": 7,
                     "ts": 1718366400.123456, "actor": "agent/c1", "recipient": "user/c1", "kind": "agent_message",
                     "payload": {"kind": "agent_message", "content": "hi", "thought": "", "step": 1}}


def test_unknown_kind_is_rejected() -> None:
    event = _envelope(AgentMessage(content="hi", step=1)).to_event()
    event["payload"] = {**event["payload"], "kind": "agent_whisper"}
    with pytest.raises(ValidationError, match="agent_whisper"):
        envelope_from_event(event)


def test_payload_of_the_wrong_shape_for_its_kind_is_rejected() -> None:
    event = _envelope(ToolCall(statement="SELECT Id FROM Account", step=1)).to_event()
    event["payload"] = {"kind": "tool_call", "content": "SELECT Id FROM Account", "step": 1}
    with pytest.raises(ValidationError):
        envelope_from_event(event)


def test_payload_without_a_kind_is_rejected() -> None:
    event = _envelope(AgentMessage(content="hi", step=1)).to_event()
    del event["payload"]["kind"]
    with pytest.raises(ValidationError):
        envelope_from_event(event)


def test_extra_routing_fields_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Envelope(run_id="r", conversation_id="c", sender="s", recipient="*", payload=AgentMessage(content="x", step=1),
                 priority=1)  # type: ignore[call-arg]


def test_payloads_are_frozen() -> None:
    payload = AgentMessage(content="x", step=1)
    with pytest.raises(ValidationError):
        payload.content = "y"  # type: ignore[misc]
