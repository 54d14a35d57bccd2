"""Generators of quote_approval and invalid_config.

The company's quote policies are knowledge articles; the quote latent lists them as rules (kind,
article Id, categories, limit), which this module applies itself to every quote's lines (product
category, Quantity, Discount, UnitPrice against the price book entry):

- cap: no line of the capped categories with a Discount above the limit;
- min_qty / max_qty: no line of the category with a Quantity below / above the limit;
- requires: a quote with a line of the category also has a line of one of the companion categories;
- not_alone: a quote is not made only of lines of the category;
- list_price: every line's UnitPrice equals its price book entry's.

The answer is the article of the one rule a quote breaks, or None when it breaks none; quotes that
break several are not asked about. The latent's pending quotes come first (every planted violation
and compliant quote); more compliant quotes, pending ones first, give None questions when more
tasks are wanted. Both types ask about any rule: quote_approval prefers pricing rules (discount
ceilings, price book prices), invalid_config the configuration rules (quantities, bundles, add-ons).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from .._model import Task
from .._types import TaskType
from . import GenContext, generator
from ._sales_common import record_tasks
from ._service_common import mix

PRICING_RULES = frozenset({"cap", "list_price"})
PENDING = ("Draft", "Needs Review", "In Review")

APPROVAL_GUIDE = """## Quote approval guide
- The company's quote policies are knowledge articles (Knowledge__kav) whose titles begin with 'Quote Policy'.
- Check every line of the quote (QuoteLineItem) against them: the category of its product \
(ProductCategoryProduct), its Quantity, its Discount, and its UnitPrice against the price book entry.
- A quote breaks at most one policy: answer with the Id of that article, or None if the quote complies."""
CONFIG_GUIDE = """## Quote configuration guide
- Company rules for quotes are published as knowledge articles (Knowledge__kav) titled 'Quote Policy: ...'.
- A quote's configuration is its lines (QuoteLineItem): which products (and so which product categories, \
through ProductCategoryProduct), in what Quantity, at what Discount and UnitPrice (compared with the price \
book entry).
- The configuration breaks at most one rule: answer with the Id of the article it violates, or None."""

_APPROVAL_QUERIES = (
    "Can this quote be approved as it stands, or do its prices and setup break a company policy? Return only "
    "the Id of the knowledge article it violates, or None if it complies.",
    "Review this quote's pricing and configuration against our policies. Which knowledge article does it "
    "conflict with? Return only the article Id, or None if there is no conflict.",
    "Is this quote within company policy? If not, return only the Id of the knowledge article it breaks; if it "
    "is, return None.",
    "Before I approve this quote: do its discounts, prices and products follow company policy? Return only the "
    "Id of the violated knowledge article, or None.",
)
_CONFIG_QUERIES = (
    "Is the product configuration of this quote (products, quantities, prices) valid under company policy? "
    "Return only the Id of the knowledge article it violates, or None if the configuration is valid.",
    "Does anything in this quote's setup, such as quantities or unit prices, go against our rules? Return only "
    "the Id of the knowledge article that is broken, or None.",
    "Check the configuration of this quote for policy problems. Return only the knowledge article Id of the "
    "rule it breaks, or None if it breaks none.",
    "Is this quote configured in a way our policies do not allow? Give only the Id of the knowledge article "
    "it goes against, or None.",
)


@dataclass(frozen=True)
class _Line:
    quantity: float
    discount: float
    price: float
    list_price: float
    category: str


_LINES = """
SELECT q.QuoteId, q.Quantity, COALESCE(q.Discount, 0), q.UnitPrice, e.UnitPrice, COALESCE(c.Name, '')
FROM QuoteLineItem q JOIN PricebookEntry e ON e.Id = q.PricebookEntryId
LEFT JOIN ProductCategoryProduct pc ON pc.ProductId = q.Product2Id
LEFT JOIN ProductCategory c ON c.Id = pc.ProductCategoryId
ORDER BY q.QuoteId"""


def broken(rule: dict[str, Any], lines: list[_Line]) -> bool:
    """Whether ``lines`` (one quote's) break ``rule``."""
    kind, limit = rule["kind"], float(rule.get("limit") or 0)
    categories, category = set(rule.get("categories") or ()), rule.get("category")
    if kind == "cap":
        return any(line.category in categories and line.discount > limit for line in lines)
    if kind == "min_qty":
        return any(line.category == category and line.quantity < limit for line in lines)
    if kind == "max_qty":
        return any(line.category == category and line.quantity > limit for line in lines)
    if kind == "requires":
        held = {line.category for line in lines}
        return category in held and not held & categories
    if kind == "not_alone":
        return bool(lines) and all(line.category == category for line in lines)
    if kind == "list_price":
        return any(abs(line.price - line.list_price) > 0.005 for line in lines)
    raise ValueError(f"unknown quote rule kind {kind!r}")


def quote_verdicts(ctx: GenContext) -> dict[str, tuple[str | None, str | None]]:
    """``quote -> (article Id or None, rule kind or None)`` for quotes breaking at most one rule."""
    rules = json.loads(str(ctx.latent("quote.policy_violations").params[0]))
    lines: dict[str, list[_Line]] = defaultdict(list)
    for quote, qty, disc, price, listed, category in ctx.rows(_LINES):
        lines[str(quote)].append(_Line(float(str(qty)), float(str(disc)), float(str(price)), float(str(listed)),
                                       str(category)))
    out: dict[str, tuple[str | None, str | None]] = {}
    for (quote,) in ctx.rows("SELECT Id FROM Quote ORDER BY Id"):
        hits = [rule for rule in rules if broken(rule, lines[str(quote)])]
        if len(hits) <= 1 and lines[str(quote)]:
            out[str(quote)] = (str(hits[0]["article"]), str(hits[0]["kind"])) if hits else (None, None)
    return out


def _quote_tasks(ctx: GenContext, *, pricing: bool, templates: tuple[str, ...], guide: str) -> list[Task]:
    planted: dict[str, str | None] = ctx.latent("quote.policy_violations").truth["quotes"]
    verdicts = quote_verdicts(ctx)
    status = {str(q): str(s) for q, s in ctx.rows("SELECT Id, Status FROM Quote")}
    violating = [q for q, (article, _) in verdicts.items() if article]
    compliant = [q for q, (article, _) in verdicts.items() if not article]
    ctx.rng.shuffle(violating)
    ctx.rng.shuffle(compliant)
    violating.sort(key=lambda q: (q not in planted, (verdicts[q][1] in PRICING_RULES) != pricing))
    compliant.sort(key=lambda q: (q not in planted, status.get(q) not in PENDING))
    chosen = mix(ctx.rng, violating, compliant, ctx.per_type)
    picks = [(quote, verdicts[quote][0]) for quote in chosen]
    return record_tasks(ctx, picks, label="Quote", held_name="quote_id", templates=templates, guide=guide)


@generator(TaskType.QUOTE_APPROVAL)
def quote_approval(ctx: GenContext) -> list[Task]:
    return _quote_tasks(ctx, pricing=True, templates=_APPROVAL_QUERIES, guide=APPROVAL_GUIDE)


@generator(TaskType.INVALID_CONFIG)
def invalid_config(ctx: GenContext) -> list[Task]:
    return _quote_tasks(ctx, pricing=False, templates=_CONFIG_QUERIES, guide=CONFIG_GUIDE)
