"""Payouts from your escrow (nominal, ``bank.nominal``) and settlement (RKO, ``bank.rko``)
accounts at Bank 131.

    pip install 'bank131-async[mock]'
    python examples/guide_payout_escrow.py

These sessions stop at ``ready_to_confirm`` with ``confirm_information`` (the transfer and
account details); confirm passes it back unchanged. Card payouts from an account go through
the ``multi_*`` methods, which add the internal-transfer leg for you.
"""

from __future__ import annotations

import asyncio
import datetime as dt

from bank131_async import AsyncBank131
from bank131_async.mock import MockBank131
from bank131_async.models import (
    AmountDetails,
    BankCard,
    Participant,
    ParticipantDetails,
    PayoutDetails,
    Session,
)

ESCROW_ACCOUNT = "40702810000000000001"  # your nominal account at Bank 131
SETTLEMENT_ACCOUNT = "40702810000000000002"  # your settlement account at Bank 131


async def confirm_and_wait(bank: AsyncBank131, session: Session) -> Session:
    ready = await bank.sessions.wait_for_next_action(session.id, "confirm", timeout=60)
    print(f"  ready_to_confirm, confirm_information: {ready.confirm_information is not None}")
    await bank.sessions.confirm(ready.id, confirm_information=ready.confirm_information)
    return await bank.sessions.wait_for_finished(ready.id, timeout=300)


async def main() -> int:
    async with MockBank131() as mock, mock.client() as bank:
        # Escrow: to a beneficiary's bank account; the beneficiary is named by INN and must
        # have passed KYC (bank.kyc) before.
        print("escrow account -> bank account")
        escrow = await bank.nominal.init_payout(
            payout_details=PayoutDetails.from_bank_account_ru(
                bik="044525974",
                account="40817810500000000001",
                full_name="Иванов Иван Иванович",
                description="Выплата по договору 15. НДС не облагается",
            ),
            amount_details=AmountDetails(amount=10_000_00, currency="rub"),
            participant_details=ParticipantDetails(
                sender=Participant(account=ESCROW_ACCOUNT),
                recipient=Participant(beneficiary_id="500100732259"),
            ),
            idempotency_key="escrow-payout-15",
        )
        escrow = await confirm_and_wait(bank, escrow)
        print(f"  session {escrow.status}")

        # Settlement account: to a card, through the multi methods.
        print("settlement account -> card")
        rko = await bank.rko.multi_init_payment(
            payout_details=PayoutDetails.from_card(BankCard(number="4242424242424242")),
            amount_details=AmountDetails(amount=5_000_00, currency="rub"),
            participant_details=ParticipantDetails(
                sender=Participant(full_name="OOO Romashka", account=SETTLEMENT_ACCOUNT),
                recipient=Participant(full_name="Ivan Ivanov"),
            ),
            description="Выплата по договору 16",
            idempotency_key="rko-payout-16",
        )
        rko = await confirm_and_wait(bank, rko)
        print(f"  session {rko.status}")

        # The account's balance and a day's statement.
        balance = await bank.reports.account_balance(ESCROW_ACCOUNT)
        print(f"escrow balance: {balance.current_balance} kopecks ({balance.account_currency})")
        statement = await bank.reports.account_statement(ESCROW_ACCOUNT, date_from=dt.date.today())
        print(f"statement of today: {len(statement.transactions or ())} transactions")
    return 0 if escrow.status == rko.status == "accepted" else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
