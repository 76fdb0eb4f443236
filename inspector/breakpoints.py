"""Breakpoints as a session keeps them: a node, before or after it, an optional condition,
on or off, and how many times a run stopped there; and the text form every front end
reads (``NODE``, ``NODE if EXPR``), the same in the console, ``run --break`` and the TUI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent_debug.inspector.conditions import Condition

_IF = re.compile(r"\s+if\s+", re.IGNORECASE)


def split_spec(text: str) -> tuple[str, str | None]:
    """``'review if iterations > 2'`` → ``('review', 'iterations > 2')``; ``'review'`` → ``('review', None)``.

    Only the first `` if `` splits: a node name has no spaces, the condition may have more."""
    text = text.strip()
    parts = _IF.split(text, maxsplit=1)
    node = parts[0].strip()
    if len(parts) == 1:
        if text.lower().endswith(" if"):
            return text[:-3].strip(), ""
        return node, None
    return node, parts[1].strip()


@dataclass
class Breakpoint:
    """One breakpoint: before (or ``after``) ``node``; ``condition`` on the state, if any.

    ``enabled`` off keeps it in the list without stopping runs; ``hits`` counts the stops
    it made (a condition that was false does not count; one that failed to evaluate does:
    the run stopped there)."""

    node: str
    after: bool = False
    condition: Condition | None = None
    enabled: bool = True
    hits: int = 0

    @property
    def where(self) -> str:
        """'before' or 'after'."""
        return "after" if self.after else "before"

    @property
    def key(self) -> tuple[str, bool]:
        """What identifies it in a session: the node and the side."""
        return self.node, self.after

    def describe(self) -> str:
        """``before review if iterations >= 2`` (one line; the condition as typed)."""
        text = f"{self.where} {self.node}"
        return f"{text} if {self.condition.text}" if self.condition is not None else text

    def spec(self) -> str:
        """The text form ``run --break`` and the console take back."""
        return f"{self.node} if {self.condition.text}" if self.condition is not None else self.node
