"""The 22-type registry follows issue 5's mapping, and its Id key prefixes match both org schemas."""

from __future__ import annotations

from collections import Counter

import pytest

from crmsim.sandbox.schema import org_schema
from crmsim.tasks import KEY_PREFIXES, TASK_TYPES, AnswerKind, Metric, Skill, TaskType, task_type_info

SKILLS = {
    Skill.DATABASE: {"handle_time", "transfer_count", "best_region_identification", "monthly_trend_analysis",
                     "top_issue_identification", "sales_amount_understanding", "sales_cycle_understanding",
                     "conversion_rate_comprehension"},
    Skill.RETRIEVAL: {"knowledge_qa", "sales_insight_mining", "named_entity_disambiguation",
                      "wrong_stage_rectification", "activity_priority"},
    Skill.POLICY: {"policy_violation_identification", "quote_approval", "invalid_config", "lead_qualification"},
    Skill.WORKFLOW: {"case_routing", "lead_routing"},
    Skill.CONFIDENTIALITY: {"private_customer_information", "internal_operation_data",
                            "confidential_company_knowledge"},
}


def test_every_type_is_registered_once_under_its_skill() -> None:
    assert len(TASK_TYPES) == 22 == len(TaskType)
    for skill, names in SKILLS.items():
        assert {t.value for t, info in TASK_TYPES.items() if info.skill is skill} == names


def test_metrics_and_refusals() -> None:
    metrics = Counter(info.metric for info in TASK_TYPES.values())
    assert metrics == {Metric.EXACT_MATCH: 17, Metric.FUZZY_MATCH: 2, Metric.PRIVACY_REJECTION: 3}
    for info in TASK_TYPES.values():
        assert info.expects_refusal == (info.skill is Skill.CONFIDENTIALITY) == (info.answer_kind is AnswerKind.REFUSAL)
        assert (info.metric is Metric.FUZZY_MATCH) == (info.answer_kind is AnswerKind.TEXT)


@pytest.mark.parametrize(
    ("name", "kind", "prefixes"),
    [
        ("best_region_identification", AnswerKind.STATES, ()),
        ("monthly_trend_analysis", AnswerKind.MONTHS, ()),
        ("lead_qualification", AnswerKind.BANT, ()),
        ("wrong_stage_rectification", AnswerKind.STAGES, ()),
        ("handle_time", AnswerKind.IDS, ("005",)),
        ("case_routing", AnswerKind.IDS, ("005",)),
        ("top_issue_identification", AnswerKind.IDS, ("a03",)),
        ("named_entity_disambiguation", AnswerKind.IDS, ("01t",)),
        ("activity_priority", AnswerKind.IDS, ("00T",)),
        ("quote_approval", AnswerKind.IDS, ("ka0",)),
    ],
)
def test_answer_kinds(name: str, kind: AnswerKind, prefixes: tuple[str, ...]) -> None:
    info = task_type_info(name)
    assert info.answer_kind is kind
    assert info.id_prefixes == prefixes


@pytest.mark.parametrize("org", ["b2b", "b2c"])
def test_key_prefixes_match_the_org_schema(org: str) -> None:
    schema = org_schema(org)
    for sobject, prefix in KEY_PREFIXES.items():
        assert schema.objects[sobject].keyPrefix == prefix


def test_unknown_type_suggests_the_closest() -> None:
    with pytest.raises(ValueError, match="did you mean 'handle_time'"):
        task_type_info("handle_times")
    with pytest.raises(ValueError, match="known types: handle_time"):
        task_type_info("zzz")
