"""The root of the error tree and the errors the models raise, below everything else.

:mod:`bank131_async.errors` re-exports them; they live here so that the models, which the rest
of the tree depends on, can raise the SDK's own errors without importing the module that
describes sessions and transport failures (no import cycle).
"""

from __future__ import annotations

from typing import Any

__all__ = ["Bank131Error", "InvalidAmountError", "RequestValidationError"]


class Bank131Error(Exception):
    """Root of every error raised by bank131_async.

    ``maybe_processed`` is the one question that matters for money, answered the same way by
    every error: ``True`` means the bank may have received *and processed* the request this
    error is about (by any of its attempts, not only the last), so money may have moved:
    reconcile (``sessions.status``, or repeat with the same idempotency key) before doing
    anything else, and never repeat the operation with a new key. ``False`` means the bank
    certainly did not process it (nothing was sent, or the bank answered with a definite no).
    """

    maybe_processed: bool = False

    def __reduce__(self) -> tuple[Any, ...]:
        # Subclasses take keyword-only arguments, which Exception's default pickling cannot
        # replay; rebuilding from args + attributes works for the whole tree (errors cross
        # process boundaries in worker pools and task queues).
        return (_restore, (type(self), self.args, dict(self.__dict__)))


def _restore(cls: type[Bank131Error], args: tuple[Any, ...], state: dict[str, Any]) -> Bank131Error:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class RequestValidationError(Bank131Error, ValueError):
    """An argument breaks a documented constraint; raised before anything is sent."""


class InvalidAmountError(RequestValidationError, TypeError):
    """An amount that is not an int of minor units (a float, a ``Decimal``, a string, a bool, a
    negative number) or a currency that is not a string. Also a ``TypeError`` and a
    ``ValueError``, what such mistakes raised before."""
