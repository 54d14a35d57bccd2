"""Salesforce's wording for SOQL errors, in one place."""

from __future__ import annotations

from crmsim.errors import InvalidField, InvalidType, MalformedQuery, SalesforceApiError, soql_error

_WSDL = "Please reference your WSDL or the describe call for the appropriate names."


class QueryErrors:
    """Builds errors for one query text so each carries the Row/Column preamble."""

    def __init__(self, text: str) -> None:
        self.text = text

    def malformed(self, pos: int | None, detail: str) -> SalesforceApiError:
        return soql_error(MalformedQuery, self.text, pos, detail)

    def unexpected(self, pos: int | None, token: str) -> SalesforceApiError:
        return self.malformed(pos, f"unexpected token: {token}")

    def no_such_object(self, pos: int, name: str) -> SalesforceApiError:
        return soql_error(
            InvalidType,
            self.text,
            pos,
            f"sObject type '{name}' is not supported. If you are attempting to use a "
            "custom object, be sure to append the '__c' after the entity name. " + _WSDL,
        )

    def no_such_column(self, pos: int, name: str, entity: str) -> SalesforceApiError:
        return soql_error(
            InvalidField,
            self.text,
            pos,
            f"No such column '{name}' on entity '{entity}'. If you are attempting to use "
            "a custom field, be sure to append the '__c' after the custom field name. " + _WSDL,
        )

    def bad_relationship(self, pos: int, name: str) -> SalesforceApiError:
        return soql_error(
            InvalidField,
            self.text,
            pos,
            f"Didn't understand relationship '{name}' in field path. If you are "
            "attempting to use a custom relationship, be sure to append the '__r' after "
            "the custom relationship name. " + _WSDL,
        )

    def bad_child_relationship(self, pos: int, name: str) -> SalesforceApiError:
        return soql_error(
            InvalidType,
            self.text,
            pos,
            f"Didn't understand relationship '{name}' in FROM part of query call. If you "
            "are attempting to use a custom relationship, be sure to append the '__r' "
            "after the custom relationship name. " + _WSDL,
        )

    def invalid_field(self, pos: int | None, detail: str) -> SalesforceApiError:
        return soql_error(InvalidField, self.text, pos, detail)

    def filter_operator(self, pos: int | None, detail: str) -> SalesforceApiError:
        return soql_error(SalesforceApiError, self.text, pos, detail, "INVALID_QUERY_FILTER_OPERATOR")

    def out_of_range(self, pos: int | None, detail: str) -> SalesforceApiError:
        return soql_error(SalesforceApiError, self.text, pos, detail, "NUMBER_OUTSIDE_VALID_RANGE")
