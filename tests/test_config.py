"""Config, from_env, and the client's construction and lifecycle (pool sharing and closing)."""

from __future__ import annotations

import asyncio
import inspect
import json
import math
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
import respx
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131, Config, RequestSigner, RetryPolicy, SignatureVerifier
from bank131_async.config import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    DEMO_URL,
    NOT_GIVEN,
    PRODUCTION_URL,
    to_timeout,
)
from bank131_async.errors import ConfigurationError
from tests.helpers import BASE_URL, make_client, private_pem, public_pem

OK = json.dumps({"status": "ok", "session": {"id": "ps_1", "status": "created"}}).encode()


@pytest.fixture
def key_files(
    partner_key: rsa.RSAPrivateKey, bank_key: rsa.RSAPrivateKey, tmp_path: Path
) -> dict[str, Path]:
    private = tmp_path / "partner.pem"
    private.write_bytes(private_pem(partner_key, password=b"pw"))
    public = tmp_path / "bank.pub.pem"
    public.write_bytes(public_pem(bank_key))
    return {"private": private, "public": public}


def _minimal(partner_key: rsa.RSAPrivateKey) -> dict[str, str]:
    return {
        "BANK131_PROJECT": "proj",
        "BANK131_PRIVATE_KEY": private_pem(partner_key).decode(),
    }


# --------------------------------------------------------------------------- from_env


def test_from_env_reads_every_variable(
    partner_key: rsa.RSAPrivateKey, bank_key: rsa.RSAPrivateKey, key_files: dict[str, Path]
) -> None:
    environ = {
        "BANK131_PROJECT": "my_project",
        "BANK131_PRIVATE_KEY_PATH": str(key_files["private"]),
        "BANK131_PRIVATE_KEY_PASSWORD": "pw",
        "BANK131_BANK_PUBLIC_KEY_PATH": str(key_files["public"]),
        "BANK131_ENVIRONMENT": "production",
        "BANK131_BASE_URL": "https://proxy.example/",
        "BANK131_SUBMERCHANT": "sub-1",
        "BANK131_TIMEOUT": "12.5",
        "BANK131_MAX_RETRIES": "5",
        "BANK131_API_VERSION": "v1",
        "UNRELATED": "x",
    }
    config = Config.from_env(environ)
    assert config.project == "my_project"
    assert config.private_key == key_files["private"]
    assert isinstance(config.private_key, Path)
    assert config.private_key_password == "pw"
    assert config.bank_public_key == key_files["public"]
    assert config.environment == "production"
    assert config.base_url == "https://proxy.example/"
    assert config.url == "https://proxy.example"
    assert config.submerchant == "sub-1"
    assert config.timeout == httpx.Timeout(12.5)
    assert config.max_retries == 5
    assert config.api_version == "v1"
    # The whole thing is usable: the encrypted key file loads with the password.
    bank = AsyncBank131(config=config)
    assert bank.signer.public_key.public_numbers() == partner_key.public_key().public_numbers()
    assert bank.webhooks.verifier.is_valid(b"{}", RequestSigner(bank_key).sign(b"{}"))


def test_from_env_pem_text_wins_over_path(
    partner_key: rsa.RSAPrivateKey, bank_key: rsa.RSAPrivateKey
) -> None:
    environ = {
        **_minimal(partner_key),
        "BANK131_PRIVATE_KEY_PATH": "/nonexistent/partner.pem",
        "BANK131_BANK_PUBLIC_KEY": public_pem(bank_key).decode(),
        "BANK131_BANK_PUBLIC_KEY_PATH": "/nonexistent/bank.pem",
    }
    config = Config.from_env(environ)
    assert config.private_key == private_pem(partner_key).decode()
    assert config.bank_public_key == public_pem(bank_key).decode()
    AsyncBank131(config=config)


def test_from_env_defaults(partner_key: rsa.RSAPrivateKey) -> None:
    config = Config.from_env(_minimal(partner_key))
    assert config.environment == "demo"
    assert config.url == DEMO_URL
    assert config.base_url is None
    assert config.submerchant is None
    assert config.bank_public_key is None
    assert config.private_key_password is None
    assert config.timeout == DEFAULT_TIMEOUT
    assert config.max_retries == DEFAULT_MAX_RETRIES
    assert config.api_version == "v2"


