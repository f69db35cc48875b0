"""Payout instruments (``payout_details``) and incoming-payment instruments (``payment_details``).

The bank encodes every union as ``{"type": T, T: {...}}`` (bank accounts use ``system_type``).
The classes mirror that: a ``type`` plus one filled sibling field. Types the bank adds later
still parse -- ``type`` keeps the new string and the unknown payload is ignored -- and so does a
response that omits the discriminator (``type`` is then ``None``): a surprising instrument echo
must not hide the session's status from a payout program. Requests are checked before
sending. Build them with the class-method constructors::

    PayoutDetails.from_card(BankCard(number="4242424242424242"))
    PayoutDetails.from_bank_account_ru(bik="044525974", account="40817810...",
                                       full_name="Ivan Ivanov", description="Payout, contract 15")
    PayoutDetails.from_fps(phone="79001234567", bank_id="100000000004", description="Payout")
    PaymentDetails.from_card(BankCard(number=..., expiration_month="12", expiration_year="30",
                                      security_code="123"))

Every union is built the same way, by ``from_<variant>`` class methods (the Python
convention for alternative constructors, as ``datetime.fromtimestamp``): ``CardDetails``,
``PayoutDetails`` and ``PaymentDetails`` alike. The plain variant names (``card``,
``wallet``, ...) are the wire fields, so they cannot be the constructors.

Card numbers and security codes never appear in ``repr()``: they show masked.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
from attrs import frozen

from .enums import (
    BankAccountType,
    CardType,
    PaymentDetailsType,
    PayoutDetailsType,
    RecurrentInitiator,
    WalletType,
)

__all__ = [
    "BankAccount",
    "BankAccountIban",
    "BankAccountRu",
    "BankCard",
    "CardDetails",
    "CryptoWallet",
    "EncryptedCard",
    "FasterPaymentSystemAccount",
    "FasterPaymentSystemDetails",
    "FasterPaymentSystemVerification",
    "InternalTransfer",
    "InternalTransferDescription",
    "InternetBanking",
    "PaymentDetails",
    "PayoutDetails",
    "RecurrentDetails",
    "SberPay",
    "SecuredCard",
    "SecuredCardToken",
    "Tax",
    "TaxDetails",
    "TaxFull",
    "TaxParty",
    "TaxPeriod",
    "TaxShort",
    "TokenizedCard",
    "TonWallet",
    "Wallet",
    "WalletAccount",
]


def _mask_pan(value: str | None) -> str:
    if not value:
        return repr(value)
    digits = value.replace(" ", "")
    return (
        repr(digits[:6] + "*" * max(len(digits) - 10, 0) + digits[-4:])
        if len(digits) > 10
        else "'****'"
    )


def _hidden(value: object) -> str:
    return "None" if value is None else "'***'"


def _masked_token(value: str | None) -> str:
    return repr(value) if value is None or len(value) <= 8 else repr(value[:4] + "..." + value[-4:])


# --------------------------------------------------------------------------- cards


@frozen(kw_only=True)
class BankCard:
    """A card in clear (PCI DSS partners only). Expiry and CVC are needed for payments only."""

    number: str = attrs.field(repr=_mask_pan)
    # PCI DSS counts the expiry as cardholder data: kept out of reprs like the CVC.
    expiration_month: str | None = attrs.field(default=None, repr=_hidden)
    expiration_year: str | None = attrs.field(default=None, repr=_hidden)
    security_code: str | None = attrs.field(default=None, repr=_hidden)
    cardholder_name: str | None = None


@frozen(kw_only=True)
class EncryptedCard:
    """Card data encrypted by the bank's widget."""

    number_hash: str = attrs.field(repr=_masked_token)
    expiration_date_hash: str | None = attrs.field(default=None, repr=_hidden)
    security_code_hash: str | None = attrs.field(default=None, repr=_hidden)
    cardholder_name_hash: str | None = attrs.field(default=None, repr=_hidden)


@frozen(kw_only=True)
class TokenizedCard:
    """A card by its token (``bank.tokens.tokenize_elements(number).token``)::

        PayoutDetails.from_card(TokenizedCard(token=card_token))

    PCI DSS partners keep the token instead of the card number.
    """

    token: str = attrs.field(repr=_masked_token)


