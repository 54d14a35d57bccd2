"""Reading policy files: every problem named by file, line, field path and what is allowed instead.

A policy file is ``<id>.yaml`` (or ``.yml``) holding one :class:`Policy`. Besides the model's own
checks, the loader checks that the id is the file's name, that no two files share an id, that no
key is repeated, and that objects and fields exist in the org schemas of the policy's scope.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from crmsim.errors import PolicyFileError

from ._model import ORGS, RULE_KINDS, LlmRule, ObjectFieldRule, PatternRule, Policy, Rule, Scope, TopicRule
from ._yaml import KeyPath, MarkedYaml, parse_marked

SUFFIXES = (".yaml", ".yml")
_RULE_MODELS: dict[str, type[BaseModel]] = {
    "object_field": ObjectFieldRule, "pattern": PatternRule, "topic": TopicRule, "llm": LlmRule,
}
_QUOTED = re.compile(r"'([^']*)'")


def default_policies_dir() -> Path:
    """``$CRMSIM_POLICIES_DIR``, else the repository's ``policies/``, else ``./policies``."""
    explicit = os.environ.get("CRMSIM_POLICIES_DIR")
    if explicit:
        return Path(explicit)
    shipped = Path(__file__).resolve().parents[2] / "policies"
    return shipped if shipped.is_dir() else Path("policies")


