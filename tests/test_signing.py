"""Signing: the published vectors, verification, key rotation, and every way key loading fails."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from bank131_async.errors import ConfigurationError, InvalidSignatureError
from bank131_async.signing import (
    RequestSigner,
    SignatureVerifier,
    load_private_key,
    load_public_key,
)
from tests.helpers import (
    TESTVECTORS,
    private_pem,
    public_pem,
    require_testvectors,
    verify_signature,
)


def _vectors() -> list[dict[str, str]]:
    path = TESTVECTORS / "signature-vectors.json"
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    vectors: list[dict[str, str]] = data["vectors"]
    return vectors


VECTORS = _vectors()
VECTOR_PARAMS = [
    pytest.param(v, id=f"vector{i}-{v['body_utf8'][:20]}") for i, v in enumerate(VECTORS)
]


@pytest.fixture(scope="module")
def fixture_private_pem() -> bytes:
    return (require_testvectors() / "php-sdk-fixture-private.pem").read_bytes()


@pytest.fixture(scope="module")
def fixture_public_pem() -> bytes:
    return (require_testvectors() / "php-sdk-fixture-public.pem").read_bytes()


@pytest.fixture(scope="module")
def small_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 -- the too-small key under test


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


# --------------------------------------------------------------------------- vectors


def test_vector_file_has_all_four_vectors() -> None:
    require_testvectors()
    assert len(VECTORS) == 4
    for vector in VECTORS:
        assert bytes.fromhex(vector["body_hex"]) == vector["body_utf8"].encode("utf-8")


@pytest.mark.parametrize("vector", VECTOR_PARAMS)
def test_signer_reproduces_vector(vector: dict[str, str], fixture_private_pem: bytes) -> None:
    signer = RequestSigner(fixture_private_pem)
    assert signer.sign(bytes.fromhex(vector["body_hex"])) == vector["x_partner_sign"]


@pytest.mark.parametrize("vector", VECTOR_PARAMS)
def test_verifier_accepts_vector(vector: dict[str, str], fixture_public_pem: bytes) -> None:
    verifier = SignatureVerifier(fixture_public_pem)
    body = bytes.fromhex(vector["body_hex"])
    verifier.verify(body, vector["x_partner_sign"])
    verifier.verify(body, vector["x_partner_sign"].encode("ascii"))
    assert verifier.is_valid(body, vector["x_partner_sign"])


@pytest.mark.parametrize("vector", VECTOR_PARAMS)
def test_verifier_rejects_tampered_body(vector: dict[str, str], fixture_public_pem: bytes) -> None:
    verifier = SignatureVerifier(fixture_public_pem)
    body = bytes.fromhex(vector["body_hex"])
    for tampered in (body + b" ", body[:-1], b" " + body, body.replace(b"}", b"]")):
        if tampered == body:
            continue
        with pytest.raises(InvalidSignatureError):
            verifier.verify(tampered, vector["x_partner_sign"])
        assert not verifier.is_valid(tampered, vector["x_partner_sign"])


def test_vector_signatures_are_not_interchangeable(fixture_public_pem: bytes) -> None:
    require_testvectors()
    verifier = SignatureVerifier(fixture_public_pem)
    first, second = VECTORS[0], VECTORS[1]
    with pytest.raises(InvalidSignatureError):
        verifier.verify(bytes.fromhex(first["body_hex"]), second["x_partner_sign"])


def test_signer_output_is_standard_padded_base64_of_256_bytes(fixture_private_pem: bytes) -> None:
    signature = RequestSigner(fixture_private_pem).sign(b'{"x":"\xd0\x9f"}')
    assert len(signature) == 344
    assert signature.endswith("=")
    assert "\n" not in signature
    assert len(base64.b64decode(signature, validate=True)) == 256


# --------------------------------------------------------------------------- round trip


def test_signer_is_deterministic_and_verifies_independently(partner_key: rsa.RSAPrivateKey) -> None:
    signer = RequestSigner(partner_key)
    body = '{"metadata":"Перевод"}'.encode()
    signature = signer.sign(body)
    assert signer.sign(body) == signature
    verify_signature(partner_key.public_key(), body, signature)
    SignatureVerifier(partner_key.public_key()).verify(body, signature)
    assert signer.public_key.public_numbers() == partner_key.public_key().public_numbers()


# --------------------------------------------------------------------------- bad signatures


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param("", id="empty-str"),
        pytest.param(b"", id="empty-bytes"),
        pytest.param(None, id="none"),
        pytest.param("not base64!!", id="bad-chars"),
        pytest.param("QUJD\nREVG", id="newline"),
        pytest.param("QUJDRA=", id="bad-padding"),
        pytest.param("Перевод", id="non-ascii"),
        pytest.param("QUJDREVG", id="valid-base64-wrong-length"),
        pytest.param(base64.b64encode(b"\x00" * 256).decode(), id="right-length-zeroes"),
    ],
)
def test_verifier_rejects_bad_signatures(
    signature: str | bytes | None, partner_key: rsa.RSAPrivateKey
) -> None:
    verifier = SignatureVerifier(partner_key.public_key())
    with pytest.raises(InvalidSignatureError):
        verifier.verify(b"{}", signature)
    assert verifier.is_valid(b"{}", signature) is False


def test_signature_from_other_key_is_rejected(
    partner_key: rsa.RSAPrivateKey, bank_key: rsa.RSAPrivateKey
) -> None:
    signature = RequestSigner(partner_key).sign(b"{}")
    with pytest.raises(InvalidSignatureError, match="does not verify"):
        SignatureVerifier(bank_key.public_key()).verify(b"{}", signature)


def test_key_rotation_accepts_any_configured_key(
    partner_key: rsa.RSAPrivateKey, bank_key: rsa.RSAPrivateKey, tmp_path: Path
) -> None:
    old_sig = RequestSigner(bank_key).sign(b'{"a":1}')
    new_sig = RequestSigner(partner_key).sign(b'{"a":1}')
    path = tmp_path / "new.pub.pem"
    path.write_bytes(public_pem(partner_key))
    for keys in (
        [bank_key.public_key(), partner_key.public_key()],
        (public_pem(bank_key), path),
        [public_pem(bank_key).decode(), str(path)],
        iter([bank_key, partner_key]),
    ):
        verifier = SignatureVerifier(keys)
        verifier.verify(b'{"a":1}', old_sig)
        verifier.verify(b'{"a":1}', new_sig)
        assert "2 RSA public key" in repr(verifier)
    third = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(InvalidSignatureError):
        SignatureVerifier([bank_key.public_key(), partner_key.public_key()]).verify(
            b'{"a":1}', RequestSigner(third).sign(b'{"a":1}')
        )
    # After the rotation only the new key is configured: the old signature no longer passes.
    with pytest.raises(InvalidSignatureError):
        SignatureVerifier([partner_key.public_key()]).verify(b'{"a":1}', old_sig)


def test_verifier_needs_at_least_one_key() -> None:
    with pytest.raises(ConfigurationError, match="at least one"):
        SignatureVerifier([])


# --------------------------------------------------------------------------- key loading


KeyMaker = Callable[[rsa.RSAPrivateKey, Path], Any]


def _write(tmp: Path, data: bytes) -> Path:
    path = tmp / "key.pem"
    path.write_bytes(data)
    return path


PRIVATE_KEY_FORMS: list[Any] = [
    pytest.param(lambda k, t: private_pem(k), id="pkcs8-bytes"),
    pytest.param(lambda k, t: private_pem(k, pkcs8=False), id="pkcs1-bytes"),
    pytest.param(lambda k, t: private_pem(k).decode(), id="pkcs8-str"),
    pytest.param(lambda k, t: private_pem(k, pkcs8=False).decode(), id="pkcs1-str"),
    pytest.param(lambda k, t: _write(t, private_pem(k)), id="pathlib-path"),
    pytest.param(lambda k, t: str(_write(t, private_pem(k, pkcs8=False))), id="str-path"),
    pytest.param(lambda k, t: k, id="loaded-key"),
]


@pytest.mark.parametrize("make", PRIVATE_KEY_FORMS)
def test_private_key_forms(make: KeyMaker, partner_key: rsa.RSAPrivateKey, tmp_path: Path) -> None:
    loaded = load_private_key(make(partner_key, tmp_path))
    assert loaded.private_numbers() == partner_key.private_numbers()
    signature = RequestSigner(make(partner_key, tmp_path)).sign(b"{}")
    verify_signature(partner_key.public_key(), b"{}", signature)


def test_path_like_object_is_accepted(partner_key: rsa.RSAPrivateKey, tmp_path: Path) -> None:
    class KeyPath(os.PathLike[str]):
        def __fspath__(self) -> str:
            return str(_write(tmp_path, private_pem(partner_key)))

    assert load_private_key(KeyPath()).key_size == 2048


@pytest.mark.parametrize("password", [b"s3cret", "s3cret"], ids=["bytes", "str"])
@pytest.mark.parametrize("pkcs8", [True, False], ids=["pkcs8", "pkcs1"])
def test_encrypted_private_key_with_password(
    password: bytes | str, pkcs8: bool, partner_key: rsa.RSAPrivateKey
) -> None:
    pem = private_pem(partner_key, pkcs8=pkcs8, password=b"s3cret")
    assert b"ENCRYPTED" in pem
    signer = RequestSigner(pem, password=password)
    verify_signature(partner_key.public_key(), b"{}", signer.sign(b"{}"))


@pytest.mark.parametrize(
    "form",
    ["spki-pem", "pkcs1-pem", "str", "path", "private-key-object", "private-pem"],
)
def test_public_key_forms(form: str, partner_key: rsa.RSAPrivateKey, tmp_path: Path) -> None:
    pem = public_pem(partner_key)
    source: Any = {
        "spki-pem": pem,
        "pkcs1-pem": partner_key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.PKCS1
        ),
        "str": pem.decode(),
        "path": _write(tmp_path, pem),
        "private-key-object": partner_key,
        "private-pem": None,
    }[form]
    if form == "private-pem":
        # A PEM *private* key where a public one is expected: a clear configuration error.
        with pytest.raises(ConfigurationError, match="not a PEM public key"):
            load_public_key(private_pem(partner_key))
        return
    loaded = load_public_key(source)
    assert loaded.public_numbers() == partner_key.public_key().public_numbers()


def _secret_fragments(pem: bytes) -> list[str]:
    """Chunks of the base64 body of a PEM: none may appear in an error message."""
    body = "".join(line for line in pem.decode().splitlines() if not line.startswith("-----"))
    return [body[i : i + 16] for i in range(0, len(body) - 16, 16)]


def _ec_pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


BadKey = Callable[[rsa.RSAPrivateKey, rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, Path], Any]

BAD_PRIVATE_KEYS: list[Any] = [
    pytest.param(
        lambda k, s, e, t: (private_pem(k, password=b"pw"), None),
        "encrypted; pass private_key_password",
        id="encrypted-without-password",
    ),
    pytest.param(
        lambda k, s, e, t: (private_pem(k, pkcs8=False, password=b"pw"), None),
        "encrypted; pass private_key_password",
        id="encrypted-pkcs1-without-password",
    ),
    pytest.param(
        lambda k, s, e, t: (private_pem(k, password=b"pw"), b"wrong"),
        "wrong password",
        id="wrong-password",
    ),
    pytest.param(
        lambda k, s, e, t: (private_pem(k), "pw"),
        "not encrypted; drop private_key_password",
        id="password-on-unencrypted",
    ),
    pytest.param(
        lambda k, s, e, t: (public_pem(k), None), "public key", id="public-pem-as-private"
    ),
    pytest.param(
        lambda k, s, e, t: (k.public_key(), None), "public", id="public-key-object-as-private"
    ),
    pytest.param(lambda k, s, e, t: (_ec_pem(e), None), "RSA", id="ec-pem"),
    pytest.param(lambda k, s, e, t: (e, None), "RSAPrivateKey", id="ec-key-object"),
    pytest.param(
        lambda k, s, e, t: (
            ed25519.Ed25519PrivateKey.generate().private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
            None,
        ),
        "RSA",
        id="ed25519-pem",
    ),
    pytest.param(lambda k, s, e, t: (private_pem(s), None), "too small", id="rsa-1024-pem"),
    pytest.param(lambda k, s, e, t: (s, None), "too small", id="rsa-1024-object"),
    pytest.param(lambda k, s, e, t: (b"garbage", None), "not a PEM private key", id="garbage"),
    pytest.param(
        lambda k, s, e, t: (
            b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
            None,
        ),
        "could not load",
        id="broken-pem",
    ),
    pytest.param(
        lambda k, s, e, t: (private_pem(k)[:300], None), "could not load", id="truncated-pem"
    ),
    pytest.param(
        lambda k, s, e, t: (t / "missing.pem", None), "could not read key file", id="missing-path"
    ),
    pytest.param(
        lambda k, s, e, t: (str(t / "missing.pem"), None),
        "could not read key file",
        id="missing-str-path",
    ),
    pytest.param(lambda k, s, e, t: (t, None), "could not read key file", id="directory"),
    pytest.param(lambda k, s, e, t: (12345, None), "expected PEM", id="wrong-type"),
]


@pytest.mark.parametrize(("make", "message"), BAD_PRIVATE_KEYS)
def test_bad_private_key_is_a_configuration_error(
    make: BadKey,
    message: str,
    partner_key: rsa.RSAPrivateKey,
    small_key: rsa.RSAPrivateKey,
    ec_key: ec.EllipticCurvePrivateKey,
    tmp_path: Path,
) -> None:
    key, password = make(partner_key, small_key, ec_key, tmp_path)
    with pytest.raises(ConfigurationError) as info:
        RequestSigner(key, password=password)
    text = str(info.value)
    assert message in text
    assert text.startswith("private_key:")
    assert "PRIVATE KEY-----\n" not in text
    for fragment in _secret_fragments(private_pem(partner_key)):
        assert fragment not in text
    # The original (possibly key-revealing) exception is not chained either.
    assert info.value.__cause__ is None


def test_error_messages_never_contain_key_material(partner_key: rsa.RSAPrivateKey) -> None:
    pem = private_pem(partner_key, password=b"pw")
    for password in (None, b"bad"):
        with pytest.raises(ConfigurationError) as info:
            load_private_key(pem, password)
        for fragment in _secret_fragments(pem):
            assert fragment not in str(info.value)
        assert "pw" not in str(info.value).replace("password", "")


def test_headerless_pem_text_is_not_echoed(partner_key: rsa.RSAPrivateKey) -> None:
    pem = private_pem(partner_key).decode()
    body = "".join(line for line in pem.splitlines() if not line.startswith("-----"))
    with pytest.raises(ConfigurationError) as info:
        load_private_key(body)
    for fragment in _secret_fragments(private_pem(partner_key)):
        assert fragment not in str(info.value)


@pytest.mark.parametrize(
    ("key", "message"),
    [
        pytest.param(b"garbage", "not a PEM public key", id="garbage"),
        pytest.param([b"garbage"], "not a PEM public key", id="garbage-in-list"),
        pytest.param([12345], "expected PEM", id="wrong-type-in-list"),
    ],
)
def test_bad_public_key_is_a_configuration_error(key: Any, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        SignatureVerifier(key)
    with pytest.raises(ConfigurationError, match=message):
        load_public_key(key[0] if isinstance(key, list) else key)


@pytest.mark.parametrize("kind", ["int", "ec-public-key-object"])
def test_bad_single_public_key_object_is_a_configuration_error(
    kind: str, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    key: Any = 12345 if kind == "int" else ec_key.public_key()
    with pytest.raises(ConfigurationError):
        SignatureVerifier(key)


def test_non_rsa_public_key_is_rejected(ec_key: ec.EllipticCurvePrivateKey) -> None:
    pem = ec_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    with pytest.raises(ConfigurationError, match="non-RSA"):
        SignatureVerifier(pem)


def test_missing_public_key_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="bank_public_key: could not read key file"):
        SignatureVerifier(tmp_path / "nope.pem")


# --------------------------------------------------------------------------- repr


def test_repr_has_no_key_material(partner_key: rsa.RSAPrivateKey) -> None:
    signer = RequestSigner(partner_key)
    verifier = SignatureVerifier(partner_key)
    numbers = partner_key.private_numbers()
    for text in (repr(signer), str(signer), repr(verifier), str(verifier)):
        assert "BEGIN" not in text
        for secret in (numbers.d, numbers.p, numbers.q, numbers.public_numbers.n):
            assert str(secret)[:20] not in text
            assert format(secret, "x")[:20] not in text
    assert repr(signer) == "RequestSigner(<RSA-2048 private key>)"
    assert repr(verifier) == "SignatureVerifier(<1 RSA public key(s)>)"
