"""Query result paging: batches, ``nextRecordsUrl`` locators, and the cursors behind them.

A query's records beyond the first batch stay in a bounded in-memory cache (least recently used
dropped first, idle cursors expire). A locator is an 18-character Id-like key with the ``01g``
prefix; ``nextRecordsUrl`` carries it with the offset of the next batch: ``01g...-2000``.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from crmsim.errors import SalesforceError

from .ids import make_id

DEFAULT_BATCH = 2000
MIN_BATCH = 200
MAX_BATCH = 2000
LOCATOR_PREFIX = "01g"
_BATCH_OPTION = re.compile(r"batchSize\s*=\s*(\d+)", re.IGNORECASE)


def batch_size(headers: Mapping[str, str], default: int = DEFAULT_BATCH) -> int:
    """The batch size asked for by ``Sforce-Query-Options: batchSize=N``, kept in 200..2000."""
    match = _BATCH_OPTION.search(headers.get("Sforce-Query-Options", ""))
    if not match:
        return default
    return min(max(int(match.group(1)[:6]), MIN_BATCH), MAX_BATCH)


def invalid_locator() -> SalesforceError:
    return SalesforceError("invalid query locator", "INVALID_QUERY_LOCATOR", status=400)


@dataclass
class _Cursor:
    records: list[dict[str, Any]]
    total_size: int
    batch: int
    touched: float


class QueryCursors:
    """Open query cursors, bounded in number and lifetime."""

    def __init__(self, max_cursors: int = 256, ttl: float = 900.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._max = max_cursors
        self._ttl = ttl
        self._clock = clock
        self._cursors: OrderedDict[str, _Cursor] = OrderedDict()
        self._serial = 0
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._cursors)

    def first_page(self, records: list[dict[str, Any]], total_size: int, batch: int,
                   resource_url: str) -> dict[str, Any]:
        """The response to a query: the first batch, and a ``nextRecordsUrl`` if more remain.

        ``resource_url`` is the query resource (``/services/data/v62.0/query``) the locator
        hangs off.
        """
        if len(records) <= batch:
            return _page(total_size, records, None)
        with self._lock:
            self._expire()
            self._serial += 1
            locator = make_id(LOCATOR_PREFIX, self._serial)
            self._cursors[locator] = _Cursor(records, total_size, batch, self._clock())
            while len(self._cursors) > self._max:
                self._cursors.popitem(last=False)
        return _page(total_size, records[:batch], f"{resource_url}/{locator}-{batch}")

    def next_page(self, token: str, resource_url: str) -> dict[str, Any]:
        """The batch named by ``<locator>-<offset>``, or INVALID_QUERY_LOCATOR."""
        locator, _, offset_text = token.rpartition("-")
        if not locator or not offset_text.isdigit() or len(offset_text) > 9:
            raise invalid_locator()
        offset = int(offset_text)
        with self._lock:
            self._expire()
            cursor = self._cursors.get(locator)
            if cursor is None or offset >= len(cursor.records) or offset <= 0:
                raise invalid_locator()
            cursor.touched = self._clock()
            self._cursors.move_to_end(locator)
        end = offset + cursor.batch
        batch = cursor.records[offset:end]
        if end >= len(cursor.records):
            return _page(cursor.total_size, batch, None)
        return _page(cursor.total_size, batch, f"{resource_url}/{locator}-{end}")

    def _expire(self) -> None:
        now = self._clock()
        stale = [key for key, cursor in self._cursors.items() if now - cursor.touched > self._ttl]
        for key in stale:
            del self._cursors[key]


def _page(total: int, records: list[dict[str, Any]], next_url: str | None) -> dict[str, Any]:
    page: dict[str, Any] = {"totalSize": total, "done": next_url is None}
    if next_url is not None:
        page["nextRecordsUrl"] = next_url
    page["records"] = records
    return page
