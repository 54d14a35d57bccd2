"""Policies as authored YAML files, and the deterministic rule engine the policy monitor runs.

    policies = load_policies()                       # policies/*.yaml, or $CRMSIM_POLICIES_DIR
    engine = PolicyEngine(policies)
    session = engine.session(org="b2c", audience="external", own_ids=["003..."])
    verdicts = session.check_tool_call("SELECT Email FROM Contact WHERE Name = 'Ann Lee'")
    decision(verdicts)                               # "block"
    session.record_observation(statement, observation)
    verdicts = session.check_message(text)
    safe = session.redact(text, verdicts)

See docs/policies.md for the file format and the meaning of each rule kind.
"""

from ._engine import PolicyEngine, PolicySession, RuleSet, own_ids_in
from ._load import default_policies_dir, load_policies, load_policy_file, policy_files, validate_policies
from ._model import LlmRule, ObjectFieldRule, PatternRule, Policy, Rule, Scope, TopicRule
from ._statements import ObjectRead, StatementReads, analyze_statement
from ._verdict import REDACTED, Decision, Verdict, decision, redact

__all__ = [
    "REDACTED",
    "Decision",
    "LlmRule",
    "ObjectFieldRule",
    "ObjectRead",
    "PatternRule",
    "Policy",
    "PolicyEngine",
    "PolicySession",
    "Rule",
    "RuleSet",
    "Scope",
    "StatementReads",
    "TopicRule",
    "Verdict",
    "analyze_statement",
    "decision",
    "default_policies_dir",
    "load_policies",
    "load_policy_file",
    "own_ids_in",
    "policy_files",
    "redact",
    "validate_policies",
]
