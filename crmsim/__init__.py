"""crmsim: simulate and score conversations between LLM agents and simulated users on a CRM."""

from typing import TYPE_CHECKING, Any

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
    ModelError,
    NotFound,
    PersonaFileError,
    PolicyFileError,
    RequestLimitExceeded,
    SalesforceError,
    SchemaError,
    ServerError,
    SessionExpired,
    TaskFileError,
)

__version__ = "0.1.0"

if TYPE_CHECKING:
    from .runner import RunOutcome


def run(**settings: Any) -> "RunOutcome":
    """Run a simulation to the end and return its outcome (results, summary, run directory).

    Settings are those of :class:`crmsim.runner.RunConfig` (``orgs``, ``task_types``, ``modes``,
    ``epochs``, ``concurrency``, ``agent_model``, ...). This starts its own event loop; inside one
    (a notebook cell, async code) use ``await crmsim.runner.Simulation(**settings).run()`` instead.
    """
    import anyio

    from .runner import Simulation

    return anyio.run(Simulation(**settings).run)


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
    "ModelError",
    "NotFound",
    "PersonaFileError",
    "PolicyFileError",
    "RequestLimitExceeded",
    "SalesforceError",
    "SchemaError",
    "ServerError",
    "SessionExpired",
    "TaskFileError",
    "__version__",
    "run",
]
