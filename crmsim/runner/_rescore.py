"""Scoring a finished run again from its saved events, without running any conversation."""

from __future__ import annotations

import json
from pathlib import Path

from crmsim.actors import LLMJudge, Transcript, judge_transcript
from crmsim.bus import envelope_from_event
from crmsim.errors import ConfigError
from crmsim.tasks import load_tasks

from ._events import iter_events
from ._results import ConversationResult, read_results, score_record


async def rescore(directory: Path, llm: LLMJudge | None = None) -> list[ConversationResult]:
    """Score every ended conversation of the run again (with ``llm``: ask that judge model);
    ``scores.jsonl`` gains one record per conversation and ``results.jsonl`` is rewritten with the
    new rewards (atomically)."""
    tasks_file = directory / "tasks.jsonl"
    if not tasks_file.exists():
        raise ConfigError(f"{directory} has no tasks.jsonl; only runs made by crmsim run can be re-scored")
    tasks = {task.id: task for task in load_tasks(tasks_file)}
    transcripts: dict[str, Transcript] = {}
    for event in iter_events(directory):
        envelope = envelope_from_event(event)
        transcripts.setdefault(envelope.conversation_id, Transcript(envelope.conversation_id)).add(envelope)
    results = read_results(directory)
    rescored: list[ConversationResult] = []
    with (directory / "scores.jsonl").open("a", encoding="utf-8") as scores:
        for result in results:
            transcript = transcripts.get(result.conversation_id)
            task = tasks.get(result.task_id)
            if transcript is None or transcript.ended is None or task is None:
                rescored.append(result)
                continue
            scored = await judge_transcript(task, transcript, llm)
            scores.write(json.dumps(score_record(result.conversation_id, scored, "rescore")) + "\n")
            rescored.append(result.model_copy(update={"reward": scored.reward, "scores": scored.scores,
                                                      "scoring_error": scored.error}))
    partial = directory / "results.jsonl.partial"
    partial.write_text("".join(r.model_dump_json() + "\n" for r in rescored), encoding="utf-8")
    partial.replace(directory / "results.jsonl")
    return rescored