def policy_files(directory_or_paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """The policy files of a directory (sorted), or the given files and directories, in order."""
    items = [directory_or_paths] if isinstance(directory_or_paths, str | Path) else list(directory_or_paths)
    files: list[Path] = []
    for item in map(Path, items):
        if item.is_dir():
            files.extend(sorted(p for p in item.iterdir() if p.suffix in SUFFIXES and p.is_file()))
        else:
            files.append(item)
    return files


def load_policies(directory: str | Path | None = None) -> list[Policy]:
    """Every policy of ``directory`` (default :func:`default_policies_dir`), in file-name order.

    Raises the first :class:`PolicyFileError` found; :func:`validate_policies` lists them all.
    """
    directory = Path(directory) if directory is not None else default_policies_dir()
    if not directory.is_dir():
        raise PolicyFileError("no such directory" if not directory.exists() else "not a directory",
                              path=str(directory))
    policies, problems = _read_all(policy_files(directory))
    if problems:
        raise problems[0]
    return policies


def load_policy_file(path: str | Path) -> Policy:
    """One policy file; raises its first :class:`PolicyFileError`."""
    policy, problems = _read(Path(path))
    if problems or policy is None:
        raise problems[0]
    return policy


def validate_policies(directory_or_paths: str | Path | Iterable[str | Path]) -> list[PolicyFileError]:
    """Every problem of the policy files in a directory, or of the given files and directories.

    An empty list means every file is valid; a directory without policy files is a problem too.
    """
    items = [directory_or_paths] if isinstance(directory_or_paths, str | Path) else list(directory_or_paths)
    problems: list[PolicyFileError] = []
    for item in map(Path, items):
        if item.is_dir() and not policy_files(item):
            problems.append(PolicyFileError("no policy files (*.yaml) in this directory", path=str(item)))
    _, found = _read_all(policy_files(items))
    return problems + found


def _read_all(files: list[Path]) -> tuple[list[Policy], list[PolicyFileError]]:
    policies: list[Policy] = []
    problems: list[PolicyFileError] = []
    first: dict[str, tuple[str, int]] = {}
    for path in files:
        policy, found = _read(path)
        problems.extend(found)
        if policy is None:
            continue
        if policy.id in first:
            where, line = first[policy.id]
            problems.append(PolicyFileError(f"duplicate policy id {policy.id!r} (first in {where}:{line})",
                                            path=str(path), line=_id_line(policy), field="id"))
            continue
        first[policy.id] = (str(path), _id_line(policy))
        policies.append(policy)
    return policies, problems


def _id_line(policy: Policy) -> int:
    return policy._id_line


def _read(path: Path) -> tuple[Policy | None, list[PolicyFileError]]:
    where = str(path)
    if path.suffix not in SUFFIXES:
        return None, [PolicyFileError(f"not a policy file: the name must end in {' or '.join(SUFFIXES)}",
                                      path=where)]
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None, [PolicyFileError("no such file", path=where)]
    except IsADirectoryError:
        return None, [PolicyFileError("is a directory, not a policy file", path=where)]
    except UnicodeDecodeError:
        return None, [PolicyFileError("not UTF-8 text", path=where)]
    except OSError as exc:
        return None, [PolicyFileError(f"cannot read: {exc.strerror or exc}", path=where)]
    try:
        marked = parse_marked(text, path=where)
    except PolicyFileError as exc:
        return None, [exc]
    return _check(marked, path)


def _check(marked: MarkedYaml, path: Path) -> tuple[Policy | None, list[PolicyFileError]]:
    where = str(path)
    data = marked.data
    if not isinstance(data, dict):
        shown = "an empty file" if data is None else f"a {type(data).__name__}"
        return None, [PolicyFileError(f"expected a mapping of policy keys (id, description, scope, rules), "
                                      f"got {shown}", path=where, line=marked.root_line)]
    problems = [PolicyFileError(f"repeated key (first on line {first})", path=where, line=line, field=_dotted(key))
                for key, line, first in marked.repeated]
    if "id" in data and isinstance(data["id"], str) and data["id"] != path.stem:
        problems.append(PolicyFileError(f"{data['id']!r} does not match the file name; use {path.stem!r}",
                                        path=where, line=marked.line_of(("id",)), field="id"))
    policy: Policy | None = None
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        problems.extend(_pydantic_problems(exc, data, marked, where))
    problems.extend(_schema_problems(policy, data, marked, where))
    if problems:
        return None, problems
    assert policy is not None
    policy._source = where
    policy._id_line = marked.line_of(("id",))
    return policy, []


# -- pydantic errors as one-line problems ---------------------------------------------------------


def _pydantic_problems(exc: ValidationError, data: Any, marked: MarkedYaml, where: str) -> list[PolicyFileError]:
    problems = []
    for error in exc.errors(include_url=False):
        loc = _data_loc(tuple(error["loc"]), data)
        kind = error["type"]
        ctx = error.get("ctx") or {}
        if kind == "duplicate_rule_id":
            loc = ("rules", ctx["index"], "id")
        message = _message(error, loc, data)
        if kind in ("union_tag_invalid", "union_tag_not_found"):
            loc = (*loc, "kind")
        problems.append(PolicyFileError(message, path=where, line=marked.line_of(loc), field=_dotted(loc) or None))
    return problems


def _data_loc(loc: KeyPath, data: Any) -> KeyPath:
    """``loc`` without the rule-kind tags pydantic inserts for a discriminated union."""
    out: list[Any] = []
    node = data
    for part in loc:
        if isinstance(node, dict) and part not in node and part in RULE_KINDS and node.get("kind") == part:
            continue
        out.append(part)
        node = node.get(part) if isinstance(node, dict) else (
            node[part] if isinstance(node, list) and isinstance(part, int) and part < len(node) else None)
    return tuple(out)


def _message(error: Any, loc: KeyPath, data: Any) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    if kind == "extra_forbidden":
        allowed = _allowed_keys(loc[:-1], data)
        hint = _close(str(loc[-1]), allowed)
        return f"unknown key {loc[-1]!r}{hint}; allowed keys: {', '.join(allowed)}"
    if kind in ("literal_error", "enum"):
        allowed = _QUOTED.findall(str(ctx.get("expected", "")))
        return f"{value!r} is not allowed{_close(str(value), allowed)}; use one of: {', '.join(allowed)}"
    if kind == "union_tag_invalid":
        return f"{ctx.get('tag')!r} is not a rule kind; use one of: {', '.join(RULE_KINDS)}"
    if kind == "union_tag_not_found":
        return f"missing key 'kind'; use one of: {', '.join(RULE_KINDS)}"
    if kind == "missing":
        return "required key missing"
    if kind == "string_pattern_mismatch":
        return f"{value!r} is not a valid id: use lower-case letters, digits, '-' and '_'"
    if kind in ("too_short", "string_too_short"):
        return "cannot be empty"
    if kind == "list_type":
        return f"expected a list, got {_yaml_type(value)}"
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"expected a mapping, got {_yaml_type(value)}"
    if kind == "string_type":
        return f"expected text, got {_yaml_type(value)}"
    if kind in ("bool_type", "bool_parsing"):
        return f"expected true or false, got {value!r}"
    return str(error["msg"]).removeprefix("Value error, ")


def _allowed_keys(parent: KeyPath, data: Any) -> list[str]:
    model: type[BaseModel] = Policy
    if parent == ("scope",):
        model = Scope
    elif len(parent) == 2 and parent[0] == "rules":
        rules = data.get("rules") if isinstance(data, dict) else None
        rule = rules[parent[1]] if isinstance(rules, list) and parent[1] < len(rules) else None
        kind = rule.get("kind") if isinstance(rule, dict) else None
        model = _RULE_MODELS.get(str(kind), ObjectFieldRule)
    names = list(model.model_fields)
    return ["id", "kind", *(name for name in names if name not in ("id", "kind"))] if "kind" in names else names


def _close(word: str, choices: Iterable[str]) -> str:
    found = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not found:
        found = [choice for choice in choices if choice.lower() == word.lower()]
    return f" (did you mean {found[0]!r}?)" if found else ""


def _yaml_type(value: Any) -> str:
    if value is None:
        return "nothing (null)"
    names = {str: "text", bool: "true/false", int: "a number", float: "a number", list: "a list", dict: "a mapping"}
    return names.get(type(value), type(value).__name__)


def _dotted(loc: KeyPath) -> str:
    return ".".join(str(part) for part in loc)


# -- object and field names against the org schemas -----------------------------------------------

_RULE: TypeAdapter[Rule] = TypeAdapter(Rule)


def _schema_problems(policy: Policy | None, data: dict[str, Any], marked: MarkedYaml,
                     where: str) -> Iterator[PolicyFileError]:
    """Unknown objects and fields of the object_field rules that are valid on their own."""
    orgs: list[str]
    if policy is not None:
        orgs = list(policy.scope.orgs)
        rules: list[tuple[int, Any]] = list(enumerate(policy.rules))
    else:
        orgs = _raw_orgs(data)
        rules = []
        raw_rules = data.get("rules")
        for index, raw in enumerate(raw_rules if isinstance(raw_rules, list) else []):
            try:
                rules.append((index, _RULE.validate_python(raw)))
            except ValidationError:
                continue
    for index, rule in rules:
        if isinstance(rule, ObjectFieldRule):
            for loc, message in _rule_names(rule, orgs):
                full = ("rules", index, *loc)
                yield PolicyFileError(message, path=where, line=marked.line_of(full), field=_dotted(full))


def _raw_orgs(data: dict[str, Any]) -> list[str]:
    scope = data.get("scope")
    orgs = scope.get("orgs") if isinstance(scope, dict) else None
    if isinstance(orgs, list) and orgs and all(org in ORGS for org in orgs):
        return [str(org) for org in orgs]
    return list(ORGS)


@lru_cache(maxsize=8)
def _fields_of(object_name: str, orgs: tuple[str, ...]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(orgs whose schema has the object, the object's field names across those orgs)."""
    from crmsim.sandbox.schema import org_schema

    having: list[str] = []
    names: dict[str, None] = {}
    for org in orgs:
        obj = org_schema(org).objects.get(object_name)
        if obj is not None:
            having.append(org)
            names.update(dict.fromkeys(obj.fields))
    return tuple(having), tuple(names)


@lru_cache(maxsize=4)
def _objects_of(orgs: tuple[str, ...]) -> tuple[str, ...]:
    from crmsim.sandbox.schema import org_schema

    names: dict[str, None] = {}
    for org in orgs:
        names.update(dict.fromkeys(org_schema(org).objects))
    return tuple(names)


def _rule_names(rule: ObjectFieldRule, orgs: list[str]) -> Iterator[tuple[KeyPath, str]]:
    scope = tuple(orgs)
    having, fields = _fields_of(rule.object, scope)
    if not having:
        objects = _objects_of(scope)
        yield ("object",), (f"unknown object {rule.object!r} in the {'/'.join(scope)} schema"
                            f"{_suggest(rule.object, objects)}")
        return
    in_orgs = "" if len(having) == len(scope) else f" ({'/'.join(having)} only)"
    if not rule.all_fields:
        for index, name in enumerate(rule.fields):
            if name not in fields:
                yield ("fields", index), (f"unknown field {name!r} of {rule.object}{in_orgs}"
                                          f"{_suggest(name, fields)}")
    for name in rule.records or {}:
        if name not in fields:
            yield ("records", name), f"unknown field {name!r} of {rule.object}{in_orgs}{_suggest(name, fields)}"


def _suggest(name: str, choices: tuple[str, ...]) -> str:
    exact = [choice for choice in choices if choice.lower() == name.lower()]
    close = exact or difflib.get_close_matches(name, choices, n=3, cutoff=0.6)
    return f"; did you mean {' or '.join(map(repr, close))}?" if close else ""