def test_empty_variables_count_as_unset(partner_key: rsa.RSAPrivateKey) -> None:
    environ = {
        **_minimal(partner_key),
        "BANK131_SUBMERCHANT": "",
        "BANK131_TIMEOUT": "",
        "BANK131_BASE_URL": "",
        "BANK131_PRIVATE_KEY_PASSWORD": "",
    }
    config = Config.from_env(environ)
    assert config.submerchant is None
    assert config.timeout == DEFAULT_TIMEOUT
    assert config.base_url is None
    assert config.private_key_password is None


@pytest.mark.parametrize(
    ("environ", "missing"),
    [
        ({}, "BANK131_PROJECT, BANK131_PRIVATE_KEY[_PATH]"),
        ({"BANK131_PROJECT": "p"}, "BANK131_PRIVATE_KEY[_PATH]"),
        ({"BANK131_PRIVATE_KEY_PATH": "/k.pem"}, "BANK131_PROJECT"),
        (
            {"BANK131_PROJECT": "", "BANK131_PRIVATE_KEY": ""},
            "BANK131_PROJECT, BANK131_PRIVATE_KEY",
        ),
    ],
)
def test_missing_variables(environ: dict[str, str], missing: str) -> None:
    with pytest.raises(ConfigurationError, match="missing configuration: ") as info:
        Config.from_env(environ)
    assert missing in str(info.value)


def test_overrides_win(partner_key: rsa.RSAPrivateKey) -> None:
    environ = {
        **_minimal(partner_key),
        "BANK131_SUBMERCHANT": "env-sub",
        "BANK131_MAX_RETRIES": "7",
        "BANK131_API_VERSION": "v1",
    }
    config = Config.from_env(environ, submerchant="override", max_retries=0, api_version="v2")
    assert (config.submerchant, config.max_retries, config.api_version) == ("override", 0, "v2")
    # Overrides can also supply what the environment lacks.
    config = Config.from_env({}, project="p", private_key=partner_key)
    assert config.project == "p"
    assert config.private_key is partner_key


def test_from_env_uses_os_environ(
    partner_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in _minimal(partner_key).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("BANK131_BASE_URL", BASE_URL)
    assert Config.from_env().project == "proj"
    bank = AsyncBank131.from_env(max_retries=1)
    assert bank.config.url == BASE_URL
    assert bank.config.max_retries == 1


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("BANK131_TIMEOUT", "abc", "BANK131_TIMEOUT must be float"),
        ("BANK131_TIMEOUT", "0", "timeout must be a positive number"),
        ("BANK131_TIMEOUT", "-5", "timeout must be a positive number"),
        ("BANK131_TIMEOUT", "nan", "timeout must be a positive number"),
        ("BANK131_MAX_RETRIES", "two", "BANK131_MAX_RETRIES must be int"),
        ("BANK131_MAX_RETRIES", "1.5", "BANK131_MAX_RETRIES must be int"),
        ("BANK131_MAX_RETRIES", "-1", "max_retries must be an int >= 0"),
        ("BANK131_API_VERSION", "v3", "api_version must be 'v1' or 'v2'"),
        ("BANK131_API_VERSION", "2", "api_version must be 'v1' or 'v2'"),
    ],
)
def test_bad_values(name: str, value: str, message: str, partner_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(ConfigurationError, match=message):
        Config.from_env({**_minimal(partner_key), name: value})


@pytest.mark.parametrize("environment", ["staging", "PRODUCTION", "live"])
def test_bad_environment(environment: str, partner_key: rsa.RSAPrivateKey) -> None:
    environ = {**_minimal(partner_key), "BANK131_ENVIRONMENT": environment}
    with pytest.raises(ConfigurationError, match="environment must be 'demo' or 'production'"):
        AsyncBank131(config=Config.from_env(environ))
    with pytest.raises(ConfigurationError, match="environment must be"):
        AsyncBank131(project="p", private_key=partner_key, environment=environment)  # type: ignore[arg-type]


@pytest.mark.parametrize("environment", ["staging", "PRODUCTION"])
def test_bad_environment_fails_in_config(environment: str, partner_key: rsa.RSAPrivateKey) -> None:
    environ = {**_minimal(partner_key), "BANK131_ENVIRONMENT": environment}
    with pytest.raises(ConfigurationError, match="environment must be"):
        Config.from_env(environ)


def test_unknown_override_is_a_configuration_error(partner_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(ConfigurationError, match="invalid configuration"):
        Config.from_env(_minimal(partner_key), no_such_setting=1)


def test_bad_key_in_environment_fails_at_client_construction(tmp_path: Path) -> None:
    config = Config.from_env(
        {"BANK131_PROJECT": "p", "BANK131_PRIVATE_KEY_PATH": str(tmp_path / "missing.pem")}
    )
    with pytest.raises(ConfigurationError, match="could not read key file"):
        AsyncBank131(config=config)


# --------------------------------------------------------------------------- Config itself


@pytest.mark.parametrize(
    ("environment", "base_url", "url"),
    [
        ("demo", None, DEMO_URL),
        ("production", None, PRODUCTION_URL),
        ("demo", "https://bank.test/", "https://bank.test"),
        ("production", "http://127.0.0.1:8131", "http://127.0.0.1:8131"),
        ("production", "", PRODUCTION_URL),
    ],
)
def test_url_base_url_overrides_environment(
    environment: Any, base_url: str | None, url: str, partner_key: rsa.RSAPrivateKey
) -> None:
    config = Config(
        project="p", private_key=partner_key, environment=environment, base_url=base_url
    )
    assert config.url == url
    assert DEMO_URL == "https://demo.bank131.ru"
    assert PRODUCTION_URL == "https://proxy.bank131.ru"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, DEFAULT_TIMEOUT),
        (5, httpx.Timeout(5.0)),
        (0.5, httpx.Timeout(0.5)),
        (httpx.Timeout(3.0, connect=1.0), httpx.Timeout(3.0, connect=1.0)),
    ],
)
def test_to_timeout(value: Any, expected: httpx.Timeout) -> None:
    assert to_timeout(value) == expected


