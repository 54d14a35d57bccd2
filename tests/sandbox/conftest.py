"""Fixtures for sandbox tests: seeded org databases and a sandbox served on 127.0.0.1:0.

Seeding happens once per session; each test that serves a sandbox gets its own copy of the
database, so writes never leak between tests.
"""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from crmsim.sandbox._config import SandboxConfig
from crmsim.sandbox._state import Sandbox
from crmsim.sandbox.app import SANDBOX, create_app
from crmsim.sandbox.seed import seed_org
from crmsim.sandbox.server import open_store, serve_sandbox
from crmsim.sandbox.store import Store

CLIENT = {"client_id": "crmsim", "client_secret": "crmsim"}
LOGIN = {"grant_type": "password", **CLIENT, "username": "admin@crmsim.local", "password": "crmsim"}


@pytest.fixture(scope="session")
def seeded_orgs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Both orgs seeded once per session (read-only templates: copy before writing)."""
    directory = tmp_path_factory.mktemp("orgs")
    paths = {}
    for org in ("b2b", "b2c"):
        paths[org] = directory / f"{org}.sqlite"
        seed_org(paths[org], org).close()
    return paths


@pytest.fixture
def org() -> str:
    return "b2b"


@pytest.fixture
def db_path(seeded_orgs: dict[str, Path], org: str, tmp_path: Path) -> Path:
    """A private copy of the seeded org database."""
    path = tmp_path / f"{org}.sqlite"
    shutil.copyfile(seeded_orgs[org], path)
    return path


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened = open_store(db_path)
    yield opened
    opened.close()


@pytest.fixture
def sandbox_config() -> SandboxConfig:
    """Override in a module (or parametrize indirectly) to serve with other settings."""
    return SandboxConfig()


@pytest.fixture
def app(store: Store, sandbox_config: SandboxConfig) -> web.Application:
    return create_app(store, sandbox_config)


@pytest.fixture
def sandbox(app: web.Application) -> Sandbox:
    return app[SANDBOX]


@pytest.fixture
async def base_url(app: web.Application) -> AsyncIterator[str]:
    async with serve_sandbox(app) as url:
        yield url


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@dataclass
class Result:
    status: int
    body: Any
    headers: Any

    @property
    def error_code(self) -> str | None:
        if isinstance(self.body, list) and self.body and isinstance(self.body[0], dict):
            return self.body[0].get("errorCode")
        return None


@dataclass
class Api:
    """A logged-in client: ``await api.get("sobjects/Account")`` -> :class:`Result`."""

    http: aiohttp.ClientSession
    url: str
    token: str
    version: str = "62.0"
    extra_headers: dict[str, str] = field(default_factory=dict)

    def full(self, path: str) -> str:
        if path.startswith("http"):
            return path
        if path.startswith("/"):
            return self.url + path
        return f"{self.url}/services/data/v{self.version}/{path}"

    async def request(
        self, method: str, path: str, *, auth: bool = True, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> Result:
        sent = dict(self.extra_headers)
        if auth:
            sent["Authorization"] = f"Bearer {self.token}"
        sent.update(headers or {})
        async with self.http.request(method, self.full(path), headers=sent, **kwargs) as response:
            text = await response.text()
            body = await response.json(content_type=None) if text else None
            return Result(response.status, body, response.headers)

    async def get(self, path: str, **kwargs: Any) -> Result:
        return await self.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> Result:
        return await self.request("POST", path, **kwargs)

    async def patch(self, path: str, **kwargs: Any) -> Result:
        return await self.request("PATCH", path, **kwargs)

    async def delete(self, path: str, **kwargs: Any) -> Result:
        return await self.request("DELETE", path, **kwargs)


async def _login(http: aiohttp.ClientSession, url: str, **form: str) -> str:
    async with http.post(f"{url}/services/oauth2/token", data={**LOGIN, **form}) as response:
        body = await response.json()
        assert response.status == 200, body
        token: str = body["access_token"]
        return token


@pytest.fixture
async def api(http: aiohttp.ClientSession, base_url: str) -> Api:
    return Api(http, base_url, await _login(http, base_url))


@pytest.fixture
def login() -> Any:
    """``await login(http, url, **form_overrides)`` -> access token."""
    return _login


@pytest.fixture
def make_api(http: aiohttp.ClientSession) -> Any:
    """``make_api(url, token)`` -> :class:`Api` (for tests that log in differently)."""
    return lambda url, token: Api(http, url, token)
