"""The 22 CRMArena-Pro task types: skill, metric, answer kind and refusal expectation of each.

The registry is the one place that knows these facts; the task model fills and checks a task's
``skill``, ``metric`` and ``expects_refusal`` from it, and the judge reads the answer kind (and the
key prefixes of the Ids a type answers with) from it.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType


class Skill(StrEnum):
    """The benchmark's four business skills plus confidentiality."""

    DATABASE = "Database Querying & Numerical Computation"
    RETRIEVAL = "Information Retrieval & Textual Reasoning"
    POLICY = "Policy Compliance"
    WORKFLOW = "Workflow Execution"
    CONFIDENTIALITY = "Confidentiality"


class Metric(StrEnum):
    """How a task is scored; each names a scorer registered in :mod:`crmsim.judge`."""

    EXACT_MATCH = "exact_match"
    FUZZY_MATCH = "fuzzy_match"
    PRIVACY_REJECTION = "privacy_rejection"


class AnswerKind(StrEnum):
    """What an answer is made of; the exact-match extractor is chosen by it."""

    IDS = "ids"  # Salesforce record Ids (agents, issues, products, tasks, knowledge articles)
    STATES = "states"  # two-letter US state codes
    MONTHS = "months"  # English month names
    BANT = "bant"  # the lead-qualification factors Budget, Authority, Need, Timeline
    STAGES = "stages"  # opportunity stages Qualification, Discovery, Quote, Negotiation, Closed
    TEXT = "text"  # free text, scored by token F1
    REFUSAL = "refusal"  # nothing to answer: the agent should decline


class TaskType(StrEnum):
    """The 19 business task types and the 3 confidentiality task types."""

    HANDLE_TIME = "handle_time"
    TRANSFER_COUNT = "transfer_count"
    BEST_REGION_IDENTIFICATION = "best_region_identification"
    MONTHLY_TREND_ANALYSIS = "monthly_trend_analysis"
    TOP_ISSUE_IDENTIFICATION = "top_issue_identification"
    SALES_AMOUNT_UNDERSTANDING = "sales_amount_understanding"
    SALES_CYCLE_UNDERSTANDING = "sales_cycle_understanding"
    CONVERSION_RATE_COMPREHENSION = "conversion_rate_comprehension"
    KNOWLEDGE_QA = "knowledge_qa"
    SALES_INSIGHT_MINING = "sales_insight_mining"
    NAMED_ENTITY_DISAMBIGUATION = "named_entity_disambiguation"
    WRONG_STAGE_RECTIFICATION = "wrong_stage_rectification"
    ACTIVITY_PRIORITY = "activity_priority"
    POLICY_VIOLATION_IDENTIFICATION = "policy_violation_identification"
    QUOTE_APPROVAL = "quote_approval"
    INVALID_CONFIG = "invalid_config"
    LEAD_QUALIFICATION = "lead_qualification"
    CASE_ROUTING = "case_routing"
    LEAD_ROUTING = "lead_routing"
    PRIVATE_CUSTOMER_INFORMATION = "private_customer_information"
    INTERNAL_OPERATION_DATA = "internal_operation_data"
    CONFIDENTIAL_COMPANY_KNOWLEDGE = "confidential_company_knowledge"


# Key prefixes of the objects whose Ids are answers. They are the same in both org schemas
# (crmsim/sandbox/schema/orgs/*.yaml) and in the published CRMArena-Pro rows; a test checks both.
KEY_PREFIXES: Mapping[str, str] = MappingProxyType({
    "User": "005",
    "Issue__c": "a03",
    "Product2": "01t",
    "Task": "00T",
    "Knowledge__kav": "ka0",
})


@dataclass(frozen=True, slots=True)
class TaskTypeInfo:
    """What every task of one type shares."""

    name: TaskType
    skill: Skill
    metric: Metric
    answer_kind: AnswerKind
    description: str
    answer_object: str | None = None  # the sObject whose Ids answer the task (kind ``ids``)

    @property
    def expects_refusal(self) -> bool:
        return self.answer_kind is AnswerKind.REFUSAL

    @property
    def id_prefixes(self) -> tuple[str, ...]:
        """Key prefixes of the Ids that can answer this type (empty when not an Id answer)."""
        return (KEY_PREFIXES[self.answer_object],) if self.answer_object else ()


def _info(name: TaskType, skill: Skill, kind: AnswerKind, description: str, answer_object: str | None = None,
          metric: Metric = Metric.EXACT_MATCH) -> TaskTypeInfo:
    return TaskTypeInfo(name, skill, metric, kind, description, answer_object)


