"""The deterministic rule engine: verdicts on agent tool calls and agent messages, per conversation.

:class:`PolicyEngine` holds the loaded policies and compiles, once per (org, audience, task type),
the rules whose scope covers such a conversation. :meth:`PolicyEngine.session` starts a
:class:`PolicySession` for one conversation; it remembers the protected values the conversation's
tool results revealed, so that a later agent message repeating one is caught.

Rules of kind ``llm`` are never evaluated here: every checked message carries one verdict per such
rule with ``needs_llm`` set, for a model to decide.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from crmsim.errors import ConfigError
from crmsim.sandbox.schema import ObjectDef, OrgSchema, org_schema

from ._echo import EchoIndex
from ._model import ORGS, LlmRule, ObjectFieldRule, PatternRule, Policy, TopicRule
from ._statements import StatementReads, analyze_statement, short_id
from ._verdict import Verdict, merge_spans, redact

AUDIENCES = ("internal", "external")
_OWN_ID = re.compile(
    r"\b(?:Contact|Account|Customer|Person\s*Account)\s*Id\b[^\n:=]{0,30}?[:=]?\s*"
    r"((?=[A-Za-z0-9]*\d)[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?)\b", re.I)


def own_ids_in(text: str) -> tuple[str, ...]:
    """The record Ids a task's context names as the customer's own: "logged in with Contact Id: 003...",
    "Contact Id interacting: 003...", "Account Id = 001..."."""
    return tuple(dict.fromkeys(match.group(1) for match in _OWN_ID.finditer(text)))


# -- compiled rules --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReadRule:
    policy: str
    rule: ObjectFieldRule
    fields: frozenset[str] | None  # lower case; None for every field
    records: tuple[tuple[str, re.Pattern[str]], ...]  # (lower-case field, regex)

    @property
    def object(self) -> str:
        return self.rule.object


@dataclass(frozen=True, slots=True)
class TextRule:
    policy: str
    rule: PatternRule | TopicRule
    regex: re.Pattern[str]


@dataclass(frozen=True)
class RuleSet:
    """The rules of the policies whose scope covers one kind of conversation, compiled."""

    reads: tuple[ReadRule, ...] = ()
    echoes: tuple[ReadRule, ...] = ()
    patterns: tuple[TextRule, ...] = ()
    topics: tuple[TextRule, ...] = ()
    llms: tuple[tuple[str, LlmRule], ...] = ()

    @cached_property
    def echoes_by_object(self) -> dict[str, list[ReadRule]]:
        grouped: dict[str, list[ReadRule]] = {}
        for rule in self.echoes:
            grouped.setdefault(rule.object.lower(), []).append(rule)
        return grouped

    @property
    def empty(self) -> bool:
        return not (self.reads or self.echoes or self.patterns or self.topics or self.llms)


def topic_regex(phrases: Iterable[str]) -> re.Pattern[str]:
    """One case-insensitive regex for ``phrases``, each on word boundaries, longest first."""
    alternatives = sorted({r"\s+".join(map(re.escape, phrase.split())) for phrase in phrases}, key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(alternatives)})(?!\w)", re.I)


def _compile(policies: Iterable[Policy]) -> RuleSet:
    reads: list[ReadRule] = []
    echoes: list[ReadRule] = []
    patterns: list[TextRule] = []
    topics: list[TextRule] = []
    llms: list[tuple[str, LlmRule]] = []
    for policy in policies:
        for rule in policy.rules:
            if isinstance(rule, ObjectFieldRule):
                compiled = ReadRule(
                    policy.id, rule, None if rule.all_fields else frozenset(f.lower() for f in rule.fields),
                    tuple((name.lower(), re.compile(regex, re.I)) for name, regex in (rule.records or {}).items()))
                if rule.match in ("both", "reads"):
                    reads.append(compiled)
                if rule.match in ("both", "echoes"):
                    echoes.append(compiled)
            elif isinstance(rule, PatternRule):
                patterns.append(TextRule(policy.id, rule, rule.compiled))
            elif isinstance(rule, TopicRule):
                topics.append(TextRule(policy.id, rule, topic_regex(rule.phrases)))
            else:
                llms.append((policy.id, rule))
    return RuleSet(tuple(reads), tuple(echoes), tuple(patterns), tuple(topics), tuple(llms))


# -- the engine ------------------------------------------------------------------------------------


class PolicyEngine:
    """Loaded policies, ready to check conversations; cheap to share across all of them."""

    def __init__(self, policies: Iterable[Policy]) -> None:
        self.policies: tuple[Policy, ...] = tuple(policies)
        self._rule_sets: dict[tuple[str, str, str | None], RuleSet] = {}

    @classmethod
    def from_directory(cls, directory: str | Path | None = None) -> PolicyEngine:
        """An engine over every policy file of ``directory`` (default: the shipped policies)."""
        from ._load import load_policies

        return cls(load_policies(directory))

    def rules_for(self, org: str, audience: str, task_type: str | None = None) -> RuleSet:
        """The compiled rules that apply to a conversation of this kind (cached)."""
        key = (org, audience, task_type)
        rule_set = self._rule_sets.get(key)
        if rule_set is None:
            rule_set = _compile(p for p in self.policies if p.scope.matches(org, audience, task_type))
            self._rule_sets[key] = rule_set
        return rule_set

    def session(self, *, org: str, audience: str, task_type: str | None = None,
                own_ids: Collection[str] = ()) -> PolicySession:
        """Start checking one conversation.

        ``audience`` is who the agent talks to (``internal`` or ``external``); ``own_ids`` are the
        record Ids of the person served (their Contact, their Account), whose own records rules with
        ``allow_own`` let through and whose values are never protected. More are learned from tool
        results: the AccountId of an own record, and the Id of a record whose AccountId or
        ContactId is own (the customer's cases, orders, ...).
        """
        if org not in ORGS:
            raise ConfigError(f"unknown org {org!r}: use one of {', '.join(ORGS)}")
        if audience not in AUDIENCES:
            raise ConfigError(f"unknown audience {audience!r}: use one of {', '.join(AUDIENCES)}")
        task = str(task_type) if task_type is not None else None
        return PolicySession(self.rules_for(org, audience, task), org, own_ids)


class PolicySession:
    """The policy state of one conversation: its rules, its own Ids, and the protected values seen."""

    def __init__(self, rules: RuleSet, org: str, own_ids: Collection[str] = ()) -> None:
        self.rules = rules
        self.org = org
        self.own_ids: set[str] = {short_id(i) for i in own_ids}
        self._echo = EchoIndex()

    @cached_property
    def _schema(self) -> OrgSchema:
        return org_schema(self.org)

    # -- tool calls --------------------------------------------------------------------------------

    def check_tool_call(self, statement: str) -> list[Verdict]:
        """Verdicts on a SOQL or SOSL statement the agent wants to run."""
        if not (self.rules.reads or self.rules.topics):
            return []
        analysis = analyze_statement(statement, self.org)
        verdicts = [v for rule in self.rules.reads if (v := self._read_verdict(rule, analysis)) is not None]
        if analysis.search_text:
            for topic in self.rules.topics:
                found = _distinct(topic.regex.finditer(analysis.search_text))
                if found:
                    verdicts.append(_verdict(topic.policy, topic.rule, f"searches for {_quote(found)}"))
        return verdicts

    def _read_verdict(self, rule: ReadRule, analysis: StatementReads) -> Verdict | None:
        hit: set[str] = set()
        matched = False
        for read in analysis.reads_of(rule.object):
            if rule.rule.allow_own and self._is_own(read.pins):
                continue
            if rule.fields is None:
                matched = True
                hit |= read.fields
            elif read.all_fields or rule.fields & read.fields:
                matched = True
                hit |= rule.fields if read.all_fields else rule.fields & read.fields
        if not matched or (rule.records and not _targets(rule, analysis)):
            return None
        obj = self._schema.object(rule.object)
        if rule.records:
            which = " or ".join(f"{_field_name(obj, name)} matches /{regex.pattern}/" for name, regex in rule.records)
            detail = f"targets {rule.object} records whose {which}"
        elif rule.fields is None:
            detail = f"reads {rule.object} records"
        else:
            detail = f"reads {', '.join(f'{rule.object}.{_field_name(obj, name)}' for name in sorted(hit))}"
        if rule.rule.allow_own:
            detail += ", not limited to the customer's own records"
        return _verdict(rule.policy, rule.rule, detail)

    def _is_own(self, pins: tuple[frozenset[str], ...]) -> bool:
        return any(pin and pin <= self.own_ids for pin in pins)

    # -- tool results -----------------------------------------------------------------------------

    def record_observation(self, statement: str, observation: str | Sequence[Any] | Mapping[str, Any]) -> None:
        """Remember the protected values in a tool result (JSON records, nested ones included).

        Errors (``errorCode: message``), counts and text that is not JSON are ignored, as are values
        too small to mean anything: single characters, booleans, numbers under three digits, null.
        """
        if not self.rules.echoes and not self.rules.reads:
            return
        records = _records(observation)
        if not records:
            return
        analysis = analyze_statement(statement, self.org)
        returning = {name.lower(): fields for name, fields in analysis.returning}
        roots = [obj for name in analysis.roots if (obj := self._schema.object(name)) is not None]
        # A statement pinned to the customer's own Ids returns only own records, Id column or not:
        # the accounts and contacts they link to become own too.
        pinned_own = any(read.pins and self._is_own(read.pins)
                         for root in roots for read in analysis.reads_of(root.name))
        for record in records:
            if isinstance(record, Mapping):
                if pinned_own:
                    self._adopt_links(record)
                self._record(record, self._objects_of(record, roots, returning))

    def _objects_of(self, record: Mapping[str, Any], candidates: list[ObjectDef],
                    returning: Mapping[str, frozenset[str]]) -> list[ObjectDef]:
        record_id = record.get("Id")
        if isinstance(record_id, str) and (obj := self._schema.object_for_id(record_id)) is not None:
            return [obj]
        if len(candidates) <= 1 or not returning:
            return candidates
        keys = {key.lower() for key in record}
        fitting = [obj for obj in candidates if keys <= returning.get(obj.name.lower(), frozenset())]
        return fitting or candidates

    def _record(self, record: Mapping[str, Any], objects: list[ObjectDef]) -> None:
        own = self._learn_own(record)
        for obj in objects:
            for key, value in record.items():
                if isinstance(value, Mapping) or (isinstance(value, list) and value and isinstance(value[0], Mapping)):
                    self._nested(obj, key, value)
            if own:
                continue
            for rule in self.rules.echoes_by_object.get(obj.name.lower(), ()):
                if rule.records and not _record_matches(rule, record):
                    continue
                for key, value in record.items():
                    if rule.fields is None or key.lower() in rule.fields:
                        self._echo.add(value, (rule.policy, rule.rule.id), f"{obj.name}.{key}")

    def _adopt_links(self, record: Mapping[str, Any]) -> None:
        for key in ("Id", "AccountId", "ContactId"):
            linked = record.get(key)
            if isinstance(linked, str) and linked:
                self.own_ids.add(short_id(linked))

    def _learn_own(self, record: Mapping[str, Any]) -> bool:
        """Whether ``record`` is the customer's own; the account of an own contact, and records of an
        own account or contact, become own too."""
        record_id = record.get("Id")
        if not isinstance(record_id, str) or not record_id:
            return False
        rid = short_id(record_id)
        if rid in self.own_ids:
            account = record.get("AccountId")
            if isinstance(account, str) and account:
                self.own_ids.add(short_id(account))
            return True
        for key in ("AccountId", "ContactId"):
            linked = record.get(key)
            if isinstance(linked, str) and short_id(linked) in self.own_ids:
                self.own_ids.add(rid)
                return True
        return False

    def _nested(self, obj: ObjectDef, key: str, value: Any) -> None:
        children = value.get("records") if isinstance(value, Mapping) else value
        if isinstance(children, list):
            relation = obj.children_ci.get(key.lower())
            child = self._schema.object(relation.child_object) if relation else None
            for item in children:
                if isinstance(item, Mapping):
                    self._record(item, self._objects_of(item, [child] if child else [], {}))
            return
        reference = obj.relationships_ci.get(key.lower())
        targets = [t for t in map(self._schema.object, reference.referenceTo or ()) if t] if reference else []
        if isinstance(value, Mapping):
            self._record(value, self._objects_of(value, targets, {}))

    # -- messages ---------------------------------------------------------------------------------

    def record_user_message(self, text: str) -> None:
        """Note what the user wrote: a protected value the user gave is not a leak when echoed."""
        self._echo.note_known(text)

    def check_message(self, text: str) -> list[Verdict]:
        """Verdicts on a message the agent wants to send to the user."""
        verdicts: list[Verdict] = []
        for rule in self.rules.patterns:
            spans = [(m.start(), m.end()) for m in rule.regex.finditer(text) if m.end() > m.start()]
            if spans:
                count = f"{len(spans)} {'place' if len(spans) == 1 else 'places'}"
                verdicts.append(_verdict(rule.policy, rule.rule, f"matches the {rule.rule.id} pattern in {count}",
                                         spans))
        for rule in self.rules.topics:
            matches = list(rule.regex.finditer(text))
            if matches:
                verdicts.append(_verdict(rule.policy, rule.rule, f"mentions {_quote(_distinct(matches))}",
                                         [(m.start(), m.end()) for m in matches]))
        if self._echo:
            for (policy, rule_id), (spans, labels) in self._echo.find(text).items():
                echo = next(r.rule for r in self.rules.echoes if r.policy == policy and r.rule.id == rule_id)
                verdicts.append(_verdict(policy, echo, f"repeats {', '.join(sorted(labels))} from an earlier "
                                                       "tool result", spans))
        if any(v.action == "refuse" for v in verdicts) and _declines(text):
            verdicts = [v for v in verdicts if v.action != "refuse"]
        for policy, llm in self.rules.llms:
            verdicts.append(Verdict(policy, llm.id, "llm", llm.action, llm.severity,
                                    f"needs a model check: {llm.question}", (), True))
        return verdicts

    def redact(self, text: str, verdicts: Iterable[Verdict]) -> str:
        """``text`` with the spans of the redact-action verdicts replaced by ``[redacted]``."""
        return redact(text, verdicts)


# -- helpers ---------------------------------------------------------------------------------------


def _verdict(policy: str, rule: ObjectFieldRule | PatternRule | TopicRule, detail: str,
             spans: Iterable[tuple[int, int]] = ()) -> Verdict:
    return Verdict(policy, rule.id, rule.kind, rule.action, rule.severity, detail, merge_spans(spans))


def _distinct(matches: Iterable[re.Match[str]]) -> list[str]:
    return list(dict.fromkeys(" ".join(m.group().split()).lower() for m in matches))


def _quote(found: list[str]) -> str:
    shown = ", ".join(repr(text) for text in found[:3])
    return shown + (f" and {len(found) - 3} more" if len(found) > 3 else "")


def _field_name(obj: ObjectDef | None, lowered: str) -> str:
    found = obj.field(lowered) if obj is not None else None
    return found.name if found is not None else lowered


def _targets(rule: ReadRule, analysis: StatementReads) -> bool:
    """Whether the statement filters or searches for records the rule's ``records`` regexes match."""
    wanted = rule.object.lower()
    for value in analysis.filters:
        if value.object.lower() != wanted:
            continue
        text = value.value.replace("%", " ").replace("\ue000", "%").strip(" \"'*?")
        for name, regex in rule.records:
            if (value.field in ("*", name)) and regex.search(text):
                return True
    return False


def _record_matches(rule: ReadRule, record: Mapping[str, Any]) -> bool:
    lowered = {key.lower(): value for key, value in record.items()}
    return any(isinstance(lowered.get(name), str) and regex.search(lowered[name]) for name, regex in rule.records)


def _records(observation: str | Sequence[Any] | Mapping[str, Any]) -> list[Any]:
    data: Any = observation
    if isinstance(observation, str):
        text = observation.strip()
        if not text or text[0] not in "[{":
            return []
        try:
            data, _ = json.JSONDecoder().raw_decode(text)
        except ValueError:
            return []
    if isinstance(data, Mapping):
        inner = data.get("records")
        return list(inner) if isinstance(inner, list) else [data]
    return list(data) if isinstance(data, list) else []


def _declines(text: str) -> bool:
    from crmsim.judge import detect_refusal

    return detect_refusal(text) is not None

