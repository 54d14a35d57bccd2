"""What the built-in model server does besides answering: latency and faults, as small value objects.

``LatencyPlan.parse`` reads the ``--latency`` text, in milliseconds: a fixed ``"200"``, or
``"uniform:LO-HI"``, ``"normal:MEAN,SD"`` (clamped at 0) or ``"exp:MEAN"``. ``FaultPlan`` says how
often a chat-completion request fails (``rate``, 0..1) and how (``kinds``, drawn uniformly). Both
are seeded, so a run with the same seed and the same order of requests sees the same delays and
faults. Bad values raise ``ValueError`` naming the bad part; the CLI turns them into one line.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal, cast, get_args

Distribution = Literal["fixed", "uniform", "normal", "exp"]
FaultKind = Literal["rate_limit", "server_error", "unavailable", "reset", "timeout", "malformed_json",
                    "bad_tool_args"]
FAULT_KINDS: tuple[FaultKind, ...] = get_args(FaultKind)
_ARITY: dict[Distribution, tuple[int, str]] = {
    "fixed": (1, "MS"), "uniform": (2, "uniform:LO-HI"), "normal": (2, "normal:MEAN,SD"), "exp": (1, "exp:MEAN")}
_FORMS = "a number of milliseconds, uniform:LO-HI, normal:MEAN,SD or exp:MEAN"


def _milliseconds(part: str, whole: str) -> float:
    try:
        value = float(part)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise ValueError(f"invalid latency {whole!r}: {part.strip()!r} is not a number of milliseconds, 0 or more")
    return value


def _split_range(text: str) -> list[str]:
    """``LO-HI`` split at its dash (not the minus of an exponent such as ``1e-3``)."""
    dashes = [i for i, char in enumerate(text) if char == "-" and text[:i].strip()[-1:] not in ("e", "E", "")]
    return [text[: dashes[0]], text[dashes[0] + 1:]] if len(dashes) == 1 else [text]


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(value)


@dataclass(frozen=True, slots=True)
class LatencyPlan:
    """How long the server waits before each chat-completion answer, in milliseconds."""

    distribution: Distribution = "fixed"
    params: tuple[float, ...] = (0.0,)
    """fixed: (ms,); uniform: (low, high); normal: (mean, sd); exp: (mean,)."""
    seed: int = 0

    def __post_init__(self) -> None:
        if self.distribution not in _ARITY:
            raise ValueError(f"unknown latency distribution {self.distribution!r}; use {_FORMS}")
        arity, form = _ARITY[self.distribution]
        if len(self.params) != arity or not all(math.isfinite(p) and p >= 0 for p in self.params):
            raise ValueError(f"invalid latency {self.params!r} for {form}: use {arity} number(s) of ms, 0 or more")
        if self.distribution == "uniform" and self.params[0] > self.params[1]:
            raise ValueError(f"invalid latency {self}: LO is above HI")
        if self.distribution == "exp" and self.params[0] <= 0:
            raise ValueError(f"invalid latency {self}: the mean must be above 0")

    @classmethod
    def parse(cls, text: str, *, seed: int = 0) -> LatencyPlan:
        """``"200"``, ``"uniform:100-300"``, ``"normal:200,50"`` or ``"exp:200"`` (all in ms)."""
        name, colon, rest = text.strip().partition(":")
        if not colon:
            return cls("fixed", (_milliseconds(text, text),), seed)
        distribution = name.strip().lower()
        if distribution not in ("uniform", "normal", "exp"):
            raise ValueError(f"invalid latency {text!r}: unknown distribution {name.strip()!r}; use {_FORMS}")
        parts = (_split_range(rest) if distribution == "uniform" else rest.split(",") if distribution == "normal"
                 else [rest])
        arity, form = _ARITY[cast(Distribution, distribution)]
        if len(parts) != arity:
            raise ValueError(f"invalid latency {text!r}: use {form} (milliseconds)")
        params = tuple(_milliseconds(part, text) for part in parts)
        if distribution == "uniform" and params[0] > params[1]:
            raise ValueError(f"invalid latency {text!r}: LO {_number(params[0])} is above HI {_number(params[1])}")
        if distribution == "exp" and params[0] <= 0:
            raise ValueError(f"invalid latency {text!r}: the mean must be above 0 ms")
        return cls(cast(Distribution, distribution), params, seed)

    def __str__(self) -> str:
        shown = [_number(p) for p in self.params]
        if self.distribution == "fixed":
            return shown[0]
        joiner = {"uniform": "-", "normal": ","}.get(self.distribution, "")
        return f"{self.distribution}:{joiner.join(shown)}"

    @property
    def is_zero(self) -> bool:
        return self.distribution == "fixed" and self.params[0] == 0

    def sampler(self) -> Callable[[], float]:
        """A function returning the next delay in seconds, from this plan's own seeded generator."""
        rng = random.Random(f"crmsim-latency:{self.seed}")
        first, second = self.params[0] / 1000, (self.params[1] / 1000 if len(self.params) > 1 else 0.0)
        if self.distribution == "uniform":
            return lambda: rng.uniform(first, second)
        if self.distribution == "normal":
            return lambda: max(0.0, rng.gauss(first, second))
        if self.distribution == "exp":
            return lambda: rng.expovariate(1.0) * first
        return lambda: first


