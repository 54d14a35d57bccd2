"""Client settings: arguments over environment variables over a ``.env`` file over defaults.

The defaults point at a local sandbox started with its default credentials, so
``SalesforceConfig.from_env()`` works out of the box against ``crmsim sandbox serve``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from pathlib import Path
from typing import Any

from dotenv.parser import parse_stream

from crmsim.errors import ConfigError

DEFAULT_INSTANCE_URL = "http://127.0.0.1:8443"

ENV_VARS = {
    "instance_url": "SF_INSTANCE_URL",
    "login_url": "SF_LOGIN_URL",
    "client_id": "SF_CLIENT_ID",
    "client_secret": "SF_CLIENT_SECRET",
    "username": "SF_USERNAME",
    "password": "SF_PASSWORD",
    "private_key_file": "SF_PRIVATE_KEY_FILE",
    "session_id": "SF_SESSION_ID",
    "api_version": "SF_API_VERSION",
    "ca_file": "SF_CA_FILE",
    "grant_type": "SF_GRANT_TYPE",
}
SECRET_FIELDS = frozenset({"client_secret", "password", "session_id"})


class Grant(StrEnum):
    SESSION = "session"  # a given session id: nothing to log in with, no refresh
    JWT_BEARER = "jwt_bearer"
    PASSWORD = "password"
    CLIENT_CREDENTIALS = "client_credentials"


@dataclass(frozen=True)
class SalesforceConfig:
    """Where an org is and how to log in to it. Secrets are left out of ``repr``."""

    instance_url: str = DEFAULT_INSTANCE_URL
    login_url: str | None = None
    """Host of the token endpoint (e.g. https://login.salesforce.com); default: instance_url."""
    client_id: str = "crmsim"
    client_secret: str | None = field(default="crmsim", repr=False)
    username: str | None = "admin@crmsim.local"
    password: str | None = field(default="crmsim", repr=False)
    private_key_file: Path | None = None
    """RS256 private key (PEM) for the JWT bearer flow; when set, that flow is used."""
    session_id: str | None = field(default=None, repr=False)
    """An access token obtained elsewhere; when set, no login happens and none can be renewed."""
    api_version: str = "62.0"
    ca_file: Path | None = None
    """CA bundle or certificate to trust for HTTPS (e.g. the sandbox's self-signed certificate)."""
    grant_type: Grant | None = None
    """Force one OAuth flow; by default it follows from what is set (see :attr:`grant`)."""
    max_concurrency: int = 64
    """Requests in flight to this org at once; more wait for a slot."""
    timeout: float = 30.0
    """Seconds one HTTP request may take."""
    max_retries: int = 4
    """Retries of a request that failed for a reason that may pass (5xx, limits, network)."""
    retry_deadline: float = 60.0
    """Seconds after the first attempt when no further retry starts."""

    def __post_init__(self) -> None:
        for name in ("instance_url", "login_url"):
            url = getattr(self, name)
            if url is not None and not url.startswith(("http://", "https://")):
                raise ConfigError(f"{name} must start with http:// or https://, got {url!r}")
            if url is not None:
                object.__setattr__(self, name, url.rstrip("/"))
        version = str(self.api_version).removeprefix("v")
        if re.fullmatch(r"\d{2}", version):
            version += ".0"
        if not re.fullmatch(r"\d{2}\.\d", version):
            raise ConfigError(f"api_version must look like 62.0, got {self.api_version!r}")
        object.__setattr__(self, "api_version", version)
        if self.grant_type is not None and not isinstance(self.grant_type, Grant):
            try:
                object.__setattr__(self, "grant_type", Grant(str(self.grant_type)))
            except ValueError:
                choices = ", ".join(g.value for g in Grant)
                raise ConfigError(f"grant_type must be one of {choices}, got {self.grant_type!r}") from None
        if self.grant is Grant.SESSION and not self.session_id:
            raise ConfigError("grant_type session needs a session_id (SF_SESSION_ID)")
        if self.grant is Grant.JWT_BEARER and not self.private_key_file:
            raise ConfigError("grant_type jwt_bearer needs a private_key_file (SF_PRIVATE_KEY_FILE)")
        if self.max_concurrency < 1:
            raise ConfigError("max_concurrency must be at least 1")
        if self.max_retries < 0 or self.timeout <= 0 or self.retry_deadline < 0:
            raise ConfigError("timeout must be positive; max_retries and retry_deadline must not be negative")

    @property
    def grant(self) -> Grant:
        if self.grant_type is not None:
            return self.grant_type
        if self.session_id:
            return Grant.SESSION
        if self.private_key_file:
            return Grant.JWT_BEARER
        if self.username and self.password:
            return Grant.PASSWORD
        return Grant.CLIENT_CREDENTIALS

    @property
    def token_url(self) -> str:
        return f"{self.login_url or self.instance_url}/services/oauth2/token"

    def describe(self) -> dict[str, Any]:
        """The settings with secrets masked, for logs and error messages."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            out[f.name] = "***" if f.name in SECRET_FIELDS and value else value
        return out

    @classmethod
    def from_env(
        cls,
        env_file: str | Path | None = ".env",
        environ: Mapping[str, str] | None = None,
        **given: Any,
    ) -> SalesforceConfig:
        """Settings from ``given`` arguments, then ``SF_*`` environment variables, then ``env_file``.

        A missing ``env_file`` is ignored; a line of it that cannot be parsed is a ConfigError
        naming the file and line. Arguments whose value is None count as not given.
        """
        environ = os.environ if environ is None else environ
        from_file = read_env_file(env_file) if env_file is not None else {}
        values: dict[str, Any] = {}
        for name, var in ENV_VARS.items():
            value = given.get(name)
            if value is None:
                value = environ.get(var) or from_file.get(var) or None
            if value is not None:
                values[name] = value
        for name, value in given.items():
            if name not in ENV_VARS and value is not None:
                values[name] = value
        for name in ("private_key_file", "ca_file"):
            if name in values:
                values[name] = Path(values[name]).expanduser()
        unknown = set(values) - {f.name for f in fields(cls)}
        if unknown:
            raise ConfigError(f"unknown Salesforce settings: {', '.join(sorted(unknown))}")
        return cls(**values)


def read_env_file(path: str | Path) -> dict[str, str]:
    """``KEY=value`` pairs of a .env file; {} if it does not exist."""
    path = Path(path)
    if not path.is_file():
        return {}
    out: dict[str, str] = {}
    with path.open(encoding="utf-8") as stream:
        for binding in parse_stream(stream):
            if binding.error:
                line = binding.original.line
                raise ConfigError(f"{path}:{line}: cannot parse {binding.original.string.strip()[:40]!r}")
            if binding.key is not None and binding.value is not None:
                out[binding.key] = binding.value
    return out
