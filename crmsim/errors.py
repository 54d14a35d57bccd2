"""Every exception crmsim raises on purpose derives from :class:`CrmsimError`.

Hierarchy::

    CrmsimError
    ├── ConfigError              bad settings or command-line values
    ├── SchemaError              an org schema file is invalid (file, object, field)
    └── SalesforceApiError       an error the REST API answers with (errorCode, message, status)
        ├── MalformedQuery       MALFORMED_QUERY (SOQL/SOSL syntax)
        ├── InvalidField         INVALID_FIELD
        ├── InvalidType          INVALID_TYPE (unknown sObject)
        └── InvalidSearch        INVALID_SEARCH

``SalesforceApiError`` is the error body Salesforce would send: the sandbox turns it into the
JSON array ``[{"message", "errorCode", "fields"}]`` with its HTTP status.
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


class SalesforceApiError(CrmsimError):
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
    ) -> None:
        super().__init__(message)
        self.message = message
        self.error_code = error_code or self.default_code
        self.status = status or self.default_status
        self.fields = fields

    def to_body(self) -> list[dict[str, Any]]:
        body: dict[str, Any] = {"message": self.message, "errorCode": self.error_code}
        if self.fields is not None:
            body["fields"] = self.fields
        return [body]

    def __str__(self) -> str:
        return f"{self.error_code}: {self.message}"


class MalformedQuery(SalesforceApiError):
    default_code = "MALFORMED_QUERY"


class InvalidField(SalesforceApiError):
    default_code = "INVALID_FIELD"


class InvalidType(SalesforceApiError):
    default_code = "INVALID_TYPE"


class InvalidSearch(SalesforceApiError):
    default_code = "INVALID_SEARCH"


def soql_error(
    cls: type[SalesforceApiError], query: str, column: int | None, detail: str, error_code: str | None = None
) -> SalesforceApiError:
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
