"""The whole of one value, for the row highlighted in the state tree."""

from __future__ import annotations

import json
from typing import Any

from rich.syntax import Syntax
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

# Beyond this many characters the detail is cut: a 10 MB value would take the
# event loop longer to lay out than a person can read anyway.
MAX_CHARS = 200_000


def value_text(value: Any) -> str:
    """A value as indented JSON (types kept by their __type__ field), cut at MAX_CHARS."""
    if isinstance(value, str):
        text = value
    else:
        text = json.dumps(value, indent=2, ensure_ascii=False, default=repr)
    if len(text) > MAX_CHARS:
        text = text[:MAX_CHARS] + f"\n… cut at {MAX_CHARS:,} of {len(text):,} characters (copy with y for all)"
    return text


class ValueDetail(VerticalScroll):
    """Shows the path and the whole value of the highlighted state row."""

    DEFAULT_CSS = """
    ValueDetail { height: 1fr; border-top: solid $primary-background; }
    ValueDetail > #value-path { color: $text-muted; }
    """

    def compose(self):  # type: ignore[override]
        yield Static("", id="value-path")
        yield Static("", id="value-body")

    def show(self, path: str, text: str, is_json: bool) -> None:
        """Show a value already turned into text (that work runs off the UI thread)."""
        self.query_one("#value-path", Static).update(Text(path or "(state)"))
        body = Syntax(text, "json", word_wrap=True, theme="ansi_dark") if is_json else Text(text)
        self.query_one("#value-body", Static).update(body)
        self.scroll_home(animate=False)
