"""Salesforce's wording for SOQL errors, in one place."""

from __future__ import annotations

from crmsim.errors import InvalidField, InvalidType, MalformedQuery, SalesforceError, soql_error

_WSDL = "Please reference your WSDL or the describe call for the appropriate names."


class QueryErrors:
    """Builds errors for one query text so each carries the Row/Column preamble."""

    def __init__(self, text: str) -> None:
        self.text = text

    def malformed(self, pos: int | None, detail: str) -> SalesforceError:
        return soql_error(MalformedQuery, self.text, pos, detail)

    def unexpected(self, pos: int | None, token: str) -> SalesforceError:
        return self.malformed(pos, f"unexpected token: {token}")

    def no_such_object(self, pos: int, name: str) -> SalesforceError:
        return soql_error(
            InvalidType,
            self.text,
            pos,
            f"sObject type '{name}' is not supported. If you are attempting to use a "
            "custom object, be sure to append the '__c' after the entity name. " + _WSDL,
        )

    def no_such_column(self, pos: int, name: str, entity: str) -> SalesforceError:
        return soql_error(
            InvalidField,
            self.text,
            pos,
            f"No such column '{name}' on entity '{entity}'. If you are attempting to use "
            "a custom field, be sure to append the '__c' after the custom field name. " + _WSDL,
        )

    def bad_relationship(self, pos: int, name: str) -> SalesforceError:
        return soql_error(
            InvalidField,
            self.text,
            pos,
            f"Didn't understand relationship '{name}' in field path. If you are "
            "attempting to use a custom relationship, be sure to append the '__r' after "
            "the custom relationship name. " + _WSDL,
        )

    def bad_child_relationship(self, pos: int, name: str) -> SalesforceError:
        return soql_error(
            InvalidType,
            self.text,
            pos,
            f"Didn't understand relationship '{name}' in FROM part of query call. If you "
            "are attempting to use a custom relationship, be sure to append the '__r' "
            "after the custom relationship name. " + _WSDL,
        )

    def invalid_field(self, pos: int | None, detail: str) -> SalesforceError:
        return soql_error(InvalidField, self.text, pos, detail)

    def filter_operator(self, pos: int | None, detail: str) -> SalesforceError:
        return soql_error(SalesforceError, self.text, pos, detail, "INVALID_QUERY_FILTER_OPERATOR")

    def out_of_range(self, pos: int | None, detail: str) -> SalesforceError:
        return soql_error(SalesforceError, self.text, pos, detail, "NUMBER_OUTSIDE_VALID_RANGE")
