"""Optional dependencies: a missing one is named with the extra that installs it."""

from __future__ import annotations

import importlib

from .errors import MissingExtraError

__all__ = ["require"]


def require(feature: str, extra: str, *modules: str) -> None:
    """Import ``modules`` or raise :class:`MissingExtraError` saying which extra ``feature``
    needs (instead of a bare ``ModuleNotFoundError`` from deep inside it)."""
    for module in modules:
        try:
            importlib.import_module(module)
        except ImportError as exc:
            raise MissingExtraError(
                f"{feature} needs {module!r}, which is not installed: "
                f"pip install 'bank131-async[{extra}]'",
                name=module,
            ) from exc
