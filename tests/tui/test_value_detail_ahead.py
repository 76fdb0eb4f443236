"""The detail pane's body is lexed and wrapped in the value's worker, not on the UI thread.

Issue 15: with a 12 MB state, showing a 600-line JSON preview stalled the event loop
~240 ms (Rich renders a word-wrapped Syntax line by line, and Textual renders a Static
twice). These check that the faster body renders exactly what the Syntax rendered, and
that the widths rendered ahead are the widths the pane lays the body out at.
"""

from __future__ import annotations

import json

import pytest
from rich.console import Console
from rich.segment import Segment
from rich.style import Style
from rich.syntax import Syntax
from textual.app import App, ComposeResult
from textual.widgets import Static

from agent_debug.tui.widgets.state import value_detail
from agent_debug.tui.widgets.state.value_detail import ValueDetail, prepare, value_blocks

CODE = "def f(x):\n    return x + 1  # a comment long enough to wrap at a narrow width\n\nclass A:\n\tpass"
VALUE = {
    "index": {f"key-{j:04d}": list(range(j, j + 3)) for j in range(40)},
    "long": "word " * 40,
    "wide": "漢字" * 30,
    "empty": [],
    "code": CODE,  # multi-line: set out below the JSON, as code
}


def _lines(renderable: object, width: int) -> list[list[tuple[str, Style]]]:
    """The rendered lines, each as (text, style) runs with equal styles merged (a None
    style and Style() draw the same)."""
    console = Console(width=width, file=open("/dev/null", "w"), color_system="truecolor")
    options = console.options.update_width(width).update(highlight=False)
    out = []
    for line in Segment.split_and_crop_lines(console.render(renderable, options), width, include_new_lines=False, pad=False):
        runs: list[tuple[str, Style]] = []
        for segment in line:
            style = segment.style or Style()
            if runs and runs[-1][1] == style:
                runs[-1] = (runs[-1][0] + segment.text, style)
            else:
                runs.append((segment.text, style))
        out.append(runs)
    return out


@pytest.mark.parametrize("width", [17, 60, 120])
@pytest.mark.parametrize(
    ("code", "language", "background"),
    [(json.dumps(VALUE, indent=2, ensure_ascii=False), "json", None), (CODE, "python", "default"), (CODE + "\n", "python", "default")],
    ids=["json", "python", "python-newline"],
)
def test_a_settled_syntax_draws_what_the_syntax_drew(code: str, language: str, background: str | None, width: int):
    syntax = Syntax(code, language, word_wrap=True, theme="ansi_dark", **({"background_color": background} if background else {}))
    settled = value_detail._settled(syntax)
    assert not isinstance(settled, Syntax)
    assert _lines(settled, width) == _lines(syntax, width)


class _Pane(App[None]):
    CSS = "ValueDetail { width: 50; height: 10; }"

    def compose(self) -> ComposeResult:
        yield ValueDetail()


@pytest.mark.parametrize("value", [VALUE["index"], VALUE, CODE * 30], ids=["json", "json-with-code-below", "string"])
async def test_the_body_is_rendered_ahead_at_the_width_the_pane_lays_it_out(value: object):
    app = _Pane()
    async with app.run_test(size=(80, 24)) as pilot:
        pane = app.query_one(ValueDetail)
        if isinstance(value, str):
            text, is_json, blocks = value_detail.value_text(value), False, []
        else:
            (text, blocks), is_json = value_blocks(value), True
        options, widths = pane.layout_ahead()
        prepare(text, is_json, blocks, options=options, widths=widths)
        body = value_detail._PREPARED[(text, is_json, tuple(blocks))]
        ahead = set(body._by_options)
        assert ahead
        pane.show("v", text, is_json, blocks)
        await pilot.pause()
        await pilot.pause()
        shown = pane.query_one("#value-body", Static)
        assert shown.content_size.width in widths
        assert set(body._by_options) == ahead  # the UI thread rendered nothing new
        assert shown.content_size.height > 10  # taller than the pane: the scrollbar's width was the one
