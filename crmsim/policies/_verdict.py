"""Verdicts: what a rule found about one agent action, the decision they add up to, and redaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from ._model import Action, Severity

Decision = Literal["allow", "redact", "block", "refuse"]
RuleKind = Literal["object_field", "pattern", "topic", "llm"]
REDACTED = "[redacted]"
_STRENGTH: dict[str, int] = {"flag": 0, "redact": 1, "block": 2, "refuse": 3}
_DECISIONS: tuple[Decision, ...] = ("allow", "redact", "block", "refuse")


@dataclass(frozen=True, slots=True)
class Verdict:
    """One rule's finding about one tool call or message."""

    policy: str
    rule: str
    kind: RuleKind
    action: Action
    severity: Severity
    detail: str  # a sentence a person can read
    spans: tuple[tuple[int, int], ...] = ()  # (start, end) offsets in the message; empty for tool calls
    needs_llm: bool = False  # an llm rule: a model must decide whether it matches

    @property
    def key(self) -> str:
        """``policy/rule``, unique across the loaded policies."""
        return f"{self.policy}/{self.rule}"


def decision(verdicts: Iterable[Verdict]) -> Decision:
    """The strongest action among ``verdicts``: refuse > block > redact > allow (flag allows).

    Verdicts that still need a model check are not counted.
    """
    strongest = max((_STRENGTH[v.action] for v in verdicts if not v.needs_llm), default=0)
    return _DECISIONS[strongest]


def redact(text: str, verdicts: Iterable[Verdict]) -> str:
    """``text`` with every span of the redact-action verdicts replaced by ``[redacted]``.

    Overlapping and touching spans become one ``[redacted]``.
    """
    spans = merge_spans(span for v in verdicts if v.action == "redact" and not v.needs_llm for span in v.spans)
    out: list[str] = []
    cursor = 0
    for start, end in spans:
        start, end = max(start, cursor), min(end, len(text))
        if end <= start:
            continue
        out.append(text[cursor:start])
        out.append(REDACTED)
        cursor = end
    out.append(text[cursor:])
    return "".join(out)


def merge_spans(spans: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """``spans`` sorted, with overlapping and touching ones joined."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)
