"""Developer sessions: ``nox -s tests``, ``lint``, ``typecheck``, ``demo``, ``examples``, ``bench``,
``soak``."""

from __future__ import annotations

import nox

nox.options.sessions = ["tests", "lint", "typecheck"]
nox.options.reuse_existing_virtualenvs = True


@nox.session(python="3.11")
def tests(session: nox.Session) -> None:
    session.install("-e", ".[test]")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    session.install("-e", ".[lint]")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python="3.11")
def typecheck(session: nox.Session) -> None:
    session.install("-e", ".[lint]")
    session.run("mypy", "--strict")


@nox.session(python="3.11")
def demo(session: nox.Session) -> None:
    session.install("-e", ".[mock,aiohttp]")
    session.run("python", "examples/bulk_payout.py", *session.posargs)


@nox.session(python="3.11")
def examples(session: nox.Session) -> None:
    session.install("-e", ".[mock,aiohttp,fastapi]")
    session.run("python", "examples/bulk_payout.py", "--count", "100")
    session.run("python", "examples/webhooks_fastapi.py")


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """The SDK against hand-written clients: the table, the per-request CPU budget, and
    ``benchmarks/throughput.png`` (``nox -s bench -- --quick`` for a smoke run)."""
    session.install("-e", ".[bench]")
    session.run("python", "benchmarks/bench_client.py", *session.posargs)


@nox.session(python="3.11")
def soak(session: nox.Session) -> None:
    """10,000 payouts against the mock with random faults on every route (see tests/e2e/soak.py)."""
    session.install("-e", ".[test]")
    session.run("python", "-m", "tests.e2e.soak", "--count", "10000", *session.posargs)
