"""SOQL for the sandbox: a lark grammar, a compiler to parameterized SQLite, Salesforce-shaped results."""

from ._engine import DEFAULT_API_VERSION, QueryResult, SoqlEngine, parse

__all__ = ["DEFAULT_API_VERSION", "QueryResult", "SoqlEngine", "parse"]
