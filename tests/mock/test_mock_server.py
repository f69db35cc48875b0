"""MockBank131's lifecycle and key material, and the ``python -m bank131_async.mock`` CLI."""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bank131_async.mock import MockBank131
from bank131_async.mock.__main__ import main
from bank131_async.mock.server import bind_loopback

pytestmark = pytest.mark.asyncio


async def test_keys_and_repr(server: MockBank131, partner_key: rsa.RSAPrivateKey) -> None:
    loaded = serialization.load_pem_private_key(server.partner_private_key_pem, password=None)
    assert isinstance(loaded, rsa.RSAPrivateKey)
    assert loaded.private_numbers() == partner_key.private_numbers()
    bank_public = serialization.load_pem_public_key(server.bank_public_key_pem)
    assert isinstance(bank_public, rsa.RSAPublicKey)
    assert bank_public.public_numbers() == server.bank_private_key.public_key().public_numbers()
    assert server.partner_public_key_pem.startswith(b"-----BEGIN PUBLIC KEY-----")
    for text in (repr(server), repr(server.app)):
        assert "PRIVATE" not in text
        assert "mock_project" in text


async def test_generates_keys_and_stops_cleanly() -> None:
    mock = MockBank131(project="p1", confirm_delay=1.0)
    with pytest.raises(RuntimeError, match="not running"):
        _ = mock.url
    async with mock:
        url = mock.url
        assert mock.config.confirm_delay == 1.0
        async with httpx.AsyncClient() as client:
            response = await client.post(f"{url}/api/v2/session/status", content=b"{}")
        assert response.status_code == 401
    with pytest.raises(RuntimeError, match="not running"):
        _ = mock.url
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError):
            await client.post(f"{url}/api/v2/session/status", content=b"{}")


def test_binds_loopback_only() -> None:
    with pytest.raises(ValueError, match="loopback"):
        bind_loopback(0, "0.0.0.0")  # noqa: S104 -- the point of the test


def test_cli_rejects_a_bad_fault(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--fault", "explode"]) == 2
    assert "--fault" in capsys.readouterr().err


def test_cli_refuses_a_public_interface(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--host", "0.0.0.0", "--port", "0"]) == 2  # noqa: S104 -- refused
    assert "loopback" in capsys.readouterr().err


def test_cli_serves_and_prints_key_paths(tmp_path: Path) -> None:
    """Also: ``--fault outage`` takes the CLI's server down and brings it back."""
    fault = "outage:route=session/status,times=1,duration=1"
    command = ["--port", "0", "--key-dir", str(tmp_path), "--fault", fault]
    process = subprocess.Popen(
        [sys.executable, "-m", "bank131_async.mock", *command],
        stdout=subprocess.PIPE,
        text=True,
    )
    # readline() blocks; a watchdog kill turns a hung server into EOF and a failed test.
    watchdog = threading.Timer(20, process.kill)
    watchdog.start()
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline().strip() for _ in range(5)]
        url = lines[0].rsplit(" ", 1)[1]
        assert url.startswith("http://127.0.0.1:")
        project = lines[1].split(": ", 1)[1]
        files = dict(line.split(": ", 1) for line in lines[2:])
        assert set(files) == {"partner private key", "partner public key", "bank public key"}
        assert all("BEGIN" not in line for line in lines)  # paths, never key material
        assert (Path(files["partner private key"]).stat().st_mode & 0o777) == 0o600
        key = serialization.load_pem_private_key(
            Path(files["partner private key"]).read_bytes(), password=None
        )
        assert isinstance(key, rsa.RSAPrivateKey)
        body = json.dumps({}).encode()
        signature = base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256()))
        response = httpx.post(
            f"{url}/api/v2/session/create",
            content=body,
            headers={"X-PARTNER-PROJECT": project, "X-PARTNER-SIGN": signature.decode()},
            timeout=5,
        )
        assert response.json()["session"]["status"] == "created"

        status = json.dumps({"session_id": response.json()["session"]["id"]}).encode()
        signature = base64.b64encode(key.sign(status, padding.PKCS1v15(), hashes.SHA256()))
        headers = {"X-PARTNER-PROJECT": project, "X-PARTNER-SIGN": signature.decode()}
        with pytest.raises(httpx.RemoteProtocolError):
            httpx.post(f"{url}/api/v2/session/status", content=status, headers=headers, timeout=5)
        with pytest.raises(httpx.ConnectError):
            httpx.post(f"{url}/api/v2/session/status", content=status, headers=headers, timeout=5)
        deadline = time.monotonic() + 10
        while True:  # bounded: the outage lasts one second
            try:
                response = httpx.post(
                    f"{url}/api/v2/session/status", content=status, headers=headers, timeout=5
                )
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "the CLI server never listened again"
                time.sleep(0.05)
        assert response.json()["session"]["status"] == "created"
    finally:
        watchdog.cancel()
        process.terminate()
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
