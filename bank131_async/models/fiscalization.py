"""Fiscal receipts for payouts to the self-employed (professional income tax, NPD)."""

from __future__ import annotations

from attrs import frozen

from .common import AmountDetails
from .enums import PayerType

__all__ = [
    "FiscalizationDetails",
    "FiscalizationReceipt",
    "FiscalizationService",
    "ProfessionalIncomeTaxpayer",
]


@frozen(kw_only=True)
class FiscalizationService:
    """One receipt line: ``amount_details`` is the unit price; price x quantity sums to the
    payout amount over all lines."""

    name: str
    amount_details: AmountDetails
    quantity: int | None = None


@frozen(kw_only=True)
class FiscalizationReceipt:
    """The receipt registered in the tax service: its ``id`` and a ``link`` to it."""

    id: str
    link: str | None = None


@frozen(kw_only=True)
class ProfessionalIncomeTaxpayer:
    """``tax_reference`` is the self-employed person's 12-digit INN; 1 to 6 ``services``."""

    tax_reference: str
    services: tuple[FiscalizationService, ...] = ()
    payer_type: PayerType | str | None = None
    payer_tax_number: str | None = None
    payer_name: str | None = None
    receipt: FiscalizationReceipt | None = None


@frozen(kw_only=True)
class FiscalizationDetails:
    """The fiscal receipt of a payout to a self-employed person::

        FiscalizationDetails(professional_income_taxpayer=ProfessionalIncomeTaxpayer(
            tax_reference="500100732259",
            services=(FiscalizationService(name="Доставка", amount_details=amount),),
        ))

    After the payout, ``professional_income_taxpayer.receipt`` holds the receipt.
    """

    professional_income_taxpayer: ProfessionalIncomeTaxpayer | None = None
