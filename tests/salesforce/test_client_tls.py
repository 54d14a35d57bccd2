"""HTTPS: the client trusts the sandbox's self-signed certificate through ``ca_file``."""

from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from crmsim.errors import CertificateInvalid, ConnectionFailed
from crmsim.salesforce import SalesforceClient, SalesforceConfig
from crmsim.sandbox.server import serve_sandbox, tls_context


async def test_https_with_ca_file(app: web.Application, tls: tuple[ssl.SSLContext, Path],
                                  add_accounts: Any) -> None:
    context, cert = tls
    ids = add_accounts(250)
    async with serve_sandbox(app, ssl_context=context) as url:
        assert url.startswith("https://127.0.0.1:")
        config = SalesforceConfig.from_env(env_file=None, environ={"SF_INSTANCE_URL": url, "SF_CA_FILE": str(cert)})
        assert config.ca_file == cert
        async with SalesforceClient(config) as sf:
            result = await sf.query_all("SELECT Id FROM Account WHERE Name LIKE 'Paged %' ORDER BY Name",
                                        batch_size=200)
            assert [r["Id"] for r in result.records] == ids
            assert await sf.search("FIND {Acme} RETURNING Account(Id)")
            assert sf.stats.logins == 1


async def test_untrusted_certificate_on_login_is_not_retried(app: web.Application,
                                                             tls: tuple[ssl.SSLContext, Path]) -> None:
    context, _cert = tls
    async with serve_sandbox(app, ssl_context=context) as url:
        async with SalesforceClient(SalesforceConfig(instance_url=url, max_retries=2)) as sf:
            with pytest.raises(ConnectionFailed) as caught:
                await sf.limits()
            assert "certificate" in caught.value.message.lower()
            assert caught.value.request == f"POST {url}/services/oauth2/token"
            assert isinstance(caught.value, CertificateInvalid)
            assert sf.stats.retries == 0


async def test_untrusted_certificate_on_a_call_is_not_retried(app: web.Application,
                                                              tls: tuple[ssl.SSLContext, Path]) -> None:
    context, _cert = tls
    async with serve_sandbox(app, ssl_context=context) as url:
        config = SalesforceConfig(instance_url=url, session_id="00D!given", max_retries=2)
        async with SalesforceClient(config) as sf:
            with pytest.raises(CertificateInvalid) as caught:
                await sf.query_all("SELECT Id FROM Account")
            error = caught.value
            assert (error.error_code, error.retryable) == ("CERTIFICATE_INVALID", False)
            assert isinstance(error, ConnectionFailed)
            assert error.request == "GET /services/data/v62.0/query"
            assert "certificate" in error.message.lower()
            assert sf.stats.retries == 0


async def test_trusting_another_certificate_fails(app: web.Application, tls: tuple[ssl.SSLContext, Path],
                                                  tmp_path: Path) -> None:
    context, _cert = tls
    _other_context, other_cert = tls_context(tmp_path / "other-tls")
    async with serve_sandbox(app, ssl_context=context) as url:
        config = SalesforceConfig(instance_url=url, session_id="00D!given", ca_file=other_cert, max_retries=2)
        async with SalesforceClient(config) as sf:
            with pytest.raises(CertificateInvalid):
                await sf.limits()
