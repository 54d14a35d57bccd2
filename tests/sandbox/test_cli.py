"""``crmsim sandbox serve`` and ``crmsim sandbox seed``: input mistakes, seeding, a live server."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import sqlite3
import ssl
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from crmsim.cli import banner, main
from crmsim.logs import REDACTED, configure_logging
from crmsim.sandbox._config import Credentials


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def _assert_one_line_error(err: str, *words: str) -> None:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for word in words:
        assert word in lines[0], err


@pytest.fixture
def busy_port() -> Iterator[int]:
    with closing(socket.socket()) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_seed_writes_an_org_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "nested" / "b2c.sqlite"
    status, out, err = _run(
        capsys,
        "sandbox",
        "seed",
        "--org",
        "b2c",
        "--db",
        str(path),
        "--seed",
        "3",
        "--today",
        "2024-02-29",
        "--scale",
        "0.05",
    )
    assert status == 0, err
    assert str(path) in out and "b2c" in out
    with closing(sqlite3.connect(path)) as conn:
        meta = dict(conn.execute("SELECT key, value FROM _crmsim_meta").fetchall())
        accounts = conn.execute("SELECT COUNT(*) FROM Account").fetchone()[0]
    assert meta["org"] == "b2c" and meta["today"] == "2024-02-29"
    assert accounts > 0


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["sandbox", "seed", "--org", "b2x", "--db", "x.sqlite"], ["--org", "b2x"]),
        (["sandbox", "seed", "--org", "b2b"], ["--db"]),
        (["sandbox", "seed", "--org", "b2b", "--db", "x.sqlite", "--today", "2024-02-30"], ["--today", "2024-02-30"]),
        (["sandbox", "seed", "--org", "b2b", "--db", "x.sqlite", "--seed", "many"], ["--seed"]),
        (["sandbox", "seed", "--org", "b2b", "--db", "x.sqlite", "--scale", "0"], ["--scale", "0"]),
        (["sandbox", "seed", "--org", "b2b", "--db", "x.sqlite", "--scale", "big"], ["--scale"]),
        (["sandbox", "seed", "--org", "b2b", "--db", "x.sqlite", "--scale", "1", "--fixture"], ["--fixture"]),
        (["sandbox", "serve", "--org", "b2b", "--port", "70000"], ["--port", "70000"]),
        (["sandbox", "serve", "--org", "b2b", "--token-ttl", "-1"], ["--token-ttl"]),
        (["sandbox", "serve", "--org", "b2b", "--daily-api-requests", "0"], ["--daily-api-requests"]),
        (["sandbox", "serve"], ["--org"]),
        (["sandbox"], ["action"]),
        ([], ["command"]),
    ],
)
def test_usage_mistakes(capsys: pytest.CaptureFixture[str], argv: list[str], words: list[str]) -> None:
    status, _, err = _run(capsys, *argv)
    assert status == 2
    _assert_one_line_error(err, *words)


def test_seed_into_a_directory_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _run(capsys, "sandbox", "seed", "--org", "b2b", "--db", str(tmp_path))
    assert status == 2
    _assert_one_line_error(err, str(tmp_path))


def test_serve_refuses_other_addresses_with_default_credentials(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in ("CRMSIM_CLIENT_SECRET", "CRMSIM_PASSWORD"):
        monkeypatch.delenv(var, raising=False)
    status, _, err = _run(
        capsys, "sandbox", "serve", "--org", "b2b", "--host", "0.0.0.0", "--db", str(tmp_path / "never.sqlite")
    )
    assert status == 2
    _assert_one_line_error(err, "0.0.0.0", "default credentials")
    assert not (tmp_path / "never.sqlite").exists()
    status, _, err = _run(
        capsys,
        "sandbox",
        "serve",
        "--org",
        "b2b",
        "--host",
        "0.0.0.0",
        "--client-secret",
        "s3cret",
        "--db",
        str(tmp_path / "never.sqlite"),
    )
    assert status == 2  # the password is still the default
    _assert_one_line_error(err, "default credentials")


@pytest.mark.parametrize("content", [b"not a database at all", b""])
def test_serve_refuses_a_bad_database_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes) -> None:
    path = tmp_path / "bad.sqlite"
    path.write_bytes(content)
    status, _, err = _run(capsys, "sandbox", "serve", "--org", "b2b", "--db", str(path))
    assert status == 2
    _assert_one_line_error(err, str(path), "not a crmsim org database")


def test_serve_refuses_another_orgs_database(
    seeded_orgs: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "odd #name?" / "b2b.sqlite"
    path.parent.mkdir()
    shutil.copyfile(seeded_orgs["b2b"], path)
    status, _, err = _run(capsys, "sandbox", "serve", "--org", "b2c", "--db", str(path))
    assert status == 2
    _assert_one_line_error(err, "b2b", "b2c")


def test_serve_reports_a_busy_port(
    seeded_orgs: dict[str, Path], tmp_path: Path, busy_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "b2b.sqlite"
    shutil.copyfile(seeded_orgs["b2b"], path)
    status, _, err = _run(capsys, "sandbox", "serve", "--org", "b2b", "--db", str(path), "--port", str(busy_port))
    assert status == 2
    _assert_one_line_error(err, f"127.0.0.1:{busy_port}", "address already in use")


def test_banner_has_ready_to_paste_curl_lines(tmp_path: Path) -> None:
    text = banner(
        "https://127.0.0.1:8443", "b2b", Path("runs/sandbox/b2b.sqlite"), Credentials(), tmp_path / "cert.pem"
    )
    assert "instance URL: https://127.0.0.1:8443" in text
    assert f"--cacert {tmp_path / 'cert.pem'}" in text
    assert "grant_type=password" in text and "client_secret=crmsim" in text
    assert "services/data/v62.0/query" in text
    hidden = banner(
        "http://127.0.0.1:8443", "b2b", Path("x"), Credentials(client_secret="topsecret", password="hunter2"), None
    )
    assert "topsecret" not in hidden and "hunter2" not in hidden
    assert "$CRMSIM_CLIENT_SECRET" in hidden and "$CRMSIM_PASSWORD" in hidden


def test_log_lines_are_json_and_redacted(tmp_path: Path) -> None:
    import structlog

    path = tmp_path / "logs" / "run.jsonl"
    stream = configure_logging(level="info", file=path)
    try:
        log = structlog.get_logger("test")
        log.info("login", username="admin", password="hunter2", client_secret="s", token="t")
        log.debug("hidden")
    finally:
        stream.close()
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert len(lines) == 1
    event = lines[0]
    assert event["event"] == "login" and event["username"] == "admin"
    assert event["password"] == event["client_secret"] == event["token"] == REDACTED
    assert event["level"] == "info" and event["timestamp"].endswith("Z")


async def _read_until(stream: asyncio.StreamReader, marker: str) -> str:
    seen = ""
    while marker not in seen:
        line = await asyncio.wait_for(stream.readline(), 30)
        if not line:
            raise AssertionError(f"output ended before {marker!r}: {seen}")
        seen += line.decode()
    return seen


async def test_serve_seeds_serves_tls_and_stops_on_sigterm(tmp_path: Path) -> None:
    tls_dir = tmp_path / "tls"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "crmsim.cli",
        "sandbox",
        "serve",
        "--org",
        "b2b",
        "--port",
        "0",
        "--tls",
        "--tls-dir",
        str(tls_dir),
        "--today",
        "2024-05-01",
        "--scale",
        "0.05",
        cwd=tmp_path,
        env={**os.environ, "CRMSIM_CACHE_DIR": str(tmp_path / "cache")},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    try:
        shown = await _read_until(process.stdout, "press Ctrl+C")
        url = next(line.split(": ", 1)[1] for line in shown.splitlines() if line.startswith("instance URL: "))
        assert url.startswith("https://127.0.0.1:")
        assert len(list((tmp_path / "cache" / "orgs").glob("b2b-v*-seed0-scale0.05.sqlite"))) == 1
        context = ssl.create_default_context(cafile=str(tls_dir / "sandbox-cert.pem"))
        async with aiohttp.ClientSession() as http:
            async with http.post(
                f"{url}/services/oauth2/token",
                ssl=context,
                data={
                    "grant_type": "password",
                    "client_id": "crmsim",
                    "client_secret": "crmsim",
                    "username": "admin@crmsim.local",
                    "password": "crmsim",
                },
            ) as response:
                token = (await response.json())["access_token"]
            async with http.get(
                f"{url}/services/data/v62.0/query",
                ssl=context,
                params={"q": "SELECT COUNT() FROM Account"},
                headers={"Authorization": f"Bearer {token}"},
            ) as response:
                assert response.status == 200
                assert (await response.json())["totalSize"] > 0
    finally:
        process.send_signal(signal.SIGTERM)
        status = await asyncio.wait_for(process.wait(), 30)
    errors = (await process.stderr.read()).decode()
    assert status == 0, errors
    lines = [json.loads(line) for line in errors.splitlines()]
    requests: list[dict[str, Any]] = [e for e in lines if e["event"] == "request"]
    assert [e["path"] for e in requests] == ["/services/oauth2/token", "/services/data/v62.0/query"]
    assert token not in errors and 'crmsim"' not in errors
    (db,) = (tmp_path / "cache" / "orgs").glob("b2b-v*-seed0-scale0.05.sqlite")
    with closing(sqlite3.connect(db)) as conn:
        today = conn.execute("SELECT value FROM _crmsim_meta WHERE key = 'today'").fetchone()[0]
    assert today == "2024-05-01"


def test_seed_fixture_writes_the_small_dataset(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from crmsim.sandbox.seed import FIXTURE_ACCOUNT_NAME

    path = tmp_path / "fixture.sqlite"
    status, out, err = _run(capsys, "sandbox", "seed", "--org", "b2b", "--db", str(path), "--fixture")
    assert status == 0, err
    with closing(sqlite3.connect(path)) as conn:
        names = {r[0] for r in conn.execute("SELECT Name FROM Account")}
    assert FIXTURE_ACCOUNT_NAME in names
    assert not list(tmp_path.glob("*.partial*"))
