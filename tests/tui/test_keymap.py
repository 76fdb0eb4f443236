"""The user's keymap: keys remapped by binding id from a file, shown as remapped in the
help screen and the command palette; a file that cannot be used says so in one line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from textual.command import CommandList, CommandPalette
from textual.widgets import Static

from agent_debug.tui.app import AgentDebugApp
from agent_debug.tui.key_bindings import APP_BINDINGS, keys_in_effect
from agent_debug.tui.keymap_file import KEYMAP_ENV, _Unusable, load_user_keymap, parse_keymap
from agent_debug.tui.screens.help_screen import HelpScreen
from agent_debug.tui.widgets.threads.thread_list import ThreadList
from tests.tui.conftest import settle
from tests.tui.test_app import make_app
from tests.tui.test_control import FEATURE_INPUT, control_app, phases

SIZE = (140, 45)
IDS = {b.id for b in APP_BINDINGS if b.id}


def keymap_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str, name: str = "keymap.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    monkeypatch.setenv(KEYMAP_ENV, str(path))
    return path


def keymap_notes(app: AgentDebugApp) -> list[str]:
    return [str(n.message) for n in app._notifications if n.title == "keymap"]


def help_text(screen: HelpScreen) -> str:
    """What the help screen shows, as plain text."""
    from rich.console import Console

    console = Console(width=120, record=True, file=open(os.devnull, "w"))
    for static in screen.query(Static):
        console.print(static.content)
    return console.export_text()


async def palette_entry(pilot, title: str) -> str:
    """The command palette's entry for ``title``, typed the way a user searches it."""
    await pilot.press("ctrl+p")
    await settle(pilot)
    assert isinstance(pilot.app.screen, CommandPalette)
    await pilot.press(*title)
    await settle(pilot)
    entries = [str(o.prompt) for o in pilot.app.screen.query_one(CommandList).options]
    await pilot.press("escape")
    await settle(pilot)
    return next(e for e in entries if e.split("\n")[0] == title)


async def test_next_step_remapped_to_j(tmp_path, monkeypatch):
    """`control.step = "j"`: j steps, n no longer does, and ? and the palette say j."""
    from agent_debug.fixtures.feature_request import graph

    keymap = keymap_file(tmp_path, monkeypatch, '"control.step" = "j"\n')
    written = keymap.stat().st_mtime_ns, keymap.read_bytes()
    app = control_app("memory", graph, create=True, start=("k1", FEATURE_INPUT, True))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        before = len(phases(app))
        await pilot.press("n")
        await settle(pilot)
        assert len(phases(app)) == before  # n is not a key any more
        await pilot.press("j")
        await settle(pilot)
        assert len(phases(app)) == before + 1  # one super-step
        assert keymap_notes(app) == []

        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert ("j", "Step", "control.step") in app.screen.rows
        step_line = next(line for line in help_text(app.screen).splitlines() if "control.step" in line)
        assert step_line.split() == ["j", "Step", "control.step"]
        await pilot.press("escape")
        await settle(pilot)

        entry = await palette_entry(pilot, "Step")
        assert "key j" in entry and "key n" not in entry
        assert "key c" in await palette_entry(pilot, "Continue")  # the others keep theirs
    assert (keymap.stat().st_mtime_ns, keymap.read_bytes()) == written  # read, never written


async def test_a_broken_keymap_file_is_one_clear_line(snapshot_db, tmp_path, monkeypatch):
    keymap = keymap_file(tmp_path, monkeypatch, 'control.step = "j\n')  # the string never ends
    written = keymap.read_bytes()
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        notes = keymap_notes(app)
        assert len(notes) == 1 and "\n" not in notes[0], notes
        assert str(keymap) in notes[0] and "not valid TOML" in notes[0] and "line 1" in notes[0]
        assert notes[0].endswith("using the default keys")
        await pilot.press("i")  # the default keys work
        assert app.query_one(ThreadList).inbox
        assert app.is_running
    assert keymap.read_bytes() == written


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('"control.step" = 3\n', 'control.step = 3: give a key like "j"'),
        ('"control.step" = ["j", ""]\n', "control.step"),
        ('"control.step" = "j k"\n', "control.step"),
        ("[[control]]\nstep = 'j'\n", "control"),
    ],
)
async def test_a_keymap_entry_that_is_no_key_is_one_clear_line(snapshot_db, tmp_path, monkeypatch, text, says):
    keymap_file(tmp_path, monkeypatch, text)
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        notes = keymap_notes(app)
        assert len(notes) == 1 and "\n" not in notes[0] and says in notes[0], notes


