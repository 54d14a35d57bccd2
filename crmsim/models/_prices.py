"""What tokens cost: US dollars per million prompt and completion tokens, per model.

The defaults are list prices OpenAI published for its common chat models; a models config file
(``prices:``) adds or overrides entries. Built-in models cost nothing. A model with no price counts
as free and is logged once, so a missing entry is visible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import structlog

log = structlog.get_logger("crmsim.models")


@dataclass(frozen=True)
class Price:
    input_per_million: float
    output_per_million: float

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input_per_million + completion_tokens * self.output_per_million) / 1e6


DEFAULT_PRICES: dict[str, Price] = {
    "gpt-4o": Price(2.50, 10.00),
    "gpt-4o-mini": Price(0.15, 0.60),
    "gpt-4.1": Price(2.00, 8.00),
    "gpt-4.1-mini": Price(0.40, 1.60),
    "gpt-4.1-nano": Price(0.10, 0.40),
    "o3-mini": Price(1.10, 4.40),
    "o4-mini": Price(1.10, 4.40),
}
FREE = Price(0.0, 0.0)


class PriceTable:
    def __init__(self, extra: Mapping[str, Price] | None = None) -> None:
        self.prices = {**DEFAULT_PRICES, **(extra or {})}
        self._warned: set[str] = set()

    def price(self, model: str) -> Price:
        if model in self.prices:
            return self.prices[model]
        if model.startswith("crmsim-"):
            return FREE
        # Dated snapshots ("gpt-4o-2024-08-06") cost what their family costs.
        family = max((name for name in self.prices if model.startswith(name + "-")), key=len, default=None)
        if family is not None:
            return self.prices[family]
        if model not in self._warned:
            self._warned.add(model)
            log.warning("no_price", model=model, note="cost counted as 0; add it under prices: in --models-config")
        return FREE
