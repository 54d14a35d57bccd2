"""Models behind one interface (:class:`Model`), and crmsim's deterministic built-in models.

Built-in names: agents ``crmsim-reference``, ``crmsim-naive``, ``crmsim-eager``; user
``crmsim-user``; judge ``crmsim-judge``. They need no network and no key.
"""

from ._base import ChatMessage, Completion, CompletionRequest, Model, Role, ToolCall, Usage
from ._builtin_agents import EagerAgent, NaiveAgent, ReferenceAgent, executed_statements, leaking_statement
from ._builtin_judge import JUDGE_KINDS, BuiltinJudge
from ._builtin_user import BuiltinUser
from ._cache import CACHE_MODES, CacheMode, ResponseCache, cache_key
from ._disclosure import (
    STOP_SIGNAL,
    STYLES,
    DisclosureRules,
    DisclosureStyle,
    FactSheet,
    Fault,
    check_turn,
    opening,
    reply,
)
from ._factory import BUILTIN_NAMES, EndpointLimits, ModelFactory, ModelsConfig, load_models_config
from ._facts import asks_something, is_released, requested_fact, vague_opening, withheld_context
from ._faults import FaultPlan, LatencyPlan
from ._function_tools import (
    AGENT_TOOLS,
    EXECUTE_SOQL,
    EXECUTE_SOSL,
    EXTRA_CALL,
    RESPOND,
    RESPOND_DELIVERED,
    TOOL_NAMES,
    as_react,
    react_to_tool_call,
    tool_call_for,
    turn_from_tool_call,
)
from ._limits import AdaptiveConcurrency, RateLimits
from ._openai import Endpoint, EndpointPool, EndpointSettings, OpenAIModel, backoff
from ._prices import DEFAULT_PRICES, Price, PriceTable
from ._react import CORRECTIVE_MESSAGE, OBSERVATION_PREFIX, Turn, format_turn, observation_message, parse_turn
from ._registry import (
    BUILTIN_AGENTS,
    BUILTIN_JUDGES,
    BUILTIN_USERS,
    Delayed,
    agent_model,
    builtin_model,
    check_judge_model,
    user_model,
)
from ._server import create_models_app, serve_models
from ._tokens import count_prompt_tokens, count_tokens, encoding

__all__ = [
    "BUILTIN_NAMES",
    "CACHE_MODES",
    "DEFAULT_PRICES",
    "STYLES",
    "AdaptiveConcurrency",
    "DisclosureRules",
    "DisclosureStyle",
    "FactSheet",
    "Fault",
    "check_turn",
    "opening",
    "reply",
    "CacheMode",
    "Endpoint",
    "EndpointLimits",
    "EndpointPool",
    "EndpointSettings",
    "ModelFactory",
    "ModelsConfig",
    "OpenAIModel",
    "Price",
    "PriceTable",
    "RateLimits",
    "ResponseCache",
    "backoff",
    "cache_key",
    "load_models_config",
    "AGENT_TOOLS",
    "EXECUTE_SOQL",
    "EXECUTE_SOSL",
    "EXTRA_CALL",
    "JUDGE_KINDS",
    "RESPOND",
    "RESPOND_DELIVERED",
    "TOOL_NAMES",
    "BuiltinJudge",
    "ToolCall",
    "as_react",
    "builtin_model",
    "react_to_tool_call",
    "tool_call_for",
    "turn_from_tool_call",
    "BUILTIN_AGENTS",
    "BUILTIN_JUDGES",
    "BUILTIN_USERS",
    "CORRECTIVE_MESSAGE",
    "OBSERVATION_PREFIX",
    "STOP_SIGNAL",
    "BuiltinUser",
    "ChatMessage",
    "Completion",
    "CompletionRequest",
    "Delayed",
    "EagerAgent",
    "FaultPlan",
    "LatencyPlan",
    "Model",
    "NaiveAgent",
    "ReferenceAgent",
    "Role",
    "Turn",
    "Usage",
    "agent_model",
    "asks_something",
    "check_judge_model",
    "count_prompt_tokens",
    "count_tokens",
    "create_models_app",
    "encoding",
    "executed_statements",
    "format_turn",
    "is_released",
    "leaking_statement",
    "observation_message",
    "parse_turn",
    "requested_fact",
    "serve_models",
    "user_model",
    "vague_opening",
    "withheld_context",
]
