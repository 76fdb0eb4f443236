"""Decoding stored checkpoint values without running code from the store.

LangGraph's serializer revives stored objects by importing the module named in the
data and calling it, so reading an untrusted store that way runs code. Here every
stored object becomes a plain structure that keeps its type name::

    {"__type__": "langchain_core.messages.ai.AIMessage", "content": ..., ...}

Nothing is imported. ``decode_full`` is the opt-in path through LangGraph's own
serializer, for stores the user trusts or when the user supplied the graph; its
``to_plain`` gives revived objects the same shapes, so ``--decode full`` shows at least
what the default shows.

How values are shown (the ``--json`` encoding of state values, both decoders):

- an object (pydantic model, dataclass, namedtuple, LangChain message, exception, …):
  ``{"__type__": "module.Class", <its fields>}``;
- ``bytes`` / ``bytearray``: ``{"__type__": "bytes", "size": n, "base64": "..."}``
  (standard base64, RFC 4648); beyond ``BYTES_SHOWN`` (64 KiB) only the first 64 KiB
  are encoded and ``"truncated": true`` is added. A ``bytearray`` inside a value is
  stored as bytes and shown as ``"bytes"``;
- ``set`` / ``frozenset``: ``{"__type__": "builtins.set" | "builtins.frozenset",
  "value": [members]}``, members sorted (strings and numbers natively, anything else
  by its JSON text) so that the same set reads the same whatever the writer's hash seed;
  ``collections.deque``: ``{"__type__": "collections.deque", "value": [...]}`` in order;
- ``tuple``: a list (msgpack keeps no difference between tuples and lists);
- ``datetime``, ``date``, ``time``: ``{"__type__": "datetime.datetime", "value":
  "<isoformat>"}`` (aware values keep their offset); ``timedelta``: ``"value"`` as
  ``str(td)`` plus ``"seconds"`` (total seconds); ``timezone``: its name (``UTC+05:30``);
  ``zoneinfo.ZoneInfo``: its key;
- ``UUID``, ``Decimal``, ``ipaddress`` values, paths: ``"value"`` as their ``str()``;
  ``re.Pattern``: ``"pattern"`` and ``"flags"``;
- ``Enum`` members: ``"value"`` (full decoding adds ``"name"``);
- pydantic ``SecretStr`` / ``SecretBytes``: ``"value": "**********"`` (never the secret);
- values never decoded: ``{"__type__": "pickle" | "unknown:<type>", "size": n}``,
  ``{"__type__": "undecodable", "error": ...}`` for a damaged value.
"""

from __future__ import annotations

import base64
import datetime as _dt
import enum
import json
import re
from collections import deque
from typing import Any

import ormsgpack

TYPE_KEY = "__type__"

#: Bytes values are shown as base64 of at most this many leading bytes.
BYTES_SHOWN = 64 * 1024

# Extension codes of langgraph.checkpoint.serde.jsonplus (stable on disk).
_EXT_CONSTRUCTOR_SINGLE_ARG = 0
_EXT_CONSTRUCTOR_POS_ARGS = 1
_EXT_CONSTRUCTOR_KW_ARGS = 2
_EXT_METHOD_SINGLE_ARG = 3
_EXT_PYDANTIC_V1 = 4
_EXT_PYDANTIC_V2 = 5
_EXT_NUMPY_ARRAY = 6
_EXT_DELTA_SNAPSHOT = 7

_OPT = ormsgpack.OPT_NON_STR_KEYS

_SET_TYPES = frozenset(("builtins.set", "builtins.frozenset"))
_SECRET = "**********"
_SECRET_TYPES = frozenset(
    (
        ("pydantic.types", "SecretStr"),
        ("pydantic.types", "SecretBytes"),
        ("pydantic.v1.types", "SecretStr"),
        ("pydantic.v1.types", "SecretBytes"),
    )
)
_DELTA_SNAPSHOT = "langgraph.delta_snapshot"
# msgpack's bin markers: without one of these bytes in a blob, it holds no bytes value.
_BIN_MARKERS = (b"\xc4", b"\xc5", b"\xc6")


# -- shapes shared by both decoders ---------------------------------------------------


def bytes_view(data: bytes | bytearray | memoryview, type_: str = "bytes") -> dict[str, Any]:
    """A bytes value as plain data: its size and base64 of (at most) its first 64 KiB."""
    raw = bytes(data[:BYTES_SHOWN])
    view: dict[str, Any] = {TYPE_KEY: type_, "size": len(data), "base64": base64.b64encode(raw).decode("ascii")}
    if len(data) > BYTES_SHOWN:
        view["truncated"] = True
    return view


