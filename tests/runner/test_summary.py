"""pass^k and the summary table."""

from __future__ import annotations

from math import comb

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crmsim.runner import ConversationResult, TokenUsage, pass_hat_k, summarize, summary_table


def _result(task: str, epoch: int, reward: float, mode: str = "single", task_type: str = "knowledge_qa"
            ) -> ConversationResult:
    return ConversationResult(
        conversation_id=f"{task}:{mode}:default:{epoch}", task_id=task, task_type=task_type, skill="x", org="b2b",
        mode=mode, persona="default", epoch=epoch, termination_reason="agent_answer", answer="a", reward=reward,
        scores=[], steps=1, user_turns=1, usage=TokenUsage(), duration_s=0.1)


def test_pass_hat_k_matches_the_definition() -> None:
    assert pass_hat_k([(4, 2)], 1) == 0.5
    assert pass_hat_k([(4, 2)], 2) == pytest.approx(1 / 6)
    assert pass_hat_k([(4, 4), (4, 0)], 3) == 0.5
    assert pass_hat_k([(1, 1)], 2) is None


@given(st.lists(st.tuples(st.integers(1, 8), st.integers(0, 8)).map(lambda t: (t[0], min(t[0], t[1]))),
                min_size=1, max_size=10))
def test_pass_hat_k_never_grows_with_k(trials: list[tuple[int, int]]) -> None:
    values = [pass_hat_k(trials, k) for k in range(1, 9)]
    present = [v for v in values if v is not None]
    assert all(0.0 <= v <= 1.0 for v in present)
    n_min = min(n for n, _ in trials)
    for k in range(1, n_min):
        assert values[k] <= values[k - 1] + 1e-12  # type: ignore[operator]
    assert values[0] == pytest.approx(sum(c / n for n, c in trials) / len(trials))
    assert comb(3, 2) == 3


def test_summary_groups_and_overall_row() -> None:
    results = [_result("t1", 1, 1.0), _result("t1", 2, 0.0), _result("t2", 1, 1.0), _result("t2", 2, 1.0),
               _result("t3", 1, 0.0, mode="multi")]
    rows = summarize(results, epochs=2)
    by_key = {row.key: row for row in rows}
    single = by_key[("b2b", "x", "knowledge_qa", "single")]
    assert single.conversations == 4 and single.mean_reward == 0.75
    assert single.pass_k == (0.75, 0.5)
    assert by_key[("all",)].conversations == 5
    assert rows[-1].key == ("all",)
    table = summary_table(rows)
    assert [c.header for c in table.columns][-3:] == ["pass^1", "pass^2", "ended by"]
