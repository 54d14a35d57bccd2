"""Generators of knowledge_qa and named_entity_disambiguation.

knowledge_qa asks the questions of the ``knowledge_qa.facts`` latent. The answer is the sentence of
the answering article (an Online Knowledge__kav) that states the fact, as the benchmark's answers
are short sentences. Sentences are cut as :func:`sentences` does: the article text split into
lines, list markers dropped, lines split after ``.``, ``?`` or ``!`` before a capital letter, and
headings (ending with ``:``) left out. A fact is asked only when its sentence is the article's one
that matches the question best (:func:`match_score`): the question's words, without the words of
the article's title and without a trailing "when ..." clause (which describes the situation, not
what is asked), shared with the sentence, divided by the square root of the sentence's length.

named_entity_disambiguation asks for "the <kind of product> I bought N days ago" (N from today to
the order's EffectiveDate) for the latent's purchases, and for more purchases found with SQL when
more tasks are wanted. The kind is the product's category (e.g. "smartphone"), with the model word
of its family when needed ("Pro security platform"), or the product's own name. The answer is the
one product of the contact's account bought that day that fits the description, or None on a day
with no purchase.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from .._model import HeldFact, Task
from .._sentences import match_score, sentences
from .._types import TaskType
from . import GenContext, generator
from ._service_common import NUMBER_WORDS, make_task, mix, planted_first, today_line

MATCH_MARGIN = 1.15  # the fact's sentence must beat every other sentence of its article by this factor
_QA_LEADS = ("{q}", "Hi, {lq}", "Hello! {q}", "Please tell me: {lq}")


def _answer_sentence(question: str, title: str, body: str, fact: str) -> str | None:
    """The sentence stating ``fact`` when it is clearly the one that matches the question best."""
    pieces = sentences(body)
    holding = [s for s in pieces if fact.lower() in s.lower()]
    if len(holding) != 1:
        return None
    ranked = sorted(((match_score(question, title, s), s) for s in pieces), reverse=True)
    if ranked[0][1] != holding[0] or (len(ranked) > 1 and ranked[0][0] < MATCH_MARGIN * ranked[1][0]):
        return None
    return holding[0]


def _topic(title: str) -> str:
    for prefix in ("How to set up the ", "Troubleshooting: "):
        if title.startswith(prefix):
            return title[len(prefix):]
    return title


@generator(TaskType.KNOWLEDGE_QA)
def knowledge_qa(ctx: GenContext) -> list[Task]:
    facts = list(ctx.latent("knowledge_qa.facts").truth["facts"])
    ctx.rng.shuffle(facts)
    titles = [str(t) for (t,) in ctx.rows("SELECT Title FROM Knowledge__kav WHERE PublishStatus = 'Online'")]
    tasks: list[Task] = []
    asked: set[str] = set()
    for fact in facts:
        if len(tasks) >= ctx.per_type or fact["question"] in asked:
            continue
        row = ctx.rows("SELECT Title, FAQ_Answer__c, PublishStatus FROM Knowledge__kav WHERE Id = ?",
                       (fact["article_id"],))
        if not row or row[0][2] != "Online" or titles.count(str(row[0][0])) != 1:
            continue
        title, body = str(row[0][0]), str(row[0][1] or "")
        answer = _answer_sentence(str(fact["question"]), title, body, str(fact["answer"]))
        if answer is None:
            continue
        asked.add(fact["question"])
        question = str(fact["question"])
        query = ctx.rng.choice(_QA_LEADS).format(q=question, lq=question[:1].lower() + question[1:])
        required = ["- Answer with what the knowledge articles say, in one short sentence.", today_line(ctx)]
        topic = _topic(title)
        held = [HeldFact(name="topic", value=topic, utterance=f"It's about the {topic}.")]
        tasks.append(make_task(ctx, query, answer, required, held=held))
    return tasks


# -- named-entity disambiguation -----------------------------------------------------------------

_PURCHASES = """
SELECT o.AccountId, o.EffectiveDate, oi.Product2Id, p.Name, pc.Name
FROM OrderItem oi JOIN "Order" o ON o.Id = oi.OrderId JOIN Product2 p ON p.Id = oi.Product2Id
LEFT JOIN ProductCategoryProduct pcp ON pcp.ProductId = oi.Product2Id
LEFT JOIN ProductCategory pc ON pc.Id = pcp.ProductCategoryId
ORDER BY o.AccountId, o.EffectiveDate, oi.Product2Id"""
_NOUNS = {"Headphones": "pair of headphones"}
_NED_QUERIES = (
    "Can you pull up the {desc} I bought {ago}? Return only the Id of the product from that purchase.",
    "Show me the {desc} that I purchased {ago}. Return only the product Id.",
    "I need details on the {desc} I ordered {ago}. Return only the Id of the product, or None if there was no "
    "such purchase.",
)


@dataclass(frozen=True)
class _Item:
    product: str
    name: str
    category: str

    @property
    def model(self) -> str:
        return self.name.split()[-1] if self.name.split() else ""


@dataclass(frozen=True)
class _Ask:
    contact: str
    day: date
    desc: str
    answer: str | None
    planted: bool


def noun(category: str) -> str:
    """How a customer names a product of ``category``: "smartphone", "power management product"."""
    if category in _NOUNS:
        return _NOUNS[category]
    head, _, last = category.lower().rpartition(" ")
    if last.endswith("s") and not last.endswith("ss") and len(last) > 3:
        return f"{head} {last[:-1]}".strip()
    return f"{category.lower()} product"


def ago(days: int, rng: random.Random) -> str:
    """How a customer says when they bought: "yesterday", "a week ago", "twelve days ago", "40 days ago"."""
    if days == 1:
        return "yesterday"
    options = [f"{days} days ago"]
    if days in (7, 14, 21):
        options.append("a week ago" if days == 7 else f"{NUMBER_WORDS[days // 7]} weeks ago")
    if days < len(NUMBER_WORDS):
        options.append(f"{NUMBER_WORDS[days]} days ago")
    return rng.choice(options)


def _describe(item: _Item, that_day: list[_Item], *, by_name: bool) -> str | None:
    """A description that only ``item`` of ``that_day`` fits, or None."""
    if by_name:
        return item.name if sum(other.name.lower() in item.name.lower() for other in that_day) == 1 else None
    if not item.category:
        return None
    same = [other for other in that_day if other.category == item.category]
    if len(same) == 1:
        return noun(item.category)
    if sum(other.model == item.model for other in same) == 1:
        return f"{item.model} {noun(item.category)}"
    return None


@generator(TaskType.NAMED_ENTITY_DISAMBIGUATION)
def named_entity_disambiguation(ctx: GenContext) -> list[Task]:
    bought: dict[str, dict[date, list[_Item]]] = defaultdict(lambda: defaultdict(list))
    for account, day, product, name, category in ctx.rows(_PURCHASES):
        items = bought[str(account)][date.fromisoformat(str(day)[:10])]
        if all(i.product != str(product) for i in items):
            items.append(_Item(str(product), str(name), str(category or "")))
    contacts: dict[str, list[str]] = defaultdict(list)
    account_of: dict[str, str] = {}
    for contact, account in ctx.rows("SELECT Id, AccountId FROM Contact WHERE AccountId IS NOT NULL ORDER BY Id"):
        contacts[str(account)].append(str(contact))
        account_of[str(contact)] = str(account)
    asks: list[_Ask] = []
    nones: list[_Ask] = []
    for p in ctx.latent("named_entity_disambiguation.purchases").truth["purchases"]:
        contact, day = str(p["contact_id"]), date.fromisoformat(str(p["order_date"]))
        that_day = bought[account_of.get(contact, "")].get(day, [])
        if p["product_id"] is None:
            if not that_day and all(not bought[account_of[contact]].get(day + timedelta(d)) for d in (-1, 1)):
                nones.append(_Ask(contact, day, _group_desc(str(p["group"])), None, True))
            continue
        item = next((i for i in that_day if i.product == str(p["product_id"])), None)
        desc = _describe(item, that_day, by_name=bool(p["by_name"])) if item else None
        if item and desc:
            asks.append(_Ask(contact, day, desc, item.product, True))
    for account, days in sorted(bought.items()):
        if not contacts.get(account):
            continue
        for day, items in sorted(days.items()):
            if not ctx.today - timedelta(days=730) <= day < ctx.today:
                continue
            for item in items:
                lookalike = any(o.category == item.category and o.product != item.product
                                for d, other in days.items() if d != day for o in other)
                desc = _describe(item, items, by_name=False) if lookalike else None
                if desc:
                    asks.append(_Ask(ctx.rng.choice(contacts[account]), day, desc, item.product, False))
    quiet_days: list[_Ask] = []
    for a in ctx.rng.sample(asks, len(asks)):  # a quiet day of a customer: nothing was bought then (None)
        days = bought[account_of[a.contact]]
        quiet = [n for n in range(2, 121) if not any(days.get(ctx.today - timedelta(n + d)) for d in (-1, 0, 1))]
        if quiet and len(quiet_days) < len(asks) // 4 + 1:
            quiet_days.append(_Ask(a.contact, ctx.today - timedelta(ctx.rng.choice(quiet)), a.desc, None, False))
    nones += quiet_days
    seen: set[tuple[str, date]] = set()
    unique = []
    for a in planted_first(ctx.rng, asks, lambda a: a.planted, ctx.per_type):
        if (account_of[a.contact], a.day) not in seen:
            seen.add((account_of[a.contact], a.day))
            unique.append(a)
    tasks = []
    for a in mix(ctx.rng, unique, nones, ctx.per_type):
        when = ago((ctx.today - a.day).days, ctx.rng)
        query = ctx.rng.choice(_NED_QUERIES).format(desc=a.desc, ago=when)
        required = [f"- Contact Id interacting: {a.contact}", today_line(ctx)]
        held = [HeldFact(name="purchase_date", value=a.day.isoformat(), utterance=f"I bought it {when}."),
                HeldFact(name="product_kind", value=a.desc, utterance=f"It's the {a.desc}.")]
        tasks.append(make_task(ctx, query, a.answer, required, held=held))
    return tasks


def _group_desc(group: str) -> str:
    """The description of a latent look-alike group: "Pro security platform", "smartphone"."""
    category, _, model = group.partition(":")
    return f"{model} {noun(category)}" if model else noun(category)
