"""``ctrl+e`` in the edit-and-fork and the answer dialogs: the value in ``$EDITOR``.

A real editor program (a small script set as $EDITOR) rewrites the temp file. Under
Pilot Textual cannot suspend the app, so the dialogs' part is tested by handing them
what the editor saved; the whole round trip, suspend included, is in
tests/e2e/test_tmux_remember_editor.py.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static, TextArea

from agent_debug.inspector.model import InterruptInfo
from agent_debug.tui.app import AgentDebugApp
from agent_debug.tui.external_editor import EditorProblem, edit_text, editor_command
from agent_debug.tui.screens.edit_screen import EditStateScreen
from agent_debug.tui.screens.interrupt_screen import InterruptScreen
from tests.tui.conftest import settle
from tests.tui.test_app import make_app

EDITOR_SCRIPT = """\
#!{python}
# A stand-in editor: records how it was called, then saves the text it was told to.
import json, os, stat, sys
args = sys.argv[1:]
path = args[-1]
with open({log!r}, "a") as log:
    log.write(json.dumps({{"args": args[:-1], "suffix": os.path.splitext(path)[1],
                          "mode": stat.S_IMODE(os.stat(path).st_mode), "text": open(path).read()}}) + "\\n")
with open(path, "w") as out:
    out.write(open({saves!r}).read())
sys.exit(int(os.environ.get("FAKE_EDITOR_STATUS", "0")))
"""


class Editor:
    """A real editor program: ``saves`` is what it writes into the file it opens."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "editor.py"
        self.log = folder / "editor.log"
        self.saves_file = folder / "saves.txt"
        self.path.write_text(EDITOR_SCRIPT.format(python=sys.executable, log=str(self.log), saves=str(self.saves_file)))
        self.path.chmod(0o700)
        self.saves("{}")

    def saves(self, text: str) -> None:
        self.saves_file.write_text(text)

    def calls(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.log.read_text().splitlines()] if self.log.exists() else []


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Editor:
    made = Editor(tmp_path)
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", str(made.path))
    return made


def temp_files() -> set[str]:
    import tempfile

    return {p.name for p in Path(tempfile.gettempdir()).glob("agent-debug-*.json")}


def test_the_editor_rewrites_a_private_json_file_that_is_removed_after(editor: Editor):
    before = temp_files()
    editor.saves('{"plan": ["a", "b"]}\n')
    assert edit_text('{"plan": []}') == '{"plan": ["a", "b"]}\n'
    [call] = editor.calls()
    assert call == {"args": [], "suffix": ".json", "mode": 0o600, "text": '{"plan": []}\n'}
    assert temp_files() == before


