"""SOQL and SOSL resources: ``query``, ``queryAll``, query locators, ``search``,
``parameterizedSearch``. Parsing and execution belong to the SOQL and SOSL engines; this module
pages their results and maps the REST parameters onto them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crmsim.errors import SalesforceError

from ._pagination import batch_size
from ._routing import Call, Reply, json_error
from .sosl import execute_sosl, parameterized_to_sosl

if TYPE_CHECKING:
    from ._state import Sandbox


async def _run_query(sandbox: Sandbox, call: Call, resource: str, include_deleted: bool) -> Reply:
    text = call.query.get("q")
    if text is None or not text.strip():
        raise SalesforceError("A query string has to be specified", "MALFORMED_QUERY")
    user_id = call.session.user.user_id if call.session else None
    result = await sandbox.engine.query(text, include_deleted=include_deleted,
                                        api_version=call.version, user_id=user_id)
    batch = batch_size(call.headers, sandbox.config.query_batch_size)
    page = sandbox.cursors.first_page(list(result.records), result.total_size, batch,
                                      call.url(resource))
    return Reply(200, page)


async def query(sandbox: Sandbox, call: Call) -> Reply:
    """``GET query?q=SOQL``."""
    return await _run_query(sandbox, call, "query", include_deleted=False)


async def query_all(sandbox: Sandbox, call: Call) -> Reply:
    """``GET queryAll?q=SOQL``: like ``query`` but deleted rows are included."""
    return await _run_query(sandbox, call, "queryAll", include_deleted=True)


async def query_more(sandbox: Sandbox, call: Call) -> Reply:
    """``GET query/{locator}-{offset}``: the next batch of an earlier query."""
    return Reply(200, sandbox.cursors.next_page(call.params["locator"], call.url("query")))


async def query_all_more(sandbox: Sandbox, call: Call) -> Reply:
    return Reply(200, sandbox.cursors.next_page(call.params["locator"], call.url("queryAll")))


async def search(sandbox: Sandbox, call: Call) -> Reply:
    """``GET search?q=SOSL``."""
    text = call.query.get("q")
    if text is None or not text.strip():
        raise SalesforceError("No search term found. The search term must be enclosed in braces.",
                                 "MALFORMED_SEARCH")
    return Reply(200, await execute_sosl(sandbox.store, sandbox.engine, text,
                                         api_version=call.version))


async def parameterized_search(sandbox: Sandbox, call: Call) -> Reply:
    """``parameterizedSearch``: GET with query parameters, or POST with a JSON body."""
    params: dict[str, Any]
    if call.method == "POST":
        body = call.json()
        if not isinstance(body, dict):
            raise json_error("Cannot deserialize instance of SearchRequest from "
                             "START_ARRAY value [ or request may be missing a required field")
        params = body
    else:
        params = {}
        for key in call.query:
            values = call.query.getall(key)
            params[key] = values[0] if len(values) == 1 else list(values)
    text = parameterized_to_sosl(params)
    return Reply(200, await execute_sosl(sandbox.store, sandbox.engine, text,
                                         api_version=call.version))
