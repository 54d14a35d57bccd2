"""The benchmark's ReAct text protocol between the agent and its model.

Each model turn is ``<thought>...</thought>`` followed by exactly one ``<execute>SOQL or SOSL</execute>``
or ``<respond>message</respond>``. Anything else is malformed: the agent answers it with
:data:`CORRECTIVE_MESSAGE` and the turn still counts as a step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

OBSERVATION_PREFIX = "Salesforce instance output:"
CORRECTIVE_MESSAGE = (
    "Invalid output format. Reply with <thought>your reasoning</thought> followed by exactly one of "
    "<execute>a SOQL or SOSL statement</execute> or <respond>your message to the user</respond>."
)
_THOUGHT = re.compile(r"<thought>(.*?)</thought>", re.S | re.I)
_ACTION = re.compile(r"<(execute|respond)>(.*?)</\1>", re.S | re.I)
_OPEN_TAG = re.compile(r"<(execute|respond)>", re.I)


@dataclass(frozen=True, slots=True)
class Turn:
    """A parsed model turn: ``execute`` or ``respond`` with its content, or ``malformed`` with the problem."""

    action: Literal["execute", "respond", "malformed"]
    content: str
    thought: str = ""


def parse_turn(text: str) -> Turn:
    actions = _ACTION.findall(text)
    thought_match = _THOUGHT.search(text)
    thought = thought_match.group(1).strip() if thought_match else ""
    if len(actions) == 1:
        name, content = actions[0]
        content = content.strip()
        if not content:
            return Turn("malformed", f"the <{name.lower()}> block is empty", thought)
        return Turn("execute" if name.lower() == "execute" else "respond", content, thought)
    if actions:
        return Turn("malformed", f"{len(actions)} actions in one turn; give exactly one", thought)
    if _OPEN_TAG.search(text):
        return Turn("malformed", "an <execute> or <respond> tag is not closed", thought)
    return Turn("malformed", "no <execute> or <respond> block", thought)


def format_turn(thought: str, *, execute: str | None = None, respond: str | None = None) -> str:
    if (execute is None) == (respond is None):
        raise ValueError("a turn has exactly one of execute or respond")
    action = f"<execute>{execute}</execute>" if execute is not None else f"<respond>{respond}</respond>"
    return f"<thought>{thought}</thought>\n{action}"


def observation_message(observation: str) -> str:
    return f"{OBSERVATION_PREFIX} {observation}"
