"""Where each role's model runs (ModelFactory.resolve/build) and the models config file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from crmsim.errors import ConfigError
from crmsim.models import (
    CompletionRequest,
    Delayed,
    EndpointLimits,
    ModelFactory,
    ModelsConfig,
    OpenAIModel,
    Price,
    ReferenceAgent,
    load_models_config,
    serve_models,
)
from crmsim.tasks import Task


@pytest.fixture(autouse=True)
def _no_openai_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


@pytest.fixture
async def factory() -> AsyncIterator[ModelFactory]:
    made = ModelFactory()
    yield made
    await made.aclose()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "models.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# -- resolve ---------------------------------------------------------------------------------------


def test_a_builtin_without_url_runs_in_process() -> None:
    factory = ModelFactory()
    assert factory.resolve("agent", "crmsim-reference") is None
    assert factory.resolve("user", "crmsim-user") is None
    assert factory.resolve("judge", "crmsim-judge") is None


@pytest.mark.parametrize(("role", "name", "listed"), [
    ("agent", "crmsim-user", "built-in agent models: crmsim-reference, crmsim-naive, crmsim-eager"),
    ("user", "crmsim-reference", "built-in user models: crmsim-user"),
    ("judge", "crmsim-naive", "built-in judge models: crmsim-judge"),
])
def test_a_builtin_in_the_wrong_role_lists_that_roles_builtins(role: str, name: str, listed: str) -> None:
    with pytest.raises(ConfigError) as caught:
        ModelFactory().resolve(role, name)  # type: ignore[arg-type]
    assert str(caught.value) == f"unknown {role} model {name!r}; {listed}"


def test_a_remote_model_without_a_key_says_how_to_give_one() -> None:
    with pytest.raises(ConfigError) as caught:
        ModelFactory().resolve("user", "gpt-4o-mini")
    message = str(caught.value)
    assert "the user model 'gpt-4o-mini' at https://api.openai.com/v1 needs an API key" in message
    assert "OPENAI_API_KEY" in message and "--user-api-key" in message and "crmsim-user" in message


def test_openai_environment_variables_are_the_fallback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1/")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    factory = ModelFactory()
    assert factory.resolve("agent", "gpt-4o") == ("http://127.0.0.1:9/v1", "sk-env")
    assert factory.resolve("agent", "gpt-4o", base_url="https://example.test/v1", api_key="sk-flag") == (
        "https://example.test/v1", "sk-flag")
    assert factory.resolve("agent", "crmsim-reference") is None  # a built-in without a URL stays local


def test_a_builtin_with_a_url_needs_no_key() -> None:
    assert ModelFactory().resolve("judge", "crmsim-judge", base_url="http://127.0.0.1:8000/v1") == (
        "http://127.0.0.1:8000/v1", "crmsim")


@pytest.mark.parametrize("url", ["127.0.0.1:8000/v1", "ftp://models.test/v1", "localhost"])
def test_a_base_url_needs_an_http_scheme(url: str) -> None:
    with pytest.raises(ConfigError, match=r"the agent base URL must start with http:// or https://"):
        ModelFactory().resolve("agent", "gpt-4o", base_url=url, api_key="k")


def test_an_empty_model_name_is_refused() -> None:
    with pytest.raises(ConfigError, match="the agent model name is empty"):
        ModelFactory().resolve("agent", " ", api_key="k")


# -- build -----------------------------------------------------------------------------------------


async def test_build_keeps_builtins_local_and_delays_them_on_request(factory: ModelFactory) -> None:
    assert isinstance(factory.build("agent", "crmsim-reference"), ReferenceAgent)
    delayed = factory.build("agent", "crmsim-reference", latency=0.01)
    assert isinstance(delayed, Delayed)
    assert factory.pool.retries == 0 and factory.retries == 0


async def test_roles_at_one_url_and_key_share_one_endpoint(factory: ModelFactory) -> None:
    url = "http://127.0.0.1:9/v1"
    agent = factory.build("agent", "crmsim-reference", base_url=url)
    user = factory.build("user", "crmsim-user", base_url=url + "/")
    judge = factory.build("judge", "crmsim-judge", base_url=url, api_key="other")
    assert isinstance(agent, OpenAIModel) and isinstance(user, OpenAIModel) and isinstance(judge, OpenAIModel)
    assert agent.endpoint is user.endpoint and agent.endpoint.client is user.endpoint.client
    assert judge.endpoint is not agent.endpoint
    assert agent.send_task and user.send_task  # crmsim's own models get the task in the extension
    remote = factory.build("agent", "gpt-4o", base_url=url, api_key="other")
    assert isinstance(remote, OpenAIModel) and not remote.send_task and remote.endpoint is judge.endpoint


async def test_endpoint_limits_come_from_the_config_then_the_run_defaults(tmp_path: Path) -> None:
    url = "http://127.0.0.1:9/v1"
    config = load_models_config(_write(tmp_path, f"endpoints:\n  {url}/: {{timeout_s: 1, rpm: 60}}\n"))
    factory = ModelFactory(config, default_limits=EndpointLimits(rpm=6000, max_concurrency=7))
    try:
        model = factory.build("agent", "crmsim-reference", base_url=url)
        other = factory.build("agent", "crmsim-reference", base_url="http://127.0.0.1:10/v1")
        assert isinstance(model, OpenAIModel) and isinstance(other, OpenAIModel)
        settings = model.endpoint.settings
        assert (settings.timeout_s, settings.rpm, settings.max_concurrency) == (1.0, 60.0, 7)
        assert model.endpoint.concurrency.limit == 7
        assert (other.endpoint.settings.timeout_s, other.endpoint.settings.rpm) == (120.0, 6000.0)
    finally:
        await factory.aclose()


# -- the models config file ------------------------------------------------------------------------


def test_a_valid_models_config(tmp_path: Path) -> None:
    path = _write(tmp_path, """\
