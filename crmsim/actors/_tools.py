"""The Salesforce tools actor: one per org, shared by every conversation on that org.

It takes ``tool_call`` envelopes from its inbox, runs each statement through the client's tool
layer concurrently (the client limits requests in flight) and answers the caller with a
``tool_result``. A query the org rejects is an observation the agent sees; an org that cannot be
reached (after the client's retries) is a failed result that ends that conversation.
"""

from __future__ import annotations

import time

import anyio
import structlog
from anyio.abc import ObjectReceiveStream, TaskStatus

from crmsim.bus import Bus, Envelope, ToolCall, ToolResult
from crmsim.errors import SalesforceError
from crmsim.salesforce import SalesforceClient, SalesforceTool

log = structlog.get_logger("crmsim.tools")


def tools_address(org: str) -> str:
    return f"tools/{org}"


class SalesforceToolsActor:
    def __init__(self, bus: Bus, org: str, client: SalesforceClient, *, max_chars: int | None = None,
                 max_buffer: int = 256) -> None:
        self.bus = bus
        self.org = org
        self.address = tools_address(org)
        self.tool = SalesforceTool(client, max_chars=max_chars, raise_outages=True)
        self._inbox: ObjectReceiveStream[Envelope] = bus.open_inbox(self.address, max_buffer=max_buffer)
        self.calls = 0

    async def run(self, *, task_status: TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        async with anyio.create_task_group() as tg, self._inbox:
            task_status.started()
            async for envelope in self._inbox:
                if isinstance(envelope.payload, ToolCall):
                    tg.start_soon(self._handle, envelope, envelope.payload)
                else:
                    log.warning("unexpected_envelope", actor=self.address, kind=envelope.kind)

    def close(self) -> None:
        self.bus.close_inbox(self.address)

    async def _handle(self, envelope: Envelope, call: ToolCall) -> None:
        started = time.perf_counter()
        failed = False
        try:
            observation = await self.tool.execute(call.statement)
        except SalesforceError as exc:
            failed = True
            observation = f"the Salesforce tool failed: {exc.error_code}: {exc.message}"
            log.warning("tool_failed", conversation_id=envelope.conversation_id, error=observation)
        self.calls += 1
        reply = Envelope(run_id=envelope.run_id, conversation_id=envelope.conversation_id, sender=self.address,
                         recipient=envelope.sender,
                         payload=ToolResult(observation=observation, step=call.step, failed=failed,
                                            duration_s=round(time.perf_counter() - started, 6)))
        await self.bus.send(reply)
