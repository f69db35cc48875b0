"""Throughput of signed ``session/status`` calls: the SDK against hand-written baselines.

Run from the repository root (see ``benchmarks/README.md``)::

    python benchmarks/bench_client.py            # full run, ~6 minutes on 2 cores, writes the plot
    python benchmarks/bench_client.py --quick    # CI smoke, ~40 s
    python benchmarks/bench_client.py --json out.json --profile 100

One run starts a trivial HTTP server (``_server.py``) in a separate process on 127.0.0.1, checks
its capacity with a raw-socket load generator, then measures, against that same server, the
requests/s and the CPU per request of each client at concurrency 1, 10, 100 and 1000:

* ``sdk``        -- ``await bank.sessions.status(<id>)`` with **default settings**;
* ``sdk-httpx``  -- the same with ``http_backend="httpx"`` (every request through
  ``httpx.AsyncClient``, signing on the loop: the SDK before issue 10, and what it does while a
  respx/pytest-httpx mock is active, under trio, or through a proxy);
* ``aiohttp``    -- the baseline: hand-written aiohttp client, serialises, signs inline
  (RSA-SHA256 PKCS#1 v1.5, base64) and json-decodes the answer;
* ``httpx``      -- ``httpx.AsyncClient`` doing the same hand-signed request (the httpx share);
* ``aiohttp-nosign`` -- the baseline without signing: the client-side ceiling.

Every request asks for a different session id, so every body is new and must be signed, as in
a bulk payout (a repeated read-only body would reuse its cached signature: not a bulk run).

Every client gets the SDK's default ``max_connections`` (20) connections, so at higher
concurrency the excess requests queue in the client. Each cell is a warm-up then ``--reps``
timed runs, interleaved across clients, each bounded by a request count and a time limit; the
table shows medians. The run also reports the cost of each CPU stage alone, the per-request CPU
budget of every client (signing, serialisation, decoding, transport, SDK), and draws the plot.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import cProfile
import io
import itertools
import json
import os
import platform
import pstats
import select
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import asdict, dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Literal

import aiohttp
import httpx
import psutil
from _server import HOST, PATH, RESPONSE_BODY
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from bank131_async import AsyncBank131
from bank131_async.config import DEFAULT_MAX_CONNECTIONS
from bank131_async.converter import dumps, structure
from bank131_async.models import Session
from bank131_async.signing import RequestSigner

Call = Callable[[], Awaitable[None]]


@dataclass
class Client:
    """One client under test: its call, and for the SDK a probe of its signing helper that
    returns (the helper process's CPU seconds so far, the bodies it has signed so far)."""

    call: Call
    helper: Callable[[], tuple[float, int]] | None = None


ClientFactory = Callable[[str, rsa.RSAPrivateKey], contextlib.AbstractAsyncContextManager[Client]]

PROJECT = "bench_project"
REQUEST_SESSION_ID = "ps_1"
POOL = DEFAULT_MAX_CONNECTIONS  # connections per client, the same for every client
REQUEST_TIMEOUT = 30.0
SERVER_SCRIPT = Path(__file__).with_name("_server.py")
PLOT = Path(__file__).with_name("throughput.png")
CONCURRENCIES = (1, 10, 100, 1000)
_PADDING = padding.PKCS1v15()
_HASH = hashes.SHA256()


# --------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Settings:
    reps: int = 5
    max_seconds: float = 3.0
    min_requests: int = 3000  # per run; at least 5 per worker at high concurrency
    warmup_seconds: float = 0.5
    capacity_seconds: float = 2.0
    micro_loops: int = 300
    micro_reps: int = 7
    hard_grace: float = 60.0  # a run that overruns max_seconds by this much is abandoned

    def max_requests(self, concurrency: int) -> int:
        return max(self.min_requests, 5 * concurrency)


QUICK = Settings(
    reps=1,
    max_seconds=1.0,
    min_requests=500,
    warmup_seconds=0.2,
    capacity_seconds=0.5,
    micro_loops=100,
    micro_reps=3,
    hard_grace=30.0,
)


# --------------------------------------------------------------------------- server process


class ServerProcess:
    """``_server.py`` in a child process; always terminated on exit."""

    def __init__(self, impl: str, *, startup_timeout: float = 15.0) -> None:
        self.impl = impl
        self._startup_timeout = startup_timeout
        self._proc: subprocess.Popen[bytes] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def __enter__(self) -> ServerProcess:
        self._proc = subprocess.Popen(  # noqa: S603 -- our own script, fixed arguments
            [sys.executable, str(SERVER_SCRIPT), "--impl", self.impl, "--port", "0"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        try:
            self.port = self._wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_ready(self) -> int:
        proc = self._proc
        assert proc is not None
        assert proc.stdout is not None
        deadline = time.monotonic() + self._startup_timeout
        line = b""
        while not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0 or proc.poll() is not None:
                raise RuntimeError(f"{self.impl} server did not start (exit={proc.poll()})")
            ready, _, _ = select.select([proc.stdout], [], [], left)
            if ready:
                chunk = os.read(proc.stdout.fileno(), 1)
                if not chunk:
                    raise RuntimeError(f"{self.impl} server closed stdout before READY")
                line += chunk
        text = line.decode().strip()
        if not text.startswith("READY "):
            raise RuntimeError(f"unexpected server banner {text!r}")
        return int(text.split()[1])

    def stop(self) -> None:
        proc = self._proc
        if proc is None:
            return
        self._proc = None
        with contextlib.suppress(OSError):
            if proc.stdin is not None:
                proc.stdin.close()
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
        if proc.stdout is not None:
            proc.stdout.close()

    def __exit__(self, *exc: object) -> None:
        self.stop()


# --------------------------------------------------------------------------- load runner


@dataclass
class RunResult:
    ok: int
    errors: int
    seconds: float
    first_error: str | None = None
    cpu_seconds: float = 0.0  # this process (the event loop and everything else in it)
    helper_seconds: float = 0.0  # the SDK's signing helper process
    offloaded: int = 0  # bodies the helper signed

    @property
    def rps(self) -> float:
        return self.ok / self.seconds if self.seconds > 0 else 0.0


async def run_load(
    call: Call, concurrency: int, max_requests: int, max_seconds: float, hard_grace: float
) -> RunResult:
    """``concurrency`` workers call ``call`` until ``max_requests`` were started or
    ``max_seconds`` passed; in-flight calls finish (bounded by ``hard_grace``)."""
    started = 0
    ok = 0
    errors = 0
    first_error: str | None = None
    deadline = time.perf_counter() + max_seconds

    async def worker() -> None:
        nonlocal started, ok, errors, first_error
        while started < max_requests and time.perf_counter() < deadline:
            started += 1
            try:
                await call()
            except Exception as exc:
                errors += 1
                if first_error is None:
                    first_error = f"{type(exc).__name__}: {exc}"[:300]
            else:
                ok += 1

    begin = time.perf_counter()
    cpu_begin = time.process_time()
    tasks = [asyncio.ensure_future(worker()) for _ in range(concurrency)]
    try:
        await asyncio.wait_for(asyncio.gather(*tasks), timeout=max_seconds + hard_grace)
    except TimeoutError:
        errors += 1
        first_error = first_error or f"run overran {max_seconds + hard_grace:.0f}s, cancelled"
    finally:
        for task in tasks:
            task.cancel()
    return RunResult(
        ok,
        errors,
        time.perf_counter() - begin,
        first_error,
        cpu_seconds=time.process_time() - cpu_begin,
    )


async def run_client(
    client: Client, concurrency: int, max_requests: int, max_seconds: float, hard_grace: float
) -> RunResult:
    """:func:`run_load`, plus what the client's signing helper spent meanwhile."""
    before = client.helper() if client.helper else (0.0, 0)
    result = await run_load(client.call, concurrency, max_requests, max_seconds, hard_grace)
    if client.helper:
        after = client.helper()
        result.helper_seconds = after[0] - before[0]
        result.offloaded = after[1] - before[1]
    return result


# --------------------------------------------------------------------------- the clients


def _sign(key: rsa.RSAPrivateKey, body: bytes) -> str:
    return base64.b64encode(key.sign(body, _PADDING, _HASH)).decode("ascii")


def _check(data: Any) -> None:
    if not isinstance(data, dict) or data.get("status") != "ok":
        raise RuntimeError(f"unexpected answer {str(data)[:100]}")


def _session_ids() -> Callable[[], str]:
    """A new session id per request, so every body differs and must be signed: the bulk case.
    (The SDK caches signatures of repeated read-only bodies; ``sdk-poll1`` shows that case.)"""
    counter = itertools.count(1)
    return lambda: f"ps_{next(counter)}"


def _status_request(
    key: rsa.RSAPrivateKey, *, sign: bool = True
) -> Callable[[], tuple[bytes, dict[str, str]]]:
    """What a raw-client baseline sends per call, as the SDK would: a ``session/status`` body
    for a new session id and its headers, signed over exactly those bytes (``sign=False``: one
    fixed signature, to show what signing costs)."""
    next_id = _session_ids()
    fixed_sign = _sign(key, b"{}")

    def request() -> tuple[bytes, dict[str, str]]:
        raw_body = json.dumps({"session_id": next_id()}, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "X-PARTNER-PROJECT": PROJECT,
            "X-PARTNER-SIGN": _sign(key, raw_body) if sign else fixed_sign,
        }
        return raw_body, headers

    return request


def _helper_probe(bank: AsyncBank131) -> Callable[[], tuple[float, int]]:
    processes: dict[int, psutil.Process] = {}

    def probe() -> tuple[float, int]:
        pool = bank._signing
        if pool is None:
            return 0.0, 0
        pid = pool.helper_pid
        cpu = 0.0
        if pid is not None:
            with contextlib.suppress(psutil.Error):
                process = processes.setdefault(pid, psutil.Process(pid))
                times = process.cpu_times()
                cpu = times.user + times.system
        return cpu, pool.offloaded

    return probe


def _sdk_factory(backend: Literal["auto", "httpx"]) -> ClientFactory:
    @contextlib.asynccontextmanager
    async def factory(url: str, key: rsa.RSAPrivateKey) -> AsyncIterator[Client]:
        next_id = _session_ids()
        async with AsyncBank131(
            project=PROJECT,
            private_key=key,
            base_url=url,
            max_retries=0,
            max_connections=POOL,
            http_backend=backend,
        ) as bank:
            status = bank.sessions.status

            async def call() -> None:
                await status(next_id())

            yield Client(call, _helper_probe(bank))

    return factory


def _aiohttp_factory(sign: bool) -> ClientFactory:
    @contextlib.asynccontextmanager
    async def factory(url: str, key: rsa.RSAPrivateKey) -> AsyncIterator[Client]:
        endpoint = url + PATH
        connector = aiohttp.TCPConnector(limit=POOL)
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        request = _status_request(key, sign=sign)
        async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:

            async def call() -> None:
                raw_body, headers = request()
                async with session.post(endpoint, data=raw_body, headers=headers) as resp:
                    raw = await resp.read()
                    if resp.status != 200:
                        raise RuntimeError(f"HTTP {resp.status}")
                _check(json.loads(raw))

            yield Client(call)

    return factory


@contextlib.asynccontextmanager
async def httpx_client(url: str, key: rsa.RSAPrivateKey) -> AsyncIterator[Client]:
    endpoint = url + PATH
    limits = httpx.Limits(max_connections=POOL, max_keepalive_connections=POOL)
    request = _status_request(key)
    async with httpx.AsyncClient(limits=limits, timeout=REQUEST_TIMEOUT) as client:

        async def call() -> None:
            raw_body, headers = request()
            resp = await client.post(endpoint, content=raw_body, headers=headers)
            if resp.status_code != 200:
                raise RuntimeError(f"HTTP {resp.status_code}")
            _check(json.loads(resp.content))

        yield Client(call)


@contextlib.asynccontextmanager
async def http11_client(url: str, key: rsa.RSAPrivateKey) -> AsyncIterator[Client]:
    """The SDK's own HTTP/1.1 client alone (the fast path's transport), with a fixed signature
    and no SDK pipeline: what the SDK's transport costs, for the CPU budget."""
    endpoint = url + PATH
    timeout = httpx.Timeout(REQUEST_TIMEOUT)
    next_id = _session_ids()
    async with AsyncBank131(
        project=PROJECT, private_key=key, base_url=url, max_connections=POOL
    ) as bank:
        fast = bank._fast
        assert fast is not None
        limiter = asyncio.Semaphore(POOL)  # as the SDK's own limiter bounds it
        headers = {
            "Content-Type": "application/json",
            "X-PARTNER-PROJECT": PROJECT,
            "X-PARTNER-SIGN": _sign(key, b"{}"),
        }

        async def call() -> None:
            raw_body = json.dumps({"session_id": next_id()}, separators=(",", ":")).encode()
            async with limiter:
                resp = await fast.send("POST", endpoint, raw_body, headers, timeout)
            if resp is None or resp.status_code != 200:
                raise RuntimeError("unexpected answer")
            _check(json.loads(resp.content))

        yield Client(call)


def client_factories() -> dict[str, ClientFactory]:
    return {
        "sdk": _sdk_factory("auto"),
        "sdk-httpx": _sdk_factory("httpx"),
        "aiohttp": _aiohttp_factory(sign=True),
        "httpx": httpx_client,
        "aiohttp-nosign": _aiohttp_factory(sign=False),
        "http11-nosign": http11_client,
    }


# --------------------------------------------------------------------------- cells


@dataclass
class Cell:
    client: str
    concurrency: int
    runs_rps: list[float] = field(default_factory=list)
    requests: int = 0
    errors: int = 0
    first_error: str | None = None
    cpu_seconds: float = 0.0
    helper_seconds: float = 0.0
    offloaded: int = 0

    @property
    def cpu_us(self) -> float:
        """CPU µs per request in this process (the event loop), over all timed runs."""
        return self.cpu_seconds / self.requests * 1e6 if self.requests else float("nan")

    @property
    def helper_us(self) -> float:
        return self.helper_seconds / self.requests * 1e6 if self.requests else float("nan")

    @property
    def offloaded_share(self) -> float:
        return self.offloaded / self.requests if self.requests else 0.0

    @property
    def median(self) -> float:
        return statistics.median(self.runs_rps) if self.runs_rps else float("nan")

    @property
    def spread(self) -> float:
        """(max - min) / median of the runs, a rough noise figure."""
        if len(self.runs_rps) < 2 or not self.median:
            return 0.0
        return (max(self.runs_rps) - min(self.runs_rps)) / self.median


def _record_error(cell: Cell, count: int, message: str | None) -> None:
    cell.errors += count
    cell.first_error = cell.first_error or message


async def measure_concurrency(
    factories: dict[str, ClientFactory],
    url: str,
    key: rsa.RSAPrivateKey,
    concurrency: int,
    settings: Settings,
) -> list[Cell]:
    """All clients at one concurrency, interleaved: open and warm every client, then
    ``reps`` rounds in which each client does one timed run. Interleaving spreads machine
    noise (a shared 2-core VM drifts by 2x over minutes) over all clients alike."""
    cells = {name: Cell(name, concurrency) for name in factories}
    max_requests = settings.max_requests(concurrency)
    grace = settings.hard_grace
    async with contextlib.AsyncExitStack() as stack:
        calls: dict[str, Client] = {}
        for name, factory in factories.items():
            try:
                call = await stack.enter_async_context(factory(url, key))
                warm = await run_client(
                    call, concurrency, max_requests, settings.warmup_seconds, grace
                )
            except Exception as exc:
                _record_error(cells[name], 1, f"{type(exc).__name__}: {exc}"[:300])
                continue
            if warm.errors:
                _record_error(cells[name], warm.errors, warm.first_error)
                continue
            calls[name] = call
        for _ in range(settings.reps):
            for name, call in calls.items():
                cell = cells[name]
                # Re-warm: idle pooled connections may have expired while the others ran.
                await run_client(call, concurrency, 2 * concurrency, 0.2, grace)
                result = await run_client(
                    call, concurrency, max_requests, settings.max_seconds, grace
                )
                cell.runs_rps.append(result.rps)
                cell.requests += result.ok
                cell.cpu_seconds += result.cpu_seconds
                cell.helper_seconds += result.helper_seconds
                cell.offloaded += result.offloaded
                if result.errors:
                    _record_error(cell, result.errors, result.first_error)
    return list(cells.values())


# --------------------------------------------------------------------------- server capacity


class _LoadProtocol(asyncio.Protocol):
    """One keep-alive connection that sends the canned request again as soon as an answer ends."""

    def __init__(self, request: bytes, budget: list[int], done: asyncio.Future[None]) -> None:
        self._request = request
        self._budget = budget  # [requests left, answers received], shared by all connections
        self._done = done
        self._buf = bytearray()
        self._transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._send()

    def _send(self) -> None:
        if self._budget[0] > 0 and self._transport is not None:
            self._budget[0] -= 1
            self._transport.write(self._request)
        elif not self._done.done():
            self._done.set_result(None)

    def data_received(self, data: bytes) -> None:
        buf = self._buf
        buf += data
        while True:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head = bytes(buf[:end]).lower()
            at = head.find(b"content-length:")
            stop = head.find(b"\r\n", at)
            length = int(head[at + 15 : stop if stop >= 0 else len(head)])
            if len(buf) < end + 4 + length:
                return
            del buf[: end + 4 + length]
            self._budget[1] += 1
            self._send()

    def connection_lost(self, exc: Exception | None) -> None:
        self._transport = None
        if not self._done.done():
            self._done.set_result(None)


async def server_capacity(
    port: int, key: rsa.RSAPrivateKey, connections: int, seconds: float
) -> float:
    """Answers/s the server gives a near-zero-cost client (raw sockets, pre-signed request)."""
    loop = asyncio.get_running_loop()
    body = dumps({"session_id": REQUEST_SESSION_ID})
    request = (
        f"POST {PATH} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
        f"X-PARTNER-PROJECT: {PROJECT}\r\nX-PARTNER-SIGN: {_sign(key, body)}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode() + body
    budget = [10**9, 0]
    futures: list[asyncio.Future[None]] = []
    transports: list[asyncio.BaseTransport] = []
    try:
        for _ in range(connections):
            fut: asyncio.Future[None] = loop.create_future()
            transport, _ = await loop.create_connection(
                lambda f=fut: _LoadProtocol(request, budget, f),  # type: ignore[misc]
                HOST,
                port,
            )
            futures.append(fut)
            transports.append(transport)
        await asyncio.sleep(min(0.2, seconds))  # warm-up
        first, begin = budget[1], time.perf_counter()
        await asyncio.sleep(seconds)
        count, elapsed = budget[1] - first, time.perf_counter() - begin
        budget[0] = 0
        await asyncio.wait_for(asyncio.gather(*futures), timeout=5)
    finally:
        for conn in transports:
            conn.close()
    return count / elapsed


# --------------------------------------------------------------------------- CPU costs


def _median_us(fn: Callable[[], object], loops: int, reps: int) -> float:
    samples = []
    for _ in range(reps):
        begin = time.perf_counter()
        for _ in range(loops):
            fn()
        samples.append((time.perf_counter() - begin) / loops * 1e6)
    return statistics.median(samples)


#: Stage names, shared by the stage table and the CPU budget.
SIGN = "sign (RequestSigner.sign, RSA-2048)"
DUMPS_SDK = "serialise body (converter.dumps)"
DUMPS_RAW = "serialise body (json.dumps + encode)"
LOADS = "json.loads response (646 B)"
STRUCTURE = "structure Session (cattrs)"


def component_costs(key: rsa.RSAPrivateKey, settings: Settings) -> dict[str, float]:
    """Median µs of each CPU stage of one call, measured alone."""
    signer = RequestSigner(key)
    body = dumps({"session_id": REQUEST_SESSION_ID})
    data = json.loads(RESPONSE_BODY)
    loops, reps = settings.micro_loops, settings.micro_reps
    return {
        SIGN: _median_us(lambda: signer.sign(body), loops, reps),
        "sign (raw key.sign, no base64)": _median_us(
            lambda: key.sign(body, _PADDING, _HASH), loops, reps
        ),
        DUMPS_SDK: _median_us(lambda: dumps({"session_id": REQUEST_SESSION_ID}), loops * 10, reps),
        DUMPS_RAW: _median_us(
            lambda: json.dumps({"session_id": REQUEST_SESSION_ID}, separators=(",", ":")).encode(),
            loops * 10,
            reps,
        ),
        LOADS: _median_us(lambda: json.loads(RESPONSE_BODY), loops * 10, reps),
        STRUCTURE: _median_us(lambda: structure(data["session"], Session), loops * 10, reps),
    }


# --------------------------------------------------------------------------- CPU budget


@dataclass
class Budget:
    """Where one client's CPU goes per request, in µs (``None``: not measured this run)."""

    client: str
    loop_us: float  # all CPU of the client's process per request
    helper_us: float  # the signing helper process (the second core)
    signing: float  # on the loop
    serialisation: float
    decoding: float
    transport: float | None
    sdk: float | None  # what is left: the SDK's own code (for a baseline: noise, ~0)


def cpu_budget(cells: list[Cell], stages: dict[str, float], concurrency: int) -> list[Budget]:
    """Split each client's measured CPU per request at ``concurrency`` into its stages.

    Signing, serialisation and decoding are the stage costs measured alone (signing counted for
    the share of bodies the loop signed); "transport" is what the bare transport costs, taken
    from the clients that do nothing else (http11-nosign for the SDK's fast path,
    aiohttp-nosign for the aiohttp clients, raw httpx for the httpx clients); "SDK" is the
    remainder (for a baseline: the measuring noise).
    """
    by = {c.client: c for c in cells if c.concurrency == concurrency and c.requests}
    sign = stages[SIGN]
    raw_rest = stages[DUMPS_RAW] + stages[LOADS]
    transports = {
        "aiohttp": by["aiohttp-nosign"].cpu_us - raw_rest if "aiohttp-nosign" in by else None,
        "httpx": by["httpx"].cpu_us - sign - raw_rest if "httpx" in by else None,
        "http11": by["http11-nosign"].cpu_us - raw_rest if "http11-nosign" in by else None,
    }
    kinds = {"sdk": "http11", "sdk-httpx": "httpx", "httpx": "httpx", "http11-nosign": "http11"}
    out = []
    for name, cell in by.items():
        sdk = name.startswith("sdk")
        signed_on_loop = 0.0 if "nosign" in name else 1.0 - cell.offloaded_share
        serialisation = stages[DUMPS_SDK] if sdk else stages[DUMPS_RAW]
        decoding = stages[LOADS] + (stages[STRUCTURE] if sdk else 0.0)
        transport = transports[kinds.get(name, "aiohttp")]
        known = sign * signed_on_loop + serialisation + decoding
        rest = None if transport is None else cell.cpu_us - known - transport
        out.append(
            Budget(
                name,
                cell.cpu_us,
                cell.helper_us,
                sign * signed_on_loop,
                serialisation,
                decoding,
                transport,
                rest,
            )
        )
    return out


# --------------------------------------------------------------------------- profile


async def profile_sdk(
    url: str, key: rsa.RSAPrivateKey, concurrency: int, settings: Settings, out: str | None
) -> str:
    """cProfile of the SDK client at ``concurrency``; returns the top of the report."""
    async with _sdk_factory("auto")(url, key) as client:
        call = client.call
        await run_load(call, concurrency, 1000, settings.warmup_seconds, settings.hard_grace)
        # CPU time, not wall time: on a shared machine, wall time charges other processes'
        # turns on the CPU to whichever function was running when they took it.
        profiler = cProfile.Profile(time.process_time)
        profiler.enable()
        try:
            result = await run_load(
                call,
                concurrency,
                settings.max_requests(concurrency),
                settings.max_seconds,
                settings.hard_grace,
            )
        finally:
            profiler.disable()
    if out:
        profiler.dump_stats(out)
    text = io.StringIO()
    text.write(
        f"cProfile, SDK at concurrency {concurrency}: {result.ok} requests, "
        f"{result.rps:,.0f} req/s under the profiler\n"
    )
    stats = pstats.Stats(profiler, stream=text)
    stats.strip_dirs().sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)
    return text.getvalue()


# --------------------------------------------------------------------------- report


def _fmt_rps(cell: Cell | None) -> str:
    if cell is None:
        return "-"
    if not cell.runs_rps:
        return "error"
    text = f"{cell.median:,.0f}"
    if cell.spread >= 0.005:
        text += f" ±{cell.spread * 50:.0f}%"
    if cell.errors:
        text += f" ({cell.errors} err)"
    return text


def _ratio_rows(by: dict[tuple[str, int], Cell], clients: list[str], concs: list[int]) -> list[str]:
    lines = []
    for num in ("sdk", "sdk-httpx", "httpx"):
        if num not in clients or "aiohttp" not in clients:
            continue
        medians, paired = [], []
        for c in concs:
            a, b = by.get((num, c)), by.get(("aiohttp", c))
            if a is None or b is None or not a.runs_rps or not b.runs_rps:
                medians.append("-")
                paired.append("-")
                continue
            medians.append(f"{a.median / b.median:.2f}")
            # Runs are interleaved, so run i of each client saw the same machine: the median of
            # the per-round ratios is the figure least moved by a neighbour's load.
            rounds = [x / y for x, y in zip(a.runs_rps, b.runs_rps, strict=False) if y]
            paired.append(f"{statistics.median(rounds):.2f}" if rounds else "-")
        lines.append(f"| **{num} / aiohttp** | " + " | ".join(medians) + " |")
        lines.append(f"| {num} / aiohttp, per-round median | " + " | ".join(paired) + " |")
    return lines


def markdown(report: dict[str, Any], cells: list[Cell]) -> str:
    lines: list[str] = []
    meta = report["meta"]
    lines.append(
        f"## bank131_async client throughput ({meta['python']}, {meta['cpus']} CPUs, "
        f"server: {meta['server']})\n"
    )
    load = meta.get("load", {})
    if load:
        lines.append(
            "Machine load (1-minute load average) at the start of each concurrency: "
            + ", ".join(f"c={c}: {v:.2f}" for c, v in load.items())
            + f"; at the end: {meta.get('load_end', float('nan')):.2f}.\n"
        )
    by = {(c.client, c.concurrency): c for c in cells}
    clients = list(dict.fromkeys(c.client for c in cells))
    concs = sorted({c.concurrency for c in cells})
    header = "| client | " + " | ".join(f"c={c:,}" for c in concs) + " |"
    lines += [
        "Signed `session/status`, a new body every request, requests/s, median of runs "
        "(± half the min-max spread):\n",
        header,
        "|---|" + "---:|" * len(concs),
    ]
    for name in clients:
        row = " | ".join(_fmt_rps(by.get((name, c))) for c in concs)
        lines.append(f"| {name} | {row} |")
    lines += _ratio_rows(by, clients, concs)
    if "sdk" in clients and 10 in concs and 1000 in concs:
        low, high = by.get(("sdk", 10)), by.get(("sdk", 1000))
        if low and high and low.runs_rps and high.runs_rps:
            lines.append(
                f"\nSDK throughput at c=1,000 / at c=10: {high.median / low.median:.2f} "
                "(1.00: no loss as concurrency grows). The two are measured minutes apart, so "
                "a neighbour's load moves this ratio; the CPU per request does not depend on "
                f"it: {high.cpu_us + high.helper_us:,.0f} µs at c=1,000 against "
                f"{low.cpu_us + low.helper_us:,.0f} µs at c=10 (loop + signing helper)."
            )

    lines.append("\nServer capacity (raw-socket client, pre-signed request, 50 connections):\n")
    lines.append("| server | requests/s |\n|---|---:|")
    for name, rps in report["server_capacity"].items():
        lines.append(f"| {name} | {rps:,.0f} |")

    lines.append("\nCPU cost of each stage, measured alone (median µs per call):\n")
    lines.append("| stage | µs |\n|---|---:|")
    for name, us in report["components_us"].items():
        lines.append(f"| {name} | {us:,.1f} |")

    for conc, budgets in report.get("budgets", {}).items():
        lines.append(
            f"\nPer-request CPU budget at c={conc:,} (µs of CPU per request, all timed runs; "
            "the event loop's process, and the SDK's signing helper process):\n"
        )
        lines.append(
            "| client | loop process | helper process | signing (on the loop) | serialisation "
            "| decoding | transport | SDK / other |\n|---|---:|---:|---:|---:|---:|---:|---:|"
        )
        for b in budgets:
            lines.append(
                f"| {b.client} | {b.loop_us:,.0f} | {b.helper_us:,.0f} | {b.signing:,.0f} "
                f"| {b.serialisation:,.1f} | {b.decoding:,.1f} | {_us(b.transport)} "
                f"| {_us(b.sdk)} |"
            )

    errors = [c for c in cells if c.errors]
    if errors:
        lines.append("\nErrors:\n")
        lines += [f"- {c.client} c={c.concurrency}: {c.errors} ({c.first_error})" for c in errors]
    return "\n".join(lines) + "\n"


def _us(value: float | None) -> str:
    return "-" if value is None else f"{value:,.0f}"


def plot(cells: list[Cell], path: Path, title: str) -> None:
    """Requests/s against concurrency, one line per client (median, min-max bars)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5), dpi=110)
    styles = {
        "sdk": ("tab:blue", "o", 2.5),
        "aiohttp": ("black", "s", 2.0),
        "sdk-httpx": ("tab:orange", "v", 1.5),
        "httpx": ("tab:red", "^", 1.2),
        "aiohttp-nosign": ("tab:gray", "x", 1.0),
        "http11-nosign": ("tab:cyan", "+", 1.0),
    }
    labels = {
        "sdk": "SDK, default settings",
        "aiohttp": "hand-written aiohttp + inline signing (baseline)",
        "sdk-httpx": 'SDK, http_backend="httpx"',
        "httpx": "hand-written httpx + inline signing",
        "aiohttp-nosign": "aiohttp, no signing (ceiling)",
        "http11-nosign": "the SDK's HTTP/1.1 client alone, no signing",
    }
    for name in dict.fromkeys(c.client for c in cells):
        mine = sorted(
            (c for c in cells if c.client == name and c.runs_rps), key=lambda c: c.concurrency
        )
        if not mine:
            continue
        xs = [c.concurrency for c in mine]
        ys = [c.median for c in mine]
        errs = [
            [c.median - min(c.runs_rps) for c in mine],
            [max(c.runs_rps) - c.median for c in mine],
        ]
        color, marker, width = styles.get(name, ("tab:green", "d", 1.0))
        ax.errorbar(
            xs,
            ys,
            yerr=errs,
            label=labels.get(name, name),
            color=color,
            marker=marker,
            linewidth=width,
            capsize=3,
            linestyle=":" if "nosign" in name else "-",
        )
    ax.set_xscale("log")
    ax.set_xticks(list(CONCURRENCIES))
    ax.set_xticklabels([f"{c:,}" for c in CONCURRENCIES])
    ax.set_xlabel("concurrent requests (20 connections)")
    ax.set_ylabel("requests/s (median; bars: min-max)")
    ax.set_ylim(bottom=0)
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _versions() -> dict[str, str]:
    out = {}
    for dist in ("httpx", "httpcore", "aiohttp", "cryptography", "anyio", "cattrs", "uvicorn"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            out[dist] = metadata.version(dist)
    with contextlib.suppress(metadata.PackageNotFoundError):
        out["httpx-aiohttp"] = metadata.version("httpx-aiohttp")
    return out


# --------------------------------------------------------------------------- main


async def _bench(args: argparse.Namespace, settings: Settings) -> tuple[dict[str, Any], str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    log = _log
    report: dict[str, Any] = {"meta": {}, "server_capacity": {}}

    impls = ("protocol", "uvicorn") if args.server == "auto" else (args.server,)
    for impl in impls:
        with ServerProcess(impl) as server:
            report["server_capacity"][impl] = await server_capacity(
                server.port, key, 50, settings.capacity_seconds
            )
            log(f"server {impl}: {report['server_capacity'][impl]:,.0f} req/s")
    chosen = max(report["server_capacity"], key=report["server_capacity"].__getitem__)

    report["components_us"] = component_costs(key, settings)
    log("components: " + ", ".join(f"{k}={v:.1f}" for k, v in report["components_us"].items()))

    factories = client_factories()
    if args.clients:
        factories = {k: v for k, v in factories.items() if k in args.clients.split(",")}
    cells: list[Cell] = []
    profile_text = ""
    load: dict[int, float] = {}
    with ServerProcess(chosen) as server:
        for concurrency in args.concurrency:
            load[concurrency] = os.getloadavg()[0]
            measured = await measure_concurrency(factories, server.url, key, concurrency, settings)
            cells += measured
            for cell in measured:
                log(
                    f"{cell.client:>15} c={concurrency:<5} {_fmt_rps(cell):>16} req/s "
                    f"runs={[round(r) for r in cell.runs_rps]} cpu={cell.cpu_us:.0f}µs "
                    f"helper={cell.helper_us:.0f}µs offloaded={cell.offloaded_share:.0%}"
                    + (f" first error: {cell.first_error}" if cell.errors else "")
                )
        if args.profile:
            profile_text = await profile_sdk(
                server.url, key, args.profile, settings, args.profile_out
            )

    report["meta"] = {
        "python": f"Python {platform.python_version()}",
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "server": chosen,
        "event_loop": type(asyncio.get_running_loop()).__name__,
        "pool_connections": POOL,
        "settings": asdict(settings),
        "versions": _versions(),
        "quick": args.quick,
        "load": load,
        "load_end": os.getloadavg()[0],
    }
    report["budgets"] = {c: cpu_budget(cells, report["components_us"], c) for c in args.concurrency}
    if args.plot:
        plot(
            cells,
            Path(args.plot),
            f"Signed session/status, a new body each request ({os.cpu_count()} cores, "
            f"{platform.python_version()}, load avg {min(load.values(), default=0):.1f}-"
            f"{max(load.values(), default=0):.1f})",
        )
        log(f"plot written to {args.plot}")
    report["cells"] = [
        {
            **asdict(c),
            "median_rps": c.median,
            "spread": c.spread,
            "cpu_us": c.cpu_us,
            "helper_us": c.helper_us,
        }
        for c in cells
    ]
    return report, markdown(report, cells) + (f"\n```\n{profile_text}```\n" if profile_text else "")


def _jsonable(value: object) -> object:
    return asdict(value) if isinstance(value, Budget) else str(value)


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 short run per cell (CI smoke)")
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    parser.add_argument("--reps", type=int, help="timed runs per cell (default 5, quick 1)")
    parser.add_argument("--seconds", type=float, help="time limit per run (default 3)")
    parser.add_argument(
        "--concurrency",
        type=lambda s: [int(x) for x in s.split(",")],
        default=list(CONCURRENCIES),
        help="comma-separated list (default 1,10,100,1000)",
    )
    parser.add_argument("--clients", help="comma-separated subset of the client names")
    parser.add_argument(
        "--server",
        choices=("auto", "protocol", "uvicorn"),
        default="auto",
        help="auto: measure both, run against the faster",
    )
    parser.add_argument(
        "--profile", type=int, metavar="C", help="cProfile the SDK at concurrency C"
    )
    parser.add_argument("--profile-out", metavar="PATH", help="write the pstats file here")
    parser.add_argument(
        "--plot",
        metavar="PATH",
        help=f"write the requests/s plot (PNG) here (default for a full run: {PLOT})",
    )
    parser.add_argument("--no-plot", action="store_true", help="do not draw the plot")
    args = parser.parse_args(argv)
    if args.no_plot:
        args.plot = None
    elif args.plot is None and not args.quick:
        args.plot = str(PLOT)
    return args


def main(argv: list[str] | None = None) -> int:
    args = _parse(argv)
    settings = QUICK if args.quick else Settings()
    changes: dict[str, Any] = {}
    if args.reps is not None:
        changes["reps"] = max(1, args.reps)
    if args.seconds is not None:
        changes["max_seconds"] = max(0.1, args.seconds)
    if changes:
        settings = Settings(**{**asdict(settings), **changes})
    report, text = asyncio.run(_bench(args, settings))
    print(text)
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2, default=_jsonable) + "\n")
    failed = any(c["errors"] for c in report["cells"])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
