"""The one cattrs converter: every (un)structuring rule of the SDK lives here.

Rules, each applied to every model class:

* field names are the wire names; unknown response keys are ignored;
* ``None`` is never sent: optional fields left at ``None`` are omitted from request bodies;
* open enums: a field typed ``SomeEnum | str`` takes the enum member when the value is known
  and keeps the raw string when the bank sends a value we do not know yet;
* datetimes travel as ISO-8601 UTC (``2020-05-29T07:01:37.499907Z``);
* v1/v2 spellings: a field declared with ``alias(...)`` also accepts its other spelling on input
  (``payments`` -> ``payout_list``), so both API versions parse into the v2 names; on output,
  :func:`dumps` spells a request for the method it goes to (v1 ``payment_method``);
* envelopes: the bank sends ``confirm_information`` beside the ``session``; it is kept on the
  :class:`~bank131_async.models.Session` (:func:`envelope_session`, :func:`session_envelope`);
* ``raw_field()`` keeps the decoded answer a model was built from; ``extra_field()`` keys are
  merged into the object when it is sent;
* webhook events are a tagged union on ``type`` with :class:`UnknownWebhook` as the fallback.

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
from cattrs.strategies import configure_tagged_union

from ._logging import excerpt
from .models._fields import ALIASES, EXTRA, RAW, alias
from .models.sessions import Session
from .models.webhooks import NominalTopup, UnknownWebhook, WebhookEvent

__all__ = [
    "ALIASES",
    "SPELLINGS",
    "StructureError",
    "alias",
    "converter",
    "dumps",
    "dumps_json",
    "envelope_session",
    "loads",
    "session_envelope",
    "structure",
]

T = TypeVar("T")

#: The key under which :func:`structure` hands the decoded answer to a ``raw_field()``.
_RAW_KEY = "__bank131_raw__"

#: Request keys that some methods spell differently from the SDK's (v2) names. The API
#: version picks the first table; endpoints name any other (``Endpoint.spelling``).
SPELLINGS: Mapping[str, Mapping[str, str]] = {
    "v1": {"payout_details": "payment_method"},
    # The transfers methods document the participant's country as ``citizenship_country_iso3``.
    "transfers": {"citizenship_country_iso_3": "citizenship_country_iso3"},
}
# The caller's own data: never renamed.
_FREE_FORM = frozenset({"metadata", "payment_metadata"})


class StructureError(TypeError, ValueError):
    """Decoded JSON that does not fit the model. The message names where (a JSON path such as
    ``$.payout_list[0].status``) and why, redacted. (A ``TypeError`` and a ``ValueError``,
    like the hook errors it reports.)"""


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


def _structure_date(value: Any, _: type) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _strict_int(value: Any, _: type) -> int:
    # cattrs' default int hook would turn 100.7 into 100 silently; money must not be rounded.
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and value.isascii() and value.lstrip("-").isdigit():
            return int(value)
        raise TypeError(f"expected an integer, got {value!r:.40}")
    return value


def _strict_bool(value: Any, _: type) -> bool:
    if isinstance(value, bool):
        return value
    raise TypeError(f"expected true or false, got {value!r:.40}")


def _structure_str(value: Any, _: type) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        # Older examples send ids and balances as numbers; the model keeps them as text.
        return str(value)
    raise TypeError(f"expected a string, got {type(value).__name__}")


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


def _open_enum_hook(tp: Any) -> Callable[[Any, Any], Any]:
    enum_cls = _open_enum_of(tp)
    assert enum_cls is not None
    members: dict[str, Any] = {m.value: m for m in enum_cls}
    optional = type(None) in typing.get_args(tp)

    def structure(value: Any, _: Any) -> Any:
        if value is None and optional:
            return None
        if not isinstance(value, str):
            raise TypeError(f"expected a string for {enum_cls.__name__}, got {value!r:.40}")
        return members.get(value, value)

    return structure


def _str_or_model_of(tp: Any) -> type | None:
    """``str | SomeModel``: the bank sends either shape for one key."""
    other = _str_union_partner(tp)
    return other if other is not None and attrs.has(other) else None


# --------------------------------------------------------------------------- attrs classes


def _expect_mapping(value: Any, cls: type) -> None:
    if not isinstance(value, Mapping):
        raise TypeError(f"expected a JSON object for {cls.__name__}, got {value!r:.80}")


def _structure_factory(conv: cattrs.Converter) -> Callable[[type[Any]], Any]:
    def factory(cls: type[Any]) -> Callable[[Mapping[str, Any], Any], Any]:
        fields = attrs.fields(cls)
        raw: dict[str, Any] = {
            a.name: override(rename=_RAW_KEY) for a in fields if a.metadata.get(RAW)
        }
        base = make_dict_structure_fn(cls, conv, **raw)
        renames = [(a.name, n) for a in fields for n in [a.metadata.get(ALIASES)] if n]

        def structure(value: Any, tp: Any) -> Any:
            _expect_mapping(value, cls)
            for name, others in renames:
                if name not in value:
                    for other in others:
                        if other in value:
                            value = {**value, name: value[other]}
                            break
            return base(value, tp)

        return structure

    return factory


def _unstructure_factory(conv: cattrs.Converter) -> Callable[[type[Any]], Any]:
    def factory(cls: type[Any]) -> Callable[[Any], dict[str, Any]]:
        # Only "absent" defaults (None, an empty tuple) are omitted; a field with a real
        # default is always sent, so the bank never has to guess a value the SDK assumed.
        overrides: dict[str, Any] = {}
        extra = None
        for a in attrs.fields(cls):
            if a.metadata.get(RAW):
                overrides[a.name] = override(omit=True)
            elif a.metadata.get(EXTRA):
                overrides[a.name] = override(omit=True)
                extra = a.name
            else:
                overrides[a.name] = override(omit_if_default=a.default is None or a.default == ())
        base = make_dict_unstructure_fn(cls, conv, **overrides)
        if extra is None:
            return base
        name = extra

        def with_extra(obj: Any) -> dict[str, Any]:
            out = base(obj)
            out.update(getattr(obj, name) or {})
            return out

        return with_extra

    return factory


# --------------------------------------------------------------------------- envelopes


def _with_confirm_information(envelope: Mapping[str, Any]) -> Any:
    """The envelope's ``session`` with the ``confirm_information`` sent beside it moved in."""
    session = envelope.get("session")
    info = envelope.get("confirm_information")
    if isinstance(session, Mapping) and isinstance(info, Mapping):
        session = {**session, "confirm_information": info}
    return session


