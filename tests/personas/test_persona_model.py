"""The persona model: round trips through YAML, the JSON Schema, the template for new files."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import get_args

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from crmsim.personas import (
    Audience,
    Disclosure,
    DisclosureStyle,
    Persona,
    PersonaOrg,
    dump_persona,
    is_persona_id,
    load_persona,
    persona_json_schema,
    persona_template,
)
from crmsim.personas._template import renamed_persona_text


def _text(max_size: int) -> st.SearchStrategy[str]:
    return st.text(min_size=1, max_size=max_size).filter(lambda text: bool(text.strip()))


personas = st.builds(
    Persona,
    id=st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,30}", fullmatch=True),
    name=_text(60),
    role=_text(60),
    org=st.sampled_from(get_args(PersonaOrg)),
    audience=st.sampled_from(get_args(Audience)),
    tone=_text(60),
    disclosure=st.builds(Disclosure, style=st.sampled_from(get_args(DisclosureStyle)),
                         facts_per_turn=st.integers(1, 10**6), volunteers=st.booleans()),
    patience=st.integers(1, 10**6),
    traits=st.lists(_text(80), max_size=5),
    prompt=_text(400),
)


@pytest.fixture(scope="module")
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as directory:
        yield Path(directory)


@settings(max_examples=150, deadline=None)
@given(persona=personas)
def test_yaml_round_trip(persona: Persona, scratch: Path) -> None:
    path = scratch / f"{persona.id}.yaml"
    path.write_text(dump_persona(persona), encoding="utf-8")
    assert load_persona(path) == persona


def test_dump_is_readable_yaml() -> None:
    persona = Persona(id="p", name="P", role="sales rep", org="any", audience="external", tone="dry",
                      disclosure=Disclosure(style="eager"), traits=["terse"], prompt="Line one.\nLine two.\n")
    assert dump_persona(persona) == (
        "id: p\nname: P\nrole: sales rep\norg: any\naudience: external\ntone: dry\n"
        "disclosure:\n  style: eager\n  facts_per_turn: 1\n  volunteers: false\npatience: 10\n"
        "traits:\n  - terse\nprompt: |\n  Line one.\n  Line two.\n")


def test_the_model_is_strict_and_frozen() -> None:
    persona = Persona(id="p", name="P", role="r", org="b2b", audience="internal", tone="t",
                      disclosure={"style": "reluctant"}, prompt="x")
    with pytest.raises(ValidationError):
        persona.patience = 3  # type: ignore[misc]
    with pytest.raises(ValidationError, match="patience"):
        Persona.model_validate({**persona.model_dump(), "patience": "3"})
    with pytest.raises(ValidationError, match="extra"):
        Persona.model_validate({**persona.model_dump(), "voice": "loud"})


@pytest.mark.parametrize(("text", "valid"), [
    ("sales-rep", True), ("b2c.customer_2", True), ("9lives", True), ("-dash", False), ("has space", False),
    ("a:b", False), ("", False), ("x" * 64, True), ("x" * 65, False),
])
def test_persona_ids(text: str, valid: bool) -> None:
    assert is_persona_id(text) is valid


def _properties(schema: dict[str, object], name: str) -> dict[str, dict[str, object]]:
    defs = schema["$defs"]
    assert isinstance(defs, dict)
    target = schema if name == "Persona" else defs[name]
    properties = target["properties"]
    assert isinstance(properties, dict)
    return properties


def test_json_schema_describes_every_field() -> None:
    schema = persona_json_schema()
    assert schema["$id"] == "urn:crmsim:schema:persona" and schema["title"] == "crmsim persona"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["additionalProperties"] is False
    assert set(schema["required"]) == {"id", "name", "role", "org", "audience", "tone", "disclosure", "prompt"}
    persona = _properties(schema, "Persona")
    assert list(persona) == list(Persona.model_fields)
    disclosure = _properties(schema, "Disclosure")
    assert list(disclosure) == list(Disclosure.model_fields)
    for name, spec in [*persona.items(), *disclosure.items()]:
        assert spec.get("description"), name
    assert persona["org"]["enum"] == ["b2b", "b2c", "any"]
    assert disclosure["style"]["enum"] == ["eager", "on_request", "reluctant", "vague_first"]
    assert disclosure["facts_per_turn"]["minimum"] == 1 and persona["patience"]["minimum"] == 1


@pytest.mark.parametrize("persona_id", ["fresh", "123", "true", "a.b-c_d"])
def test_template_is_a_valid_commented_persona(tmp_path: Path, persona_id: str) -> None:
    path = tmp_path / f"{persona_id}.yaml"
    text = persona_template(persona_id)
    path.write_text(text, encoding="utf-8")
    assert load_persona(path).id == persona_id
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert len(comments) >= len(Persona.model_fields)
    for choices in ("b2b, b2c or any", "eager, on_request, reluctant or vague_first"):
        assert choices in text


def test_renamed_copy_keeps_comments_and_layout() -> None:
    text = "# Header comment\nid: old   # trailing comment\nname: X\n"
    assert renamed_persona_text(text, "new") == "# Header comment\nid: new   # trailing comment\nname: X\n"
    assert yaml.safe_load(renamed_persona_text(text, "007"))["id"] == "007"
    assert renamed_persona_text("name: X\n", "p") == "id: p\nname: X\n"
