"""Runs: many conversations at once, their results, summaries and pass^k."""

from ._config import RunConfig
from ._events import event_matches, follow_events, format_event, iter_events, run_directory
from ._rescore import rescore
from ._results import ConversationResult, ResultsWriter, TokenUsage, iter_results, read_results
from ._schedule import LongestFirst
from ._simulation import DEFAULT_PERSONA, RunOutcome, Simulation, conversation_id, plan
from ._summary import (
    SUMMARY_KEYS,
    Confidentiality,
    ModelUsage,
    SummaryRow,
    confidentiality,
    pass_hat_k,
    summarize,
    summary_table,
    usage_by_model,
)

__all__ = [
    "DEFAULT_PERSONA",
    "SUMMARY_KEYS",
    "Confidentiality",
    "ConversationResult",
    "LongestFirst",
    "ModelUsage",
    "ResultsWriter",
    "RunConfig",
    "RunOutcome",
    "Simulation",
    "SummaryRow",
    "TokenUsage",
    "confidentiality",
    "conversation_id",
    "event_matches",
    "follow_events",
    "format_event",
    "iter_events",
    "iter_results",
    "pass_hat_k",
    "plan",
    "read_results",
    "rescore",
    "run_directory",
    "summarize",
    "summary_table",
    "usage_by_model",
]
