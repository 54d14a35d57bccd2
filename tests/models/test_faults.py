"""Latency and fault plans of the built-in model server: parsing, validation, seeded draws."""

from __future__ import annotations

import math
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmsim.models import FaultPlan, LatencyPlan
from crmsim.models._faults import FAULT_KINDS, parse_fault_kinds

# -- latency -------------------------------------------------------------------------------------

millis = st.one_of(st.integers(0, 100_000).map(float), st.floats(0, 100_000, allow_nan=False, allow_infinity=False))


def _text(value: float) -> str:
    return repr(value) if value != int(value) else str(int(value))


@st.composite
def latency_texts(draw: st.DrawFn) -> tuple[str, str, tuple[float, ...]]:
    kind = draw(st.sampled_from(["fixed", "uniform", "normal", "exp"]))
    if kind == "fixed":
        value = draw(millis)
        return _text(value), kind, (value,)
    if kind == "uniform":
        low, high = sorted((draw(millis), draw(millis)))
        name = draw(st.sampled_from(["uniform", "UNIFORM", " uniform"]))
        return f"{name}:{_text(low)}-{_text(high)}", kind, (low, high)
    if kind == "normal":
        mean, sd = draw(millis), draw(millis)
        return f"normal:{_text(mean)},{_text(sd)}", kind, (mean, sd)
    mean = draw(millis.filter(lambda v: v > 0))
    return f"exp:{_text(mean)}", kind, (mean,)


@given(latency_texts(), st.integers(0, 2**32))
def test_valid_latency_texts_parse_print_back_and_sample_in_range(case: tuple[str, str, tuple[float, ...]],
                                                                  seed: int) -> None:
    text, kind, params = case
    plan = LatencyPlan.parse(text, seed=seed)
    assert (plan.distribution, plan.params, plan.seed) == (kind, params, seed)
    assert LatencyPlan.parse(str(plan), seed=seed) == plan
    sample = plan.sampler()
    for _ in range(20):
        delay = sample()
        assert math.isfinite(delay) and delay >= 0
        if kind == "fixed":
            assert delay == params[0] / 1000
        if kind == "uniform":
            assert params[0] / 1000 <= delay <= params[1] / 1000


@given(st.text(max_size=30))
def test_any_text_parses_or_raises_value_error(text: str) -> None:
    try:
        plan = LatencyPlan.parse(text)
    except ValueError as exc:
        assert "latency" in str(exc)
    else:
        assert plan.sampler()() >= 0


@pytest.mark.parametrize(("text", "named"), [
    ("", "''"),
    ("fast", "'fast'"),
    ("-5", "'-5'"),
    ("nan", "'nan'"),
    ("inf", "'inf'"),
    ("gauss:100", "unknown distribution 'gauss'"),
    ("uniform:100", "uniform:LO-HI"),
    ("uniform:100-x", "'x'"),
    ("uniform:300-100", "LO 300 is above HI 100"),
    ("uniform:-5-10", "'-5'"),
    ("uniform:1-2-3", "uniform:LO-HI"),
    ("normal:100", "normal:MEAN,SD"),
    ("normal:100,-1", "'-1'"),
    ("exp:0", "the mean must be above 0"),
    ("exp:1,2", "'1,2'"),
])
def test_invalid_latency_names_the_bad_part(text: str, named: str) -> None:
    with pytest.raises(ValueError, match="invalid latency") as caught:
        LatencyPlan.parse(text)
    assert named in str(caught.value)


def test_latency_is_seeded() -> None:
    def draws(seed: int) -> list[float]:
        sample = LatencyPlan.parse("exp:200", seed=seed).sampler()
        return [sample() for _ in range(10)]

    assert draws(1) == draws(1)
    assert draws(1) != draws(2)


def test_normal_latency_is_clamped_at_zero() -> None:
    sample = LatencyPlan.parse("normal:0,100").sampler()
    delays = [sample() for _ in range(200)]
    assert min(delays) == 0 and max(delays) > 0


def test_distribution_means_are_about_right() -> None:
    for text, mean in (("uniform:100-300", 0.2), ("normal:200,50", 0.2), ("exp:200", 0.2), ("200", 0.2)):
        sample = LatencyPlan.parse(text, seed=3).sampler()
        observed = sum(sample() for _ in range(4000)) / 4000
        assert observed == pytest.approx(mean, rel=0.06), text


def test_latency_plan_built_directly_is_validated() -> None:
    assert LatencyPlan().is_zero and str(LatencyPlan()) == "0"
    with pytest.raises(ValueError, match="LO is above HI"):
        LatencyPlan("uniform", (3.0, 1.0))
    with pytest.raises(ValueError, match="uniform:LO-HI"):
        LatencyPlan("uniform", (3.0,))
    with pytest.raises(ValueError, match="unknown latency distribution"):
        LatencyPlan("pareto", (1.0,))  # type: ignore[arg-type]


# -- faults --------------------------------------------------------------------------------------


def test_fault_kinds_parse() -> None:
    assert parse_fault_kinds("all") == FAULT_KINDS
    assert parse_fault_kinds(" reset, rate_limit ,reset") == ("reset", "rate_limit")
    with pytest.raises(ValueError, match="unknown fault kind 'boom'; choose from all, rate_limit"):
        parse_fault_kinds("reset,boom")
    with pytest.raises(ValueError, match="no fault kind given"):
        parse_fault_kinds(" , ")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"rate": -0.1}, "invalid fault rate -0.1"),
    ({"rate": 1.5}, "invalid fault rate 1.5"),
    ({"rate": math.nan}, "invalid fault rate nan"),
    ({"kinds": ("rate_limit", "crash")}, "unknown fault kind 'crash'"),
    ({"kinds": ()}, "no fault kind given"),
    ({"retry_after": -1.0}, "invalid retry-after -1.0"),
    ({"timeout_delay": 0.0}, "invalid timeout delay 0.0"),
])
def test_fault_plan_is_validated(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        FaultPlan(**kwargs)  # type: ignore[arg-type]


def test_default_plan_never_faults_and_rate_one_always_does() -> None:
    never, always = FaultPlan().chooser(), FaultPlan(1.0, ("reset",)).chooser()
    assert FaultPlan().kinds == FAULT_KINDS
    assert {never() for _ in range(500)} == {None}
    assert {always() for _ in range(500)} == {"reset"}


@given(st.floats(0.05, 0.95), st.integers(0, 2**32))
def test_fault_rate_statistics_match_the_plan(rate: float, seed: int) -> None:
    draws = 3000
    choose = FaultPlan(rate, ("server_error", "reset", "timeout"), seed=seed).chooser()
    kinds = Counter(choose() for _ in range(draws))
    faults = draws - kinds.pop(None, 0)
    sigma = math.sqrt(draws * rate * (1 - rate))
    assert abs(faults - draws * rate) < 5 * sigma
    assert set(kinds) <= {"server_error", "reset", "timeout"}
    for count in kinds.values():  # uniform over the kinds
        assert abs(count - faults / 3) < 5 * math.sqrt(faults * (1 / 3) * (2 / 3)) + 1


def test_fault_draws_are_seeded() -> None:
    def draws(seed: int) -> list[str | None]:
        choose = FaultPlan(0.5, seed=seed).chooser()
        return [choose() for _ in range(50)]

    assert draws(4) == draws(4)
    assert draws(4) != draws(5)
    assert "50% of requests fail" in str(FaultPlan(0.5)) and str(FaultPlan()) == "no faults"
