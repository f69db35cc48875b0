"""RSA-SHA256 request signing and signature verification (``X-PARTNER-SIGN``).

Bank 131 signs with RSASSA-PKCS1-v1_5 over SHA-256, base64 (standard alphabet, padded), over
the exact body bytes as sent -- nothing else. The scheme is deterministic: one key and one body
always give the same signature.

>>> signer = RequestSigner(Path("partner.pem"))           # doctest: +SKIP
>>> signer.sign(b'{"session_id":"ps_1"}')                  # doctest: +SKIP
'XmBmX5pW...'
"""

from __future__ import annotations

import base64
import binascii
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeAlias

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from .errors import ConfigurationError, InvalidSignatureError

__all__ = [
    "PrivateKeyInput",
    "PublicKeyInput",
    "RequestSigner",
    "SignatureVerifier",
    "load_private_key",
    "load_public_key",
]

#: PEM text or bytes, a path to a PEM file, or an already loaded key.
PrivateKeyInput: TypeAlias = "str | bytes | os.PathLike[str] | rsa.RSAPrivateKey"
PublicKeyInput: TypeAlias = "str | bytes | os.PathLike[str] | rsa.RSAPublicKey | rsa.RSAPrivateKey"

_PADDING = padding.PKCS1v15()
_HASH = hashes.SHA256()
_MIN_BITS = 2048
# Base64 of a 16384-bit signature; anything longer is not worth decoding.
_MAX_SIGNATURE = 2752


def _pem_bytes(key: str | bytes | os.PathLike[str], what: str) -> bytes:
    """PEM bytes from PEM text/bytes or a path. Never echoes key material in errors."""
    if isinstance(key, bytes):
        return key
    if isinstance(key, str) and "-----BEGIN" in key:
        return key.encode("ascii", "replace")
    path = Path(key)
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigurationError(
            f"{what}: could not read key file {_show_path(path)} ({exc.strerror or exc}); pass "
            "PEM text/bytes (with its -----BEGIN ...----- line), a path to a PEM file, or a "
            "loaded cryptography key"
        ) from None


def _show_path(path: Path) -> str:
    """A path for an error message, unless it looks like pasted key material."""
    text = str(path)
    if len(text) > 120 or "\n" in text or re.search(r"[A-Za-z0-9+/=]{40}", text):
        return "(not shown: it looks like key material rather than a path)"
    return repr(text)


def load_private_key(
    key: PrivateKeyInput, password: str | bytes | None = None
) -> rsa.RSAPrivateKey:
    """Load the partner's RSA private key, failing with a :class:`ConfigurationError` that says
    what to fix (wrong format, missing or wrong password, not RSA, a public key, too small)."""
    what = "private_key"
    if isinstance(key, rsa.RSAPrivateKey):
        return _check_size(key, what)
    if isinstance(key, rsa.RSAPublicKey):
        raise ConfigurationError(
            f"{what}: got an RSA *public* key; requests are signed with the partner's private key"
        )
    if not isinstance(key, str | bytes | os.PathLike):
        raise ConfigurationError(
            f"{what}: expected PEM str/bytes, a path or an RSAPrivateKey, got {type(key).__name__}"
        )
    data = _pem_bytes(key, what)
    if b"PUBLIC KEY-----" in data and b"PRIVATE KEY-----" not in data:
        raise ConfigurationError(
            f"{what}: this PEM holds a public key; pass the partner's private key (the bank "
            "keeps the public half)"
        )
    pw = password.encode() if isinstance(password, str) else password
    try:
        loaded = serialization.load_pem_private_key(data, password=pw)
    except TypeError:
        if pw is None:
            raise ConfigurationError(
                f"{what}: the key is encrypted; pass private_key_password=..."
            ) from None
        raise ConfigurationError(
            f"{what}: a password was given but the key is not encrypted; drop private_key_password"
        ) from None
    except ValueError:
        hint = "wrong password, or " if pw is not None else ""
        raise ConfigurationError(
            f"{what}: could not load the PEM ({hint}not a PEM private key: expected "
            "'-----BEGIN RSA PRIVATE KEY-----' or '-----BEGIN PRIVATE KEY-----')"
        ) from None
    except UnsupportedAlgorithm:
        raise ConfigurationError(f"{what}: unsupported key algorithm; Bank 131 needs RSA") from None
    if not isinstance(loaded, rsa.RSAPrivateKey):
        raise ConfigurationError(
            f"{what}: got a {type(loaded).__name__.lstrip('_')}; Bank 131 signs with RSA keys "
            "(RSA-SHA256), generate one with `openssl genrsa -out partner.pem 2048`"
        )
    return _check_size(loaded, what)


