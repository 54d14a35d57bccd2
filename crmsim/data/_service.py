"""Stage: service records (being written)."""

from __future__ import annotations

from ._base import OrgGenerator


def build_service(g: OrgGenerator) -> None:
    """Add the service records and plant the service latent variables."""
