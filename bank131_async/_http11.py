"""A minimal HTTP/1.1 client on asyncio protocols, for the default client's fast path.

The SDK sends one kind of request: a POST of a small JSON body, answered with a small JSON
body. A protocol that does only this costs ~40-60 µs less CPU per round trip than aiohttp and
several hundred less than httpx's pool (``benchmarks/README.md``: ``http11-nosign`` against
``aiohttp-nosign``). What it does, and nothing more:

* keep-alive connections, one request at a time on each (no pipelining), at most as many as
  the SDK lets requests through its limiter; idle ones are dropped after ``KEEPALIVE`` s (less
  than httpx's 5 s and uvicorn's 5 s idle timeout, so a reused connection is not one the server
  is closing);
* answers framed by ``Content-Length``, ``Transfer-Encoding: chunked`` or the end of the
  connection; 1xx heads skipped; ``Connection: close`` honoured; ``Content-Encoding`` left to
  httpx to decode (none is asked for);
* TLS through asyncio with httpx's default context;
* httpx's ``connect`` and ``read`` timeouts (the read timeout bounds each wait for data, as in
  httpx). ``write`` does not apply: a request is one small write into the socket's buffer.
  ``pool`` does not either: the SDK's limiter lets no more requests through than there may be
  connections, so none waits for one.

The point of owning the socket is that "was the request sent?" is answered exactly: every
failure before the request's first byte is handed to the socket (connecting, TLS, an idle
connection found dead) is :class:`NotSent`; every failure after it is :class:`MaybeSent`.
"""

from __future__ import annotations

import asyncio
import contextlib
import select
import ssl
from collections.abc import Mapping
from typing import Any, Final

__all__ = ["KEEPALIVE", "Connection", "MaybeSent", "NotSent", "Pool", "ReadTimedOut"]

#: Idle keep-alive connections older than this are closed instead of reused (seconds).
KEEPALIVE: Final = 4.0
_MAX_HEAD: Final = 64 * 1024
_NO_BODY: Final = frozenset({204, 304})


class NotSent(Exception):
    """Nothing of the request left this process (connect, TLS, a dead idle connection)."""


class ConnectTimedOut(NotSent):
    pass


class MaybeSent(Exception):
    """The request was handed to the socket; what happened to it is unknown."""


class ReadTimedOut(MaybeSent):
    pass


class ProtocolViolation(MaybeSent):
    pass


