"""SalesforceConfig: arguments over environment over ``.env`` over defaults; validation; masking."""

from __future__ import annotations

from pathlib import Path

import pytest

from crmsim.errors import ConfigError
from crmsim.salesforce import Grant, SalesforceConfig, read_env_file
from crmsim.salesforce._config import DEFAULT_INSTANCE_URL, ENV_VARS


def _env_file(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_point_at_a_local_sandbox() -> None:
    config = SalesforceConfig.from_env(env_file=None, environ={})
    assert config == SalesforceConfig()
    assert config.instance_url == DEFAULT_INSTANCE_URL
    assert (config.client_id, config.username, config.api_version) == ("crmsim", "admin@crmsim.local", "62.0")
    assert config.grant is Grant.PASSWORD
    assert config.token_url == f"{DEFAULT_INSTANCE_URL}/services/oauth2/token"


def test_arguments_over_environment_over_file_over_defaults(tmp_path: Path) -> None:
    env_file = _env_file(tmp_path / ".env", "\n".join([
        "SF_INSTANCE_URL=http://from-file.example",
        "SF_USERNAME=file-user",
        "SF_PASSWORD=file-password",
        "SF_CLIENT_ID=file-client",
        "SF_API_VERSION=60.0",
    ]))
    environ = {"SF_INSTANCE_URL": "http://from-env.example", "SF_USERNAME": "env-user", "SF_API_VERSION": "61.0"}
    config = SalesforceConfig.from_env(env_file=env_file, environ=environ, instance_url="http://from-args.example")
    assert config.instance_url == "http://from-args.example"  # argument
    assert config.username == "env-user"  # environment over file
    assert config.api_version == "61.0"
    assert (config.password, config.client_id) == ("file-password", "file-client")  # file over defaults
    assert config.client_secret == "crmsim"  # default


def test_arguments_given_as_none_count_as_not_given(tmp_path: Path) -> None:
    env_file = _env_file(tmp_path / ".env", "SF_USERNAME=file-user\n")
    config = SalesforceConfig.from_env(env_file=env_file, environ={"SF_CLIENT_ID": "env-client"},
                                       username=None, client_id=None, max_retries=None)
    assert (config.username, config.client_id, config.max_retries) == ("file-user", "env-client", 4)


def test_settings_without_a_variable_come_from_arguments() -> None:
    config = SalesforceConfig.from_env(env_file=None, environ={}, max_concurrency=8, timeout=2.5,
                                       retry_deadline=10.0, max_retries=1)
    assert (config.max_concurrency, config.timeout, config.retry_deadline, config.max_retries) == (8, 2.5, 10.0, 1)


def test_process_environment_and_dotenv_in_the_working_directory(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ENV_VARS.values():
        monkeypatch.delenv(var, raising=False)
    monkeypatch.chdir(tmp_path)
    _env_file(tmp_path / ".env", "SF_USERNAME=dotenv-user\nSF_CLIENT_ID=dotenv-client\n")
    monkeypatch.setenv("SF_CLIENT_ID", "process-client")
    config = SalesforceConfig.from_env()
    assert (config.username, config.client_id) == ("dotenv-user", "process-client")


def test_missing_env_file_is_ignored(tmp_path: Path) -> None:
    assert SalesforceConfig.from_env(env_file=tmp_path / "absent.env", environ={}) == SalesforceConfig()
    assert read_env_file(tmp_path / "absent.env") == {}


def test_env_file_syntax(tmp_path: Path) -> None:
    env_file = _env_file(tmp_path / ".env", "\n".join([
        "# a comment",
        "",
        'export SF_USERNAME="quoted user"  # trailing comment',
        "SF_PASSWORD='single # quoted'",
        "SF_PRIVATE_KEY_FILE=~/keys/sf.pem",
        "UNRELATED=1",
    ]) + "\n")
    assert read_env_file(env_file)["SF_USERNAME"] == "quoted user"
    config = SalesforceConfig.from_env(env_file=env_file, environ={})
    assert (config.username, config.password) == ("quoted user", "single # quoted")
    assert config.private_key_file == Path.home() / "keys" / "sf.pem"
    assert config.grant is Grant.JWT_BEARER


@pytest.mark.parametrize("bad_line", ["this is not a setting", "SF_USERNAME='never closed"])
def test_malformed_env_line_names_file_and_line(tmp_path: Path, bad_line: str) -> None:
    env_file = _env_file(tmp_path / "settings.env", f"SF_USERNAME=ok\n# fine\n{bad_line}\nSF_PASSWORD=x\n")
    with pytest.raises(ConfigError) as caught:
        SalesforceConfig.from_env(env_file=env_file, environ={})
    assert f"{env_file}:3:" in str(caught.value)


def test_unknown_setting_is_refused() -> None:
    with pytest.raises(ConfigError, match="instance_uri"):
        SalesforceConfig.from_env(env_file=None, environ={}, instance_uri="http://x")


@pytest.mark.parametrize(
    "given",
    [
        {"instance_url": "ftp://example.com"},
        {"instance_url": "example.com"},
        {"login_url": "login.salesforce.com"},
        {"api_version": "sixty-two"},
        {"max_concurrency": 0},
        {"max_retries": -1},
        {"timeout": 0},
        {"retry_deadline": -1},
    ],
)
def test_invalid_settings_are_config_errors(given: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        SalesforceConfig(**given)  # type: ignore[arg-type]


def test_urls_and_versions_are_normalised() -> None:
    config = SalesforceConfig(instance_url="https://example.my.salesforce.com/", login_url="https://login.x.com/",
                              api_version="v61.0")
    assert config.instance_url == "https://example.my.salesforce.com"
    assert config.token_url == "https://login.x.com/services/oauth2/token"
    assert config.api_version == "61.0"


def test_api_version_without_minor_is_normalised_or_refused() -> None:
    try:
        config = SalesforceConfig(api_version="62")
    except ConfigError:
        return
    assert config.api_version == "62.0"


@pytest.mark.parametrize(
    ("given", "grant"),
    [
        ({}, Grant.PASSWORD),
        ({"username": None, "password": None}, Grant.CLIENT_CREDENTIALS),
        ({"password": None}, Grant.CLIENT_CREDENTIALS),
        ({"private_key_file": Path("k.pem")}, Grant.JWT_BEARER),
        ({"private_key_file": Path("k.pem"), "session_id": "00D!x"}, Grant.SESSION),
        ({"session_id": "00D!x"}, Grant.SESSION),
    ],
)
def test_grant_follows_what_is_configured(given: dict[str, object], grant: Grant) -> None:
    assert SalesforceConfig(**given).grant is grant  # type: ignore[arg-type]


def test_grant_type_forces_a_flow(tmp_path: Path) -> None:
    config = SalesforceConfig(grant_type="client_credentials")  # type: ignore[arg-type]
    assert config.grant_type is Grant.CLIENT_CREDENTIALS and config.grant is Grant.CLIENT_CREDENTIALS
    forced = SalesforceConfig.from_env(env_file=None, environ={"SF_GRANT_TYPE": "password"},
                                       private_key_file=tmp_path / "k.pem")
    assert forced.grant is Grant.PASSWORD


@pytest.mark.parametrize(
    ("given", "match"),
    [
        ({"grant_type": "session"}, "session_id"),
        ({"grant_type": "jwt_bearer"}, "private_key_file"),
        ({"grant_type": "saml"}, "jwt_bearer"),
    ],
)
def test_grant_type_problems_are_config_errors(given: dict[str, object], match: str) -> None:
    with pytest.raises(ConfigError, match=match):
        SalesforceConfig(**given)  # type: ignore[arg-type]


def test_secrets_are_left_out_of_repr_and_describe(tmp_path: Path) -> None:
    config = SalesforceConfig(client_secret="cs-very-secret", password="pw-very-secret",
                              session_id="00D!session-very-secret", private_key_file=tmp_path / "k.pem")
    for shown in (repr(config), str(config), str(config.describe())):
        assert "very-secret" not in shown
    described = config.describe()
    assert (described["client_secret"], described["password"], described["session_id"]) == ("***",) * 3
    assert described["username"] == "admin@crmsim.local"
    assert described["private_key_file"] == tmp_path / "k.pem"
    assert SalesforceConfig(session_id=None).describe()["session_id"] is None  # absent is not masked


def test_secrets_from_the_environment_are_masked_too(tmp_path: Path) -> None:
    env_file = _env_file(tmp_path / ".env", "SF_CLIENT_SECRET=file-very-secret\n")
    config = SalesforceConfig.from_env(env_file=env_file, environ={"SF_PASSWORD": "env-very-secret"})
    assert (config.client_secret, config.password) == ("file-very-secret", "env-very-secret")
    assert "very-secret" not in repr(config) + str(config.describe())


def test_every_variable_is_read(tmp_path: Path) -> None:
    environ = {
        "SF_INSTANCE_URL": "https://org.example.com",
        "SF_LOGIN_URL": "https://login.example.com",
        "SF_CLIENT_ID": "id-1",
        "SF_CLIENT_SECRET": "secret-1",
        "SF_USERNAME": "user@example.com",
        "SF_PASSWORD": "password-1",
        "SF_PRIVATE_KEY_FILE": str(tmp_path / "key.pem"),
        "SF_SESSION_ID": "00D!session-1",
        "SF_API_VERSION": "59.0",
        "SF_CA_FILE": str(tmp_path / "ca.pem"),
        "SF_GRANT_TYPE": "session",
    }
    assert set(environ) == set(ENV_VARS.values())
    config = SalesforceConfig.from_env(env_file=None, environ=environ)
    assert (config.instance_url, config.login_url) == ("https://org.example.com", "https://login.example.com")
    assert (config.client_id, config.client_secret) == ("id-1", "secret-1")
    assert (config.username, config.password, config.session_id) == ("user@example.com", "password-1", "00D!session-1")
    assert (config.private_key_file, config.ca_file) == (tmp_path / "key.pem", tmp_path / "ca.pem")
    assert config.api_version == "59.0"
    assert config.grant is Grant.SESSION
