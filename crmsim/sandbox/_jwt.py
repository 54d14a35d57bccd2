"""Verification of JWT bearer assertions (RFC 7523) for the sandbox's token endpoint."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization

JWT_BEARER_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"
LOGIN_AUDIENCES = ("https://login.salesforce.com", "https://test.salesforce.com")
MAX_LIFETIME_S = 300  # Salesforce refuses assertions that expire more than a few minutes out


class AssertionRefused(ValueError):
    """The assertion cannot be accepted; ``error``/``description`` are the OAuth error to send."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def public_key_pem(pem: str) -> str:
    """The public key in ``pem``, which may be a certificate or a public key."""
    data = pem.encode()
    if b"BEGIN CERTIFICATE" in data:
        key = x509.load_pem_x509_certificate(data).public_key()
        return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    serialization.load_pem_public_key(data)  # raises ValueError if it is not one
    return pem


def verify_assertion(
    assertion: str, key_pem: str, *, client_id: str, username: str, audiences: Collection[str]
) -> dict[str, Any]:
    """The claims of a valid assertion; raises AssertionRefused in Salesforce's terms otherwise."""
    try:
        claims: dict[str, Any] = jwt.decode(
            assertion,
            key_pem,
            algorithms=["RS256"],
            audience=list(audiences),
            options={"require": ["iss", "sub", "aud", "exp"]},
            leeway=5,
        )
    except jwt.ExpiredSignatureError:
        raise AssertionRefused("invalid_grant", "expired authorization code") from None
    except jwt.InvalidAudienceError:
        raise AssertionRefused("invalid_grant", "audience is invalid") from None
    except jwt.PyJWTError:
        raise AssertionRefused("invalid_grant", "invalid assertion") from None
    if claims["iss"] != client_id:
        raise AssertionRefused("invalid_client_id", "client identifier invalid")
    if claims["sub"] != username:
        raise AssertionRefused("invalid_grant", "user hasn't approved this consumer")
    iat = claims.get("iat")
    if isinstance(iat, int | float) and claims["exp"] - iat > MAX_LIFETIME_S:
        raise AssertionRefused("invalid_grant", "invalid assertion")
    return claims
