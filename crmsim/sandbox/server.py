"""Running the sandbox: open an org database, serve it on a socket, stop cleanly.

``serve_sandbox`` is what tests and benchmarks use::

    async with serve_sandbox(store) as url:          # http://127.0.0.1:<free port>
        ...
"""

from __future__ import annotations

import sqlite3
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from pathlib import Path

from aiohttp import web

from crmsim.errors import ConfigError, SchemaError

from ._config import SandboxConfig
from ._tls import ensure_certificate, server_context
from .app import create_app
from .schema import org_schema
from .store import META_TABLE, Store


def read_org(path: str | Path) -> str:
    """The org (``b2b`` or ``b2c``) an org database was written for; ConfigError if not one."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"no org database at {path}")
    try:
        with closing(sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)) as conn:
            row = conn.execute(f"SELECT value FROM {META_TABLE} WHERE key = 'org'").fetchone()
    except sqlite3.Error as exc:
        raise ConfigError(f"{path} is not a crmsim org database ({exc})") from None
    if row is None:
        raise ConfigError(f"{path} is not a crmsim org database (no org recorded)")
    return str(row[0])


def open_store(path: str | Path, org: str | None = None) -> Store:
    """Open an existing org database; ConfigError if it is missing, foreign, or another org's."""
    recorded = read_org(path)
    if org is not None and recorded != org:
        raise ConfigError(f"{path} holds the {recorded} org, not {org}")
    try:
        schema = org_schema(recorded)
    except SchemaError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    try:
        return Store.open(path, schema)
    except sqlite3.Error as exc:
        raise ConfigError(f"cannot open {path}: {exc}") from None


def tls_context(directory: Path | None = None, host: str = "127.0.0.1") -> tuple[ssl.SSLContext, Path]:
    """A server TLS context with the local self-signed certificate, and that certificate's path."""
    cert, key = ensure_certificate(directory, (host,))
    return server_context(cert, key), cert


def _url(scheme: str, host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}:{port}"


@asynccontextmanager
async def serve_sandbox(source: Store | web.Application | str | Path, *,
                        config: SandboxConfig | None = None, host: str = "127.0.0.1",
                        port: int = 0, ssl_context: ssl.SSLContext | None = None
                        ) -> AsyncIterator[str]:
    """Serve an org until the block exits; yields the instance URL (``http(s)://host:port``).

    ``source`` is a :class:`Store` (left open for the caller), an app from
    :func:`~crmsim.sandbox.app.create_app`, or the path of an org database (opened and closed
    here). Port 0 picks a free port.
    """
    owned: Store | None = None
    if isinstance(source, web.Application):
        app = source
    else:
        store = source if isinstance(source, Store) else open_store(source)
        owned = None if isinstance(source, Store) else store
        app = create_app(store, config)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    try:
        await runner.setup()
        site = web.TCPSite(runner, host, port, ssl_context=ssl_context)
        await site.start()
        bound = runner.addresses[0][1] if runner.addresses else port
        yield _url("https" if ssl_context else "http", host, int(bound))
    finally:
        await runner.cleanup()
        if owned is not None:
            owned.close()
