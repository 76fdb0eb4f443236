"""Multi-line stored text reads as written: code blocks in Messages, interrupt values in the
answer dialog and the errors tab, long values in the detail pane, and ``state --path`` in a
pipe, as JSON and through the installed command. Stored text stays hostile: control
characters are escaped and markup is never read."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages
from rich.console import Console
from rich.syntax import Syntax
from textual.widgets import Static

from agent_debug.inspector.targets import open_source
from agent_debug.tui.app import AgentDebugApp
from agent_debug.tui.cli import main
from agent_debug.tui.screens.interrupt_screen import InterruptScreen
from agent_debug.tui.widgets.state.messages_view import MessagesView
from agent_debug.tui.widgets.state.state_tree import StateTree, ValueRef
from tests.tui.conftest import fixed_clock, settle
from tests.tui.test_control import FEATURE_INPUT, control_app, wait_for_screen
from tests.tui.test_snapshots import app as snapshot_app
from tests.tui.test_snapshots import steps

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
SIZE = (120, 40)
#: 300 lines of Python: longer than any pane, shorter than the detail pane's preview
LONG_CODE = "\n\n".join(f"def step_{n}(rows):\n    return [r for r in rows if r['n'] > {n}]" for n in range(150))
HOSTILE = "first line\n[bold red]not markup[/]\nan escape \x1b]0;owned\x07 here\nlast line"


def rendered(renderable: Any, width: int = 100) -> str:
    """What a renderable shows, as plain text with trailing spaces dropped."""
    console = Console(width=width, record=True, color_system=None, file=open(os.devnull, "w"))
    console.print(renderable)
    return "\n".join(line.rstrip() for line in console.export_text().splitlines())


def shown(app: AgentDebugApp, selector: str, width: int = 100) -> str:
    return rendered(app.query_one(selector, Static).content, width)


def fence_body(text: str) -> str:
    """The code inside a ```python fence."""
    return text.split("```python\n", 1)[1].rsplit("```", 1)[0].rstrip("\n")


class Notes(TypedDict, total=False):
    messages: Annotated[list, add_messages]
    files: dict[str, str]
    note: str


@pytest.fixture(scope="module")
def notes_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store written by a real graph on SqliteSaver: a message with a code block, a long
    code file nested in a dict, and a hostile multi-line note."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    def write(state: Notes) -> dict[str, Any]:
        reply = AIMessage(f"Here it is:\n\n```python\n{LONG_CODE[:400]}\n```\n\nRun it with `python app.py`.")
        return {"messages": [HumanMessage("write the app"), reply], "files": {"app": LONG_CODE, "name": "app.py"}, "note": HOSTILE}

    path = tmp_path_factory.mktemp("notes") / "notes.db"
    conn = sqlite3.connect(path, check_same_thread=False)
    graph = StateGraph(Notes).add_node("write", write).add_edge(START, "write").compile(checkpointer=SqliteSaver(conn))
    graph.invoke({}, {"configurable": {"thread_id": "notes"}})
    conn.close()
    return path


def stored(db: Path, thread: str, path: str) -> Any:
    with open_source(str(db)) as source:
        return source.state(thread, path=path).values


# -- state --path ---------------------------------------------------------------------------------


def test_state_path_prints_a_multi_line_value_whole(snapshot_db: Path, capsys: pytest.CaptureFixture[str]):
    code = stored(snapshot_db, "feature-001-done", "code")
    assert code.count("\n") > 5
    assert main(["state", str(snapshot_db), "--thread", "feature-001-done", "--path", "code"]) == 0
    out = capsys.readouterr().out
    assert code.rstrip("\n") in out  # every line, as written, in a pipe
    assert "…" not in out

    assert main(["state", str(snapshot_db), "--thread", "feature-001-done", "--path", "code", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["values"] == code


def test_state_path_of_a_container_sets_its_multi_line_strings_out(notes_db: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["state", str(notes_db), "--thread", "notes", "--path", "files"]) == 0
    out = capsys.readouterr().out
    assert "'app': «app: below»" in out and "'name': 'app.py'" in out
    body = out.split("\napp:\n", 1)[1]
    lines = [line.removeprefix("  ").rstrip() for line in body.splitlines()]
    assert "\n".join(lines[: LONG_CODE.count("\n") + 1]) == LONG_CODE  # the whole file, indented under its key


def test_state_path_escapes_control_characters_and_reads_no_markup(notes_db: Path, capsys: pytest.CaptureFixture[str]):
    assert main(["state", str(notes_db), "--thread", "notes", "--path", "note"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "an escape \\x1b]0;owned\\x07 here" in out
    assert "[bold red]not markup[/]" in out  # as stored
    assert "first line\n" in out and "\nlast line" in out


def test_state_path_through_the_installed_command(snapshot_db: Path):
    code = stored(snapshot_db, "feature-001-done", "code")
    done = subprocess.run(
        [AGENT_DEBUG, "state", str(snapshot_db), "--thread", "feature-001-done", "--path", "code"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert code.rstrip("\n") in done.stdout and done.stderr == ""


# -- the TUI ----------------------------------------------------------------------------------------


def make_app(db: Path) -> AgentDebugApp:
    return AgentDebugApp(open_source(str(db)), clock=fixed_clock(db), poll_interval=0)


async def test_messages_show_a_code_block_as_lines(snapshot_db: Path):
    messages = stored(snapshot_db, "feature-001-done", "messages")
    code = fence_body(next(m["content"] for m in messages if isinstance(m["content"], str) and "```python" in m["content"]))
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"feature-001-done", "enter", "m")
        await settle(pilot)
        text = shown(app, "#messages-body")
        # The code as written (indented under its message), not one paragraph.
        assert "\n".join("  " + line if line else "" for line in code.splitlines()) in text
        assert "```" not in text
        body = app.query_one(MessagesView).query_one("#messages-body", Static).content
        assert any(isinstance(part, Syntax) for part in _walk(body))  # and highlighted as code