async def test_an_unknown_binding_id_is_named_and_the_rest_apply(snapshot_db, tmp_path, monkeypatch):
    keymap_file(tmp_path, monkeypatch, '"contrl.step" = "j"\ninbox = "I"\n')
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        notes = keymap_notes(app)
        assert len(notes) == 1 and "'contrl.step'" in notes[0], notes
        await pilot.press("I")
        assert app.query_one(ThreadList).inbox


async def test_a_named_keymap_file_that_is_missing_says_so(snapshot_db, tmp_path, monkeypatch):
    monkeypatch.setenv(KEYMAP_ENV, str(tmp_path / "nowhere.toml"))
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        notes = keymap_notes(app)
        assert len(notes) == 1 and "no such file" in notes[0] and KEYMAP_ENV in notes[0], notes
    assert not (tmp_path / "nowhere.toml").exists()


async def test_a_key_taken_from_another_binding_is_told(snapshot_db, tmp_path, monkeypatch):
    """Remapping search onto s takes the status filter's key: one line says so, the help shows it has none."""
    keymap_file(tmp_path, monkeypatch, 'search = "s"\n')
    app = make_app(snapshot_db)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        notes = keymap_notes(app)
        assert len(notes) == 1 and "\n" not in notes[0], notes
        assert "status_filter lost its key s to search" in notes[0]
        await pilot.press("s")
        await settle(pilot)
        assert app.query_one(ThreadList).has_class("searching")  # s searches now
        assert ("-", "Status", "status_filter") in app.keys.help_rows()
        assert ("s", "Search", "search") in app.keys.help_rows()


def test_the_config_directory_is_read_and_nothing_is_made_there(tmp_path, monkeypatch):
    import platformdirs

    config = tmp_path / "config" / "agent-debug"
    monkeypatch.delenv(KEYMAP_ENV, raising=False)
    monkeypatch.setattr(platformdirs, "user_config_path", lambda name: tmp_path / "config" / name)
    assert load_user_keymap(IDS).keys == {}  # no file: the default keys, and no word about it
    assert load_user_keymap(IDS).problem is None
    assert not (tmp_path / "config").exists()
    config.mkdir(parents=True)
    (config / "keymap.json").write_text('{"inbox": "I"}')
    assert load_user_keymap(IDS).keys == {"inbox": "I"}  # the JSON file, when there is no TOML one
    (config / "keymap.toml").write_text('"control.step" = "j"\n')
    assert load_user_keymap(IDS).keys == {"control.step": "j"}  # keymap.toml first
    assert sorted(p.name for p in config.iterdir()) == ["keymap.json", "keymap.toml"]


def test_keymap_file_format():
    text = '"control.step" = "j"\nquit = ["q", "ctrl+q"]\nrefresh = "ctrl+r, f5"\n[tab]\nevents = "E"\n'
    assert parse_keymap(text) == {"control.step": "j", "quit": "q,ctrl+q", "refresh": "ctrl+r,f5", "tab.events": "E"}
    assert parse_keymap("control.step = 'j'") == {"control.step": "j"}  # a dotted key is the same id
    assert parse_keymap("") == {}
    assert parse_keymap('{"control": {"step": "j"}, "inbox": "I"}', json_file=True) == {"control.step": "j", "inbox": "I"}
    for bad in ('["j"]', "{", '{"inbox": 1}'):
        with pytest.raises(_Unusable):
            parse_keymap(bad, json_file=True)


def test_keys_in_effect_resolve_as_textual_does():
    keys = keys_in_effect({"control.step": "j", "control.continue": "n"})
    assert [b.key for b in keys["control.step"]] == ["j"]
    assert [b.key for b in keys["control.continue"]] == ["n"]  # swapped onto n: no clash
    assert [b.key for b in keys["inbox"]] == ["i"]
    assert keys_in_effect({"search": "s"})["status_filter"] == []
