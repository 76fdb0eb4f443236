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
from collections.abc import Callable, Collection
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
    return unpack_in_pieces(data, _safe_ext_hook)


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


# -- the skeleton of a checkpoint, read without its channel values ----------------------

#: ``read_skeleton`` decodes a value it keeps (and a top-level field) whole up to this size.
SKELETON_SMALL = 16 * 1024
_WINDOW = 64 * 1024
_SEND = ("langgraph.types", "Send")

# How a msgpack value goes on after its first byte, as (kind, width, m, count). _FIXED:
# `width` more bytes; _SIZED: a length in `width` bytes (or `count` when width is 0), then
# that many bytes plus `m` (an extension's type byte); _COUNTED: `m` values per entry, the
# number of entries in `width` bytes (or `count`); _RESERVED: 0xc1, never valid.
_FIXED, _SIZED, _COUNTED, _RESERVED = range(4)


def _first_bytes() -> list[tuple[int, int, int, int]]:
    """The msgpack format, one entry per first byte."""
    table = [(_FIXED, 0, 0, 0)] * 256  # fixints, nil, booleans
    for b in range(0x80, 0x90):
        table[b] = (_COUNTED, 0, 2, b & 0x0F)  # fixmap
    for b in range(0x90, 0xA0):
        table[b] = (_COUNTED, 0, 1, b & 0x0F)  # fixarray
    for b in range(0xA0, 0xC0):
        table[b] = (_SIZED, 0, 0, b & 0x1F)  # fixstr
    table[0xC1] = (_RESERVED, 0, 0, 0)
    for b, size in {0xCA: 4, 0xCB: 8, 0xCC: 1, 0xCD: 2, 0xCE: 4, 0xCF: 8, 0xD0: 1, 0xD1: 2, 0xD2: 4, 0xD3: 8}.items():
        table[b] = (_FIXED, size, 0, 0)  # floats and ints
    for b, size in {0xD4: 1, 0xD5: 2, 0xD6: 4, 0xD7: 8, 0xD8: 16}.items():
        table[b] = (_SIZED, 0, 1, size)  # fixext: type byte + data
    for b, (width, extra) in {0xC4: (1, 0), 0xC5: (2, 0), 0xC6: (4, 0), 0xC7: (1, 1), 0xC8: (2, 1), 0xC9: (4, 1),
                              0xD9: (1, 0), 0xDA: (2, 0), 0xDB: (4, 0)}.items():  # fmt: skip
        table[b] = (_SIZED, width, extra, 0)  # bin, ext, str
    for b, (width, per) in {0xDC: (2, 1), 0xDD: (4, 1), 0xDE: (2, 2), 0xDF: (4, 2)}.items():
        table[b] = (_COUNTED, width, per, 0)  # array, map
    return table


_FIRST = _first_bytes()
# The whole size of a value that its first byte fixes (numbers, nil, booleans, short
# strings, fixext), else 0.
_WHOLE = [
    1 + width if kind == _FIXED else 1 + count + m if kind == _SIZED and not width else 0
    for kind, width, m, count in _FIRST
]


