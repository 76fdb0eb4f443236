"""Issue 12, item 4: control characters in stored data never reach the terminal raw.

A real SQLite store written by LangGraph's SqliteSaver holds a thread id, an interrupt
value, an error message and a state value carrying OSC 52 (clipboard write), OSC 0
(window title), a clear-screen CSI and a bidi override. Every text path shows them as
visible escapes: the CLI (plain and --json), refusals and error lines, the TUI.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agent_debug.tui.safe_text import visible

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
HOSTILE = "\x1b]52;c;aGVsbG8=\x07\x1b]0;pwned\x07\x1b[2J\u202e"
SHOWN = "\\x1b]52;c;aGVsbG8=\\x07\\x1b]0;pwned\\x07\\x1b[2J\\u202e"
RAW = ("\x1b", "\x07", "\u202e", "\x9b")
INTERRUPTED = "t-int" + HOSTILE
FAILED = "t-err" + HOSTILE

GRAPHS = textwrap.dedent(
    '''
    from typing import TypedDict

    from langgraph.graph import END, START, StateGraph
    from langgraph.types import interrupt

    BAD = "\\x1b]52;c;aGVsbG8=\\x07\\x1b]0;pwned\\x07\\x1b[2J\\u202e"


    class S(TypedDict, total=False):
        x: str


    def ask(state):
        return {"x": interrupt({"question": "ok?" + BAD, "note" + BAD: "line1\\nline2" + BAD})}


    def boom(state):
        raise ValueError("bad" + BAD)


    def _one(name, fn):
        g = StateGraph(S)
        g.add_node(name, fn)
        g.add_edge(START, name)
        g.add_edge(name, END)
        return g


    asking = _one("ask", ask).compile()
    failing = _one("boom", boom).compile()
    '''
)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the store, the graph module): one thread waiting at a hostile interrupt, one failed."""
    import runpy

    from langgraph.checkpoint.sqlite import SqliteSaver

    root = tmp_path_factory.mktemp("hostile")
    module = root / "hostile_graphs.py"
    module.write_text(GRAPHS)
    graphs = runpy.run_path(str(module))
    path = root / "hostile.db"
    conn = sqlite3.connect(path, check_same_thread=False)
    saver = SqliteSaver(conn)
    graphs["_one"]("ask", graphs["ask"]).compile(checkpointer=saver).invoke(
        {"x": "v" + HOSTILE}, {"configurable": {"thread_id": INTERRUPTED}}
    )
    with pytest.raises(ValueError):
        graphs["_one"]("boom", graphs["boom"]).compile(checkpointer=saver).invoke(
            {"x": "v"}, {"configurable": {"thread_id": FAILED}}
        )
    conn.close()
    return path, module


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AGENT_DEBUG, *args], capture_output=True, text=True, timeout=60)


def assert_no_raw(text: str, where: str) -> None:
    found = [c for c in RAW if c in text]
    if found:
        at = text.index(found[0])
        raise AssertionError(f"{where}: raw {', '.join(map(repr, found))} in output, e.g. …{text[max(0, at - 80) : at + 40]!r}…")


def test_visible_escapes_every_kind_of_control() -> None:
    assert visible(HOSTILE) == SHOWN
    assert visible("a\nb\tc\rd\x7f\x85\u2066") == "a\\nb\\tc\\rd\\x7f\\x85\\u2066"
    assert visible("a\nb\tc\x1b", lines=True) == "a\nb\tc\\x1b"
    assert visible("plain text, ünïcode ✔") == "plain text, ünïcode ✔"


