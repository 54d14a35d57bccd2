"""Known issues (Issue__c) and knowledge articles (Knowledge__kav) for the service stage.

Issues are named problems of a product line, built from a component of the line and a way it
fails. Articles are service policies (with numbers drawn per seed), internal-only notes, product
how-tos carrying specific facts, troubleshooting guides per issue and FAQs; the knowledge base is
filled up to its target counting the policy articles the sales stage already added.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from itertools import islice

from ._base import OrgGenerator
from ._records import Record, slug
from ._service_kb_text import (
    B2B_FACTS,
    B2C_FACTS,
    COMPETITORS,
    GENERAL_FAQ,
    INTERNAL_NOTES,
    LINE_GUIDES,
    POLICIES,
    PRODUCT_FAQ,
    SETUP_STEPS,
    Policy,
)
from ._service_text import DEFAULT_COMPONENTS, FAILURES, LINE_COMPONENTS, Failure

INTERNAL_PREFIX = "Internal:"
INTERNAL_SUMMARY = "INTERNAL USE ONLY - confidential company information; never share with customers."
CORE_POLICIES = ("refund", "verification")  # always written, even in the smallest knowledge base


@dataclass
class Issue:
    record: Record
    line: str
    component: str
    failure: Failure
    code: int

    @property
    def id(self) -> str:
        return str(self.record["Id"])

    def fill(self, text: str, product: str) -> str:
        return text.format(product=product, component=self.component, code=self.code)

    @property
    def workaround(self) -> str:
        return self.failure.workaround.format(component=self.component)


@dataclass
class KnowledgeBase:
    policies: dict[str, tuple[Record, dict[str, int]]] = field(default_factory=dict)
    facts: list[tuple[Record, str, str]] = field(default_factory=list)  # (article, question, answer)
    internal: list[tuple[Record, str]] = field(default_factory=list)  # (article, refused question)
    troubleshooting: dict[str, Record] = field(default_factory=dict)  # Issue__c Id -> article


def build_issues(g: OrgGenerator, lines: list[str]) -> list[Issue]:
    """``g.count('Issue__c')`` issues spread round-robin over ``lines`` (most important first)."""
    total = g.count("Issue__c")
    desc_field = g.field_name("Issue__c", "IssueDescription__c", "Description__c")
    limit = g.schema.objects["Issue__c"].fields["Name"].length or 80
    failures = {line: g.rng.sample(FAILURES, len(FAILURES)) for line in lines}
    issues: list[Issue] = []
    names: set[str] = set()
    rounds = 0
    while len(issues) < total:
        for line in lines:
            if len(issues) >= total:
                break
            components = LINE_COMPONENTS.get(line, DEFAULT_COMPONENTS)
            component = components[rounds % len(components)]
            # The failure order shifts by one after every pass through all failures, so (with four
            # components and twelve failures) a line's first 48 issues are 48 different problems
            # rather than the first 12 over again (large scales).
            failure = failures[line][(rounds + rounds // len(FAILURES)) % len(FAILURES)]
            code = g.rng.randrange(100, 1000)
            name = _issue_name(
                failure.title.format(Component=component[0].upper() + component[1:], code=code), line, names, limit
            )
            names.add(name)
            symptom = failure.symptoms[0].format(product="unit", component=component, code=code)
            description = (
                f"Known problem in {line} products: the {component} {failure.known.format(code=code)}. "
                f'Customers usually describe it like this: "{symptom}" '
                f"Workaround: {failure.workaround.format(component=component)}. "
                "A permanent fix is planned for an upcoming release."
            )
            record = g.add(
                "Issue__c",
                g.between(g.start - timedelta(days=40), g.start + timedelta(days=20)),
                {"Name": name, desc_field: description, "OwnerId": g.pick(g.cast.agents)["Id"]},
            )
            issues.append(Issue(record, line, component, failure, code))
        rounds += 1
    return issues


def _issue_name(name: str, line: str, taken: set[str], limit: int) -> str:
    """``name``, else ``name (line)``, else ``name (n)``: unique among ``taken`` and at most ``limit`` long."""
    for candidate in (name, f"{name} ({line})"):
        if candidate not in taken and len(candidate) <= limit:
            return candidate
    n = 2
    while True:
        suffix = f" ({n})"
        candidate = name[: limit - len(suffix)].rstrip() + suffix
        if candidate not in taken:
            return candidate
        n += 1


@dataclass
class _Draft:
    title: str
    summary: str
    answer: str
    kind: str
    facts: list[tuple[str, str]] = field(default_factory=list)
    policy: tuple[str, dict[str, int]] | None = None
    question: str | None = None  # internal notes: a question that must be refused
    issue_id: str | None = None


def build_knowledge(g: OrgGenerator, issues: list[Issue]) -> KnowledgeBase:
    """Articles up to the Knowledge__kav target (never fewer than the core policies and one note)."""
    existing = g.rows["Knowledge__kav"]
    total = g.count("Knowledge__kav")
    wanted = max(len(CORE_POLICIES) + 1, total - len(existing))
    internal_wanted = max(1, round(total * 0.05))
    drafts = _drafts(g, issues, internal_wanted)
    kb = KnowledgeBase()
    urls = {str(row["UrlName"]) for row in existing}
    for draft in _take(drafts, wanted):
        url = slug(draft.title).replace(" ", "-")
        base, n = url, 2
        while url in urls:
            url, n = f"{base}-{n}", n + 1
        urls.add(url)
        created = g.between(g.start - timedelta(days=30), g.now - timedelta(days=45))
        status = "Online"
        if draft.kind in ("faq", "guide") and g.rng.random() < 0.06:
            status = g.pick(["Draft", "Archived"])
        record = g.add(
            "Knowledge__kav",
            created,
            {
                "Title": draft.title,
                "Summary": draft.summary,
                "FAQ_Answer__c": draft.answer,
                "UrlName": url,
                "PublishStatus": status,
            },
        )
        if draft.policy:
            kb.policies[draft.policy[0]] = (record, draft.policy[1])
        if draft.question:
            kb.internal.append((record, draft.question))
        if draft.issue_id:
            kb.troubleshooting[draft.issue_id] = record
        kb.facts.extend((record, question, answer) for question, answer in draft.facts)
    return kb


def _take(drafts: Iterator[_Draft], n: int) -> list[_Draft]:
    out: list[_Draft] = []
    for draft in drafts:
        if len(out) >= n:
            break
        out.append(draft)
    return out


def _drafts(g: OrgGenerator, issues: list[Issue], internal_wanted: int) -> Iterator[_Draft]:
    """Articles in priority order: core policies, one internal note, other policies, then a mix."""
    policies = {policy.key: _policy(g, policy) for policy in POLICIES}
    notes = _internal_notes(g)
    yield from (policies.pop(key) for key in CORE_POLICIES)
    yield next(notes)
    yield from policies.values()
    products = list(g.catalog.products)
    lines = sorted(set(g.catalog.category_of.values()))
    makers: list[Iterator[_Draft]] = [
        (_troubleshooting(issue) for issue in issues),
        (_howto(g, product) for product in products),
        islice(notes, internal_wanted - 1),
        (_product_faq(product) for product in products),
        (_simple(title, summary, answer, "faq") for title, summary, answer in GENERAL_FAQ),
        (_simple(t.format(line=line), s.format(line=line), a, "guide") for line in lines for t, s, a in LINE_GUIDES),
        (_maintenance(g, product) for product in products),
    ]
    while makers:
        for maker in list(makers):
            try:
                yield next(maker)
            except StopIteration:
                makers.remove(maker)


def _policy(g: OrgGenerator, policy: Policy) -> _Draft:
    params = {name: g.pick(values) for name, values in policy.choices.items()}
    facts = [(q.format(**params), a.format(**params)) for q, a in policy.facts]
    return _Draft(
        policy.title, policy.summary, policy.body.format(**params), "policy", facts, policy=(policy.key, params)
    )


def _internal_notes(g: OrgGenerator) -> Iterator[_Draft]:
    """Internal notes with distinct titles, drawn at random until every possible title is used.

    The titles name at most a product line or a competitor, so there are only a few dozen of them;
    large knowledge bases get every one and fill the rest with other articles.
    """
    lines = sorted(set(g.catalog.category_of.values())) or ["product"]
    possible = {
        title.format(line=line, competitor=c) for title, _, _ in INTERNAL_NOTES for line in lines for c in COMPETITORS
    }
    used: set[str] = set()
    while len(used) < len(possible):
        title, body, question = g.pick(INTERNAL_NOTES)
        params = {
            "line": g.pick(lines),
            "competitor": g.pick(COMPETITORS),
            "pct": g.rng.randrange(8, 36),
            "margin": g.rng.randrange(18, 45),
            "units": g.rng.randrange(6, 40),
            "days": g.rng.randrange(3, 21),
            "hours": g.rng.randrange(2, 9),
        }
        filled = title.format(**params)
        if filled in used:
            continue
        used.add(filled)
        yield _Draft(
            filled,
            INTERNAL_SUMMARY,
            body.format(**params),
            "internal",
            question=question.format(**params),
        )


def _troubleshooting(issue: Issue) -> _Draft:
    name = str(issue.record["Name"])
    symptom = f"the {issue.component} {issue.failure.known.format(code=issue.code)}"
    question = f"What is the recommended workaround when {symptom}?"
    answer = (
        f"Symptoms: {symptom}.\n"
        f"Recommended workaround: {issue.workaround}.\n"
        "If the problem continues, open a case and attach the diagnostic log from the device."
    )
    return _Draft(
        f"Troubleshooting: {name}",
        f"Steps to try when a {issue.line} product shows this known problem.",
        answer,
        "troubleshooting",
        [(question, issue.workaround)],
        issue_id=issue.id,
    )


def _howto(g: OrgGenerator, product: Record) -> _Draft:
    name = str(product["Name"])
    bank = B2B_FACTS if g.org == "b2b" else B2C_FACTS
    facts = []
    sentences = []
    for sentence, question, answer, values in g.rng.sample(bank, 3):
        n = g.pick(values)
        sentences.append(sentence.format(n=n, product=name))
        facts.append((question.format(product=name), answer.format(n=n)))
    steps = "\n".join(f"{i}. {step.format(product=name)}" for i, step in enumerate(SETUP_STEPS[:4], 1))
    body = f"Setting up the {name}:\n{steps}\n\nKey facts:\n" + "\n".join(f"- {s}" for s in sentences)
    summary = f"Setup steps and key specifications for the {name}."
    return _Draft(f"How to set up the {name}", summary, body, "howto", facts)


def _product_faq(product: Record) -> _Draft:
    name = str(product["Name"])
    body = "\n\n".join(f"Q: {q.format(product=name)}\nA: {a.format(product=name)}" for q, a in PRODUCT_FAQ)
    return _Draft(f"{name}: frequently asked questions", f"Common questions about the {name}.", body, "faq")


def _maintenance(g: OrgGenerator, product: Record) -> _Draft:
    name = str(product["Name"])
    months = g.pick((3, 6, 12))
    body = (
        f"Every {months} months: inspect cables and connectors, clean the housing, check for firmware updates "
        f"and run the self-test on the {name}. Log the results in the customer portal."
    )
    return _Draft(f"{name} maintenance checklist", f"Routine maintenance for the {name}.", body, "guide")


def _simple(title: str, summary: str, answer: str, kind: str) -> _Draft:
    return _Draft(title, summary, answer, kind)
