"""Solvers of wrong_stage_rectification and activity_priority.

The stage guide of the task lists, per stage, the task subjects that belong to it (``- Quote: Build
pricing quote; Run product demo; ...``). The opportunity's StageName and its tasks (Task by WhatId)
are fetched; each task's stage is its subject's.

- Wrong stage: the opportunity belongs in the most advanced stage among its tasks; the answer is that
  stage when it is not the StageName, else None.
- Activity priority: the Ids of the 'Not Started' tasks whose stage is not the StageName, or None.
"""

from __future__ import annotations

from typing import Any

from .._model import NONE_ANSWER, Task
from .._types import TaskType
from . import Toolbox, required_facts, solver
from ._service_common import fact, quote, record_id

STAGES = ("Qualification", "Discovery", "Quote", "Negotiation", "Closed")


def subject_stages(task: Task) -> dict[str, str]:
    """Task subject -> stage, from the guide's ``- <Stage>: subject; subject`` lines."""
    facts = required_facts(task)
    out = {}
    for stage in STAGES:
        for subject in facts.get(stage.lower(), "").split(";"):
            if subject.strip():
                out[subject.strip().lower()] = stage
    return out


async def _opportunity(task: Task, box: Toolbox) -> tuple[str | None, list[tuple[dict[str, Any], str]]]:
    """The StageName and the (task, stage) pairs of the task's opportunity (tasks of known subjects)."""
    opp = record_id(fact(task, "opportunity id to be considered is", "opportunity id"))
    rows = await box.records(f"SELECT StageName FROM Opportunity WHERE Id = {quote(opp)}")
    if not rows:
        return None, []
    stages = subject_stages(task)
    tasks = await box.records(f"SELECT Id, Subject, Status FROM Task WHERE WhatId = {quote(opp)}")
    known = [(t, stages[str(t.get("Subject") or "").strip().lower()]) for t in tasks
             if str(t.get("Subject") or "").strip().lower() in stages]
    return str(rows[0].get("StageName")), known


@solver(TaskType.WRONG_STAGE_RECTIFICATION)
async def wrong_stage_rectification(task: Task, box: Toolbox) -> str:
    current, tasks = await _opportunity(task, box)
    if current is None or not tasks:
        return NONE_ANSWER
    belongs = max((stage for _, stage in tasks), key=STAGES.index)
    return NONE_ANSWER if belongs == current else belongs


@solver(TaskType.ACTIVITY_PRIORITY)
async def activity_priority(task: Task, box: Toolbox) -> str:
    current, tasks = await _opportunity(task, box)
    ids = sorted(str(t["Id"]) for t, stage in tasks if t.get("Status") == "Not Started" and stage != current)
    return ", ".join(ids) if ids else NONE_ANSWER
