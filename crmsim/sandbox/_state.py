"""The state one sandbox app holds: its store, sessions, limits, cursors and caches."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

from ._auth import Authenticator, UserInfo
from ._config import SandboxConfig
from ._limits import ApiLimits
from ._pagination import QueryCursors
from ._records import RecordWriter
from ._routing import Call, Reply, not_found
from .ids import make_id
from .soql import SoqlEngine
from .store import Store

ORG_ID = make_id("00D", 1)
"""The organization Id every sandbox reports (one org per database)."""


class Sandbox:
    """Everything a request handler needs; one per app, reachable as ``app[SANDBOX]``.

    Tests reach in to steer it, e.g. ``sandbox.limits.fail_next_requests = 2`` or
    ``sandbox.auth.expire_all()``.
    """

    def __init__(self, store: Store, config: SandboxConfig) -> None:
        self.store = store
        self.schema = store.schema
        self.config = config
        self.org_id = ORG_ID
        self.auth = Authenticator(config.credentials, config.token_ttl, org_id=ORG_ID,
                                  max_sessions=config.max_sessions)
        self.limits = ApiLimits(config.daily_api_requests, per_token_max=config.per_token_daily_limit,
                                fail_next_requests=config.fail_next_requests)
        self.cursors = QueryCursors(config.cursor_cache_size, config.cursor_ttl)
        self.records = RecordWriter(store)
        self.describe_cache: dict[tuple[str, str], Any] = {}
        self._engine: SoqlEngine | None = None
        self._user: UserInfo | None = None
        self.subrequest: Callable[[Call], Awaitable[Reply]] = _no_subrequests
        """Runs one composite subrequest; the app sets it to its own dispatcher."""

    @property
    def engine(self) -> SoqlEngine:
        """The SOQL engine of this store (made on first use)."""
        if self._engine is None:
            self._engine = SoqlEngine(self.store)
        return self._engine

    async def run_as_user(self) -> UserInfo:
        """The User a login acts as: the one whose Username is the configured login name.

        Falls back to the first active User when the database has no such user, so that records
        created through the API always carry a real CreatedById.
        """
        if self._user is None:
            username = self.config.credentials.username
            self._user = await self.store.read(lambda conn: _find_user(conn, username))
        return self._user


async def _no_subrequests(call: Call) -> Reply:
    raise not_found()


def _find_user(conn: sqlite3.Connection, username: str) -> UserInfo:
    columns = "Id, Username, Name, FirstName, LastName, Email"
    row = conn.execute(f'SELECT {columns} FROM "User" WHERE Username = ? AND IsDeleted = 0 '
                       "ORDER BY Id LIMIT 1", (username,)).fetchone()
    if row is None:
        row = conn.execute(f'SELECT {columns} FROM "User" WHERE IsDeleted = 0 '
                           "ORDER BY IsActive DESC, Id LIMIT 1").fetchone()
    if row is None:
        return UserInfo(user_id=make_id("005", 1), username=username, name="Sandbox Admin",
                        first_name="Sandbox", last_name="Admin", email=username)
    user_id, _login, name, first, last, email = row
    return UserInfo(user_id=user_id, username=username, name=name or username,
                    first_name=first, last_name=last, email=email)
