"""A self-signed certificate for ``serve --tls``, made locally on first use and then reused.

Common Salesforce clients only build ``https://`` URLs, so the sandbox can serve HTTPS with a
certificate valid for ``localhost``, ``127.0.0.1`` and ``::1``. Clients trust it by pointing their
CA bundle at the certificate file (``requests``: ``verify=<path>``).
"""

from __future__ import annotations

import fcntl
import ipaddress
import os
import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from crmsim.paths import cache_dir

CERT_NAME = "sandbox-cert.pem"
KEY_NAME = "sandbox-key.pem"
VALID_DAYS = 397
DEFAULT_NAMES = ("localhost", "127.0.0.1", "::1")


def default_tls_dir() -> Path:
    """``$CRMSIM_TLS_DIR``, else ``tls/`` in crmsim's cache directory (see :func:`crmsim.paths.cache_dir`)."""
    if override := os.environ.get("CRMSIM_TLS_DIR"):
        return Path(override)
    return cache_dir() / "tls"


def ensure_certificate(directory: Path | None = None, names: tuple[str, ...] = ()
                       ) -> tuple[Path, Path]:
    """Paths of the certificate and key in ``directory``, made or renewed when needed.

    A certificate is renewed when it expires within a day or does not cover one of ``names``
    (host names or IP addresses) beyond the defaults.
    """
    directory = directory or default_tls_dir()
    directory.mkdir(parents=True, exist_ok=True)
    cert_path, key_path = directory / CERT_NAME, directory / KEY_NAME
    wanted = tuple(dict.fromkeys((*DEFAULT_NAMES, *names)))
    with open(directory / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not _usable(cert_path, key_path, wanted):
            _generate(cert_path, key_path, wanted)
    return cert_path, key_path


def server_context(cert_path: Path, key_path: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert_path, key_path)
    return context


def client_context(cert_path: Path) -> ssl.SSLContext:
    """A client context that trusts the sandbox certificate (for aiohttp clients in tests)."""
    return ssl.create_default_context(cafile=str(cert_path))


def _usable(cert_path: Path, key_path: Path, names: tuple[str, ...]) -> bool:
    if not cert_path.exists() or not key_path.exists():
        return False
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except (ValueError, x509.ExtensionNotFound):
        return False
    if cert.not_valid_after_utc < datetime.now(UTC) + timedelta(days=1):
        return False
    covered = {str(v) for v in san.get_values_for_type(x509.DNSName)}
    covered |= {str(v) for v in san.get_values_for_type(x509.IPAddress)}
    return all(_normal(name) in covered for name in names)


def _normal(name: str) -> str:
    try:
        return str(ipaddress.ip_address(name.strip("[]")))
    except ValueError:
        return name.lower()


def _alt_names(names: tuple[str, ...]) -> list[x509.GeneralName]:
    out: list[x509.GeneralName] = []
    for name in names:
        try:
            out.append(x509.IPAddress(ipaddress.ip_address(name.strip("[]"))))
        except ValueError:
            out.append(x509.DNSName(name.lower()))
    return out


def _generate(cert_path: Path, key_path: Path, names: tuple[str, ...]) -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "crmsim"),
                         x509.NameAttribute(NameOID.COMMON_NAME, "crmsim local sandbox")])
    now = datetime.now(UTC)
    public = key.public_key()
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(public)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=VALID_DAYS))
        .add_extension(x509.SubjectAlternativeName(_alt_names(names)), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     crl_sign=False, encipher_only=False, decipher_only=False),
                       critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(public), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_bytes = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    _write(key_path, key_bytes, 0o600)
    _write(cert_path, cert.public_bytes(serialization.Encoding.PEM), 0o644)


def _write(path: Path, data: bytes, mode: int) -> None:
    temporary = path.with_suffix(".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)
