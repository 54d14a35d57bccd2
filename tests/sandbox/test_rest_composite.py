"""``composite``: references between subrequests, allOrNone rollback, limits on the request."""

from __future__ import annotations

from typing import Any

import pytest

V = "/services/data/v62.0"
HALTED = {
    "errorCode": "PROCESSING_HALTED",
    "message": "The transaction was rolled back since another operation in the same transaction failed.",
}


def sub(method: str, url: str, ref: str, body: Any = None) -> dict[str, Any]:
    request: dict[str, Any] = {"method": method, "url": V + url, "referenceId": ref}
    if body is not None:
        request["body"] = body
    return request


async def test_references_flow_between_subrequests(api: Any) -> None:
    result = await api.post(
        "composite",
        json={
            "compositeRequest": [
                sub("POST", "/sobjects/Account", "newAccount", {"Name": "Composite Co"}),
                sub("POST", "/sobjects/Contact", "newContact", {"LastName": "Ref", "AccountId": "@{newAccount.id}"}),
                sub("GET", "/sobjects/Contact/@{newContact.id}?fields=Name,AccountId", "readBack"),
                sub("GET", "/query?q=SELECT+Id,Name+FROM+Account+WHERE+Id='@{newAccount.id}'", "q"),
                sub(
                    "PATCH",
                    "/sobjects/Account/@{q.records[0].Id}",
                    "rename",
                    {"Description": "was @{q.records[0].Name}"},
                ),
            ]
        },
    )
    assert result.status == 200
    responses = result.body["compositeResponse"]
    assert [r["referenceId"] for r in responses] == ["newAccount", "newContact", "readBack", "q", "rename"]
    assert [r["httpStatusCode"] for r in responses] == [201, 201, 200, 200, 204]
    account_id = responses[0]["body"]["id"]
    assert responses[0]["httpHeaders"] == {"Location": f"{V}/sobjects/Account/{account_id}"}
    assert responses[2]["body"]["AccountId"] == account_id
    assert responses[4]["body"] is None and responses[4]["httpHeaders"] == {}
    account = (await api.get(f"sobjects/Account/{account_id}")).body
    assert account["Description"] == "was Composite Co"