class _Window:
    """A msgpack document read through ``read(offset, size)`` a window at a time, so that
    skipping a value of 50 MB moves an offset instead of loading it."""

    __slots__ = ("_read", "size", "_buf", "_base", "pos")

    def __init__(self, read: Callable[[int, int], bytes], size: int) -> None:
        self._read = read
        self.size = size
        self._buf = b""
        self._base = 0
        self.pos = 0

    def take(self, n: int) -> bytes:
        """The next ``n`` bytes."""
        start, end = self.pos, self.pos + n
        if end > self.size:
            raise ValueError("unexpected end of file")
        if start < self._base or end > self._base + len(self._buf):
            self._buf = bytes(self._read(start, max(n, min(_WINDOW, self.size - start))))
            self._base = start
            if len(self._buf) < n:
                raise ValueError("unexpected end of file")
        self.pos = end
        return self._buf[start - self._base : end - self._base]

    def span(self, start: int, end: int) -> bytes:
        """The bytes from ``start`` to ``end`` (already walked), without moving on."""
        if start >= self._base and end <= self._base + len(self._buf):
            return self._buf[start - self._base : end - self._base]
        return bytes(self._read(start, end - start))

    def skip(self) -> None:
        """Walk past one whole value, reading only headers (no recursion: nesting is a count).

        Headers inside the window are read in one tight loop; one at its edge, or past it
        after a long string, goes through ``take`` (which moves the window).
        """
        remaining = 1
        whole, first = _WHOLE, _FIRST
        while True:
            buf, base = self._buf, self._base
            i, limit = self.pos - base, len(buf) - 6  # any header fits in 6 bytes
            while remaining and 0 <= i <= limit:
                b = buf[i]
                size = whole[b]
                if size:
                    i += size
                    remaining -= 1
                    continue
                kind, width, m, count = first[b]
                if kind == _SIZED:
                    i += 1 + width + m + int.from_bytes(buf[i + 1 : i + 1 + width], "big")
                    remaining -= 1
                elif kind == _COUNTED:
                    if width:
                        count = int.from_bytes(buf[i + 1 : i + 1 + width], "big")
                    i += 1 + width
                    remaining += count * m - 1
                else:
                    raise ValueError("invalid type Reserved")
            self.pos = base + i
            if self.pos > self.size:
                raise ValueError("unexpected end of file")
            if not remaining:
                return
            remaining += self._skip_header() - 1

    def _skip_header(self) -> int:
        """Walk past the next value's header (and a scalar's or string's bytes); returns how
        many values it holds (a container's items, keys and values counted apart)."""
        kind, width, m, count = _FIRST[self.take(1)[0]]
        if kind == _FIXED:
            if width:
                self.take(width)
            return 0
        if kind == _SIZED:
            size = (int.from_bytes(self.take(width), "big") if width else count) + m
            self.pos += size  # after take(): `pos += take(...)` would add to the old pos
            if self.pos > self.size:
                raise ValueError("unexpected end of file")
            return 0
        if kind == _COUNTED:
            return (int.from_bytes(self.take(width), "big") if width else count) * m
        raise ValueError("invalid type Reserved")

    def value(self) -> Any:
        """Decode the next value whole (as ``decode_structure`` does)."""
        start = self.pos
        self.skip()
        return ormsgpack.unpackb(self.span(start, self.pos), ext_hook=_skeleton_ext, option=_OPT)

    def header(self, want: int) -> int | None:
        """The entry count of the map (``want=2``) or array (``want=1``) that comes next, or
        None (nothing read) when another kind of value comes."""
        kind, width, m, count = _FIRST[self.take(1)[0]]
        if kind != _COUNTED or m != want:
            self.pos -= 1
            return None
        return int.from_bytes(self.take(width), "big") if width else count

    def ext(self) -> tuple[int, int] | None:
        """(type code, payload size) of the extension that comes next, or None (nothing read)."""
        b = self.take(1)[0]
        kind, width, m, count = _FIRST[b]
        if kind != _SIZED or m != 1:
            self.pos -= 1
            return None
        size = int.from_bytes(self.take(width), "big") if width else count
        return int.from_bytes(self.take(1), "big", signed=True), size


def _queued_send(w: _Window) -> Any:
    """The skeleton of one queued task, as ``decode_structure`` shows it: a Send's node, a
    mapping's ``node`` field; None for anything else. The Send's argument is skipped."""
    found = w.ext()
    if found is not None:
        code, size = found
        end = w.pos + size
        if end > w.size:
            raise ValueError("unexpected end of file")
        send = None
        if code == _EXT_CONSTRUCTOR_POS_ARGS and (w.header(1) or 0) >= 3 and (w.value(), w.value()) == _SEND:
            args = w.header(1)
            send = {TYPE_KEY: "langgraph.types.Send", "node": w.value() if args else None}
        w.pos = end
        return send
    entries = w.header(2)
    if entries is None:
        w.skip()
        return None
    fields: dict[Any, Any] = {}
    for _ in range(entries):
        if w.value() == "node":
            fields["node"] = w.value()
        else:
            w.skip()
    return fields


def read_queued(data: bytes) -> list[Any] | None:
    """``decode_structure`` of a msgpack list of queued tasks (a ``__pregel_tasks`` value),
    each Send's argument skipped unread; None when it is not a list."""
    view = memoryview(data)
    w = _Window(lambda offset, n: view[offset : offset + n], len(data))
    count = w.header(1)
    if count is None:
        w.skip()  # still raises on damaged bytes
        return None
    return [_queued_send(w) for _ in range(count)]


