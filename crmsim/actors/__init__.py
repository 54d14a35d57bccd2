"""Actors: per-conversation agent and simulated user, and the shared Salesforce tools, judge,
policy monitor and log sink, all joined by the bus."""

from ._conversation import Conversation, ConversationSpec, Ending, Limits, Spend, Termination
from ._judge import JudgeActor, judge_transcript
from ._llm_judge import LLMJudge
from ._monitor import MONITOR_MODES, POLICY_REFUSAL, MonitorMode, MonitorSession, PolicyMonitor, own_ids
from ._prompt import Strategy, agent_instructions, agent_messages, schema_prompt, task_context, user_messages
from ._sink import LogSink
from ._tools import SalesforceToolsActor, tools_address
from ._transcript import TRANSCRIPT_KINDS, Transcript

__all__ = [
    "MONITOR_MODES",
    "POLICY_REFUSAL",
    "TRANSCRIPT_KINDS",
    "Conversation",
    "ConversationSpec",
    "Ending",
    "JudgeActor",
    "Limits",
    "LLMJudge",
    "LogSink",
    "MonitorMode",
    "MonitorSession",
    "PolicyMonitor",
    "SalesforceToolsActor",
    "Spend",
    "Strategy",
    "Termination",
    "Transcript",
    "agent_instructions",
    "agent_messages",
    "judge_transcript",
    "own_ids",
    "schema_prompt",
    "task_context",
    "tools_address",
    "user_messages",
]