async def test_all_or_none_rolls_everything_back(api: Any) -> None:
    existing = (await api.get("sobjects/Account")).body["recentItems"][0]["Id"]
    before = (await api.get(f"sobjects/Account/{existing}")).body
    result = await api.post(
        "composite",
        json={
            "allOrNone": True,
            "compositeRequest": [
                sub("POST", "/sobjects/Account", "a", {"Name": "Rolled Back"}),
                sub("PATCH", f"/sobjects/Account/{existing}", "b", {"Name": "Changed"}),
                sub("DELETE", f"/sobjects/Account/{existing}", "c"),
                sub("POST", "/sobjects/Contact", "bad", {"FirstName": "No Last Name"}),
                sub("POST", "/sobjects/Account", "after", {"Name": "Never Made"}),
            ],
        },
    )
    assert result.status == 200
    responses = result.body["compositeResponse"]
    assert [r["httpStatusCode"] for r in responses] == [400] * 5
    assert [r["body"] for r in responses if r["referenceId"] != "bad"] == [[HALTED]] * 4
    failing = next(r for r in responses if r["referenceId"] == "bad")
    assert failing["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    after = (await api.get(f"sobjects/Account/{existing}")).body
    assert after == before
    created = (
        await api.get("query", params={"q": "SELECT Id FROM Account WHERE Name IN ('Rolled Back', 'Never Made')"})
    ).body
    assert created["totalSize"] == 0
    assert (await api.get("queryAll", params={"q": "SELECT Id FROM Account WHERE Name = 'Rolled Back'"})).body[
        "totalSize"
    ] == 0


async def test_without_all_or_none_only_dependents_stop(api: Any) -> None:
    result = await api.post(
        "composite",
        json={
            "compositeRequest": [
                sub("POST", "/sobjects/Account", "broken", {"Industry": "Energy"}),
                sub("POST", "/sobjects/Contact", "dependent", {"LastName": "X", "AccountId": "@{broken.id}"}),
                sub("POST", "/sobjects/Account", "independent", {"Name": "Still Made"}),
            ]
        },
    )
    responses = result.body["compositeResponse"]
    assert [r["httpStatusCode"] for r in responses] == [400, 400, 201]
    assert responses[0]["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert responses[1]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert "broken.id" in responses[1]["body"][0]["message"]
    made = responses[2]["body"]["id"]
    assert (await api.get(f"sobjects/Account/{made}")).status == 200


async def test_reference_to_a_missing_field_halts_the_subrequest(api: Any) -> None:
    result = await api.post(
        "composite",
        json={
            "compositeRequest": [
                sub("POST", "/sobjects/Account", "acc", {"Name": "Ref Check"}),
                sub("GET", "/sobjects/Account/@{acc.Id}", "wrongCase"),
            ]
        },
    )
    responses = result.body["compositeResponse"]
    assert responses[1]["httpStatusCode"] == 400
    assert responses[1]["body"][0]["errorCode"] == "PROCESSING_HALTED"


async def test_subrequest_errors_keep_their_status(api: Any) -> None:
    result = await api.post(
        "composite",
        json={
            "compositeRequest": [
                sub("GET", "/sobjects/Nope/describe", "missing"),
                sub("PUT", "/sobjects/Account", "wrongMethod", {"Name": "x"}),
                sub("GET", "/query?q=SELEC+nothing", "badQuery"),
            ]
        },
    )
    responses = result.body["compositeResponse"]
    assert [r["httpStatusCode"] for r in responses] == [404, 405, 400]
    assert responses[2]["body"][0]["errorCode"] == "MALFORMED_QUERY"


async def test_at_most_25_subrequests(api: Any) -> None:
    many = [sub("GET", "/limits", f"r{i}") for i in range(26)]
    result = await api.post("composite", json={"compositeRequest": many})
    assert result.status == 400 and result.error_code == "LIMIT_EXCEEDED"
    assert "25" in result.body[0]["message"]
    ok = await api.post("composite", json={"compositeRequest": many[:25]})
    assert ok.status == 200 and len(ok.body["compositeResponse"]) == 25


async def test_at_most_5_queries(api: Any) -> None:
    queries = [sub("GET", "/query?q=SELECT+Id+FROM+User+LIMIT+1", f"q{i}") for i in range(6)]
    result = await api.post("composite", json={"compositeRequest": queries})
    assert result.status == 400 and result.error_code == "LIMIT_EXCEEDED"


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"compositeRequest": "no"},
        {"compositeRequest": []},
        {"compositeRequest": [{"method": "GET", "url": V + "/limits", "referenceId": "bad-id"}]},
        {"compositeRequest": [{"method": "get", "url": V + "/limits", "referenceId": "a"}]},
        {"compositeRequest": [{"method": "GET", "url": "/limits", "referenceId": "a"}]},
        {"compositeRequest": [sub("GET", "/limits", "a"), sub("GET", "/limits", "a")]},
        {"compositeRequest": [{**sub("GET", "/limits", "a"), "httpHeaders": {"Authorization": "Bearer x"}}]},
    ],
)
async def test_malformed_composite_requests(api: Any, body: Any) -> None:
    result = await api.post("composite", json=body)
    assert result.status == 400
    assert result.error_code == "INVALID_INPUT"


async def test_composite_counts_as_one_api_call(api: Any, sandbox: Any) -> None:
    before = sandbox.limits.used
    await api.post("composite", json={"compositeRequest": [sub("GET", "/limits", f"r{i}") for i in range(5)]})
    assert sandbox.limits.used == before + 1


async def test_composite_cannot_nest(api: Any) -> None:
    result = await api.post(
        "composite", json={"compositeRequest": [sub("POST", "/composite", "inner", {"compositeRequest": []})]}
    )
    assert result.body["compositeResponse"][0]["httpStatusCode"] == 404
