"""Plain JSON checks of request bodies against the documented shapes.

Deliberately independent of the SDK's models and converter: if both were generated from the same
mistaken idea of the API, a round trip through them would hide the mistake. Each check returns
sanitised data the emulator may keep and echo; card numbers and security codes go no further
than this module.
"""

from __future__ import annotations

from typing import Any

from .outcomes import Facts
from .wire import invalid

__all__ = [
    "Instrument",
    "amount_details",
    "card",
    "customer",
    "fiscalization_details",
    "obj",
    "optional_obj",
    "payment_instrument",
    "payout_instrument",
    "session_id",
]

Instrument = tuple[dict[str, Any], Facts]


def obj(value: Any, path: str) -> dict[str, Any]:
    if value == []:
        return {}  # PHP serialises an empty object (an FPS or UPI variant) as []
    if not isinstance(value, dict):
        raise invalid(path, f"expected an object, got {_kind(value)}")
    return value


def optional_obj(body: dict[str, Any], key: str, prefix: str = "") -> dict[str, Any] | None:
    value = body.get(key)
    return None if value is None else obj(value, prefix + key)


def string(value: Any, path: str, *, max_len: int | None = None) -> str:
    if not isinstance(value, str) or not value:
        raise invalid(path, f"expected a non-empty string, got {_kind(value)}")
    if max_len is not None and len(value) > max_len:
        raise invalid(path, f"longer than {max_len} characters")
    return value


def digits(value: Any, path: str, lengths: range | tuple[int, ...]) -> str:
    if not isinstance(value, str) or not value.isdigit() or len(value) not in lengths:
        what = f"{lengths.start}-{lengths.stop - 1}" if isinstance(lengths, range) else lengths
        raise invalid(path, f"expected a string of {what} digits")
    return value


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def session_id(body: dict[str, Any]) -> str:
    return string(body.get("session_id"), "session_id")


def amount_details(value: Any, path: str = "amount_details") -> tuple[int, str]:
    details = obj(value, path)
    amount = details.get("amount")
    # bool is an int subclass and a float may carry roubles instead of kopecks: both refused.
    if type(amount) is not int:
        raise invalid(f"{path}.amount", f"expected an integer in minor units, got {_kind(amount)}")
    if amount <= 0:
        raise invalid(f"{path}.amount", "must be positive")
    currency = details.get("currency")
    if not isinstance(currency, str) or not (3 <= len(currency) <= 4) or not currency.isalpha():
        raise invalid(f"{path}.currency", "expected an ISO-4217 code such as 'rub'")
    return amount, currency.lower()


def customer(value: Any, path: str = "customer") -> dict[str, Any]:
    data = obj(value, path)
    string(data.get("reference"), f"{path}.reference", max_len=128)
    contacts = data.get("contacts")
    if contacts is not None:
        if not isinstance(contacts, list):
            raise invalid(f"{path}.contacts", "expected an array")
        for i, contact in enumerate(contacts):
            obj(contact, f"{path}.contacts[{i}]")
    return data


def participant_details(value: Any, path: str = "participant_details") -> dict[str, Any]:
    data = obj(value, path)
    for role in ("sender", "recipient"):
        if data.get(role) is not None:
            obj(data[role], f"{path}.{role}")
    return data


def has_recipient_name(participants: dict[str, Any] | None) -> bool:
    recipient = (participants or {}).get("recipient") or {}
    return bool(recipient.get("full_name")) or bool(
        recipient.get("first_name") and recipient.get("last_name")
    )


def _brand(pan: str) -> str:
    head = int(pan[:4])
    if pan[0] == "4":
        return "visa"
    if 2200 <= head <= 2204:
        return "mir"
    if 5100 <= head <= 5599 or 2221 <= head <= 2720:
        return "mastercard"
    if pan[:2] in ("34", "37"):
        return "amex"
    return "unknown"


def card(value: Any, path: str, *, payment: bool) -> Instrument:
    data = obj(value, path)
    card_type = data.get("type")
    if card_type == "bank_card":
        bank_card = obj(data.get("bank_card"), f"{path}.bank_card")
        pan = digits(bank_card.get("number"), f"{path}.bank_card.number", range(14, 20))
        if payment:
            digits(bank_card.get("expiration_month"), f"{path}.bank_card.expiration_month", (2,))
            digits(bank_card.get("expiration_year"), f"{path}.bank_card.expiration_year", (2,))
            digits(bank_card.get("security_code"), f"{path}.bank_card.security_code", (3, 4))
        masked = {"brand": _brand(pan), "last4": pan[-4:], "bin": pan[:6]}
        return {"type": "card", "card": masked}, Facts("card", pan[-4:])
    if card_type == "encrypted_card":
        encrypted = obj(data.get("encrypted_card"), f"{path}.encrypted_card")
        number_hash = string(encrypted.get("number_hash"), f"{path}.encrypted_card.number_hash")
        return {"type": "card", "card": {"brand": "unknown"}}, Facts("card", number_hash[-4:])
    if card_type == "tokenized_card":
        tokenized = obj(data.get("tokenized_card"), f"{path}.tokenized_card")
        token = string(tokenized.get("token"), f"{path}.tokenized_card.token")
        return {"type": "card", "card": {"brand": "unknown"}}, Facts("card", token[-4:])
    raise invalid(f"{path}.type", "expected 'bank_card', 'encrypted_card' or 'tokenized_card'")


