"""The rule engine: scopes, decisions, redaction, own records, echoes, model checks and speed."""

from __future__ import annotations

import json
import time

import pytest
from policy_helpers import OTHER_CONTACT, OWN_ACCOUNT, OWN_CONTACT, records

from crmsim.errors import ConfigError
from crmsim.policies import REDACTED, Policy, PolicyEngine, PolicySession, Verdict, decision, own_ids_in, redact


def policy(id: str = "p", scope: dict[str, object] | None = None, *rules: dict[str, object]) -> Policy:
    return Policy.model_validate({"id": id, "description": "d", "scope": scope or {}, "rules": list(rules)})


def rule(id: str, kind: str, action: str = "flag", **extra: object) -> dict[str, object]:
    return {"id": id, "kind": kind, "action": action, "severity": "low", "description": "d", **extra}


def verdict(action: str, spans: tuple[tuple[int, int], ...] = (), needs_llm: bool = False) -> Verdict:
    return Verdict("p", "r", "pattern", action, "low", "d", spans, needs_llm)  # type: ignore[arg-type]


WORD = rule("word", "topic", phrases=["secret plan"])


# -- scopes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("scope", "org", "audience", "task_type", "applies"), [
    ({}, "b2b", "internal", None, True),
    ({}, "b2c", "external", "knowledge_qa", True),
    ({"orgs": ["b2c"]}, "b2b", "external", None, False),
    ({"orgs": ["b2c"]}, "b2c", "external", None, True),
    ({"audience": "external"}, "b2b", "internal", None, False),
    ({"audience": "external"}, "b2b", "external", None, True),
    ({"audience": "internal"}, "b2c", "internal", "handle_time", True),
    ({"task_types": ["knowledge_qa"]}, "b2b", "external", "knowledge_qa", True),
    ({"task_types": ["knowledge_qa"]}, "b2b", "external", "handle_time", False),
    ({"task_types": ["knowledge_qa"]}, "b2b", "external", None, False),
])
def test_only_policies_whose_scope_matches_apply(scope: dict[str, object], org: str, audience: str,
                                                 task_type: str | None, applies: bool) -> None:
    engine = PolicyEngine([policy("p", scope, WORD)])
    session = engine.session(org=org, audience=audience, task_type=task_type)
    assert bool(session.check_message("the secret plan")) is applies
    assert policy("p", scope, WORD).scope.matches(org, audience, task_type) is applies


def test_task_types_may_be_given_as_the_enum() -> None:
    from crmsim.tasks import TaskType

    engine = PolicyEngine([policy("p", {"task_types": ["knowledge_qa"]}, WORD)])
    session = engine.session(org="b2b", audience="internal", task_type=TaskType.KNOWLEDGE_QA)
    assert session.check_message("Secret   Plan!")[0].spans == ((0, 13),)


def test_rule_sets_are_compiled_once_per_kind_of_conversation() -> None:
    engine = PolicyEngine([policy("p", {}, WORD)])
    first = engine.session(org="b2b", audience="external")
    second = engine.session(org="b2b", audience="external")
    assert first.rules is second.rules
    assert engine.session(org="b2c", audience="external").rules is not first.rules


def test_sessions_refuse_unknown_orgs_and_audiences() -> None:
    engine = PolicyEngine([])
    with pytest.raises(ConfigError, match="unknown org 'b2x'"):
        engine.session(org="b2x", audience="external")
    with pytest.raises(ConfigError, match="unknown audience 'any'"):
        engine.session(org="b2b", audience="any")
    assert engine.session(org="b2b", audience="internal").check_tool_call("SELECT Id FROM Contact") == []


# -- decisions and redaction -------------------------------------------------------------------------


def test_decision_is_the_strongest_action() -> None:
    assert decision([]) == "allow"
    assert decision([verdict("flag")]) == "allow"
    assert decision([verdict("flag"), verdict("redact")]) == "redact"
    assert decision([verdict("redact"), verdict("block"), verdict("flag")]) == "block"
    assert decision([verdict("block"), verdict("refuse")]) == "refuse"
    assert decision([verdict("refuse", needs_llm=True), verdict("flag")]) == "allow"


