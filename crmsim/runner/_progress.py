"""The live progress line: done/total, conversations per second, mean reward so far (rich)."""

from __future__ import annotations

import sys
import time
from types import TracebackType

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from ._results import ConversationResult


class RunProgress:
    def __init__(self, total: int, *, enabled: bool = True) -> None:
        self.total = total
        self.done = 0
        self.reward = 0.0
        self.started = time.monotonic()
        console = Console(stderr=True)
        self._progress = Progress(TextColumn("[bold]run"), BarColumn(), MofNCompleteColumn(),
                                  TextColumn("{task.fields[rate]}"), TextColumn("{task.fields[mean]}"),
                                  TextColumn("{task.fields[extra]}"),
                                  TimeElapsedColumn(), console=console,
                                  disable=not enabled or not sys.stderr.isatty())
        self._task = self._progress.add_task("run", total=total, rate="", mean="", extra="")

    def __enter__(self) -> RunProgress:
        self._progress.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self._progress.stop()

    def refresh(self, *, retries: int = 0, spent: float = 0.0) -> None:
        """Show model retries and money spent (updated even while no conversation finishes)."""
        parts = [f"{retries} retries" if retries else "", f"${spent:.4f}" if spent else ""]
        self._progress.update(self._task, extra=" ".join(p for p in parts if p))

    def add(self, result: ConversationResult) -> None:
        self.done += 1
        self.reward += result.reward
        elapsed = max(time.monotonic() - self.started, 1e-9)
        self._progress.update(self._task, advance=1, rate=f"{self.done / elapsed:.1f} conv/s",
                              mean=f"reward {self.reward / self.done:.2f}")
