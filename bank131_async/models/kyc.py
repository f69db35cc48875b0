"""Passport / beneficiary verification (KYC, ``endpoints.md`` §11) on the KYC host.

Requests: :class:`KycCheckV2` (``/api/v2.0/check``, recommended) and :class:`KycCheckV1`
(``/api/v1.1/check``, frozen, residents only). The bank's field tables are only partly
published, so both take ``extra``: further documented fields (agent contract, registration
address, ...) merged into the payload as given. Dates are ``DD.MM.YYYY`` on the wire; a
``datetime.date`` is converted. The e-mail key is spelled ``email`` (the tables show
"e-mail"; pass ``extra={"e-mail": ...}`` if your manager says otherwise).

Results keep the whole answer in ``raw``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from enum import StrEnum
from typing import Any

import attrs
from attrs import frozen

from ._fields import extra_field, raw_field

__all__ = [
    "KycCheckResult",
    "KycCheckV1",
    "KycCheckV2",
    "KycDocument",
    "KycParticipant",
    "KycPersonType",
    "KycStatus",
    "KycVerification",
]


def kyc_date(value: date | str | None) -> str | None:
    """``date(1990, 5, 17)`` -> ``"17.05.1990"``; strings pass unchanged."""
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return value


def _documents(value: Iterable[KycDocument]) -> tuple[KycDocument, ...]:
    return tuple(value)


def _pii(value: object) -> str:
    return "None" if value is None else "'***'"


class KycPersonType(StrEnum):
    """Who is verified: a resident individual (``FL_RESIDENT``) or a non-resident one
    (``FL_NONRESIDENT``)."""

    FL_RESIDENT = "FL_RESIDENT"
    FL_NONRESIDENT = "FL_NONRESIDENT"


class KycStatus(StrEnum):
    """The status of a KYC check."""

    #: Verified ("valid").
    OK = "ok"
    #: Still being checked (10 minutes to 2 days): poll again later.
    PENDING = "pending"
    ERROR = "error"


@frozen(kw_only=True)
class KycDocument:
    """An identity document of a v2.0 check (``PASSPORT_RF`` for residents;
    ``FOREIGN_PASSPORT`` plus another document for non-residents).

    The per-document fields are not published; these are the plausible ones, and ``extra``
    carries any other field as given.
    """

    type: str
    series: str | None = attrs.field(default=None, repr=_pii)
    number: str | None = attrs.field(default=None, repr=_pii)
    issue_date: str | None = attrs.field(default=None, converter=kyc_date)
    issuer: str | None = None
    issuer_code: str | None = None
    expiration_date: str | None = attrs.field(default=None, converter=kyc_date)
    extra: Mapping[str, Any] | None = extra_field()


@frozen(kw_only=True)
class KycCheckV2:
    """Body of ``POST /api/v2.0/check`` (without ``signature``, which the SDK adds)."""

    type: KycPersonType | str
    last_name: str
    first_name: str
    birthday: str = attrs.field(converter=kyc_date, repr=_pii)
    birthplace: str = attrs.field(repr=_pii)
    #: ISO 3166-1 alpha-2, e.g. ``"RU"``.
    citizenship: str
    inn: str = attrs.field(repr=_pii)
    phone_number: str = attrs.field(repr=_pii)
    email: str = attrs.field(repr=_pii)
    documents: tuple[KycDocument, ...] = attrs.field(converter=_documents)
    patronymic: str | None = None
    #: Further documented fields, merged into the payload as given (not in ``repr``).
    extra: Mapping[str, Any] | None = extra_field()


@frozen(kw_only=True)
class KycCheckV1:
    """Body of ``POST /api/v1.1/check`` (legacy, residents only; without ``signature``).

    Defaults are the literal values the old docs prescribe for the common case.
    """

    first_name: str
    last_name: str
    birthday: str = attrs.field(converter=kyc_date, repr=_pii)
    birthplace: str = attrs.field(repr=_pii)
    inn: str = attrs.field(repr=_pii)
    passport_number: str = attrs.field(repr=_pii)
    issuer: str
    issuer_code: str
    issuer_date: str = attrs.field(converter=kyc_date)
    postcode: str = attrs.field(repr=_pii)
    address: str = attrs.field(repr=_pii)
    phone_number: str = attrs.field(repr=_pii)
    email: str = attrs.field(repr=_pii)
    agent_contract_number: str
    agent_contract_date: str = attrs.field(converter=kyc_date)
    patronymic: str | None = None
    identity_document: str = "Паспорт гражданина РФ"
    citizenship: str = "РФ"
    beneficial_owners: str = "ВБ отсутствует"
    public_officials: str = "Нет"
    migration_card: str = "-"
    right_to_stay_in_rf: str = "-"
    extra: Mapping[str, Any] | None = extra_field()


@frozen(kw_only=True)
class KycCheckResult:
    """The answer of ``check``: the id to poll with ``kyc.status(id)``."""

    id: str
    status: KycStatus | str = KycStatus.OK
    raw: Mapping[str, Any] = raw_field()


@frozen(kw_only=True)
class KycParticipant:
    """The person a KYC check is about (your ``reference``)."""

    reference: str | None = None


@frozen(kw_only=True)
class KycVerification:
    """The answer of ``check/{id}`` when it is ``ok`` or ``pending`` (``error`` raises)."""

    id: str
    status: KycStatus | str
    description: str | None = None
    participant: KycParticipant | None = None
    raw: Mapping[str, Any] = raw_field()

    @property
    def is_verified(self) -> bool:
        """The person is verified (status ``ok``)."""
        return self.status == KycStatus.OK

    @property
    def is_pending(self) -> bool:
        """The check goes on (status ``pending``): ask again later."""
        return self.status == KycStatus.PENDING
