"""Configuration and keys: make your RSA key pair, register its public half, configure the
client from the environment.

    pip install 'bank131-async[mock]'
    python examples/guide_configuration.py

What it does, in a temporary folder:

1. generates an RSA-2048 key pair (what ``openssl genrsa`` does) and writes ``partner.pem``
   (secret: yours only) and ``partner.pub.pem`` (the half you send to Bank 131);
2. "registers" the public key with the mock bank, which then accepts only requests signed with
   your private key, and saves the bank's public key (the key webhooks are verified with);
3. sets the ``BANK131_*`` variables and builds the client with ``AsyncBank131.from_env()``;
4. shows that a wrong key fails at construction with ``ConfigurationError``, not at the first
   payout.
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from bank131_async import AsyncBank131, ConfigurationError
from bank131_async.mock import MockBank131


def make_key_pair(folder: Path) -> tuple[Path, Path]:
    """``openssl genrsa -out partner.pem 2048`` and ``openssl rsa -in partner.pem -pubout``."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = folder / "partner.pem"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    private.chmod(0o600)
    public = folder / "partner.pub.pem"
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


async def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        private, public = make_key_pair(folder)
        print(f"wrote {private.name} (keep it secret) and {public.name} (send it to the bank)")

        # The bank registers your public key; the mock takes it as an argument.
        registered = serialization.load_pem_public_key(public.read_bytes())
        assert isinstance(registered, rsa.RSAPublicKey)
        async with MockBank131(partner_public_key=registered) as mock:
            # The bank gives you its public key: webhooks are verified with it.
            bank_key = folder / "bank131.pub.pem"
            bank_key.write_bytes(mock.bank_public_key_pem)

            os.environ.update(
                {
                    "BANK131_PROJECT": mock.project,
                    "BANK131_PRIVATE_KEY_PATH": str(private),
                    "BANK131_BANK_PUBLIC_KEY_PATH": str(bank_key),
                    # demo or production pick the bank's host; the mock has its own URL
                    "BANK131_BASE_URL": mock.url,
                    "BANK131_TIMEOUT": "10",
                    "BANK131_MAX_RETRIES": "2",
                }
            )
            async with AsyncBank131.from_env() as bank:
                print(f"from_env: project={bank.config.project!r} url={bank.config.url}")
                wallets = await bank.wallet.balance()
                amount = wallets[0].amount_details
                print(f"signed request accepted: wallet balance {amount.amount} {amount.currency}")

        # A key that is not a key fails now, with a message that says which setting is wrong.
        (folder / "broken.pem").write_text("not a key")
        try:
            AsyncBank131(project="my_project", private_key=folder / "broken.pem")
        except ConfigurationError as exc:
            print(f"ConfigurationError: {exc}")
        else:
            return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
