"""Error shapes that apply to every resource: 404, 405, internal faults, hostile input."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from structlog.testing import capture_logs
from yarl import URL

from crmsim.sandbox._config import SandboxConfig

NOT_FOUND = [{"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]


async def test_unknown_routes_are_not_found(api: Any) -> None:
    for path in (
        "/",
        "/nothing",
        "/services",
        "/services/data/v62.0/nothing",
        "/services/data/v62.0/sobjects/Account/describe/extra/more",
    ):
        result = await api.get(path)
        assert (result.status, result.body) == (404, NOT_FOUND), path


async def test_control_characters_in_paths_get_json_errors(api: Any) -> None:
    for path in ("/%0A", "/services/data/v62.0/sobjects/%0A%0D", "/services/data/v62.0/%00"):
        async with api.http.get(URL(api.url + path, encoded=True),
                                headers={"Authorization": f"Bearer {api.token}"}) as response:
            body = await response.json()
        assert response.status == 404 and body == NOT_FOUND, path


async def test_wrong_method_is_refused_salesforce_style(api: Any) -> None:
    result = await api.request("PUT", "sobjects/Account/001Wt0000000001IAA", json={})
    assert result.status == 405
    assert result.body == [
        {
            "message": "HTTP Method 'PUT' not allowed. Allowed are HEAD,GET,PATCH,DELETE",
            "errorCode": "METHOD_NOT_ALLOWED",
        }
    ]
    query = await api.post("query", json={})
    assert query.body[0]["message"] == "HTTP Method 'POST' not allowed. Allowed are HEAD,GET"
    composite = await api.get("composite")
    assert composite.status == 405


async def test_head_is_answered_like_get_without_a_body(api: Any) -> None:
    result = await api.request("HEAD", "sobjects")
    assert result.status == 200 and result.body is None


async def test_internal_fault_is_a_salesforce_shaped_500(api: Any, sandbox: Any) -> None:
    async def broken(*args: Any) -> None:
        raise RuntimeError("disk on fire")

    sandbox.records.fetch = broken
    account = (await api.get("sobjects/Account")).body["recentItems"][0]["Id"]
    with capture_logs() as events:
        result = await api.get(f"sobjects/Account/{account}")
    assert result.status == 500
    assert result.error_code == "UNKNOWN_EXCEPTION"
    assert "disk on fire" not in json.dumps(result.body)
    assert "ErrorId" in result.body[0]["message"]
    fault = next(e for e in events if e["event"] == "internal error")
    assert fault["log_level"] == "error" and fault["exc_info"] is True
    assert result.body[0]["message"].endswith(fault["error_id"])
    line = next(e for e in events if e["event"] == "request")
    assert (line["status"], line["errorCode"]) == (500, "UNKNOWN_EXCEPTION")


async def test_request_log_lines(api: Any) -> None:
    with capture_logs() as events:
        await api.get("sobjects/Nope")
    line = next(e for e in events if e["event"] == "request")
    assert line["method"] == "GET"
    assert line["path"] == "/services/data/v62.0/sobjects/Nope"
    assert line["status"] == 404 and line["errorCode"] == "NOT_FOUND"
    assert line["duration_ms"] >= 0


@pytest.mark.parametrize("sandbox_config", [SandboxConfig(max_body_bytes=1024)])
async def test_oversized_body_is_refused(api: Any) -> None:
    result = await api.post("sobjects/Account", data=b"x" * 2048, headers={"Content-Type": "application/json"})
    assert result.status == 413
    assert result.error_code == "JSON_PARSER_ERROR"


_SEGMENTS = st.one_of(
    st.sampled_from(
        [
            "services",
            "data",
            "v62.0",
            "v20.0",
            "sobjects",
            "Account",
            "describe",
            "query",
            "queryAll",
            "search",
            "composite",
            "limits",
            "parameterizedSearch",
            "001Wt0000000001IAA",
            "001Wt0000000001",
            "oauth2",
            "token",
            "id",
            "",
        ]
    ),
    st.text(max_size=12),
)
_BODIES = st.one_of(
    st.none(),
    st.binary(max_size=64),
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
        max_leaves=12,
    ).map(lambda value: json.dumps(value).encode()),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from(["GET", "POST", "PATCH", "DELETE", "PUT", "HEAD"]),
    prefix=st.sampled_from(["/services/data/v62.0/", "/services/data/", "/"]),
    segments=st.lists(_SEGMENTS, max_size=4),
    query=st.dictionaries(st.sampled_from(["q", "fields", "_HttpMethod", "x"]), st.text(max_size=20), max_size=2),
    body=_BODIES,
)
async def test_no_client_input_yields_a_5xx(
    api: Any, method: str, prefix: str, segments: list[str], query: dict[str, str], body: bytes | None
) -> None:
    path = prefix + "/".join(quote(s, safe="") for s in segments)
    query_string = "&".join(f"{quote(k)}={quote(v, safe='')}" for k, v in query.items())
    url = URL(api.url + path + ("?" + query_string if query_string else ""), encoded=True)
    headers = {"Authorization": f"Bearer {api.token}", "Content-Type": "application/json"}
    async with api.http.request(method, url, data=body, headers=headers) as response:
        text = await response.text()
    assert response.status < 500, (method, path, query, body, text)
    if response.status >= 400 and method != "HEAD":
        parsed = json.loads(text)
        assert (isinstance(parsed, list) and "errorCode" in parsed[0]) or "error" in parsed