def _bank_account(value: Any, path: str) -> Instrument:
    account = obj(value, path)
    system = account.get("system_type")
    if not isinstance(system, str):
        raise invalid(f"{path}.system_type", "required")
    variant = obj(account.get(system), f"{path}.{system}")
    if system == "ru":
        string(variant.get("full_name"), f"{path}.ru.full_name")
        string(variant.get("description"), f"{path}.ru.description", max_len=210)
        if variant.get("token") is not None:
            token = string(variant["token"], f"{path}.ru.token")
            return dict(account), Facts("bank_account", token[-4:])
        digits(variant.get("bik"), f"{path}.ru.bik", (9,))
        number = digits(variant.get("account"), f"{path}.ru.account", (20,))
        return dict(account), Facts("bank_account", number[-4:])
    if system in ("faster_payment_system", "faster_payment_system_verification"):
        phone = string(variant.get("phone"), f"{path}.{system}.phone")
        string(variant.get("bank_id"), f"{path}.{system}.bank_id")
        channel = "fps"
        if system == "faster_payment_system":
            string(variant.get("description"), f"{path}.{system}.description", max_len=140)
        else:
            channel = "verification"
        return dict(account), Facts(channel, phone[-4:])
    if system in ("iban", "upi", "global"):
        return dict(account), Facts("bank_account")
    raise invalid(f"{path}.system_type", f"unsupported value {system!r}")


def payout_instrument(value: Any, path: str) -> Instrument:
    """A payout ``PaymentMethod`` (v1 ``payment_method`` / v2 ``payout_details``)."""
    method = obj(value, path)
    kind = method.get("type")
    if kind == "card":
        return card(method.get("card"), f"{path}.card", payment=False)
    if kind == "bank_account":
        account, facts = _bank_account(method.get("bank_account"), f"{path}.bank_account")
        return {"type": "bank_account", "bank_account": account}, facts
    if kind == "wallet":
        wallet = obj(method.get("wallet"), f"{path}.wallet")
        wallet_type = string(wallet.get("type"), f"{path}.wallet.type")
        variant = obj(wallet.get(wallet_type), f"{path}.wallet.{wallet_type}")
        number = string(variant.get("account"), f"{path}.wallet.{wallet_type}.account")
        return dict(method), Facts("wallet", number[-4:])
    if kind == "tax":
        obj(method.get("tax"), f"{path}.tax")
        return dict(method), Facts("other")
    if kind == "faster_payment_system":
        return dict(method), Facts("fps")
    raise invalid(f"{path}.type", "expected 'card', 'bank_account', 'wallet' or 'tax'")


_PAYMENT_TYPES = frozenset(
    {
        "faster_payment_system",
        "faster_payment_system_binding",
        "internet_banking",
        "wallet",
        "bank_account",
        "crypto_wallet",
        "internal_transfer",
        "tax",
        "moneysend",
    }
)


def payment_instrument(value: Any, path: str = "payment_details") -> Instrument:
    """An incoming-payment ``PaymentDetails``."""
    details = obj(value, path)
    kind = details.get("type")
    if kind == "card":
        return card(details.get("card"), f"{path}.card", payment=True)
    if kind == "recurrent":
        recurrent = obj(details.get("recurrent"), f"{path}.recurrent")
        token = string(recurrent.get("token"), f"{path}.recurrent.token")
        return {"type": "recurrent", "recurrent": {"token": token}}, Facts("card", token[-4:])
    if kind == "secured_card":
        secured = obj(details.get("secured_card"), f"{path}.secured_card")
        secured_type = string(secured.get("type"), f"{path}.secured_card.type")
        return {"type": "secured_card", "secured_card": {"type": secured_type}}, Facts("card")
    if isinstance(kind, str) and kind in _PAYMENT_TYPES:
        variant = details.get(kind)
        if variant is not None:
            obj(variant, f"{path}.{kind}")
        return dict(details), Facts("fps" if kind.startswith("faster") else "other")
    raise invalid(f"{path}.type", f"unsupported value {kind!r}")


def fiscalization_details(value: Any, amount: int | None, path: str) -> tuple[dict[str, Any], str]:
    """Returns the details to echo and the taxpayer INN."""
    details = obj(value, path)
    taxpayer_path = f"{path}.professional_income_taxpayer"
    taxpayer = obj(details.get("professional_income_taxpayer"), taxpayer_path)
    inn = digits(taxpayer.get("tax_reference"), f"{taxpayer_path}.tax_reference", (12,))
    services = taxpayer.get("services")
    if not isinstance(services, list) or not 1 <= len(services) <= 6:
        raise invalid(f"{taxpayer_path}.services", "expected an array of 1 to 6 services")
    total = 0
    for i, service in enumerate(services):
        service_path = f"{taxpayer_path}.services[{i}]"
        item = obj(service, service_path)
        string(item.get("name"), f"{service_path}.name")
        price, _ = amount_details(item.get("amount_details"), f"{service_path}.amount_details")
        quantity = item.get("quantity", 1)
        if type(quantity) is not int or quantity < 1:
            raise invalid(f"{service_path}.quantity", "expected a positive integer")
        total += price * quantity
    if amount is not None and total != amount:
        raise invalid(
            f"{taxpayer_path}.services",
            f"sum of price x quantity ({total}) must equal amount_details.amount ({amount})",
        )
    return details, inn


def reject_other_spelling(body: dict[str, Any], version: int) -> None:
    """A v2 request carrying the v1 key (or the reverse) is a client bug worth failing loudly."""
    wrong, right = ("payment_method", "payout_details")[:: 1 if version == 2 else -1]
    if wrong in body:
        raise invalid(wrong, f"not accepted by /api/v{version}; this version spells it {right!r}")
