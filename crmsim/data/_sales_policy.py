"""Company quote policies: rules, their knowledge articles, compliant lines and planted violations.

Every quote the stage writes complies with every rule, except the quotes planted to break exactly
one (``quote_approval`` / ``invalid_config``). :func:`violations` is the Python reading of the rules;
``POLICY_SQL`` in :mod:`crmsim.data._sales_sql` is the SQL reading, and the tests hold them equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from ._base import OrgGenerator
from ._records import Record, slug
from ._sales_model import Line
from ._sales_text import STAGES, TASK_SUBJECTS


@dataclass(frozen=True)
class Rule:
    key: str
    kind: str  # cap | min_qty | max_qty | requires | not_alone | list_price
    categories: tuple[str, ...] = ()  # cap: the capped categories; requires: the required companions
    category: str = ""  # min_qty / max_qty / requires / not_alone: the category the rule is about
    limit: float = 0
    label: str = ""

    def to_json(self, article_id: str) -> dict[str, object]:
        return {
            "kind": self.kind,
            "article": article_id,
            "categories": list(self.categories),
            "category": self.category,
            "limit": self.limit,
        }


RULES: dict[str, tuple[Rule, ...]] = {
    "b2b": (
        Rule(
            "cap_software",
            "cap",
            ("Analytics Software", "Cloud Services", "Security Platforms"),
            limit=15,
            label="Software and Cloud Lines",
        ),
        Rule(
            "cap_hardware",
            "cap",
            ("Power Management", "Networking", "Industrial Sensors", "Field Hardware", "Collaboration"),
            limit=25,
            label="Hardware Lines",
        ),
        Rule("cap_capital", "cap", ("Automation", "Compute"), limit=10, label="Capital Equipment"),
        Rule("min_sensors", "min_qty", category="Industrial Sensors", limit=10),
        Rule("max_compute", "max_qty", category="Compute", limit=5),
        Rule("bundle_automation", "requires", ("Power Management", "Industrial Sensors"), category="Automation"),
        Rule("addon_collaboration", "not_alone", category="Collaboration"),
        Rule("list_price", "list_price"),
    ),
    "b2c": (
        Rule(
            "cap_flagship", "cap", ("Smartphones", "Laptops", "Tablets", "Cameras"), limit=10, label="Flagship Devices"
        ),
        Rule(
            "cap_accessories",
            "cap",
            ("Headphones", "Power & Charging", "Audio", "Wearables"),
            limit=25,
            label="Accessories",
        ),
        Rule(
            "cap_home",
            "cap",
            ("Smart Home", "Kitchen", "Gaming", "Personal Care"),
            limit=20,
            label="Home and Lifestyle",
        ),
        Rule("max_smartphones", "max_qty", category="Smartphones", limit=3),
        Rule("bundle_cameras", "requires", ("Power & Charging",), category="Cameras"),
        Rule("addon_charging", "not_alone", category="Power & Charging"),
        Rule("list_price", "list_price"),
    ),
}


def rules_for(org: str, categories: set[str]) -> tuple[Rule, ...]:
    """The org's rules that concern products it sells (small catalogs lack some categories)."""
    return tuple(
        rule
        for rule in RULES[org]
        if rule.kind == "list_price" or {rule.category, *rule.categories} & categories
        if rule.kind != "requires" or rule.category in categories
    )