def parse_fault_kinds(text: str | Iterable[str]) -> tuple[FaultKind, ...]:
    """``"rate_limit,reset"`` (or ``"all"``) as fault kinds, in the order given, without repeats."""
    names = [n.strip() for n in (text.split(",") if isinstance(text, str) else text)]
    names = [n for n in names if n]
    if names == ["all"]:
        return FAULT_KINDS
    unknown = [n for n in names if n not in FAULT_KINDS]
    if unknown or not names:
        what = f"unknown fault kind {', '.join(map(repr, unknown))}" if unknown else "no fault kind given"
        raise ValueError(f"{what}; choose from all, {', '.join(FAULT_KINDS)}")
    return tuple(dict.fromkeys(cast(list[FaultKind], names)))


@dataclass(frozen=True, slots=True)
class FaultPlan:
    """Which chat-completion requests fail, and how.

    Each request fails with probability ``rate``, with a kind drawn uniformly from ``kinds``:
    ``rate_limit`` (429, ``Retry-After: retry_after``), ``server_error`` (500), ``unavailable`` (503),
    ``reset`` (connection dropped, no answer), ``timeout`` (held ``timeout_delay`` seconds, then 504),
    ``malformed_json`` (200, a body that is not JSON) and ``bad_tool_args`` (200, a tool call whose
    arguments are not JSON; ``malformed_json`` when the request offered no tools).
    """

    rate: float = 0.0
    kinds: tuple[FaultKind, ...] = FAULT_KINDS
    retry_after: float = 1.0
    timeout_delay: float = 120.0
    seed: int = 0

    def __post_init__(self) -> None:
        if not (isinstance(self.rate, int | float) and 0 <= self.rate <= 1):
            raise ValueError(f"invalid fault rate {self.rate!r}: use a probability from 0 to 1")
        object.__setattr__(self, "kinds", parse_fault_kinds(self.kinds))
        if not (math.isfinite(self.retry_after) and self.retry_after >= 0):
            raise ValueError(f"invalid retry-after {self.retry_after!r}: use seconds, 0 or more")
        if not (math.isfinite(self.timeout_delay) and self.timeout_delay > 0):
            raise ValueError(f"invalid timeout delay {self.timeout_delay!r}: use a positive number of seconds")

    def chooser(self) -> Callable[[], FaultKind | None]:
        """A function drawing the fault of the next request (None: answer normally), seeded."""
        rng = random.Random(f"crmsim-faults:{self.seed}")
        rate, kinds = self.rate, self.kinds

        def choose() -> FaultKind | None:
            if rate <= 0 or rng.random() >= rate:
                return None
            return kinds[0] if len(kinds) == 1 else rng.choice(kinds)

        return choose

    def __str__(self) -> str:
        if self.rate <= 0:
            return "no faults"
        return f"{self.rate:.0%} of requests fail ({', '.join(self.kinds)}), seed {self.seed}"
