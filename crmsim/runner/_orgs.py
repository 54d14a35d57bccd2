"""The orgs a run talks to: the embedded sandbox per org (generated once into the cache), a client,
and the schema part of the agent's prompt."""

from __future__ import annotations

from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path

import anyio
import structlog

from crmsim.actors import schema_prompt
from crmsim.salesforce import SalesforceClient, SalesforceConfig
from crmsim.sandbox import create_app, open_store, serve_sandbox
from crmsim.sandbox.cache import ensure_org

log = structlog.get_logger("crmsim.runner")


@dataclass
class OrgHandle:
    org: str
    db: Path
    url: str
    client: SalesforceClient
    schema: str


async def open_org(stack: AsyncExitStack, org: str, *, seed: int, scale: float, max_concurrency: int,
                   salesforce: SalesforceConfig | None = None) -> OrgHandle:
    """Serve ``org`` from the cache (generating it if missing) until ``stack`` closes.

    With ``salesforce``, connect to that org instead (a real org, or a sandbox served elsewhere);
    the cached database is still the source of generated tasks.
    """
    db, generated = await anyio.to_thread.run_sync(lambda: ensure_org(org, seed=seed, scale=scale))
    if generated:
        log.info("org_generated", org=org, db=str(db), seed=seed, scale=scale)
    if salesforce is not None:
        client = await stack.enter_async_context(SalesforceClient(salesforce))
        return OrgHandle(org=org, db=db, url=salesforce.instance_url, client=client,
                         schema=await schema_prompt(client, org))
    store = open_store(db, org)
    stack.callback(store.close)
    url = await stack.enter_async_context(serve_sandbox(create_app(store)))
    client = await stack.enter_async_context(
        SalesforceClient(SalesforceConfig(instance_url=url, max_concurrency=max_concurrency)))
    return OrgHandle(org=org, db=db, url=url, client=client, schema=await schema_prompt(client, org))
