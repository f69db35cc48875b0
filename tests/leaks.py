"""A check that fails a test which leaves client sockets, running tasks or child processes
(the signing helper) behind.

Client sockets are this process's TCP connections whose local port is not one of its own
listening ports (servers run in the test process too, so their accepted sockets are told
apart by the port they were accepted on).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

import psutil

__all__ = ["LeakCheck", "client_sockets"]


def client_sockets() -> list[str]:
    connections = psutil.Process().net_connections("tcp")
    listening = {c.laddr.port for c in connections if c.status == psutil.CONN_LISTEN}
    return [
        f"{c.laddr.ip}:{c.laddr.port} -> {c.raddr.ip}:{c.raddr.port} ({c.status})"
        for c in connections
        if c.status != psutil.CONN_LISTEN and c.raddr and c.laddr.port not in listening
    ]


class LeakCheck:
    """Snapshot at creation; :meth:`assert_clean` fails on anything the test left open."""

    def __init__(self) -> None:
        self._sockets = set(client_sockets())
        self._tasks = set(asyncio.all_tasks())
        self._children = {p.pid for p in psutil.Process().children()}

    def assert_clean(self, ignore_tasks: Iterable[asyncio.Task[object]] = ()) -> None:
        sockets = [s for s in client_sockets() if s not in self._sockets]
        assert not sockets, f"client sockets left open: {sockets}"
        ignored = set(ignore_tasks) | self._tasks | {asyncio.current_task()}
        tasks = [t for t in asyncio.all_tasks() if t not in ignored and not t.done()]
        assert not tasks, f"tasks left running: {tasks}"
        children = [
            p.cmdline()[:2]
            for p in psutil.Process().children()
            if p.pid not in self._children and p.status() != psutil.STATUS_ZOMBIE
        ]
        assert not children, f"child processes left running: {children}"
