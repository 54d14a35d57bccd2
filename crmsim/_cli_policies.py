"""``crmsim policies``: list, show, validate and try the policy files.

    crmsim policies list [--dir D]
    crmsim policies show ID [--dir D] [--json]
    crmsim policies validate [PATHS...] [--dir D]
    crmsim policies check TEXT --org b2b|b2c --audience internal|external [--message] [--own-id ID] ...

``validate`` prints one line per problem, ``file:line: field: message``, and exits with status 1
when there is any. A policy directory that cannot be loaded, or an unknown policy id, is an input
mistake: one line on stderr and status 2.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crmsim.errors import ConfigError, PolicyFileError

if TYPE_CHECKING:
    from crmsim.policies import Policy, Verdict

PROBLEMS = 1


def add_policy_commands(commands: argparse._SubParsersAction[Any]) -> None:
    policies = commands.add_parser("policies", help="the policy files the monitor enforces: list, show, validate")
    actions = policies.add_subparsers(dest="action", required=True, parser_class=type(policies))
    directory = argparse.ArgumentParser(add_help=False)
    directory.add_argument("--dir", type=Path, metavar="D", dest="directory",
                           help="policy directory (default $CRMSIM_POLICIES_DIR, else the shipped policies/)")

    listing = actions.add_parser("list", parents=[directory], help="one line per policy")
    listing.set_defaults(func=_list)

    show = actions.add_parser("show", parents=[directory], help="a policy and its rules")
    show.add_argument("policy_id", metavar="ID")
    show.add_argument("--json", action="store_true", help="print the policy as JSON")
    show.set_defaults(func=_show)

    validate = actions.add_parser(
        "validate", parents=[directory], help="check policy files; one line per problem (exit 1 if any)")
    validate.add_argument("paths", nargs="*", type=Path, metavar="PATHS",
                          help="policy files or directories (default: the policy directory)")
    validate.set_defaults(func=_validate)

    check = actions.add_parser(
        "check", parents=[directory], help="the verdicts the policies give a statement or an agent message",
        description="Run the rules on one tool statement (SOQL/SOSL) or, with --message, one agent message.")
    check.add_argument("text", metavar="TEXT")
    check.add_argument("--message", action="store_true", help="TEXT is an agent message, not a tool statement")
    check.add_argument("--org", choices=("b2b", "b2c"), required=True)
    check.add_argument("--audience", choices=("internal", "external"), required=True)
    check.add_argument("--task-type", metavar="TYPE", help="the conversation's task type (scopes may name types)")
    check.add_argument("--own-id", action="append", default=[], metavar="ID",
                       help="an Id of the customer's own records (repeatable)")
    check.set_defaults(func=_check)


def _load(directory: Path | None) -> list[Policy]:
    from crmsim.policies import load_policies

    try:
        return load_policies(directory)
    except PolicyFileError as exc:
        raise ConfigError(str(exc)) from None


def _list(args: argparse.Namespace) -> int:
    policies = _load(args.directory)
    rows = [(p.id, p.scope.audience, "/".join(p.scope.orgs),
             ",".join(p.scope.task_types) if p.scope.task_types else "all", str(len(p.rules)), p.description)
            for p in policies]
    header = ("id", "audience", "orgs", "task types", "rules", "description")
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(5)]
    for row in (header, *rows):
        cells = [cell.ljust(width) for cell, width in zip(row[:5], widths, strict=True)]
        sys.stdout.write("  ".join((*cells, _one_line(row[5], 70))).rstrip() + "\n")
    rules = sum(len(p.rules) for p in policies)
    sys.stdout.write(f"{len(policies)} {'policy' if len(policies) == 1 else 'policies'}, {rules} rules\n")
    return 0


def _show(args: argparse.Namespace) -> int:
    policies = _load(args.directory)
    policy = next((p for p in policies if p.id == args.policy_id), None)
    if policy is None:
        ids = [p.id for p in policies]
        close = difflib.get_close_matches(args.policy_id, ids, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; policies: {', '.join(ids) or 'none'}"
        raise ConfigError(f"no policy with id {args.policy_id!r}{hint}")
    if args.json:
        sys.stdout.write(json.dumps(policy.model_dump(mode="json", exclude_none=True), indent=2,
                                    ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(describe_policy(policy))
    return 0


def describe_policy(policy: Policy) -> str:
    """A policy in full, as ``crmsim policies show`` prints it."""
    scope = policy.scope
    lines = [
        f"id           {policy.id}",
        f"file         {policy.source or '-'}",
        f"audience     {scope.audience}",
        f"orgs         {', '.join(scope.orgs)}",
        f"task types   {', '.join(scope.task_types) if scope.task_types else 'all'}",
        "description",
        *(f"  {line}" for line in textwrap.wrap(policy.description, 96)),
        f"rules ({len(policy.rules)})",
    ]
    for rule in policy.rules:
        lines.append(f"  {rule.id}  [{rule.kind}] {rule.action}, {rule.severity}")
        lines.extend(f"    {line}" for line in textwrap.wrap(rule.description, 94))
        lines.extend(f"    {line}" for line in _rule_lines(rule))
    return "\n".join(lines) + "\n"


def _rule_lines(rule: Any) -> list[str]:
    if rule.kind == "object_field":
        fields = "every field" if rule.all_fields else ", ".join(rule.fields)
        out = [f"object {rule.object}: {fields}; matches {rule.match}"
               + ("; own records allowed" if rule.allow_own else "")]
        out.extend(f"only records whose {name} matches /{regex}/" for name, regex in (rule.records or {}).items())
        return out
    if rule.kind == "pattern":
        return [f"regex /{rule.regex}/" + (f" ({', '.join(rule.flags)})" if rule.flags else "")]
    if rule.kind == "topic":
        return textwrap.wrap("phrases: " + ", ".join(rule.phrases), 94)
    return textwrap.wrap(f"question: {rule.question}", 94)


def _validate(args: argparse.Namespace) -> int:
    from crmsim.policies import default_policies_dir, load_policy_file, policy_files, validate_policies

    targets: list[Path] = args.paths or [args.directory or default_policies_dir()]
    problems = validate_policies(targets)
    for problem in problems:
        sys.stdout.write(f"{problem}\n")
    if problems:
        sys.stderr.write(f"crmsim policies: {len(problems)} {'problem' if len(problems) == 1 else 'problems'}\n")
        return PROBLEMS
    files = policy_files(targets)
    rules = sum(len(load_policy_file(path).rules) for path in files)
    sys.stdout.write(f"{len(files)} policy {'file' if len(files) == 1 else 'files'}, {rules} rules, all valid\n")
    return 0


def _check(args: argparse.Namespace) -> int:
    from crmsim.policies import PolicyEngine, decision
    from crmsim.tasks import TaskType

    if args.task_type is not None and args.task_type not in {t.value for t in TaskType}:
        close = difflib.get_close_matches(args.task_type, [t.value for t in TaskType], n=1)
        raise ConfigError(f"unknown task type {args.task_type!r}" + (f"; did you mean {close[0]!r}?" if close else ""))
    engine = PolicyEngine(_load(args.directory))
    session = engine.session(org=args.org, audience=args.audience, task_type=args.task_type, own_ids=args.own_id)
    verdicts = session.check_message(args.text) if args.message else session.check_tool_call(args.text)
    for verdict in verdicts:
        sys.stdout.write(_verdict_line(verdict) + "\n")
    sys.stdout.write(f"decision: {decision(verdicts)}\n")
    if args.message and any(v.action == "redact" for v in verdicts):
        sys.stdout.write(f"redacted: {session.redact(args.text, verdicts)}\n")
    return 0


def _verdict_line(verdict: Verdict) -> str:
    action = "needs model" if verdict.needs_llm else verdict.action
    return f"{verdict.key}  {action} ({verdict.severity}): {verdict.detail}"


def _one_line(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[:width - 1] + "…"
