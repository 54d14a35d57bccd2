"""Deterministic answer extraction for exact_match, one extractor per answer kind.

The benchmark asks an LLM to pull the answer list out of the agent's final response; these
extractors do the same with rules, so scoring needs no model. Each returns the answers it found in
canonical form (18-character Ids, two-letter state codes, full month names, the BANT and stage
names as the benchmark spells them), in order of first mention and without repeats, or
``["None"]`` when the response names none.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence

from crmsim.sandbox.ids import checksum, to18
from crmsim.tasks import NONE_ANSWER, AnswerKind

from ._vocab import AMBIGUOUS_STATES, BANT, MONTH_ALIASES, STAGES, STATE_NAMES

_SENTENCE_END = re.compile(r"[.!?;\n]")


def extract_answer(text: str, kind: AnswerKind | str, *, id_prefixes: Sequence[str] = ()) -> list[str]:
    """The answers of ``kind`` that ``text`` gives; ``["None"]`` when it gives none.

    ``id_prefixes`` restricts Ids to those key prefixes (``("005",)`` for agents), so that Ids the
    agent quotes from the question (a case, an opportunity) are not read as its answer.
    """
    kind = AnswerKind(kind)
    if kind in (AnswerKind.TEXT, AnswerKind.REFUSAL):
        return [text.strip()]
    found = _EXTRACTORS[kind](text, tuple(id_prefixes))
    return found or [NONE_ANSWER]


def canonical_answers(answers: Iterable[str], kind: AnswerKind | str) -> list[str]:
    """A task's answer list in the form the extractor produces, for comparison.

    An item listing several values (the published ``"Authority, Need"``) is split; Ids become 18
    characters; an item that is not in the kind's vocabulary is kept as written.
    """
    kind = AnswerKind(kind)
    out: list[str] = []
    for answer in answers:
        if answer == NONE_ANSWER or kind in (AnswerKind.TEXT, AnswerKind.REFUSAL):
            out.append(answer)
        elif kind is AnswerKind.IDS:
            out.append(_id18(answer.strip()) or answer.strip())
        else:
            vocabulary = _VOCABULARY[kind]
            for piece in re.split(r"\s*(?:,|/|\band\b)\s*", answer.strip()):
                if piece:
                    out.append(vocabulary.get(piece.casefold(), piece))
    return _unique(out)


def answer_key(answer: str, kind: AnswerKind | str) -> str:
    """What two answers must share to be equal: Ids compare case-insensitively as 18 characters."""
    return answer.upper() if AnswerKind(kind) is AnswerKind.IDS else answer


# -- Ids -----------------------------------------------------------------------------------------

_ID_TOKEN = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z0-9]{18}|[A-Za-z0-9]{15})(?![A-Za-z0-9])")


def _id18(token: str) -> str | None:
    if not re.fullmatch(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?", token):
        return None
    return to18(token) if len(token) == 15 else token


def _looks_like_id(token: str) -> bool:
    """Without known prefixes: a checksum-valid 18-character Id, or 15 characters mixing letters and digits."""
    if len(token) == 18:
        return token[15:].upper() == checksum(token[:15]) or token[15:].upper() == checksum(token[:15].upper())
    return sum(ch.isdigit() for ch in token) >= 3 and any(ch.isalpha() for ch in token)


def _ids(text: str, prefixes: tuple[str, ...]) -> list[str]:
    found = []
    for match in _ID_TOKEN.finditer(text):
        token = match.group()
        prefix = token[:3] if len(token) == 15 else token[:3].upper()
        if prefixes and prefix not in (prefixes if len(token) == 15 else [p.upper() for p in prefixes]):
            continue
        if not prefixes and not _looks_like_id(token):
            continue
        found.append(_id18(token) or token)
    return _unique(found, key=str.upper)


# -- states --------------------------------------------------------------------------------------

_STATE_BY_NAME = {name: code for code, name in STATE_NAMES.items()} | {"Washington D.C.": "DC", "Washington DC": "DC"}
_STATE_NAME = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in sorted(_STATE_BY_NAME, key=len, reverse=True))
                         + r")(?![A-Za-z])")
_STATE_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}(?![A-Za-z0-9])")
_LIST_GAP = re.compile(r"^(?:\s*(?:,|/|&|\band\b|\bor\b)\s*)+$")


def _states(text: str, prefixes: tuple[str, ...]) -> list[str]:
    mentions: list[tuple[int, int, str]] = []  # (start, end, code)
    taken: list[tuple[int, int]] = []
    for match in _STATE_NAME.finditer(text):
        mentions.append((match.start(), match.end(), _STATE_BY_NAME[match.group()]))
        taken.append(match.span())
    pending: list[tuple[int, int, str]] = []
    for match in _STATE_CODE.finditer(text):
        code = match.group()
        if code not in STATE_NAMES or any(a <= match.start() < b for a, b in taken):
            continue
        if code in AMBIGUOUS_STATES and not _state_context(text, match.start(), match.end()):
            pending.append((match.start(), match.end(), code))
        else:
            mentions.append((match.start(), match.end(), code))
    # An ambiguous code listed next to an accepted one ("TX, OR") is a state too.
    changed = True
    while changed and pending:
        changed = False
        for item in list(pending):
            if any(_LIST_GAP.match(text[min(item[1], m[1]):max(item[0], m[0])]) for m in mentions):
                mentions.append(item)
                pending.remove(item)
                changed = True
    return _unique(code for _, _, code in sorted(mentions))


def _state_context(text: str, start: int, end: int) -> bool:
    """Whether an ambiguous two-letter word at ``text[start:end]`` reads as a state code."""
    if not re.sub(r"[\W_]+", "", text[:start] + text[end:]):
        return True  # the whole answer is the code
    before, after = text[max(0, start - 2):start], text[end:end + 2]
    if re.search(r"[(\"'*`]$", before) and re.match(r"[)\"'*`]", after):
        return True  # (IN), "OR", **ID**
    sentence_start = max((m.end() for m in _SENTENCE_END.finditer(text, 0, start)), default=0)
    sentence = text[sentence_start:start]
    if not sentence.strip():
        return False  # "OK, ..." at the start of a sentence
    if re.match(r"\s+[A-Za-z0-9]", text[end:]):
        return False  # "ID 500Wt...", "OR the", "IN the"
    if re.search(r"\b(?:state|states|region|regions|answer)\b", sentence, re.I):
        return True
    # the last word of a sentence after "is", "in", ":" ("... were closed quickest in OR.")
    return bool(re.search(r"(?:\b(?:is|are|was|were|in|be)|:)\s*$", sentence)) and not re.match(r"\s*\w", text[end:])


# -- months --------------------------------------------------------------------------------------

_MONTH = re.compile(
    r"\b(?:(?i:january|february|march|april|june|july|august|september|october|november|december)"
    r"|May(?!\s+(?:I|we|you|be|have|not|also|need|want)\b)|MAY"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec|JAN|FEB|MAR|APR|JUN|JUL|AUG|SEPT|SEP|OCT|NOV|DEC)\b"
)
_ANY_MONTH = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
              r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?(?:\s+\d{4})?")
_MONTH_RANGE = re.compile(
    rf"\b(?:(?:from|between)\s+({_ANY_MONTH})\s*(?:-|–|—|to|through|until|and)\s*({_ANY_MONTH})"
    rf"|({_ANY_MONTH})\s*(?:-|–|—|to|through|until)\s*({_ANY_MONTH}))\b",
    re.I,
)


def _month(word: str) -> str | None:
    word = word.rstrip(".")
    return MONTH_ALIASES.get(word) or MONTH_ALIASES.get(word.capitalize())


def _months(text: str, prefixes: tuple[str, ...]) -> list[str]:
    found = [(m.start(), month) for m in _MONTH.finditer(text) if (month := _month(m.group()))]
    # Months that only bound a period ("from June 2023 to March 2024", "Jan-Mar") are context, not
    # the answer, unless nothing else is named.
    bounds: set[int] = set()
    for match in _MONTH_RANGE.finditer(text):
        bounds.update(match.start(group) for group in range(1, 5) if match.group(group))
    answers = [month for pos, month in found if pos not in bounds]
    return _unique(answers or [month for _, month in found])


# -- BANT ----------------------------------------------------------------------------------------

_FACTOR = re.compile(
    r"\b(?:(?P<Budget>(?i:budget(?:ary)?|funding))"
    r"|(?P<Authority>(?i:authority|decision[- ]maker|decision[- ]making\s+(?:power|authority)))"
    r"|(?P<Need>(?:Need|NEED|(?<=[\"'‘“])need"
    r"|(?i:(?:a|no|clear|business|genuine|specific|identified|real|urgent|defined|the)\s+need))(?!\s+to\b))"
    r"|(?P<Timeline>(?i:timeline|time[- ]?frame|timing)))\b"
)
_CLAUSE_BREAK = re.compile(r"[.;!?\n]|\b(?:but|however|whereas|while|although|though|yet|except)\b", re.I)
_NO_PROBLEM = re.compile(r"\bno\s+(?:issues?|problems?|concerns?|gaps?)\b", re.I)
_FAIL = re.compile(
    r"\b(?:fail(?:s|ed|ing)?|lack(?:s|ed|ing)?|missing|insufficient|inadequate|unmet|unclear|weak|"
    r"not\s+(?:been\s+)?(?:met|satisfied|fulfill?ed|confirmed|established|clear|aligned|sufficient|present|defined)|"
    r"(?:does|do|did)\s*(?:n't|\s+not)\s+(?:meet|satisfy|have)|(?:is|are|was|were)\s*(?:n't|\s+not)\s+met|"
    r"no\s+(?:clear\s+|defined\s+|allocated\s+|approved\s+)?(?:budget|authority|need|timeline)|"
    r"concerns?|issues?|problems?|gaps?|shortfall|disqualif\w*|blockers?|"
    r"not\s+qualified|(?:can\s*not|cannot|can't|should\s*n't|should\s+not)\s+be\s+qualified)\b"
    r"|[❌✗✘]",
    re.I,
)
_MET = re.compile(
    r"\b(?:meets?|met|satisf(?:y|ies|ied)|fulfill?(?:s|ed)?|confirmed|in\s+place|sufficient|aligned|ok|okay|"
    r"(?:is|are)\s+(?:fine|clear|good|present|adequate))\b|[✅✔✓]",
    re.I,
)


def _verdict(text: str) -> bool | None:
    """True: the text says a factor fails; False: that it is met; None: it says neither."""
    plain = _NO_PROBLEM.sub(" ", text)
    if _FAIL.search(plain):
        return True
    if _MET.search(plain) or plain != text:
        return False
    return None


def _bant(text: str, prefixes: tuple[str, ...]) -> list[str]:
    """The factors the lead fails: named where the text says so, or just listed; not those said to be met."""
    found: list[str] = []
    start = 0
    for end in [m.start() for m in _CLAUSE_BREAK.finditer(text)] + [len(text)]:
        clause, start = text[start:end], end
        if not _FACTOR.search(clause):
            continue
        verdict = _verdict(clause)
        if verdict is not None and _FAIL.search(_NO_PROBLEM.sub(" ", clause)) and _MET.search(clause):
            found.extend(_mixed_clause(clause))  # "Budget is met, Authority is not met"
        elif verdict is not False:
            found.extend(m.lastgroup for m in _FACTOR.finditer(clause) if m.lastgroup)
    return _unique(found)


def _mixed_clause(clause: str) -> list[str]:
    """A clause saying some factors are met and others fail: judge each piece on its own.

    The clause is cut at commas and "and", and again before each factor when a piece names
    several. A piece with no verdict of its own takes its neighbour's: the previous piece's when
    that one puts its verdict first ("meets Budget and Need"), else the next piece's when that one
    puts it last ("Budget, Need and Timeline are met").
    """
    pieces: list[str] = []
    for part in re.split(r",|\band\b", clause):
        starts = [m.start() for m in _FACTOR.finditer(part)]
        cuts = [0, *starts[1:], len(part)]
        pieces.extend(part[a:b] for a, b in zip(cuts, cuts[1:], strict=False) if part[a:b].strip())
    judged = [(_verdict(piece), _leading(piece)) for piece in pieces]
    found: list[str] = []
    for i, piece in enumerate(pieces):
        verdict = judged[i][0]
        if verdict is None:
            before = [(v, lead) for v, lead in judged[:i] if v is not None]
            after = [(v, lead) for v, lead in judged[i + 1:] if v is not None]
            if before and before[-1][1]:
                verdict = before[-1][0]
            elif after and not after[0][1]:
                verdict = after[0][0]
            else:
                verdict = (before[-1][0] if before else after[0][0]) if before or after else True
        if verdict:
            found.extend(m.lastgroup for m in _FACTOR.finditer(piece) if m.lastgroup)
    return found


def _leading(piece: str) -> bool:
    """Whether the piece's verdict comes before its factor ("fails Authority")."""
    factor = _FACTOR.search(piece)
    cue = _FAIL.search(piece) or _MET.search(piece)
    return bool(factor and cue and cue.start() < factor.start())


