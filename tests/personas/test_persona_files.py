"""Persona files: every kind of mistake is reported with the file, the line, the field and a plain message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from persona_helpers import VALID, Write

from crmsim.errors import CrmsimError, PersonaFileError
from crmsim.personas import Persona, load_persona, load_personas, validate_personas

PERSONA_KEYS = "id, name, role, org, audience, tone, disclosure, patience, traits, prompt"


def problems(source: Path | list[Path]) -> list[str]:
    return [str(problem) for problem in validate_personas(source)]


def test_a_valid_file_loads(write: Write) -> None:
    path = write("tester.yaml")
    persona = load_persona(path)
    assert persona == Persona(id="tester", name="Test Person", role="service agent", org="b2b", audience="internal",
                              tone="calm", disclosure={"style": "on_request", "facts_per_turn": 2}, patience=5,
                              traits=["short answers"], prompt="You ask for help.\n")
    assert persona.disclosure.volunteers is False
    assert problems(path) == []


def test_defaults(write: Write) -> None:
    text = VALID.format(id="lean").replace("  facts_per_turn: 2\n", "").replace("patience: 5\n", "")
    text = text.replace("traits:\n  - short answers\n", "")
    persona = load_persona(write("lean.yaml", text))
    assert (persona.patience, persona.traits, persona.disclosure.facts_per_turn) == (10, [], 1)


def test_unknown_key_names_the_known_keys(write: Write) -> None:
    path = write("p.yaml", tone="tones: calm")
    assert problems(path) == [
        f"{path}:1: tone: required field is missing",
        f"{path}:6: tones: unknown key 'tones' (did you mean 'tone'?); known keys: {PERSONA_KEYS}",
    ]
    path = write("q.yaml", disclosure__style="style: eager\n  shy: true")
    assert problems(path) == [
        f"{path}:9: disclosure.shy: unknown key 'shy'; known keys: style, facts_per_turn, volunteers"]


@pytest.mark.parametrize(("edit", "expected"), [
    ({"name": "name: 12"}, "2: name: expected text, got a number (12); put it in quotes to mean text"),
    ({"tone": "tone: yes"}, "6: tone: expected text, got a boolean (true); put it in quotes to mean text"),
    ({"patience": 'patience: "5"'}, "10: patience: expected a whole number, got text ('5')"),
    ({"patience": "patience: 2.5"}, "10: patience: expected a whole number, got a number (2.5)"),
    ({"disclosure__facts_per_turn": "volunteers: maybe"},
     "9: disclosure.volunteers: expected true or false, got text ('maybe')"),
    ({"traits": "traits: quiet", "- short answers": None}, "11: traits: expected a list, got text ('quiet')"),
    ({"role": "role:"}, "3: role: expected text, got an empty value"),
])
def test_wrong_types(write: Write, edit: dict[str, str], expected: str) -> None:
    path = write("p.yaml", **edit)
    assert problems(path) == [f"{path}:{expected}"]


def test_wrong_type_for_a_mapping(write: Write) -> None:
    block = "disclosure:\n  style: on_request\n  facts_per_turn: 2\n"
    text = VALID.format(id="p").replace(block, "disclosure: eager\n")
    path = write("p.yaml", text)
    assert problems(path) == [
        f"{path}:7: disclosure: expected a mapping (style, facts_per_turn, volunteers), got text ('eager')"]


def test_wrong_type_in_a_list_names_the_item(write: Write) -> None:
    text = VALID.format(id="p").replace("  - short answers\n", "  - short answers\n  - 3\n  - ''\n")
    path = write("p.yaml", text)
    assert problems(path) == [
        f"{path}:13: traits.1: expected text, got a number (3); put it in quotes to mean text",
        f"{path}:14: traits.2: must not be empty",
    ]


@pytest.mark.parametrize(("edit", "expected"), [
    ({"org": "org: b2x"}, "4: org: 'b2x' is not allowed; use one of: b2b, b2c, any"),
    ({"audience": "audience: partner"}, "5: audience: 'partner' is not allowed; use one of: internal, external"),
    ({"disclosure__style": "style: loud"},
     "8: disclosure.style: 'loud' is not allowed; use one of: eager, on_request, reluctant, vague_first"),
])
def test_bad_choice_lists_the_allowed_values(write: Write, edit: dict[str, str], expected: str) -> None:
    path = write("p.yaml", **edit)
    assert problems(path) == [f"{path}:{expected}"]


def test_missing_fields_point_at_their_mapping(write: Write) -> None:
    text = "# a comment first\n" + VALID.format(id="p").split("prompt:")[0]
    path = write("p.yaml", text)
    assert problems(path) == [f"{path}:2: prompt: required field is missing"]
    path = write("q.yaml", disclosure__style=None)
    assert problems(path) == [
        f"{path}:7: disclosure.style: required field is missing; use one of: eager, on_request, reluctant, vague_first"]


@pytest.mark.parametrize(("edit", "expected"), [
    ({"disclosure__facts_per_turn": "facts_per_turn: 0"}, "9: disclosure.facts_per_turn: must be at least 1, got 0"),
    ({"patience": "patience: -1"}, "10: patience: must be at least 1, got -1"),
    ({"name": "name: ''"}, "2: name: must not be empty"),
    ({"tone": "tone: '   '"}, "6: tone: must not be blank"),
    ({"role": f"role: {'x' * 201}"}, "3: role: must be at most 200 characters, got 201"),
])
def test_out_of_range_values(write: Write, edit: dict[str, str], expected: str) -> None:
    path = write("p.yaml", **edit)
    assert problems(path) == [f"{path}:{expected}"]


def test_bad_id(write: Write) -> None:
    path = write("bad id.yaml")
    assert problems(path) == [
        f"{path}:1: id: 'bad id' must start with a letter or digit and hold only letters, digits and _ . -"]
    path = write("123.yaml", id="id: 123")
    assert problems(path) == [f"{path}:1: id: expected text, got a number (123); put it in quotes to mean text"]
    assert load_persona(write("124.yaml", id="id: '124'")).id == "124"


def test_id_must_match_the_file_name(write: Write) -> None:
    path = write("other.yaml", id="id: tester")
    assert problems(path) == [
        f"{path}:1: id: 'tester' does not match the file name 'other.yaml': rename the file to tester.yaml "
        "or set id: other"]


def test_duplicate_ids_across_files(write: Write, tmp_path: Path) -> None:
    first = write("one/tester.yaml")
    second = write("two/tester.yaml")
    assert problems([tmp_path / "one", tmp_path / "two"]) == [
        f"{second}:1: id: duplicate id 'tester' (first used in {first}:1)"]
    third = write("one/tester.yml")
    assert problems(tmp_path / "one") == [f"{third}:1: id: duplicate id 'tester' (first used in {first}:1)"]


def test_duplicate_keys(write: Write) -> None:
    path = write("p.yaml", tone="tone: calm\ntone: loud")
    assert problems(path) == [f"{path}:7: tone: duplicate key 'tone' (first on line 6)"]


@pytest.mark.parametrize(("text", "expected"), [
    ("id: p\nname: [Test\nrole: x\n",
     "3: invalid YAML: while parsing a flow sequence, expected ',' or ']', but got ':'"),
    ("id: p\nname: Test\n  role: x\n", "3: invalid YAML: mapping values are not allowed here"),
    ("id: p\n\tname: Test\n", "2: invalid YAML: while scanning for the next token, found character '\\t' that "
                              "cannot start any token"),
    ("id: p\n---\nid: q\n", "2: invalid YAML: expected a single document in the stream, but found another document"),
    ("id: p\nname: a\x07b\n", "2: invalid YAML: special characters are not allowed (character #x0007)"),
    ("", f"1: expected a mapping of persona fields ({PERSONA_KEYS}), got an empty file"),
    ("- a\n- b\n", f"1: expected a mapping of persona fields ({PERSONA_KEYS}), got a list"),
    ("just words\n", f"1: expected a mapping of persona fields ({PERSONA_KEYS}), got text ('just words')"),
])
def test_invalid_yaml(write: Write, text: str, expected: str) -> None:
    path = write("p.yaml", text)
    assert problems(path) == [f"{path}:{expected}"]


def test_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_bytes(b"id: p\n\nname: caf\xe9\n")
    assert problems(path) == [f"{path}:3: not UTF-8 text"]


def test_every_problem_of_a_file_in_line_order(write: Write) -> None:
    path = write("p.yaml", id="id: q", org="org: b2x", tone="tones: calm",
                 disclosure__facts_per_turn="facts_per_turn: 0")
    found = validate_personas(path)
    assert [(problem.line, problem.field) for problem in found] == [
        (1, "tone"), (1, "id"), (4, "org"), (6, "tones"), (9, "disclosure.facts_per_turn")]
    assert all(problem.path == str(path) for problem in found)


def test_load_persona_raises_the_first_problem_and_counts_the_rest(write: Write) -> None:
    path = write("p.yaml", org="org: b2x", patience="patience: 0")
    with pytest.raises(PersonaFileError) as caught:
        load_persona(path)
    error = caught.value
    assert isinstance(error, CrmsimError)
    assert (error.path, error.line, error.field) == (str(path), 4, "org")
    assert str(error) == f"{path}:4: org: 'b2x' is not allowed; use one of: b2b, b2c, any (and 1 more problem)"


def test_load_persona_checks_the_file_name(write: Write) -> None:
    with pytest.raises(PersonaFileError, match=r"other\.yaml:1: id: 'tester' does not match"):
        load_persona(write("other.yaml", id="id: tester"))


def test_missing_paths(tmp_path: Path) -> None:
    with pytest.raises(PersonaFileError, match=r"nope\.yaml: no such file$"):
        load_persona(tmp_path / "nope.yaml")
    with pytest.raises(PersonaFileError, match=r"is a directory"):
        load_persona(tmp_path)
    with pytest.raises(PersonaFileError, match=r"missing: no such file or directory$"):
        load_personas(tmp_path / "missing")
    assert problems(tmp_path / "missing") == [f"{tmp_path / 'missing'}: no such file or directory"]


def test_load_personas_sorts_by_id_and_skips_other_files(write: Write, tmp_path: Path) -> None:
    for name in ("zeta.yaml", "alpha.yml", "mid.yaml"):
        write(name)
    (tmp_path / "README.md").write_text("not a persona\n")
    (tmp_path / ".draft.yaml").write_text("broken: [\n")
    assert list(load_personas(tmp_path)) == ["alpha", "mid", "zeta"]
    empty = tmp_path / "empty"
    empty.mkdir()
    assert load_personas(empty) == {}
    assert validate_personas(empty) == []


def test_load_personas_raises_when_any_file_is_bad(write: Write, tmp_path: Path) -> None:
    write("good.yaml")
    bad = write("bad.yaml", org="org: b2x", patience="patience: 0")
    with pytest.raises(PersonaFileError) as caught:
        load_personas(tmp_path)
    assert str(caught.value) == f"{bad}:4: org: 'b2x' is not allowed; use one of: b2b, b2c, any (and 1 more problem)"


@pytest.mark.parametrize(("text", "expected"), [
    ("id: p\nname: !!python/object:os.system {}\n",
     "2: invalid YAML: could not determine a constructor for the tag 'tag:yaml.org,2002:python/object:os.system'"),
    ("id: p\n{a: 1}: 2\n", "2: invalid YAML: while constructing a mapping, found unhashable key"),
    ("id: p\ntraits: &t [a, *t]\n", "2: traits.1: expected text, got a list"),
    ("id: p\nname: 2020-01-01\n", "2: name: expected text, got a date (2020-01-01)"),
])
def test_yaml_oddities(write: Write, text: str, expected: str) -> None:
    """Unsafe tags, complex keys, recursive aliases and typed scalars are reported, not raised."""
    path = write("p.yaml", text)
    assert f"{path}:{expected}" in problems(path)


yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
persona_like = st.fixed_dictionaries({}, optional={
    "id": st.just("p") | yaml_values, "name": yaml_values, "org": st.sampled_from(["b2b", "any", "b2x"]),
    "disclosure": st.fixed_dictionaries({}, optional={"style": yaml_values, "facts_per_turn": yaml_values}),
    "patience": yaml_values, "traits": yaml_values, "extra": yaml_values,
})


@pytest.fixture(scope="module")
def fuzz_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz") / "p.yaml"


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=200) | persona_like.map(yaml.safe_dump))
def test_any_text_gives_problems_not_exceptions(text: str, fuzz_file: Path) -> None:
    fuzz_file.write_text(text, encoding="utf-8")
    for problem in validate_personas(fuzz_file):
        assert problem.path == str(fuzz_file) and problem.line is not None and problem.line >= 1
        assert "\n" not in str(problem)
