"""The embedded Salesforce-compatible sandbox: REST API, SOQL and SOSL over one SQLite file per org."""

from ._config import Credentials, SandboxConfig
from .app import SANDBOX, create_app
from .schema import ORGS, OrgSchema, org_schema
from .seed import DEFAULT_TODAY, seed_org
from .server import open_store, serve_sandbox
from .soql import QueryResult, SoqlEngine
from .sosl import execute_sosl
from .store import Store

__all__ = [
    "DEFAULT_TODAY",
    "ORGS",
    "SANDBOX",
    "Credentials",
    "OrgSchema",
    "QueryResult",
    "SandboxConfig",
    "SoqlEngine",
    "Store",
    "create_app",
    "execute_sosl",
    "open_store",
    "org_schema",
    "seed_org",
    "serve_sandbox",
]
