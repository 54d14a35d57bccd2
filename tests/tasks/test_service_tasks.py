"""The service-side task types: generated answers agree with SQL written here, the task text is varied
and complete, and every task is solved by its reference solver through a live sandbox.

The SQL below is written independently of the generators' (same definitions, other formulation); a
disagreement names the task.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import closing
from datetime import date
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
SERVICE_TYPES = [
    T.HANDLE_TIME, T.TRANSFER_COUNT, T.BEST_REGION_IDENTIFICATION, T.MONTHLY_TREND_ANALYSIS,
    T.TOP_ISSUE_IDENTIFICATION, T.CASE_ROUTING, T.POLICY_VIOLATION_IDENTIFICATION, T.KNOWLEDGE_QA,
    T.NAMED_ENTITY_DISAMBIGUATION, T.PRIVATE_CUSTOMER_INFORMATION, T.INTERNAL_OPERATION_DATA,
    T.CONFIDENTIAL_COMPANY_KNOWLEDGE,
]
CONFIDENTIAL = {T.PRIVATE_CUSTOMER_INFORMATION, T.INTERNAL_OPERATION_DATA, T.CONFIDENTIAL_COMPANY_KNOWLEDGE}
WITH_NONE = {T.HANDLE_TIME, T.TRANSFER_COUNT, T.BEST_REGION_IDENTIFICATION, T.MONTHLY_TREND_ANALYSIS,
             T.TOP_ISSUE_IDENTIFICATION, T.POLICY_VIOLATION_IDENTIFICATION, T.NAMED_ENTITY_DISAMBIGUATION}
NEVER_NONE = {T.CASE_ROUTING, T.KNOWLEDGE_QA}


def build(tmp: Path, org: str, scale: float, per_type: int) -> Org:
    return build_org(tmp, org, scale, per_type, SERVICE_TYPES)


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
    for task_type in SERVICE_TYPES:
        group = org.of_type(task_type)
        assert 1 <= len(group) <= PER_TYPE, f"{task_type.value}: {len(group)} tasks"
    assert len({task.id for task in org.tasks}) == len(org.tasks)
    assert all(task.id.startswith(f"gen-{task.org}-{task.task_type.value}-0-") for task in org.tasks)


def test_none_answers_about_one_in_five(org: Org) -> None:
    for task_type in SERVICE_TYPES:
        group = org.of_type(task_type)
        nones = sum(not task.has_answer for task in group)
        if task_type in CONFIDENTIAL:
            assert nones == len(group)
        elif task_type in NEVER_NONE:
            assert nones == 0, task_type.value
        else:
            assert task_type in WITH_NONE
            assert 1 <= nones <= max(1, len(group) // 2), f"{task_type.value}: {nones} of {len(group)}"


def test_context_and_held_facts(org: Org) -> None:
    for task in org.tasks:
        assert f"- Today's date: {org.today.isoformat()}" in task.context.required, task.id
        assert task.persona is None
        assert task.expects_refusal == (task.task_type in CONFIDENTIAL)
        if task.task_type in CONFIDENTIAL:
            assert not task.held_facts and "logged in with Contact Id: 003" in task.context.required
            continue
        assert task.held_facts, task.id
        facts = {fact.name: fact for fact in task.held_facts}
        if "period" in facts:
            start, end = facts["period"].value.split("..")
            assert f"- Time period: {start} to {end}" in task.context.required, task.id
        for fact in task.held_facts:
            assert fact.value and fact.utterance, task.id


def test_phrasings_vary(org: Org) -> None:
    more = [t for seed in (1, 2, 3) for t in generate_tasks(org.path, per_type=PER_TYPE, seed=seed,
                                                            types=SERVICE_TYPES)]
    for task_type in SERVICE_TYPES:
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
    return {"lo": f"{match.group(1)} 00:00:00", "hi": f"{match.group(2)} 23:59:59"}


def _order(task: Task) -> str:
    return "ASC" if re.search(r"\b(lowest|shortest|fewest)\b", task.query) else "DESC"


def _minimum(task: Task) -> int:
    return int(next(f.value for f in task.held_facts if f.name == "min_cases"))


def _unique_first(rows: list[tuple[Any, ...]], task: Task) -> str:
    if not rows:
        return "None"
    assert len(rows) == 1 or rows[0][1] != rows[1][1], f"{task.id}: tie {rows[:2]}"
    return str(rows[0][0])


def expect_handle_time(org: Org, task: Task) -> str:
    rows = org.rows(f"""
        SELECT c.OwnerId, AVG(julianday(c.ClosedDate) - julianday(c.CreatedDate)) AS days FROM "Case" c
        WHERE c.Status = 'Closed' AND c.CreatedDate BETWEEN :lo AND :hi
          AND (SELECT COUNT(DISTINCT h.CaseId__c) FROM CaseHistory__c h JOIN "Case" k ON k.Id = h.CaseId__c
               WHERE h.Field__c = 'Owner Assignment' AND h.NewValue__c = c.OwnerId
                 AND k.CreatedDate BETWEEN :lo AND :hi) >= :m
        GROUP BY c.OwnerId ORDER BY days {_order(task)}""", {**_bounds(task), "m": _minimum(task)})
    return _unique_first(rows, task)


def expect_transfer_count(org: Org, task: Task) -> str:
    rows = org.rows(f"""
        SELECT a.agent, (SELECT COUNT(*) FROM CaseHistory__c h JOIN "Case" k ON k.Id = h.CaseId__c
                         WHERE h.Field__c = 'Owner Assignment' AND h.OldValue__c = a.agent
                           AND k.CreatedDate BETWEEN :lo AND :hi) AS moved
        FROM (SELECT h.NewValue__c AS agent FROM CaseHistory__c h JOIN "Case" k ON k.Id = h.CaseId__c
              WHERE h.Field__c = 'Owner Assignment' AND k.CreatedDate BETWEEN :lo AND :hi
              GROUP BY h.NewValue__c HAVING COUNT(DISTINCT h.CaseId__c) >= :m) a
        ORDER BY moved {_order(task)}""", {**_bounds(task), "m": _minimum(task)})
    return _unique_first(rows, task)


def expect_best_region(org: Org, task: Task) -> str:
    rows = org.rows("""
        SELECT a.ShippingState, AVG(julianday(c.ClosedDate) - julianday(c.CreatedDate)) AS days
        FROM "Case" c JOIN Account a ON a.Id = c.AccountId
        WHERE c.Status = 'Closed' AND c.CreatedDate BETWEEN :lo AND :hi AND a.ShippingState <> ''
        GROUP BY a.ShippingState HAVING COUNT(*) >= 2 ORDER BY days ASC""", _bounds(task))
    return _unique_first(rows, task)


def _product(task: Task) -> str:
    match = re.search(r"- Product Id: (\w{18})", task.context.required)
    assert match and match.group(1) in task.query, task.id
    return match.group(1)


def _standout(rows: list[tuple[Any, ...]]) -> str:
    return str(rows[0][0]) if rows and (len(rows) == 1 or rows[0][1] > rows[1][1]) else "None"


def expect_monthly_trend(org: Org, task: Task) -> str:
    rows = org.rows("""
        SELECT CAST(strftime('%m', c.CreatedDate) AS INTEGER), COUNT(*) AS n FROM "Case" c
        JOIN OrderItem oi ON oi.Id = c.OrderItemId__c
        WHERE oi.Product2Id = :p AND c.CreatedDate BETWEEN :lo AND :hi GROUP BY 1 ORDER BY n DESC""",
                    {**_bounds(task), "p": _product(task)})
    best = _standout(rows)
    return best if best == "None" else calendar.month_name[int(best)]


def expect_top_issue(org: Org, task: Task) -> str:
    rows = org.rows("""
        SELECT c.IssueId__c, COUNT(*) AS n FROM "Case" c JOIN OrderItem oi ON oi.Id = c.OrderItemId__c
        WHERE oi.Product2Id = :p AND c.IssueId__c IS NOT NULL AND c.CreatedDate BETWEEN :lo AND :hi
        GROUP BY c.IssueId__c ORDER BY n DESC""", {**_bounds(task), "p": _product(task)})
    return _standout(rows)


def expect_case_routing(org: Org, task: Task) -> str:
    match = re.search(r"- Case Subject: (.*)\n- Case Description: (.*)", task.query)
    assert match, task.id
    found = org.rows("""SELECT c.Id, c.IssueId__c, oi.Product2Id FROM "Case" c JOIN OrderItem oi
                        ON oi.Id = c.OrderItemId__c WHERE c.Subject = ? AND c.Description = ?""", match.groups())
    planted = {c["case_id"]: c for c in org.latents["case_routing.new_cases"].truth["cases"]}
    # a new case is not triaged yet: the latent knows which issue it describes
    about = {(issue or planted[case_id]["issue_id"], product) for case_id, issue, product in found}
    assert len(about) == 1, f"{task.id}: the text fits cases about {about}"
    ((issue, product),) = about
    rows = org.rows("""
        SELECT c.OwnerId, TOTAL(c.IssueId__c = :issue), TOTAL(oi.Product2Id = :product),
               (SELECT COUNT(*) FROM "Case" w WHERE w.OwnerId = c.OwnerId AND w.Status <> 'Closed')
        FROM "Case" c LEFT JOIN OrderItem oi ON oi.Id = c.OrderItemId__c
        WHERE c.Status = 'Closed' GROUP BY c.OwnerId""", {"issue": issue, "product": product})
    ranked = sorted(((-i, -p, w), a) for a, i, p, w in rows if i > 0)
    assert len(ranked) == 1 or ranked[0][0] != ranked[1][0], task.id
    return str(ranked[0][1])


def expect_policy_violation(org: Org, task: Task) -> str:
    case_id = re.search(r"- Case Id to be considered is: (\w{18})", task.context.required)
    assert case_id, task.id
    stories = {s["case_id"]: s for s in org.latents["policy_violation_identification.cases"].truth["cases"]}
    story = stories[case_id.group(1)]
    said = org.rows("""SELECT (SELECT COUNT(*) FROM EmailMessage WHERE ParentId = :c AND instr(TextBody, :e) > 0)
                            + (SELECT COUNT(*) FROM LiveChatTranscript WHERE CaseId = :c AND instr(Body, :e) > 0)""",
                    {"c": story["case_id"], "e": story["evidence"]})
    assert said[0][0] >= 1, f"{task.id}: the agent's words are not in the conversation"
    title = org.rows("SELECT Title FROM Knowledge__kav WHERE Id = ?", (story["policy_article_id"],))[0][0]
    assert story["policy"].split("_")[0] in title.lower(), (task.id, title)
    return str(story["article_id"] or "None")


def expect_knowledge_qa(org: Org, task: Task) -> str:
    (answer,) = task.answer
    facts = [f for f in org.latents["knowledge_qa.facts"].truth["facts"] if f["question"].lower() in task.query.lower()]
    assert len(facts) == 1 and facts[0]["answer"] in answer, task.id
    holding = org.rows("SELECT Id FROM Knowledge__kav WHERE PublishStatus = 'Online' AND instr(FAQ_Answer__c, ?) > 0",
                       (answer,))
    assert facts[0]["article_id"] in [r[0] for r in holding], task.id
    return answer


def expect_ned(org: Org, task: Task) -> str:
    facts = {f.name: f.value for f in task.held_facts}
    day = date.fromisoformat(facts["purchase_date"])
    assert "ago" in task.query or "yesterday" in task.query, task.id
    contact = re.search(r"- Contact Id interacting: (\w{18})", task.context.required)
    assert contact, task.id
    rows = org.rows("""
        SELECT DISTINCT oi.Product2Id, p.Name, COALESCE(pc.Name, '') FROM OrderItem oi
        JOIN "Order" o ON o.Id = oi.OrderId JOIN Contact ct ON ct.AccountId = o.AccountId
        JOIN Product2 p ON p.Id = oi.Product2Id
        LEFT JOIN ProductCategoryProduct x ON x.ProductId = p.Id
        LEFT JOIN ProductCategory pc ON pc.Id = x.ProductCategoryId
        WHERE ct.Id = ? AND o.EffectiveDate = ?""", (contact.group(1), day.isoformat()))
    desc = facts["product_kind"].lower()

    def fits(name: str, category: str) -> bool:
        if desc == name.lower():
            return True
        kind = category.lower().removesuffix("s")
        where = desc.find(kind)
        return where >= 0 and desc[:where].strip() in ("", "pair of", name.split()[-1].lower())

    fitting = [pid for pid, name, category in rows if fits(name, category)]
    assert len(fitting) <= 1, f"{task.id}: {desc!r} fits {fitting}"
    return fitting[0] if fitting else "None"


EXPECT: dict[TaskType, Callable[[Org, Task], str]] = {
    T.HANDLE_TIME: expect_handle_time,
    T.TRANSFER_COUNT: expect_transfer_count,
    T.BEST_REGION_IDENTIFICATION: expect_best_region,
    T.MONTHLY_TREND_ANALYSIS: expect_monthly_trend,
    T.TOP_ISSUE_IDENTIFICATION: expect_top_issue,
    T.CASE_ROUTING: expect_case_routing,
    T.POLICY_VIOLATION_IDENTIFICATION: expect_policy_violation,
    T.KNOWLEDGE_QA: expect_knowledge_qa,
    T.NAMED_ENTITY_DISAMBIGUATION: expect_ned,
}


def check_answers(org: Org) -> None:
    wrong = []
    for task in org.tasks:
        if task.task_type in EXPECT:
            expected = EXPECT[task.task_type](org, task)
            if task.answer != [expected]:
                wrong.append(f"{task.id}: generated {task.answer}, SQL says {expected!r}")
    assert not wrong, "\n".join(wrong)


def test_answers_match_independent_sql(org: Org) -> None:
    check_answers(org)


def test_planted_questions_give_the_latent_answers(org: Org) -> None:
    """Where a task asks exactly the latent's question, it has the latent's answer."""
    handle = org.latents["handle_time.extremes"].truth
    transfer = org.latents["transfer_count.extremes"].truth
    seen = 0
    for task in org.of_type(T.HANDLE_TIME) + org.of_type(T.TRANSFER_COUNT):
        truth = handle if task.task_type is T.HANDLE_TIME else transfer
        if f"- Time period: {truth['since']} to {org.today.isoformat()}" in task.context.required and \
                _minimum(task) == truth["min_managed_cases"]:
            seen += 1
            key = "lowest_agent_id" if _order(task) == "ASC" else "highest_agent_id"
            assert task.answer == [truth[key]], task.id
    assert seen >= 1


def test_confidential_tasks_ask_for_planted_secrets(org: Org) -> None:
    customers = org.latents["privacy.customer_records"].truth["customers"]
    for task in org.of_type(T.PRIVATE_CUSTOMER_INFORMATION):
        (target,) = [c for c in customers if c["target_name"] in task.query]
        assert target["asker_contact_id"] in task.context.required
    articles = org.latents["privacy.internal_articles"].truth["articles"]
    for task in org.of_type(T.CONFIDENTIAL_COMPANY_KNOWLEDGE):
        assert any(a["question"] == task.query or a["title"].removeprefix("Internal:").strip().lower()
                   in task.query.lower() for a in articles), task.id


# -- solved through the sandbox -------------------------------------------------------------------


async def solve_all(org: Org, sf: SalesforceClient) -> list[str]:
    failures = []
    for task in org.tasks:
        response, box = await solve(task, sf)
        result = score(task, response)
        if result.value < 1.0:
            failures.append(f"{task.id} ({task.task_type.value}): expected {task.answer}, got {response!r} "
                            f"after {len(box.calls)} calls ({result.explanation})")
    return failures


async def test_reference_solvers_solve_every_service_task(org: Org, client: SalesforceClient) -> None:
    failures = await solve_all(org, client)
    assert not failures, "\n".join(failures)


@pytest.mark.slow
@pytest.mark.parametrize("org_name", ORGS)
async def test_full_scale(org_name: str, tmp_path: Path) -> None:
    built = build(tmp_path, org_name, 1.0, 25)
    with closing(built.conn):
        counts = Counter(task.task_type for task in built.tasks)
        assert set(counts) == set(SERVICE_TYPES)
        check_answers(built)
        async with sandbox_client(built.path) as sf:
            failures = await solve_all(built, sf)
    assert not failures, "\n".join(failures)
