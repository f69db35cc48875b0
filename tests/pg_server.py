"""A throwaway PostgreSQL server on 127.0.0.1 for the tests, from the machine's own binaries.

Used two ways:

* by the ``postgres_url`` fixture (``tests/bulk/conftest.py``), which starts one per test
  session unless ``BANK131_TEST_POSTGRES_URL`` names a running server;
* by ``.ci/run``: ``python tests/pg_server.py start DIR`` prints the URL of a server it started
  in ``DIR`` (left running), ``python tests/pg_server.py stop DIR`` stops it.

The server binaries come from Debian's ``postgresql`` package (``/usr/lib/postgresql/*/bin``)
or ``PATH``. PostgreSQL refuses to run as root, so under root the server runs as the
``postgres`` user (created by the package). Data lives in a temporary directory with fsync off:
nothing here needs to survive a power cut.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
from pathlib import Path

__all__ = ["PgServer", "find_bin_dir"]


def find_bin_dir() -> Path | None:
    """The directory holding ``initdb`` and ``pg_ctl``, newest version first."""
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name), reverse=True
    )
    for directory in candidates:
        if (Path(directory) / "initdb").exists() and (Path(directory) / "pg_ctl").exists():
            return Path(directory)
    initdb = shutil.which("initdb")
    if initdb is not None and shutil.which("pg_ctl") is not None:
        return Path(initdb).resolve().parent
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgServer:
    """A server whose data and socket live in ``root``."""

    def __init__(self, root: Path, bin_dir: Path | None = None, user: str = "bulk") -> None:
        found = bin_dir or find_bin_dir()
        if found is None:
            raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) not found")
        self.bin_dir = found
        self.root = root
        self.data = root / "data"
        self.user = user
        self.port_file = root / "port"

    def _as_server_user(self, argv: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return argv
        runuser = shutil.which("runuser")
        if runuser is None:
            raise RuntimeError("running as root needs runuser to start PostgreSQL as 'postgres'")
        return [runuser, "-u", "postgres", "--", *argv]

    def start(self) -> str:
        """Create the cluster if needed, start the server, return its URL."""
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            info = pwd.getpwnam("postgres")
            os.chown(self.root, info.pw_uid, info.pw_gid)
        if not (self.data / "PG_VERSION").exists():
            subprocess.run(
                self._as_server_user(
                    [
                        str(self.bin_dir / "initdb"),
                        "-D",
                        str(self.data),
                        "-A",
                        "trust",
                        "-U",
                        self.user,
                        "-E",
                        "UTF8",
                        "--no-sync",
                    ]
                ),
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
        port = _free_port()
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {self.root} "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c max_connections=200"
        )
        subprocess.run(
            self._as_server_user(
                [
                    str(self.bin_dir / "pg_ctl"),
                    "-D",
                    str(self.data),
                    "-o",
                    options,
                    "-l",
                    str(self.root / "server.log"),
                    "-w",
                    "-t",
                    "30",
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.port_file.write_text(str(port))
        return self.url

    @property
    def url(self) -> str:
        port = self.port_file.read_text().strip()
        return f"postgresql://{self.user}@127.0.0.1:{port}/postgres"

    def stop(self) -> None:
        if not (self.data / "postmaster.pid").exists():
            return
        subprocess.run(
            self._as_server_user(
                [str(self.bin_dir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"]
            ),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[0] not in ("start", "stop"):
        print("usage: python tests/pg_server.py start|stop DIR", file=sys.stderr)
        return 2
    server = PgServer(Path(argv[1]))
    if argv[0] == "start":
        print(server.start())
    else:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
