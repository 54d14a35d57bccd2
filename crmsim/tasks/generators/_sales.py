"""Generators of the sales-side task types (being written)."""

from __future__ import annotations