def _either(items: tuple[str, ...]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def article_text(rule: Rule) -> tuple[str, str, str]:
    """Title, summary and FAQ answer of the article that states ``rule``."""
    limit = int(rule.limit)
    if rule.kind == "cap":
        cats = _either(rule.categories)
        return (
            f"Quote Policy: Discount Ceiling for {rule.label}",
            f"Quote lines for {cats} products may be discounted by at most {limit}%.",
            f"Q: How much discount can a rep give on {rule.label.lower()}?\n"
            f"A: Each quote line whose product belongs to {cats} can carry a Discount of no more than {limit}% "
            f"off the price book price. The ceiling applies line by line, not to the quote total. A quote with "
            f"any such line above {limit}% does not comply and has to be revised before approval.",
        )
    if rule.kind == "min_qty":
        return (
            f"Quote Policy: Minimum Quantity for {rule.category}",
            f"{rule.category} products are sold in lots: each quote line needs at least {limit} units.",
            f"Q: Can a customer order a handful of {rule.category.lower()} units?\n"
            f"A: No. {rule.category} products ship in calibrated lots, so every quote line for them must be for "
            f"{limit} units or more. Smaller quantities are not approved; combine them into one line of at "
            f"least {limit}.",
        )
    if rule.kind == "max_qty":
        return (
            f"Quote Policy: Quantity Cap for {rule.category}",
            f"No quote line may ask for more than {limit} units of a {rule.category} product.",
            f"Q: Is there a limit on how many {rule.category.lower()} units one quote line can hold?\n"
            f"A: Yes. Supply is allocated, so a single quote line for a {rule.category} product can request at "
            f"most {limit} units. Lines above {limit} units are out of policy.",
        )
    if rule.kind == "requires":
        companions = _either(rule.categories)
        return (
            f"Quote Policy: {rule.category} Bundle Requirement",
            f"Quotes that include {rule.category} products must also include a {companions} product.",
            f"Q: Can {rule.category.lower()} products be quoted without companion products?\n"
            f"A: No. Any quote with a {rule.category} line must also carry at least one line from {companions}, "
            f"which the {rule.category.lower()} products depend on in the field. Quotes without one are not "
            f"approved.",
        )
    if rule.kind == "not_alone":
        return (
            f"Quote Policy: {rule.category} Products Are Add-Ons",
            f"{rule.category} products cannot make up a quote on their own.",
            f"Q: Can a quote contain only {rule.category.lower()} products?\n"
            f"A: No. {rule.category} products are sold as add-ons, so a quote needs at least one line from "
            f"another category. A quote made only of {rule.category} lines does not comply.",
        )
    return (
        "Quote Policy: Price Book Prices Only",
        "Quote line unit prices must equal the price book entry; price cuts go in the Discount field.",
        "Q: Can a rep type a lower unit price on a quote line?\n"
        "A: No. The Unit Price of every quote line must match its price book entry exactly. Any reduction "
        "is entered as a Discount, where the discount ceilings apply. A line with an edited unit price does "
        "not comply.",
    )


GUIDES = (
    (
        "Lead Qualification Guide: Budget, Authority, Need, Timeline",
        "A lead is qualified only when its most recent conversation confirms budget, authority, need and timeline.",
        "Q: How do we decide whether a lead is qualified?\n"
        "A: Read the latest call with the lead. Budget fails when no money is set aside. Authority fails when "
        "the contact is not the decision maker. Need fails when they do not need a solution now. Timeline "
        "fails when there is no timeframe for a decision. A lead with none of these failures is qualified; "
        "otherwise report every factor that fails.",
    ),
    (
        "Opportunity Stages and Typical Activities",
        "Which activities belong to each opportunity stage, so tasks and stage stay in step.",
        "Q: Which tasks belong to which stage?\nA: "
        + " ".join(f"{stage}: {', '.join(s.lower() for s in TASK_SUBJECTS[stage])}." for stage in STAGES),
    ),
)


def write_articles(g: OrgGenerator, rules: tuple[Rule, ...]) -> tuple[dict[str, Record], list[Record]]:
    """Knowledge articles for each rule (by rule key) and the sales guides."""
    created = g.start - timedelta(days=15)
    by_rule: dict[str, Record] = {}
    guides: list[Record] = []
    texts = [(rule.key, *article_text(rule)) for rule in rules] + [("", *guide) for guide in GUIDES]
    for key, title, summary, answer in texts:
        record = g.add(
            "Knowledge__kav",
            created,
            {
                "Title": title,
                "Summary": summary,
                "FAQ_Answer__c": answer,
                "UrlName": slug(title).replace(" ", "-").replace("--", "-"),
                "PublishStatus": "Online",
            },
        )
        if key:
            by_rule[key] = record
        else:
            guides.append(record)
    return by_rule, guides


# -- reading and writing lines under the rules ----------------------------------------------------


def violations(rules: tuple[Rule, ...], lines: list[Line]) -> list[str]:
    """Keys of the rules ``lines`` break, in rule order."""
    out = []
    cats = {line.category for line in lines}
    for rule in rules:
        if rule.kind == "cap":
            bad = any(line.category in rule.categories and line.discount > rule.limit for line in lines)
        elif rule.kind == "min_qty":
            bad = any(line.category == rule.category and line.quantity < rule.limit for line in lines)
        elif rule.kind == "max_qty":
            bad = any(line.category == rule.category and line.quantity > rule.limit for line in lines)
        elif rule.kind == "requires":
            bad = rule.category in cats and not cats & set(rule.categories)
        elif rule.kind == "not_alone":
            bad = bool(lines) and cats == {rule.category}
        else:
            bad = any(line.price_override is not None and line.price_override != line.list_price for line in lines)
        if bad:
            out.append(rule.key)
    return out


class LineMaker:
    """Quote and order lines for this org's catalog that follow (or break, on purpose) the rules."""

    def __init__(self, g: OrgGenerator, rules: tuple[Rule, ...]) -> None:
        self.g = g
        self.rules = rules
        self.products = g.catalog.products
        self.by_category: dict[str, list[Record]] = {}
        for product in self.products:
            self.by_category.setdefault(g.catalog.category_of[product["Id"]], []).append(product)
        self.cap = {cat: rule.limit for rule in rules if rule.kind == "cap" for cat in rule.categories}
        self.min_qty = {rule.category: int(rule.limit) for rule in rules if rule.kind == "min_qty"}
        self.max_qty = {rule.category: int(rule.limit) for rule in rules if rule.kind == "max_qty"}
        self.discounts = (0, 0, 0, 5, 10, 10, 15, 20, 25) if g.org == "b2b" else (0, 0, 0, 0, 5, 10, 15, 20)
        constrained = {r.category for r in rules if r.kind in ("requires", "not_alone", "min_qty", "max_qty")}
        self.plain = [p for cat, items in self.by_category.items() if cat not in constrained for p in items]

    def category(self, product: Record) -> str:
        return self.g.catalog.category_of[product["Id"]]

    def quantity(self, category: str) -> int:
        rng = self.g.rng
        if category in self.min_qty:
            low = self.min_qty[category]
            return rng.randint(low, low * 5)
        if self.g.org == "b2b":
            qty = rng.randint(1, 20)
        else:
            qty = rng.choice((1, 1, 1, 1, 1, 1, 2, 2, 3))
        return min(qty, self.max_qty.get(category, qty))

    def line(
        self, product: Record, book: Record, *, quantity: int | None = None, discount: float | None = None
    ) -> Line:
        category = self.category(product)
        if discount is None:
            cap = self.cap.get(category, 100)
            discount = float(self.g.pick([d for d in self.discounts if d <= cap]))
        return Line(
            product=product,
            category=category,
            entry=self.g.catalog.entries[(book["Id"], product["Id"])],
            quantity=self.quantity(category) if quantity is None else quantity,
            discount=discount,
        )

    def sample(self, n: int, pool: list[Record] | None = None) -> list[Record]:
        pool = self.products if pool is None else pool
        if not pool or n <= 0:
            return []
        if n <= len(pool):
            return self.g.rng.sample(pool, n)
        return [self.g.pick(pool) for _ in range(n)]

    def compliant(self, n: int, book: Record) -> list[Line]:
        for _ in range(25):
            lines = [self.line(p, book) for p in self.sample(n)]
            if not violations(self.rules, lines):
                return lines
        if not self.plain:
            raise ValueError("no product can be quoted within the policies")
        return [self.line(p, book) for p in self.sample(n, self.plain)]

    def violating(self, rule: Rule, n: int, book: Record) -> list[Line] | None:
        """Lines that break ``rule`` and no other rule, or None when the catalog cannot."""
        rng = self.g.rng
        own = self.by_category.get(rule.category, [])
        if rule.kind == "cap":
            own = [p for cat in rule.categories for p in self.by_category.get(cat, [])]
        if rule.kind != "list_price" and not own:
            return None
        if rule.kind == "min_qty" and rule.limit <= 1:
            return None
        for _ in range(40):
            lines = self.compliant(n, book)
            first = self.g.pick(own) if own else lines[0].product
            if rule.kind == "cap":
                lines[0] = self.line(first, book, discount=rule.limit + rng.choice((5, 10, 15)))
            elif rule.kind == "min_qty":
                lines[0] = self.line(first, book, quantity=rng.randint(1, int(rule.limit) - 1))
            elif rule.kind == "max_qty":
                lines[0] = self.line(first, book, quantity=int(rule.limit) + rng.randint(2, 10))
            elif rule.kind == "requires":
                others = [p for p in self.products if self.category(p) not in rule.categories]
                lines = [self.line(first, book)] + [self.line(p, book) for p in self.sample(n - 1, others)]
            elif rule.kind == "not_alone":
                lines = [self.line(p, book) for p in self.sample(max(1, min(n, 2)), own)]
            else:
                lines[0].discount = 0.0
                lines[0].price_override = round(lines[0].list_price * (1 - rng.randint(8, 20) / 100), 2)
            if violations(self.rules, lines) == [rule.key]:
                return lines
        return None
