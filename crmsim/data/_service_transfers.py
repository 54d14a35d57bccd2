"""Transfers, the CaseHistory__c budget and the finishing touches of the case plan.

Earlier owners are only ever *prepended* to a case's owner chain, so a transfer never changes who
closed a case, when, or who owns it now: the handle-time, region and routing signals survive.
"""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from typing import TYPE_CHECKING

from ._service_model import OPEN_STATUSES

if TYPE_CHECKING:
    from ._service_plan import CasePlanner


def plant_transfers(planner: CasePlanner) -> None:
    """In the transfer window: low hands nothing over, every other agent managing more than one
    case hands over at least one, high clearly the most."""
    roles, rng = planner.roles, planner.g.rng
    since, until = planner.since["transfer"], planner.now - timedelta(hours=3)
    # Who manages more than one case counts every case of the window (as the check does); only
    # cases at least a few hours old can be handed over.
    counted = [s for s in planner.specs if s.owner and since <= s.created]
    window = [s for s in counted if s.created <= until]
    if roles.fast != roles.low:
        given = next(s for s in window if s.kind == "fast_open")
        given.pre, given.owner = [roles.fast], rng.choice(roles.regulars)
    managed = Counter(agent for s in counted for agent in s.chain)
    movable = [s for s in window if s.owner != roles.fast and s.kind != "fast_open"]
    spare = len(movable) > 4 * len(roles.team)
    need = {
        agent: 1 + (spare and rng.random() < 0.3)
        for agent in roles.regulars
        if agent not in (roles.low, roles.high) and managed[agent] >= 2
    }
    for agent, count in sorted(need.items()):
        # Cases in the window have an owner, so "not in the chain" is: neither owner nor earlier owner.
        options = [s for s in movable if len(s.pre) < 2 and s.owner != agent and agent not in s.pre]
        if not options:
            raise RuntimeError("service stage: an agent cannot be given a transfer")
        need[agent] = min(count, len(options))
        for spec in rng.sample(options, need[agent]):
            spec.pre.insert(0, agent)
    top = max([*need.values(), 0 if roles.fast == roles.low else 1])
    room = planner.g.count("CaseHistory__c") * 1.05 - history_rows(planner)
    for margin in (2, 1) if room >= top + 2 else (1,):
        options = [s for s in movable if roles.high not in s.chain and len(s.pre) < 2]
        if len(options) < top + margin:
            # High owns nearly everything (tiny orgs): it hands open cases to agents who already
            # transfer, so nobody new joins the agents managing more than one case.
            receivers = [a for a in need if a != roles.high]
            handed = [s for s in movable if s.owner == roles.high and not s.closed and not s.pre]
            for case in handed[: top + margin - len(options)] if receivers else []:
                case.owner = rng.choice(receivers)
                options.append(case)
        if len(options) >= top + margin and managed[roles.high] + top + margin >= 2:
            for spec in rng.sample(options, top + margin):
                spec.pre.insert(0, roles.high)
            return
    raise RuntimeError("service stage: not enough cases for the transfer-count signal")


def history_rows(planner: CasePlanner) -> int:
    return sum(1 + len(s.chain) + (s.closed is not None) for s in planner.specs)


def fit_history(planner: CasePlanner) -> None:
    """Open or close unplanted cases, then add transfers before the transfer window, so that the
    CaseHistory__c rows (creation, assignments, closure) come close to their target."""
    target = planner.g.count("CaseHistory__c")
    transfers = sum(len(s.pre) for s in planner.specs)
    filler = max(0, round(0.1 * planner.n_cases) - transfers)
    goal = target - sum(1 + len(s.chain) for s in planner.specs) - filler
    closed = sum(s.closed is not None for s in planner.specs)
    flexible = [s for s in planner.specs if not s.locked and s.owner]
    for spec in sorted((s for s in flexible if s.closed), key=lambda s: s.created, reverse=True):
        if closed <= goal:
            break
        spec.closed, closed = None, closed - 1
    for spec in sorted((s for s in flexible if not s.closed), key=lambda s: s.created):
        if closed >= goal:
            break
        closed += planner.close(spec)
    since = planner.since["transfer"]
    old = [s for s in planner.specs if s.owner and s.owner != planner.roles.fast and s.created < since]
    missing = target - history_rows(planner)
    while missing > 0 and old:
        spec = planner.g.pick(old)
        options = [a for a in planner.roles.regulars if a not in spec.chain]
        if len(spec.pre) >= 2 or not options:
            old.remove(spec)
            continue
        spec.pre.insert(0, planner.g.pick(options))
        missing -= 1


def finish(planner: CasePlanner, chat_cases: int) -> None:
    rng = planner.g.rng
    chat_pool = [s for s in planner.specs if s.kind != "routing" and s.contact is not None]
    chats = set(map(id, rng.sample(chat_pool, min(chat_cases, len(chat_pool)))))
    for spec in planner.specs:
        end = spec.closed or planner.now
        if spec.owner:
            spec.assigned = min(spec.created + timedelta(minutes=rng.randrange(1, 20)), end)
            spec.moves = sorted(
                planner.g.between(spec.assigned + timedelta(minutes=10), end - timedelta(minutes=10)) for _ in spec.pre
            )
        if spec.closed:
            spec.status = "Closed"
        elif spec.kind == "routing" or (planner.now - spec.created < timedelta(days=2) and not spec.pre):
            spec.status = "New"
        else:
            spec.status = rng.choice(OPEN_STATUSES)
        spec.priority = spec.issue.failure.priority if spec.issue else rng.choice(("Low", "Medium"))
        weights = {"High": (4, 4, 1), "Medium": (2, 5, 2), "Low": (1, 5, 3)}[spec.priority]
        spec.sentiment = rng.choices(("negative", "neutral", "positive"), weights)[0]
        if id(spec) in chats:
            spec.origin = "Chat"
        elif spec.kind == "routing":
            spec.origin = rng.choice(("Email", "Web"))
        else:
            spec.origin = rng.choices(("Email", "Web", "Phone"), (5, 3, 2))[0]
