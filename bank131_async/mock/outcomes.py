"""Deterministic outcomes: the request decides how an operation ends.

The emulator never keeps a full card number; when a request arrives it keeps only
:class:`Facts` (the instrument channel and the last four characters of the card number, card
token, account number or phone), and the outcome is decided from those and the amount when the
operation finishes (after ``confirm``, or straight away where no confirm is expected).

=====================================================  ===================  ==========================================
Trigger                                                Applies to           Result
=====================================================  ===================  ==========================================
card number or card token ending ``0002``              card payout/payment  op ``failed`` ``declined_by_issuer_bank``
card number or card token ending ``0051``              card payout/payment  op ``failed`` ``insufficient_funds``
card number or card token ending ``0054``              card payout/payment  op ``failed`` ``bank_card_expired``
card number or card token ending ``0059``              card payout/payment  op ``failed`` ``suspected_fraud``
amount ``131313``                                      any payout/payment   op ``failed`` ``provider_timeout``
amount ``500500``                                      any payout/payment   op ``failed`` ``internal_error``,
                                                                            session ``error`` (not final)
FPS phone ending ``0000``                              FPS payout           op ``failed`` ``account_not_found``
FPS phone ending ``0000``                              fps/customer_        recipient not found: session
                                                       verification         ``cancelled``, op ``account_not_found``
bank account number ending ``0000``                    ``ru`` account       op ``failed`` ``account_not_found``
``tax_reference`` ending ``0000``                      fiscalized payout    op ``failed`` ``taxpayer_not_bound``
``tax_reference`` ending ``9999``                      fiscalized payout    op ``failed``
                                                                            ``taxpayer_income_exceeds_amount_limit``
payout amount above the wallet balance                 any payout           op ``failed`` ``insufficient_wallet_balance``
refund amount ``131313``                               refund               refund ``declined``
anything else                                          --                   success (op ``succeeded``, session
                                                                            ``accepted``; wallet debited for payouts)
=====================================================  ===================  ==========================================

Unless the table says otherwise a failed operation leaves the session ``cancelled`` with the
operation's ``error`` set, which is how the bank reports ordinary declines.
"""

from __future__ import annotations

import attrs

__all__ = ["Facts", "Failure", "payment_failure", "payout_failure", "refund_declined"]

PROVIDER_TIMEOUT_AMOUNT = 131313
INTERNAL_ERROR_AMOUNT = 500500


@attrs.frozen
class Facts:
    """What an outcome may depend on; safe to keep (no PAN, no CVC)."""

    channel: str  # "card", "fps", "bank_account", "wallet", "verification", "other"
    suffix: str = ""


@attrs.frozen
class Failure:
    code: str
    description: str
    session_status: str = "cancelled"


_CARD_DECLINES = {
    "0002": Failure("declined_by_issuer_bank", "Declined by the issuer bank"),
    "0051": Failure("insufficient_funds", "Insufficient funds on the card"),
    "0054": Failure("bank_card_expired", "The card has expired"),
    "0059": Failure("suspected_fraud", "Suspicious transaction"),
}
_NOT_FOUND = Failure("account_not_found", "Recipient account not found")


def _common(facts: Facts, amount: int) -> Failure | None:
    if amount == PROVIDER_TIMEOUT_AMOUNT:
        return Failure("provider_timeout", "The provider did not answer in time")
    if amount == INTERNAL_ERROR_AMOUNT:
        return Failure("internal_error", "Unexpected error, contact support", "error")
    if facts.channel == "card":
        return _CARD_DECLINES.get(facts.suffix)
    return None


def payout_failure(
    facts: Facts, amount: int, tax_reference: str | None, wallet_balance: int
) -> Failure | None:
    """How a payout ends; ``None`` means it succeeds."""
    failure = _common(facts, amount)
    if failure is not None:
        return failure
    if facts.channel in ("fps", "bank_account", "verification") and facts.suffix == "0000":
        return _NOT_FOUND
    if tax_reference is not None:
        if tax_reference.endswith("0000"):
            return Failure("taxpayer_not_bound", "The self-employed person is not bound")
        if tax_reference.endswith("9999"):
            return Failure(
                "taxpayer_income_exceeds_amount_limit", "The receipt exceeds the annual limit"
            )
    if facts.channel != "verification" and amount > wallet_balance:
        return Failure("insufficient_wallet_balance", "Not enough funds on the wallet balance")
    return None


def payment_failure(facts: Facts, amount: int) -> Failure | None:
    """How an incoming payment ends; ``None`` means it succeeds."""
    return _common(facts, amount)


def refund_declined(amount: int) -> bool:
    return amount == PROVIDER_TIMEOUT_AMOUNT