@pytest.mark.parametrize("value", [0, -1, True, "5", math.nan, -math.inf, [1]])
def test_bad_timeout(value: Any, partner_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(ConfigurationError, match="timeout"):
        Config(project="p", private_key=partner_key, timeout=value)
    with pytest.raises(ConfigurationError, match="timeout"):
        AsyncBank131(project="p", private_key=partner_key, timeout=value)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("project", "", "project must be the non-empty project id"),
        ("project", "  ", "project must be the non-empty project id"),
        ("max_retries", -1, "max_retries"),
        ("max_retries", True, "max_retries"),
        ("max_retries", 1.0, "max_retries"),
        ("max_connections", 0, "max_connections"),
        ("max_connections", True, "max_connections"),
        ("api_version", "V2", "api_version"),
    ],
)
def test_bad_settings(field: str, value: Any, message: str, partner_key: rsa.RSAPrivateKey) -> None:
    settings: dict[str, Any] = {"project": "p", "private_key": partner_key, field: value}
    with pytest.raises(ConfigurationError, match=message):
        Config(**settings)


def test_config_repr_hides_key_material(
    partner_key: rsa.RSAPrivateKey, bank_key: rsa.RSAPrivateKey
) -> None:
    pem = private_pem(partner_key, password=b"hunter2-password").decode()
    config = Config(
        project="p",
        private_key=pem,
        private_key_password="hunter2-password",
        bank_public_key=public_pem(bank_key).decode(),
        submerchant="sub",
    )
    bank = AsyncBank131(config=config)
    body = "".join(line for line in pem.splitlines() if not line.startswith("-----"))
    for text in (repr(config), str(config), repr(bank), str(bank)):
        assert "BEGIN" not in text
        assert "hunter2" not in text
        assert body[40:72] not in text
        assert public_pem(bank_key).decode().splitlines()[1] not in text
    assert "project='p'" in repr(config)
    assert "submerchant='sub'" in repr(config)


def test_config_is_frozen(partner_key: rsa.RSAPrivateKey) -> None:
    config = Config(project="p", private_key=partner_key)
    with pytest.raises(AttributeError):
        config.project = "q"  # type: ignore[misc]


# --------------------------------------------------------------------------- client construction


