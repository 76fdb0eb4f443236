"""Stored text made safe for a terminal.

A thread id, an interrupt value or an error message is input from a stranger: a raw
ESC can set the window title (OSC 0), write the clipboard (OSC 52) or clear the screen,
and a bidi override reorders what the user reads. Such characters are shown as visible
escapes (``\\x1b``, ``\\u202e``) instead. Standard library only: the CLI's error line
uses it before anything else is imported. The front ends take it from ``tui.safe_text``.
"""

from __future__ import annotations

import re

# C0 controls, DEL, C1 controls, bidi embeddings/overrides (U+202A–202E) and isolates
# (U+2066–2069). \n and \t are kept where a text may span lines (a traceback, a value).
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_KEEP_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, lines: bool = False) -> str:
    """``text`` with every control character shown as an escape; ``lines`` keeps \\n and \\t."""
    pattern = _UNSAFE_KEEP_LINES if lines else _UNSAFE
    # The common case (nothing to escape) costs one scan and no copy.
    return pattern.sub(_escape, text) if pattern.search(text) else text