def _lenient_session(value: Any, _: Any) -> Session | None:
    """An undocumented body's ``session``: parsed when it is session-shaped, else ``None``."""
    if not isinstance(value, Mapping):
        return None
    try:
        return converter.structure(value, Session)
    except Exception:
        return None


def _webhook_hook(conv: cattrs.Converter, cls: type[Any]) -> Callable[[Any, Any], Any]:
    fields = attrs.fields_dict(cls)
    overrides: dict[str, Any] = {"raw": override(rename=_RAW_KEY)}
    if cls in (NominalTopup, UnknownWebhook):
        overrides["session"] = override(struct_hook=_lenient_session)
    base = make_dict_structure_fn(cls, conv, **overrides)
    has_info = "confirm_information" in fields

    def structure(value: Any, tp: Any) -> Any:
        _expect_mapping(value, cls)
        data = {**value, "session": _with_confirm_information(value), _RAW_KEY: value}
        if not has_info:
            data.pop("confirm_information", None)
        return base(data, tp)

    return structure


def _webhook_tag(cls: type[Any]) -> str:
    default = attrs.fields_dict(cls)["type"].default
    return default if isinstance(default, str) else cls.__name__


# --------------------------------------------------------------------------- the converter


def _configure(conv: cattrs.Converter) -> cattrs.Converter:
    conv.register_structure_hook(datetime, _structure_datetime)
    conv.register_unstructure_hook(datetime, _unstructure_datetime)
    conv.register_structure_hook(date, _structure_date)
    conv.register_unstructure_hook(date, lambda v: v.isoformat())
    conv.register_structure_hook(int, _strict_int)
    # bool is an int subclass: without its own hook it would be dispatched to the int hook.
    conv.register_structure_hook(bool, _strict_bool)
    conv.register_structure_hook(str, _structure_str)
    conv.register_structure_hook_factory(lambda tp: _open_enum_of(tp) is not None, _open_enum_hook)

    def str_or_model(tp: Any) -> Callable[[Any, Any], Any]:
        model = _str_or_model_of(tp)

        def structure(value: Any, _: Any) -> Any:
            if value is None or isinstance(value, str):
                return value
            return conv.structure(value, model)  # type: ignore[arg-type]

        return structure

    conv.register_structure_hook_factory(lambda tp: _str_or_model_of(tp) is not None, str_or_model)
    conv.register_structure_hook_factory(attrs.has, _structure_factory(conv))
    conv.register_unstructure_hook_factory(attrs.has, _unstructure_factory(conv))
    conv.register_unstructure_hook(enum.Enum, lambda e: e.value)
    for member in typing.get_args(WebhookEvent):
        conv.register_structure_hook(member, _webhook_hook(conv, member))
    configure_tagged_union(
        WebhookEvent, conv, tag_generator=_webhook_tag, tag_name="type", default=UnknownWebhook
    )
    return conv


