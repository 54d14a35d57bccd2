"""Solvers of quote_approval and invalid_config.

The quote policies are the Online knowledge articles titled 'Quote Policy: ...'; each article's
summary states its rule, read here into (kind, categories, limit):

- "Quote lines for A, B or C products may be discounted by at most N%." (discount ceiling);
- "X products are sold in lots: each quote line needs at least N units." (minimum quantity);
- "No quote line may ask for more than N units of a X product." (quantity cap);
- "Quotes that include X products must also include a A or B product." (bundle);
- "X products cannot make up a quote on their own." (add-on only);
- "Quote line unit prices must equal the price book entry" (price book prices).

The quote's lines (QuoteLineItem with the price book entry's UnitPrice) and their products'
categories (ProductCategoryProduct) are checked against every rule; the answer is the article of the
rule broken, or None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .._model import NONE_ANSWER, Task
from .._types import TaskType
from . import Toolbox, solver
from ._service_common import fact, quote, record_id

_RULES = (
    ("cap", re.compile(r"lines for (?P<cats>.+?) products may be discounted by at most (?P<limit>[\d.]+)%", re.I)),
    ("min_qty", re.compile(r"^(?P<cat>.+?) products are sold in lots: .*?at least (?P<limit>[\d.]+) units", re.I)),
    ("max_qty", re.compile(r"more than (?P<limit>[\d.]+) units of an? (?P<cat>.+?) product", re.I)),
    ("requires", re.compile(r"include (?P<cat>.+?) products must also include an? (?P<cats>.+?) product", re.I)),
    ("not_alone", re.compile(r"^(?P<cat>.+?) products cannot make up a quote on their own", re.I)),
    ("list_price", re.compile(r"unit prices must equal the price book", re.I)),
)


@dataclass(frozen=True)
class Rule:
    article: str
    kind: str
    category: str = ""
    categories: frozenset[str] = frozenset()
    limit: float = 0.0


def _names(text: str) -> frozenset[str]:
    return frozenset(part.strip() for part in re.split(r",\s*|\s+or\s+", text) if part.strip())


def read_rule(article: dict[str, Any]) -> Rule | None:
    summary = str(article.get("Summary") or "")
    for kind, pattern in _RULES:
        match = pattern.search(summary)
        if match is None:
            continue
        groups = match.groupdict()
        return Rule(
            article=str(article["Id"]), kind=kind, category=(groups.get("cat") or "").strip(),
            categories=_names(groups.get("cats") or ""), limit=float(groups.get("limit") or 0),
        )
    return None


def breaks(rule: Rule, lines: list[dict[str, Any]]) -> bool:
    """Whether the quote ``lines`` (with ``category``) break ``rule``."""
    cats = {line["category"] for line in lines}
    if rule.kind == "cap":
        return any(line["category"] in rule.categories and line["discount"] > rule.limit for line in lines)
    if rule.kind == "min_qty":
        return any(line["category"] == rule.category and line["quantity"] < rule.limit for line in lines)
    if rule.kind == "max_qty":
        return any(line["category"] == rule.category and line["quantity"] > rule.limit for line in lines)
    if rule.kind == "requires":
        return rule.category in cats and not cats & rule.categories
    if rule.kind == "not_alone":
        return bool(lines) and cats == {rule.category}
    return any(abs(line["price"] - line["list"]) > 0.005 for line in lines)


async def _violated(task: Task, box: Toolbox) -> str:
    quote_id = record_id(fact(task, "quote id to be considered is", "quote id"))
    rows = await box.records(
        "SELECT Product2Id, Quantity, Discount, UnitPrice, PricebookEntry.UnitPrice FROM QuoteLineItem "
        f"WHERE QuoteId = {quote(quote_id)}"
    )
    if not rows:
        return NONE_ANSWER
    products = sorted({str(r["Product2Id"]) for r in rows if r.get("Product2Id")})
    links = await box.records(
        "SELECT ProductId, ProductCategory.Name FROM ProductCategoryProduct "
        f"WHERE ProductId IN ({', '.join(quote(p) for p in products)})"
    ) if products else []
    category = {str(r["ProductId"]): str((r.get("ProductCategory") or {}).get("Name") or "") for r in links}
    lines = [{
        "category": category.get(str(r.get("Product2Id")), ""),
        "quantity": float(r.get("Quantity") or 0),
        "discount": float(r.get("Discount") or 0),
        "price": float(r.get("UnitPrice") or 0),
        "list": float((r.get("PricebookEntry") or {}).get("UnitPrice") or r.get("UnitPrice") or 0),
    } for r in rows]
    articles = await box.records(
        "SELECT Id, Title, Summary FROM Knowledge__kav WHERE PublishStatus = 'Online' AND Title LIKE 'Quote Policy%'"
    )
    rules = [rule for rule in map(read_rule, articles) if rule is not None]
    broken = sorted(rule.article for rule in rules if breaks(rule, lines))
    return ", ".join(broken) if broken else NONE_ANSWER


@solver(TaskType.QUOTE_APPROVAL)
async def quote_approval(task: Task, box: Toolbox) -> str:
    return await _violated(task, box)


@solver(TaskType.INVALID_CONFIG)
async def invalid_config(task: Task, box: Toolbox) -> str:
    return await _violated(task, box)