def test_construction_needs_no_running_event_loop(partner_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()
    bank = make_client(partner_key)  # plain sync code: no loop exists here

    async def use() -> str:
        async with bank:
            with respx.mock(base_url=BASE_URL) as router:
                router.post("/api/v2/session/status").mock(
                    return_value=httpx.Response(200, content=OK)
                )
                session = await bank.sessions.status("ps_1")
        return session.id

    assert asyncio.run(use()) == "ps_1"
    assert bank.is_closed


def test_client_needs_project_and_key(partner_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(ConfigurationError, match="project= and private_key="):
        AsyncBank131(project="p")
    with pytest.raises(ConfigurationError, match="project= and private_key="):
        AsyncBank131(private_key=partner_key)


def test_transport_and_http_client_are_exclusive(partner_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        AsyncBank131(
            project="p",
            private_key=partner_key,
            transport=httpx.MockTransport(lambda r: httpx.Response(200)),
            http_client=httpx.AsyncClient(),
        )


def test_bad_key_fails_at_construction() -> None:
    with pytest.raises(ConfigurationError, match="private_key"):
        AsyncBank131(project="p", private_key=b"garbage")


def test_verifier_needs_bank_public_key(
    partner_key: rsa.RSAPrivateKey, bank_key: rsa.RSAPrivateKey
) -> None:
    with pytest.raises(ConfigurationError, match="bank_public_key is not configured"):
        make_client(partner_key).webhooks.verifier  # noqa: B018
    bank = make_client(
        partner_key, bank_public_key=[public_pem(bank_key), partner_key.public_key()]
    )
    assert isinstance(bank.webhooks.verifier, SignatureVerifier)
    assert bank.webhooks.verifier.is_valid(b"{}", RequestSigner(bank_key).sign(b"{}"))
    assert bank.webhooks.verifier.is_valid(b"{}", bank.signer.sign(b"{}"))


# --------------------------------------------------------------------------- with_options


@pytest.mark.asyncio
async def test_with_options_shares_the_pool_and_changes_settings(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    async with make_client(partner_key, submerchant="base") as bank:
        view = bank.with_options(timeout=3.0, max_retries=4, submerchant=None, api_version="v1")
        assert view is not bank
        assert view._http is bank._http  # the very same httpx.AsyncClient
        assert view.signer is bank.signer
        assert view.config.timeout == httpx.Timeout(3.0)
        assert view.config.max_retries == 4
        assert view.config.submerchant is None
        assert view.config.api_version == "v1"
        # The original is untouched.
        assert bank.config.timeout == DEFAULT_TIMEOUT
        assert bank.config.max_retries == 0
        assert bank.config.submerchant == "base"
        assert bank.config.api_version == "v2"
        unchanged = bank.with_options()
        assert unchanged.config == bank.config
        assert unchanged._http is bank._http

        with respx.mock(base_url=BASE_URL) as router:
            v1 = router.post("/api/v1/session/status").mock(
                return_value=httpx.Response(200, content=OK)
            )
            v2 = router.post("/api/v2/session/status").mock(
                return_value=httpx.Response(200, content=OK)
            )
            await view.sessions.status("ps_1")
            await bank.sessions.status("ps_1")
        assert "X-PARTNER-SUBMERCHANT" not in v1.calls.last.request.headers
        assert v2.calls.last.request.headers["X-PARTNER-SUBMERCHANT"] == "base"

        # Closing a view leaves the shared pool open.
        await view.aclose()
        assert view.is_closed
        assert not bank._http.is_closed
    assert bank._http.is_closed


@pytest.mark.asyncio
async def test_with_options_rejects_bad_values(partner_key: rsa.RSAPrivateKey) -> None:
    async with make_client(partner_key) as bank:
        with pytest.raises(ConfigurationError):
            bank.with_options(max_retries=-1)
        with pytest.raises(ConfigurationError):
            bank.with_options(api_version="v9")  # type: ignore[arg-type]
        with pytest.raises(ConfigurationError):
            bank.with_options(timeout=0)


# --------------------------------------------------------------------------- lifecycle


@pytest.mark.asyncio
async def test_owned_client_is_closed_on_exit(partner_key: rsa.RSAPrivateKey) -> None:
    bank = make_client(partner_key)
    async with bank as entered:
        assert entered is bank
        assert not bank._http.is_closed
        assert not bank.is_closed
    assert bank._http.is_closed
    assert bank.is_closed
    await bank.aclose()  # idempotent


async def _use_then_fail(bank: AsyncBank131, error: Exception) -> None:
    async with bank:
        await bank.sessions.status("ps_1")
        raise error


async def _fail_inside(bank: AsyncBank131, error: Exception) -> None:
    """Enter ``bank``, make one (answered) status call, then raise ``error`` in the body."""
    with respx.mock(base_url=BASE_URL) as router:
        route = router.post("/api/v2/session/status").mock(
            return_value=httpx.Response(200, content=OK)
        )
        with pytest.raises(type(error)):
            await _use_then_fail(bank, error)
    assert route.called


@pytest.mark.asyncio
async def test_owned_client_is_closed_even_when_the_body_raises(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    bank = make_client(partner_key)
    await _fail_inside(bank, ZeroDivisionError("boom"))
    assert bank._http.is_closed
    assert bank.is_closed


@pytest.mark.asyncio
async def test_injected_http_client_is_never_closed(partner_key: rsa.RSAPrivateKey) -> None:
    async with httpx.AsyncClient() as http:
        bank = make_client(partner_key, http_client=http)
        assert bank._http is http
        await _fail_inside(bank, KeyError("boom"))
        assert bank.is_closed
        assert not http.is_closed
        async with make_client(partner_key, http_client=http):
            pass
        assert not http.is_closed
    assert http.is_closed


@pytest.mark.asyncio
async def test_injected_transport_is_used(partner_key: rsa.RSAPrivateKey) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=OK)

    async with make_client(partner_key, transport=httpx.MockTransport(handler)) as bank:
        session = await bank.sessions.status("ps_1")
    assert session.id == "ps_1"
    assert len(seen) == 1
    assert bank._http.is_closed


# --------------------------------------------------------------------------- one path


@pytest.mark.parametrize(
    "extra",
    [{"timeout": 5}, {"max_retries": 1}, {"project": "other"}, {"environment": "production"}],
    ids=lambda e: next(iter(e)),
)
def test_settings_beside_a_config_are_refused_not_ignored(
    partner_key: rsa.RSAPrivateKey, extra: dict[str, Any]
) -> None:
    """Defect: AsyncBank131(config=cfg, timeout=5) silently ignored timeout."""
    config = Config(project="p", private_key=partner_key)
    with pytest.raises(ConfigurationError, match=f"{next(iter(extra))} would be ignored"):
        AsyncBank131(config=config, **extra)


def test_max_retries_beside_a_retry_policy_is_refused(partner_key: rsa.RSAPrivateKey) -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        AsyncBank131(
            project="p", private_key=partner_key, max_retries=3, retry_policy=RetryPolicy()
        )


def test_with_options_offers_every_per_request_setting_of_the_constructor() -> None:
    """A view is built by the constructor; this keeps the two signatures in step (as
    openai-python's copy() test does): a setting added to __init__ must be added to
    with_options, or listed here as one a view shares with its client."""
    shared_with_the_client = {
        "project",  # another project is another client (and other keys)
        "private_key",
        "private_key_password",
        "bank_public_key",
        "environment",  # base_url/kyc_base_url can change per view
        "max_connections",  # the pool is shared
        "http_backend",
        "transport",
        "http_client",
        "config",
        "_parent",
    }
    init = set(inspect.signature(AsyncBank131.__init__).parameters) - {"self"}
    view = set(inspect.signature(AsyncBank131.with_options).parameters) - {"self"}
    assert view <= init
    assert init - view == shared_with_the_client


@pytest.mark.asyncio
async def test_with_options_none_removes_and_not_given_keeps(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    async with AsyncBank131(project="p", private_key=partner_key, submerchant="sub") as bank:
        assert bank.with_options().config.submerchant == "sub"
        assert bank.with_options(submerchant=None).config.submerchant is None
        assert bank.with_options(timeout=3).config.submerchant == "sub"
        with pytest.raises(ConfigurationError, match="not both"):
            bank.with_options(max_retries=1, retry_policy=RetryPolicy())
        assert bank.with_options(retry_policy=RetryPolicy(max_retries=7)).config.max_retries == 7
    assert repr(NOT_GIVEN) == "NOT_GIVEN"
    assert not NOT_GIVEN


# --------------------------------------------------------------------------- ResourceWarning


def _used_client(key: rsa.RSAPrivateKey) -> AsyncBank131:
    async def use() -> AsyncBank131:
        answer = httpx.Response(200, json={"status": "ok", "session": {"id": "s", "status": "x"}})
        bank = AsyncBank131(
            project="p",
            private_key=key,
            base_url="https://bank.test",
            transport=httpx.MockTransport(lambda _: answer),
        )
        await bank.sessions.status("s")
        return bank

    return anyio.run(use)


def test_a_used_client_collected_open_warns_and_names_the_fix(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    bank = _used_client(partner_key)
    with pytest.warns(ResourceWarning, match="async with AsyncBank131"):
        bank.__del__()
    bank._mark_closed()  # the real collection later stays quiet


def test_closed_unused_clients_and_views_do_not_warn(partner_key: rsa.RSAPrivateKey) -> None:
    import warnings

    bank = _used_client(partner_key)
    view = bank.with_options(timeout=2)
    unused = AsyncBank131(project="p", private_key=partner_key)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        view.__del__()
        unused.__del__()
        anyio.run(bank.aclose)
        bank.__del__()