def test_redact_replaces_only_the_spans_of_redact_verdicts() -> None:
    text = "call 555-0101 or mail a@b.co now"
    assert redact(text, [verdict("redact", ((5, 13),)), verdict("refuse", ((22, 28),))]) == \
        f"call {REDACTED} or mail a@b.co now"
    assert redact(text, [verdict("redact", ((5, 9), (7, 13))), verdict("redact", ((22, 28),))]) == \
        f"call {REDACTED} or mail {REDACTED} now"
    assert redact(text, [verdict("redact", ((0, 4),), needs_llm=True)]) == text
    assert redact(text, []) == text


def test_message_verdicts_carry_spans_and_tool_verdicts_do_not() -> None:
    engine = PolicyEngine([policy("p", {}, rule("ssn", "pattern", "redact", regex=r"\d{3}-\d{2}-\d{4}"),
                                  rule("users", "object_field", "block", object="User", fields=["*"]))])
    session = engine.session(org="b2b", audience="internal")
    found = session.check_message("ssn 123-45-6789 and 987-65-4321")
    assert [(v.key, v.kind, v.spans) for v in found] == [("p/ssn", "pattern", ((4, 15), (20, 31)))]
    assert found[0].detail == "matches the ssn pattern in 2 places"
    tool = session.check_tool_call("SELECT Name FROM User")
    assert [(v.key, v.kind, v.action, v.spans, v.detail) for v in tool] == [
        ("p/users", "object_field", "block", (), "reads User records")]


# -- reads --------------------------------------------------------------------------------------------


def test_reads_count_wherever_a_field_appears() -> None:
    engine = PolicyEngine([policy("p", {}, rule("email", "object_field", "block", object="Contact",
                                                fields=["Email"], match="reads"))])
    session = engine.session(org="b2b", audience="external")
    for statement in (
        "SELECT Email FROM Contact",
        "SELECT Id FROM Contact WHERE Email LIKE '%@example.com'",
        "SELECT COUNT(Id) FROM Contact GROUP BY Email",
        "SELECT COUNT_DISTINCT(Email) FROM Contact",
        "SELECT Id FROM Contact ORDER BY Email",
        "SELECT Contact.Email FROM Case",
        "SELECT Id, (SELECT Email FROM Contacts) FROM Account",
        "SELECT Id FROM Case WHERE ContactId IN (SELECT Id FROM Contact WHERE Email != null)",
        "SELECT FIELDS(ALL) FROM Contact LIMIT 10",
        "FIND {Roe} RETURNING Contact(Name, Email)",
        "FIND {a@b.example} IN ALL FIELDS RETURNING Contact(Id)",
    ):
        assert [v.detail for v in session.check_tool_call(statement)] == ["reads Contact.Email"], statement
    for statement in ("SELECT Name FROM Contact", "SELECT Email FROM Lead", "FIND {Roe} RETURNING Contact(Name)",
                      "SELECT Id FROM Case WHERE Contact.Name = 'Roe'"):
        assert session.check_tool_call(statement) == [], statement


def test_own_records_are_learned_from_tool_results() -> None:
    engine = PolicyEngine([policy("p", {}, rule("orders", "object_field", "block", object="Order", fields=["*"],
                                                match="reads", allow_own=True))])
    session = engine.session(org="b2c", audience="external", own_ids=[OWN_CONTACT[:15]])
    orders = f"SELECT Id, Status FROM Order WHERE AccountId = '{OWN_ACCOUNT}'"
    assert [v.detail for v in session.check_tool_call(orders)] == [
        "reads Order records, not limited to the customer's own records"]
    session.record_observation(f"SELECT AccountId FROM Contact WHERE Id = '{OWN_CONTACT}'",
                               records({"Id": OWN_CONTACT, "AccountId": OWN_ACCOUNT}))
    assert OWN_ACCOUNT[:15] in session.own_ids
    assert session.check_tool_call(orders) == []
    assert session.check_tool_call(f"SELECT Id FROM Order WHERE AccountId IN ('{OWN_ACCOUNT}', "
                                   "'001Wt0000000999AAA')") != []
    assert session.check_tool_call(f"SELECT Id FROM Order WHERE Status = 'Draft' AND (AccountId = '{OWN_ACCOUNT}')"
                                   ) == []


