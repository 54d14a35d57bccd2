"""``crmsim policies list|show|validate|check``, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from policy_helpers import SHIPPED

from crmsim.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_list_shows_every_shipped_policy(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "policies", "list", "--dir", str(SHIPPED))
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["id", "audience", "orgs", "task", "types", "rules", "description"]
    assert [line.split()[0] for line in lines[1:-1]] == sorted(p.stem for p in SHIPPED.glob("*.yaml"))
    assert lines[-1].startswith(f"{len(lines) - 2} policies, ")


def test_show_prints_a_policy_and_its_rules(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "policies", "show", "customer_privacy", "--dir", str(SHIPPED))
    assert status == 0
    assert out.startswith("id           customer_privacy\n")
    assert "audience     external" in out
    assert "  contact-details-read  [object_field] block, high" in out
    assert "    object Contact: Email, Phone; matches reads; own records allowed" in out
    status, out, _ = run(capsys, "policies", "show", "customer_privacy", "--dir", str(SHIPPED), "--json")
    data = json.loads(out)
    assert data["id"] == "customer_privacy" and data["scope"]["audience"] == "external"
    assert data["rules"][0]["fields"] == ["Email", "Phone"]


def test_show_an_unknown_id_is_one_line_and_status_2(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "policies", "show", "customer_privcy", "--dir", str(SHIPPED))
    assert (status, out) == (2, "")
    assert err == "crmsim: error: no policy with id 'customer_privcy'; did you mean 'customer_privacy'?\n"


def test_validate_the_shipped_policies(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRMSIM_POLICIES_DIR", str(SHIPPED))
    status, out, err = run(capsys, "policies", "validate")
    assert status == 0, out + err
    assert out.endswith("rules, all valid\n")


def test_validate_prints_one_line_per_problem_and_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: bad\ndescription: d\nscope:\n  audience: public\nrules: []\n", encoding="utf-8")
    other = tmp_path / "other.yaml"
    other.write_text("id: other\ndescription: d\nrules:\n  - id: a\n    kind: pattern\n    regex: '('\n"
                     "    action: flag\n    severity: low\n    description: d\n", encoding="utf-8")
    status, out, err = run(capsys, "policies", "validate", str(bad), str(other))
    assert status == 1
    assert out.splitlines() == [
        f"{bad}:4: scope.audience: 'public' is not allowed; use one of: internal, external, any",
        f"{bad}:5: rules: cannot be empty",
        f"{other}:6: rules.0.regex: invalid regex '(': missing ), unterminated subpattern at position 0",
    ]
    assert err == "crmsim policies: 3 problems\n"
    status, out, _ = run(capsys, "policies", "validate", "--dir", str(tmp_path))
    assert status == 1 and len(out.splitlines()) == 3


def test_a_broken_directory_is_an_input_mistake(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "p.yaml").write_text("id: p\n", encoding="utf-8")
    status, out, err = run(capsys, "policies", "list", "--dir", str(tmp_path))
    assert (status, out) == (2, "")
    assert err == f"crmsim: error: {tmp_path / 'p.yaml'}:1: description: required key missing\n"
    status, _, err = run(capsys, "policies", "list", "--dir", str(tmp_path / "absent"))
    assert status == 2 and err == f"crmsim: error: {tmp_path / 'absent'}: no such directory\n"


def test_check_a_statement_and_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = run(capsys, "policies", "check", "--dir", str(SHIPPED), "--org", "b2b", "--audience",
                         "external", "SELECT OwnerId, COUNT(Id) FROM Case GROUP BY OwnerId")
    assert status == 0
    assert out == ("internal_operations/cases-of-others  block (high): reads Case records, not limited to the "
                   "customer's own records\ndecision: block\n")
    status, out, _ = run(capsys, "policies", "check", "--dir", str(SHIPPED), "--org", "b2c", "--audience",
                         "internal", "--message", "Card 4111 1111 1111 1111 is on file.")
    assert out == ("payment_data/card-number  redact (high): matches the card-number pattern in 1 place\n"
                   "decision: redact\nredacted: Card [redacted] is on file.\n")
    status, out, _ = run(capsys, "policies", "check", "--dir", str(SHIPPED), "--org", "b2b", "--audience",
                         "external", "--own-id", "003Wt0000000101AAA",
                         "SELECT Email FROM Contact WHERE Id = '003Wt0000000101AAA'")
    assert out == "decision: allow\n"
    status, _, err = run(capsys, "policies", "check", "--dir", str(SHIPPED), "--org", "b2b", "--audience",
                         "external", "--task-type", "handle_tim", "SELECT Id FROM Case")
    assert status == 2 and err == "crmsim: error: unknown task type 'handle_tim'; did you mean 'handle_time'?\n"
