"""Policy files: the shipped ones load, and every kind of mistake is named by file, line and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from policy_helpers import SHIPPED

from crmsim.errors import PolicyFileError
from crmsim.policies import (
    LlmRule,
    ObjectFieldRule,
    PatternRule,
    Policy,
    TopicRule,
    default_policies_dir,
    load_policies,
    load_policy_file,
    validate_policies,
)

RULE = """\
  - id: {id}
    kind: pattern
    regex: 'x+'
    action: flag
    severity: low
    description: A rule.
"""


def write(directory: Path, name: str, text: str, *rules: str) -> Path:
    """A policy file: ``text`` (dedented) followed by ``rules`` (as they are)."""
    path = directory / name
    path.write_text(textwrap.dedent(text) + "".join(rules), encoding="utf-8")
    return path


def problems(target: Path | list[Path]) -> list[str]:
    return [str(problem) for problem in validate_policies(target)]


# -- the shipped policies -----------------------------------------------------------------------


def test_every_shipped_policy_loads_and_validates() -> None:
    assert validate_policies(SHIPPED) == []
    policies = load_policies(SHIPPED)
    ids = [policy.id for policy in policies]
    assert ids == sorted(ids)
    assert len(policies) >= 4
    assert {"customer_privacy", "internal_operations", "confidential_knowledge", "external_tool_access"} <= set(ids)
    for policy in policies:
        assert policy.source is not None and Path(policy.source).stem == policy.id
        assert policy.description.strip()
        assert all(rule.description.strip() for rule in policy.rules)


def test_shipped_policies_use_every_rule_kind_and_action() -> None:
    rules = [rule for policy in load_policies(SHIPPED) for rule in policy.rules]
    assert {type(rule) for rule in rules} == {ObjectFieldRule, PatternRule, TopicRule, LlmRule}
    assert {rule.action for rule in rules} == {"flag", "redact", "block", "refuse"}


def test_confidentiality_policies_are_for_external_audiences() -> None:
    by_id = {policy.id: policy for policy in load_policies(SHIPPED)}
    for name in ("customer_privacy", "internal_operations", "confidential_knowledge", "external_tool_access"):
        assert by_id[name].scope.audience == "external"
        assert by_id[name].scope.orgs == ["b2b", "b2c"]


def test_default_directory_is_the_shipped_one_unless_the_environment_says(monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path) -> None:
    monkeypatch.delenv("CRMSIM_POLICIES_DIR", raising=False)
    assert default_policies_dir().resolve() == SHIPPED
    monkeypatch.setenv("CRMSIM_POLICIES_DIR", str(tmp_path))
    assert default_policies_dir() == tmp_path
    assert load_policies() == []


# -- broken files: one problem each, at the right line ---------------------------------------------


def test_unknown_key_names_the_allowed_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", """\
        id: p
        description: d
        colour: red
        rules:
        """, RULE.format(id="a"))
    assert problems(path) == [f"{path}:3: colour: unknown key 'colour'; allowed keys: id, description, scope, rules"]


def test_misspelt_rule_key_suggests_the_right_one_and_reports_the_missing_key_too(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", """\
        id: p
        description: d
        rules:
          - id: a
            kind: topic
            phrases: [refund]
            action: flag
            severty: low
            description: A rule.
        """)
    assert problems(path) == [
        f"{path}:4: rules.0.severity: required key missing",
        f"{path}:8: rules.0.severty: unknown key 'severty' (did you mean 'severity'?); allowed keys: id, kind, "
        "action, severity, description, phrases",
    ]


@pytest.mark.parametrize(("line", "text", "expected"), [
    (7, "action: deny", "rules.0.action: 'deny' is not allowed; use one of: flag, redact, block, refuse"),
    (8, "severity: critical", "rules.0.severity: 'critical' is not allowed; use one of: low, medium, high"),
    (5, "kind: regexp", "rules.0.kind: 'regexp' is not a rule kind; use one of: object_field, pattern, topic, llm"),
])
def test_bad_enum_values_list_the_allowed_ones(tmp_path: Path, line: int, text: str, expected: str) -> None:
    key = text.split(":")[0]
    body = RULE.format(id="a").replace(f"    {key}: ", f"    {key}: REPLACED ", 1)
    body = "\n".join(f"    {text}" if "REPLACED" in row else row for row in body.splitlines()) + "\n"
    path = write(tmp_path, "p.yaml", "id: p\ndescription: d\nrules:\n" + body)
    assert problems(path) == [f"{path}:{line}: {expected}"]


def test_bad_scope_values(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", """\
        id: p
        description: d
        scope:
          orgs: [b2b, B2B]
          audience: public
          task_types:
            - handle_time
            - handle_tim
        rules:
        """, RULE.format(id="a"))
    found = problems(path)
    assert found[0] == f"{path}:4: scope.orgs.1: 'B2B' is not allowed (did you mean 'b2b'?); use one of: b2b, b2c"
    assert found[1] == (f"{path}:5: scope.audience: 'public' is not allowed; use one of: internal, external, any")
    assert found[2].startswith(f"{path}:8: scope.task_types.1: 'handle_tim' is not allowed (did you mean "
                               "'handle_time'?); use one of: handle_time, transfer_count, ")
    assert len(found) == 3


def test_bad_regex_names_the_regex_error(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", """\
        id: p
        description: d
        rules:
          - id: a
            kind: pattern
            regex: 'card (\\d{4}'
            action: redact
            severity: high
            description: A rule.
        """)
    assert problems(path) == [
        f"{path}:6: rules.0.regex: invalid regex 'card (\\\\d{{4}}': missing ), unterminated subpattern at position 5"]


def test_bad_record_filter_regex(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", """\
        id: p
        description: d
        rules:
          - id: a
            kind: object_field
            object: Knowledge__kav
            fields: [Title]
            records:
              Title: '[internal'
            action: block
            severity: high
            description: A rule.
        """)
    assert problems(path) == [f"{path}:8: rules.0.records: invalid regex of Title '[internal': unterminated "
                              "character set at position 0"]


def test_unknown_object_suggests_close_names(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", """\
        id: p
        description: d
        rules:
          - id: a
            kind: object_field
            object: Contacts
            fields: [Email]
            action: block
            severity: high
            description: A rule.
        """)
    assert problems(path) == [f"{path}:6: rules.0.object: unknown object 'Contacts' in the b2b/b2c schema; did you "
                              "mean 'Contact' or 'Contract'?"]


def test_unknown_fields_suggest_close_names(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", """\
        id: p
        description: d
        rules:
          - id: a
            kind: object_field
            object: Contact
            fields:
              - Email
              - Phnoe
              - email
            records:
              Titel: 'x'
            action: block
            severity: high
            description: A rule.
        """)
    assert problems(path) == [
        f"{path}:9: rules.0.fields.1: unknown field 'Phnoe' of Contact; did you mean 'Phone'?",
        f"{path}:10: rules.0.fields.2: unknown field 'email' of Contact; did you mean 'Email'?",
        f"{path}:12: rules.0.records.Titel: unknown field 'Titel' of Contact",
    ]


def test_a_field_of_one_org_only_is_checked_against_the_scope(tmp_path: Path) -> None:
    body = """\
        id: p
        description: d
        scope:
          orgs: [{orgs}]
        rules:
          - id: a
            kind: object_field
            object: Account
            fields: [PersonEmail]
            action: block
            severity: high
            description: A rule.
        """
    both = write(tmp_path, "p.yaml", body.format(orgs="b2b, b2c"))
    assert problems(both) == []
    b2b = write(tmp_path, "p.yaml", body.format(orgs="b2b"))
    assert problems(b2b) == [f"{b2b}:9: rules.0.fields.0: unknown field 'PersonEmail' of Account"]


def test_errors_in_one_rule_do_not_hide_schema_errors_in_another(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", """\
        id: p
        description: d
        rules:
          - id: a
            kind: pattern
            regex: 'x'
            action: deny
            severity: low
            description: A rule.
          - id: b
            kind: object_field
            object: Case
            fields: [Onwer]
            action: block
            severity: high
            description: A rule.
        """)
    assert problems(path) == [
        f"{path}:7: rules.0.action: 'deny' is not allowed; use one of: flag, redact, block, refuse",
        f"{path}:13: rules.1.fields.0: unknown field 'Onwer' of Case; did you mean 'OwnerId'?",
    ]


def test_duplicate_rule_ids_point_at_the_second(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", "id: p\ndescription: d\nrules:\n" + RULE.format(id="same")
                 + RULE.format(id="same"))
    assert problems(path) == [f"{path}:10: rules.1.id: duplicate rule id 'same' (first used by rule 0)"]


def test_duplicate_policy_ids_across_files(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    text = "# a comment\nid: p\ndescription: d\nrules:\n" + RULE.format(id="a")
    first = write(tmp_path / "one", "p.yaml", text)
    second = write(tmp_path / "two", "p.yaml", text)
    assert problems([first, second]) == [f"{second}:2: id: duplicate policy id 'p' (first in {first}:2)"]
    yml = write(tmp_path / "one", "p.yml", text)
    assert problems(tmp_path / "one") == [f"{yml}:2: id: duplicate policy id 'p' (first in {first}:2)"]


def test_policy_id_must_be_the_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, "privacy.yaml", "id: private\ndescription: d\nrules:\n" + RULE.format(id="a"))
    assert problems(path) == [f"{path}:1: id: 'private' does not match the file name; use 'privacy'"]


def test_repeated_yaml_key(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", "id: p\ndescription: d\nrules:\n" + RULE.format(id="a") + "    action: block\n")
    assert problems(path) == [f"{path}:10: rules.0.action: repeated key (first on line 7)"]


@pytest.mark.parametrize(("text", "line", "message"), [
    ("id: p\ndescription: d\nrules: [a, b\n", 4, "invalid YAML: expected ',' or ']', but got '<stream end>'"),
    ("id: p\ndescription: d\nrules: [\n  - id: a\n", 4, "invalid YAML: expected the node content, but found '-'"),
    ("id: p\ndescription: 'unclosed\nrules: []\n", 4, "invalid YAML: found unexpected end of stream"),
    ("id: p\n\tdescription: d\n", 2, "invalid YAML: found character '\\t' that cannot start any token"),
    ("id: p\ndescription: \x1f\n", 2, "invalid YAML: special characters are not allowed"),
])
def test_bad_yaml_names_its_line(tmp_path: Path, text: str, line: int, message: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    found = problems(path)
    assert len(found) == 1
    assert found[0].startswith(f"{path}:{line}: {message}")


def test_missing_or_empty_rules(tmp_path: Path) -> None:
    missing = write(tmp_path, "p.yaml", "id: p\ndescription: d\n")
    assert problems(missing) == [f"{missing}:1: rules: required key missing"]
    empty = write(tmp_path, "p.yaml", "id: p\ndescription: d\nrules: []\n")
    assert problems(empty) == [f"{empty}:3: rules: cannot be empty"]
    unkinded = write(tmp_path, "p.yaml", "id: p\ndescription: d\nrules:\n  - id: a\n    action: flag\n")
    assert problems(unkinded) == [f"{unkinded}:4: rules.0.kind: missing key 'kind'; use one of: object_field, "
                                  "pattern, topic, llm"]


def test_wrong_types(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", """\
        id: p
        description: d
        rules:
          - id: a
            kind: object_field
            object: Contact
            fields: Email
            allow_own: maybe
            action: block
            severity: high
            description: A rule.
          - id: b
            kind: object_field
            object: Contact
            fields: ["*", Email]
            action: block
            severity: high
            description: A rule.
        """)
    assert problems(path) == [
        f"{path}:7: rules.0.fields: expected a list, got text",
        f"{path}:8: rules.0.allow_own: expected true or false, got 'maybe'",
        f"{path}:15: rules.1.fields: \"*\" stands for every field and cannot be combined with field names",
    ]


def test_not_a_mapping_and_unreadable_files(tmp_path: Path) -> None:
    empty = write(tmp_path, "empty.yaml", "")
    assert problems(empty) == [f"{empty}:1: expected a mapping of policy keys (id, description, scope, rules), "
                               "got an empty file"]
    listed = write(tmp_path, "listed.yaml", "- id: p\n")
    assert problems(listed) == [f"{listed}:1: expected a mapping of policy keys (id, description, scope, rules), "
                                "got a list"]
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"id: \xff\n")
    assert problems(binary) == [f"{binary}: not UTF-8 text"]
    assert problems(tmp_path / "absent.yaml") == [f"{tmp_path / 'absent.yaml'}: no such file"]
    assert problems(write(tmp_path, "notes.txt", "x")) == [
        f"{tmp_path / 'notes.txt'}: not a policy file: the name must end in .yaml or .yml"]
    (tmp_path / "none").mkdir()
    assert problems(tmp_path / "none") == [f"{tmp_path / 'none'}: no policy files (*.yaml) in this directory"]


def test_validate_reports_every_problem_of_every_file(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "id: a\ndescription: d\nrules: []\n")
    write(tmp_path, "b.yaml", "id: b\ndescription: d\ncolour: red\nrules:\n" + RULE.format(id="a"))
    write(tmp_path, "c.yaml", "id: c\ndescription: d\nrules:\n" + RULE.format(id="a"))
    assert [p.split(": ", 1)[0] for p in problems(tmp_path)] == [f"{tmp_path / 'a.yaml'}:3",
                                                                 f"{tmp_path / 'b.yaml'}:3"]


def test_load_raises_the_first_problem(tmp_path: Path) -> None:
    write(tmp_path, "a.yaml", "id: a\ndescription: d\nrules: []\n")
    with pytest.raises(PolicyFileError) as caught:
        load_policies(tmp_path)
    assert (caught.value.path, caught.value.line, caught.value.field) == (str(tmp_path / "a.yaml"), 3, "rules")
    assert str(caught.value) == f"{tmp_path / 'a.yaml'}:3: rules: cannot be empty"
    with pytest.raises(PolicyFileError, match="no such directory"):
        load_policies(tmp_path / "absent")
    with pytest.raises(PolicyFileError, match="cannot be empty"):
        load_policy_file(tmp_path / "a.yaml")


def test_a_valid_file_with_defaults(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", "id: p\ndescription: d\nrules:\n" + RULE.format(id="a"))
    policy = load_policy_file(path)
    assert isinstance(policy, Policy)
    assert policy.scope.orgs == ["b2b", "b2c"] and policy.scope.audience == "any" and policy.scope.task_types is None
    assert policy.source == str(path)
    assert policy.rule("a") is policy.rules[0] and policy.rule("b") is None


def test_field_descriptions_document_the_format() -> None:
    for model in (Policy, ObjectFieldRule, PatternRule, TopicRule, LlmRule):
        for name, info in model.model_fields.items():
            assert info.description, f"{model.__name__}.{name} has no description"
