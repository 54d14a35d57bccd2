import json, anyio
from collections import Counter
from test_conversation import SlowSink, conversation, running
from crmsim.actors import SalesforceToolsActor
from crmsim.bus import MemoryBus
from crmsim.models import ReferenceAgent
from crmsim.tasks import TaskType

class Rec:
    def __init__(self, bus): self.bus=bus; self._tap=bus.tap("rec", max_buffer=100000); self.envs=[]
    async def run(self, *, task_status=anyio.TASK_STATUS_IGNORED):
        async with self._tap:
            task_status.started()
            async for e in self._tap: self.envs.append(e)
    def close(self): self.bus.close_tap("rec")

async def test_exp(b2b, client, tmp_path):
    bus = MemoryBus("run-test")
    rec = Rec(bus)
    sink = SlowSink(bus, tmp_path / "e.jsonl", max_buffer=2, batch=2)
    tools = SalesforceToolsActor(bus, "b2b", client)
    tasks = [b2b.task(t) for t in (TaskType.HANDLE_TIME, TaskType.LEAD_ROUTING, TaskType.QUOTE_APPROVAL, TaskType.PRIVATE_CUSTOMER_INFORMATION)]
    convos = [conversation(bus, t, ReferenceAgent(), mode=m) for t in tasks for m in ("single","multi")]
    async with running(rec, sink, tools):
        async with anyio.create_task_group() as tg:
            for c in convos: tg.start_soon(c.run)
        print("behind", bus.statistics().sent - sink.written)
    lines = [json.loads(l) for l in (tmp_path/"e.jsonl").read_text().splitlines()]
    logged = {(l["conversation_id"], l["seq"]) for l in lines}
    missing = [(e.conversation_id[-20:], e.seq, e.kind) for e in rec.envs if (e.conversation_id, e.seq) not in logged]
    print("sent", bus.statistics().sent, "logged", len(lines), "rec", len(rec.envs))
    print("missing", missing)
