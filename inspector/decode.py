"""Decoding stored checkpoint values without running code from the store.

LangGraph's serializer revives stored objects by importing the module named in the
data and calling it, so reading an untrusted store that way runs code. Here every
stored object becomes a plain structure that keeps its type name::

    {"__type__": "langchain_core.messages.ai.AIMessage", "content": ..., ...}

Nothing is imported. ``decode_full`` is the opt-in path through LangGraph's own
serializer, for stores the user trusts or when the user supplied the graph.
"""

from __future__ import annotations

import json
from typing import Any

import ormsgpack

TYPE_KEY = "__type__"

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


def _unpack(data: bytes) -> Any:
    return ormsgpack.unpackb(data, ext_hook=_safe_ext_hook, option=_OPT)


def _typed(module: str, name: str, fields: dict[str, Any]) -> dict[str, Any]:
    # Fields are a dict, not keywords: stored objects have fields named "module" or "name".
    return {TYPE_KEY: f"{module}.{name}", **fields}


def _safe_ext_hook(code: int, data: bytes) -> Any:
    """Turn one msgpack extension into a plain structure; never imports."""
    try:
        payload = _unpack(data)
    except Exception as exc:  # a damaged value must not hide the rest of the state
        return {TYPE_KEY: "undecodable", "error": f"{type(exc).__name__}: {exc}"}
    if code == _EXT_DELTA_SNAPSHOT:
        return {TYPE_KEY: "langgraph.delta_snapshot", "value": payload}
    if code == _EXT_NUMPY_ARRAY:
        dtype, shape, order, _buf = payload
        return {TYPE_KEY: "numpy.ndarray", "dtype": dtype, "shape": list(shape)}
    if not isinstance(payload, (list, tuple)) or len(payload) < 3:
        return {TYPE_KEY: f"msgpack.ext{code}", "value": payload}
    module, name, arg = payload[0], payload[1], payload[2]
    if code == _EXT_CONSTRUCTOR_SINGLE_ARG:
        if (module, name) == ("uuid", "UUID") and isinstance(arg, str) and len(arg) == 32:
            arg = f"{arg[:8]}-{arg[8:12]}-{arg[12:16]}-{arg[16:20]}-{arg[20:]}"
        return _typed(module, name, {"value": arg})
    if code == _EXT_CONSTRUCTOR_POS_ARGS:
        if (module, name) == ("langgraph.types", "Send") and isinstance(arg, (list, tuple)):
            return _typed(module, name, {"node": arg[0], "arg": arg[1] if len(arg) > 1 else None})
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
    if type_ == "bytes":
        return {TYPE_KEY: "bytes", "size": len(data)}
    if type_ == "bytearray":
        return {TYPE_KEY: "bytearray", "size": len(data)}
    if type_ == "msgpack":
        return _unpack(data)
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


_full_serde: Any = None


def decode_full(type_: str | None, data: bytes | None) -> Any:
    """Decode through LangGraph's serializer, importing the modules named in the data.

    Only for stores the user trusts (``--decode full``) or when the user supplied the
    graph: this runs code named by the stored data.
    """
    global _full_serde
    if type_ in (None, "null", "empty") or data is None:
        return None
    if _full_serde is None:
        from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

        _full_serde = JsonPlusSerializer(allowed_msgpack_modules=True, allowed_json_modules=True)
    return to_plain(_full_serde.loads_typed((type_, data)))


def to_plain(value: Any) -> Any:
    """Convert revived Python objects into the same plain, typed structures as ``decode_safe``."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, dict):
        return {str(k) if not isinstance(k, (str, int, float, bool)) else k: to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_plain(v) for v in value]
    if isinstance(value, (bytes, bytearray)):
        return {TYPE_KEY: type(value).__name__, "size": len(value)}
    cls = type(value)
    type_name = f"{cls.__module__}.{cls.__qualname__}"
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        try:
            return {TYPE_KEY: type_name, **to_plain(dump())}
        except Exception:
            pass
    if isinstance(value, BaseException):
        return {TYPE_KEY: type_name, "args": to_plain(list(value.args))}
    if hasattr(value, "_asdict"):
        return {TYPE_KEY: type_name, **to_plain(value._asdict())}
    if hasattr(value, "__dataclass_fields__"):
        return {TYPE_KEY: type_name, **{f: to_plain(getattr(value, f)) for f in value.__dataclass_fields__}}
    if hasattr(value, "isoformat"):
        return {TYPE_KEY: type_name, "value": value.isoformat()}
    return {TYPE_KEY: type_name, "value": repr(value)}


def type_name(value: Any) -> str | None:
    """The stored type name of a decoded object, or None for plain data."""
    if isinstance(value, dict):
        t = value.get(TYPE_KEY)
        return t if isinstance(t, str) else None
    return None