def load_public_key(key: PublicKeyInput, *, what: str = "bank_public_key") -> rsa.RSAPublicKey:
    """Load an RSA public key (a private key is accepted and its public half used)."""
    if isinstance(key, rsa.RSAPublicKey):
        return key
    if isinstance(key, rsa.RSAPrivateKey):
        return key.public_key()
    if not isinstance(key, str | bytes | os.PathLike):
        raise ConfigurationError(
            f"{what}: expected PEM str/bytes, a path or an RSAPublicKey, got {type(key).__name__}"
        )
    data = _pem_bytes(key, what)
    try:
        loaded = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise ConfigurationError(
            f"{what}: not a PEM public key (expected '-----BEGIN PUBLIC KEY-----')"
        ) from None
    if not isinstance(loaded, rsa.RSAPublicKey):
        raise ConfigurationError(f"{what}: got a non-RSA public key; Bank 131 uses RSA")
    return loaded


def _check_size(key: rsa.RSAPrivateKey, what: str) -> rsa.RSAPrivateKey:
    if key.key_size < _MIN_BITS:
        raise ConfigurationError(
            f"{what}: RSA key of {key.key_size} bits is too small; use at least {_MIN_BITS}"
        )
    return key


class RequestSigner:
    """Signs request bodies with the partner's private key.

    The key is loaded once, at construction. ``repr()`` never shows key material.
    """

    __slots__ = ("_key",)

    def __init__(self, key: PrivateKeyInput, *, password: str | bytes | None = None) -> None:
        self._key = load_private_key(key, password)

    @property
    def public_key(self) -> rsa.RSAPublicKey:
        """The public half of the key: what the bank registers to check your signatures."""
        return self._key.public_key()

    def sign(self, body: bytes) -> str:
        """Base64 RSA-SHA256 (PKCS#1 v1.5) signature over exactly ``body``."""
        return base64.b64encode(self._key.sign(body, _PADDING, _HASH)).decode("ascii")

    def __repr__(self) -> str:
        # getattr: a repr of a half-built signer (its key failed to load) must not raise.
        key = getattr(self, "_key", None)
        return (
            f"RequestSigner(<RSA-{key.key_size} private key>)" if key else "RequestSigner(<no key>)"
        )


class SignatureVerifier:
    """Verifies ``X-PARTNER-SIGN`` signatures with one or more public keys.

    Several keys are accepted so a bank key rotation needs no downtime: a signature that
    verifies with any of them is valid.
    """

    __slots__ = ("_keys",)

    def __init__(self, key_or_keys: PublicKeyInput | Iterable[PublicKeyInput]) -> None:
        # str/bytes are iterable too; anything that is not a collection of keys is one key, so
        # a wrong one gets load_public_key's ConfigurationError, not a TypeError from list().
        candidates: list[Any]
        if isinstance(key_or_keys, str | bytes | os.PathLike) or not isinstance(
            key_or_keys, Iterable
        ):
            candidates = [key_or_keys]
        else:
            candidates = list(key_or_keys)
        if not candidates:
            raise ConfigurationError("bank_public_key: at least one public key is needed")
        self._keys = tuple(load_public_key(k) for k in candidates)

    def verify(self, body: bytes, signature: str | bytes | None) -> None:
        """Raise :class:`InvalidSignatureError` unless ``signature`` signs exactly ``body``.

        Anything that cannot be verified -- a missing, oversized or non-base64 signature, a
        signature or body of the wrong type -- is an :class:`InvalidSignatureError` too.
        """
        if not isinstance(body, bytes | bytearray | memoryview):
            raise InvalidSignatureError(
                f"cannot verify a {type(body).__name__} body; pass the raw body bytes"
            )
        if signature is None or (isinstance(signature, str | bytes) and not signature):
            raise InvalidSignatureError("missing X-PARTNER-SIGN signature")
        if not isinstance(signature, str | bytes):
            raise InvalidSignatureError(
                f"X-PARTNER-SIGN must be str or bytes, got {type(signature).__name__}"
            )
        if len(signature) > _MAX_SIGNATURE:
            raise InvalidSignatureError("X-PARTNER-SIGN is longer than any RSA signature")
        try:
            raw = base64.b64decode(signature, validate=True)
        except (binascii.Error, ValueError):
            raise InvalidSignatureError("X-PARTNER-SIGN is not valid base64") from None
        for key in self._keys:
            try:
                key.verify(raw, body, _PADDING, _HASH)
            except InvalidSignature:
                continue
            return
        raise InvalidSignatureError(
            "X-PARTNER-SIGN does not verify with the configured bank public key(s)"
        )

    def is_valid(self, body: bytes, signature: str | bytes | None) -> bool:
        """:meth:`verify` as a ``bool``: ``True`` when ``signature`` signs exactly ``body``."""
        try:
            self.verify(body, signature)
        except InvalidSignatureError:
            return False
        return True

    def __repr__(self) -> str:
        keys = getattr(self, "_keys", ())
        return f"SignatureVerifier(<{len(keys)} RSA public key(s)>)"
