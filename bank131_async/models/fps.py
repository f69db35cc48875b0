"""Faster Payment System (SBP): the participant banks of ``fps/banks``."""

from __future__ import annotations

from attrs import frozen

__all__ = ["FpsBank"]


@frozen(kw_only=True)
class FpsBank:
    """An FPS participant: pass ``id`` as ``bank_id`` of FPS payouts and verifications."""

    id: str
    eng_name: str | None = None
    ru_name: str | None = None