@frozen(kw_only=True)
class CardDetails:
    """``card`` variant. Requests set ``type`` + one card; responses carry the masked fields."""

    type: CardType | str | None = None
    bank_card: BankCard | None = None
    encrypted_card: EncryptedCard | None = None
    tokenized_card: TokenizedCard | None = None
    brand: str | None = None
    last4: str | None = None
    bin: str | None = None
    country_iso3: str | None = None
    card_id: str | None = None

    @classmethod
    def from_card(cls, card: BankCard | EncryptedCard | TokenizedCard) -> CardDetails:
        """The ``card`` instrument for any of the three card objects, ``type`` set to match."""
        if isinstance(card, BankCard):
            return cls(type=CardType.BANK_CARD, bank_card=card)
        if isinstance(card, EncryptedCard):
            return cls(type=CardType.ENCRYPTED_CARD, encrypted_card=card)
        return cls(type=CardType.TOKENIZED_CARD, tokenized_card=card)


# --------------------------------------------------------------------------- bank accounts


@frozen(kw_only=True)
class BankAccountRu:
    """A Russian bank account. ``description`` is the payout purpose (at most 210 characters)."""

    bik: str | None = None
    account: str | None = None
    full_name: str | None = None
    description: str | None = None
    inn: str | None = None
    kpp: str | None = None
    is_fast: bool | None = None
    token: str | None = attrs.field(default=None, repr=_masked_token)


@frozen(kw_only=True)
class FasterPaymentSystemAccount:
    """FPS (SBP) payout by phone number; ``bank_id`` comes from ``fps.banks()``."""

    phone: str
    bank_id: str
    description: str | None = None


@frozen(kw_only=True)
class FasterPaymentSystemVerification:
    """The instrument of ``fps/customer_verification`` (``bank.fps.customer_verification``
    builds it).
    """

    phone: str
    bank_id: str


@frozen(kw_only=True)
class BankAccountIban:
    """An account by IBAN."""

    account: str


@frozen(kw_only=True)
class BankAccount:
    """The ``bank_account`` instrument: ``system_type`` says which of ``ru``,
    ``faster_payment_system``, ... is set. Build it with ``PayoutDetails.from_bank_account_ru``
    or ``PayoutDetails.from_fps``.
    """

    system_type: BankAccountType | str | None = None
    ru: BankAccountRu | None = None
    faster_payment_system: FasterPaymentSystemAccount | None = None
    faster_payment_system_verification: FasterPaymentSystemVerification | None = None
    iban: BankAccountIban | None = None
    upi: Mapping[str, Any] | None = None


# --------------------------------------------------------------------------- wallets, tax


@frozen(kw_only=True)
class WalletAccount:
    """An e-wallet account number, and the payout's purpose."""

    account: str
    description: str | None = None


@frozen(kw_only=True)
class Wallet:
    """The ``wallet`` instrument: ``type`` names the set field (``PayoutDetails.from_wallet``
    builds it).
    """

    type: WalletType | str | None = None
    yoomoney: WalletAccount | None = None
    qiwi: WalletAccount | None = None
    moneta: WalletAccount | None = None
    steam: WalletAccount | None = None


@frozen(kw_only=True)
class TaxPeriod:
    """The tax period of a short tax payment, e.g. ``TaxPeriod(type="month", number=2,
    year="2024")``.
    """

    type: str | None = None
    number: int | None = None
    year: str | None = None


@frozen(kw_only=True)
class TaxDetails:
    """The budget details of a tax payment: ``kbk`` (20 digits), ``oktmo`` (8 or 11 digits),
    ``payment_reason`` (e.g. ``"ТП"``), ``period`` (e.g. ``"МС.02.2024"`` or a :class:`TaxPeriod`),
    ``document_number`` and ``document_date`` (``"0"`` when there are none).
    """

    kbk: str | None = None
    oktmo: str | None = None
    payment_reason: str | None = None
    period: str | TaxPeriod | None = None
    document_number: str | None = None
    document_date: str | None = None


@frozen(kw_only=True)
class TaxParty:
    """The payer or the payee of a tax payment: INN, KPP and, for the payee, the treasury's
    name, BIK, account and single treasury account (``account_eks``).
    """

    inn: str | None = None
    kpp: str | None = None
    bik: str | None = None
    account: str | None = None
    account_eks: str | None = None
    name: str | None = None


@frozen(kw_only=True)
class TaxFull:
    """The fields of a full tax payment as the older docs nest them (``tax.tax_full``)."""

    uin: str | None = None
    description: str | None = None
    tax_details: TaxDetails | None = None
    payer: TaxParty | None = None
    payee: TaxParty | None = None


@frozen(kw_only=True)
class TaxShort:
    """The fields of a short tax payment as the older docs nest them (``tax.tax_short``)."""

    tax_details: TaxDetails | None = None


