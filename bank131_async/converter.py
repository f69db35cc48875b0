"""The one cattrs converter: every (un)structuring rule of the SDK lives here.

Rules, each applied to every model class:

* field names are the wire names; unknown response keys are ignored;
* ``None`` is never sent: optional fields left at ``None`` are omitted from request bodies;
* open enums: a field typed ``SomeEnum | str`` takes the enum member when the value is known
  and keeps the raw string when the bank sends a value we do not know yet;
* datetimes travel as ISO-8601 UTC (``2020-05-29T07:01:37.499907Z``);
* v1/v2 spellings: a field declared with ``alias(...)`` metadata also accepts its other
  spelling on input (``payments`` -> ``payout_list``), so both API versions parse into v2 names.

>>> from bank131_async.models import AmountDetails
>>> dumps(AmountDetails(amount=10_000, currency="rub"))
b'{"amount":10000,"currency":"rub"}'
"""

from __future__ import annotations

import enum
import json
import types
import typing
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any, TypeVar

import attrs
import cattrs
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn, override

__all__ = ["ALIASES", "alias", "converter", "dumps", "dumps_json", "loads", "structure"]

T = TypeVar("T")

#: Metadata key naming the other spellings a field accepts on input.
ALIASES = "bank131_aliases"


def alias(*names: str) -> dict[str, tuple[str, ...]]:
    """Field metadata: ``attrs.field(metadata=alias("payments"))``."""
    return {ALIASES: names}


converter = cattrs.Converter(forbid_extra_keys=False, detailed_validation=False)


# --------------------------------------------------------------------------- scalars


def _structure_datetime(value: Any, _: type) -> datetime:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO-8601 string, got {type(value).__name__}")
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _unstructure_datetime(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.replace(tzinfo=None).isoformat() + "Z"


converter.register_structure_hook(datetime, _structure_datetime)
converter.register_unstructure_hook(datetime, _unstructure_datetime)
converter.register_structure_hook(
    date, lambda v, _: v if isinstance(v, date) else date.fromisoformat(v)
)
converter.register_unstructure_hook(date, lambda v: v.isoformat())


def _strict_int(value: Any, _: type) -> int:
    # cattrs' default int hook would turn 100.7 into 100 silently; money must not be rounded.
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.isascii() and value.lstrip("-").isdigit():
            return int(value)
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def _strict_bool(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    raise TypeError(f"expected true or false, got {value!r}")


converter.register_structure_hook(int, _strict_int)
# bool is an int subclass: without its own hook it would be dispatched to the int hook.
converter.register_structure_hook(bool, _strict_bool)


def _structure_str(value: Any, _: type) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Older examples send ids and balances as numbers; the model keeps them as text.
        return str(value)
    raise TypeError(f"expected a string, got {type(value).__name__}")


converter.register_structure_hook(str, _structure_str)


# --------------------------------------------------------------------------- X | str unions


def _str_union_partner(tp: Any) -> Any:
    """``X | str`` (either order, optionally ``| None``) -> ``X``; anything else -> ``None``."""
    if typing.get_origin(tp) not in (typing.Union, types.UnionType):
        return None
    args = [a for a in typing.get_args(tp) if a is not type(None)]
    if len(args) != 2 or str not in args:
        return None
    (other,) = [a for a in args if a is not str]
    return other


def _open_enum_of(tp: Any) -> type[enum.Enum] | None:
    """Open enums: ``SomeEnum | str`` -> ``SomeEnum``."""
    other = _str_union_partner(tp)
    if isinstance(other, type) and issubclass(other, enum.Enum) and issubclass(other, str):
        return other
    return None


def _make_open_enum_hook(tp: Any) -> Callable[[Any, Any], Any]:
    enum_cls = _open_enum_of(tp)
    assert enum_cls is not None
    members: dict[str, Any] = {m.value: m for m in enum_cls}
    optional = type(None) in typing.get_args(tp)

    def structure(value: Any, _: Any) -> Any:
        if value is None and optional:
            return None
        if not isinstance(value, str):
            raise TypeError(f"expected a string for {enum_cls.__name__}, got {value!r}")
        return members.get(value, value)

    return structure


converter.register_structure_hook_factory(
    lambda tp: _open_enum_of(tp) is not None, _make_open_enum_hook
)


def _str_or_model_of(tp: Any) -> type | None:
    """``str | SomeModel``: the bank sends either shape for one key."""
    other = _str_union_partner(tp)
    return other if other is not None and attrs.has(other) else None


def _make_str_or_model_hook(tp: Any) -> Callable[[Any, Any], Any]:
    model = _str_or_model_of(tp)

    def structure(value: Any, _: Any) -> Any:
        if value is None or isinstance(value, str):
            return value
        return converter.structure(value, model)  # type: ignore[arg-type]

    return structure


converter.register_structure_hook_factory(
    lambda tp: _str_or_model_of(tp) is not None, _make_str_or_model_hook
)


# --------------------------------------------------------------------------- attrs classes


def _structure_factory(cls: type[Any]) -> Callable[[Mapping[str, Any], Any], Any]:
    base = make_dict_structure_fn(cls, converter)
    renames = [
        (a.name, names) for a in attrs.fields(cls) for names in [a.metadata.get(ALIASES)] if names
    ]
    if not renames:

        def checked(value: Any, tp: Any) -> Any:
            if not isinstance(value, Mapping):
                raise TypeError(f"expected a JSON object for {cls.__name__}, got {value!r:.80}")
            return base(value, tp)

        return checked

    def with_aliases(value: Any, tp: Any) -> Any:
        if not isinstance(value, Mapping):
            raise TypeError(f"expected a JSON object for {cls.__name__}, got {value!r:.80}")
        for name, others in renames:
            if name not in value:
                for other in others:
                    if other in value:
                        value = {**value, name: value[other]}
                        break
        return base(value, tp)

    return with_aliases


def _unstructure_factory(cls: type[Any]) -> Callable[[Any], dict[str, Any]]:
    # Only "absent" defaults (None, an empty tuple) are omitted; a field with a real default
    # is always sent, so the bank never has to guess a value the SDK assumed.
    overrides: dict[str, Any] = {
        a.name: override(omit_if_default=a.default is None or a.default == ())
        for a in attrs.fields(cls)
    }
    return make_dict_unstructure_fn(cls, converter, **overrides)


converter.register_structure_hook_factory(attrs.has, _structure_factory)
converter.register_unstructure_hook_factory(attrs.has, _unstructure_factory)
converter.register_unstructure_hook(enum.Enum, lambda e: e.value)


# --------------------------------------------------------------------------- bytes


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def dumps_json(value: Any) -> bytes:
    """Compact UTF-8 JSON of already unstructured data (dicts, lists, scalars)."""
    return _encode(value).encode("utf-8")


def dumps(obj: Any) -> bytes:
    """Serialise a model (or a request dict of models) to the exact bytes that are signed and sent.

    Model fields left at ``None`` are omitted by the unstructure hooks; top-level ``None``
    values of a request dict are dropped here. Values inside free-form ``metadata`` are the
    caller's data and are sent as given.
    """
    data = converter.unstructure(obj)
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if v is not None}
    return dumps_json(data)


def structure(data: Any, cls: type[T]) -> T:
    """Structure decoded JSON into ``cls`` (errors are the converter's; the transport maps them)."""
    return converter.structure(data, cls)


def loads(data: bytes | str, cls: type[T]) -> T:
    """Parse JSON bytes into ``cls``."""
    return converter.structure(json.loads(data), cls)