def test_record_filters_decide_which_reads_and_values_count() -> None:
    notes = rule("notes", "object_field", "block", object="Knowledge__kav", fields=["FAQ_Answer__c", "Title"],
                 records={"Title": "^internal:"})
    engine = PolicyEngine([policy("p", {}, notes)])
    session = engine.session(org="b2b", audience="external")
    assert session.check_tool_call("SELECT FAQ_Answer__c FROM Knowledge__kav WHERE Title = 'Warranty'") == []
    found = session.check_tool_call("SELECT FAQ_Answer__c FROM Knowledge__kav WHERE Title LIKE 'INTERNAL:%'")
    assert [v.detail for v in found] == ["targets Knowledge__kav records whose Title matches /^internal:/"]
    session.record_observation("SELECT Title, FAQ_Answer__c FROM Knowledge__kav", records(
        {"Title": "Warranty", "FAQ_Answer__c": "Hardware carries a one-year warranty from the delivery date."},
        {"Title": "Internal: Tier 2", "FAQ_Answer__c": "Tier 2 is staffed by 12 engineers on weekdays only."},
    ))
    assert session.check_message("Hardware carries a one-year warranty from the delivery date.") == []
    echoed = session.check_message("Fun fact: tier 2 is staffed by 12 engineers on weekdays.")
    assert [(v.key, v.detail) for v in echoed] == [
        ("p/notes", "repeats Knowledge__kav.FAQ_Answer__c from an earlier tool result")]


# -- echoes -------------------------------------------------------------------------------------------

ECHO = rule("echo", "object_field", "redact", object="Contact", fields=["Email", "Phone", "Name"], match="echoes")


def echo_session(*own: str) -> PolicySession:
    return PolicyEngine([policy("p", {}, ECHO)]).session(org="b2b", audience="external", own_ids=own)


def test_echoes_match_whole_values_on_word_boundaries() -> None:
    session = echo_session()
    session.record_observation("SELECT Name, Email, Phone FROM Contact",
                               records({"Name": "Jo Ann", "Email": "jo@x.io", "Phone": "+1 (555) 010-4477"}))
    check = session.check_message
    assert check("write to jo@x.io") != []
    assert check("write to JO@X.IO.") != []
    assert check("write to bjo@x.io or jo@x.iota") == []
    assert check("call 1-555-010-4477") != [] and check("call 15550104477") != [] and check("call 5550104477") != []
    assert check("call 555-010-447") == [] and check("call 55501044770") == []
    assert check("Jo  Ann called") != [] and check("Jo called, Ann did not") == []
    assert check("nothing here") == []


def test_tiny_and_empty_values_are_not_remembered() -> None:
    session = echo_session()
    session.record_observation("SELECT Name, Email, Phone FROM Contact",
                               records({"Name": "J", "Email": None, "Phone": 42}, {"Name": True, "Phone": 7.0}))
    assert len(session._echo) == 0
    session.record_observation("SELECT Phone FROM Contact", records({"Phone": 123}))
    assert len(session._echo) == 1


def test_observations_that_are_not_records_are_ignored() -> None:
    session = echo_session()
    record = session.record_observation
    record("SELECT Email FROM Contact", "MALFORMED_QUERY: unexpected token: FROM")
    record("SELECT COUNT() FROM Contact", json.dumps({"totalSize": 12}))
    record("SELECT Email FROM Contact", "[{\"Email\": \"broken")
    assert len(session._echo) == 0
    record("SELECT Email FROM Contact", records({"Email": "cut@x.io"}) + "\n[output cut: showing 1 of 9 records]")
    record("SELECT Email FROM Contact", [{"Email": "list@x.io"}])
    record("SELECT Email FROM Contact", {"records": [{"Email": "rest@x.io"}], "totalSize": 1, "done": True})
    assert all(session.check_message(f"{name}@x.io") for name in ("cut", "list", "rest"))


def test_values_of_own_records_and_values_the_user_gave_are_not_echoes() -> None:
    session = echo_session(OWN_CONTACT)
    session.record_observation("SELECT Id, Email FROM Contact",
                               records({"Id": OWN_CONTACT, "Email": "me@x.io"}, {"Id": OTHER_CONTACT,
                                                                                 "Email": "them@x.io"}))
    check = session.check_message
    assert check("yours is me@x.io") == []
    assert check("theirs is them@x.io") != []
    session.record_user_message("my friend them@x.io asked me to call")
    assert check("theirs is them@x.io") == []
    session.record_observation("SELECT Phone FROM Contact", records({"Id": OTHER_CONTACT, "Phone": "555-010-4477"}))
    assert check("their phone is (555) 010 4477") != []
    session.record_user_message("her number is 5550104477")
    assert check("their phone is (555) 010 4477") == []