async def test_a_message_reads_prose_code_prose_in_order(notes_db: Path):
    app = make_app(notes_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        text = shown(app, "#messages-body")
        code = "\n".join("  " + line if line else "" for line in LONG_CODE[:400].splitlines())
        assert f"  Here it is:\n{code}\n  Run it with `python app.py`." in text


def _walk(renderable: Any):
    """Every renderable inside a Group / Padding tree."""
    yield renderable
    for child in getattr(renderable, "renderables", ()) or ():
        yield from _walk(child)
    inner = getattr(renderable, "renderable", None)
    if inner is not None:
        yield from _walk(inner)


async def test_the_answer_dialog_and_the_errors_tab_show_a_multi_line_value_as_lines():
    from agent_debug.fixtures.feature_request import graph

    app = control_app("memory", graph, create=True, start=("lines", FEATURE_INPUT, False))
    async with app.run_test(size=SIZE) as pilot:
        screen = await wait_for_screen(pilot, InterruptScreen)
        [intr] = screen.interrupts
        code = intr.value["code"].rstrip("\n")
        assert code.count("\n") > 5
        dialog = rendered(screen.query_one(".interrupt-value Static", Static).content)
        expected = "\n".join("  " + line if line else "" for line in code.splitlines())
        assert "«code: below»" in dialog and expected in dialog and "import json\\n" not in dialog
        await pilot.press("escape", "x")
        await settle(pilot)
        pending = shown(app, "#pending-body")
        assert "«code: below»" in pending and expected in pending


async def _show_value(pilot, app: AgentDebugApp, path: str) -> str:
    """Highlight ``path`` in the state tree (expanding its parents); the detail pane's text."""
    await pilot.press("v")
    await settle(pilot)
    tree = app.query_one(StateTree)
    node = tree.root
    parts = path.split(".")
    for i in range(len(parts)):
        node = next(n for n in node.children if isinstance(n.data, ValueRef) and n.data.path == ".".join(parts[: i + 1]))
        if i < len(parts) - 1:
            node.expand()
            await settle(pilot)
    tree.move_cursor(node)
    await settle(pilot)
    assert shown(app, "#value-path") == path
    return shown(app, "#value-body")


async def test_the_detail_pane_shows_a_long_multi_line_value_whole(notes_db: Path):
    app = make_app(notes_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = await _show_value(pilot, app, "files")
        assert '"app": "«app: below»"' in text and '"name": "app.py"' in text
        lines = [line.removeprefix("  ") for line in text.split("\napp:\n", 1)[1].splitlines()]
        assert "\n".join(lines) == LONG_CODE  # every line, none as a \n escape

        text = await _show_value(pilot, app, "files.app")
        assert text == LONG_CODE


async def test_the_detail_pane_escapes_a_hostile_multi_line_string(notes_db: Path):
    app = make_app(notes_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = await _show_value(pilot, app, "note")
        assert text == HOSTILE.replace("\x1b", "\\x1b").replace("\x07", "\\x07")  # markup as stored, lines kept


# -- what the user sees ------------------------------------------------------------------------------


def _to_the_code():
    async def run(pilot) -> None:
        await steps("m", thread="feature-001-done")(pilot)
        view = pilot.app.query_one(MessagesView)
        block = view.query_one("#messages-body", Static)
        # The first code block at the top of the pane: the fourth message's.
        text = rendered(block.content, view.scrollable_content_region.width)
        view.scroll_to(y=text.splitlines().index("  import json"), animate=False)
        await settle(pilot)

    return run


@pytest.mark.parametrize("size", [(80, 24), (200, 60)], ids=["80x24", "200x60"])
def test_messages_with_a_code_block(snap_compare, size):
    assert snap_compare(snapshot_app(), terminal_size=size, run_before=_to_the_code())
