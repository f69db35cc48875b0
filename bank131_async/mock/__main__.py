"""``python -m bank131_async.mock --port 8131``: serve the emulator until Ctrl-C.

Prints the URL, the project id and the paths of the PEM files a client needs (written to a
fresh directory, or ``--key-dir``); private keys never go to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import socket
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .app import MockBankApp
from .config import MockConfig
from .faults import Fault
from .keys import generate_key, private_pem, public_pem
from .server import SocketServer, bind_loopback


def _parser() -> argparse.ArgumentParser:
    defaults = MockConfig()
    p = argparse.ArgumentParser(prog="python -m bank131_async.mock", description=__doc__)
    p.add_argument("--port", type=int, default=8131, help="0 picks a free port")
    p.add_argument("--host", default="127.0.0.1", help="loopback only")
    p.add_argument("--project", default=defaults.project)
    p.add_argument("--key-dir", type=Path, help="where to write the PEM files (default: temp)")
    p.add_argument(
        "--partner-public-key",
        type=Path,
        help="register this partner public key instead of generating a key pair",
    )
    p.add_argument("--webhook-url")
    p.add_argument("--webhook-api-version", type=int, choices=(1, 2), default=2)
    p.add_argument("--confirm-delay", type=float, default=defaults.confirm_delay)
    p.add_argument("--process-delay", type=float, default=defaults.process_delay)
    p.add_argument("--delayed-capture", action="store_true")
    p.add_argument("--auto-confirm-payouts", action="store_true")
    p.add_argument("--wallet-balance", type=int, default=defaults.wallet_balance)
    p.add_argument(
        "--max-body-size",
        type=int,
        default=defaults.max_body_size,
        help="largest request body in bytes; larger ones get 413",
    )
    p.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="KIND[:K=V,...]",
        help=(
            "KIND is latency, server_error, rate_limit, malformed, reset, drop_after or outage; "
            "options are Fault fields (route, times, probability, delay, status, retry_after, "
            "duration, after_processing), e.g. rate_limit:route=session/status,times=2 or "
            "outage:probability=0.01,duration=0.5 (repeatable)"
        ),
    )
    return p


def _write(path: Path, data: bytes, *, private: bool) -> Path:
    path.write_bytes(data)
    if private:
        path.chmod(0o600)
    return path


def _build(args: argparse.Namespace) -> tuple[MockBankApp, dict[str, Path]]:
    """The app and the key files a client needs, written before serving starts."""
    config = MockConfig(
        project=args.project,
        webhook_url=args.webhook_url,
        webhook_api_version=args.webhook_api_version,
        confirm_delay=args.confirm_delay,
        process_delay=args.process_delay,
        delayed_capture=args.delayed_capture,
        auto_confirm_payouts=args.auto_confirm_payouts,
        wallet_balance=args.wallet_balance,
        max_body_size=args.max_body_size,
    )
    key_dir: Path = args.key_dir or Path(tempfile.mkdtemp(prefix="bank131-mock-"))
    key_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    if args.partner_public_key is not None:
        loaded = serialization.load_pem_public_key(args.partner_public_key.read_bytes())
        if not isinstance(loaded, rsa.RSAPublicKey):
            raise SystemExit("--partner-public-key: not an RSA public key")
        partner_public = loaded
    else:
        partner = generate_key()
        partner_public = partner.public_key()
        files["partner private key"] = _write(
            key_dir / "partner_private.pem", private_pem(partner), private=True
        )
    files["partner public key"] = _write(
        key_dir / "partner_public.pem", public_pem(partner_public), private=False
    )
    bank = generate_key()
    files["bank public key"] = _write(key_dir / "bank_public.pem", public_pem(bank), private=False)
    app = MockBankApp(config, partner_public_key=partner_public, bank_private_key=bank)
    for spec in args.fault:
        app.faults.add(Fault.parse(spec))
    return app, files


async def _serve(app: MockBankApp, sock: socket.socket) -> None:
    server = SocketServer(app, sock, handle_signals=True)
    try:
        await server.serve_forever()
    finally:
        await app.aclose()


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        for spec in args.fault:
            Fault.parse(spec)
    except ValueError as exc:
        print(f"--fault: {exc}", file=sys.stderr)
        return 2
    try:
        sock = bind_loopback(args.port, args.host)
    except (ValueError, OSError) as exc:
        print(f"--host/--port: {exc}", file=sys.stderr)
        return 2
    app, files = _build(args)
    port = sock.getsockname()[1]
    lines = [f"Bank 131 emulator at http://127.0.0.1:{port}", f"project: {app.config.project}"]
    lines += [f"{what}: {path}" for what, path in files.items()]
    print("\n".join(lines), flush=True)
    try:
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(_serve(app, sock))
    finally:
        sock.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