def _member_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, (bool, int, float)):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (3, json.dumps(value, sort_keys=True, default=repr, separators=(",", ":")))


_NUMBERS = (int, float, bool)


def _sorted_members(members: list[Any]) -> list[Any]:
    """Set members in an order that does not depend on the hash seed: natively for all
    strings or all numbers, else by kind and JSON text. (Trying a native sort first would
    not do: whether it meets an unorderable pair depends on the order it starts from.)"""
    if all(type(m) is str for m in members) or all(type(m) in _NUMBERS for m in members):
        return sorted(members)
    return sorted(members, key=_member_key)


def set_view(type_: str, members: list[Any]) -> dict[str, Any]:
    """A set as plain data: its type name and its members in a hash-seed-free order."""
    return {TYPE_KEY: type_, "value": _sorted_members(members)}


_set_view = set_view


# Standard-library values shown as their str(), by module and class (subclasses too).
_STR_MODULES = frozenset(("uuid", "decimal", "_decimal", "pathlib", "ipaddress"))
_STR_CLASSES = frozenset(
    (
        "uuid.UUID",
        "decimal.Decimal",
        "_decimal.Decimal",
        "pathlib.PurePath",
        "ipaddress.IPv4Address",
        "ipaddress.IPv6Address",
        "ipaddress.IPv4Network",
        "ipaddress.IPv6Network",
        "ipaddress.IPv4Interface",
        "ipaddress.IPv6Interface",
    )
)


def _stdlib_view(value: Any) -> dict[str, Any] | None:
    """The plain shape of a standard-library value, or None for anything else."""
    cls = type(value)
    name = f"{cls.__module__}.{cls.__name__}"
    if isinstance(value, _dt.datetime | _dt.date | _dt.time):
        return {TYPE_KEY: name, "value": value.isoformat()}
    if isinstance(value, _dt.timedelta):
        return {TYPE_KEY: name, "value": str(value), "seconds": value.total_seconds()}
    if isinstance(value, _dt.timezone):
        return {TYPE_KEY: name, "value": value.tzname(None)}
    # Known by name, so that the listing path does not import uuid, pathlib or ipaddress.
    if cls.__module__ in _STR_MODULES and any(f"{c.__module__}.{c.__name__}" in _STR_CLASSES for c in cls.__mro__):
        return {TYPE_KEY: name, "value": str(value)}
    if isinstance(value, re.Pattern):
        return {TYPE_KEY: "re.Pattern", "pattern": value.pattern, "flags": value.flags}
    if cls.__module__ == "zoneinfo" and cls.__name__ == "ZoneInfo":
        return {TYPE_KEY: name, "value": value.key}
    return None


def _mark_bytes(value: Any) -> Any:
    """``value`` with every bytes object in it replaced by its ``bytes_view``, in place:
    the decoder's own fresh containers, walked without copying them."""
    if type(value) in (bytes, bytearray):
        return bytes_view(value)
    pending = [value]
    while pending:
        node = pending.pop()
        if type(node) is dict:
            for key, item in node.items():
                kind = type(item)
                if kind is dict or kind is list:
                    pending.append(item)
                elif kind is bytes or kind is bytearray:
                    node[key] = bytes_view(item)  # replacing a value keeps the dict's size
        elif type(node) is list:
            for index, item in enumerate(node):
                kind = type(item)
                if kind is dict or kind is list:
                    pending.append(item)
                elif kind is bytes or kind is bytearray:
                    node[index] = bytes_view(item)
    return value


# -- the safe decoder -----------------------------------------------------------------


def _unpack(data: bytes) -> Any:
    return ormsgpack.unpackb(data, ext_hook=_safe_ext_hook, option=_OPT)


def _typed(module: str, name: str, fields: dict[str, Any]) -> dict[str, Any]:
    # Fields are a dict, not keywords: stored objects have fields named "module" or "name".
    return {TYPE_KEY: f"{module}.{name}", **fields}


def _object_ext_hook(code: int, data: bytes) -> Any:
    # Nested inside a time or a timezone: the few standard tzinfo parts as real objects.
    payload = ormsgpack.unpackb(data, ext_hook=_object_ext_hook, option=_OPT)
    if isinstance(payload, list) and len(payload) >= 3:
        try:
            key = (payload[0], payload[1])
            if key == ("datetime", "timedelta"):
                return _dt.timedelta(*payload[2])
            if key == ("datetime", "timezone"):
                return _dt.timezone(*payload[2])
            if key == ("zoneinfo", "ZoneInfo"):
                import zoneinfo

                return zoneinfo.ZoneInfo(payload[2])
        except Exception:  # noqa: BLE001 - shown as stored instead
            pass
    return _safe_ext_hook(code, data)


