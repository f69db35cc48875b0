"""Payouts to self-employed people (НПД) with the fiscal receipt the tax service requires.

    pip install 'bank131-async[mock]'
    python examples/guide_payout_self_employed.py

1. Check the person: is the INN registered as self-employed, and has the person linked
   Bank 131 as a partner in the tax service's app ("bound")? Linking is done by the person,
   in the bank's self-employed widget, for which your server issues a public token.
2. Pay out with fiscalization: the receipt's services must add up to the payout amount.
3. Read the receipt (its id and link) from the finished session.
"""

from __future__ import annotations

import asyncio

from bank131_async import AsyncBank131
from bank131_async.mock import MockBank131
from bank131_async.models import (
    AmountDetails,
    BankCard,
    FiscalizationDetails,
    FiscalizationService,
    Participant,
    ParticipantDetails,
    PayoutDetails,
    ProfessionalIncomeTaxpayer,
    SelfEmployedWidget,
    Session,
)


async def can_be_paid(bank: AsyncBank131, inn: str) -> bool:
    check = await bank.self_employed.check(inn)  # starts a check at the tax service
    for _ in range(30):  # the answer comes asynchronously
        result = await bank.self_employed.request_status(check.request_id)
        if result.is_self_employed is not None:
            print(f"{inn}: self-employed={result.is_self_employed} bound={result.is_bound}")
            return bool(result.is_self_employed and result.is_bound)
        await asyncio.sleep(1)
    raise TimeoutError(f"no answer for the check of {inn}")


async def pay_with_receipt(bank: AsyncBank131, inn: str, key: str) -> Session:
    receipt = FiscalizationDetails(
        professional_income_taxpayer=ProfessionalIncomeTaxpayer(
            tax_reference=inn,
            services=(
                FiscalizationService(
                    name="Курьерская доставка",
                    amount_details=AmountDetails(amount=1_500_00, currency="rub"),
                    quantity=2,
                ),
            ),
        )
    )
    session = await bank.sessions.init_payout_with_fiscalization(
        payout_details=PayoutDetails.from_card(BankCard(number="4242424242424242")),
        amount_details=AmountDetails(amount=3_000_00, currency="rub"),  # 2 x 1,500.00
        fiscalization_details=receipt,
        participant_details=ParticipantDetails(recipient=Participant(full_name="Ivan Ivanov")),
        idempotency_key=key,
    )
    await bank.sessions.wait_for_next_action(session.id, "confirm", timeout=60)
    await bank.sessions.confirm(session.id)
    return await bank.sessions.wait_for_finished(session.id, timeout=300)


async def main() -> int:
    async with MockBank131() as mock, mock.client() as bank:
        # The token for the self-employed widget (the person links Bank 131 there).
        token = await bank.tokens.issue(
            self_employed_widget=SelfEmployedWidget(tax_reference="500100732259")
        )
        print(f"widget token for linking: {token[:8]}...")

        paid = None
        for inn in ("500100732259", "500100730000"):  # the mock: *0000 has not linked the bank
            if not await can_be_paid(bank, inn):
                print(f"{inn}: not payable yet: ask the person to link Bank 131 in the widget")
                continue
            paid = await pay_with_receipt(bank, inn, f"npd-{inn}-2024-06")
            payout = paid.payout_list[0]
            fiscal = payout.fiscalization_details
            taxpayer = fiscal.professional_income_taxpayer if fiscal else None
            receipt = taxpayer.receipt if taxpayer else None
            print(f"{inn}: payout {payout.status}, receipt {receipt and receipt.id}")
            print(f"{inn}: receipt link {receipt and receipt.link}")
    return 0 if paid is not None and paid.status == "accepted" else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
