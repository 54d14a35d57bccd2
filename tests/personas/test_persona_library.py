"""The personas shipped in personas/: all valid, and together they cover what a run needs."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

import crmsim
from crmsim.personas import Persona, default_personas_dir, load_personas, personas_for, validate_personas
from crmsim.tasks import Task, TaskType

SHIPPED = Path(crmsim.__file__).resolve().parent.parent / "personas"
INTERNAL_ROLES = ("service agent", "support analyst", "service manager", "sales rep", "sales manager",
                  "CPQ specialist")
EXTERNAL_ROLES = ("B2B buyer", "B2C customer")


@pytest.fixture(scope="module")
def library() -> dict[str, Persona]:
    return load_personas(SHIPPED)


def has_role(persona: Persona, role: str) -> bool:
    """'service agent' matches 'service agent' and 'service agent (new hire)'."""
    return persona.role == role or persona.role.startswith(f"{role} (")


def test_the_default_directory_is_the_shipped_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert default_personas_dir() == SHIPPED
    monkeypatch.setenv("CRMSIM_PERSONAS_DIR", str(tmp_path))
    assert default_personas_dir() == tmp_path


def test_every_shipped_persona_is_valid(library: dict[str, Persona]) -> None:
    assert validate_personas(SHIPPED) == []
    files = sorted(SHIPPED.glob("*.yaml"))
    assert sorted(path.stem for path in files) == list(library)
    assert (SHIPPED / "README.md").is_file()


def test_size_and_orgs(library: dict[str, Persona]) -> None:
    assert len(library) >= 12
    orgs = Counter(persona.org for persona in library.values())
    assert orgs["b2b"] >= 2 and orgs["b2c"] >= 2 and orgs["any"] >= 1


def test_roles(library: dict[str, Persona]) -> None:
    internal = [persona for persona in library.values() if persona.audience == "internal"]
    external = [persona for persona in library.values() if persona.audience == "external"]
    for role in INTERNAL_ROLES:
        assert any(has_role(persona, role) for persona in internal), role
    for role in EXTERNAL_ROLES:
        assert any(has_role(persona, role) for persona in external), role
    assert len(external) >= 3
    assert {persona.org for persona in external if has_role(persona, "B2B buyer")} <= {"b2b", "any"}
    assert {persona.org for persona in external if has_role(persona, "B2C customer")} <= {"b2c", "any"}


def test_variety(library: dict[str, Persona]) -> None:
    styles = Counter(persona.disclosure.style for persona in library.values())
    assert set(styles) == {"eager", "on_request", "reluctant", "vague_first"}
    assert min(styles.values()) >= 2, styles
    assert len({persona.tone for persona in library.values()}) == len(library)
    assert len({persona.patience for persona in library.values()}) >= 5
    assert {persona.disclosure.volunteers for persona in library.values()} == {True, False}
    assert len({persona.disclosure.facts_per_turn for persona in library.values()}) >= 2


def test_prompts_describe_the_voice_and_invent_nothing(library: dict[str, Persona]) -> None:
    for persona in library.values():
        prompt = persona.prompt
        sentences = [part for part in re.split(r"(?<=[.!?])\s+", prompt.strip()) if part]
        assert len(sentences) >= 3, persona.id
        assert prompt.startswith(f"You are {persona.name.split()[0]},"), persona.id
        assert "only the facts of your task" in prompt, persona.id  # never invent facts
        assert not re.search(r"\d", prompt), persona.id  # no made-up numbers, dates or record Ids
        if persona.audience == "external":
            assert "customer" in prompt, persona.id


@pytest.mark.parametrize("org", ["b2b", "b2c"])
@pytest.mark.parametrize("task_type", list(TaskType))
def test_every_task_type_has_a_persona_in_both_orgs(library: dict[str, Persona], org: str,
                                                    task_type: TaskType) -> None:
    task = Task(id="t", task_type=task_type, org=org, query="q", answer=["x"],
                source={"origin": "generated", "seed": 0})
    assert personas_for(task, library)


def test_the_docs_list_every_shipped_persona(library: dict[str, Persona]) -> None:
    docs = (SHIPPED.parent / "docs" / "personas.md").read_text(encoding="utf-8")
    table = docs.split("## The shipped library", 1)[1]
    listed = re.findall(r"^\| `([^`]+)` \|", table, flags=re.M)
    assert sorted(listed) == list(library)
    for row in [line for line in table.splitlines() if line.startswith("| `")]:
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        persona = library[cells[0].strip("`")]
        assert cells[2:4] == [persona.org, persona.audience]
        assert cells[4].split(",")[0] == persona.disclosure.style and cells[5] == str(persona.patience)
