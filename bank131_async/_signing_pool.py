"""Signing on the second core: a helper process that signs request bodies for the event loop.

RSA-2048 signing (~250-300 µs) is most of a request's CPU. ``cryptography`` releases the GIL
during the private-key operation, but a signer *thread* still needs the GIL before and after
every signature, and a busy event loop keeps winning it back (CPython hands the GIL over only
every 5 ms on request): measured on 2 cores in interleaved runs, a signer thread fed in
batches reached 1.16x / 1.06x the throughput of signing on the loop at 10 / 1,000 concurrent
requests, a helper process 1.32x / 1.54x (``benchmarks/README.md``). So the bodies go
to one helper process over a pipe, in batches (one write per event-loop iteration), and the
signatures come back as they are made, read by the event loop like any socket. No thread is
involved.

The loop still signs **inline** when none of the client's requests is on the network: then it
has no I/O to overlap (concurrency 1, where a round trip to the helper would only add latency),
or it would sit idle waiting for the helper (then both cores sign). It also signs inline until
the helper runs: it is started (without waiting for it) once ``_START_AFTER`` bodies were
signed while other requests were in flight, so a script or test that makes a handful of
concurrent calls never pays for a process start (~100 ms of CPU on the other core).
Signing inline whenever the helper has a backlog (of 6) was tried and rejected: at 1,000
concurrent requests the loop then signed 79% of the bodies itself and the helper idled.

The bytes signed are always the bytes the caller passes in; the helper returns signatures in
the order it received the bodies, one per body. If the helper dies or cannot start, signing
falls back to the loop for good (logged once); nothing is lost, the pending bodies are signed
inline. The helper reads the key once from the pipe, as unencrypted PKCS#8 DER (never from
argv or the environment; it is the same user's process, holding what the parent holds),
ignores Ctrl-C, exits when the pipe closes (so it never outlives its parent, and never blocks
the interpreter's exit), and is killed and reaped by :meth:`SigningPool.close`.

One event loop at a time: the pool attaches to the loop that uses it and moves to the next one
(pytest-asyncio's function-scoped loops) once nothing is pending; a second loop using the
client at the same time signs inline. Not used under trio (signs inline).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import os
import struct
import subprocess
import sys
import weakref
from typing import Final

from cryptography.hazmat.primitives import serialization

from ._logging import logger
from .signing import RequestSigner

__all__ = ["SigningPool"]

#: Concurrent signatures made on the loop before the helper is worth starting.
_START_AFTER: Final = 32
_FRAME: Final = struct.Struct(">I")
_READY: Final = b"ready"
_READ_SIZE: Final = 1 << 16

# The helper's whole program: stdin frames in (the key, then bodies), stdout frames out
# ("ready", then one base64 signature per body, in order). Only cryptography is imported, so
# it runs wherever the SDK's dependencies are installed, whatever sys.path the parent has.
_CHILD: Final = r"""
import base64, os, signal, struct, sys
signal.signal(signal.SIGINT, signal.SIG_IGN)
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding
F = struct.Struct(">I")
P, H = padding.PKCS1v15(), hashes.SHA256()
buf = bytearray()
def fill(n):
    while len(buf) < n:
        chunk = os.read(0, 1 << 16)
        if not chunk:
            os._exit(0)
        buf.extend(chunk)
def frame():
    fill(4)
    n = F.unpack_from(buf)[0]
    fill(4 + n)
    data = bytes(buf[4:4 + n])
    del buf[:4 + n]
    return data
def send(data):
    out = memoryview(F.pack(len(data)) + data)
    while out:
        out = out[os.write(1, out):]
key = serialization.load_der_private_key(frame(), None)
send(b"ready")
while True:
    body = frame()
    try:
        sig = base64.b64encode(key.sign(body, P, H))
    except Exception:
        sig = b""
    send(sig)
