"""Solver of sales_insight_mining.

The subtopics to report are the task's ``- Subtopics:`` line. Every call of the opportunity
(VoiceCallTranscript__c by OpportunityId__c) is read line by line; a statement (not a question) is
about the listed subtopic whose cue word it mentions first (``pricing`` for pricing and budget fit,
``rollout`` for implementation, ``offer`` for competing offers, ...) and has a sentiment when it
carries a negative cue (a sticking point, falls short, worries, poor, painful, concerns, a problem,
doesn't convince, another offer looks better) or else a positive one (fits, covers what we need,
solid, great, straightforward, went well, lines up, stands out, fair, easy, fine, reassures, works).
The answer is the subtopics with the sentiment the query asks for, sorted and comma-separated, or
None.
"""

from __future__ import annotations

import re

from .._model import NONE_ANSWER, Task
from .._types import TaskType
from . import Toolbox, solver
from ._sales_leads import BODY_FIELD
from ._service_common import fact, quote, record_id

TOPIC_CUES: dict[str, tuple[str, ...]] = {
    "pricing and budget fit": ("pricing",),
    "product capabilities": ("features", "capabilities"),
    "implementation and onboarding": ("rollout", "implementation", "onboarding"),
    "support and service": ("support",),
    "integration with existing systems": ("integration",),
    "security and compliance": ("security", "compliance"),
    "scalability and roadmap": ("roadmap", "scalab"),
    "competing offers": ("offer",),
    "price and value": ("price",),
    "product features": ("features",),
    "setup and installation": ("setup", "installation"),
    "customer support": ("support",),
    "compatibility with my devices": ("compatib",),
    "warranty and returns": ("warranty", "return"),
    "delivery and availability": ("delivery", "availab"),
}
NEGATIVE = re.compile(
    r"sticking point|fall short|\bworr|\bpoor\b|painful|concern|doesn't convince|looks better|problem|letdown", re.I
)
POSITIVE = re.compile(
    r"\bfits\b|\bfit\b|cover what|solid|great|straightforward|went well|lines up|stands out|\bfair\b|\beasy\b|"
    r"\bfine\b|reassur|work for me",
    re.I,
)


def _tone(query: str) -> str:
    return "negative" if re.search(r"\bnegativ", query, re.I) else "positive"


def classify(text: str, topics: list[str]) -> dict[str, set[str]]:
    """``subtopic -> {sentiments}`` found in ``text`` for the listed ``topics``."""
    cues = {topic: TOPIC_CUES.get(topic.lower(), tuple(w.lower() for w in topic.split()[:1])) for topic in topics}
    found: dict[str, set[str]] = {}
    for line in text.splitlines():
        said = line.partition(":")[2] if ":" in line else line
        if said.strip().endswith("?"):
            continue
        lowered = said.lower()
        hits = [(m.start(), topic) for topic, words in cues.items() for word in words
                if (m := re.search(rf"\b{re.escape(word)}", lowered))]
        if not hits:
            continue
        topic = min(hits)[1]
        tone = "negative" if NEGATIVE.search(said) else "positive" if POSITIVE.search(said) else None
        if tone:
            found.setdefault(topic, set()).add(tone)
    return found


@solver(TaskType.SALES_INSIGHT_MINING)
async def sales_insight_mining(task: Task, box: Toolbox) -> str:
    opp = record_id(fact(task, "opportunity id to be considered is", "opportunity id"))
    topics = [t.strip() for t in fact(task, "subtopics").split(";") if t.strip()]
    body = BODY_FIELD.get(task.org, "TranscriptBody__c")
    calls = await box.records(f"SELECT Id, {body} FROM VoiceCallTranscript__c WHERE OpportunityId__c = {quote(opp)}")
    found = classify("\n".join(str(c.get(body) or "") for c in calls), topics)
    tone = _tone(task.query)
    names = sorted(topic for topic, tones in found.items() if tone in tones)
    return ", ".join(names) if names else NONE_ANSWER