def read_skeleton(read: Callable[[int, int], bytes], size: int, *, keep: Collection[str] = ()) -> Any:
    """What ``decode_structure`` gives of a msgpack checkpoint, read through ``read(offset,
    n)`` from a document of ``size`` bytes without loading its channel values.

    Every channel value is None except those named in ``keep``, which are decoded (when
    large, as a list of queued tasks: each Send's node without its argument). The channel
    versions and versions-seen maps are decoded; a top-level field larger than
    ``SKELETON_SMALL`` is None. Memory stays a window's worth whatever the values hold:
    LangGraph writes ``channel_values`` before the maps, and skipping a string, bytes or
    an object moves past it unread. A document that is not a map comes back as itself
    (when small) or as an empty value of its kind. Raises ValueError on a damaged document.
    """
    w = _Window(read, size)
    fields = w.header(2)
    if fields is None:
        # Not a checkpoint: the value itself when small, else an empty one of its kind.
        kind = _FIRST[w.take(1)[0]][0]
        w.pos = 0
        w.skip()
        if w.pos <= SKELETON_SMALL:
            return ormsgpack.unpackb(w.span(0, w.pos), ext_hook=_skeleton_ext, option=_OPT)
        return [] if kind == _COUNTED else ""
    out: dict[Any, Any] = {}
    for _ in range(fields):
        key = w.value()
        start = w.pos
        if key == "channel_values" and (entries := w.header(2)) is not None:
            values: dict[Any, Any] = {}
            for _ in range(entries):
                name = w.value()
                begin = w.pos
                w.skip()
                if name not in keep:
                    values[name] = None
                elif w.pos - begin <= SKELETON_SMALL:
                    values[name] = ormsgpack.unpackb(w.span(begin, w.pos), ext_hook=_skeleton_ext, option=_OPT)
                else:
                    end, w.pos = w.pos, begin
                    count = w.header(1)
                    values[name] = None if count is None else [_queued_send(w) for _ in range(count)]
                    w.pos = end
            out[key] = values
            continue
        w.skip()
        if key in ("channel_versions", "versions_seen") or w.pos - start <= SKELETON_SMALL:
            out[key] = ormsgpack.unpackb(w.span(start, w.pos), ext_hook=_skeleton_ext, option=_OPT)
        else:
            out[key] = None
    return out


# -- a big value, decoded in pieces ------------------------------------------------------

#: A msgpack document larger than this is decoded in pieces of about this size.
PIECE = 256 * 1024
#: A value of at most this many msgpack values (however long its strings) is one piece.
PIECE_VALUES = 4096
_MAX_DEPTH = 32
_MANY = 64  # a container of at least this many items is decoded by runs of items...
_CAREFUL = 4  # ...after this many decoded one by one (their average size sets the runs')
_PAD = 8  # room before the document for the header of a first piece


class _Whole(Exception):
    """The document is decoded in one call after all (damaged, very deep, odd keys)."""


def unpack_in_pieces(data: bytes | bytearray | memoryview, ext_hook: Callable[[int, bytes], Any]) -> Any:
    """``ormsgpack.unpackb(data, ext_hook=ext_hook)``, the same value, in calls of at most
    ``PIECE`` bytes or so each.

    One ormsgpack call holds the GIL throughout: over a 12 MB checkpoint ~100 ms, in which
    the UI thread cannot draw. Here a big array or map is decoded a run of its items at a
    time (a header for the run written in front of it), so other threads run between the
    calls. Where a run ends is known without walking it when encoding the run again gives
    its bytes back (ormsgpack writes what LangGraph wrote: msgpack has one parse per
    byte string, so equal bytes are the same items); else the run is walked header by
    header. Anything unexpected decodes the whole document in one call, so a damaged one
    fails as before, with the same error.
    """
    if len(data) <= PIECE:
        return ormsgpack.unpackb(data, ext_hook=ext_hook, option=_OPT)
    try:
        return _Pieces(data, ext_hook).value(_PAD, 0)[0]
    except Exception:  # noqa: BLE001 - decoded again whole: its own result or error
        return ormsgpack.unpackb(data, ext_hook=ext_hook, option=_OPT)


