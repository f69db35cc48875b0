"""Payouts to a Russian bank account, by phone through the Faster Payment System (FPS, СБП),
and to a YooMoney wallet.

    pip install 'bank131-async[mock]'
    python examples/guide_payout_accounts.py

For FPS the script first reads the list of banks, then checks that the phone is registered
in FPS at the chosen bank (free, and worth it: a payout to an unregistered phone fails).
"""

from __future__ import annotations

import asyncio

from bank131_async import AsyncBank131
from bank131_async.mock import MockBank131
from bank131_async.models import (
    AmountDetails,
    Participant,
    ParticipantDetails,
    PayoutDetails,
    Session,
)

IVAN = ParticipantDetails(
    recipient=Participant(full_name="Ivan Ivanov", first_name="Ivan", last_name="Ivanov")
)


async def pay(bank: AsyncBank131, details: PayoutDetails, amount: int, key: str) -> Session:
    session = await bank.sessions.init_payout(
        payout_details=details,
        amount_details=AmountDetails(amount=amount, currency="rub"),
        participant_details=IVAN,
        idempotency_key=key,
    )
    await bank.sessions.wait_for_next_action(session.id, "confirm", timeout=60)
    await bank.sessions.confirm(session.id)
    return await bank.sessions.wait_for_finished(session.id, timeout=300)


def show(what: str, session: Session) -> None:
    payout = session.payout_list[0]
    error = f" ({payout.error.code})" if payout.error else ""
    print(f"{what:<14} session {session.status}, payout {payout.status}{error}")


async def main() -> int:
    async with MockBank131() as mock, mock.client() as bank:
        # A Russian bank account: BIK, 20-digit account, the holder's name and the purpose.
        account = PayoutDetails.from_bank_account_ru(
            bik="044525974",
            account="40817810500000000001",
            full_name="Иванов Иван Иванович",
            description="Выплата по договору 17 от 01.06.2024. НДС не облагается",
        )
        show("bank account:", await pay(bank, account, 2_500_00, "acc-1"))

        # FPS: which banks take part; the recipient names the bank, you pass its id.
        banks = await bank.fps.banks()
        chosen = banks[0]
        print(f"fps/banks:     {len(banks)} banks, e.g. {chosen.id} {chosen.eng_name}")

        for phone in ("79001234567", "79990000000"):  # the mock does not know *0000 numbers
            check = await bank.fps.customer_verification(
                phone=phone, bank_id=chosen.id, participant_details=IVAN
            )
            check = await bank.sessions.wait_for_finished(check.id, timeout=60)
            registered = check.status == "accepted"
            print(f"fps check:     {phone} at {chosen.id}: registered={registered}")
            if registered:
                fps = PayoutDetails.from_fps(
                    phone=phone, bank_id=chosen.id, description="Возврат займа"
                )
                fps_session = await pay(bank, fps, 1_000_00, f"fps-{phone}")
                show("fps payout:", fps_session)

        # YooMoney: the wallet number.
        wallet = PayoutDetails.from_wallet("41001234567890", description="Выигрыш в конкурсе")
        wallet_session = await pay(bank, wallet, 500_00, "wallet-1")
        show("yoomoney:", wallet_session)
    return 0 if wallet_session.status == "accepted" else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
