"""The ``crmsim`` command.

    crmsim sandbox serve --org b2b [--host 127.0.0.1] [--port 8443] [--db PATH] [--tls] ...
    crmsim sandbox seed --org b2b --db PATH [--seed N] [--today YYYY-MM-DD]
    crmsim sf query "SOQL" [--all] [--json] [connection options]
    crmsim sf search "SOSL" [--json] [connection options]
    crmsim sf describe OBJECT [--json] [connection options]
    crmsim tasks import FILE --out OUT [--org b2b|b2c]
    crmsim tasks list FILE [--type TYPE]
    crmsim tasks show FILE ID [--json]
    crmsim tasks validate FILE
    crmsim tasks types
    crmsim run [--org b2b|b2c|both] [--task-types A,B] [--mode single,multi] [--epochs K] ...
    crmsim score RUN
    crmsim logs follow RUN [--conversation ID] [--kind K] [--json]
    crmsim models serve|list
    crmsim personas list|show|new|validate|schema
    crmsim policies list|show|validate

Input mistakes print one line naming what was wrong and exit with status 2, never a traceback
(a bad task file names the file, line and field).
A Salesforce error from ``crmsim sf`` prints ``errorCode: message`` and exits with status 1.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import sqlite3
import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TextIO
from urllib.parse import urlsplit

from crmsim.errors import ConfigError, PersonaFileError, PolicyFileError, SalesforceError, TaskFileError

if TYPE_CHECKING:
    import ssl

    from rich.table import Table

    from crmsim.salesforce import SalesforceConfig
    from crmsim.sandbox._config import Credentials, SandboxConfig
    from crmsim.sandbox.store import Store
    from crmsim.tasks import Task

SALESFORCE_ERROR = 1
USAGE_ERROR = 2
ORGS = ("b2b", "b2c")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line on stderr (and exit status 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message} (see --help)\n")


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid date {text!r}: use YYYY-MM-DD") from None


def _port(text: str) -> int:
    if not text.isdigit() or not 0 <= int(text) <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: use a number from 0 to 65535")
    return int(text)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not value > 0:
        raise argparse.ArgumentTypeError(f"invalid duration {text!r}: use a positive number of "
                                         "seconds")
    return value


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"invalid count {text!r}: use a positive whole number")
    return int(text)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="crmsim", description="Simulate and score CRM agent conversations.")
    parser.add_argument("--log-level", choices=("debug", "info", "warning", "error"),
                        help="lowest level of log events written (default info; warning for sf)")
    parser.add_argument("--log-file", type=Path, metavar="PATH",
                        help="append JSON log lines here instead of stderr")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    sandbox = commands.add_parser("sandbox", help="the embedded Salesforce-compatible sandbox")
    actions = sandbox.add_subparsers(dest="action", required=True, parser_class=_Parser)

    serve = actions.add_parser("serve", help="serve an org over Salesforce's REST API")
    serve.add_argument("--org", choices=ORGS, required=True)
    serve.add_argument("--host", default="127.0.0.1",
                       help="address to listen on (default 127.0.0.1; another address needs "
                            "non-default credentials)")
    serve.add_argument("--port", type=_port, default=8443, help="port (default 8443; 0 picks one)")
    serve.add_argument("--db", type=Path, metavar="PATH",
                       help="org database (default: generated once into the cache directory, "
                            "$CRMSIM_CACHE_DIR or ~/.cache/crmsim/orgs, and reused); written if missing")
    _add_dataset_options(serve)
    serve.add_argument("--tls", action="store_true",
                       help="serve HTTPS with a self-signed certificate made on first use")
    serve.add_argument("--tls-dir", type=Path, metavar="DIR",
                       help="where the certificate lives (default ~/.cache/crmsim/tls)")
    serve.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                       help="the org's 'today' for relative dates (stored in the database)")
    serve.add_argument("--token-ttl", type=_seconds, default=7200.0, metavar="SECONDS",
                       help="lifetime of an access token (default 7200)")
    serve.add_argument("--daily-api-requests", type=_count, default=1_000_000, metavar="N",
                       help="DailyApiRequests allowance of the org (default 1000000)")
    serve.add_argument("--per-token-daily-limit", type=_count, metavar="N",
                       help="API calls one access token may make per day (default unlimited)")
    serve.add_argument("--jwt-cert", type=Path, metavar="PATH",
                       help="certificate or public key (PEM) that verifies JWT bearer assertions; "
                       "enables the JWT bearer grant")
    serve.add_argument("--client-id", help="OAuth client id (env CRMSIM_CLIENT_ID; default crmsim)")
    serve.add_argument("--client-secret",
                       help="OAuth client secret (env CRMSIM_CLIENT_SECRET; default crmsim)")
    serve.add_argument("--username",
                       help="login name (env CRMSIM_USERNAME; default admin@crmsim.local)")
    serve.add_argument("--password", help="login password (env CRMSIM_PASSWORD; default crmsim)")
    serve.set_defaults(func=_serve)

    seed = actions.add_parser("seed", help="write an org database (generated at a scale, or the fixture set)")
    seed.add_argument("--org", choices=ORGS, required=True)
    seed.add_argument("--db", type=Path, metavar="PATH", required=True)
    _add_dataset_options(seed)
    seed.add_argument("--today", type=_date, metavar="YYYY-MM-DD",
                      help="the org's 'today' (default: the org's fixed date)")
    seed.set_defaults(func=_seed)
    _add_sf(commands)
    _add_tasks(commands)
    from crmsim._cli_models import add_model_commands
    from crmsim._cli_personas import add_persona_commands
    from crmsim._cli_run import add_run_commands

    add_run_commands(commands)
    add_model_commands(commands)
    add_persona_commands(commands)
    from crmsim._cli_policies import add_policy_commands

    add_policy_commands(commands)
    return parser


def _scale(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0.05 <= value <= 100:
        raise argparse.ArgumentTypeError(
            f"invalid scale {text!r}: use a number from 0.05 to 100 (1.0 = CRMArena-Pro size)"
        )
    return value


def _add_dataset_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    dataset = parser.add_mutually_exclusive_group()
    dataset.add_argument("--scale", type=_scale, default=1.0, metavar="S",
                         help="data volume: 1.0 is about 29k (B2B) / 55k (B2C) records; 0.05 for quick tests")
    dataset.add_argument("--fixture", action="store_true",
                         help="the small hand-made dataset the test suite uses, instead of generated data")


def _add_sf(commands: argparse._SubParsersAction[_Parser]) -> None:
    connection = _Parser(add_help=False)
    group = connection.add_argument_group(
        "connection", "each defaults to its SF_* environment variable, then the --env-file, then the "
        "local sandbox (http://127.0.0.1:8443 with its default credentials)")
    group.add_argument("--instance-url", metavar="URL", help="the org's URL (SF_INSTANCE_URL)")
    group.add_argument("--login-url", metavar="URL",
                       help="where to get a token, e.g. https://login.salesforce.com (SF_LOGIN_URL; "
                            "default the instance URL)")
    group.add_argument("--client-id", help="OAuth client id (SF_CLIENT_ID)")
    group.add_argument("--client-secret", help="OAuth client secret (SF_CLIENT_SECRET)")
    group.add_argument("--username", help="login name for the password or JWT grant (SF_USERNAME)")
    group.add_argument("--password", help="password for the password grant (SF_PASSWORD)")
    group.add_argument("--private-key-file", metavar="PATH",
                       help="RS256 private key (PEM): use the JWT bearer grant (SF_PRIVATE_KEY_FILE)")
    group.add_argument("--session-id", metavar="TOKEN",
                       help="an access token obtained elsewhere: no login (SF_SESSION_ID)")
    group.add_argument("--grant-type", choices=("password", "client_credentials", "jwt_bearer", "session"),
                       help="force an OAuth flow (SF_GRANT_TYPE); default: session id > private key > "
                            "username+password > client credentials")
    group.add_argument("--api-version", metavar="N.N", help="REST API version (SF_API_VERSION; default 62.0)")
    group.add_argument("--ca-file", metavar="PATH",
                       help="CA bundle or certificate to trust for HTTPS (SF_CA_FILE)")
    group.add_argument("--env-file", type=Path, metavar="PATH",
                       help="file of SF_* settings (default .env in the current directory, if any)")
    connection.add_argument("--json", action="store_true",
                            help="print the Salesforce response as JSON (all pages merged) instead of a table")

    sf = commands.add_parser("sf", help="query a Salesforce org (or the sandbox) through crmsim's client")
    actions = sf.add_subparsers(dest="action", required=True, parser_class=_Parser)
    query = actions.add_parser("query", parents=[connection], help="run a SOQL query, every page")
    query.add_argument("soql", metavar="SOQL")
    query.add_argument("--all", action="store_true",
                       help="use queryAll: include deleted and archived records")
    search = actions.add_parser("search", parents=[connection], help="run a SOSL search")
    search.add_argument("sosl", metavar="SOSL")
    describe = actions.add_parser("describe", parents=[connection], help="describe an object's fields")
    describe.add_argument("sobject", metavar="OBJECT")
    for command in (query, search, describe):
        command.set_defaults(func=_sf)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``crmsim`` console script; returns the exit status."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else USAGE_ERROR
    try:
        status: int = args.func(args)
    except (ConfigError, TaskFileError, PersonaFileError, PolicyFileError) as exc:
        sys.stderr.write(f"crmsim: error: {exc}\n")
        return USAGE_ERROR
    except KeyboardInterrupt:
        return 130
    return status


def _configure_logs(args: argparse.Namespace, default_level: str = "info") -> TextIO | None:
    from crmsim.logs import configure_logging

    try:
        stream = configure_logging(level=args.log_level or default_level, file=args.log_file)
    except OSError as exc:
        raise ConfigError(f"cannot write the log file {args.log_file}: {exc.strerror}") from None
    return stream if args.log_file else None


def _write_org(path: Path, org: str, seed: int, today: date | None, scale: float | None) -> int:
    from crmsim.sandbox.cache import write_org_file

    write_org_file(path, org, seed=seed, today=today, scale=scale)
    return _count_rows(path)


def _default_db(args: argparse.Namespace) -> Path:
    from crmsim.sandbox.cache import cached_org_path

    return cached_org_path(args.org, seed=args.seed, scale=None if args.fixture else args.scale)


def _count_rows(path: Path) -> int:
    from crmsim.sandbox.schema import org_schema
    from crmsim.sandbox.server import read_org
    from crmsim.sandbox.store import quote_ident

    schema = org_schema(read_org(path))
    with contextlib.closing(sqlite3.connect(path)) as conn:
        return sum(conn.execute(f"SELECT COUNT(*) FROM {quote_ident(name)}").fetchone()[0]
                   for name in schema.objects)


def _seed(args: argparse.Namespace) -> int:
    rows = _write_org(args.db, args.org, args.seed, args.today, None if args.fixture else args.scale)
    sys.stdout.write(f"wrote the {args.org} org to {args.db} ({rows} records)\n")
    return 0


def _jwt_key(path: Path | None) -> str | None:
    if path is None:
        return None
    from crmsim.sandbox._jwt import public_key_pem

    try:
        return public_key_pem(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read --jwt-cert {path}: {exc}") from None
    except ValueError:
        raise ConfigError(f"--jwt-cert {path} is not a PEM certificate or public key") from None


def _serve(args: argparse.Namespace) -> int:
    from crmsim.sandbox._config import Credentials, SandboxConfig, is_loopback
    from crmsim.sandbox.server import open_store, tls_context

    credentials = Credentials.from_env(client_id=args.client_id, client_secret=args.client_secret,
                                       username=args.username, password=args.password)
    if not is_loopback(args.host) and credentials.uses_defaults:
        raise ConfigError(f"refusing to listen on {args.host} with the default credentials; set "
                          "--client-secret and --password (or CRMSIM_CLIENT_SECRET and "
                          "CRMSIM_PASSWORD), or listen on 127.0.0.1")
    path: Path = args.db or _default_db(args)
    if not path.exists():
        what = "the small fixture dataset" if args.fixture else f"scale {args.scale:g}"
        sys.stdout.write(f"crmsim sandbox: generating the {args.org} org ({what}, seed {args.seed}) into {path}\n")
        _write_org(path, args.org, args.seed, args.today, None if args.fixture else args.scale)
    store = open_store(path, args.org)
    log_stream = None
    try:
        if args.today is not None:
            try:
                store.set_meta("today", args.today.isoformat())
            except sqlite3.Error as exc:
                raise ConfigError(f"cannot record --today in {path}: {exc}") from None
        try:
            ssl_context, cert = tls_context(args.tls_dir, args.host) if args.tls else (None, None)
        except OSError as exc:
            raise ConfigError(f"cannot create the TLS certificate: {exc}") from None
        log_stream = _configure_logs(args)
        config = SandboxConfig(credentials=credentials, token_ttl=args.token_ttl,
                               daily_api_requests=args.daily_api_requests,
                               per_token_daily_limit=args.per_token_daily_limit,
                               jwt_public_key=_jwt_key(args.jwt_cert))
        try:
            asyncio.run(_run(store, config, args, ssl_context, cert, path))
        except OSError as exc:
            raise ConfigError(f"cannot listen on {args.host}:{args.port}: "
                              f"{exc.strerror or exc}") from None
        except KeyboardInterrupt:
            pass
    finally:
        store.close()
        if log_stream is not None:
            log_stream.close()
    return 0


async def _run(store: Store, config: SandboxConfig, args: argparse.Namespace,
               ssl_context: ssl.SSLContext | None, cert: Path | None, path: Path) -> None:
    from crmsim.sandbox.app import SANDBOX, create_app
    from crmsim.sandbox.server import serve_sandbox

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError):
        loop.add_signal_handler(signal.SIGTERM, stop.set)
    app = create_app(store, config)
    async with serve_sandbox(app, host=args.host, port=args.port, ssl_context=ssl_context) as url:
        # Build the SOQL parser now so that the first client query is not the slow one.
        await app[SANDBOX].engine.query("SELECT Id FROM User LIMIT 1")
        sys.stdout.write(banner(url, args.org, path, config.credentials, cert))
        sys.stdout.flush()
        await stop.wait()


def banner(url: str, org: str, path: Path, credentials: Credentials, cert: Path | None) -> str:
    """What ``serve`` prints once it listens: the instance URL and curl lines to try it."""
    from crmsim.sandbox._config import API_VERSION, Credentials

    default = Credentials()
    secret = (credentials.client_secret if credentials.client_secret == default.client_secret
              else "$CRMSIM_CLIENT_SECRET")
    password = (credentials.password if credentials.password == default.password
                else "$CRMSIM_PASSWORD")
    curl = f"curl -s --cacert {cert}" if cert else "curl -s"
    token = (f'TOKEN=$({curl} {url}/services/oauth2/token -d grant_type=password '
             f'-d client_id={credentials.client_id} -d "client_secret={secret}" '
             f'-d username={credentials.username} -d "password={password}" '
             """| python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')""")
    query = (f'{curl} -G {url}/services/data/v{API_VERSION}/query -H "Authorization: Bearer $TOKEN" '
             '--data-urlencode "q=SELECT Id, Name FROM Account LIMIT 5"')
    return (f"crmsim sandbox: serving the {org} org from {path}\n"
            f"instance URL: {url}\n"
            f"get a token:\n  {token}\n"
            f"run a query:\n  {query}\n"
            "press Ctrl+C to stop\n")


