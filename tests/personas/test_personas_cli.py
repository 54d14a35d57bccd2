"""``crmsim personas list|show|new|validate|schema``, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from persona_helpers import Write

import crmsim
from crmsim.cli import main
from crmsim.personas import Persona, load_persona, load_personas, persona_json_schema

SHIPPED_DIR = Path(crmsim.__file__).resolve().parent.parent / "personas"
SHIPPED = load_personas(SHIPPED_DIR)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return status, out, err


def one_line_error(err: str, *words: str) -> None:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0], err


def test_list_shows_the_shipped_personas(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "personas", "list")
    assert status == 0, err
    lines = out.splitlines()
    assert lines[0].split() == ["id", "name", "role", "org", "audience", "disclosure"]
    row = next(line for line in lines if line.startswith("b2b-buyer "))
    assert row.split()[-3:] == ["b2b", "external", "reluctant"] and "Mark Feldman" in row
    assert sum(line.split()[0] in SHIPPED for line in lines if line.strip()) == len(SHIPPED)
    assert lines[-1].startswith(f"{len(SHIPPED)} personas in ") and lines[-1].endswith("personas")


def test_list_another_directory(capsys: pytest.CaptureFixture[str], write: Write, tmp_path: Path,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    write("solo.yaml")
    status, out, _ = run(capsys, "personas", "list", "--dir", str(tmp_path))
    assert status == 0 and out.splitlines()[-1] == f"1 persona in {tmp_path}"
    monkeypatch.setenv("CRMSIM_PERSONAS_DIR", str(tmp_path))
    status, out, _ = run(capsys, "personas", "list")
    assert status == 0 and "solo" in out and "b2b-buyer" not in out


def test_list_with_a_broken_file_is_one_line(capsys: pytest.CaptureFixture[str], write: Write, tmp_path: Path) -> None:
    bad = write("bad.yaml", org="org: b2x")
    status, out, err = run(capsys, "personas", "list", "--dir", str(tmp_path))
    assert status == 2 and out == ""
    assert err == f"crmsim: error: {bad}:4: org: 'b2x' is not allowed; use one of: b2b, b2c, any\n"
    status, _, err = run(capsys, "personas", "list", "--dir", str(tmp_path / "nope"))
    assert status == 2
    one_line_error(err, "nope: no such file or directory")


def test_show(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "personas", "show", "cpq-specialist")
    assert status == 0, err
    assert "id          cpq-specialist" in out
    assert "disclosure  eager, at most 3 facts per turn, volunteers facts" in out
    assert "patience    12 user turns" in out
    assert "traits\n  - uses quote, product and discount terms exactly" in out
    assert "prompt\n  You are Arjun," in out
    assert max(len(line) for line in out.split("prompt\n")[1].splitlines()) <= 98
    status, out, _ = run(capsys, "personas", "show", "cpq-specialist", "--json")
    assert status == 0
    assert Persona.model_validate(json.loads(out)) == SHIPPED["cpq-specialist"]


def test_show_an_unknown_id(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "personas", "show", "cpq-specalist")
    assert status == 2 and out == ""
    one_line_error(err, "no persona 'cpq-specalist'", "known: b2b-buyer,", "did you mean 'cpq-specialist'?")


def test_show_a_broken_persona(capsys: pytest.CaptureFixture[str], write: Write, tmp_path: Path) -> None:
    bad = write("bad.yaml", patience="patience: 0")
    status, _, err = run(capsys, "personas", "show", "bad", "--dir", str(tmp_path))
    assert status == 2
    assert err == f"crmsim: error: {bad}:10: patience: must be at least 1, got 0\n"


def test_new_writes_a_valid_template(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    directory = tmp_path / "mine"
    status, out, err = run(capsys, "personas", "new", "night-shift", "--dir", str(directory))
    assert status == 0, err
    target = directory / "night-shift.yaml"
    assert out == (f"wrote {target} (a template); edit it, then run: crmsim personas validate {target}\n")
    assert load_persona(target).id == "night-shift"
    assert target.read_text().count("\n#") >= 10


def test_new_copies_a_persona_under_a_new_id(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    shipped = SHIPPED_DIR / "b2b-buyer.yaml"
    status, out, err = run(capsys, "personas", "new", "my-buyer", "--from", "b2b-buyer", "--dir", str(tmp_path))
    assert status == 0, err
    target = tmp_path / "my-buyer.yaml"
    assert f"a copy of {shipped}" in out
    assert target.read_text() == shipped.read_text().replace("id: b2b-buyer", "id: my-buyer")
    assert load_persona(target) == SHIPPED["b2b-buyer"].model_copy(update={"id": "my-buyer"})
    status, _, err = run(capsys, "personas", "new", "their-buyer", "--from", str(target), "--dir", str(tmp_path))
    assert status == 0, err
    assert load_persona(tmp_path / "their-buyer.yaml").name == "Mark Feldman"


def test_new_refuses_to_overwrite(capsys: pytest.CaptureFixture[str], write: Write, tmp_path: Path) -> None:
    existing = write("taken.yaml")
    before = existing.read_text()
    status, out, err = run(capsys, "personas", "new", "taken", "--dir", str(tmp_path))
    assert status == 2 and out == ""
    one_line_error(err, f"{existing} already exists")
    status, _, err = run(capsys, "personas", "new", "taken", "--from", "b2b-buyer", "--dir", str(tmp_path))
    assert status == 2
    assert existing.read_text() == before


@pytest.mark.parametrize(("argv", "words"), [
    (["new", "bad id"], ["invalid persona id 'bad id'"]),
    (["new", "fresh", "--from", "nobody"], ["no persona 'nobody'"]),
    (["new", "fresh", "--from", "missing.yaml"], ["--from missing.yaml: no such file"]),
    (["show"], ["the following arguments are required: ID"]),
])
def test_usage_mistakes(capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], words: list[str]) -> None:
    status, _, err = run(capsys, "personas", *argv, "--dir", str(tmp_path))
    assert status == 2
    one_line_error(err, *words)
    assert not list(tmp_path.iterdir())
    status, _, err = run(capsys, "personas", "frobnicate")
    assert status == 2
    one_line_error(err, "invalid choice: 'frobnicate'")


def test_validate_the_shipped_personas(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, err = run(capsys, "personas", "validate")
    assert status == 0, out + err
    assert out.startswith(f"{len(SHIPPED)} persona files in ") and out.endswith(": all valid\n")


def test_validate_prints_every_problem(capsys: pytest.CaptureFixture[str], write: Write, tmp_path: Path) -> None:
    good = write("good.yaml")
    bad = write("bad.yaml", org="org: b2x", disclosure__facts_per_turn="facts_per_turn: 0")
    other = write("other.yaml", id="id: good")
    status, out, err = run(capsys, "personas", "validate", "--dir", str(tmp_path))
    assert status == 1 and err == ""
    assert out.splitlines() == [
        f"{bad}:4: org: 'b2x' is not allowed; use one of: b2b, b2c, any",
        f"{bad}:9: disclosure.facts_per_turn: must be at least 1, got 0",
        f"{other}:1: id: 'good' does not match the file name 'other.yaml': rename the file to good.yaml or set "
        "id: other",
        f"{other}:1: id: duplicate id 'good' (first used in {good}:1)",
        f"4 problems in 3 persona files ({tmp_path})",
    ]
    status, out, _ = run(capsys, "personas", "validate", str(good))
    assert status == 0 and out == f"1 persona file in {good}: all valid\n"
    status, out, _ = run(capsys, "personas", "validate", str(good), str(bad))
    assert status == 1 and out.splitlines()[-1] == f"2 problems in 2 persona files ({good}, {bad})"


def test_validate_a_missing_path(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, _ = run(capsys, "personas", "validate", str(tmp_path / "gone.yaml"))
    assert status == 1
    assert out.splitlines()[0] == f"{tmp_path / 'gone.yaml'}: no such file or directory"


def test_schema(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status, out, _ = run(capsys, "personas", "schema")
    assert status == 0 and json.loads(out) == persona_json_schema()
    target = tmp_path / "schemas" / "persona.json"
    status, out, _ = run(capsys, "personas", "schema", "--out", str(target))
    assert status == 0 and out == f"wrote the persona JSON Schema to {target}\n"
    assert json.loads(target.read_text()) == persona_json_schema()
