"""The detail pane's preview of a big value is made without joining its whole JSON text,
and reads exactly as the preview cut from that whole text."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest

from agent_debug.tui.widgets.state import value_detail
from agent_debug.tui.widgets.state.value_detail import MAX_CHARS, MAX_LINES, value_text


def cut_from_the_whole(value: Any) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False, default=repr)
    return value_detail._cut(text, len(text))


def assorted() -> list[Any]:
    rng = random.Random(7)
    values: list[Any] = [
        [{"id": i, "text": "x\u2028y\x85z" * (i % 5)} for i in range(5_000)],  # line breaks JSON leaves as they are
        {"a": "b" * 100_000},
        list(range(MAX_LINES - 3)),
        list(range(MAX_LINES - 2)),
        list(range(MAX_LINES - 1)),
        list(range(100_000)),
        {"k": ["\u2029"] * 700},
        ["\u2028" * 40_000],
        ["a" * (MAX_CHARS - 10)],
        ["a" * (MAX_CHARS - 1)],
        ["a" * (2 * MAX_CHARS)],
        {"set": {1, 2}, "none": None},  # not JSON: shown by its repr
        [],
        {},
        None,
        3.5,
    ]
    for _ in range(200):
        values.append([("\u2028" if rng.random() < 0.3 else "q") * rng.randint(0, 200) for _ in range(rng.randint(0, 800))])
    return values


@pytest.mark.parametrize("value", assorted())
def test_the_preview_is_the_one_cut_from_the_whole_text(value: Any) -> None:
    assert value_text(value) == cut_from_the_whole(value)


def test_a_big_value_says_how_long_its_whole_text_is() -> None:
    value = [{"n": i, "name": f"record-{i}"} for i in range(20_000)]
    whole = json.dumps(value, indent=2, ensure_ascii=False)
    shown = value_text(value)
    assert len(shown) <= MAX_CHARS + 100
    assert shown.endswith(f"… a preview of {len(whole):,} characters; y copies the whole value")