# -- stages --------------------------------------------------------------------------------------

_STAGE = re.compile(
    r"\b(?P<stage>Qualification|Discovery|Quote|Negotiation|Closed|QUALIFICATION|DISCOVERY|QUOTE|NEGOTIATION|CLOSED)"
    r"(?:\s*(?:Won|Lost|/\s*Review))?\b|(?<=[\"'‘“])(?P<quoted>(?i:qualification|discovery|quote|negotiation|closed))\b"
)
_FILLER = r"[\s\"'‘’“”*`:(]*(?:the\s+)?(?:(?:opportunity\s+)?stage\s+(?:name\s+|label\s+)?(?:of\s+)?)?[\s\"'‘’“”*`]*$"
_TARGET_CUE = re.compile(
    r"(?:\b(?:should|must|needs?\s+to|ought\s+to|has\s+to|would)\s+(?:be|have\s+been)"
    r"(?:\s+(?:moved|changed|updated|set|corrected|reverted|advanced|rolled|marked|labell?ed))?(?:\s+back)?"
    r"(?:\s+(?:to|at|in|as))?"
    r"|\b(?:correct|appropriate|right|proper|accurate|recommended|suggested|actual|true)\s+(?:opportunity\s+)?stage"
    r"(?:\s+(?:name|label))?\s*(?:is|would\s+be|should\s+be|:|=)?"
    r"|\b(?:move|moving|change|changing|update|updating|set|setting|revert|reverting|correct|correcting|advance|"
    r"advancing|rectify|rectifying|reclassify|reclassifying)(?:d|s)?\b(?:\s+\S+){0,6}?\s+(?:to|as)"
    r"|->|→|=>)" + _FILLER,
    re.I,
)
_CORRECT_CUE = re.compile(
    r"\b(?:is|are|seems|appears)\s+(?:already\s+)?(?:correct|accurate|appropriate|right|aligned|consistent)\b"
    r"|\b(?:accurately|correctly|properly)\s+(?:reflects?|represents?|matches)\b"
    r"|\bno\s+(?:change|update|correction)s?\b|\b(?:should|can)\s+(?:remain|stay)\b|\bkeep\s+(?:it|the\s+stage)\b"
    r"|\bdoes\s*(?:n't|\s+not)\s+need\s+(?:to\s+be\s+)?(?:changed|updated|corrected)\b",
    re.I,
)


