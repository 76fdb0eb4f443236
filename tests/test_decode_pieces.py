"""A big msgpack value is decoded in pieces (each call short, so the UI thread gets the
GIL between them) and comes out exactly as one ``ormsgpack.unpackb`` call makes it."""

from __future__ import annotations

import datetime as dt
import struct
from typing import Any

import ormsgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from agent_debug.inspector import decode
from agent_debug.inspector.decode import decode_full, decode_safe, unpack_in_pieces

SERDE = JsonPlusSerializer()


def whole(data: bytes, hook: Any = decode._safe_ext_hook) -> Any:
    return ormsgpack.unpackb(data, ext_hook=hook, option=decode._OPT)


def pieces(data: bytes, hook: Any = decode._safe_ext_hook) -> Any:
    """The pieces alone, without the fall-back to one call (which would hide their mistakes)."""
    return decode._Pieces(data, hook).value(decode._PAD, 0)[0]


class CountedCalls:
    """Counts ormsgpack's decoding calls of ``decode`` and the most items any one built."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self.most = 0
        real = ormsgpack.unpackb

        def unpackb(data: Any, **kwargs: Any) -> Any:
            self.calls += 1
            value = real(data, **kwargs)
            self.most = max(self.most, _count(value))
            return value

        monkeypatch.setattr(decode.ormsgpack, "unpackb", unpackb)


def _count(value: Any) -> int:
    seen, pending = 0, [value]
    while pending:
        item = pending.pop()
        seen += 1
        if isinstance(item, dict):
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return seen


def big_state() -> dict[str, Any]:
    records = [{"id": i, "name": f"record-{i:05d}", "score": i * 0.5, "tags": ["a", f"t{i % 7}"], "ok": i % 3 == 0} for i in range(6_000)]
    return {
        "request": "load",
        "records": records,
        "transcript": "line\n" * 100_000,
        "index": {f"key-{j:04d}": list(range(j, j + 20)) for j in range(1_500)},
    }


def test_a_big_checkpoint_decodes_as_one_call_does_in_many_short_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    data = ormsgpack.packb({"v": 4, "channel_values": big_state(), "channel_versions": {"records": 2}})
    assert len(data) > 2 * decode.PIECE
    expected = whole(data)
    counted = CountedCalls(monkeypatch)
    assert unpack_in_pieces(data, decode._safe_ext_hook) == expected
    assert pieces(data) == expected
    # ~60,000 values in all: no call builds more than a piece's worth of them.
    assert counted.calls > 10
    assert counted.most < 40_000 // 2


def test_stored_objects_in_a_big_list_decode_as_in_one_call(monkeypatch: pytest.MonkeyPatch) -> None:
    from langchain_core.messages import AIMessage, HumanMessage

    messages = [HumanMessage(content=f"question {i}", id=f"h{i}") if i % 2 else AIMessage(content="answer " * 20, id=f"a{i}") for i in range(3_000)]
    _, data = SERDE.dumps_typed({"messages": messages, "when": dt.datetime(2026, 1, 2, tzinfo=dt.UTC), "tags": {"x", "y"}})
    assert len(data) > decode.PIECE
    expected_safe = decode_safe("msgpack", data)
    counted = CountedCalls(monkeypatch)
    assert decode_safe("msgpack", data) == expected_safe
    assert counted.calls > 10
    assert decode._mark_bytes(pieces(data)) == expected_safe
    assert decode_full("msgpack", data) == decode_full("msgpack", data)  # full decoding goes the same way
    monkeypatch.undo()
    assert decode_full("msgpack", data)["messages"][1]["content"] == "question 1"


def test_values_encoded_otherwise_than_ormsgpack_would_are_found_by_walking() -> None:
    # float32, ints in wider fields than needed, str8 headers for short strings: encoding
    # the decoded run again does not give its bytes back, so each run's end is walked.
    item = b"\x83" + b"\xa1a" + b"\xca" + struct.pack(">f", 1.5) + b"\xa1b" + b"\xcd\x00\x07" + b"\xa1c" + b"\xd9\x03abc"
    count = 40_000
    data = b"\xdd" + count.to_bytes(4, "big") + item * count
    assert len(data) > decode.PIECE
    assert pieces(data) == whole(data) == [{"a": 1.5, "b": 7, "c": "abc"}] * count


def test_repeated_keys_keep_the_first_place_and_the_last_value() -> None:
    pairs = b"".join(b"\xa1k" + bytes([i % 100]) + ormsgpack.packb(f"key-{i}") + b"\x01" for i in range(30_000))
    data = b"\xdf" + (60_000).to_bytes(4, "big") + pairs + pairs
    assert len(data) > decode.PIECE
    got = pieces(data)
    assert got == whole(data)
    assert list(got) == list(whole(data))


@pytest.mark.parametrize(
    "damage",
    [
        lambda data: data[: len(data) // 2],  # cut short
        lambda data: data[:1000] + b"\xc1" + data[1001:],  # a reserved byte inside
        lambda data: b"\xdd\xff\xff\xff\xff" + data[5:],  # a count far beyond the bytes
    ],
)
def test_a_damaged_big_value_fails_with_the_error_one_call_gives(damage: Any) -> None:
    data = damage(ormsgpack.packb([{"n": i, "s": "x" * 30} for i in range(20_000)]))
    with pytest.raises(Exception) as one_call:
        whole(data)
    with pytest.raises(Exception) as in_pieces:
        unpack_in_pieces(data, decode._safe_ext_hook)
    assert (type(in_pieces.value), str(in_pieces.value)) == (type(one_call.value), str(one_call.value))


def test_very_deep_nesting_is_decoded_as_before() -> None:
    deep: Any = list(range(100_000))
    for _ in range(200):
        deep = [deep]
    try:
        data = ormsgpack.packb(deep)
    except Exception:  # noqa: BLE001 - ormsgpack may refuse to write it: build the bytes
        data = b"\x91" * 200 + ormsgpack.packb(list(range(100_000)))
    try:
        expected: Any = whole(data)
    except Exception as exc:  # noqa: BLE001
        expected = (type(exc), str(exc))
    try:
        got: Any = unpack_in_pieces(data, decode._safe_ext_hook)
    except Exception as exc:  # noqa: BLE001
        got = (type(exc), str(exc))
    assert got == expected


scalars = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**64 - 1), st.floats(allow_nan=False), st.text(max_size=8), st.binary(max_size=8))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=3), inner, max_size=4), max_leaves=6)


@settings(max_examples=60, deadline=None)
@given(st.lists(values, min_size=64, max_size=90), st.sampled_from([16, 64, 256]), st.sampled_from([1, 4, 32]))
def test_any_plain_value_decodes_the_same_in_pieces(items: list[Any], piece: int, piece_values: int) -> None:
    data = ormsgpack.packb({"values": items, "n": len(items), "last": items[-1]})
    original = decode.PIECE, decode.PIECE_VALUES
    decode.PIECE, decode.PIECE_VALUES = piece, piece_values  # everything is "big"
    try:
        assert pieces(data) == whole(data)
    finally:
        decode.PIECE, decode.PIECE_VALUES = original
