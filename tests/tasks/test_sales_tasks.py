"""The sales-side task types: generated answers agree with SQL written here, the task text is varied
and complete, the latents' own questions get the latents' answers, and every task is solved by its
reference solver through a live sandbox.

The SQL below is written independently of the generators' (same definitions, other formulation;
quote violations use the data generator's own check query); a disagreement names the task.
"""

from __future__ import annotations

import json
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from org_helpers import Org, sandbox_client
from org_helpers import build as build_org

from crmsim.judge import score
from crmsim.salesforce import SalesforceClient
from crmsim.tasks import Task, TaskType
from crmsim.tasks.generators import generate_tasks
from crmsim.tasks.solvers import solve

ORGS = ("b2b", "b2c")
PER_TYPE = 5
T = TaskType
SALES_TYPES = [
    T.SALES_AMOUNT_UNDERSTANDING, T.SALES_CYCLE_UNDERSTANDING, T.CONVERSION_RATE_COMPREHENSION, T.LEAD_ROUTING,
    T.LEAD_QUALIFICATION, T.WRONG_STAGE_RECTIFICATION, T.ACTIVITY_PRIORITY, T.QUOTE_APPROVAL, T.INVALID_CONFIG,
    T.SALES_INSIGHT_MINING,
]
NEVER_NONE = {T.LEAD_ROUTING}
RECORD_LINE = re.compile(r"- (\w+) Id to be considered is: (\w{18})")
BANT = ("Budget", "Authority", "Need", "Timeline")
STAGES = ("Qualification", "Discovery", "Quote", "Negotiation", "Closed")


def build(tmp: Path, org: str, scale: float, per_type: int) -> Org:
    return build_org(tmp, org, scale, per_type, SALES_TYPES)


@pytest.fixture(scope="module", params=ORGS)
def org(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Org]:
    built = build(tmp_path_factory.mktemp(request.param), request.param, 0.05, PER_TYPE)
    with closing(built.conn):
        yield built


@pytest.fixture
async def client(org: Org) -> AsyncIterator[SalesforceClient]:
    async with sandbox_client(org.path) as sf:
        yield sf


# -- the task text ----------------------------------------------------------------------------------


def test_every_type_has_tasks_with_unique_ids(org: Org) -> None:
    for task_type in SALES_TYPES:
        group = org.of_type(task_type)
        assert 2 <= len(group) <= PER_TYPE, f"{task_type.value}: {len(group)} tasks"
    assert len({task.id for task in org.tasks}) == len(org.tasks)
    assert all(task.id.startswith(f"gen-{task.org}-{task.task_type.value}-0-") for task in org.tasks)


