"""Endpoint groups, one module per API area."""

from .sessions import SessionsResource

__all__ = ["SessionsResource"]
