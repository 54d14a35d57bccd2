"""Every exception crmsim raises on purpose derives from :class:`CrmsimError`.

Hierarchy::

    CrmsimError
    ├── ConfigError                  bad settings, flags, environment variables or .env lines
    ├── SchemaError                  an org schema file is invalid (file, object, field)
    ├── TaskFileError                a task file or published task rows are invalid (file, line/row, field)
    ├── PersonaFileError             a persona file is invalid (file, line, field); raised by crmsim.personas
    │   ├── UnknownPersona           a task names a persona id that no persona file defines
    │   └── NoFittingPersona         no persona fits a task's org and audience
    ├── PolicyFileError              a policy file is invalid (file, line, field); raised by crmsim.policies
    ├── ModelError                   a model could not produce a completion (model name, role, cause)
    └── SalesforceError              an error in Salesforce's REST shape (errorCode, message, status)
        ├── MalformedQuery           MALFORMED_QUERY, MALFORMED_SEARCH (SOQL/SOSL syntax)
        ├── InvalidField             INVALID_FIELD
        ├── InvalidType              INVALID_TYPE (unknown sObject)
        ├── InvalidSearch            INVALID_SEARCH
        ├── InvalidQueryFilter       INVALID_QUERY_FILTER_OPERATOR
        ├── NotFound                 NOT_FOUND, ENTITY_IS_DELETED (404)
        ├── SessionExpired           INVALID_SESSION_ID (401)
        ├── AuthenticationFailed     OAuth token endpoint refusals (invalid_grant, invalid_client, ...)
        ├── RequestLimitExceeded     REQUEST_LIMIT_EXCEEDED (403), retried by the client
        ├── ServerError              any 5xx, retried by the client
        └── ConnectionFailed         no HTTP answer at all: refused, reset, timed out; retried
            └── CertificateInvalid   the server's TLS certificate is not trusted; not retried

The sandbox raises these and turns them into Salesforce's JSON body
``[{"message", "errorCode", "fields"}]`` with the HTTP status; the client raises them from the
bodies it receives, with the request that failed attached.
"""

from __future__ import annotations

from typing import Any


class CrmsimError(Exception):
    """Root of every error crmsim raises on purpose."""


class ConfigError(CrmsimError):
    """A setting, flag or environment variable has a value crmsim cannot use."""


class SchemaError(CrmsimError):
    """An org schema file is invalid; the message names the file, object and field."""

    def __init__(self, message: str, *, path: str | None = None, where: str | None = None) -> None:
        self.path = path
        self.where = where
        prefix = ": ".join(part for part in (path, where) if part)
        super().__init__(f"{prefix}: {message}" if prefix else message)


class TaskFileError(CrmsimError):
    """A task file (JSON lines) or a file of published task rows cannot be read.

    The message is one line: ``file:line: field: message`` for a JSON-lines file, or
    ``file: row N (idx I): field: message`` for a row of a JSON array (N counts from 0); a
    published row read from JSON lines shows both, ``file:line (idx I): field: message``.
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        row: int | None = None,
        idx: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.row = row
        self.idx = idx
        self.field = field
        where = path or ""
        if line is not None:
            where = f"{where}:{line}"
        if row is not None:
            where = f"{where}: row {row}"
        if idx is not None:
            where = f"{where} (idx {idx})"
        parts = [part for part in (where, field, message) if part]
        super().__init__(": ".join(parts))


class _AuthoredFileError(CrmsimError):
    """A YAML file a user wrote is invalid: ``file:line: field: message``, parts that do not apply left out."""

    def __init__(
        self, message: str, *, path: str | None = None, line: int | None = None, field: str | None = None
    ) -> None:
        self.message = message
        self.path = path
        self.line = line
        self.field = field
        where = path or ""
        if line is not None:
            where = f"{where}:{line}"
        super().__init__(": ".join(part for part in (where, field, message) if part))


class PersonaFileError(_AuthoredFileError):
    """A persona file (YAML) is invalid, or a set of them is inconsistent.

    The message is one line, ``file:line: field: message`` (parts that do not apply are left out),
    e.g. ``personas/sales-rep.yaml:4: org: 'b2x' is not allowed; use one of: b2b, b2c, any``.
    """



class PolicyFileError(_AuthoredFileError):
    """A policy file (YAML) is invalid, or a set of them is inconsistent (repeated policy ids).

    The message is one line, ``file:line: field: message`` (parts that do not apply are left out),
    e.g. ``policies/privacy.yaml:12: rules.0.action: 'deny' is not allowed; use one of: flag, redact,
    block, refuse``.
    """



class ModelError(CrmsimError):
    """A model (built-in or remote) failed to produce a completion; ends that conversation only."""

    def __init__(self, message: str, *, model: str | None = None, role: str | None = None) -> None:
        self.model = model
        self.role = role
        prefix = f"{role} model {model}" if role and model else model or role
        super().__init__(f"{prefix}: {message}" if prefix else message)


class SalesforceError(CrmsimError):
    """An error in Salesforce's REST shape: ``errorCode``, ``message``, HTTP ``status``."""

    default_code = "UNKNOWN_EXCEPTION"
    default_status = 400

    def __init__(
        self,
        message: str,
        error_code: str | None = None,
        *,
        status: int | None = None,
        fields: list[str] | None = None,
        request: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_code = error_code or self.default_code
        self.status = status or self.default_status
        self.fields = fields
        self.request = request  # "METHOD url" of the call that failed, when a client raised it
        self.retry_after: float | None = None  # seconds a server asked the client to wait
        self.maybe_processed = False  # the server may have acted on the request before it failed

    @property
    def retryable(self) -> bool:
        """Whether sending the same request again may succeed."""
        return False

    def to_body(self) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"message": self.message, "errorCode": self.error_code}
        if self.fields is not None:
            body["fields"] = self.fields
        return [body]

    def __str__(self) -> str:
        return f"{self.error_code}: {self.message}"