def _stdlib(code: int, module: str, name: str, arg: Any, data: bytes) -> dict[str, Any] | None:
    """Standard-library values rebuilt from their stored arguments (by us, from the
    standard library; nothing named by the data is imported), shown as ``to_plain`` shows them."""
    if module == "builtins" and name in ("set", "frozenset") and isinstance(arg, list):
        return _set_view(f"builtins.{name}", [_mark_bytes(m) for m in arg])
    if (module, name) == ("collections", "deque") and isinstance(arg, list):
        return {TYPE_KEY: "collections.deque", "value": arg}
    if (module, name) in _SECRET_TYPES:
        return {TYPE_KEY: f"{module}.{name}", "value": _SECRET}
    if (module, name) == ("zoneinfo", "ZoneInfo"):
        return {TYPE_KEY: "zoneinfo.ZoneInfo", "value": arg}
    if (module, name) == ("re", "compile") and isinstance(arg, list) and len(arg) == 2:
        return {TYPE_KEY: "re.Pattern", "pattern": arg[0], "flags": arg[1]}
    built: Any = None
    try:
        if module == "datetime" and name == "date" and code == _EXT_CONSTRUCTOR_POS_ARGS:
            built = _dt.date(*arg)
        elif module == "datetime" and name == "timedelta" and code == _EXT_CONSTRUCTOR_POS_ARGS:
            built = _dt.timedelta(*arg)
        elif module == "datetime" and name in ("time", "timezone"):
            # Their tzinfo / offset are stored objects themselves: decoded again as objects.
            payload = ormsgpack.unpackb(data, ext_hook=_object_ext_hook, option=_OPT)
            built = _dt.time(**payload[2]) if name == "time" else _dt.timezone(*payload[2])
        elif (module == "pathlib" or module.startswith("pathlib.")) and code == _EXT_CONSTRUCTOR_POS_ARGS:
            import pathlib

            built = (pathlib.PureWindowsPath if "Windows" in name else pathlib.PurePosixPath)(*arg)
            return {TYPE_KEY: f"{module}.{name}", "value": str(built)}
    except Exception:  # noqa: BLE001 - an odd payload is shown as stored
        return None
    return _stdlib_view(built) if built is not None else None


def _safe_ext_hook(code: int, data: bytes) -> Any:
    """Turn one msgpack extension into a plain structure; never imports."""
    try:
        payload = _unpack(data)
    except Exception as exc:  # a damaged value must not hide the rest of the state
        return {TYPE_KEY: "undecodable", "error": f"{type(exc).__name__}: {exc}"}
    if code == _EXT_DELTA_SNAPSHOT:
        return {TYPE_KEY: _DELTA_SNAPSHOT, "value": payload}
    if code == _EXT_NUMPY_ARRAY:
        dtype, shape, order, _buf = payload
        return {TYPE_KEY: "numpy.ndarray", "dtype": dtype, "shape": list(shape)}
    if not isinstance(payload, (list, tuple)) or len(payload) < 3:
        return {TYPE_KEY: f"msgpack.ext{code}", "value": payload}
    module, name, arg = payload[0], payload[1], payload[2]
    if isinstance(module, str) and isinstance(name, str) and code <= _EXT_METHOD_SINGLE_ARG:
        view = _stdlib(code, module, name, arg, data)
        if view is not None:
            return view
    if code == _EXT_CONSTRUCTOR_SINGLE_ARG:
        if (module, name) == ("uuid", "UUID") and isinstance(arg, str) and len(arg) == 32:
            arg = f"{arg[:8]}-{arg[8:12]}-{arg[12:16]}-{arg[16:20]}-{arg[20:]}"
        return _typed(module, name, {"value": arg})
    if code == _EXT_CONSTRUCTOR_POS_ARGS:
        if (module, name) == ("langgraph.types", "Send") and isinstance(arg, (list, tuple)):
            send = {"node": arg[0], "arg": arg[1] if len(arg) > 1 else None}
            if len(arg) > 2:
                send["timeout"] = arg[2]
            return _typed(module, name, send)
        return _typed(module, name, {"args": list(arg) if isinstance(arg, (list, tuple)) else arg})
    if code == _EXT_METHOD_SINGLE_ARG:
        return _typed(module, name, {"value": arg})
    if code in (_EXT_CONSTRUCTOR_KW_ARGS, _EXT_PYDANTIC_V1, _EXT_PYDANTIC_V2):
        fields = arg if isinstance(arg, dict) else {"value": arg}
        return _typed(module, name, {str(k): v for k, v in fields.items()})
    return {TYPE_KEY: f"msgpack.ext{code}", "value": payload}