"""

_pools: weakref.WeakSet[SigningPool] = weakref.WeakSet()


def _forget_after_fork() -> None:
    # A forked child shares the parent's pipes: it must never read the parent's signatures.
    for pool in list(_pools):
        pool._abandon()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)


class _HelperGone(Exception):
    """The helper died with bodies pending: they are signed inline instead."""


class _Helper:
    """One helper process and its two pipes, driven by one event loop at a time."""

    def __init__(self, key_der: bytes) -> None:
        self.proc = subprocess.Popen(  # noqa: S603 -- our interpreter, our fixed program
            [sys.executable, "-c", _CHILD],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            bufsize=0,
            close_fds=True,
        )
        assert self.proc.stdin is not None
        assert self.proc.stdout is not None
        self.wfd = self.proc.stdin.fileno()
        self.rfd = self.proc.stdout.fileno()
        # The key frame fits the empty pipe buffer, so this blocking write cannot stall.
        os.write(self.wfd, _FRAME.pack(len(key_der)) + key_der)
        os.set_blocking(self.wfd, False)
        os.set_blocking(self.rfd, False)
        self.ready = False
        self.dead = False
        self.loop: asyncio.AbstractEventLoop | None = None
        self.pending: collections.deque[asyncio.Future[str]] = collections.deque()
        self._in = bytearray()
        self._out = bytearray()
        self._flush_scheduled = False
        self._writing = False
        self._finalizer = weakref.finalize(self, _reap, self.proc)

    # ------------------------------------------------------------------ loop binding

    def attach(self, loop: asyncio.AbstractEventLoop) -> bool:
        """Serve ``loop``; False if another loop still waits for signatures."""
        if self.loop is loop:
            return True
        if self.pending or self._out:
            return False
        self._detach()
        try:
            loop.add_reader(self.rfd, self._on_readable)
        except (NotImplementedError, RuntimeError):  # e.g. Windows' proactor loop
            self.dead = True
            return False
        self.loop = loop
        return True

    def _detach(self) -> None:
        loop, self.loop = self.loop, None
        self._flush_scheduled = False
        self._writing = False
        if loop is not None and not loop.is_closed():
            with contextlib.suppress(Exception):
                loop.remove_reader(self.rfd)
                loop.remove_writer(self.wfd)

    # ------------------------------------------------------------------ bodies out

    def submit(self, body: bytes) -> asyncio.Future[str]:
        loop = self.loop
        assert loop is not None
        fut: asyncio.Future[str] = loop.create_future()
        self.pending.append(fut)
        self._out += _FRAME.pack(len(body))
        self._out += body
        if not self._flush_scheduled and not self._writing:
            # One write per loop iteration for all the bodies submitted in it.
            self._flush_scheduled = True
            loop.call_soon(self._flush)
        return fut

    def _flush(self) -> None:
        self._flush_scheduled = False
        if self.dead or not self._out:
            return
        try:
            sent = os.write(self.wfd, self._out)
        except BlockingIOError:
            sent = 0
        except OSError:
            self._die()
            return
        del self._out[:sent]
        if self._out and not self._writing and self.loop is not None:
            self._writing = True  # the pipe is full: continue when the helper has read
            self.loop.add_writer(self.wfd, self._on_writable)

    def _on_writable(self) -> None:
        self._writing = False
        if self.loop is not None:
            self.loop.remove_writer(self.wfd)
        self._flush()

    # ------------------------------------------------------------------ signatures in

    def _on_readable(self) -> None:
        try:
            chunk = os.read(self.rfd, _READ_SIZE)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._die()
            return
        buf = self._in
        buf += chunk
        pos = 0
        size = len(buf)
        pending = self.pending
        while size - pos >= 4:
            n = _FRAME.unpack_from(buf, pos)[0]
            if size - pos - 4 < n:
                break
            data = bytes(buf[pos + 4 : pos + 4 + n])
            pos += 4 + n
            if not self.ready:
                self.ready = data == _READY
                continue
            fut = pending.popleft()
            if fut.done():  # the request was cancelled meanwhile
                continue
            if data:
                fut.set_result(data.decode("ascii"))
            else:
                fut.set_exception(_HelperGone("the helper could not sign this body"))
        del buf[:pos]

    def _die(self) -> None:
        if self.dead:
            return
        self.dead = True
        logger.info("the signing helper process stopped; signing on the event loop from now on")
        while self.pending:
            fut = self.pending.popleft()
            if not fut.done():
                fut.set_exception(_HelperGone("the signing helper process stopped"))
        self.close()

    # ------------------------------------------------------------------ shutdown

    def close(self) -> None:
        self.dead = True
        self._detach()
        for fut in self.pending:
            if not fut.done():
                fut.set_exception(_HelperGone("the signing pool was closed"))
        self.pending.clear()
        self._finalizer()

    def abandon(self) -> None:
        """After a fork: drop this process's copies of the pipes; leave the helper alone."""
        self.dead = True
        self.loop = None
        self.pending.clear()
        self._finalizer.detach()
        for stream in (self.proc.stdin, self.proc.stdout):
            with contextlib.suppress(OSError):
                if stream is not None:
                    stream.close()
        self.proc.returncode = 0  # not our child: never wait for it


