"""The state every generator stage shares: rows so far, random sources, the cast and the catalog.

Stages are plain functions ``build_x(g: OrgGenerator)`` run in order by :mod:`crmsim.data.generate`:
people -> catalog -> sales -> service. Each reads what earlier stages left on ``g`` and adds rows
with ``g.add``; each planted signal is recorded with ``g.plant``.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar

from faker import Faker

from crmsim.sandbox.schema import OrgSchema

from ._latent import Latent
from ._records import Record, RecordBuilder
from ._volumes import target

# Pools drawn once per org from Faker, then sampled with the generator's own Random: fast, and
# the data depends only on the seed.
_POOL_SIZE = 600

T = TypeVar("T")


@dataclass
class Cast:
    """Who works in the org."""

    admin: Record | None = None
    agents: list[Record] = field(default_factory=list)  # service agents (own cases)
    reps: list[Record] = field(default_factory=list)  # sales reps (own leads, deals, orders)
    managers: list[Record] = field(default_factory=list)
    territories: list[Record] = field(default_factory=list)
    territory_reps: dict[str, list[Record]] = field(default_factory=dict)  # Territory2 Id -> reps
    state_territory: dict[str, Record] = field(default_factory=dict)  # state code -> Territory2


@dataclass
class Catalog:
    products: list[Record] = field(default_factory=list)
    standard_pricebook: Record | None = None
    pricebooks: list[Record] = field(default_factory=list)
    entries: dict[tuple[str, str], Record] = field(default_factory=dict)  # (pricebook, product) -> entry
    families: dict[str, list[Record]] = field(default_factory=dict)  # look-alike product groups
    category_of: dict[str, str] = field(default_factory=dict)  # Product2 Id -> category name

    def list_price(self, product_id: str) -> float:
        assert self.standard_pricebook is not None
        return float(self.entries[(self.standard_pricebook["Id"], product_id)]["UnitPrice"])


class OrgGenerator(RecordBuilder):
    def __init__(self, schema: OrgSchema, *, seed: int, scale: float, today: date) -> None:
        super().__init__(schema, random.Random(f"{schema.org}:{seed}"), today)
        self.seed = seed
        self.scale = scale
        self.latents: list[Latent] = []
        self.cast = Cast()
        self.catalog = Catalog()
        self.accounts: list[Record] = []
        self.contacts_by_account: dict[str, list[Record]] = {}
        self.orders: list[Record] = []  # set by the sales stage; cases are about their lines
        self.order_items: list[Record] = []
        faker = Faker("en_US")
        faker.seed_instance(f"{schema.org}:{seed}")
        self.first_names = sorted({faker.first_name() for _ in range(_POOL_SIZE)})
        self.last_names = sorted({faker.last_name() for _ in range(_POOL_SIZE)})
        self.companies = sorted({faker.company() for _ in range(_POOL_SIZE * 2)})
        self.streets = [faker.street_address() for _ in range(_POOL_SIZE // 2)]
        self.cities = [faker.city() for _ in range(_POOL_SIZE // 2)]

    # -- sizes and picks ----------------------------------------------------------------------

    def count(self, obj: str) -> int:
        """Target number of ``obj`` records at this generator's scale."""
        return target(self.org, obj, self.scale)

    def pick(self, items: Sequence[T]) -> T:
        return items[self.rng.randrange(len(items))]

    def person_name(self) -> tuple[str, str]:
        return self.pick(self.first_names), self.pick(self.last_names)

    def phone(self) -> str:
        return f"({self.rng.randrange(201, 990)}) 555-{self.rng.randrange(100, 10000):04d}"

    def days_ago(self, lo: float, hi: float) -> datetime:
        """A random moment between ``hi`` and ``lo`` days before now (lo < hi)."""
        return self.between(self.now - timedelta(days=hi), self.now - timedelta(days=lo))

    def month_start(self, months_back: int) -> date:
        """The first day of the month ``months_back`` months before today's month."""
        index = self.today.year * 12 + self.today.month - 1 - months_back
        return date(index // 12, index % 12 + 1, 1)

    # -- latent variables ---------------------------------------------------------------------

    def plant(self, latent: Latent) -> None:
        if any(existing.name == latent.name for existing in self.latents):
            raise ValueError(f"latent {latent.name} planted twice")
        self.latents.append(latent)