def test_threads_history_state_show_escapes(store) -> None:
    db, _ = store
    outputs = {
        "threads": run("threads", str(db)),
        "threads --status error": run("threads", str(db), "--status", "error"),
        "history": run("history", str(db), "--thread", INTERRUPTED),
        "state interrupted": run("state", str(db), "--thread", INTERRUPTED),
        "state failed": run("state", str(db), "--thread", FAILED),
        "state --path": run("state", str(db), "--thread", INTERRUPTED, "--path", "x"),
    }
    for name, out in outputs.items():
        assert out.returncode == 0, (name, out.stderr)
        assert_no_raw(out.stdout + out.stderr, name)
    threads = outputs["threads"].stdout
    assert "t-int" + SHOWN in threads and "t-err" + SHOWN in threads
    assert "bad" + SHOWN in threads and "ok?" + SHOWN in threads
    assert "bad" + SHOWN in outputs["state failed"].stdout
    assert "t-int" + SHOWN in outputs["state interrupted"].stdout


def test_json_keeps_the_data_and_escapes_it(store) -> None:
    db, _ = store
    for args in (["threads", str(db)], ["history", str(db), "--thread", FAILED], ["state", str(db), "--thread", INTERRUPTED]):
        out = run(*args, "--json")
        assert out.returncode == 0, out.stderr
        # JSON is for programs: a bidi override may stay (valid UTF-8 JSON), ESC and BEL may not.
        raw = [c for c in ("\x1b", "\x07", "\x9b") if c in out.stdout]
        assert not raw, (args[0], raw)
        assert "\\u001b]52;c;aGVsbG8=\\u0007" in out.stdout
    doc = json.loads(run("threads", str(db), "--json").stdout)
    assert {t["thread_id"] for t in doc["threads"]} == {INTERRUPTED, FAILED}


def test_error_lines_and_refusals_show_escapes(store) -> None:
    db, module = store
    cases = {
        "unknown thread": run("state", str(db), "--thread", "nope" + HOSTILE),
        "unknown checkpoint": run("history", str(db), "--thread", INTERRUPTED, "--before", "zz" + HOSTILE),
        "resume a failed thread": run("resume", str(db), "--thread", FAILED, "--graph", f"{module}:failing", "--approve"),
        "resume an unknown interrupt": run(
            "resume", str(db), "--thread", INTERRUPTED, "--graph", f"{module}:asking", "--approve", "--interrupt", "zz" + HOSTILE
        ),
        "bad status": run("threads", str(db), "--status", "odd" + HOSTILE),
    }
    for name, out in cases.items():
        assert out.returncode in (1, 2), (name, out.returncode, out.stderr)
        assert_no_raw(out.stdout + out.stderr, name)
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("agent-debug: error:"), (name, out.stderr)
    assert SHOWN in cases["unknown thread"].stderr
    assert "t-err" + SHOWN in cases["resume a failed thread"].stderr


def _screen_text(app) -> str:
    """Everything the app would draw now, as the terminal would receive it (the SVG
    export holds each cell's text)."""
    return app.export_screenshot()


async def test_tui_shows_escapes_on_every_tab_and_in_the_dialog(store) -> None:
    from agent_debug.inspector.targets import open_source
    from agent_debug.tui.app import AgentDebugApp
    from agent_debug.tui.screens.interrupt_screen import InterruptScreen
    from tests.tui.conftest import settle

    db, _ = store
    app = AgentDebugApp(open_source(str(db)), poll_interval=0)
    async with app.run_test(size=(160, 48)) as pilot:
        await settle(pilot)
        seen = []
        for thread in (FAILED, INTERRUPTED):
            app.query_one("#thread-table").focus()
            for _ in range(2):
                await pilot.press("down" if thread == INTERRUPTED else "up")
                await settle(pilot)
            for key in ("g", "v", "d", "m", "x", "l", "i", "i", "s", "s", "s"):
                await pilot.press(key)
                await settle(pilot)
                screen = _screen_text(app)
                assert_no_raw(screen, f"TUI after {key!r} on {thread!r}")
                seen.append(screen)
        everything = "".join(seen)
        assert "t-int" in everything and "\\x1b" in everything

        with open_source(str(db)) as source:
            interrupts = source.thread(INTERRUPTED).interrupts
        app.push_screen(InterruptScreen(INTERRUPTED, interrupts))
        await settle(pilot)
        screen = _screen_text(app)
        assert_no_raw(screen, "interrupt dialog")
        assert "\\x1b" in screen
