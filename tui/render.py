"""Rich renderings of inspector records for people (the ``--json`` path never imports this)."""

from __future__ import annotations

import re
import reprlib
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.text import Text

from agent_debug.inspector.model import (
    CheckpointState,
    ErrorInfo,
    HistoryPage,
    InterruptInfo,
    MessageView,
    ThreadList,
    ThreadStatus,
    ThreadSummary,
)
from agent_debug.tui.safe_text import visible

STATUS_STYLE = {
    ThreadStatus.INTERRUPTED: "bold yellow",
    ThreadStatus.ERROR: "bold red",
    ThreadStatus.DONE: "green",
    ThreadStatus.PENDING: "cyan",
    ThreadStatus.UNREADABLE: "bold magenta",
}

Cell = str | tuple[str, str]


def console() -> Console:
    """A console for stdout; pipes get no colour and no wrapping, so ids stay whole."""
    tty = sys.stdout.isatty()
    return Console(highlight=False, soft_wrap=not tty)


def age(when: datetime | None, now: datetime | None = None) -> str:
    """'42s ago', '3m ago', '5h ago', '2d ago'."""
    if when is None:
        return "-"
    seconds = max(0, int(((now or datetime.now(UTC)) - when).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit} ago"
    return f"{seconds}s ago"


_REPR = reprlib.Repr()
_REPR.maxstring = _REPR.maxother = 200
_REPR.maxlist = _REPR.maxdict = _REPR.maxtuple = _REPR.maxset = 8
_REPR.maxlevel = 3


def short(value: Any, width: int = 60, *, escape: bool = True) -> str:
    """One line of at most ``width`` characters, control characters shown as escapes
    (``escape=False``: for a caller that shows the result by its repr, which escapes);
    never builds the repr of a huge value."""
    text = value[: width * 4] if isinstance(value, str) else _REPR.repr(value)
    text = " ".join(text.split())
    if escape:
        text = visible(text)
    return text if len(text) <= width else text[: width - 1] + "…"


# -- multi-line text: prose as lines, code as code ---------------------------------------------

#: Code up to this many characters is highlighted; longer code is shown as plain lines
#: (Rich highlights on every render, on the UI thread, ~1 ms per few hundred characters).
HIGHLIGHT_UP_TO = 8_000

# A fenced block: ``` and an optional language name, its lines, the closing ``` (or the
# end of the text: a message still being streamed).
_FENCE = re.compile(r"^[ \t]*```[ \t]*([\w+#.-]*)[^\n]*\n(.*?)(?:^[ \t]*```[ \t]*$\n?|\Z)", re.M | re.S)
_PYTHON_LINE = re.compile(r"^\s*(?:def |class |import |from [\w.]+ import |async def |@\w|elif |except\b|return\b)", re.M)
_BLOCK_LINE = re.compile(r"(?:[{};]|=>|\):)\s*$", re.M)
_DETECT_CHARS = 4_000  # enough of a text to tell code from prose


def code_language(text: str) -> str | None:
    """The language of a multi-line string that reads as code (``python``, ``json``, or
    ``text`` for code of another language), None for prose. A few cheap line tests, not a
    lexer guess (Pygments' guess takes 300 ms on a short Python file and often errs)."""
    head = text[:_DETECT_CHARS]
    lines = [line for line in head.splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    stripped = head.strip()
    if stripped[:1] in "{[" and text.rstrip()[-1:] in "}]":
        return "json"
    python = len(_PYTHON_LINE.findall(head))
    indented = sum(line.startswith(("  ", "\t")) for line in lines)
    if python and 3 * (python + indented) >= len(lines):
        return "python"
    blocks = len(_BLOCK_LINE.findall(head))
    return "text" if blocks and 2 * (blocks + indented) >= len(lines) else None


def text_parts(text: str) -> list[tuple[str, str | None]]:
    """``text`` cut at its fenced code blocks, in order: (prose, None) and (code, its
    language: the fence's name, else as ``code_language`` reads it)."""
    parts: list[tuple[str, str | None]] = []
    at = 0
    for fence in _FENCE.finditer(text):
        if fence.start() > at:
            parts.append((text[at : fence.start()], None))
        code = fence.group(2)
        parts.append((code, fence.group(1) or code_language(code) or "text"))
        at = fence.end()
    if at < len(text):
        parts.append((text[at:], None))
    return [(part.strip("\n"), language) for part, language in parts if part.strip()]


def code_block(code: str, language: str, *, highlight: bool = True) -> RenderableType:
    """Code as written, wrapped to the width, highlighted when short enough (``highlight``
    off: plain lines, which a pipe gets whole; Rich crops Syntax to the console's width).
    ``code`` must be escaped already (``visible(..., lines=True)``)."""
    if not highlight or len(code) > HIGHLIGHT_UP_TO:
        return Text(code)
    from rich.syntax import Syntax  # Pygments: imported by the first value highlighted, not at start

    return Syntax(code, language, word_wrap=True, theme="ansi_dark", background_color="default")


def text_block(text: str, *, limit: int | None = None, style: str = "", code: bool = True, highlight: bool = True) -> RenderableType:
    """A stored multi-line string as it reads: its lines kept and wrapped, fenced code
    blocks (and, with ``code``, a text that reads as code) as code (see ``code_block``
    for ``highlight``). Control characters are escaped and markup is never read.
    ``limit``: at most so many characters, then a line saying how many more there are."""
    cut = text if limit is None or len(text) <= limit else text[:limit]
    safe = visible(cut, lines=True)
    whole = code_language(safe) if code and "```" not in safe else None
    parts = [(safe.strip("\n"), whole)] if whole else text_parts(safe)
    shown: list[RenderableType] = [
        code_block(part, language, highlight=highlight) if language else Text(part, style=style) for part, language in parts
    ]
    if len(cut) < len(text):
        shown.append(Text(f"… {len(text) - len(cut):,} more characters", style="dim italic"))
    return Group(*shown)


class _Below:
    """Stands in for a multi-line string that is set out below its value."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __repr__(self) -> str:
        return f"«{visible(self.path)}: below»"  # Pretty prints a repr as it is


def lift_multiline(value: Any, path: str = "") -> tuple[Any, list[tuple[str, str]]]:
    """``value`` with each multi-line string in it replaced by a stand-in («path: below»),
    and those strings as (path, text), in order: a description or a piece of code can
    then be shown as written rather than as one line of ``\\n`` escapes."""
    blocks: list[tuple[str, str]] = []

    def lift(item: Any, at: str) -> Any:
        if isinstance(item, str) and "\n" in item.strip():
            blocks.append((at or "value", item))
            return _Below(at or "value")
        if isinstance(item, dict):
            return {k: lift(v, f"{at}.{k}" if at else str(k)) for k, v in item.items()}
        if isinstance(item, list):
            return [lift(v, f"{at}.{i}" if at else str(i)) for i, v in enumerate(item)]
        return item

    return lift(value, path), blocks


def readable_value(value: Any, *, max_string: int | None = 600, max_block: int | None = 4_000, highlight: bool = True) -> RenderableType:
    """A value as Rich shows Python values (reprs escape control characters), with its
    multi-line strings set out below it as text, code as code (a multi-line string alone:
    that text). ``max_string``/``max_block``: None shows every character."""
    from rich.pretty import Pretty  # with attrs, ~30 ms: imported by the first value shown, not at start

    shown, blocks = lift_multiline(value)
    if isinstance(shown, _Below):
        return text_block(value, limit=max_block, highlight=highlight)
    return Group(Pretty(shown, max_string=max_string), *set_out(blocks, limit=max_block, highlight=highlight))


def set_out(blocks: Sequence[tuple[str, str]], *, limit: int | None = None, highlight: bool = True) -> list[RenderableType]:
    """Each multi-line string (path, text) of a value: its path, then its text indented
    below (see ``text_block``); a block without a path is a note."""
    parts: list[RenderableType] = []
    for path, text in blocks:
        if not path:
            parts.append(Text(visible(text), style="dim italic"))
            continue
        parts.append(Text(visible(f"{path}:"), style="bold"))
        parts.append(Padding(text_block(text, limit=limit, highlight=highlight), (0, 0, 0, 2), expand=False))
    return parts


def grid(headers: Sequence[str], rows: Sequence[Sequence[Cell]], right: Sequence[int] = ()) -> Text:
    """Aligned columns, one line per row; a cell is text or (text, style).

    Rich's Table measures every cell several times (over a second for 2,000 rows);
    a listing only needs widths and padding.
    """
    # Every cell may quote stored data (a thread id, a node name): escape it here, once.
    cells = [[(visible(c[0]), c[1]) if isinstance(c, tuple) else (visible(c), "") for c in row] for row in rows]
    widths = [cell_len(h) for h in headers]
    for row in cells:
        for i, (text, _) in enumerate(row):
            widths[i] = max(widths[i], cell_len(text))
    out = Text()
    last = len(headers) - 1

    def line(row: Sequence[tuple[str, str]], header: bool = False) -> None:
        for i, (text, style) in enumerate(row):
            pad = " " * (widths[i] - cell_len(text))
            if i == last:
                out.append(text, style="bold" if header else style)
            elif i in right:
                out.append(pad + text + "  ", style="bold" if header else style)
            else:
                out.append(text, style="bold" if header else style)
                out.append(pad + "  ")
        out.append("\n")

    line([(h, "") for h in headers], header=True)
    for row in cells:
        line(row)
    out.rstrip()
    return out


def interrupt_line(i: InterruptInfo) -> str:
    """The interrupt's question, in one line."""
    value = i.value
    if isinstance(value, dict):
        value = value.get("question") or value.get("message") or value
    return f"{visible(i.node or '?')}: {short(value)}"


def error_line(e: ErrorInfo) -> str:
    """Where and what failed, in one line."""
    return f"{visible(e.node or '?')}: {visible(e.type)}: {short(e.message)}"


def thread_detail(t: ThreadSummary) -> str:
    """Why a thread stopped, in one line: its damaged row, first error or first interrupt ('' for none)."""
    if t.read_error:
        return short(t.read_error, 100)
    if t.errors:
        return error_line(t.errors[0])
    if t.interrupts:
        more = f" (+{len(t.interrupts) - 1} more)" if len(t.interrupts) > 1 else ""
        return interrupt_line(t.interrupts[0]) + more
    return ""


def thread_grid(doc: ThreadList) -> Text:
    """Threads, one row each."""
    now = datetime.now(UTC)
    rows = []
    for t in doc.threads:
        detail = thread_detail(t)
        rows.append(
            [
                t.thread_id,
                (t.status.value, STATUS_STYLE[t.status]),
                "-" if t.last_step is None else str(t.last_step),
                t.last_node or (f"({t.last_source})" if t.last_source else "-"),
                ", ".join(t.next) or "-",
                age(t.updated_at, now),
                "?" if t.checkpoint_count is None else str(t.checkpoint_count),
                detail,
            ]
        )
    return grid(("THREAD", "STATUS", "STEP", "LAST NODE", "NEXT", "UPDATED", "CKPTS", "DETAIL"), rows, right=(2, 6))


def history_grid(doc: HistoryPage) -> Text:
    """History rows, newest first; a row whose parent is not the row below it marks a fork."""
    now = datetime.now(UTC)
    rows = []
    items = doc.checkpoints
    for i, c in enumerate(items):
        below = items[i + 1].checkpoint_id if i + 1 < len(items) else None
        fork = f"fork of {c.parent_id}" if c.parent_id and below is not None and c.parent_id != below else ""
        rows.append(
            [
                c.checkpoint_id,
                "-" if c.step is None else str(c.step),
                c.source or "-",
                ", ".join(c.nodes) or "-",
                age(c.created_at, now),
                (fork, "yellow"),
            ]
        )
    return grid(("CHECKPOINT", "STEP", "SOURCE", "NODES", "CREATED", "PARENT"), rows, right=(1,))


#: Characters of one message (or thinking block) shown in a conversation; the state shows it whole.
MESSAGE_CHARS = 6_000


def _labelled(label: str, text: str, style: str) -> RenderableType:
    """``label: text`` under a message, indented; a multi-line text starts below the label."""
    if "\n" not in text.strip():
        return Padding(Text(f"{label}: " + short(text, MESSAGE_CHARS), style=style), (0, 0, 0, 2))
    return Group(Text(f"  {label}:", style=style), Padding(text_block(text, limit=MESSAGE_CHARS, style=style, code=False), (0, 0, 0, 4), expand=False))


def message_block(m: MessageView) -> Group:
    """One message: role, thinking, text, tool calls, tokens."""
    head = Text(visible(m.role.upper()), style="bold magenta" if m.role == "ai" else "bold")
    if m.name:
        head.append(f" ({visible(m.name)})", style="dim")
    if m.usage:
        head.append(visible(f"  tokens in {m.usage.get('input_tokens', '?')} / out {m.usage.get('output_tokens', '?')}"), style="dim")
    parts: list[Any] = [head]
    for thought in m.reasoning:
        parts.append(_labelled("thinking", thought, "italic dim"))
    if m.text:
        parts.append(Padding(text_block(m.text, limit=MESSAGE_CHARS), (0, 0, 0, 2), expand=False))
    for call in m.tool_calls:
        name, call_id = visible(str(call.get("name"))), visible(str(call.get("id")))
        parts.append(Text(f"  → tool {name}({short(call.get('args'), 100)}) id={call_id}", style="yellow"))
    if m.tool_call_id:
        parts.append(Text(f"  ↳ result of {visible(m.tool_call_id)}", style="dim"))
    return Group(*parts)


def render_state(out: Console, doc: CheckpointState) -> None:
    """A readable view of one checkpoint's state."""
    header = Text.assemble(
        ("thread ", "dim"), visible(doc.thread_id), ("  checkpoint ", "dim"), visible(doc.checkpoint_id),
        ("  step ", "dim"), str(doc.step), ("  source ", "dim"), visible(str(doc.source)), ("  " + age(doc.created_at), "dim"),
    )
    if doc.namespace:
        header.append(f"  ns {visible(doc.namespace)}")
    out.print(header)
    if doc.next:
        out.print(Text.assemble(("next: ", "bold"), visible(", ".join(doc.next))))
    for i in doc.interrupts:
        out.print(Text.assemble(("interrupt ", "bold yellow"), f"{visible(str(i.id))} at {visible(str(i.node))}: {short(i.value, 200)}"))
    for e in doc.errors:
        where = visible(f"at {e.node}: {e.type}: ")
        out.print(Text.assemble(("error ", "bold red"), where, visible(str(e.message), lines=True)))
        if e.classification:
            sure = f" ({e.confidence:.0%})" if e.confidence is not None else ""
            out.print(Text(visible(f"  {e.classification}{sure}: {e.suggestion or ''}"), style="yellow"))
    if doc.path:
        # One value, whole: a terminal wraps it, a pipe gets its lines as they are.
        out.print(Text(visible(f"values at {doc.path}:"), style="bold"))
        out.print(readable_value(doc.values, max_string=None, max_block=None, highlight=out.is_terminal))
    else:
        from rich.pretty import Pretty

        # Pretty shows strings by their repr, which escapes control characters already.
        preview = Pretty(doc.values, max_string=200, max_length=30, max_depth=6, overflow="ellipsis")
        out.print(Panel(preview, title="values (--path KEY shows one whole)", title_align="left", expand=False))
    if doc.messages and not doc.path:
        out.print(Text(f"messages ({len(doc.messages)})", style="bold"))
        for m in doc.messages:
            out.print(message_block(m))
    if doc.decoded == "safe":
        out.print(Text("decoded safely: no module named in the stored data was imported", style="dim"))


# How a diff marks a key or message that was added, removed or changed.
CHANGE_MARK = {"added": ("+", "green"), "removed": ("-", "red"), "changed": ("~", "yellow")}


def diff_lines(changes: Sequence[Any], messages: Sequence[Any]) -> list[Text]:
    """One line per changed state key (``+``/``-``/``~`` path: value), then one per changed
    message (channel[index] ROLE text, or the tools it calls): the Diff tab and
    ``state --diff-from`` print the same lines."""
    lines: list[Text] = []
    for c in changes:
        mark, style = CHANGE_MARK[c.kind]
        if c.kind == "changed":
            body = f"{short(c.before, 60)} → {short(c.after, 60)}"
        else:
            body = short(c.after if c.kind == "added" else c.before, 120)
        lines.append(Text.assemble((visible(f"{mark} {c.path}"), style), ": ", body))
    for m in messages:
        mark, style = CHANGE_MARK[m.kind]
        text = m.message.text or (", ".join(t.get("name", "?") for t in m.message.tool_calls) if m.message.tool_calls else "")
        lines.append(Text.assemble((visible(f"{mark} {m.channel}[{m.index}] "), style), (visible(m.message.role.upper()), "bold"), " ", short(text, 100)))
    return lines