def _walk(buf: bytearray, pos: int, values: int = 1, budget: int | None = None) -> int | None:
    """Where the ``values`` msgpack values from ``pos`` end; None when they hold more than
    ``budget`` values in all (nothing is decoded: headers are read, strings skipped)."""
    whole, first = _WHOLE, _FIRST
    remaining, seen, i, size = values, 0, pos, len(buf)
    while remaining:
        if i >= size:
            raise _Whole("unexpected end")
        b = buf[i]
        step = whole[b]
        if step:
            i += step
            remaining -= 1
        else:
            kind, width, m, count = first[b]
            if kind == _SIZED:
                i += 1 + width + m + int.from_bytes(buf[i + 1 : i + 1 + width], "big")
                remaining -= 1
            elif kind == _COUNTED:
                if width:
                    count = int.from_bytes(buf[i + 1 : i + 1 + width], "big")
                i += 1 + width
                remaining += count * m - 1
            else:
                raise _Whole("reserved byte")
        seen += 1
        if budget is not None and seen > budget:
            return None
    if i > size:
        raise _Whole("unexpected end")
    return i


def _run_header(count: int, is_map: bool) -> bytes:
    """The shortest msgpack header of a map (``is_map``) or array of ``count`` entries."""
    if count < 16:
        return bytes(((0x80 if is_map else 0x90) | count,))
    if count <= 0xFFFF:
        return (b"\xde" if is_map else b"\xdc") + count.to_bytes(2, "big")
    return (b"\xdf" if is_map else b"\xdd") + count.to_bytes(4, "big")


class _Pieces:
    """One document decoded in pieces (see ``unpack_in_pieces``)."""

    def __init__(self, data: bytes | bytearray | memoryview, ext_hook: Callable[[int, bytes], Any]) -> None:
        self.buf = bytearray(_PAD) + data
        self.view = memoryview(self.buf)
        self.ext_calls = 0

        def counted(code: int, payload: bytes) -> Any:
            self.ext_calls += 1
            return ext_hook(code, payload)

        self.hook = counted

    def value(self, pos: int, depth: int) -> tuple[Any, int]:
        """The value at ``pos`` and where it ends: in one call when small, else by its items."""
        if depth > _MAX_DEPTH:
            raise _Whole("too deep")
        end = _walk(self.buf, pos, budget=PIECE_VALUES)
        if end is not None:
            return ormsgpack.unpackb(self.view[pos:end], ext_hook=self.hook, option=_OPT), end
        return self._container(pos, depth)

    def _container(self, pos: int, depth: int) -> tuple[Any, int]:
        kind, width, m, count = _FIRST[self.buf[pos]]
        if kind != _COUNTED:  # a string or an extension is one value: within any budget
            raise _Whole("not a container")
        n = int.from_bytes(self.buf[pos + 1 : pos + 1 + width], "big") if width else count
        is_map = m == 2
        body = p = pos + 1 + width
        out: Any = {} if is_map else []
        done = run = 0
        while done < n:
            average = (p - body) / done if done else PIECE
            if n >= _MANY and done >= _CAREFUL and average * 8 <= PIECE and n - done > 1:
                # Many items, small so far: the next run of them in one call (twice the
                # last run at most). A few items (a checkpoint's fields, its channels)
                # differ in size too much to guess: each is decoded on its own.
                run = min(n - done, int(PIECE / max(average, 1)), max(8, 2 * run), 0xFFFF)
                items, p = self._run(p, run, is_map)
                if is_map:
                    out.update(items)
                else:
                    out.extend(items)
                done += run
                continue
            if is_map:
                key, p = self.value(p, depth + 1)
                item, p = self.value(p, depth + 1)
                out[key] = item
            else:
                item, p = self.value(p, depth + 1)
                out.append(item)
            done += 1
        return out, p

    def _run(self, pos: int, count: int, is_map: bool) -> tuple[Any, int]:
        """The ``count`` items from ``pos``, decoded as one array (or map), and where they end."""
        header = _run_header(count, is_map)
        start = pos - len(header)  # the bytes before pos are decoded already
        saved = bytes(self.buf[start:pos])
        self.buf[start:pos] = header
        calls = self.ext_calls
        try:
            items = ormsgpack.unpackb(self.view[start:], ext_hook=self.hook, option=_OPT)
        finally:
            self.buf[start:pos] = saved
        if len(items) == count and self.ext_calls == calls:
            try:
                again = ormsgpack.packb(items, option=_OPT)
            except Exception:  # noqa: BLE001 - a key or value that does not encode again: walked
                again = b""
            body = again[len(_run_header(count, is_map)) :]
            if body and self.buf.startswith(body, pos):
                return items, pos + len(body)
        end = _walk(self.buf, pos, count * (2 if is_map else 1))
        assert end is not None
        return items, end


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
        return to_plain(unpack_in_pieces(data, _full_ext_hook))
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