def test_none_answers_about_one_in_five(org: Org) -> None:
    for task_type in SALES_TYPES:
        group = org.of_type(task_type)
        nones = sum(not task.has_answer for task in group)
        if task_type in NEVER_NONE:
            assert nones == 0, task_type.value
        else:
            assert 1 <= nones <= max(1, len(group) // 2), f"{task_type.value}: {nones} of {len(group)}"


def test_context_and_held_facts(org: Org) -> None:
    for task in org.tasks:
        required = task.context.required
        assert f"- Today's date: {org.today.isoformat()}" in required, task.id
        assert not task.expects_refusal and task.persona is None
        assert task.held_facts, task.id
        facts = {fact.name: fact for fact in task.held_facts}
        for fact in task.held_facts:
            assert fact.value and fact.value in fact.utterance or fact.name == "period", task.id
        if "period" in facts:
            start, end = facts["period"].value.split("..")
            assert f"- Time period: {start} to {end}" in required, task.id
        for label, record in RECORD_LINE.findall(required):
            assert facts[f"{label.lower()}_id"].value == record, task.id
        if task.task_type is T.LEAD_ROUTING:
            assert f"- Lead's region: {facts['region'].value}" in required, task.id
        elif "period" not in facts:
            assert len(RECORD_LINE.findall(required)) == 1, task.id


def test_answers_are_formatted_as_the_benchmark(org: Org) -> None:
    for task in org.tasks:
        if not task.has_answer:
            continue
        kind = task.task_type
        if kind is T.WRONG_STAGE_RECTIFICATION:
            assert task.answer[0] in STAGES
        elif kind is T.LEAD_QUALIFICATION:
            assert task.answer == [f for f in BANT if f in task.answer], task.id
        elif kind is T.SALES_INSIGHT_MINING:
            (text,) = task.answer
            topics = set(org.truth("insight.subtopic_sentiment")["markers"])
            assert set(text.split(", ")) <= topics, task.id
        else:
            prefix = {T.ACTIVITY_PRIORITY: "00T", T.QUOTE_APPROVAL: "ka0", T.INVALID_CONFIG: "ka0"}.get(kind, "005")
            assert all(len(a) == 18 and a.startswith(prefix) for a in task.answer), task.id


def test_phrasings_vary(org: Org) -> None:
    more = [t for seed in (1, 2, 3) for t in generate_tasks(org.path, per_type=PER_TYPE, seed=seed,
                                                            types=SALES_TYPES)]
    for task_type in SALES_TYPES:
        openings = {_opening(t.query) for t in org.of_type(task_type) + [t for t in more if t.task_type is task_type]}
        assert len(openings) >= 2, f"{task_type.value}: one phrasing only: {openings}"


def _opening(query: str) -> str:
    """The query's template, roughly: its words with names, numbers and Ids dropped."""
    text = re.sub(r"\b[0-9A-Za-z]{18}\b|\d+|'[^']*'", "", query)
    return " ".join(w for w in text.split() if w.islower())[:60]


# -- answers against SQL written here -------------------------------------------------------------


def _bounds(task: Task) -> dict[str, str]:
    match = re.search(r"- Time period: (\S+) to (\S+)", task.context.required)
    assert match, task.id
    return {"lo": match.group(1), "hi": match.group(2)}


def _order(task: Task) -> str:
    low = r"\b(lowest|smallest|quickest|shortest|fastest|poorest|weakest)\b"
    return "ASC" if re.search(low, task.query) else "DESC"


def _record(task: Task, label: str) -> str:
    found = dict(RECORD_LINE.findall(task.context.required))
    assert label in found, task.id
    return found[label]


def _unique_first(rows: list[tuple[Any, ...]], task: Task) -> str:
    if not rows:
        return "None"
    assert len(rows) == 1 or rows[0][1] != rows[1][1], f"{task.id}: tie {rows[:2]}"
    return str(rows[0][0])


def expect_sales_amount(org: Org, task: Task) -> list[str]:
    rows = org.rows(f"""
        SELECT o.OwnerId, TOTAL(i.Quantity * i.UnitPrice) AS amount
        FROM OrderItem i JOIN "Order" o ON o.Id = i.OrderId
        WHERE date(o.EffectiveDate) >= :lo AND date(o.EffectiveDate) <= :hi
        GROUP BY o.OwnerId ORDER BY amount {_order(task)}""", _bounds(task))
    return [_unique_first(rows, task)]


def expect_sales_cycle(org: Org, task: Task) -> list[str]:
    field = "CompanySignedDate" if org.org == "b2b" else "CustomerSignedDate"
    assert field in task.context.required, task.id
    rows = org.rows(f"""
        SELECT o.OwnerId, AVG(julianday(c.{field}) - julianday(substr(o.CreatedDate, 1, 10))) AS days
        FROM Contract c JOIN Opportunity o ON o.ContractID__c = c.Id
        WHERE c.{field} BETWEEN :lo AND :hi GROUP BY o.OwnerId ORDER BY days {_order(task)}""", _bounds(task))
    return [_unique_first(rows, task)]


def expect_conversion(org: Org, task: Task) -> list[str]:
    assert "at least 3 leads" in task.context.required, task.id
    rows = org.rows(f"""
        SELECT OwnerId, AVG(CASE WHEN IsConverted AND ConvertedDate BETWEEN :lo AND :hi THEN 1.0 ELSE 0 END) AS rate
        FROM Lead WHERE substr(CreatedDate, 1, 10) BETWEEN :lo AND :hi
        GROUP BY OwnerId HAVING COUNT(*) >= 3 ORDER BY rate {_order(task)}""", _bounds(task))
    return [_unique_first(rows, task)]


def expect_lead_routing(org: Org, task: Task) -> list[str]:
    region = re.search(r"- Lead's region: (\w+)", task.context.required)
    assert region, task.id
    rows = org.rows("""
        SELECT a.UserId,
               (SELECT COUNT(*) FROM Quote q JOIN Opportunity o ON o.Id = q.OpportunityId
                WHERE q.Status = 'Accepted' AND o.OwnerId = a.UserId) AS quotes,
               (SELECT COUNT(*) FROM Lead l WHERE l.OwnerId = a.UserId AND NOT l.IsConverted) AS open_leads
        FROM UserTerritory2Association a JOIN Territory2 t ON t.Id = a.Territory2Id
        WHERE ',' || replace(t.Description, ' ', '') || ',' LIKE '%,' || ? || ',%'
        GROUP BY a.UserId ORDER BY quotes DESC, open_leads ASC""", (region.group(1),))
    assert rows, task.id
    assert len(rows) == 1 or rows[0][1:] != rows[1][1:], f"{task.id}: tie {rows[:2]}"
    return [str(rows[0][0])]


def expect_lead_qualification(org: Org, task: Task) -> list[str]:
    lead = _record(task, "Lead")
    body = "TranscriptBody__c" if org.org == "b2b" else "Body__c"
    latest = org.rows(f"""SELECT {body} FROM VoiceCallTranscript__c WHERE LeadId__c = ?
                          ORDER BY EndTime__c DESC LIMIT 2""", (lead,))
    assert latest, task.id
    markers = org.truth("lead_qualification.bant_failures")["markers"]
    failing = [f for f in BANT if markers[f].lower() in latest[0][0].lower()]
    return failing or ["None"]


def _subjects(org: Org) -> str:
    return str(org.latents["stage.wrong_stage"].params[0])


def expect_wrong_stage(org: Org, task: Task) -> list[str]:
    opp = _record(task, "Opportunity")
    rows = org.rows("""
        WITH map AS (SELECT key AS subject, value AS stage FROM json_each(:map)),
        rank AS (SELECT value AS stage, key AS n FROM json_each(:stages))
        SELECT o.StageName, (SELECT r.stage FROM Task t JOIN map m ON m.subject = t.Subject
                             JOIN rank r ON r.stage = m.stage WHERE t.WhatId = o.Id ORDER BY r.n DESC LIMIT 1)
        FROM Opportunity o WHERE o.Id = :opp AND NOT o.IsClosed""",
                    {"map": _subjects(org), "stages": json.dumps(STAGES), "opp": opp})
    assert rows and rows[0][1], task.id
    current, belongs = rows[0]
    return ["None" if belongs == current else str(belongs)]


def expect_activity(org: Org, task: Task) -> list[str]:
    opp = _record(task, "Opportunity")
    rows = org.rows("""
        SELECT t.Id FROM Task t JOIN Opportunity o ON o.Id = t.WhatId
        WHERE t.WhatId = :opp AND t.Status = 'Not Started'
          AND json_extract(:map, '$."' || t.Subject || '"') <> o.StageName
        ORDER BY t.Id COLLATE BINARY""", {"map": _subjects(org), "opp": opp})
    return [str(r[0]) for r in rows] or ["None"]


def expect_quote(org: Org, task: Task) -> list[str]:
    quote = _record(task, "Quote")
    latent = org.latents["quote.policy_violations"]
    broken = [str(article) for q, article in org.rows(latent.check_sql, latent.params) if q == quote]
    assert len(broken) <= 1, f"{task.id}: breaks {broken}"
    assert org.rows("SELECT COUNT(*) FROM QuoteLineItem WHERE QuoteId = ?", (quote,))[0][0] > 0, task.id
    return broken or ["None"]


def expect_insight(org: Org, task: Task) -> list[str]:
    opp = _record(task, "Opportunity")
    body = "TranscriptBody__c" if org.org == "b2b" else "Body__c"
    markers = org.truth("insight.subtopic_sentiment")["markers"]
    rows = org.rows(f"""
        WITH m AS (SELECT key AS topic, json_extract(value, '$[0]') AS neg, json_extract(value, '$[1]') AS pos
                   FROM json_each(:markers))
        SELECT m.topic, MAX(instr(lower(v.{body}), lower(m.neg)) > 0), MAX(instr(lower(v.{body}), lower(m.pos)) > 0)
        FROM VoiceCallTranscript__c v JOIN m WHERE v.OpportunityId__c = :opp GROUP BY m.topic ORDER BY m.topic""",
                    {"markers": json.dumps(markers), "opp": opp})
    assert not any(neg and pos for _, neg, pos in rows), f"{task.id}: a subtopic with both sentiments"
    column = 1 if re.search(r"\bnegative", task.query) else 2
    names = [str(r[0]) for r in rows if r[column]]
    return [", ".join(names)] if names else ["None"]


EXPECT: dict[TaskType, Callable[[Org, Task], list[str]]] = {
    T.SALES_AMOUNT_UNDERSTANDING: expect_sales_amount,
    T.SALES_CYCLE_UNDERSTANDING: expect_sales_cycle,
    T.CONVERSION_RATE_COMPREHENSION: expect_conversion,
    T.LEAD_ROUTING: expect_lead_routing,
    T.LEAD_QUALIFICATION: expect_lead_qualification,
    T.WRONG_STAGE_RECTIFICATION: expect_wrong_stage,
    T.ACTIVITY_PRIORITY: expect_activity,
    T.QUOTE_APPROVAL: expect_quote,
    T.INVALID_CONFIG: expect_quote,
    T.SALES_INSIGHT_MINING: expect_insight,
}


def check_answers(org: Org) -> None:
    wrong = []
    for task in org.tasks:
        expected = EXPECT[task.task_type](org, task)
        if task.answer != expected:
            wrong.append(f"{task.id}: generated {task.answer}, SQL says {expected}")
    assert not wrong, "\n".join(wrong)


def test_answers_match_independent_sql(org: Org) -> None:
    check_answers(org)


def _in_window(task: Task, start: str, end: str) -> bool:
    return f"- Time period: {start} to {end}" in task.context.required


def check_planted(org: Org) -> None:
    """Where a task asks the latent's own question, it has the latent's answer; every type asks some."""
    seen: Counter[TaskType] = Counter()
    amount, cycle = org.truth("sales_amount.top_rep"), org.truth("sales_cycle.fastest_rep")
    quiet, conversion = org.truth("sales_cycle.quiet_month"), org.truth("conversion.extreme_reps")
    routing = org.truth("lead_routing.best_rep")
    per_record = {
        T.LEAD_QUALIFICATION: ("Lead", {k: [f for f in BANT if f in v] or ["None"] for k, v in
                                        org.truth("lead_qualification.bant_failures")["leads"].items()}),
        T.WRONG_STAGE_RECTIFICATION: ("Opportunity", {k: [v or "None"] for k, v in
                                                      org.truth("stage.wrong_stage")["opportunities"].items()}),
        T.ACTIVITY_PRIORITY: ("Opportunity", {k: v or ["None"] for k, v in
                                              org.truth("activity.mismatched_tasks")["opportunities"].items()}),
        T.QUOTE_APPROVAL: ("Quote", {k: [v or "None"] for k, v in
                                     org.truth("quote.policy_violations")["quotes"].items()}),
    }
    per_record[T.INVALID_CONFIG] = per_record[T.QUOTE_APPROVAL]
    insight = org.truth("insight.subtopic_sentiment")["opportunities"]
    for task in org.tasks:
        kind, answer = task.task_type, task.answer
        if kind is T.SALES_AMOUNT_UNDERSTANDING and _in_window(task, amount["window_start"], amount["window_end"]) \
                and _order(task) == "DESC":
            assert answer == [amount["rep_id"]], task.id
        elif kind is T.SALES_CYCLE_UNDERSTANDING and _in_window(task, quiet["month_start"], quiet["month_end"]):
            assert answer == ["None"], task.id
        elif kind is T.SALES_CYCLE_UNDERSTANDING and _in_window(task, cycle["window_start"], cycle["window_end"]) \
                and _order(task) == "ASC":
            assert answer == [cycle["rep_id"]], task.id
        elif kind is T.CONVERSION_RATE_COMPREHENSION and _in_window(task, conversion["window_start"],
                                                                      conversion["window_end"]):
            key = "lowest_rep_id" if _order(task) == "ASC" else "highest_rep_id"
            assert answer == [conversion[key]], task.id
        elif kind is T.LEAD_ROUTING and f"- Lead's region: {routing['region']}\n" in task.context.required + "\n":
            assert answer == [routing["rep_id"]], task.id
        elif kind in per_record and (record := _record(task, per_record[kind][0])) in per_record[kind][1]:
            assert answer == per_record[kind][1][record], task.id
        elif kind is T.SALES_INSIGHT_MINING and (record := _record(task, "Opportunity")) in insight:
            names = insight[record]["negative" if re.search(r"\bnegative", task.query) else "positive"]
            assert answer == ([", ".join(names)] if names else ["None"]), task.id
        else:
            continue
        seen[kind] += 1
    assert set(seen) == set(SALES_TYPES), f"no planted question for {set(SALES_TYPES) - set(seen)}"


def test_planted_questions_give_the_latent_answers(org: Org) -> None:
    check_planted(org)


# -- solved through the sandbox -------------------------------------------------------------------


async def solve_all(org: Org, sf: SalesforceClient) -> tuple[list[str], float]:
    failures = []
    start = time.perf_counter()
    for task in org.tasks:
        response, box = await solve(task, sf)
        result = score(task, response)
        if result.value < 1.0:
            failures.append(f"{task.id} ({task.task_type.value}): expected {task.answer}, got {response!r} "
                            f"after {len(box.calls)} calls ({result.explanation})")
    return failures, (time.perf_counter() - start) / max(1, len(org.tasks))


async def test_reference_solvers_solve_every_sales_task(org: Org, client: SalesforceClient) -> None:
    failures, _ = await solve_all(org, client)
    assert not failures, "\n".join(failures)


@pytest.mark.slow
@pytest.mark.parametrize("org_name", ORGS)
async def test_full_scale(org_name: str, tmp_path: Path) -> None:
    built = build(tmp_path, org_name, 1.0, 10)
    with closing(built.conn):
        counts = Counter(task.task_type for task in built.tasks)
        assert set(counts) == set(SALES_TYPES) and all(n == 10 for n in counts.values()), counts
        check_answers(built)
        check_planted(built)
        async with sandbox_client(built.path) as sf:
            failures, _ = await solve_all(built, sf)
    assert not failures, "\n".join(failures)