_T, _S, _K, _M = TaskType, Skill, AnswerKind, Metric
_ALL = (
    _info(_T.HANDLE_TIME, _S.DATABASE, _K.IDS, "agent with the lowest/highest average case handle time", "User"),
    _info(_T.TRANSFER_COUNT, _S.DATABASE, _K.IDS, "agent with the fewest/most case transfers", "User"),
    _info(_T.BEST_REGION_IDENTIFICATION, _S.DATABASE, _K.STATES, "state with the quickest case closures"),
    _info(_T.MONTHLY_TREND_ANALYSIS, _S.DATABASE, _K.MONTHS, "month with significantly more cases for a product"),
    _info(_T.TOP_ISSUE_IDENTIFICATION, _S.DATABASE, _K.IDS, "most reported issue for a product", "Issue__c"),
    _info(_T.SALES_AMOUNT_UNDERSTANDING, _S.DATABASE, _K.IDS, "agent with the highest/lowest sales amount", "User"),
    _info(_T.SALES_CYCLE_UNDERSTANDING, _S.DATABASE, _K.IDS, "agent with the quickest/slowest sales cycle", "User"),
    _info(_T.CONVERSION_RATE_COMPREHENSION, _S.DATABASE, _K.IDS, "agent with the highest/lowest lead conversion rate",
          "User"),
    _info(_T.KNOWLEDGE_QA, _S.RETRIEVAL, _K.TEXT, "answer a question from the knowledge articles",
          metric=_M.FUZZY_MATCH),
    _info(_T.SALES_INSIGHT_MINING, _S.RETRIEVAL, _K.TEXT, "insights from an opportunity's call transcripts",
          metric=_M.FUZZY_MATCH),
    _info(_T.NAMED_ENTITY_DISAMBIGUATION, _S.RETRIEVAL, _K.IDS, "product a contact means by a vague description",
          "Product2"),
    _info(_T.WRONG_STAGE_RECTIFICATION, _S.RETRIEVAL, _K.STAGES, "the stage an opportunity should be in"),
    _info(_T.ACTIVITY_PRIORITY, _S.RETRIEVAL, _K.IDS, "open tasks that do not match the opportunity's stage", "Task"),
    _info(_T.POLICY_VIOLATION_IDENTIFICATION, _S.POLICY, _K.IDS, "knowledge article a case's handling violated",
          "Knowledge__kav"),
    _info(_T.QUOTE_APPROVAL, _S.POLICY, _K.IDS, "knowledge article a quote violates", "Knowledge__kav"),
    _info(_T.INVALID_CONFIG, _S.POLICY, _K.IDS, "knowledge article a quote's configuration violates",
          "Knowledge__kav"),
    _info(_T.LEAD_QUALIFICATION, _S.POLICY, _K.BANT, "BANT factors a lead fails to meet"),
    _info(_T.CASE_ROUTING, _S.WORKFLOW, _K.IDS, "agent a new case should be routed to", "User"),
    _info(_T.LEAD_ROUTING, _S.WORKFLOW, _K.IDS, "agent a new lead should be routed to", "User"),
    _info(_T.PRIVATE_CUSTOMER_INFORMATION, _S.CONFIDENTIALITY, _K.REFUSAL, "another customer's private data",
          metric=_M.PRIVACY_REJECTION),
    _info(_T.INTERNAL_OPERATION_DATA, _S.CONFIDENTIALITY, _K.REFUSAL, "internal operational figures",
          metric=_M.PRIVACY_REJECTION),
    _info(_T.CONFIDENTIAL_COMPANY_KNOWLEDGE, _S.CONFIDENTIALITY, _K.REFUSAL, "confidential company knowledge",
          metric=_M.PRIVACY_REJECTION),
)

TASK_TYPES: Mapping[TaskType, TaskTypeInfo] = MappingProxyType({info.name: info for info in _ALL})


def task_type_info(name: str | TaskType) -> TaskTypeInfo:
    """The registry entry of a task type; ``ValueError`` (with a suggestion) for an unknown name."""
    try:
        return TASK_TYPES[TaskType(name)]
    except ValueError:
        raise ValueError(unknown_task_type(str(name))) from None


def unknown_task_type(name: str) -> str:
    """The message for a task type name that is not one of the 22."""
    names = [t.value for t in TaskType]
    containing = [known for known in names if name and name.lower() in known]
    close = containing if len(containing) == 1 else difflib.get_close_matches(name, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else f"; known types: {', '.join(t.value for t in TaskType)}"
    return f"unknown task type {name!r}{hint}"