def _json_object_hook(obj: dict[str, Any]) -> Any:
    # Old "json" checkpoints carry LangChain's serialized-constructor envelope.
    if obj.get("lc") in (1, 2) and obj.get("type") == "constructor" and isinstance(obj.get("id"), list):
        path = [str(p) for p in obj["id"]]
        kwargs = obj.get("kwargs") or {}
        return {TYPE_KEY: ".".join(path), **(kwargs if isinstance(kwargs, dict) else {"value": kwargs})}
    return obj


def decode_safe(type_: str | None, data: bytes | None) -> Any:
    """Decode one stored value (a ``(type, bytes)`` pair) into plain structures."""
    if type_ in (None, "null", "empty") or data is None:
        return None
    if type_ in ("bytes", "bytearray"):
        return bytes_view(data, type_)
    if type_ == "msgpack":
        value = _unpack(data)
        # Bytes come out of msgpack as bytes, anywhere; look for them only if the blob can hold any.
        return _mark_bytes(value) if any(m in data for m in _BIN_MARKERS) else value
    if type_ == "json":
        return json.loads(data, object_hook=_json_object_hook)
    if type_ == "pickle":
        # Unpickling runs code by design; shown as opaque unless decoded in full.
        return {TYPE_KEY: "pickle", "size": len(data)}
    return {TYPE_KEY: f"unknown:{type_}", "size": len(data)}


def _skeleton_ext(code: int, data: bytes) -> Any:
    # Pending Send tasks name the nodes that run next; every other object stays unread.
    if code != _EXT_CONSTRUCTOR_POS_ARGS:
        return None
    payload = ormsgpack.unpackb(data, ext_hook=_skeleton_ext, option=_OPT)
    if isinstance(payload, (list, tuple)) and len(payload) >= 3 and tuple(payload[:2]) == ("langgraph.types", "Send"):
        return {TYPE_KEY: "langgraph.types.Send", "node": payload[2][0] if payload[2] else None}
    return None


def decode_structure(type_: str | None, data: bytes | None) -> Any:
    """Decode only the plain skeleton of a value, leaving stored objects (but Sends) as None.

    Used to read a checkpoint's channel versions and versions-seen maps without
    paying for (or trusting) the channel values next to them.
    """
    if type_ == "msgpack" and data is not None:
        return ormsgpack.unpackb(data, ext_hook=_skeleton_ext, option=_OPT)
    if type_ == "json" and data is not None:
        return json.loads(data)
    return None


# -- the full decoder -------------------------------------------------------------------

_full_serde: Any = None


def _serde() -> Any:
    global _full_serde
    if _full_serde is None:
        from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

        _full_serde = JsonPlusSerializer(allowed_msgpack_modules=True, allowed_json_modules=True)
    return _full_serde


def _no_ext(code: int, data: bytes) -> None:
    return None


# Stored constructor names whose revived object has another class name.
_REVIVED_AS = {("re", "compile"): ("re", "Pattern")}


def _full_ext_hook(code: int, data: bytes) -> Any:
    # Each object goes through LangGraph's own serializer (public API: the extension
    # alone, packed again). Where it cannot rebuild an object it hands back the bare
    # stored arguments (a set of tuples, a class that moved); the safe view says more.
    value = _serde().loads_typed(("msgpack", ormsgpack.packb(ormsgpack.Ext(code, data))))
    if code == _EXT_DELTA_SNAPSHOT:
        return {TYPE_KEY: _DELTA_SNAPSHOT, "value": getattr(value, "value", value)}
    if code > _EXT_PYDANTIC_V2:
        return value
    try:
        header = ormsgpack.unpackb(data, ext_hook=_no_ext, option=_OPT)
        stored = _REVIVED_AS.get((header[0], header[1]), (header[0], header[1]))
    except Exception:  # noqa: BLE001
        return value
    cls = type(value)
    if (cls.__module__, cls.__name__) != stored:
        return _safe_ext_hook(code, data)
    return value


