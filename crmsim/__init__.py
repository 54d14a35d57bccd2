"""crmsim: simulate and score conversations between LLM agents and simulated users on a CRM."""

from .errors import (
    AuthenticationFailed,
    CertificateInvalid,
    ConfigError,
    ConnectionFailed,
    CrmsimError,
    InvalidField,
    InvalidQueryFilter,
    InvalidSearch,
    InvalidType,
    MalformedQuery,
    NotFound,
    RequestLimitExceeded,
    SalesforceError,
    SchemaError,
    ServerError,
    SessionExpired,
    TaskFileError,
)

__version__ = "0.1.0"

__all__ = [
    "AuthenticationFailed",
    "CertificateInvalid",
    "ConfigError",
    "ConnectionFailed",
    "CrmsimError",
    "InvalidField",
    "InvalidQueryFilter",
    "InvalidSearch",
    "InvalidType",
    "MalformedQuery",
    "NotFound",
    "RequestLimitExceeded",
    "SalesforceError",
    "SchemaError",
    "ServerError",
    "SessionExpired",
    "TaskFileError",
    "__version__",
]
