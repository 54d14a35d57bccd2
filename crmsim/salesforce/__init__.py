"""Async Salesforce REST client for real orgs and the crmsim sandbox, and the agent-facing tool."""

from ._client import ClientStats, QueryResult, SalesforceClient
from ._config import Grant, SalesforceConfig, read_env_file
from ._tool import SalesforceTool, clean_records, render_error, render_records, strip_code_fence

__all__ = [
    "ClientStats",
    "Grant",
    "QueryResult",
    "SalesforceClient",
    "SalesforceConfig",
    "SalesforceTool",
    "clean_records",
    "read_env_file",
    "render_error",
    "render_records",
    "strip_code_fence",
]
