"""Tasks and events on opportunities; tasks fit the stage they belong to.

Each Subject belongs to one stage (``SUBJECT_STAGE``). On an ordinary deal, open tasks are of the
deal's stage and only completed tasks may be of an earlier stage. Planted here:

- wrong stage: open deals whose StageName was set to another open stage while every task is of the
  true stage (truth: the true stage), and a few correct deals where every task is of StageName
  (truth: None);
- activity priority: open deals with 'Not Started' tasks of other stages (truth: those task Ids),
  and a few with none (truth: empty).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ._records import Record
from ._sales_deals import SalesPlan
from ._sales_model import Deal, at, split
from ._sales_text import (
    CLOSED_LOST_SUBJECTS,
    CLOSED_WON_SUBJECTS,
    EVENT_LOCATIONS,
    EVENT_SUBJECTS,
    OPEN_STAGES,
    STAGES,
    TASK_NOTES,
    TASK_SUBJECTS,
)

OPEN_STATUS = ("Not Started", "Not Started", "In Progress", "In Progress", "Completed", "Waiting", "Deferred")
MISMATCH_COUNTS = (2, 1, 3, 0, 4, 2, 1, 3, 0, 2, 1, 2)


@dataclass
class TaskPlan:
    deal: Deal
    stage: str
    subject: str
    status: str
    created: datetime
    mismatch: bool = False
    record: Record | None = None


class TaskPlanner:
    def __init__(self, p: SalesPlan) -> None:
        self.p = p
        self.g = p.g
        self.rng = p.rng
        self.tasks: list[TaskPlan] = []
        self.wrong_stage: dict[int, tuple[Deal, str | None]] = {}
        self.activity: dict[int, Deal] = {}

    def until(self, deal: Deal) -> datetime:
        if deal.closed:
            return min(self.g.now, datetime.combine(deal.close, datetime.min.time()) + timedelta(hours=17))
        return self.g.now

    def add(self, deal: Deal, stage: str, status: str, *, subject: str | None = None, late: bool = True) -> TaskPlan:
        lo = deal.created
        hi = self.until(deal)
        if late:  # work of the current stage happens in the second half of the deal so far
            lo = lo + (hi - lo) / 2
        if subject is None:
            if stage == "Closed":
                subject = self.g.pick(CLOSED_WON_SUBJECTS if deal.won else CLOSED_LOST_SUBJECTS)
            else:
                subject = self.g.pick(TASK_SUBJECTS[stage])
        task = TaskPlan(deal, stage, subject, status, self.g.between(lo, hi))
        self.tasks.append(task)
        return task

    def ordinary(self, deal: Deal, n: int) -> None:
        rng = self.rng
        index = STAGES.index(deal.stage)
        for _ in range(n):
            if index > 0 and rng.random() < 0.3:
                self.add(deal, STAGES[rng.randrange(index)], "Completed", late=False)
            elif deal.closed:
                recent = deal.close > self.g.today - timedelta(days=30)
                status = rng.choice(("Not Started", "In Progress", "Completed")) if recent else "Completed"
                self.add(deal, "Closed", status)
            else:
                self.add(deal, deal.stage, self.g.pick(OPEN_STATUS))


def _sizes(p: SalesPlan) -> int:
    return max(3, min(10, round(10 * math.sqrt(p.g.scale))))


def plan_tasks(p: SalesPlan) -> TaskPlanner:
    t = TaskPlanner(p)
    g, rng = p.g, p.rng
    open_deals = [d for d in p.deals if not d.closed and not d.roles]
    rng.shuffle(open_deals)
    n = _sizes(p)
    wrong, correct = open_deals[:n], open_deals[n : n + 2]
    active = open_deals[n + 2 : 2 * n + 4]
    for deal in wrong:
        deal.shown_stage = g.pick([s for s in OPEN_STAGES if s != deal.stage])
    for deal in wrong + correct:
        statuses = ("Completed", "Not Started", "Not Started", "In Progress", "Completed")
        for status in rng.sample(statuses, rng.randint(3, 5)):
            t.add(deal, deal.stage, status)
        deal.roles.add("wrong_stage")
        t.wrong_stage[id(deal)] = (deal, deal.stage if deal.shown_stage else None)
    for deal, mismatched in zip(active, MISMATCH_COUNTS, strict=False):
        t.add(deal, deal.stage, "Completed")
        for _ in range(rng.randint(1, 2)):
            t.add(deal, deal.stage, "Not Started")
        for _ in range(mismatched):
            other = g.pick([s for s in STAGES if s != deal.stage and s != "Closed"] + ["Closed"])
            t.add(deal, other, "Not Started").mismatch = True
        deal.roles.add("activity")
        t.activity[id(deal)] = deal
    planted = set(map(id, wrong + correct + active))
    rest = [d for d in p.deals if id(d) not in planted]
    for deal, size in zip(rest, split(rng, max(len(rest), g.count("Task") - len(t.tasks)), len(rest)), strict=True):
        t.ordinary(deal, size)
    t.tasks.sort(key=lambda task: task.created)
    return t


def write_tasks(t: TaskPlanner) -> None:
    g, rng = t.g, t.rng
    for task in t.tasks:
        deal = task.deal
        assert deal.opp is not None
        start = task.created.date()
        if task.status == "Completed":
            due = min(g.today, start + timedelta(days=rng.randint(0, 7)))
        else:
            due = start + timedelta(days=rng.randint(2, 21))
        high = task.stage in ("Quote", "Negotiation")
        priority = rng.choice(("High", "High", "Normal")) if high else rng.choice(("Normal", "Normal", "Low", "High"))
        contact = deal.contact or {}
        note = g.pick(TASK_NOTES[task.stage]).format(
            account=deal.account["Name"],
            contact=f"{contact.get('FirstName') or ''} {contact.get('LastName', '')}".strip() or "the customer",
            product=deal.lines[0].product["Name"] if deal.lines else "our products",
        )
        task.record = g.add(
            "Task",
            task.created,
            {
                "WhatId": deal.opp["Id"],
                "OwnerId": deal.owner["Id"],
                "Subject": task.subject,
                "Description": note,
                "Status": task.status,
                "Priority": priority,
                "ActivityDate": due,
            },
            modified=_modified(g.now, task.created, due),
        )


def _modified(now: datetime, created: datetime, due: date) -> datetime:
    return max(created, min(now, datetime.combine(due, datetime.min.time()) + timedelta(hours=9)))


def write_events(p: SalesPlan) -> None:
    g, rng = p.g, p.rng
    deals = [d for d in p.deals if d.kind != "lost" and d.opp is not None]
    planned = []
    for _ in range(g.count("Event")):
        deal = g.pick(deals)
        last = deal.close if deal.closed else g.today - timedelta(days=1)
        first = min(last, deal.created.date() + timedelta(days=1))
        start = at(first + timedelta(days=rng.randint(0, (last - first).days)), rng, 9, 17)
        if not deal.closed and rng.random() < 0.3:  # some meetings are still ahead
            start = at(g.today + timedelta(days=rng.randint(1, 14)), rng, 9, 17)
        created = g.between(deal.created, min(start, g.now))
        planned.append((created, start, deal))
    planned.sort(key=lambda item: item[0])
    for created, start, deal in planned:
        assert deal.opp is not None
        contact = deal.contact or {}
        subject = g.pick(EVENT_SUBJECTS)
        g.add(
            "Event",
            created,
            {
                "WhatId": deal.opp["Id"],
                "OwnerId": deal.owner["Id"],
                "Subject": subject,
                "Description": f"{subject} with {contact.get('FirstName') or 'the customer'} "
                f"{contact.get('LastName', '')} of {deal.account['Name']}.".replace("  ", " "),
                "StartDateTime": start,
                "DurationInMinutes": rng.choice((30, 45, 60, 90)),
                "IsAllDayEvent": False,
                "Location": g.pick(EVENT_LOCATIONS),
            },
        )
