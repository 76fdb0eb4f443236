"""The whole of one value, for the row highlighted in the state tree."""

from __future__ import annotations

import json
from typing import Any

from rich.syntax import Syntax
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from agent_debug.tui.safe_text import visible

# The detail pane shows a preview: Textual lays out (and Rich highlights) a Static's
# whole text on every layout pass, so a 10 MB value would freeze the UI for seconds.
# y copies the whole value.
MAX_CHARS = 30_000
MAX_LINES = 600
HIGHLIGHT_UP_TO = 8_000


def value_text(value: Any) -> str:
    """A value as indented JSON (types kept by their __type__ field), cut to a preview."""
    if isinstance(value, str):
        text = value[: MAX_CHARS * 2]
        total = len(value)
    else:
        text = json.dumps(value, indent=2, ensure_ascii=False, default=repr)
        total = len(text)
    lines = text.splitlines()
    if len(text) > MAX_CHARS or len(lines) > MAX_LINES:
        text = "\n".join(lines[:MAX_LINES])[:MAX_CHARS]
        text += f"\n… a preview of {total:,} characters; y copies the whole value"
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
        self.query_one("#value-path", Static).update(Text(visible(path or "(state)")))
        # JSON escapes C0 controls but keeps DEL, C1 and bidi overrides; a plain string keeps all.
        text = visible(text, lines=True)
        if is_json and len(text) <= HIGHLIGHT_UP_TO:
            body = Syntax(text, "json", word_wrap=True, theme="ansi_dark")
        else:
            body = Text(text)
        self.query_one("#value-body", Static).update(body)
        self.scroll_home(animate=False)
