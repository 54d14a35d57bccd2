"""Stage: sales records (being written)."""

from __future__ import annotations

from ._base import OrgGenerator


def build_sales(g: OrgGenerator) -> None:
    """Add the sales records and plant the sales latent variables."""
