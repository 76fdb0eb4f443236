"""The whole of one value, for the row highlighted in the state tree."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
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


def value_text(value: Any) -> str:
    """A value as indented JSON (types kept by their __type__ field), cut to a preview."""
    if isinstance(value, str):
        return _cut(value[: MAX_CHARS * 2], len(value))
    text = json.dumps(value, indent=2, ensure_ascii=False, default=repr)
    return _cut(text, len(text))


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


class ValueDetail(VerticalScroll):
    """Shows the path and the whole value of the highlighted state row."""

    DEFAULT_CSS = """
    ValueDetail { height: 1fr; border-top: solid $primary-background; }
    ValueDetail > #value-path { color: $text-muted; }
    """

    def compose(self):  # type: ignore[override]
        yield Static("", id="value-path")
        yield Static("", id="value-body")

    def show(self, path: str, text: str, is_json: bool, blocks: Sequence[tuple[str, str]] = ()) -> None:
        """Show a value already turned into text (that work runs off the UI thread): a
        string as text (code as code), JSON highlighted, then ``blocks``, the multi-line
        strings the JSON stands in for."""
        self.query_one("#value-path", Static).update(Text(visible(path or "(state)")))
        body: RenderableType
        if not is_json:
            body = text_block(text)
        else:
            # JSON escapes C0 controls but keeps DEL, C1 and bidi overrides.
            safe = visible(text, lines=True)
            body = Syntax(safe, "json", word_wrap=True, theme="ansi_dark") if len(safe) <= HIGHLIGHT_UP_TO else Text(safe)
        if blocks:
            body = Group(body, *set_out(blocks))
        self.query_one("#value-body", Static).update(body)
        self.scroll_home(animate=False)