# -- crmsim sf ---------------------------------------------------------------------------------

_SF_SETTINGS = ("instance_url", "login_url", "client_id", "client_secret", "username", "password",
                "private_key_file", "session_id", "api_version", "ca_file", "grant_type")


def _sf(args: argparse.Namespace) -> int:

    config = _sf_config(args)
    log_stream = _configure_logs(args, default_level="warning")
    try:
        try:
            answer = asyncio.run(_sf_call(args, config))
        except SalesforceError as exc:
            sys.stderr.write(f"{exc.error_code}: {exc.message}\n")
            return SALESFORCE_ERROR
        _sf_print(args, answer, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. piped into `head`: stop quietly
        with contextlib.suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return SALESFORCE_ERROR
    finally:
        if log_stream is not None:
            log_stream.close()
    return 0


def _sf_config(args: argparse.Namespace) -> SalesforceConfig:
    """Flags over SF_* environment variables over the .env file over the sandbox defaults."""
    from crmsim.salesforce import SalesforceConfig

    env_file: Path = args.env_file or Path(".env")
    if args.env_file is not None and not env_file.is_file():
        raise ConfigError(f"--env-file {env_file}: {'not a file' if env_file.exists() else 'no such file'}")
    try:
        config = SalesforceConfig.from_env(env_file, **{name: getattr(args, name) for name in _SF_SETTINGS})
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise ConfigError(f"cannot read {env_file}: {reason}") from None
    for name in ("instance_url", "login_url"):
        _check_url(name, getattr(config, name))
    if config.ca_file is not None:
        _check_ca_file(config.ca_file)
    return config


def _check_url(name: str, url: str | None) -> None:
    if url is None:
        return
    where = f"{name.replace('_url', ' URL')} {url!r} (--{name.replace('_', '-')}, SF_{name.upper()} or the .env file)"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError if the port is not a number from 0 to 65535
    except ValueError as exc:
        raise ConfigError(f"invalid {where}: {exc}") from None
    if not parts.hostname:
        raise ConfigError(f"invalid {where}: no host")
    if parts.query or parts.fragment:
        raise ConfigError(f"invalid {where}: use only scheme, host, port and path")


def _check_ca_file(path: Path) -> None:
    import ssl

    try:
        ssl.create_default_context(cafile=str(path))
    except ssl.SSLError:  # before OSError, of which it is a subclass
        raise ConfigError(f"the CA file {path} holds no usable PEM certificate") from None
    except OSError as exc:
        raise ConfigError(f"cannot read the CA file {path}: {exc.strerror or exc}") from None


async def _sf_call(args: argparse.Namespace, config: SalesforceConfig) -> Any:
    from crmsim.salesforce import SalesforceClient

    async with SalesforceClient(config) as client:
        if args.action == "query":
            return await client.query_all(args.soql, include_deleted=args.all)
        if args.action == "search":
            return await client.search(args.sosl)
        return await client.describe(args.sobject)


def _sf_print(args: argparse.Namespace, answer: Any, out: TextIO) -> None:
    from crmsim.salesforce import QueryResult
    from crmsim.salesforce._table import fields_table, print_table, records_table

    if args.action == "query":
        assert isinstance(answer, QueryResult)
        body: Any = answer.to_json()
        table = records_table(answer.records) if answer.records else None
        footer = _plural(answer.total_size, "record")
    elif args.action == "search":
        body = {"searchRecords": answer}
        table = records_table(answer, with_type=True) if answer else None
        footer = _plural(len(answer), "record")
    else:
        body = answer
        fields = answer.get("fields", [])
        table = fields_table(answer) if fields else None
        footer = f"{answer.get('name', args.sobject)}: {_plural(len(fields), 'field')}"
    if args.json:
        out.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
        return
    if table is not None:
        print_table(table, out)
    out.write(footer + "\n")


def _plural(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# -- crmsim tasks ------------------------------------------------------------------------------

ANSWER_PREVIEW = 48  # characters of the answer shown by `tasks list`


def _task_type(text: str) -> str:
    from crmsim.tasks import task_type_info

    try:
        return task_type_info(text).name.value
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_tasks(commands: argparse._SubParsersAction[_Parser]) -> None:
    tasks = commands.add_parser("tasks", help="benchmark task files: import, list, show, validate")
    actions = tasks.add_subparsers(dest="action", required=True, parser_class=_Parser)

    imported = actions.add_parser("import", help="convert published CRMArena-Pro task rows into a task file")
    imported.add_argument("file", type=Path, metavar="FILE", help="published rows: a JSON array or JSON lines")
    imported.add_argument("--out", type=Path, metavar="OUT", required=True, help="task file to write (JSON lines)")
    imported.add_argument("--org", choices=ORGS, default="b2b", help="the org the rows belong to (default b2b)")
    imported.set_defaults(func=_tasks_import)

    listing = actions.add_parser("list", help="one line per task, then the count of each type")
    listing.add_argument("file", type=Path, metavar="FILE", help="task file (JSON lines)")
    listing.add_argument("--type", type=_task_type, metavar="TYPE", dest="task_type",
                         help="only tasks of this type (see `crmsim tasks types`)")
    listing.set_defaults(func=_tasks_list)

    show = actions.add_parser("show", help="one task in full")
    show.add_argument("file", type=Path, metavar="FILE", help="task file (JSON lines)")
    show.add_argument("task_id", metavar="ID")
    show.add_argument("--json", action="store_true", help="print the task's JSON line, indented")
    show.set_defaults(func=_tasks_show)

    validate = actions.add_parser("validate", help="check every line of a task file")
    validate.add_argument("file", type=Path, metavar="FILE", help="task file (JSON lines)")
    validate.set_defaults(func=_tasks_validate)

    types = actions.add_parser("types", help="the 22 task types with their skill, metric and answer kind")
    types.set_defaults(func=_tasks_types)

    generate = actions.add_parser("generate", help="fresh tasks of every type with ground truth from an org")
    generate.add_argument("--org", choices=ORGS, required=True)
    generate.add_argument("--per-type", type=_count, default=10, metavar="N",
                          help="instances per task type (default 10; fewer where the data allows fewer)")
    generate.add_argument("--seed", type=int, default=0, help="task seed (default 0)")
    generate.add_argument("--out", type=Path, metavar="FILE", required=True, help="task file to write (JSON lines)")
    generate.add_argument("--db", type=Path, metavar="PATH",
                          help="org database (default: the cached generated org `serve` uses, made if missing)")
    generate.add_argument("--type", type=_task_type, metavar="TYPE", dest="task_type", action="append",
                          help="only this type (repeatable)")
    generate.set_defaults(func=_tasks_generate)


def _tasks_generate(args: argparse.Namespace) -> int:
    from crmsim.tasks import save_tasks
    from crmsim.tasks.generators import generate_tasks

    path: Path = args.db or _default_db(argparse.Namespace(org=args.org, fixture=False, seed=0, scale=1.0))
    if not path.exists():
        if args.db is not None:
            raise ConfigError(f"no org database at {path}")
        sys.stdout.write(f"crmsim tasks: generating the {args.org} org (scale 1, seed 0) into {path}\n")
        _write_org(path, args.org, 0, None, 1.0)
    tasks = generate_tasks(path, per_type=args.per_type, seed=args.seed, types=args.task_type)
    try:
        save_tasks(args.out, tasks)
    except OSError as exc:
        raise ConfigError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    types = len({task.task_type for task in tasks})
    nones = sum(task.answer == ["None"] for task in tasks)
    sys.stdout.write(f"generated {_plural(len(tasks), 'task')} of {_plural(types, 'type')} ({args.org}, "
                     f"{nones} with answer None) from {path} to {args.out}\n")
    return 0


def _tasks_import(args: argparse.Namespace) -> int:
    from crmsim.tasks import import_published, save_tasks

    tasks = import_published(args.file, org=args.org)
    try:
        save_tasks(args.out, tasks)
    except OSError as exc:
        raise ConfigError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    types = len({task.task_type for task in tasks})
    sys.stdout.write(f"imported {_plural(len(tasks), 'task')} of {_plural(types, 'type')} "
                     f"({args.org}) from {args.file} to {args.out}\n")
    return 0


def _tasks_list(args: argparse.Namespace) -> int:
    from collections import Counter

    from rich.text import Text

    from crmsim.salesforce._table import print_table
    from crmsim.tasks import load_tasks

    tasks = [task for task in load_tasks(args.file) if args.task_type in (None, task.task_type)]
    if tasks:
        table = _table(("id", "type", "skill", "metric", "answer"))
        for task in tasks:
            table.add_row(Text(task.id), Text(task.task_type.value), Text(task.skill.value), Text(task.metric.value),
                          Text(_preview(task.answer)))
        print_table(table, sys.stdout)
        sys.stdout.write("\n")
    counts = Counter(task.task_type.value for task in tasks)
    width = max((len(name) for name in counts), default=0)
    for name, count in sorted(counts.items()):
        sys.stdout.write(f"{name:<{width}}  {count:>5}\n")
    sys.stdout.write(f"{_plural(len(tasks), 'task')} of {_plural(len(counts), 'type')}\n")
    return 0


def _table(columns: Sequence[str]) -> Table:
    from rich import box
    from rich.table import Table

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table


def _preview(answer: list[str]) -> str:
    text = " ".join(", ".join(answer).split())
    return text if len(text) <= ANSWER_PREVIEW else text[:ANSWER_PREVIEW - 1] + "…"


def _tasks_show(args: argparse.Namespace) -> int:
    import difflib

    from crmsim.tasks import iter_tasks

    ids = []
    for task in iter_tasks(args.file):
        if task.id == args.task_id:
            if args.json:
                sys.stdout.write(json.dumps(task.model_dump(mode="json", exclude_none=True), indent=2,
                                            ensure_ascii=False) + "\n")
            else:
                sys.stdout.write(describe_task(task))
            return 0
        ids.append(task.id)
    close = difflib.get_close_matches(args.task_id, ids, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ConfigError(f"{args.file}: no task with id {args.task_id!r} among {_plural(len(ids), 'task')}{hint}")


def describe_task(task: Task) -> str:
    """A task in full, as ``crmsim tasks show`` prints it."""
    info = task.info
    kind = task.answer_kind.value
    if info.answer_object:
        kind += f" ({info.answer_object} Ids, key prefix {', '.join(info.id_prefixes)})"
    source = task.source
    origin = ", ".join(part for part in (
        source.origin,
        f"idx {source.idx}" if source.idx is not None else "",
        f"seed {source.seed}" if source.seed is not None else "",
        source.dataset or "",
    ) if part)
    header = [
        ("id", task.id), ("type", task.task_type.value), ("skill", task.skill.value), ("org", task.org),
        ("metric", task.metric.value), ("answer kind", kind),
        ("refusal", "expected" if task.expects_refusal else "not expected"),
        ("persona", task.persona or "-"), ("source", origin),
    ]
    lines = [f"{name:<12} {value}" for name, value in header]
    lines.append("answer")
    lines.extend(f"  - {item}" for item in task.answer)
    for title, text in (("query", task.query), ("context.required", task.context.required),
                        ("context.optional", task.context.optional), ("persona text", task.persona_text or "")):
        if text.strip():
            lines.append(title)
            lines.extend(f"  {line}".rstrip() for line in _dedent(text).splitlines())
    if task.held_facts:
        lines.append("held facts")
        lines.extend(f"  - {fact.name} = {fact.value!r}: \"{fact.utterance}\"" for fact in task.held_facts)
    return "\n".join(lines) + "\n"


def _dedent(text: str) -> str:
    import textwrap

    return textwrap.dedent(text.expandtabs(4)).strip("\n")


def _tasks_validate(args: argparse.Namespace) -> int:
    from collections import Counter

    from crmsim.tasks import iter_tasks

    counts = Counter(task.task_type.value for task in iter_tasks(args.file))
    sys.stdout.write(f"{args.file}: {_plural(sum(counts.values()), 'task')} of {_plural(len(counts), 'type')}, "
                     "all valid\n")
    return 0


def _tasks_types(args: argparse.Namespace) -> int:
    from rich.text import Text

    from crmsim.salesforce._table import print_table
    from crmsim.tasks import TASK_TYPES

    table = _table(("type", "skill", "metric", "answer kind", "refusal"))
    for info in TASK_TYPES.values():
        kind = info.answer_kind.value + (f" ({', '.join(info.id_prefixes)})" if info.id_prefixes else "")
        table.add_row(Text(info.name.value), Text(info.skill.value), Text(info.metric.value), Text(kind),
                      Text("yes" if info.expects_refusal else ""))
    print_table(table, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