class MalformedQuery(SalesforceError):
    default_code = "MALFORMED_QUERY"


class InvalidField(SalesforceError):
    default_code = "INVALID_FIELD"


class InvalidType(SalesforceError):
    default_code = "INVALID_TYPE"


class InvalidSearch(SalesforceError):
    default_code = "INVALID_SEARCH"


class InvalidQueryFilter(SalesforceError):
    default_code = "INVALID_QUERY_FILTER_OPERATOR"


class NotFound(SalesforceError):
    default_code = "NOT_FOUND"
    default_status = 404


class SessionExpired(SalesforceError):
    default_code = "INVALID_SESSION_ID"
    default_status = 401


class AuthenticationFailed(SalesforceError):
    default_code = "invalid_grant"


class RequestLimitExceeded(SalesforceError):
    default_code = "REQUEST_LIMIT_EXCEEDED"
    default_status = 403

    @property
    def retryable(self) -> bool:
        return True


class ServerError(SalesforceError):
    default_code = "SERVER_UNAVAILABLE"
    default_status = 503

    @property
    def retryable(self) -> bool:
        return True


class ConnectionFailed(SalesforceError):
    default_code = "CONNECTION_FAILED"
    default_status = 599

    @property
    def retryable(self) -> bool:
        return True


class CertificateInvalid(ConnectionFailed):
    """TLS verification failed: retrying cannot help until the CA file or URL changes."""

    default_code = "CERTIFICATE_INVALID"

    @property
    def retryable(self) -> bool:
        return False


_BY_CODE: dict[str, type[SalesforceError]] = {
    "MALFORMED_QUERY": MalformedQuery,
    "MALFORMED_SEARCH": MalformedQuery,
    "INVALID_FIELD": InvalidField,
    "INVALID_TYPE": InvalidType,
    "INVALID_SEARCH": InvalidSearch,
    "INVALID_QUERY_FILTER_OPERATOR": InvalidQueryFilter,
    "NOT_FOUND": NotFound,
    "ENTITY_IS_DELETED": NotFound,
    "INVALID_SESSION_ID": SessionExpired,
    "REQUEST_LIMIT_EXCEEDED": RequestLimitExceeded,
}


def error_for(
    status: int, error_code: str, message: str, *, fields: list[str] | None = None, request: str | None = None
) -> SalesforceError:
    """The most specific :class:`SalesforceError` for a status and errorCode a server answered."""
    cls = _BY_CODE.get(error_code)
    if cls is None:
        cls = ServerError if status >= 500 else NotFound if status == 404 else SalesforceError
    return cls(message, error_code, status=status, fields=fields, request=request)


def soql_error(
    cls: type[SalesforceError], query: str, column: int | None, detail: str, error_code: str | None = None
) -> SalesforceError:
    """Build an error with Salesforce's ``ERROR at Row:1:Column:N`` preamble around the query."""
    if column is None:
        return cls(detail, error_code)
    row, col = _row_col(query, column)
    line = query.split("\n")[row - 1]
    return cls(f"\n{line}\n{' ' * max(col - 1, 0)}^\nERROR at Row:{row}:Column:{col}\n{detail}", error_code)


def _row_col(query: str, offset: int) -> tuple[int, int]:
    before = query[:offset]
    row = before.count("\n") + 1
    col = offset - (before.rfind("\n") + 1) + 1
    return row, col
