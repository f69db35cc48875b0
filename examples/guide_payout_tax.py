"""Tax payments to the Federal Tax Service: the full form (every requisite) and the short one
(only the period).

    pip install 'bank131-async[mock]'
    python examples/guide_payout_tax.py
"""

from __future__ import annotations

import asyncio

from bank131_async import AsyncBank131, RequestValidationError
from bank131_async.mock import MockBank131
from bank131_async.models import (
    AmountDetails,
    PayoutDetails,
    Session,
    TaxDetails,
    TaxParty,
    TaxPeriod,
)

FULL = PayoutDetails.from_tax_full(
    uin="0",  # the payment's unique identifier, "0" when there is none
    description="НДФЛ за февраль 2024",
    tax_details=TaxDetails(
        kbk="18210102010011000110",  # budget classification code, 20 digits
        oktmo="45382000",  # territory code, 8 or 11 digits
        payment_reason="ТП",  # current-year payment
        period="МС.02.2024",  # month 02 of 2024
        document_number="0",
        document_date="0",
    ),
    payer=TaxParty(inn="7707083893", kpp="770701001"),
    payee=TaxParty(
        name="Federal Treasury",
        inn="7727406020",
        kpp="770801001",
        bik="024501901",
        account="03100643000000018500",  # treasury account
        account_eks="40102810445370000059",  # single treasury account (ЕКС)
    ),
)

SHORT = PayoutDetails.from_tax_short(period=TaxPeriod(type="month", number=2, year="2024"))


async def pay(bank: AsyncBank131, details: PayoutDetails, key: str) -> Session:
    session = await bank.sessions.init_payout(
        payout_details=details,
        amount_details=AmountDetails(amount=13_000_00, currency="rub"),
        idempotency_key=key,
    )
    await bank.sessions.wait_for_next_action(session.id, "confirm", timeout=60)
    await bank.sessions.confirm(session.id)
    return await bank.sessions.wait_for_finished(session.id, timeout=300)


async def main() -> int:
    async with MockBank131() as mock, mock.client() as bank:
        full = await pay(bank, FULL, "tax-full-2024-02")
        print(f"tax_full:  session {full.status}, payout {full.payout_list[0].status}")
        short = await pay(bank, SHORT, "tax-short-2024-02")
        print(f"tax_short: session {short.status}, payout {short.payout_list[0].status}")

        # Documented formats are checked before anything is sent:
        try:
            await bank.sessions.init_payout(
                payout_details=PayoutDetails.from_tax_full(
                    uin="0",
                    description="x",
                    tax_details=TaxDetails(kbk="1821", oktmo="45382000"),
                    payer=TaxParty(inn="7707083893"),
                    payee=TaxParty(inn="7727406020"),
                ),
                amount_details=AmountDetails(amount=100, currency="rub"),
            )
        except RequestValidationError as exc:
            print(f"RequestValidationError (nothing sent): {exc}")
        else:
            return 1
    return 0 if full.status == short.status == "accepted" else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
