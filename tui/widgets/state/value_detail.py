"""The whole of one value, for the row highlighted in the state tree."""

from __future__ import annotations

import io
import json
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.measure import Measurement
from rich.padding import Padding
from rich.segment import Segment
from rich.syntax import Syntax
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from agent_debug.tui.render import HIGHLIGHT_UP_TO, lift_multiline, set_out, text_block
from agent_debug.tui.safe_text import visible

# The detail pane shows a preview: Textual lays out (and Rich highlights) a Static's
# whole text on every layout pass, so a 10 MB value would freeze the UI for seconds.
# y copies the whole value.
MAX_CHARS = 30_000
MAX_LINES = 600
_MORE = "… a preview of {total:,} characters; y copies the whole value"


def _cut(text: str, total: int, limit: int = MAX_CHARS) -> str:
    """``text`` (the first characters of ``total``) within ``limit`` characters and
    MAX_LINES lines, saying so when it is not the whole."""
    lines = text.splitlines()
    if len(text) <= limit and len(lines) <= MAX_LINES and len(text) >= total:
        return text
    return "\n".join(lines[:MAX_LINES])[:limit] + "\n" + _MORE.format(total=total)


# json.dumps(value, indent=2, ensure_ascii=False, default=repr), a piece at a time.
_JSON = json.JSONEncoder(indent=2, ensure_ascii=False, default=repr)


def value_text(value: Any) -> str:
    """A value as indented JSON (types kept by their __type__ field), cut to a preview.

    Only the preview's head is joined; the rest of the text is counted as it is made.
    Joining (and splitting into lines) the whole of a 15 MB text were two calls that held
    the GIL ~35 ms each. The head is long enough for ``_cut`` to cut it as it would cut
    the whole: JSON escapes "\r", so every line break in it is one character.
    """
    if isinstance(value, str):
        return _cut(value[: MAX_CHARS * 2], len(value))
    head: list[str] = []
    total = 0
    for chunk in _JSON.iterencode(value):
        if total <= 2 * MAX_CHARS + 2:
            head.append(chunk)
        total += len(chunk)
    return _cut("".join(head), total)


def value_blocks(value: Any) -> tuple[str, list[tuple[str, str]]]:
    """A container value as a JSON preview whose multi-line strings stand in as «path:
    below», and those strings (path, text) within the preview's budget: code and prose
    then read as written, not as ``\\n`` escapes. Runs off the UI thread."""
    shown, blocks = lift_multiline(value)
    text = value_text(shown)
    kept: list[tuple[str, str]] = []
    budget = MAX_CHARS - len(text)
    for path, block in blocks:
        if budget <= 0:
            kept.append(("", f"… {len(blocks) - len(kept)} more multi-line strings; y copies the whole value"))
            break
        kept.append((path, _cut(block[:budget], len(block), budget)))
        budget -= len(block)
    return text, kept


def _settled(renderable: RenderableType) -> RenderableType:
    """``renderable`` with each ``Syntax`` in it replaced by its highlighted ``Text``.

    Rich renders a word-wrapped ``Syntax`` line by line, lexing it again each time, and
    Textual renders a Static twice (its height, then its lines): 600 lines of JSON took
    ~240 ms of the UI thread. Lexed once here, off the UI thread, the same segments come
    out (the highlight is the text Syntax would wrap; only its added last newline goes).
    """
    if isinstance(renderable, Syntax) and not (renderable.line_numbers or renderable.line_range or renderable.indent_guides or any(renderable.padding)):
        text = renderable.highlight(renderable.code)
        if not renderable.code.endswith("\n"):
            text.remove_suffix("\n")
        return Group(text)  # a Group: Rich wraps it as it wrapped the Syntax (Textual's own wrap differs)
    if isinstance(renderable, Group):
        return Group(*(_settled(part) for part in renderable.renderables))
    if isinstance(renderable, Padding):
        renderable.renderable = _settled(renderable.renderable)
    return renderable


