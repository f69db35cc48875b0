"""How fast is the Bank 131 emulator, and how much memory do its sessions hold?

1. Throughput: the emulator runs as ``python -m bank131_async.mock`` in its own process, pinned
   to one CPU where the OS allows it; a load process (aiohttp, keep-alive, ``--concurrency``
   workers, pinned to the other CPUs) sends signed ``session/status`` calls for ``--duration``
   seconds against sessions it created first. Reported per run: requests/s, latency p50/p99,
   and the emulator's CPU use, from which requests per CPU-second -- the emulator's capacity on
   one core even when the load process is the one saturated -- follows. Target: >= 5,000 req/s.
2. Memory: tracemalloc around creating ``--memory-sessions`` in-progress card payouts through
   the same handlers the app uses (no sockets), scaled to 100,000 sessions.

Run: ``python benchmarks/bench_mock_server.py`` (about 25 s). Medians of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import functools
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path
from typing import Any

from _mock_process import start_mock
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

HOST = "127.0.0.1"
CARD_PAYOUT = {
    "payout_details": {
        "type": "card",
        "card": {"type": "bank_card", "bank_card": {"number": "4242424242424242"}},
    },
    "amount_details": {"amount": 10_000, "currency": "rub"},
    "participant_details": {"recipient": {"full_name": "Ivan Ivanov"}},
}


def _sign(key: rsa.RSAPrivateKey, body: bytes) -> str:
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode()


def _cpu_seconds(pid: int) -> float:
    """utime + stime of a process from /proc (Linux); 0.0 where unavailable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _pin(pid: int, cpus: set[int]) -> None:
    if hasattr(os, "sched_setaffinity") and cpus:
        os.sched_setaffinity(pid, cpus)


# -- load process -----------------------------------------------------------------------------


class _Conn(asyncio.Protocol):
    """One keep-alive connection sending pre-signed requests back to back (no pipelining).

    A hand-rolled client, because aiohttp and httpx spend more CPU per request than the
    emulator does: with them the load process, not the emulator, sets the pace.
    """

    def __init__(self, requests: list[bytes], offset: int, stop_at: float, stats: _Stats) -> None:
        self.requests = requests
        self.i = offset
        self.stop_at = stop_at
        self.stats = stats
        self.buffer = b""
        self.sent_at = 0.0
        self.done = asyncio.get_running_loop().create_future()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self._send()

    def _send(self) -> None:
        assert self.transport is not None
        now = time.perf_counter()
        if now >= self.stop_at:
            self.transport.close()
            return
        self.sent_at = now
        self.transport.write(self.requests[self.i % len(self.requests)])
        self.i += 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].lower()
            at = head.find(b"content-length:")
            length = int(head[at + 15 : head.find(b"\r\n", at) if b"\r\n" in head[at:] else None])
            if len(self.buffer) < end + 4 + length:
                return
            if head.startswith(b"http/1.1 200"):
                self.stats.latencies.append(time.perf_counter() - self.sent_at)
            else:
                self.stats.errors += 1
            self.buffer = self.buffer[end + 4 + length :]
            self._send()

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)


class _Stats:
    def __init__(self) -> None:
        self.latencies: list[float] = []
        self.errors = 0


def _raw_request(host: str, path: str, project: str, body: bytes, signature: str) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\n"
        f"X-PARTNER-PROJECT: {project}\r\nX-PARTNER-SIGN: {signature}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


async def _load(
    url: str, key: rsa.RSAPrivateKey, project: str, opts: argparse.Namespace
) -> dict[str, Any]:
    import aiohttp

    host, port = url.removeprefix("http://").split(":")
    stats = _Stats()
    connector = aiohttp.TCPConnector(limit=opts.concurrency)
    async with aiohttp.ClientSession(base_url=url, connector=connector) as http:

        async def post(path: str, body: bytes, signature: str) -> bytes:
            headers = {
                "Content-Type": "application/json",
                "X-PARTNER-PROJECT": project,
                "X-PARTNER-SIGN": signature,
            }
            async with http.post(path, data=body, headers=headers) as response:
                data = await response.read()
                if response.status != 200:
                    raise RuntimeError(f"{response.status}: {data[:200]!r}")
                return data

        create = json.dumps(CARD_PAYOUT).encode()
        create_sig = _sign(key, create)
        bodies: list[tuple[bytes, str]] = []
        for _ in range(opts.sessions):
            reply = json.loads(await post("/api/v2/session/init/payout", create, create_sig))
            body = json.dumps({"session_id": reply["session"]["id"]}).encode()
            bodies.append((body, _sign(key, body)))

        print("START", flush=True)
        stop_at = time.perf_counter() + opts.duration
        started = time.perf_counter()
        if opts.client == "aiohttp":

            async def worker(offset: int) -> None:
                i = offset
                while time.perf_counter() < stop_at:
                    body, signature = bodies[i % len(bodies)]
                    i += 1
                    sent = time.perf_counter()
                    try:
                        await post("/api/v2/session/status", body, signature)
                    except (RuntimeError, aiohttp.ClientError):
                        stats.errors += 1
                    else:
                        stats.latencies.append(time.perf_counter() - sent)

            await asyncio.gather(*(worker(i) for i in range(opts.concurrency)))
        else:
            requests = [
                _raw_request(host, "/api/v2/session/status", project, body, signature)
                for body, signature in bodies
            ]
            loop = asyncio.get_running_loop()
            conns = []
            for i in range(opts.concurrency):
                _, conn = await loop.create_connection(
                    functools.partial(_Conn, requests, i, stop_at, stats), host, int(port)
                )
                conns.append(conn)
            await asyncio.gather(*(c.done for c in conns))
        elapsed = time.perf_counter() - started
    latencies = sorted(stats.latencies)
    return {
        "requests": len(latencies),
        "errors": stats.errors,
        "seconds": elapsed,
        "p50_ms": 1000 * latencies[len(latencies) // 2],
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)],
    }


