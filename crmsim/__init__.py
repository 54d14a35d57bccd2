"""crmsim: simulate and score conversations between LLM agents and simulated users on a CRM."""

from .errors import (
    ConfigError,
    CrmsimError,
    InvalidField,
    InvalidSearch,
    InvalidType,
    MalformedQuery,
    SalesforceApiError,
    SchemaError,
)

__version__ = "0.1.0"

__all__ = [
    "ConfigError",
    "CrmsimError",
    "InvalidField",
    "InvalidSearch",
    "InvalidType",
    "MalformedQuery",
    "SalesforceApiError",
    "SchemaError",
    "__version__",
]
