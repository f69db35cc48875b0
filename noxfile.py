"""Developer sessions: ``nox -s tests``, ``lint``, ``typecheck``, ``docs``, ``demo``, ``examples``, ``bench``,
``soak`` (10,000 payouts under random faults), and for bulk payouts ``bulk_demo``, ``bench_bulk``
(1k-100k items, ~15 min) and ``bulk_soak`` (many SIGKILL rounds, on SQLite and PostgreSQL)."""

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
    session.install("-e", ".[mock,aiohttp,bulk]")
    session.run("python", "examples/bulk_payout.py", *session.posargs)


@nox.session(python="3.11")
def bulk_demo(session: nox.Session) -> None:
    """The README's demo: the bulk CLI against the embedded mock, killed and resumed."""
    session.install("-e", ".[mock,aiohttp,bulk]")
    session.run("python", "examples/bulk_payout.py", *session.posargs)


@nox.session(python="3.11")
def docs(session: nox.Session) -> None:
    """The documentation site, strict: a broken link or a missing reference fails it
    (``nox -s docs -- serve`` serves it with live reload instead)."""
    session.install("-e", ".[docs]")
    if session.posargs[:1] == ["serve"]:
        session.run("mkdocs", "serve", *session.posargs[1:])
    else:
        session.run("mkdocs", "build", "--strict", *session.posargs)


@nox.session(python="3.11")
def examples(session: nox.Session) -> None:
    """Every guide's example against the embedded mock (examples/run_all.py), and the demos."""
    session.install("-e", ".[test]")
    session.run("python", "examples/run_all.py", *session.posargs)
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


@nox.session(python="3.11")
def bench_bulk(session: nox.Session) -> None:
    """Time per payout and peak memory at 1k, 10k and 100k items (writes benchmarks/bulk.*)."""
    session.install("-e", ".[bench]")
    session.run("python", "benchmarks/bench_bulk.py", "--out", "benchmarks", *session.posargs)


@nox.session(python="3.11")
def bulk_soak(session: nox.Session) -> None:
    """The SIGKILL tests at soak size: 20 kills over 2,000 items (SQLite), and the shared
    PostgreSQL batch; the suite runs 3 kills over 300 items."""
    session.install("-e", ".[test]")
    session.run(
        "python",
        "-m",
        "pytest",
        "tests/bulk/test_cli.py",
        "tests/bulk/test_postgres.py",
        "-k",
        "sigkill or share",
        *session.posargs,
        env={"BANK131_BULK_SOAK_ROUNDS": "20", "BANK131_BULK_SOAK_ITEMS": "2000"},
    )
