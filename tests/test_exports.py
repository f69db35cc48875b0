"""The public surface is what ``__all__`` says, and every public model is exported."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import attrs
import pytest

import bank131_async
from bank131_async import models

PUBLIC_MODULES = [
    "bank131_async",
    "bank131_async.models",
    "bank131_async.errors",
    "bank131_async.signing",
    "bank131_async.config",
    "bank131_async.converter",
    "bank131_async.polling",
    "bank131_async.client",
    "bank131_async.mock",
    "bank131_async.resources",
    "bank131_async.webhooks",
    "bank131_async.testing",
    "bank131_async.aiohttp_transport",
    "bank131_async.response",
]


@pytest.mark.parametrize("name", PUBLIC_MODULES)
def test_every_name_in_all_exists(name: str) -> None:
    module = importlib.import_module(name)
    assert module.__all__, f"{name} has an empty __all__"
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing
    assert len(set(module.__all__)) == len(module.__all__)


def test_every_model_class_is_exported() -> None:
    for module_name in sorted(
        m.name for m in pkgutil.iter_modules(models.__path__) if not m.name.startswith("_")
    ):
        module = importlib.import_module(f"bank131_async.models.{module_name}")
        defined = {
            name
            for name, obj in vars(module).items()
            if inspect.isclass(obj)
            and obj.__module__ == module.__name__
            and not name.startswith("_")
            and (attrs.has(obj) or issubclass(obj, str))
        }
        assert defined <= set(models.__all__), defined - set(models.__all__)


def test_every_error_class_is_exported() -> None:
    from bank131_async import errors

    defined = {
        name
        for name, obj in vars(errors).items()
        if inspect.isclass(obj)
        and issubclass(obj, errors.Bank131Error)
        and obj.__module__ == errors.__name__
    }
    assert defined <= set(errors.__all__), defined - set(errors.__all__)


def test_version() -> None:
    assert bank131_async.__version__.count(".") == 2


def _public_names(module: object) -> list[str]:
    """What a module offers: its own public names (not the modules it imports)."""
    return sorted(
        name
        for name, obj in vars(module).items()
        if not name.startswith("_") and not inspect.ismodule(obj) and name != "annotations"
    )


def test_the_top_level_all_is_exactly_its_public_names() -> None:
    # As httpx's own test does: nothing public is unlisted, nothing listed is missing (the
    # order is ruff's RUF022 sort, checked by the linter).
    expected = sorted([*_public_names(bank131_async), "__version__"])
    assert sorted(bank131_async.__all__) == expected


def test_every_error_the_readme_names_is_exported_from_the_top_level() -> None:
    import re
    from pathlib import Path

    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Money safety") :]
    section = section[: section.index("\n## ", 1)]
    import builtins

    named = {n for n in re.findall(r"`([A-Z][A-Za-z]+Error)`", section) if not hasattr(builtins, n)}
    assert len(named) >= 8
    assert named <= set(bank131_async.__all__), named - set(bank131_async.__all__)


def test_every_error_the_money_safety_guide_names_is_importable() -> None:
    import re
    from pathlib import Path

    import bank131_async.errors

    guide = (Path(__file__).parents[1] / "docs/guides/errors.md").read_text(encoding="utf-8")
    table = guide[guide.index("## Each error") :]
    table = table[: table.index("\n## ", 1)]
    import builtins

    named = {n for n in re.findall(r"`([A-Z][A-Za-z]+Error)`", table) if not hasattr(builtins, n)}
    assert len(named) >= 20
    assert named <= set(bank131_async.errors.__all__), named - set(bank131_async.errors.__all__)
