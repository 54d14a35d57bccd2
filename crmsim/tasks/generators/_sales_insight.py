"""Generator of sales_insight_mining.

An opportunity's calls (VoiceCallTranscript__c by OpportunityId__c) discuss subtopics, each with a
sentiment. The insight latent lists the org's subtopics and the phrase that marks each one said
negatively and positively; a subtopic is discussed negatively (positively) on an opportunity when
one of its calls contains that marker. The task asks for the subtopics of one sentiment; the answer
is their names, sorted and comma-separated (fuzzy match), or None when there are none.

The latent's opportunities come first (each subtopic always has one sentiment there); further
opportunities with calls are asked about only when no subtopic is discussed with both sentiments,
so that the answer is unique.
"""

from __future__ import annotations

from collections import defaultdict

from .._model import Task
from .._types import TaskType
from . import GenContext, generator
from ._sales_common import BODY_FIELD, id_line, record_held
from ._service_common import make_task, mix, today_line

INSIGHT_GUIDE = """## Sales insight mining
- Read every call transcript of the opportunity: the VoiceCallTranscript__c records whose OpportunityId__c is \
its Id.
- In these calls the customer speaks about some of the subtopics listed below, each with one sentiment: \
negative (a complaint, a worry, a rival doing better) or positive (approval, praise).
- Answer with the names of the subtopics discussed with the sentiment asked for, exactly as listed and \
separated by commas, or None if there are none.
- Subtopics: {topics}"""

_QUERIES = {
    "negative": (
        "Which subtopics come up with negative sentiment in the sales calls of this opportunity? Return only the "
        "subtopic names, comma-separated, or None.",
        "What does the customer speak negatively about in this opportunity's calls? List only the subtopics, or "
        "None if nothing negative was said.",
        "In the conversations on this opportunity, which discussion subtopics show a negative tone toward our "
        "solution? Return only the subtopic names.",
        "Find the subtopics the customer raised with negative sentiment during the calls for this opportunity. "
        "Return only their names, or None.",
    ),
    "positive": (
        "Which subtopics come up with positive sentiment in the sales calls of this opportunity? Return only the "
        "subtopic names, comma-separated, or None.",
        "What does the customer speak positively about in this opportunity's calls? List only the subtopics, or "
        "None if nothing positive was said.",
        "In the conversations on this opportunity, which discussion subtopics show a positive tone toward our "
        "solution? Return only the subtopic names.",
        "Find the subtopics the customer raised with positive sentiment during the calls for this opportunity. "
        "Return only their names, or None.",
    ),
}


def sentiments(ctx: GenContext, markers: dict[str, list[str]]) -> dict[str, dict[str, list[str]]]:
    """``opportunity -> {"negative": [...], "positive": [...]}`` where no subtopic has both sentiments."""
    bodies: dict[str, list[str]] = defaultdict(list)
    rows = ctx.rows(f"SELECT OpportunityId__c, {BODY_FIELD[ctx.org]} FROM VoiceCallTranscript__c "
                    "WHERE OpportunityId__c IS NOT NULL")
    for opp, body in rows:
        bodies[str(opp)].append(str(body or "").lower())
    out = {}
    for opp, texts in bodies.items():
        said = " \n ".join(texts)
        negative = sorted(t for t, (neg, _) in markers.items() if neg.lower() in said)
        positive = sorted(t for t, (_, pos) in markers.items() if pos.lower() in said)
        if (negative or positive) and not set(negative) & set(positive):
            out[opp] = {"negative": negative, "positive": positive}
    return out


@generator(TaskType.SALES_INSIGHT_MINING)
def sales_insight_mining(ctx: GenContext) -> list[Task]:
    truth = ctx.latent("insight.subtopic_sentiment").truth
    markers: dict[str, list[str]] = truth["markers"]
    planted = set(truth["opportunities"])
    found = sentiments(ctx, markers)
    questions = [(opp, tone) for opp in sorted(found) for tone in ("negative", "positive")]
    ctx.rng.shuffle(questions)
    # planted opportunities first, one sentiment each before the second
    first_tone = {opp: ctx.rng.choice(("negative", "positive")) for opp in sorted(found)}
    questions.sort(key=lambda q: (q[0] not in planted, q[1] != first_tone[q[0]]))
    answered = [q for q in questions if found[q[0]][q[1]]]
    nones = [q for q in questions if not found[q[0]][q[1]]]
    guide = INSIGHT_GUIDE.format(topics="; ".join(sorted(markers)))
    tasks = []
    for opp, tone in mix(ctx.rng, answered, nones, ctx.per_type):
        names = found[opp][tone]
        required = [guide, "", today_line(ctx), id_line("Opportunity", opp)]
        held = [record_held(ctx.rng, "opportunity_id", "Opportunity", opp)]
        query = ctx.rng.choice(_QUERIES[tone])
        tasks.append(make_task(ctx, query, ", ".join(names) if names else None, required, held=held))
    return tasks
