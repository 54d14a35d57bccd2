"""Solvers of knowledge_qa and named_entity_disambiguation.

knowledge_qa: a SOSL search with the question's content words finds candidate articles; among the
Online ones, the article whose title and best sentence share the most (idf-weighted) words with the
question answers it (word pairs shared with the title, in order, tell look-alike product names such as
"AI Cirku-Tech Edge" and "Cirku-Tech AI Edge" apart). The answer is the article's sentence that
matches the question best, by the generator's rule: the article text cut into sentences (lines,
list markers dropped, split after ``.``/``?``/``!`` before a capital, headings ending with ``:`` left
out), scored by the question's words, without the title's words and without a trailing "when ..."
clause, shared with the sentence, divided by the square root of the sentence's length. Greetings in
the question are ignored.

named_entity_disambiguation: the purchase day is today (``- Today's date``) minus the days the query
gives ("12 days ago", "twelve days ago", "a week ago", "yesterday"). The products on the orders of
the contact's account with that EffectiveDate are matched to the description: a product named in
the query (longest name first), else the products of the category the query names (all the
category's words appear in it), narrowed by a word of the product's name (the model, e.g. "Pro")
when several fit. None when nothing was bought that day or nothing fits.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from datetime import timedelta
from typing import Any

from .._model import NONE_ANSWER, Task
from .._sentences import STOP_WORDS as _STOP
from .._sentences import match_score, sentences, words
from .._types import TaskType
from . import Toolbox, solver
from ._service_common import fact, number, quote, record_id, today


def _pairs(text: str) -> set[tuple[str, str]]:
    """Adjacent word pairs, so that names made of the same words in another order differ."""
    tokens = re.findall(r"[a-z0-9]+", text.lower())
    return set(zip(tokens, tokens[1:], strict=False))


def _strip_greeting(query: str) -> str:
    return re.sub(r"^\s*(?:hi|hello)[,!.]?\s+|^\s*please tell me:\s*", "", query, flags=re.I)


@solver(TaskType.KNOWLEDGE_QA)
async def knowledge_qa(task: Task, box: Toolbox) -> str:
    question = _strip_greeting(task.query)
    terms = sorted(w for w in set(re.findall(r"[A-Za-z0-9]+", question)) if w.lower() not in _STOP and len(w) > 2)
    found = await box.records(
        f"FIND {{{' OR '.join(terms)}}} IN ALL FIELDS RETURNING Knowledge__kav(Id, Title, PublishStatus)"
    ) if terms else []
    ids = [str(r["Id"]) for r in found if r.get("PublishStatus", "Online") == "Online"]
    if not ids:
        return "I could not find an article that answers this."
    articles = await box.records(
        "SELECT Id, Title, FAQ_Answer__c FROM Knowledge__kav WHERE PublishStatus = 'Online' "
        f"AND Id IN ({', '.join(quote(i) for i in ids)})"
    )
    asked = words(question)
    df = Counter(w for a in articles for w in words(f"{a.get('Title', '')} {a.get('FAQ_Answer__c') or ''}"))

    def weight(found_words: frozenset[str]) -> float:
        return sum(math.log((1 + len(articles)) / df[w]) + 0.1 for w in found_words if df[w])

    asked_pairs = _pairs(question)

    def article_score(article: dict[str, Any]) -> float:
        title = str(article.get("Title", ""))
        title_words = words(title)
        body = [words(s) for s in sentences(str(article.get("FAQ_Answer__c") or ""))]
        in_order = 0.5 * len(asked_pairs & _pairs(title))  # "Cirku-Tech AI Edge" is not "AI Cirku-Tech Edge"
        return weight(asked & title_words) + max((weight((asked - title_words) & s) for s in body), default=0.0) \
            + in_order

    article = max(articles, key=article_score)
    title, body = str(article.get("Title", "")), str(article.get("FAQ_Answer__c") or "")
    pieces = sentences(body)
    if not pieces:
        return "I could not find an article that answers this."
    return max(pieces, key=lambda s: match_score(question, title, s))


# -- named-entity disambiguation ------------------------------------------------------------------

_WEEKS = re.compile(r"\b(a|one|two|three|four|\d+)\s+weeks?\s+ago\b", re.I)
_DAYS = re.compile(r"\b(\d+|[a-z]+(?:-[a-z]+)?)\s+days?\s+ago\b", re.I)


def days_ago(query: str) -> int:
    if re.search(r"\byesterday\b", query, re.I):
        return 1
    match = _WEEKS.search(query)
    if match:
        return 7 * number(match.group(1))
    match = _DAYS.search(query)
    if match:
        return number(match.group(1))
    raise LookupError(f"no purchase time in {query!r}")


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") and len(word) > 3 else word


def _word_set(text: str) -> set[str]:
    return {_singular(w) for w in re.findall(r"[a-z0-9]+", text.lower())}


def pick_product(query: str, bought: list[dict[str, str]]) -> str:
    """The Id of the one bought product the query describes, or None."""
    lowered = query.lower()
    named = [b for b in bought if b["name"] and b["name"].lower() in lowered]
    if named:
        return max(named, key=lambda b: len(b["name"]))["id"]
    said = _word_set(query)
    fitting = [b for b in bought if b["category"] and _word_set(b["category"]) <= said]
    if len(fitting) > 1:
        fitting = [b for b in fitting if _word_set(b["name"]) & said] or fitting
    return fitting[0]["id"] if fitting else NONE_ANSWER


@solver(TaskType.NAMED_ENTITY_DISAMBIGUATION)
async def named_entity_disambiguation(task: Task, box: Toolbox) -> str:
    contact = record_id(fact(task, "contact id interacting", "contact id"))
    day = today(task) - timedelta(days=days_ago(task.query))
    who = await box.records(f"SELECT AccountId FROM Contact WHERE Id = {quote(contact)}")
    if not who or not who[0].get("AccountId"):
        return NONE_ANSWER
    items = await box.records(
        "SELECT Product2Id, Product2.Name FROM OrderItem "
        f"WHERE Order.AccountId = {quote(str(who[0]['AccountId']))} AND Order.EffectiveDate = {day.isoformat()}"
    )
    if not items:
        return NONE_ANSWER
    products = sorted({str(i["Product2Id"]): str((i.get("Product2") or {}).get("Name") or "") for i in items}.items())
    links = await box.records(
        "SELECT ProductId, ProductCategory.Name FROM ProductCategoryProduct "
        f"WHERE ProductId IN ({', '.join(quote(p) for p, _ in products)})"
    )
    category = {str(r["ProductId"]): str((r.get("ProductCategory") or {}).get("Name") or "") for r in links}
    bought = [{"id": p, "name": name, "category": category.get(p, "")} for p, name in products]
    return pick_product(task.query, bought)
