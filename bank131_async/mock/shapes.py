"""The documented request shapes: which keys each object may carry (``objects.md``,
``endpoints.md``), and the check that refuses any other key.

Like stripe-mock, the emulator fails a request with a key the bank does not know, so a
misspelled key (``custom_routng``, ``metadta``) fails a test instead of being silently
dropped: ``invalid_request`` naming the key by its full path, e.g.
``payout_details.card.numbr: unknown field``. The check only looks at keys; values are checked
by :mod:`.validate` and the handlers. A value of the wrong type (a string where an object is
due) is left to those checks, which describe it better.

Kept accepted on purpose:

* both API spellings of the payout instrument (``payment_method`` v1, ``payout_details`` v2);
  which one a version takes is :func:`.validate.reject_other_spelling`'s rule;
* every field the research documents, including those only the official PHP SDK sends
  (labelled [SDK] there): the PHP client must run against the emulator unchanged;
* response-only card fields (``brand``, ``last4``, ...), because the instrument inside an
  echoed ``confirm_information`` is the masked one;
* ``metadata`` (any JSON) and objects whose contents the bank does not publish
  (``moneysend``): free-form, since nothing says which keys they may hold.

Tagged unions (``{"type": T, T: {...}}``) accept the variant named by their tag; with an
unknown tag the value checks report the tag, so any variant key passes here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from .wire import invalid

__all__ = ["FREE", "LEAF", "ListOf", "Obj", "Shape", "Tagged", "check"]


@attrs.frozen
class _Leaf:
    """A scalar, or a value whose keys nobody documents below this point."""


@attrs.frozen
class _Free:
    """Free-form JSON: anything inside is allowed."""


@attrs.frozen
class Obj:
    fields: Mapping[str, Shape]


@attrs.frozen
class ListOf:
    item: Shape


@attrs.frozen
class Tagged:
    """``{tag: T, T: variants[T], **common}``."""

    tag: str
    variants: Mapping[str, Shape]
    common: Mapping[str, Shape] = attrs.field(factory=dict)


Shape = _Leaf | _Free | Obj | ListOf | Tagged
LEAF = _Leaf()
FREE = _Free()


def check(value: Any, shape: Shape, path: str = "") -> None:
    """Raise ``invalid_request`` for the first key ``shape`` does not allow."""
    if isinstance(value, dict):
        if isinstance(shape, Obj):
            _keys(value, shape.fields, path)
        elif isinstance(shape, Tagged):
            _tagged(value, shape, path)
    elif isinstance(value, list) and isinstance(shape, ListOf):
        for i, item in enumerate(value):
            check(item, shape.item, f"{path}[{i}]")


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _keys(value: dict[str, Any], fields: Mapping[str, Shape], path: str) -> None:
    for key, item in value.items():
        shape = fields.get(key)
        if shape is None:
            raise invalid(_join(path, key), "unknown field")
        check(item, shape, _join(path, key))


def _tagged(value: dict[str, Any], shape: Tagged, path: str) -> None:
    tag = value.get(shape.tag)
    known = isinstance(tag, str) and tag in shape.variants
    for key, item in value.items():
        if key == shape.tag:
            continue
        sub = shape.common.get(key)
        if sub is None:
            sub = shape.variants.get(key)
            if sub is None:
                raise invalid(_join(path, key), "unknown field")
            if known and key != tag:
                raise invalid(_join(path, key), f"unknown field for {shape.tag} {tag!r}")
        check(item, sub, _join(path, key))


def leaves(*names: str, **nested: Shape) -> Obj:
    """An object of scalar ``names`` and ``nested`` objects."""
    return Obj({**dict.fromkeys(names, LEAF), **nested})


def _variants(*names: str, **shapes: Shape) -> dict[str, Shape]:
    """Variants with no fields of their own (PHP sends ``[]`` for them) plus ``shapes``."""
    return {**dict.fromkeys(names, EMPTY), **shapes}


EMPTY = leaves()

# -- objects.md 6, 9: money, customer, participants ------------------------------------------

AMOUNT = leaves("amount", "currency")
#: The docs' table spells ``e-mail``, the PHP SDK ``email``: both are the bank's spellings.
CUSTOMER = leaves("reference", contacts=ListOf(leaves("email", "e-mail", "phone")))
PARTICIPANT = leaves(
    # documented
    "full_name",
    "first_name",
    "last_name",
    "middle_name",
    "company_name",
    "reference",
    "tax_reference",
    "beneficiary_id",
    "country_iso3",
    "account",
    # [SDK]
    "country_iso2",
    "city",
    "postal_code",
    "address_line",
    "street",
    "building",
    "flat",
    "state",
    "ipv4",
    "ipv6",
    "document",
    "currency",
    "bank_name",
    "registration_number",
    "date_of_incorporation",
    "msisdn",
    "email",
    "code",
    "swift_bic_code",
    "description",
    "wallet_id",
    "date_of_birth",
    # the PHP SDK's and the transfers docs' spellings of one field
    "citizenship_country_iso_3",
    "citizenship_country_iso3",
    identity_document=leaves(
        "id_type", "id_number", "id_expiration_date", "issue_date", "division_code", "issued_by"
    ),
)
PARTICIPANT_DETAILS = leaves(sender=PARTICIPANT, recipient=PARTICIPANT)

# -- objects.md 7: the payout instrument (PaymentMethod) -------------------------------------

CARD = Tagged(
    "type",
    {
        "bank_card": leaves(
            "number", "expiration_month", "expiration_year", "security_code", "cardholder_name"
        ),
        "encrypted_card": leaves(
            "number_hash", "expiration_date_hash", "security_code_hash", "cardholder_name_hash"
        ),
        "tokenized_card": leaves("token"),
    },
    # the masked card of responses, which an echoed confirm_information carries
    dict.fromkeys(("brand", "last4", "bin", "country_iso3", "card_id"), LEAF),
)
BANK_ACCOUNT = Tagged(
    "system_type",
    _variants(
        "upi",
        ru=leaves("bik", "account", "full_name", "description", "inn", "kpp", "is_fast", "token"),
        faster_payment_system=leaves("phone", "bank_id", "description"),
        faster_payment_system_verification=leaves("phone", "bank_id"),
        iban=leaves("account"),
        # [SG] only, kept since the research lists it
        **{"global": leaves("iban", "description")},
    ),
)
_WALLET_ACCOUNT = leaves("account", "description")
WALLET = Tagged(
    "type",
    {
        "yoomoney": _WALLET_ACCOUNT,
        "qiwi": _WALLET_ACCOUNT,
        "moneta": _WALLET_ACCOUNT,
        "steam": leaves("account"),
    },
)
#: ``period`` is a string in the docs (``МС.02.2020``) and ``{type, number, year}`` in the PHP
#: SDK's short form; a string has no keys to check.
_TAX_DETAILS = leaves(
    "kbk",
    "oktmo",
    "payment_reason",
    "document_number",
    "document_date",
    period=leaves("type", "number", "year"),
)
_TAX_PAYER = leaves("kpp", "inn")
_TAX_PAYEE = leaves("bik", "account", "account_eks", "name", "kpp", "inn")
#: Two documented shapes: the docs nest the requisites under ``tax_full``/``tax_short``, the
#: PHP SDK flattens them into the tax object beside ``type``.
TAX = Tagged(
    "type",
    {
        "tax_full": leaves(
            "uin", "description", tax_details=_TAX_DETAILS, payer=_TAX_PAYER, payee=_TAX_PAYEE
        ),
        "tax_short": leaves(tax_details=_TAX_DETAILS),
    },
    {
        "description": LEAF,
        "uin": LEAF,
        "tax_details": _TAX_DETAILS,
        "payer": _TAX_PAYER,
        "payee": _TAX_PAYEE,
    },
)
PAYOUT_METHOD = Tagged(
    "type",
    _variants(
        "faster_payment_system",
        card=CARD,
        bank_account=BANK_ACCOUNT,
        wallet=WALLET,
        tax=TAX,
        # transfers (cash payouts): the contents are not published
        moneysend=FREE,
    ),
)

# -- objects.md 8: the incoming-payment instrument (PaymentDetails) ---------------------------

_TOKEN = leaves("token")
_DESCRIBED = leaves("description")
PAYMENT_DETAILS = Tagged(
    "type",
    _variants(
        "faster_payment_system_binding",
        card=CARD,
        recurrent=leaves("token", "initiator", "security_code"),
        secured_card=Tagged("type", {"google_pay": _TOKEN, "apple_pay": _TOKEN}),
        faster_payment_system=_DESCRIBED,
        internet_banking=Tagged(
            "type",
            _variants(
                "alipay",
                "alipay_hk",
                "dana",
                "gcash",
                "kakaopay",
                "wechatpay",
                "tpay",
                "china_unionpay",
                sber_pay=leaves("channel", "phone"),
                phone_ident=leaves("phone"),
                pix=leaves("document", "name", "email", "phone"),
                country_ewallet=leaves("country_iso2"),
            ),
        ),
        wallet=WALLET,
        bank_account=BANK_ACCOUNT,
        crypto_wallet=Tagged("type", {"ton": leaves("address", "product_id", "product_name")}),
        internal_transfer=Tagged(
            "type",
            {"transfer_from_nominal_account": _DESCRIBED, "transfer_from_bank_account": _DESCRIBED},
        ),
        tax=TAX,
        # transfers: the contents are not published
        moneysend=FREE,
    ),
)

# -- objects.md 10, 12, 14: options, fiscalization, routing, revenue split --------------------

PAYMENT_OPTIONS = leaves(
    "return_url",
    "recurrent",
    "expiration_at",
    subscription=leaves("period"),
    platform_details=leaves("type", "os", "browser"),
)
FISCALIZATION_DETAILS = leaves(
    professional_income_taxpayer=leaves(
        "tax_reference",
        "payer_type",
        "payer_tax_number",
        "payer_name",
        services=ListOf(leaves("name", "quantity", amount_details=AMOUNT)),
        receipt=leaves("id", "link"),
    )
)

# -- objects.md 13: confirm_information, echoed by confirm and cancel ------------------------

_NOMINAL_PARTICIPANT = leaves(
    "account_number", "name", "bank_name", "bik", "correspondent_account_number"
)
_EXTENDED_PARTICIPANT = Obj({**_NOMINAL_PARTICIPANT.fields, "inn": LEAF, "kpp": LEAF})
CONFIRM_INFORMATION = leaves(
    transfer_details=leaves(
        "purpose",
        payment_method=PAYOUT_METHOD,
        payout_details=PAYOUT_METHOD,
        customer=_NOMINAL_PARTICIPANT,
        recipient=_NOMINAL_PARTICIPANT,
        amount=AMOUNT,
    ),
    account_details=leaves(sender=_EXTENDED_PARTICIPANT, recipient=_EXTENDED_PARTICIPANT),
    exchanges=ListOf(leaves("id", "fx_rate", source=AMOUNT, destination=AMOUNT, commission=AMOUNT)),
)

# -- request bodies (endpoints.md) -----------------------------------------------------------

#: The fields the PHP SDK's session requests share (``AbstractSessionRequest``), which the
#: session-creating and -starting methods accept.
_SESSION_FIELDS: dict[str, Shape] = {
    "amount_details": AMOUNT,
    "customer": CUSTOMER,
    "payment_options": PAYMENT_OPTIONS,
    "metadata": FREE,
    # [SDK] antifraud data
    "payment_metadata": leaves("device_session_id", "device_session_id_list"),
    "payment_details": PAYMENT_DETAILS,
    "payout_details": PAYOUT_METHOD,
    "payment_method": PAYOUT_METHOD,
    "participant_details": PARTICIPANT_DETAILS,
    "fiscalization_details": FISCALIZATION_DETAILS,
    # [SDK]
    "custom_routing": leaves(tags=ListOf(leaves("root_tag", "values"))),
    "revenue_split_info": ListOf(leaves("contractor_alias", "percent", "remains", "amount")),
}
#: session/create and session/init/* (nothing to name: the call makes the session).
NEW_SESSION = Obj(_SESSION_FIELDS)
#: session/start/*, fps/customer_verification: the same fields for an existing session.
START_SESSION = Obj({**_SESSION_FIELDS, "session_id": LEAF})
MULTI_INIT = leaves(payment_list=ListOf(NEW_SESSION), payout_list=ListOf(NEW_SESSION))
SESSION_ID = leaves("session_id")
#: session/confirm and session/cancel: the bank says to keep confirm_information for both.
DECISION = leaves("session_id", confirm_information=CONFIRM_INFORMATION)
CAPTURE = leaves("session_id", amount_details=AMOUNT)
REFUND = leaves("session_id", amount_details=AMOUNT, metadata=FREE)
FISCALIZATION = leaves(
    "session_id",
    fiscalization_details=FISCALIZATION_DETAILS,
    payment_method=PAYOUT_METHOD,
    payout_details=PAYOUT_METHOD,
    amount_details=AMOUNT,
    participant_details=PARTICIPANT_DETAILS,
    customer=CUSTOMER,
    metadata=FREE,
)
TOKEN = leaves(
    tokenize_widget=leaves("access"),
    acquiring_widget=leaves(
        "session_id",
        "success_return_url",
        "failure_return_url",
        "show_recurrent_checkbox",
        "success_on_hold",
    ),
    self_employed_widget=leaves("tax_reference"),
)
TOKEN_INFO = leaves("type", card=CARD, public_token=_TOKEN, recurrent_token=_TOKEN)
TOKENIZE = leaves("type", bank_account_ru=leaves("bik", "account"))
TOKENIZE_ELEMENTS = leaves(elements=ListOf(leaves("ref", "type", "card_number")))
RECURRENT = leaves(recurrent=_TOKEN)
SUBSCRIPTION = leaves("subscription_id")
WALLET_BALANCE = leaves("request_datetime")
ACCOUNT_BALANCE = leaves("account_number")
ACCOUNT_STATEMENT = leaves("date_from", "date_to", "account_number")
SBERPAY_PUSH = leaves("phone", "session_id")
NPD_CHECK = leaves("tax_reference")
NPD_REQUEST_STATUS = leaves("request_id")
NPD_PERSONAL_INFO = leaves("tax_reference", "last_name", "first_name", "middle_name", "phone")
NPD_TAX_REFERENCES = leaves("tax_reference_list")
NPD_NOTIFICATION_LIST = leaves(notification_list=ListOf(leaves("tax_reference", "message_id_list")))
CALCULATE = leaves(amounts=leaves(source=AMOUNT, destination=AMOUNT))
CASH_PAYOUT = Obj({**_SESSION_FIELDS, "tcn_code_encoded": LEAF})
