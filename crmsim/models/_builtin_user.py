"""``crmsim-user``: the built-in simulated user.

It sees the conversation from the user's side (its own messages as ``assistant``, the agent's as
``user``). It opens with the task's query (single-turn) or a vague version of it (multi-turn); when
the agent asks for something, it gives one held fact it has not given yet (the one the question
names, else the next); when the agent answers, or nothing is left to give, it ends with
:data:`STOP_SIGNAL`.
"""

from __future__ import annotations

from crmsim.errors import ModelError

from ._base import Completion, CompletionRequest, Model, Usage
from ._facts import asks_something, is_released, requested_fact, vague_opening
from ._tokens import count_prompt_tokens, count_tokens

STOP_SIGNAL = "###STOP###"


class BuiltinUser(Model):
    name = "crmsim-user"

    async def complete(self, request: CompletionRequest) -> Completion:
        task = request.task
        if task is None:
            raise ModelError("needs the task (it plays a scripted part)", model=self.name, role=request.role)
        own = [m["content"] for m in request.messages if m["role"] == "assistant"]
        agent = [m["content"] for m in request.messages if m["role"] == "user"]
        if not own:
            text = vague_opening(task) if request.mode == "multi" else task.query
        elif not agent:
            raise ModelError("asked to speak twice without an agent message in between", model=self.name,
                             role=request.role)
        else:
            left = [fact for fact in task.held_facts if not is_released(fact, own)]
            if request.mode == "multi" and left and asks_something(agent[-1]):
                text = (requested_fact(agent[-1], left) or left[0]).utterance
            else:
                text = STOP_SIGNAL
        usage = Usage(count_prompt_tokens(request.messages), count_tokens(text))
        return Completion(text=text, model=self.name, usage=usage)