#: The converter: structure responses, unstructure requests.
converter = _configure(cattrs.Converter(forbid_extra_keys=False, detailed_validation=False))
# The same rules with detailed validation: slower, used only to say where a failure is.
_explaining = _configure(cattrs.Converter(forbid_extra_keys=False, detailed_validation=True))


# --------------------------------------------------------------------------- structure


def structure(data: Any, cls: type[T], *, raw: Mapping[str, Any] | None = None) -> T:
    """Structure decoded JSON into ``cls``; a ``raw_field()`` of ``cls`` gets ``raw``.

    Raises :class:`StructureError` naming the failing field's path, redacted.
    """
    if raw is not None and isinstance(data, Mapping):
        data = {**data, _RAW_KEY: raw}
    try:
        return converter.structure(data, cls)
    except Exception as exc:  # cattrs raises a family of types; none may escape the SDK
        raise StructureError(_explain(data, cls, exc)) from None


def _explain(data: Any, cls: type[Any], first: Exception) -> str:
    try:
        _explaining.structure(data, cls)
    except Exception as exc:
        messages = cattrs.transform_error(exc, path="$", format_exception=_format)
        shown = "; ".join(m.replace(f"{_RAW_KEY}", "raw") for m in messages[:3])
        more = f" (and {len(messages) - 3} more)" if len(messages) > 3 else ""
        return excerpt(shown + more, 400)
    if isinstance(first, KeyError) and first.args:
        return f"missing required field {first.args[0]!r}"
    return excerpt(str(first) or type(first).__name__, 400)


def _format(exc: BaseException, _: type | None) -> str:
    if isinstance(exc, KeyError):
        return "required field missing"
    return str(exc) or type(exc).__name__


def loads(data: bytes | str, cls: type[T]) -> T:
    """Parse JSON bytes into ``cls``."""
    return structure(json.loads(data), cls)


def envelope_session(envelope: Mapping[str, Any]) -> Any:
    """The session data of a ``{status, session, confirm_information?}`` answer, with the
    ``confirm_information`` the bank sends beside it moved in (structure it as a Session)."""
    return _with_confirm_information(envelope)


def session_envelope(session: Session) -> dict[str, Any]:
    """The inverse of :func:`envelope_session`: ``{"session": ..., "confirm_information":
    ...}`` as the bank sends them (for webhooks built in tests)."""
    data = converter.unstructure(session)
    info = data.pop("confirm_information", None)
    out: dict[str, Any] = {"session": data}
    if info is not None:
        out["confirm_information"] = info
    return out


# --------------------------------------------------------------------------- bytes


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), check_circular=False).encode


def dumps_json(value: Any) -> bytes:
    """Compact UTF-8 JSON of already unstructured data (dicts, lists, scalars)."""
    return _encode(value).encode("utf-8")


def dumps(obj: Any, *, api_version: str = "v2", spelling: str | None = None) -> bytes:
    """Serialise a model (or a request dict of models) to the exact bytes that are signed and sent.

    Model fields left at ``None`` are omitted by the unstructure hooks; top-level ``None``
    values of a request dict are dropped here. The keys are spelled for ``api_version`` (v1:
    ``payment_method`` for ``payout_details``) and the endpoint's ``spelling`` (see
    :data:`SPELLINGS`). Values inside free-form ``metadata`` are the caller's data and are
    sent as given.
    """
    data = converter.unstructure(obj)
    if isinstance(data, dict):
        data = {k: v for k, v in data.items() if v is not None}
    renames = {**SPELLINGS.get(api_version, {}), **SPELLINGS.get(spelling or "", {})}
    if renames:
        data = _rename(data, renames)
    return dumps_json(data)


def _rename(value: Any, renames: Mapping[str, str]) -> Any:
    if isinstance(value, dict):
        return {
            renames.get(k, k): (v if k in _FREE_FORM else _rename(v, renames))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_rename(v, renames) for v in value]
    return value
