"""Reference solvers of the service-side task types (being written)."""

from __future__ import annotations
