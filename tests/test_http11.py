"""The fast path's HTTP/1.1 client against servers that write raw bytes on 127.0.0.1: every
framing it must read, connection reuse and expiry, and what it must refuse or hand to httpx."""

from __future__ import annotations

import asyncio
import datetime
import gzip
import ipaddress
import json
import socket
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from bank131_async import AsyncBank131, RetryPolicy
from bank131_async._http11 import KEEPALIVE, _readable
from bank131_async.errors import TransportConnectionError
from tests.servers import guard_loopback

SESSION = {"id": "ps_1", "status": "in_progress"}
OK = json.dumps({"status": "ok", "session": SESSION}).encode()
NO_RETRIES = RetryPolicy(max_retries=0)

Reply = Callable[[asyncio.StreamReader, asyncio.StreamWriter, int], Awaitable[None]]


@pytest.fixture(autouse=True)
def escaped(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    seen = guard_loopback(monkeypatch)
    yield seen
    assert not seen, f"left 127.0.0.1: {seen}"


class RawServer:
    """Calls ``reply(reader, writer, n)`` for the n-th request (0-based) of the whole server;
    counts connections and requests."""

    def __init__(self, reply: Reply) -> None:
        self.reply = reply
        self.requests = 0
        self.connections = 0
        self.heads: list[bytes] = []
        self.url = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = int(head.lower().split(b"content-length:", 1)[1].split(b"\r\n")[0])
                await reader.readexactly(length)
                self.heads.append(head)
                n = self.requests
                self.requests += 1
                await self.reply(reader, writer, n)
                if writer.is_closing():
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


async def serving(
    reply: Reply, ssl_context: ssl.SSLContext | None = None
) -> AsyncIterator[RawServer]:
    server = RawServer(reply)
    srv = await asyncio.start_server(server.handle, "127.0.0.1", 0, ssl=ssl_context)
    scheme = "https" if ssl_context else "http"
    server.url = f"{scheme}://127.0.0.1:{srv.sockets[0].getsockname()[1]}"
    async with srv:
        yield server
        srv.close()


def answer(*parts: bytes) -> Reply:
    async def reply(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, n: int) -> None:
        for part in parts:
            writer.write(part)
            await writer.drain()

    return reply


def client(key: rsa.RSAPrivateKey, url: str, **kw: Any) -> AsyncBank131:
    kw.setdefault("retry_policy", NO_RETRIES)
    return AsyncBank131(project="p", private_key=key, base_url=url, **kw)


def head(status: bytes = b"200 OK", *headers: bytes) -> bytes:
    return b"HTTP/1.1 " + status + b"\r\n" + b"".join(h + b"\r\n" for h in headers) + b"\r\n"


LENGTH = head(b"200 OK", b"Content-Type: application/json", b"Content-Length: %d" % len(OK))


async def status_via(reply: Reply, key: rsa.RSAPrivateKey, calls: int = 1) -> RawServer:
    async for server in serving(reply):
        async with client(key, server.url) as bank:
            for _ in range(calls):
                session = await bank.sessions.status("ps_1")
                assert session.id == "ps_1"
            assert bank._fast is not None
            assert bank._fast.attempts == calls
        return server
    raise AssertionError("unreachable")


# --------------------------------------------------------------------------- framing


@pytest.mark.asyncio
async def test_content_length_answers_reuse_one_connection(partner_key: rsa.RSAPrivateKey) -> None:
    server = await status_via(answer(LENGTH, OK), partner_key, calls=5)
    assert server.requests == 5
    assert server.connections == 1
    sent = server.heads[0].decode()
    assert sent.startswith("POST /api/v2/session/status HTTP/1.1\r\nHost: 127.0.0.1:")
    assert "\r\nX-PARTNER-SIGN: " in sent
    assert sent.endswith("\r\nContent-Length: 21\r\n\r\n")  # {"session_id":"ps_1"}


@pytest.mark.asyncio
async def test_an_answer_split_into_many_writes_is_reassembled(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    whole = LENGTH + OK
    pieces = [whole[i : i + 7] for i in range(0, len(whole), 7)]
    server = await status_via(answer(*pieces), partner_key, calls=2)
    assert server.connections == 1


@pytest.mark.asyncio
async def test_chunked_answers(partner_key: rsa.RSAPrivateKey) -> None:
    chunked = head(b"200 OK", b"Content-Type: application/json", b"Transfer-Encoding: chunked")
    body = b"".join(
        b"%x\r\n%s\r\n" % (len(OK[i : i + 10]), OK[i : i + 10]) for i in range(0, len(OK), 10)
    )
    server = await status_via(answer(chunked, body, b"0\r\nX-Trailer: t\r\n\r\n"), partner_key, 3)
    assert server.connections == 1


@pytest.mark.asyncio
async def test_an_answer_that_ends_with_the_connection(partner_key: rsa.RSAPrivateKey) -> None:
    async def until_close(r: asyncio.StreamReader, w: asyncio.StreamWriter, n: int) -> None:
        w.write(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" + OK)
        await w.drain()
        w.close()

    server = await status_via(until_close, partner_key, calls=2)
    assert server.connections == 2  # no keep-alive after a close-delimited answer


@pytest.mark.asyncio
async def test_connection_close_is_honoured(partner_key: rsa.RSAPrivateKey) -> None:
    closing = head(b"200 OK", b"Connection: close", b"Content-Length: %d" % len(OK))
    server = await status_via(answer(closing, OK), partner_key, calls=3)
    assert server.connections == 3


@pytest.mark.asyncio
async def test_interim_answers_are_skipped(partner_key: rsa.RSAPrivateKey) -> None:
    server = await status_via(
        answer(head(b"100 Continue"), head(b"103 Early Hints", b"Link: </x>"), LENGTH, OK),
        partner_key,
        calls=2,
    )
    assert server.connections == 1


@pytest.mark.asyncio
async def test_a_compressed_answer_is_decoded_once(partner_key: rsa.RSAPrivateKey) -> None:
    packed = gzip.compress(OK)
    gz = head(b"200 OK", b"Content-Encoding: gzip", b"Content-Length: %d" % len(packed))
    await status_via(answer(gz, packed), partner_key, calls=2)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "garbage",
    [
        b"HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\n{}",
        b"SMTP ready\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nno colon here\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}EXTRA",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{}",  # then the server hangs up
    ],
)
async def test_a_broken_answer_may_have_been_processed(
    partner_key: rsa.RSAPrivateKey, garbage: bytes
) -> None:
    async def reply(r: asyncio.StreamReader, w: asyncio.StreamWriter, n: int) -> None:
        w.write(garbage)
        await w.drain()
        w.close()

    async for server in serving(reply):
        async with client(partner_key, server.url) as bank:
            with pytest.raises(TransportConnectionError) as info:
                await bank.sessions.confirm("ps_1", idempotency_key="k")
            assert bank._fast is not None
            assert bank._fast.attempts == 1
        assert info.value.request_sent is True  # the request was written: maybe processed


@pytest.mark.asyncio
async def test_an_oversized_head_is_refused(partner_key: rsa.RSAPrivateKey) -> None:
    huge = b"HTTP/1.1 200 OK\r\n" + b"X-Pad: " + b"a" * 70_000 + b"\r\n"
    async for server in serving(answer(huge)):
        async with client(partner_key, server.url) as bank:
            with pytest.raises(TransportConnectionError) as info:
                await bank.sessions.status("ps_1")
        assert "64 KiB" in str(info.value)
        assert info.value.request_sent is True


# --------------------------------------------------------------------------- connections


@pytest.mark.asyncio
async def test_a_connection_the_server_closed_while_idle_is_replaced_not_failed(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    async def answer_then_close(r: asyncio.StreamReader, w: asyncio.StreamWriter, n: int) -> None:
        w.write(LENGTH + OK)  # keep-alive promised, then the server drops it while idle
        await w.drain()
        w.close()

    async for server in serving(answer_then_close):
        async with client(partner_key, server.url) as bank:
            await bank.sessions.status("ps_1")
            for _ in range(100):  # until the client has seen the close (bounded)
                pool = bank._fast._pool if bank._fast else None
                if pool is not None and all(c.closed for c in pool._open):
                    break
                await asyncio.sleep(0.005)
            await bank.sessions.status("ps_1")  # no error: a new connection
        assert server.connections == 2


@pytest.mark.asyncio
async def test_idle_connections_expire(
    partner_key: rsa.RSAPrivateKey, monkeypatch: pytest.MonkeyPatch
) -> None:
    async for server in serving(answer(LENGTH, OK)):
        async with client(partner_key, server.url) as bank:
            await bank.sessions.status("ps_1")
            pool = bank._fast._pool if bank._fast else None
            assert pool is not None
            for conns in pool._idle.values():
                for conn in conns:
                    conn.idle_since -= KEEPALIVE + 1  # as if it had idled that long
            await bank.sessions.status("ps_1")
        assert server.connections == 2


@pytest.mark.asyncio
async def test_a_slow_but_steady_answer_is_not_a_read_timeout(
    partner_key: rsa.RSAPrivateKey,
) -> None:
    whole = LENGTH + OK

    async def trickle(r: asyncio.StreamReader, w: asyncio.StreamWriter, n: int) -> None:
        for i in range(0, len(whole), 40):  # each pause is shorter than the read timeout
            w.write(whole[i : i + 40])
            await w.drain()
            await asyncio.sleep(0.03)

    async for server in serving(trickle):
        timeout = httpx.Timeout(5.0, read=0.1)
        async with client(partner_key, server.url, timeout=timeout) as bank:
            session = await bank.sessions.status("ps_1")
    assert session.id == "ps_1"


# --------------------------------------------------------------------------- handed to httpx


@pytest.mark.asyncio
@pytest.mark.parametrize("backend", ["auto", "httpx"])
async def test_a_header_httpx_must_judge_goes_through_httpx(
    partner_key: rsa.RSAPrivateKey, backend: str
) -> None:
    # A CR/LF in a header value: the fast path does not write it, httpx refuses it, and both
    # backends end in the same error.
    async for server in serving(answer(LENGTH, OK)):
        async with client(partner_key, server.url, http_backend=backend) as bank:
            with pytest.raises(TransportConnectionError, match="Illegal header value"):
                await bank.sessions.confirm("ps_1", idempotency_key="k\r\nX-Evil: 1")
            assert bank._fast is None or bank._fast.attempts == 0
        assert server.requests == 0


# --------------------------------------------------------------------------- TLS


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def server_tls(files: tuple[Path, Path]) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*files)
    return context


@pytest.mark.asyncio
async def test_tls_is_verified_like_httpx_does(
    partner_key: rsa.RSAPrivateKey,
    tls_files: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # httpx trusts SSL_CERT_FILE when it is set; so does the fast path.
    monkeypatch.setenv("SSL_CERT_FILE", str(tls_files[0]))
    async for server in serving(answer(LENGTH, OK), server_tls(tls_files)):
        async with client(partner_key, server.url) as bank:
            session = await bank.sessions.status("ps_1")
            assert bank._fast is not None
            assert bank._fast.attempts == 1
    assert session.id == "ps_1"


@pytest.mark.asyncio
async def test_an_untrusted_certificate_was_not_sent(
    partner_key: rsa.RSAPrivateKey,
    tls_files: tuple[Path, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    async for server in serving(answer(LENGTH, OK), server_tls(tls_files)):
        async with client(partner_key, server.url) as bank:
            with pytest.raises(TransportConnectionError) as info:
                await bank.sessions.confirm("ps_1", idempotency_key="k")
        assert server.requests == 0
    assert info.value.request_sent is False
    assert "CERTIFICATE_VERIFY_FAILED" in str(info.value)


def test_an_idle_connection_with_unread_bytes_is_never_reused() -> None:
    # What the loop may not have seen yet: the server's FIN (or stray bytes) already in the
    # kernel. The pool checks the socket itself before reusing a connection.
    class Idle:
        def __init__(self, sock: socket.socket) -> None:
            self.sock = sock

        def get_extra_info(self, name: str) -> Any:
            return self.sock if name == "socket" else None

    ours, theirs = socket.socketpair()
    with ours, theirs:
        assert _readable(Idle(ours)) is False  # type: ignore[arg-type]
        theirs.shutdown(socket.SHUT_WR)  # the server's FIN
        assert _readable(Idle(ours)) is True  # type: ignore[arg-type]