def _stage_name(match: re.Match[str]) -> str:
    word = match.group("stage") or match.group("quoted")
    return word.capitalize()


def _stages(text: str, prefixes: tuple[str, ...]) -> list[str]:
    """The one stage the agent says the opportunity belongs in, or none when it says the stage is right."""
    mentions = list(_STAGE.finditer(text))
    if not mentions:
        return []
    targeted = [m for m in mentions if _TARGET_CUE.search(text, max(0, m.start() - 120), m.start())]
    if targeted:
        return [_stage_name(targeted[-1])]
    if _CORRECT_CUE.search(text):
        return []
    return [_stage_name(mentions[-1])]


# -- shared --------------------------------------------------------------------------------------


def _unique(items: Iterable[str], key: Callable[[str], str] = str) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        if key(item) not in seen:
            seen.add(key(item))
            out.append(item)
    return out


_EXTRACTORS: dict[AnswerKind, Callable[[str, tuple[str, ...]], list[str]]] = {
    AnswerKind.IDS: _ids,
    AnswerKind.STATES: _states,
    AnswerKind.MONTHS: _months,
    AnswerKind.BANT: _bant,
    AnswerKind.STAGES: _stages,
}
_VOCABULARY: dict[AnswerKind, dict[str, str]] = {
    AnswerKind.STATES: {code.casefold(): code for code in STATE_NAMES}
    | {name.casefold(): code for name, code in _STATE_BY_NAME.items()},
    AnswerKind.MONTHS: {alias.casefold(): month for alias, month in MONTH_ALIASES.items()},
    AnswerKind.BANT: {factor.casefold(): factor for factor in BANT},
    AnswerKind.STAGES: {stage.casefold(): stage for stage in STAGES},
}