# -- orchestration ----------------------------------------------------------------------------


def throughput_run(opts: argparse.Namespace) -> dict[str, Any]:
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    server_cpus, load_cpus = ({cpus[0]}, set(cpus[1:])) if len(cpus) > 1 else (set(), set())
    with tempfile.TemporaryDirectory(prefix="bench-mock-") as tmp:
        server, url, project = start_mock(Path(tmp), "--confirm-delay", "3600")
        try:
            _pin(server.pid, server_cpus)
            load = subprocess.Popen(  # noqa: S603
                [
                    sys.executable,
                    __file__,
                    "--load",
                    url,
                    "--project",
                    project,
                    "--key-file",
                    str(Path(tmp) / "partner_private.pem"),
                    "--duration",
                    str(opts.duration),
                    "--concurrency",
                    str(opts.concurrency),
                    "--sessions",
                    str(opts.sessions),
                    "--client",
                    opts.client,
                ],
                stdout=subprocess.PIPE,
                text=True,
            )
            _pin(load.pid, load_cpus)
            assert load.stdout is not None
            # Sessions are created first; sample the emulator's CPU over the timed part only.
            if load.stdout.readline().strip() != "START":
                raise RuntimeError("the load process failed before its timed phase")
            cpu_before, wall_before = _cpu_seconds(server.pid), time.perf_counter()
            out = load.stdout.readline()
            cpu = _cpu_seconds(server.pid) - cpu_before
            wall = time.perf_counter() - wall_before
            load.wait(timeout=30)
        finally:
            server.terminate()
            server.wait(timeout=10)
    result: dict[str, Any] = json.loads(out)
    result["rps"] = result["requests"] / result["seconds"]
    result["server_cpu"] = cpu / wall if wall else 0.0
    result["per_cpu_second"] = result["rps"] / result["server_cpu"] if cpu else 0.0
    return result


def memory_per_100k(count: int) -> tuple[float, float]:
    """MiB held per 100,000 in-progress payout sessions, with and without the cached status
    JSON (each reply caches it; it is what makes status polling cheap)."""
    from bank131_async.mock import MockBankApp, MockConfig
    from bank131_async.mock.handlers import Context
    from bank131_async.mock.routes import ROUTES

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    init = ROUTES["/api/v2/session/init/payout"]

    async def run() -> tuple[int, int]:
        # Transitions parked an hour away: each session keeps its pending timer, as it would
        # while waiting for the bank.
        config = MockConfig(confirm_delay=3600)
        app = MockBankApp(config, partner_public_key=key.public_key(), bank_private_key=key)
        ctx = Context(app.state, app.machine)  # what the ASGI path hands to handlers
        gc.collect()
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        for i in range(count):
            body = json.loads(json.dumps(CARD_PAYOUT))  # a fresh parse, as from the wire
            init.handler(ctx, body, 2, f"key-{i}")
        with_cache = tracemalloc.get_traced_memory()[0] - base
        for session in app.state.sessions.values():
            session.clear_cache()
        without_cache = tracemalloc.get_traced_memory()[0] - base
        tracemalloc.stop()
        await app.aclose()
        return with_cache, without_cache

    with_cache, without_cache = asyncio.run(run())
    scale = 100_000 / count / 2**20
    return with_cache * scale, without_cache * scale


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--duration", type=float, default=5.0)
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--sessions", type=int, default=1000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument(
        "--client", choices=("raw", "aiohttp"), default="raw", help="load generator (see _Conn)"
    )
    p.add_argument("--memory-sessions", type=int, default=25_000)
    p.add_argument("--load", help=argparse.SUPPRESS)
    p.add_argument("--project", help=argparse.SUPPRESS)
    p.add_argument("--key-file", type=Path, help=argparse.SUPPRESS)
    opts = p.parse_args()
    if opts.load:
        loaded = serialization.load_pem_private_key(opts.key_file.read_bytes(), password=None)
        assert isinstance(loaded, rsa.RSAPrivateKey)
        print(json.dumps(asyncio.run(_load(opts.load, loaded, opts.project, opts))))
        return 0

    print(
        f"session/status over sockets: {opts.runs} runs x {opts.duration:g} s, "
        f"concurrency {opts.concurrency}, {opts.sessions} sessions, {opts.client} client"
    )
    runs = []
    for n in range(opts.runs):
        r = throughput_run(opts)
        runs.append(r)
        print(
            f"  run {n + 1}: {r['rps']:8.0f} req/s  p50 {r['p50_ms']:.2f} ms  "
            f"p99 {r['p99_ms']:.2f} ms  errors {r['errors']}  emulator CPU "
            f"{100 * r['server_cpu']:.0f}%  -> {r['per_cpu_second']:.0f} req per CPU-second"
        )
    rps = statistics.median(r["rps"] for r in runs)
    capacity = statistics.median(r["per_cpu_second"] for r in runs)
    verdict = "meets" if max(rps, capacity) >= 5000 else "MISSES"
    print(
        f"median: {rps:.0f} req/s; {capacity:.0f} req per emulator CPU-second "
        f"({verdict} the 5,000 req/s target)"
    )

    mems = [memory_per_100k(opts.memory_sessions) for _ in range(min(opts.runs, 3))]
    cached = statistics.median(m[0] for m in mems)
    bare = statistics.median(m[1] for m in mems)
    print(
        f"memory per 100,000 in-progress payout sessions: {cached:.1f} MiB "
        f"({bare:.1f} MiB without the cached status JSON; median of {len(mems)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
