"""Settings of a running sandbox: login credentials, token lifetime, API limits, paging."""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

API_VERSION = "62.0"
"""Version used where a client does not name one (the sandbox answers v20.0 to v66.0)."""
MIN_API_VERSION = 20
MAX_API_VERSION = 66

ENV_VARS = {
    "client_id": "CRMSIM_CLIENT_ID",
    "client_secret": "CRMSIM_CLIENT_SECRET",
    "username": "CRMSIM_USERNAME",
    "password": "CRMSIM_PASSWORD",
}


@dataclass(frozen=True)
class Credentials:
    """The one connected app and the one user that may log in to a sandbox."""

    client_id: str = "crmsim"
    client_secret: str = field(default="crmsim", repr=False)
    username: str = "admin@crmsim.local"
    password: str = field(default="crmsim", repr=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **given: str | None) -> Credentials:
        """Defaults, overridden by ``CRMSIM_*`` environment variables, overridden by ``given``."""
        env = os.environ if env is None else env
        values: dict[str, str] = {}
        for name, var in ENV_VARS.items():
            value = given.get(name)
            if value is None:
                value = env.get(var) or None
            if value is not None:
                values[name] = value
        return cls(**values)

    @property
    def uses_defaults(self) -> bool:
        """True while the secret or the password is still the published default."""
        default = Credentials()
        return self.client_secret == default.client_secret or self.password == default.password


@dataclass(frozen=True)
class SandboxConfig:
    """How a sandbox app behaves. Every field has a default suited to local use and tests."""

    credentials: Credentials = field(default_factory=Credentials)
    token_ttl: float = 7200.0
    """Seconds an access token stays valid (Salesforce's default session timeout is 2 hours)."""
    daily_api_requests: int = 1_000_000
    """The org-wide ``DailyApiRequests`` maximum reported by ``limits`` and the header. Real orgs
    allow from 15,000 (Developer Edition) upwards; the sandbox default is high so that long
    benchmark runs are not refused, and tests of client back-off set it low."""
    per_token_daily_limit: int | None = None
    """If set, each access token may make at most this many API calls per day."""
    fail_next_requests: int = 0
    """The next N API calls answer 403 REQUEST_LIMIT_EXCEEDED (to test client retry logic)."""
    query_batch_size: int = 2000
    cursor_cache_size: int = 256
    """How many open query cursors (``nextRecordsUrl`` locators) are kept, least recent dropped."""
    cursor_ttl: float = 900.0
    """Seconds a query cursor survives after its last use."""
    jwt_public_key: str | None = field(default=None, repr=False)
    """PEM text of the certificate or public key that verifies JWT bearer assertions; without
    it the JWT bearer grant is refused."""
    max_body_bytes: int = 16 * 1024 * 1024
    max_sessions: int = 10000


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_version(text: str) -> str | None:
    """``"v62.0"`` -> ``"62.0"`` if it is a version the sandbox serves, else None."""
    if not text.startswith("v") or not text.endswith(".0"):
        return None
    major = text[1:-2]
    if not major.isdigit() or len(major) > 3:
        return None
    return f"{int(major)}.0" if MIN_API_VERSION <= int(major) <= MAX_API_VERSION else None
