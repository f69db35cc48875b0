"""Raw HTTP/1.1 servers on asyncio streams, for the failure tests of the HTTP backends: each
connection runs a handler that reads a request and answers, hangs up, resets or stays silent
(what no well-behaved server library would do on purpose)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

__all__ = ["Handler", "Server", "read_request", "respond", "serve"]

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


async def read_request(reader: asyncio.StreamReader) -> bytes:
    """One request off the stream; returns its body."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        int(line.split(b":", 1)[1])
        for line in head.split(b"\r\n")
        if line.lower().startswith(b"content-length:")
    )
    return await reader.readexactly(length)


async def respond(writer: asyncio.StreamWriter, body: bytes, extra: bytes = b"") -> None:
    """A 200 with a JSON ``body``; ``extra``: more header lines, each ending in CRLF."""
    writer.write(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + extra
        + b"Content-Length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )
    await writer.drain()


class Server:
    """Where a served handler listens, and how many requests it has finished."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.requests = 0
        self.url = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        # Kept alive while the handler leaves the connection open (a pooled client sends
        # several requests on it); the client closing it ends the loop.
        try:
            while not writer.is_closing():
                await self.handler(reader, writer)
                self.requests += 1
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()


@asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[Server]:
    """``handler`` on every connection to a fresh port of 127.0.0.1."""
    server = Server(handler)
    listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
    server.url = f"http://127.0.0.1:{listening.sockets[0].getsockname()[1]}"
    async with listening:
        yield server
        listening.close()