prices:
  my-finetune: {input_per_million: 0.5, output_per_million: 1.5}
endpoints:
  http://127.0.0.1:8000/v1: {rpm: 6000, tpm: 4000000, max_concurrency: 300, timeout_s: 60, max_attempts: 6}
""")
    config = load_models_config(path)
    assert config.prices["my-finetune"].output_per_million == 1.5
    limits = config.endpoints["http://127.0.0.1:8000/v1"]
    assert (limits.rpm, limits.tpm, limits.max_concurrency, limits.timeout_s, limits.max_attempts,
            limits.max_retry_s) == (6000, 4_000_000, 300, 60, 6, None)
    assert ModelFactory(config).prices.price("my-finetune") == Price(0.5, 1.5)
    assert load_models_config(None) == ModelsConfig() == load_models_config(_write(tmp_path, ""))


@pytest.mark.parametrize(("text", "field"), [
    ("pricing: {}\n", "pricing"),
    ("prices:\n  m: {input_per_million: 1, output_per_million: 2, cached_per_million: 1}\n",
     "prices.m.cached_per_million: unknown key"),
    ("prices:\n  m: {input_per_million: 1}\n", "prices.m.output_per_million: Field required"),
    ("endpoints:\n  http://h/v1: {rpm: 0}\n", "rpm: Input should be greater than 0"),
    ("endpoints:\n  http://h/v1: {max_inflight: 3}\n", "max_inflight: unknown key"),
])
def test_a_bad_entry_names_the_file_and_the_field(tmp_path: Path, text: str, field: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_models_config(path)
    assert str(caught.value).startswith(f"{path}: ") and field in str(caught.value)


def test_invalid_yaml_names_the_file_and_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "prices:\n  a: {input_per_million: 1, output_per_million: 2}\n bad: x\n")
    with pytest.raises(ConfigError) as caught:
        load_models_config(path)
    assert str(caught.value).startswith(f"{path}:3: not valid YAML: ")


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"cannot read the models config .*missing.yaml"):
        load_models_config(tmp_path / "missing.yaml")


async def test_a_price_override_sets_the_cost_of_a_completion(tmp_path: Path, generated_tasks: list[Task]) -> None:
    path = _write(tmp_path, "prices:\n  crmsim-reference: {input_per_million: 1000, output_per_million: 3000}\n")
    factory = ModelFactory(load_models_config(path))
    task = generated_tasks[0]
    try:
        async with serve_models() as url:
            model = factory.build("agent", "crmsim-reference", base_url=url)
            completion = await model.complete(CompletionRequest(
                messages=({"role": "user", "content": task.query},), role="agent", task=task))
    finally:
        await factory.aclose()
    usage = completion.usage
    assert usage.prompt_tokens > 0 and usage.completion_tokens > 0
    assert completion.cost == pytest.approx((usage.prompt_tokens * 1000 + usage.completion_tokens * 3000) / 1e6)
