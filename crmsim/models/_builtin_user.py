"""``crmsim-user``: the built-in simulated user.

It sees the conversation from the user's side (its own messages as ``assistant``, the agent's as
``user``). It opens with the task's query (single-turn) or a vague version of it (multi-turn); when
the agent asks for something, it answers under the persona's disclosure rules (the disclosure
engine, ``_disclosure.py``; ``request.extra["disclosure"]``, default: one fact, only when asked);
when the agent answers, or nothing is left to give, it ends with :data:`STOP_SIGNAL`.
"""

from __future__ import annotations

from crmsim.errors import ModelError

from ._base import Completion, CompletionRequest, Model, Usage
from ._disclosure import STOP_SIGNAL, DisclosureRules, opening, reply
from ._tokens import count_prompt_tokens, count_tokens


class BuiltinUser(Model):
    name = "crmsim-user"

    async def complete(self, request: CompletionRequest) -> Completion:
        task = request.task
        if task is None:
            raise ModelError("needs the task (it plays a scripted part)", model=self.name, role=request.role)
        rules = DisclosureRules.from_extra(request.extra)
        own = [m["content"] for m in request.messages if m["role"] == "assistant"]
        agent = [m["content"] for m in request.messages if m["role"] == "user"]
        if not own:
            text = opening(task, request.mode, rules)
        elif not agent:
            raise ModelError("asked to speak twice without an agent message in between", model=self.name,
                             role=request.role)
        elif request.mode != "multi":
            text = STOP_SIGNAL
        else:
            text = reply(task, rules, own, agent)
        usage = Usage(count_prompt_tokens(request.messages), count_tokens(text))
        return Completion(text=text, model=self.name, usage=usage)