@frozen(kw_only=True)
class Tax:
    """A payment to the Federal Tax Service: ``type`` is ``tax_full`` or ``tax_short``.

    Sources disagree on the shape. The PHP SDK (Oct 2025, the most recent source) puts the
    fields on this object, which is what the ``PayoutDetails.from_tax_*`` constructors send; the
    older docs nest them under ``tax_full`` / ``tax_short``, and both parse.
    """

    type: str | None = None
    description: str | None = None
    uin: str | None = None
    tax_details: TaxDetails | None = None
    payer: TaxParty | None = None
    payee: TaxParty | None = None
    tax_full: TaxFull | None = None
    tax_short: TaxShort | None = None


# --------------------------------------------------------------------------- payout details


@frozen(kw_only=True)
class PayoutDetails:
    """Where a payout goes (``payout_details`` in API v2, ``payment_method`` in v1)."""

    type: PayoutDetailsType | str | None = None
    card: CardDetails | None = None
    bank_account: BankAccount | None = None
    wallet: Wallet | None = None
    tax: Tax | None = None
    faster_payment_system: Mapping[str, Any] | None = None

    @classmethod
    def from_card(cls, card: BankCard | EncryptedCard | TokenizedCard) -> PayoutDetails:
        """A payout to a card: by number (:class:`BankCard`, PCI DSS partners), by token
        (:class:`TokenizedCard`), or encrypted by the bank's widget (:class:`EncryptedCard`)::

            PayoutDetails.from_card(BankCard(number="4242424242424242"))

        Card payouts need ``participant_details.recipient.full_name``.
        """
        return cls(type=PayoutDetailsType.CARD, card=CardDetails.from_card(card))

    @classmethod
    def from_bank_account_ru(
        cls,
        *,
        bik: str,
        account: str,
        full_name: str,
        description: str,
        inn: str | None = None,
        kpp: str | None = None,
        is_fast: bool | None = None,
    ) -> PayoutDetails:
        """A payout to a Russian bank account: 9-digit ``bik``, 20-digit ``account``, the holder's
        ``full_name`` and the payment's ``description`` (at most 210 characters); ``inn`` and
        ``kpp`` for legal entities, ``is_fast`` for an urgent transfer::

            PayoutDetails.from_bank_account_ru(
                bik="044525974", account="40817810500000000001",
                full_name="Иванов Иван Иванович", description="Оплата по договору 17",
            )
        """
        ru = BankAccountRu(
            bik=bik,
            account=account,
            full_name=full_name,
            description=description,
            inn=inn,
            kpp=kpp,
            is_fast=is_fast,
        )
        return cls(
            type=PayoutDetailsType.BANK_ACCOUNT,
            bank_account=BankAccount(system_type=BankAccountType.RU, ru=ru),
        )

    @classmethod
    def from_fps(cls, *, phone: str, bank_id: str, description: str) -> PayoutDetails:
        """A payout by phone through the Faster Payment System; ``bank_id`` is the recipient's
        bank from ``bank.fps.banks()``::

            PayoutDetails.from_fps(phone="79001234567", bank_id="100000000069",
                                   description="Возврат займа")
        """
        fps = FasterPaymentSystemAccount(phone=phone, bank_id=bank_id, description=description)
        return cls(
            type=PayoutDetailsType.BANK_ACCOUNT,
            bank_account=BankAccount(
                system_type=BankAccountType.FASTER_PAYMENT_SYSTEM, faster_payment_system=fps
            ),
        )

    @classmethod
    def from_tax_full(
        cls,
        *,
        uin: str,
        description: str,
        tax_details: TaxDetails,
        payer: TaxParty,
        payee: TaxParty,
    ) -> PayoutDetails:
        """A full tax payment (payer's and payee's requisites, KBK, OKTMO, reason, period)."""
        tax = Tax(
            type="tax_full",
            uin=uin,
            description=description,
            tax_details=tax_details,
            payer=payer,
            payee=payee,
        )
        return cls(type=PayoutDetailsType.TAX, tax=tax)

    @classmethod
    def from_tax_short(cls, *, period: TaxPeriod) -> PayoutDetails:
        """A short tax payment: only the period (``TaxPeriod(type="month", number=2,
        year="2021")``)."""
        tax = Tax(type="tax_short", tax_details=TaxDetails(period=period))
        return cls(type=PayoutDetailsType.TAX, tax=tax)

    @classmethod
    def from_wallet(
        cls, account: str, *, description: str | None = None, type: WalletType | str = "yoomoney"
    ) -> PayoutDetails:
        """A payout to an e-wallet, YooMoney by default::

            PayoutDetails.from_wallet("41001234567890", description="Выигрыш в конкурсе")

        ``type`` names another wallet system (:class:`WalletType`).
        """
        acc = WalletAccount(account=account, description=description)
        wallet = Wallet(type=type, **{str(type): acc})
        return cls(type=PayoutDetailsType.WALLET, wallet=wallet)


