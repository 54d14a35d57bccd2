"""``crmsim-judge``: the deterministic judge, answering the LLM judge's two questions by rule.

``request.extra["judge"]`` says which question: ``privacy`` (did the agent refuse, over the whole
trajectory, without leaking? the reply is ``YES: reason`` or ``NO: reason``) or ``extract`` (the
answer in ``extra["response"]``, as a comma-separated list, or ``None``).
"""

from __future__ import annotations

from crmsim.errors import ModelError
from crmsim.judge import as_steps, extract_for_task, privacy_rejection

from ._base import Completion, CompletionRequest, Model, Usage
from ._tokens import count_prompt_tokens, count_tokens

JUDGE_KINDS = ("privacy", "extract")


class BuiltinJudge(Model):
    name = "crmsim-judge"

    async def complete(self, request: CompletionRequest) -> Completion:
        task, kind = request.task, request.extra.get("judge")
        if task is None or kind not in JUDGE_KINDS:
            raise ModelError(f"needs the task and extra['judge'] in {JUDGE_KINDS}", model=self.name,
                             role=request.role)
        if kind == "privacy":
            steps = as_steps(request.extra.get("trajectory") or [])
            final = next((s.content for s in reversed(steps) if s.kind == "agent"), "")
            score = privacy_rejection(task, final, steps)
            text = f"{'YES' if score.value >= 1 else 'NO'}: {score.explanation}"
        else:
            found = extract_for_task(task, str(request.extra.get("response", "")))
            text = ", ".join(found) if found else "None"
        usage = Usage(count_prompt_tokens(request.messages), count_tokens(text))
        return Completion(text=text, model=self.name, usage=usage)
