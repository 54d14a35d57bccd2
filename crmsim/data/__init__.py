"""Synthetic CRM data for the B2B and B2C orgs at CRMArena-Pro scale, with planted latent structure."""

from ._latent import Latent, load_manifest
from ._volumes import VOLUMES
from .generate import DEFAULT_TODAY, GENERATOR_VERSION, generate_org, write_org

__all__ = ["DEFAULT_TODAY", "GENERATOR_VERSION", "VOLUMES", "Latent", "generate_org", "load_manifest", "write_org"]