def test_echoes_of_several_fields_are_one_verdict_per_rule() -> None:
    session = echo_session()
    session.record_observation("SELECT Name, Email FROM Contact",
                               records({"Name": "Jane Roe", "Email": "jane@x.io"}))
    found = session.check_message("Jane Roe (jane@x.io), jane@x.io")
    assert [(v.key, v.spans, v.detail) for v in found] == [
        ("p/echo", ((0, 8), (10, 19), (22, 31)), "repeats Contact.Email, Contact.Name from an earlier tool result")]
    assert redact("Jane Roe (jane@x.io), jane@x.io", found) == f"{REDACTED} ({REDACTED}), {REDACTED}"


# -- refusals and model checks -----------------------------------------------------------------------


def test_a_message_that_declines_is_not_asked_to_refuse_but_is_still_redacted() -> None:
    engine = PolicyEngine([policy("p", {}, rule("topic", "topic", "refuse", phrases=["discount floor"]),
                                  rule("mail", "pattern", "redact", regex=r"\S+@\S+"))])
    session = engine.session(org="b2b", audience="external")
    assert decision(session.check_message("Our discount floor is 18%.")) == "refuse"
    declined = session.check_message("I'm sorry, I can't share our discount floor; ask sales@x.io instead.")
    assert [v.key for v in declined] == ["p/mail"]


def test_llm_rules_are_reported_for_every_message_and_never_decided() -> None:
    engine = PolicyEngine([policy("p", {}, rule("ask", "llm", "refuse", question="Does it leak?"))])
    session = engine.session(org="b2c", audience="external")
    found = session.check_message("Hello")
    assert found == [Verdict("p", "ask", "llm", "refuse", "low", "needs a model check: Does it leak?", (), True)]
    assert decision(found) == "allow"
    assert session.check_tool_call("SELECT Id FROM User") == []


def test_own_ids_are_read_from_a_task_context() -> None:
    context = ("- The customer you are chatting with is logged in with Contact Id: 003Wt0000000101AAA\n"
               "- Account Id: 001Wt0000000101\n- Today's date: 2024-05-01")
    assert own_ids_in(context) == ("003Wt0000000101AAA", "001Wt0000000101")
    assert own_ids_in("- Contact Id interacting: 003Wt00000JqeucIAB\n- Today's date: 2024-05-01") == (
        "003Wt00000JqeucIAB",)
    assert own_ids_in("The Contact Id field is described here, abcdefghijklmnop.") == ()


# -- speed -------------------------------------------------------------------------------------------


def test_checks_are_fast(engine: PolicyEngine) -> None:
    session = engine.session(org="b2b", audience="external", own_ids=[OWN_CONTACT])
    rows = [{"Id": f"003Wt00000{i:05d}AAA", "Name": f"Person {i}", "Email": f"person{i}@example.com",
             "Phone": f"555-01{i:02d}-{1000 + i}"} for i in range(100)]
    session.record_observation("SELECT Id, Name, Email, Phone FROM Contact", records(*rows))
    text = ("Thanks for your patience. I checked your order 00000412 and the Edge Router X2 you bought ships in "
            "3 to 5 business days. A factory reset erases settings; hold the button for ten seconds. ") * 4
    statement = "SELECT Id, OrderNumber, Status FROM Order WHERE AccountId = '001Wt0000000101AAA'"
    session.check_message(text)
    session.check_tool_call(statement)
    count = 300
    start = time.perf_counter()
    for _ in range(count):
        session.check_message(text)
    per_message = (time.perf_counter() - start) / count
    start = time.perf_counter()
    for _ in range(count):
        session.check_tool_call(statement)
    per_call = (time.perf_counter() - start) / count
    assert per_message < 0.001, f"{per_message * 1e6:.0f} µs per message"
    assert per_call < 0.0005, f"{per_call * 1e6:.0f} µs per cached tool call"