def test_an_editor_with_arguments_is_split_like_a_shell(editor: Editor, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("EDITOR", f"'{editor.path}' --wait -n")  # as EDITOR="code --wait" is written
    edit_text("1")
    assert editor.calls()[-1]["args"] == ["--wait", "-n"]
    monkeypatch.setenv("VISUAL", f"{editor.path} --from-visual")  # VISUAL comes first
    edit_text("1")
    assert editor.calls()[-1]["args"] == ["--from-visual"]


def test_an_editor_that_fails_changes_nothing(editor: Editor, monkeypatch: pytest.MonkeyPatch):
    before = temp_files()
    monkeypatch.setenv("FAKE_EDITOR_STATUS", "3")
    with pytest.raises(EditorProblem, match=r"^the editor exited with status 3; the value here is unchanged$"):
        edit_text("1")
    assert temp_files() == before


def test_no_editor_is_one_line(tmp_path: Path):
    with pytest.raises(EditorProblem, match=r"^editor 'no-such-editor-x' not found; set \$EDITOR"):
        edit_text("1", env={"EDITOR": "no-such-editor-x", "PATH": str(tmp_path)})
    with pytest.raises(EditorProblem, match=r"^no editor: set \$EDITOR \(or \$VISUAL\)"):
        editor_command({"PATH": str(tmp_path)})  # and no vi on the PATH
    (tmp_path / "vi").write_text("#!/bin/sh\n")
    (tmp_path / "vi").chmod(0o700)
    assert editor_command({"PATH": str(tmp_path)}) == ["vi"]
    with pytest.raises(EditorProblem, match="cannot be split like a shell command"):
        editor_command({"EDITOR": "'unclosed"})


def texts(screen, selector: str) -> str:
    return str(screen.query_one(selector, Static).content)


async def open_screen(app: AgentDebugApp, pilot, screen) -> list[Any]:
    """Push ``screen``; the list receives what it dismisses with."""
    results: list[Any] = []
    app.push_screen(screen, results.append)
    await settle(pilot)
    return results


async def test_edit_dialog_ctrl_e_under_pilot_says_why_and_keeps_the_value(snapshot_db: Path, editor: Editor):
    app = make_app(snapshot_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = EditStateScreen("1ef-cp", "plan", ["a"], None)
        await open_screen(app, pilot, screen)
        area = screen.query_one("#edit-value", TextArea)
        area.focus()
        await pilot.press("ctrl+e")  # while typing in the value's editor: the dialog's key wins
        await settle(pilot)
        assert texts(screen, "#edit-problem") == "the editor needs the app on a real terminal (Textual cannot suspend here)"
        assert json.loads(area.text) == ["a"] and editor.calls() == []


async def test_edit_dialog_takes_what_the_editor_saved(snapshot_db: Path, editor: Editor):
    app = make_app(snapshot_db)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = EditStateScreen("1ef-cp", "plan", ["a"], None)
        results = await open_screen(app, pilot, screen)
        area = screen.query_one("#edit-value", TextArea)

        editor.saves('["a",\n "b" oops]\n')
        screen.editor_returned(edit_text(area.text))
        await settle(pilot)
        # Not JSON: shown as a problem; the text stays in the dialog to fix, nothing forked.
        assert area.text == '["a",\n "b" oops]'
        assert texts(screen, "#edit-problem").startswith("the editor's text is not valid JSON: Expecting ',' delimiter at line 2 column")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert results == [] and app.screen is screen

        editor.saves('["a", "b"]\n')
        screen.editor_returned(edit_text(area.text))
        await settle(pilot)
        assert texts(screen, "#edit-problem") == "" and area.text == '["a", "b"]'
        assert results == []  # back in the dialog, not forked yet
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert results == [({"plan": ["a", "b"]}, None)]


def two_interrupts() -> list[InterruptInfo]:
    return [
        InterruptInfo(id="i-1", value="first?", node="ask_one", task_id="t1"),
        InterruptInfo(id="i-2", value="second?", node="ask_two", task_id="t2"),
    ]


async def test_answer_dialog_edits_the_focused_value_in_the_editor(snapshot_db: Path, editor: Editor):
    app = make_app(snapshot_db)
    async with app.run_test(size=(120, 45)) as pilot:
        screen = InterruptScreen("th", two_interrupts())
        results = await open_screen(app, pilot, screen)
        screen.query_one("#value-1", TextArea).focus()
        await pilot.press("ctrl+e")  # priority over the editor's own ctrl+e (line end)
        await settle(pilot)
        assert "cannot suspend here" in texts(screen, "#problem-1") and editor.calls() == []
        assert screen.editor_index() == 1

        editor.saves('{"answer": "yes, the second"\n')
        screen.editor_returned(1, edit_text(screen.query_one("#value-1", TextArea).text))
        await settle(pilot)
        assert "not valid JSON" in texts(screen, "#problem-1") and texts(screen, "#problem-0") == ""
        assert screen.query_one("#value-1", TextArea).text == '{"answer": "yes, the second"'

        editor.saves('{"answer": "yes, the second"}')
        screen.editor_returned(1, edit_text(screen.query_one("#value-1", TextArea).text))
        await settle(pilot)
        assert texts(screen, "#problem-1") == "" and results == []
        await pilot.press("ctrl+s")
        await settle(pilot)
        [plan] = results
        assert plan["i-2"] == {"answer": "yes, the second"}


def test_the_editor_keys_have_binding_ids():
    ids = {b.id: (b.key, b.priority) for b in (*EditStateScreen.BINDINGS, *InterruptScreen.BINDINGS)}
    assert ids["edit.editor"] == ("ctrl+e", True) and ids["interrupt.editor"] == ("ctrl+e", True)