class _Kept:
    """A renderable kept as the segments it rendered to, for the last few options: Textual
    renders a Static once for its height and again for its lines (and again after any
    layout that changes nothing in it). A worker renders it ahead (``render_ahead``) for
    the widths the pane may lay it out at, so the UI thread only splits lines."""

    KEEP = 4

    def __init__(self, renderable: RenderableType, *, by_height: bool) -> None:
        self.renderable = renderable
        # Only a Padding (a multi-line string set out below) renders otherwise for a height.
        self._by_height = by_height
        self._by_options: OrderedDict[tuple[Any, ...], list[Segment]] = OrderedDict()

    def _key(self, options: ConsoleOptions) -> tuple[Any, ...]:
        return (options.max_width, options.justify, options.overflow, options.no_wrap, options.height if self._by_height else None)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        key = self._key(options)
        segments = self._by_options.get(key)
        if segments is None:
            segments = self._by_options[key] = list(console.render(self.renderable, options))
            while len(self._by_options) > self.KEEP:
                self._by_options.popitem(last=False)
        return segments

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.renderable)

    def render_ahead(self, options: ConsoleOptions, widths: Sequence[int]) -> None:
        """Render for each of ``widths`` (a worker thread: on a console of its own)."""
        console = Console(file=io.StringIO(), markup=False, highlight=False, emoji=False, legacy_windows=False)
        for width in widths:
            if width > 0:
                at_width = options.update_width(width)
                segments = self.__rich_console__(console, at_width)
                if self._by_height:  # Textual asks for the lines at the height it measured
                    self.__rich_console__(console, at_width.update(height=sum(s.text.count("\n") for s in segments)))


def detail_body(text: str, is_json: bool, blocks: Sequence[tuple[str, str]] = ()) -> RenderableType:
    """What the detail pane shows for a value already turned into text: a string as
    text (code as code), JSON highlighted, then ``blocks``, the multi-line strings the
    JSON stands in for. Lexing happens here: call it off the UI thread (``prepare``)."""
    body: RenderableType
    if not is_json:
        body = text_block(text)
    else:
        # JSON escapes C0 controls but keeps DEL, C1 and bidi overrides.
        safe = visible(text, lines=True)
        body = Syntax(safe, "json", word_wrap=True, theme="ansi_dark") if len(safe) <= HIGHLIGHT_UP_TO else Text(safe)
    if blocks:
        body = Group(body, *set_out(blocks))
    if isinstance(body, Text):
        return body  # Textual wraps a Text itself (as Content), not through Rich: kept as it was
    return _Kept(_settled(body), by_height=bool(blocks))


# Bodies made by workers for the texts on their way to the pane, newest last; keyed by
# the very strings the worker's message carries (a str caches its hash).
_PREPARED: OrderedDict[tuple[str, bool, tuple[tuple[str, str], ...]], RenderableType] = OrderedDict()
_PREPARED_LOCK = threading.Lock()
_PREPARED_KEEP = 4


def prepare(
    text: str, is_json: bool, blocks: Sequence[tuple[str, str]] = (), *, options: ConsoleOptions | None = None, widths: Sequence[int] = ()
) -> None:
    """Make the body ``ValueDetail.show`` will show for these, in the calling (worker)
    thread, rendered with ``options`` for each of ``widths`` (``ValueDetail.layout_ahead``),
    so the pane only lays it out."""
    body = detail_body(text, is_json, blocks)
    if options is not None and isinstance(body, _Kept):
        body.render_ahead(options, widths)
    with _PREPARED_LOCK:
        _PREPARED[(text, is_json, tuple(blocks))] = body
        while len(_PREPARED) > _PREPARED_KEEP:
            _PREPARED.popitem(last=False)


def _prepared(text: str, is_json: bool, blocks: Sequence[tuple[str, str]]) -> RenderableType:
    """The body a worker prepared for these (taken: shown once), else made now."""
    with _PREPARED_LOCK:
        body = _PREPARED.pop((text, is_json, tuple(blocks)), None)
    return body if body is not None else detail_body(text, is_json, blocks)


class ValueDetail(VerticalScroll):
    """Shows the path and the whole value of the highlighted state row."""

    DEFAULT_CSS = """
    ValueDetail { height: 1fr; border-top: solid $primary-background; }
    ValueDetail > #value-path { color: $text-muted; }
    """

    def compose(self):  # type: ignore[override]
        yield Static("", id="value-path")
        yield Static("", id="value-body")

    def layout_ahead(self) -> tuple[ConsoleOptions, tuple[int, ...]]:
        """The console options and the widths the value's body may be laid out at (with
        and without the vertical scrollbar), read on the UI thread for ``prepare``."""
        width = self.size.width  # within the border, the scrollbar's columns included
        return self.app.console_options.update(highlight=False), (width - self.styles.scrollbar_size_vertical, width)

    def show(self, path: str, text: str, is_json: bool, blocks: Sequence[tuple[str, str]] = ()) -> None:
        """Show a value already turned into text (that work runs off the UI thread): a
        string as text (code as code), JSON highlighted, then ``blocks``, the multi-line
        strings the JSON stands in for."""
        self.query_one("#value-path", Static).update(Text(visible(path or "(state)")))
        self.query_one("#value-body", Static).update(_prepared(text, is_json, blocks))
        self.scroll_home(animate=False)