class Connection(asyncio.Protocol):
    """One keep-alive connection; :meth:`exchange` sends a request and awaits its answer."""

    __slots__ = (
        "_buf",
        "_chunked",
        "_chunks",
        "_head",
        "_length",
        "_loop",
        "_reads",
        "_scan",
        "_status",
        "_until_close",
        "_waiter",
        "closed",
        "idle_since",
        "keep_alive",
        "transport",
    )

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.keep_alive = True
        self.idle_since = 0.0
        self._waiter: asyncio.Future[tuple[int, list[tuple[bytes, bytes]], bytes]] | None = None
        self._buf = bytearray()
        self._reads = 0
        self._reset()

    def _reset(self) -> None:
        self._scan = 0
        self._head: list[tuple[bytes, bytes]] | None = None
        self._status = 0
        self._length = -1
        self._chunked = False
        self._until_close = False

    # ------------------------------------------------------------------ asyncio callbacks

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self._reads += 1
        if self._waiter is None:
            # Bytes nobody asked for: the connection's framing can no longer be trusted.
            self.close()
            return
        self._buf += data
        try:
            self._parse(eof=False)
        except ProtocolViolation as exc:
            self._fail(exc)

    def eof_received(self) -> bool:
        self.keep_alive = False
        if self._waiter is not None:
            try:
                self._parse(eof=True)
            except ProtocolViolation as exc:
                self._fail(exc)
        return False  # let the transport close

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        self.keep_alive = False
        if self._waiter is not None and not self._waiter.done():
            text = f"{type(exc).__name__}: {exc}" if exc else "the server closed the connection"
            self._waiter.set_exception(MaybeSent(text))
        self._waiter = None

    # ------------------------------------------------------------------ one exchange

    async def exchange(
        self, request: bytes, read_timeout: float | None
    ) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
        transport = self.transport
        if self.closed or transport is None or transport.is_closing():
            raise NotSent("the pooled connection was closed before the request was written")
        waiter: asyncio.Future[tuple[int, list[tuple[bytes, bytes]], bytes]]
        waiter = self._loop.create_future()
        self._waiter = waiter
        self._reset()
        transport.write(request)  # from here on, the request may have reached the server
        timer = (
            self._loop.call_later(read_timeout, self._check_read, waiter, self._reads, read_timeout)
            if read_timeout is not None
            else None
        )
        try:
            return await waiter
        except BaseException:
            self.close()  # cancelled or failed mid-answer: the framing is lost
            raise
        finally:
            self._waiter = None
            if timer is not None:
                timer.cancel()

    def _check_read(self, waiter: asyncio.Future[Any], reads: int, read_timeout: float) -> None:
        # httpx's read timeout bounds each wait for data, not the whole answer: while bytes
        # keep arriving, look again later (one timer per request, not one per read).
        if waiter is not self._waiter or waiter.done():
            return  # that exchange is over
        if self._reads != reads:
            self._loop.call_later(read_timeout, self._check_read, waiter, self._reads, read_timeout)
            return
        waiter.set_exception(ReadTimedOut(f"no data from the server for {read_timeout:g} s"))
        self.close()

    def _fail(self, exc: Exception) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)
        self.close()

    def close(self) -> None:
        self.closed = True
        self.keep_alive = False
        if self.transport is not None:
            self.transport.abort()

    # ------------------------------------------------------------------ parsing

    def _parse(self, *, eof: bool) -> None:
        buf = self._buf
        while self._head is None:
            end = buf.find(b"\r\n\r\n", self._scan)
            if end < 0:
                if len(buf) > _MAX_HEAD:
                    raise ProtocolViolation("the answer's head is larger than 64 KiB")
                self._scan = max(0, len(buf) - 3)
                if eof:
                    raise ProtocolViolation("the server closed the connection mid-answer")
                return
            head = bytes(buf[:end])
            del buf[: end + 4]
            self._scan = 0
            if not self._read_head(head):
                continue  # a 1xx interim answer
        if self._chunked:
            body = self._dechunk(eof)
        elif self._until_close:
            if not eof:
                return
            body = bytes(buf)
            buf.clear()
        else:
            if len(buf) < self._length:
                if eof:
                    raise ProtocolViolation("the server closed the connection mid-body")
                return
            body = bytes(buf[: self._length])
            del buf[: self._length]
        if body is None:
            return
        if buf:
            raise ProtocolViolation("the server sent bytes after the answer")
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            assert self._head is not None
            waiter.set_result((self._status, self._head, body))

    def _read_head(self, head: bytes) -> bool:
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ", 2)
        if len(parts) < 2 or not parts[0].startswith(b"HTTP/1.") or len(parts[1]) != 3:
            raise ProtocolViolation(f"not an HTTP/1.x status line: {lines[0][:40]!r}")
        try:
            status = int(parts[1])
        except ValueError:
            raise ProtocolViolation(f"bad status code {parts[1][:10]!r}") from None
        headers: list[tuple[bytes, bytes]] = []
        length: int | None = None
        chunked = False
        close = parts[0] == b"HTTP/1.0"
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if not sep or not name or name != name.strip():
                raise ProtocolViolation(f"bad header line {line[:40]!r}")
            value = value.strip()
            headers.append((name, value))
            lower = name.lower()
            if lower == b"content-length":
                try:
                    number = int(value)
                except ValueError:
                    raise ProtocolViolation("bad Content-Length") from None
                if number < 0 or (length is not None and length != number):
                    raise ProtocolViolation("bad Content-Length")
                length = number
            elif lower == b"transfer-encoding":
                chunked = value.lower().rsplit(b",", 1)[-1].strip() == b"chunked"
                if not chunked:
                    raise ProtocolViolation("unsupported Transfer-Encoding")
            elif lower == b"connection":
                tokens = {t.strip() for t in value.lower().split(b",")}
                if b"close" in tokens:
                    close = True
                elif b"keep-alive" in tokens and parts[0] == b"HTTP/1.0":
                    close = False
        if 100 <= status < 200:
            if status == 101:
                raise ProtocolViolation("the server switched protocols")
            return False
        self._head = headers
        self._status = status
        if close:
            self.keep_alive = False
        if status in _NO_BODY:
            self._length = 0
        elif chunked:
            self._chunked = True
            self._chunks = bytearray()
        elif length is not None:
            self._length = length
        else:
            self._until_close = True
            self.keep_alive = False
        return True

    def _dechunk(self, eof: bool) -> bytes | None:
        buf = self._buf
        chunks: bytearray = self._chunks
        while True:
            line_end = buf.find(b"\r\n")
            if line_end < 0:
                if eof:
                    raise ProtocolViolation("the server closed the connection mid-body")
                return None
            size_text = bytes(buf[:line_end]).split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                raise ProtocolViolation("bad chunk size") from None
            if size == 0:
                trailer_end = buf.find(b"\r\n\r\n", line_end)
                if buf[line_end : line_end + 4] == b"\r\n\r\n":
                    trailer_end = line_end
                if trailer_end < 0:
                    if eof:
                        raise ProtocolViolation("the server closed the connection mid-body")
                    return None
                del buf[: trailer_end + 4]
                return bytes(chunks)
            if len(buf) < line_end + 2 + size + 2:
                if eof:
                    raise ProtocolViolation("the server closed the connection mid-body")
                return None
            start = line_end + 2
            chunks += buf[start : start + size]
            if buf[start + size : start + size + 2] != b"\r\n":
                raise ProtocolViolation("chunk not followed by CRLF")
            del buf[: start + size + 2]


