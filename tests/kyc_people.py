"""People to send for KYC checks: a resident (v2.0) and the legacy v1.1 form."""

from __future__ import annotations

from datetime import date
from typing import Any

from bank131_async.models import KycCheckV1, KycCheckV2, KycDocument

__all__ = ["legacy", "person"]


def person(
    *, inn: str = "500100732259", series: str = "4510", number: str = "123456", **fields: Any
) -> KycCheckV2:
    """A resident with a passport; ``fields`` override any other field."""
    values: dict[str, Any] = {
        "type": "FL_RESIDENT",
        "last_name": "Иванов",
        "first_name": "Иван",
        "birthday": date(1990, 5, 17),
        "birthplace": "Казань",
        "citizenship": "RU",
        "phone_number": "79001234567",
        "email": "ivan@example.com",
        "documents": [KycDocument(type="PASSPORT_RF", series=series, number=number)],
    }
    values.update(fields)
    return KycCheckV2(inn=inn, **values)


def legacy(*, inn: str = "500100732259", **fields: Any) -> KycCheckV1:
    """The v1.1 form of the same person; ``fields`` override any field."""
    values: dict[str, Any] = {
        "first_name": "Ivan",
        "last_name": "Ivanov",
        "birthday": "17.05.1990",
        "birthplace": "Kazan",
        "passport_number": "4510123456",
        "issuer": "MVD",
        "issuer_code": "770-001",
        "issuer_date": date(2010, 6, 1),
        "postcode": "420000",
        "address": "Kazan, Lenina 1",
        "phone_number": "79001234567",
        "email": "ivan@example.com",
        "agent_contract_number": "AC-15",
        "agent_contract_date": "01.02.2024",
    }
    values.update(fields)
    return KycCheckV1(inn=inn, **values)
