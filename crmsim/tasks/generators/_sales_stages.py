"""Generators of wrong_stage_rectification and activity_priority.

Both give the stage guide: every task Subject belongs to exactly one stage (the map is the one the
stage latents check with, listed in full in the task). Only open opportunities are asked about.

- Wrong stage: an opportunity belongs in the most advanced stage (Qualification < Discovery < Quote <
  Negotiation < Closed) that any of its tasks belongs to. The answer is that stage when it differs
  from StageName, else None. Answered questions are the latent's planted opportunities (every task of
  the true stage, StageName set to another); None questions are the latent's correct ones, then
  ordinary open opportunities whose every open task fits StageName (not the activity latent's).
- Activity priority: the 'Not Started' tasks whose subject belongs to another stage than StageName,
  by Id; None when there are none. The latent's opportunities come first; then the wrong-stage
  opportunities with 'Not Started' tasks (all of which are then of another stage) and ordinary open
  opportunities (None).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field

from .._model import Task
from .._types import TaskType
from . import GenContext, generator
from ._sales_common import all_planted_first, record_tasks
from ._service_common import mix

STAGES = ("Qualification", "Discovery", "Quote", "Negotiation", "Closed")

STAGE_GUIDE = """## Opportunity stages and their activities
Every task subject belongs to exactly one stage. The stages in order: Qualification, Discovery, Quote, \
Negotiation, Closed.
{rule}
{subjects}"""
_WRONG_RULE = ("- An opportunity belongs in the most advanced stage that any of its tasks (Task records whose WhatId "
               "is the opportunity) belongs to. When that is its current StageName, the stage is right.")
_ACTIVITY_RULE = ("- A task fits an opportunity when its subject belongs to the opportunity's current StageName. "
                  "Tasks whose Status is 'Not Started' and that do not fit should be reviewed first.")

_WRONG_QUERIES = (
    "Does this opportunity's stage match the work logged on it? If not, which stage should it be in? Return only "
    "the correct stage name among Qualification, Discovery, Quote, Negotiation and Closed, or None if the current "
    "stage is right.",
    "Judging by its tasks, is the stage of this opportunity set correctly? Return only the stage it should have "
    "(Qualification, Discovery, Quote, Negotiation or Closed), or None if it is already correct.",
    "The tasks on this opportunity may not fit its stage. What stage should the opportunity be in? Return only "
    "the stage label, or None if no change is needed.",
    "Is the StageName of this opportunity consistent with its activities? Return only the right stage "
    "(Qualification, Discovery, Quote, Negotiation, Closed), or None if it is consistent.",
)
_ACTIVITY_QUERIES = (
    "Which of this opportunity's 'Not Started' tasks do not fit its current stage? Return only the Ids of those "
    "tasks, or None if every one fits.",
    "List the tasks on this opportunity that are still 'Not Started' but belong to a different stage than the "
    "opportunity's. Return only the task Ids, or None if there are none.",
    "Pick out the not-yet-started tasks of this opportunity that don't match its stage. Return only the Id of "
    "each such task, or None.",
    "For this opportunity, find the tasks with Status 'Not Started' that are out of step with its stage. Return "
    "only their Ids, or None if there are no such tasks.",
)


@dataclass
class _Opp:
    stage: str
    tasks: list[tuple[str, str, str]] = field(default_factory=list)  # (Id, subject stage, Status)


def subject_stages(ctx: GenContext) -> dict[str, str]:
    """Task subject -> stage, as the stage latent checks them."""
    return {str(k): str(v) for k, v in json.loads(str(ctx.latent("stage.wrong_stage").params[0])).items()}


def guide(subjects: dict[str, str], rule: str) -> str:
    by_stage: dict[str, list[str]] = defaultdict(list)
    for subject, stage in subjects.items():
        by_stage[stage].append(subject)
    lines = "\n".join(f"- {stage}: {'; '.join(sorted(by_stage[stage]))}" for stage in STAGES if by_stage[stage])
    return STAGE_GUIDE.format(rule=rule, subjects=lines)


def open_opportunities(ctx: GenContext, subjects: dict[str, str]) -> dict[str, _Opp]:
    """Open opportunities with tasks, every subject known to the guide."""
    opps: dict[str, _Opp] = {}
    unknown: set[str] = set()
    rows = ctx.rows("""SELECT o.Id, o.StageName, t.Id, t.Subject, t.Status FROM Opportunity o
                       JOIN Task t ON t.WhatId = o.Id WHERE o.IsClosed = 0 ORDER BY o.Id, t.Id""")
    for opp, stage, task, subject, status in rows:
        entry = opps.setdefault(str(opp), _Opp(str(stage)))
        if str(subject) not in subjects:
            unknown.add(str(opp))
            continue
        entry.tasks.append((str(task), subjects[str(subject)], str(status)))
    return {opp: entry for opp, entry in opps.items() if opp not in unknown and entry.tasks}


def belongs_in(opp: _Opp) -> str:
    """The most advanced stage of the opportunity's tasks."""
    return max((stage for _, stage, _ in opp.tasks), key=STAGES.index)


def mismatched(opp: _Opp) -> list[str]:
    return sorted(task for task, stage, status in opp.tasks if status == "Not Started" and stage != opp.stage)


@generator(TaskType.WRONG_STAGE_RECTIFICATION)
def wrong_stage_rectification(ctx: GenContext) -> list[Task]:
    subjects = subject_stages(ctx)
    truth: dict[str, str | None] = ctx.latent("stage.wrong_stage").truth["opportunities"]
    busy = set(ctx.latent("activity.mismatched_tasks").truth["opportunities"])
    opps = open_opportunities(ctx, subjects)
    answered: list[str] = []
    nones: list[str] = []
    for opp_id, opp in opps.items():
        stage = belongs_in(opp)
        if opp_id in truth:
            if (None if stage == opp.stage else stage) != truth[opp_id]:
                continue  # the rule disagrees with what was planted: not asked
            (answered if truth[opp_id] else nones).append(opp_id)
        elif opp_id not in busy and stage == opp.stage and all(
                s == opp.stage for _, s, status in opp.tasks if status != "Completed"):
            nones.append(opp_id)
    chosen = mix(ctx.rng, all_planted_first(ctx.rng, answered, truth.__contains__),
                 all_planted_first(ctx.rng, nones, truth.__contains__), ctx.per_type)
    picks = [(opp_id, None if belongs_in(opps[opp_id]) == opps[opp_id].stage else belongs_in(opps[opp_id]))
             for opp_id in chosen]
    return record_tasks(ctx, picks, label="Opportunity", held_name="opportunity_id", templates=_WRONG_QUERIES,
                        guide=guide(subjects, _WRONG_RULE))


@generator(TaskType.ACTIVITY_PRIORITY)
def activity_priority(ctx: GenContext) -> list[Task]:
    subjects = subject_stages(ctx)
    planted = set(ctx.latent("activity.mismatched_tasks").truth["opportunities"])
    opps = open_opportunities(ctx, subjects)
    answered = [opp_id for opp_id, opp in opps.items() if mismatched(opp)]
    nones = [opp_id for opp_id, opp in opps.items() if not mismatched(opp)]
    chosen = mix(ctx.rng, all_planted_first(ctx.rng, answered, planted.__contains__),
                 all_planted_first(ctx.rng, nones, planted.__contains__), ctx.per_type)
    picks = [(opp_id, mismatched(opps[opp_id]) or None) for opp_id in chosen]
    return record_tasks(ctx, picks, label="Opportunity", held_name="opportunity_id", templates=_ACTIVITY_QUERIES,
                        guide=guide(subjects, _ACTIVITY_RULE))
