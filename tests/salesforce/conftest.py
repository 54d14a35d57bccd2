"""Fixtures for the Salesforce client tests: a real sandbox on 127.0.0.1:0 and clients pointed at it.

The org is seeded once per session and copied per test, so writes never leak between tests. A
middleware added to each sandbox app records what the server saw (every request, the most
requests in flight at once) and can slow requests down; it observes the server, the client under
test is never replaced.
"""

from __future__ import annotations

import shutil
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import pytest
from aiohttp import web

from crmsim.salesforce import SalesforceClient, SalesforceConfig
from crmsim.sandbox._config import SandboxConfig
from crmsim.sandbox._state import Sandbox
from crmsim.sandbox.app import SANDBOX, create_app
from crmsim.sandbox.seed import seed_org
from crmsim.sandbox.server import open_store, serve_sandbox, tls_context
from crmsim.sandbox.store import Store

TOKEN_PATH = "/services/oauth2/token"
API_PREFIX = "/services/data/"


@dataclass
class Traffic:
    """What the sandbox saw, recorded by a middleware in front of every handler."""

    seen: list[tuple[str, str]] = field(default_factory=list)
    grants: list[str] = field(default_factory=list)
    """The ``grant_type`` of every token request."""
    bearer_tokens: set[str] = field(default_factory=set)
    """Every access token a request presented (to check that none reaches a log)."""
    in_flight: int = 0
    peak: int = 0
    delay: float = 0.0
    """Seconds every API call (not the token endpoint) is held before it is answered."""
    stall_next: int = 0
    stall_seconds: float = 0.0
    """The next ``stall_next`` API calls are held ``stall_seconds`` (to make a client time out)."""
    late_next: int = 0
    late_seconds: float = 0.0
    """The next ``late_next`` API calls run, then their answer is held ``late_seconds`` (work done, reply late)."""
    bad_gateway_next: int = 0
    """The next ``bad_gateway_next`` API calls get an HTML 502 page, as from a proxy in front of the org."""

    @property
    def logins(self) -> int:
        return sum(1 for _, path in self.seen if path == TOKEN_PATH)

    @property
    def api_calls(self) -> int:
        return sum(1 for _, path in self.seen if path.startswith(API_PREFIX))

    def middleware(self) -> Any:
        @web.middleware
        async def record(request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
                         ) -> web.StreamResponse:
            self.seen.append((request.method, request.path))
            scheme, _, token = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() == "bearer" and token:
                self.bearer_tokens.add(token)
            if request.path == TOKEN_PATH:
                form = await request.post()  # aiohttp keeps the body: the handler still reads it
                self.grants.append(str(form.get("grant_type")))
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            try:
                if request.path.startswith(API_PREFIX):
                    if self.bad_gateway_next > 0:
                        self.bad_gateway_next -= 1
                        return web.Response(status=502, text="<html><body>502 Bad Gateway</body></html>",
                                            content_type="text/html")
                    if self.stall_next > 0:
                        self.stall_next -= 1
                        await anyio.sleep(self.stall_seconds)
                    elif self.delay:
                        await anyio.sleep(self.delay)
                response = await handler(request)
                if request.path.startswith(API_PREFIX) and self.late_next > 0:
                    self.late_next -= 1
                    await anyio.sleep(self.late_seconds)
                return response
            finally:
                self.in_flight -= 1

        return record


@pytest.fixture(scope="session")
def seeded_org(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The b2b org seeded once per session (a read-only template: copy before writing)."""
    path = tmp_path_factory.mktemp("sf-org") / "b2b.sqlite"
    seed_org(path, "b2b").close()
    return path


@pytest.fixture
def store(seeded_org: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "b2b.sqlite"
    shutil.copyfile(seeded_org, path)
    opened = open_store(path)
    yield opened
    opened.close()


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    """Override with ``@pytest.mark.parametrize("sandbox_config", [SandboxConfig(...)])``."""
    return SandboxConfig()


@pytest.fixture
def traffic() -> Traffic:
    return Traffic()


@pytest.fixture
def app(store: Store, sandbox_config: SandboxConfig, traffic: Traffic) -> web.Application:
    made = create_app(store, sandbox_config)
    made.middlewares.append(traffic.middleware())
    return made


@pytest.fixture
def sandbox(app: web.Application) -> Sandbox:
    return app[SANDBOX]


@pytest.fixture
async def base_url(app: web.Application) -> AsyncIterator[str]:
    async with serve_sandbox(app) as url:
        yield url


@pytest.fixture
def make_config(base_url: str) -> Callable[..., SalesforceConfig]:
    """``make_config(**overrides)``: settings for the sandbox at ``base_url`` (its default login)."""

    def make(**overrides: Any) -> SalesforceConfig:
        return SalesforceConfig(**{"instance_url": base_url, **overrides})

    return make


@pytest.fixture
async def client(make_config: Callable[..., SalesforceConfig]) -> AsyncIterator[SalesforceClient]:
    async with SalesforceClient(make_config()) as opened:
        yield opened


@pytest.fixture(scope="session")
def tls(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context with a self-signed certificate for 127.0.0.1, and the certificate."""
    return tls_context(tmp_path_factory.mktemp("tls"))


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


@pytest.fixture
def add_accounts(store: Store) -> Callable[..., list[str]]:
    """``add_accounts(count, prefix="Paged")``: insert Accounts named ``{prefix} 0000``...; their Ids."""

    def add(count: int, prefix: str = "Paged") -> list[str]:
        account = store.schema.objects["Account"]
        ids = [store.ids.next("001") for _ in range(count)]
        rows = [{"Id": record_id, "Name": f"{prefix} {i:04d}"} for i, record_id in enumerate(ids)]
        store.insert_rows(account, rows)
        return ids

    return add