# --------------------------------------------------------------------------- payment details


@frozen(kw_only=True)
class RecurrentDetails:
    """A merchant- (MIT, default) or client-initiated (CIT) charge of a saved card."""

    token: str = attrs.field(repr=_masked_token)
    initiator: RecurrentInitiator | str | None = None
    security_code: str | None = attrs.field(default=None, repr=_hidden)


@frozen(kw_only=True)
class SecuredCardToken:
    """A Google Pay or Apple Pay payment token."""

    token: str = attrs.field(repr=_masked_token)


@frozen(kw_only=True)
class SecuredCard:
    """The ``secured_card`` payment method: a Google Pay or Apple Pay token."""

    type: str | None = None
    google_pay: SecuredCardToken | None = None
    apple_pay: SecuredCardToken | None = None


@frozen(kw_only=True)
class FasterPaymentSystemDetails:
    """The ``faster_payment_system`` payment method (the bank answers with a QR code in
    ``customer_interaction``).
    """

    description: str | None = None


@frozen(kw_only=True)
class SberPay:
    """SberPay within ``internet_banking``: the ``channel`` and the payer's ``phone``."""

    channel: str
    phone: str | None = None


@frozen(kw_only=True)
class InternetBanking:
    """Internet-banking methods; only SberPay has documented fields, the rest are ``{}``."""

    type: str | None = None
    sber_pay: SberPay | None = None


@frozen(kw_only=True)
class TonWallet:
    """A TON wallet (``crypto_wallet``)."""

    address: str | None = None
    product_id: str | None = None
    product_name: str | None = None


@frozen(kw_only=True)
class CryptoWallet:
    """The ``crypto_wallet`` payment method."""

    type: str | None = None
    ton: TonWallet | None = None


@frozen(kw_only=True)
class InternalTransferDescription:
    """The purpose of an internal transfer."""

    description: str | None = None


@frozen(kw_only=True)
class InternalTransfer:
    """The ``internal_transfer`` payment method: the leg of an escrow or settlement
    account payout that moves the money out of your account (``bank.nominal`` and ``bank.rko``
    build it).
    """

    type: str | None = None
    transfer_from_nominal_account: InternalTransferDescription | None = None
    transfer_from_bank_account: InternalTransferDescription | None = None


@frozen(kw_only=True)
class PaymentDetails:
    """How an incoming payment is paid (``payment_details``, same key in v1 and v2)."""

    type: PaymentDetailsType | str | None = None
    card: CardDetails | None = None
    recurrent: RecurrentDetails | None = None
    secured_card: SecuredCard | None = None
    faster_payment_system: FasterPaymentSystemDetails | None = None
    faster_payment_system_binding: Mapping[str, Any] | None = None
    internet_banking: InternetBanking | None = None
    wallet: Wallet | None = None
    bank_account: BankAccount | None = None
    crypto_wallet: CryptoWallet | None = None
    internal_transfer: InternalTransfer | None = None
    tax: Tax | None = None
    moneysend: Mapping[str, Any] | None = None

    @classmethod
    def from_card(cls, card: BankCard | EncryptedCard | TokenizedCard) -> PaymentDetails:
        """A card payment (:class:`BankCard` with expiry and CVC for PCI DSS partners,
        :class:`EncryptedCard` from the bank's widget, or a :class:`TokenizedCard`)::

            PaymentDetails.from_card(BankCard(number="4242424242424242", expiration_month="12",
                                              expiration_year="30", security_code="123"))
        """
        return cls(type=PaymentDetailsType.CARD, card=CardDetails.from_card(card))

    @classmethod
    def from_recurrent(
        cls, token: str, *, initiator: RecurrentInitiator | str | None = None
    ) -> PaymentDetails:
        """A charge of a saved card by its recurrent token (from a payment made with
        ``PaymentOptions(recurrent=True)``)::

            PaymentDetails.from_recurrent(session.payment_list[0].recurrent.token)
        """
        return cls(
            type=PaymentDetailsType.RECURRENT,
            recurrent=RecurrentDetails(token=token, initiator=initiator),
        )

    @classmethod
    def from_fps(cls, *, description: str | None = None) -> PaymentDetails:
        """A payment through the Faster Payment System (the customer scans a QR code)."""
        return cls(
            type=PaymentDetailsType.FASTER_PAYMENT_SYSTEM,
            faster_payment_system=FasterPaymentSystemDetails(description=description),
        )