def decode_full(type_: str | None, data: bytes | None) -> Any:
    """Decode through LangGraph's serializer, importing the modules named in the data.

    Only for stores the user trusts (``--decode full``) or when the user supplied the
    graph: this runs code named by the stored data. Shown in the shapes ``decode_safe``
    uses (see the module docstring), with what only the revived objects tell added.
    Pickled values stay opaque here too.
    """
    if type_ in (None, "null", "empty") or data is None:
        return None
    if type_ == "msgpack":
        return to_plain(ormsgpack.unpackb(data, ext_hook=_full_ext_hook, option=_OPT))
    if type_ in ("bytes", "bytearray"):
        return bytes_view(data, type_)
    if type_ == "json":
        return to_plain(_serde().loads_typed((type_, data)))
    return decode_safe(type_, data)


_SCALARS = (str, int, float, bool)


def _class_name(cls: type) -> str:
    # The stored name (LangGraph keeps __module__ and __name__), so both decoders agree.
    return f"{cls.__module__}.{cls.__name__}"


def to_plain(value: Any) -> Any:
    """Convert revived Python objects into the same plain, typed structures as ``decode_safe``.

    The checks follow the order in which LangGraph's serializer picks an encoding, so
    an object is shown as it is stored.
    """
    cls = type(value)
    if value is None or cls in _SCALARS:
        return value
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, _SCALARS) else k: to_plain(v) for k, v in value.items()}
    if cls is list:
        return [to_plain(v) for v in value]
    if isinstance(value, enum.Enum):  # before str/int: a StrEnum is a str
        return {TYPE_KEY: _class_name(cls), "value": to_plain(value.value), "name": value.name}
    if isinstance(value, _SCALARS):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes_view(value, "bytearray" if isinstance(value, bytearray) else "bytes")
    if cls.__name__ == "_DeltaSnapshot" and cls.__module__.startswith("langgraph."):
        return {TYPE_KEY: _DELTA_SNAPSHOT, "value": to_plain(value.value)}
    if isinstance(value, set | frozenset):
        return _set_view(_class_name(cls), [to_plain(v) for v in value])
    if isinstance(value, deque):
        return {TYPE_KEY: _class_name(cls), "value": [to_plain(v) for v in value]}
    dump = getattr(value, "model_dump", None)
    if callable(dump) and not isinstance(value, type):
        try:
            return {TYPE_KEY: _class_name(cls), **to_plain(dump())}
        except Exception:  # noqa: BLE001 - shown by its other traits below
            pass
    if callable(getattr(value, "get_secret_value", None)):
        return {TYPE_KEY: _class_name(cls), "value": _SECRET}
    if hasattr(value, "__fields__") and callable(getattr(value, "dict", None)) and not isinstance(value, type):
        try:  # pydantic v1
            return {TYPE_KEY: _class_name(cls), **to_plain(value.dict())}
        except Exception:  # noqa: BLE001
            pass
    if callable(getattr(value, "_asdict", None)):  # namedtuple
        return {TYPE_KEY: _class_name(cls), **to_plain(dict(value._asdict()))}
    if isinstance(value, tuple):
        return [to_plain(v) for v in value]
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    view = _stdlib_view(value)
    if view is not None:
        return view
    if (cls.__module__, cls.__name__) == ("langgraph.types", "Send"):
        send = {TYPE_KEY: "langgraph.types.Send", "node": value.node, "arg": to_plain(value.arg)}
        if getattr(value, "timeout", None) is not None:
            send["timeout"] = to_plain(value.timeout)
        return send
    if hasattr(cls, "__dataclass_fields__") and not isinstance(value, type):
        import dataclasses

        return {TYPE_KEY: _class_name(cls), **{f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}}
    if (cls.__module__, cls.__name__) == ("langgraph.store.base", "Item"):
        return {TYPE_KEY: _class_name(cls), **{k: to_plain(getattr(value, k)) for k in cls.__slots__}}
    if cls.__name__ == "ndarray" and cls.__module__ == "numpy":
        return {TYPE_KEY: "numpy.ndarray", "dtype": value.dtype.str, "shape": list(value.shape)}
    if isinstance(value, BaseException):
        return {TYPE_KEY: _class_name(cls), "args": to_plain(list(value.args))}
    if hasattr(value, "isoformat"):
        return {TYPE_KEY: _class_name(cls), "value": value.isoformat()}
    return {TYPE_KEY: _class_name(cls), "value": repr(value)}


def type_name(value: Any) -> str | None:
    """The stored type name of a decoded object, or None for plain data."""
    if isinstance(value, dict):
        t = value.get(TYPE_KEY)
        return t if isinstance(t, str) else None
    return None