class Pool:
    """Idle keep-alive connections of one event loop, by (scheme, host, port)."""

    __slots__ = ("_idle", "_loop", "_open")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._idle: dict[tuple[str, str, int], list[Connection]] = {}
        self._open: set[Connection] = set()

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        return self._loop

    def take(self, key: tuple[str, str, int]) -> Connection | None:
        idle = self._idle.get(key)
        if not idle:
            return None
        now = self._loop.time()
        while idle:
            conn = idle.pop()  # the most recently used: the least likely to have expired
            transport = conn.transport
            if (
                conn.closed
                or transport is None
                or transport.is_closing()
                or now - conn.idle_since > KEEPALIVE
                or _readable(transport)
            ):
                self._forget(conn)
                continue
            return conn
        return None

    def put(self, key: tuple[str, str, int], conn: Connection) -> None:
        if conn.closed or not conn.keep_alive:
            self._forget(conn)
            return
        conn.idle_since = self._loop.time()
        self._idle.setdefault(key, []).append(conn)

    def _forget(self, conn: Connection) -> None:
        conn.close()
        self._open.discard(conn)

    async def connect(
        self,
        key: tuple[str, str, int],
        ssl_context: ssl.SSLContext | None,
        timeout: float | None,
    ) -> Connection:
        _, host, port = key
        loop = self._loop
        try:
            async with asyncio.timeout(timeout):
                _, conn = await loop.create_connection(
                    lambda: Connection(loop),
                    host,
                    port,
                    ssl=ssl_context,
                    server_hostname=host if ssl_context is not None else None,
                )
        except TimeoutError:
            raise ConnectTimedOut(f"connecting to {host}:{port} timed out") from None
        except OSError as exc:  # refused, unreachable, DNS, TLS (ssl.SSLError is an OSError)
            raise NotSent(f"{type(exc).__name__}: {exc}") from exc
        self._open.add(conn)
        return conn

    def release(self, conn: Connection) -> None:
        """A connection that will not go back to the pool (closed, failed, cancelled)."""
        self._forget(conn)

    def close(self) -> None:
        """Close every connection; on a closed loop, close their sockets directly."""
        conns = list(self._open)
        self._open.clear()
        self._idle.clear()
        closed_loop = self._loop.is_closed()
        for conn in conns:
            conn.closed = True
            transport = conn.transport
            if transport is None:
                continue
            if closed_loop:
                # The loop that owns the transport will never run its close callbacks.
                sock = getattr(transport, "_sock", None)
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.close()
                    transport._sock = None  # type: ignore[attr-defined]
            else:
                with contextlib.suppress(Exception):
                    transport.abort()


def _readable(transport: asyncio.Transport) -> bool:
    """An idle connection with something to read has been closed (or broken) by the server,
    maybe so recently that the loop has not seen it yet: never reuse it (httpcore checks the
    same before reusing a connection)."""
    sock = transport.get_extra_info("socket")
    if sock is None:
        return False
    try:
        fd = sock.fileno()
        if hasattr(select, "poll"):  # no FD_SETSIZE limit, unlike select()
            poller = select.poll()
            poller.register(fd, select.POLLIN)
            return bool(poller.poll(0))
        readable, _, _ = select.select([fd], [], [], 0)
    except (OSError, ValueError):
        return True
    return bool(readable)


def encode_request(
    method: str, target: bytes, host: bytes, headers: Mapping[str, str], body: bytes
) -> bytes | None:
    """The request's bytes, or ``None`` when a header cannot be sent as is (httpx decides)."""
    lines = [f"{method} ", target.decode("ascii"), " HTTP/1.1\r\nHost: ", host.decode("ascii")]
    for name, value in headers.items():
        if "\r" in value or "\n" in value or "\r" in name or "\n" in name or ":" in name:
            return None
        lines.append(f"\r\n{name}: {value}")
    lines.append(f"\r\nContent-Length: {len(body)}\r\n\r\n")
    try:
        head = "".join(lines).encode("ascii")
    except UnicodeEncodeError:
        return None
    return head + body


def split_url(url: Any) -> tuple[str, str, int, bytes, bytes] | None:
    """(scheme, host, port, request target, Host header) of an ``httpx.URL``, or ``None``
    when the URL needs what only httpx does (credentials, another scheme)."""
    scheme = url.scheme
    if scheme not in ("http", "https") or url.userinfo or not url.host:
        return None
    port = url.port or (443 if scheme == "https" else 80)
    return scheme, url.host, port, url.raw_path, url.netloc