def _reap(proc: subprocess.Popen[bytes]) -> None:
    """Close the pipes (the helper exits on EOF), then make sure it is gone and reaped."""
    for stream in (proc.stdin, proc.stdout):
        with contextlib.suppress(OSError):
            if stream is not None:
                stream.close()
    if proc.poll() is None:
        with contextlib.suppress(OSError):
            proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired, OSError):
            proc.wait(timeout=5)


class SigningPool:
    """Signs bodies on the event loop or in a helper process, whichever keeps both cores busy.

    ``sign_inline`` is the plain signer; ``sign`` may hand the body to the helper.
    ``in_flight`` is the number of requests of this client on the network right now: with none,
    there is no I/O to overlap and the loop signs itself.
    """

    __slots__ = (
        "__weakref__",
        "_concurrent",
        "_disabled",
        "_helper",
        "_key_der",
        "_signer",
        "offloaded",
        "sign_inline",
    )

    def __init__(self, signer: RequestSigner, *, offload: bool = True) -> None:
        self._signer = signer
        self.sign_inline = signer.sign
        self._helper: _Helper | None = None
        # A frozen app or an embedded interpreter may have no usable sys.executable.
        self._disabled = not offload or not sys.executable or getattr(sys, "frozen", False)
        self._key_der = b""
        #: Bodies the helper signed (the rest were signed on the loop); for the benchmarks.
        self.offloaded = 0
        self._concurrent = 0
        _pools.add(self)

    @property
    def helper_pid(self) -> int | None:
        """The helper process's pid while one runs (for tests and diagnostics)."""
        helper = self._helper
        return helper.proc.pid if helper is not None and not helper.dead else None

    async def sign(self, body: bytes, in_flight: int) -> str:
        helper = self._helper
        if helper is None or helper.dead or not helper.ready or in_flight == 0:
            if helper is None and in_flight and not self._disabled:
                self._concurrent += 1
                if self._concurrent >= _START_AFTER:
                    self._start()
            return self.sign_inline(body)
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not asyncio (trio)
            return self.sign_inline(body)
        if not helper.attach(loop):
            if helper.dead:
                self._helper = None
                self._disabled = True
            return self.sign_inline(body)
        try:
            signature = await helper.submit(body)
        except _HelperGone:
            if helper.dead:
                self._helper = None
                self._disabled = True
            return self.sign_inline(body)
        self.offloaded += 1
        return signature

    def _start(self) -> None:
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return  # trio: no asyncio loop to read the pipe with; sign inline
        if not self._key_der:
            self._key_der = self._signer._key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        try:
            helper = _Helper(self._key_der)
        except OSError as exc:
            logger.info("could not start the signing helper process (%s); signing inline", exc)
            self._disabled = True
            return
        if not helper.attach(asyncio.get_running_loop()):
            helper.close()
            self._disabled = True
            return
        self._helper = helper

    def close(self) -> None:
        """Stop the helper (killed and reaped at once). Idempotent; signing then stays inline."""
        self._disabled = True
        helper, self._helper = self._helper, None
        if helper is not None:
            helper.close()

    def _abandon(self) -> None:
        helper, self._helper = self._helper, None
        if helper is not None:
            helper.abandon()
