"""Shared fixtures: stores filled by real graph runs, and the PostgreSQL server (tests/pg_server.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest_plugins = ["tests.pg_server", "tests.server_proc"]


@pytest.fixture(autouse=True)
def _private_state_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the app remembers (``tui.remember``) goes to a folder of the test's own, never
    the developer's ~/.local/state; the commands a test starts inherit it."""
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path_factory.mktemp("state")))


@pytest.fixture
def term() -> Iterator[object]:
    """A private tmux server (``tests.e2e.test_tmux.Terminal``), always killed afterwards:
    the fixture of every test that drives the installed command in a real terminal."""
    from tests.e2e.test_tmux import Terminal

    terminal = Terminal()
    try:
        yield terminal
    finally:
        terminal.close()


@pytest.fixture
def short_tmp() -> Iterator[Path]:
    """A private folder with a short path (``/tmp/ad-XXXXXXXX``), for tests that read the
    debugger's header line, which names the store and is cut at the terminal's width."""
    import shutil
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="ad-", dir="/tmp"))
    folder.chmod(0o755)  # as tmp_path is: tests that switch user can read it
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def scenario_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, dict]]:
    """A SQLite store holding every scenario of tests/graphs.py; the writer is closed afterwards."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    from tests.graphs import run_scenarios

    path = tmp_path_factory.mktemp("scenarios") / "runs.db"
    conn = sqlite3.connect(path, check_same_thread=False)
    saver = SqliteSaver(conn)
    scenarios = run_scenarios(saver)
    yield path, scenarios
    conn.close()


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory):
    """The demo store: 24 threads of the fixture workflows in every end state."""
    from agent_debug.fixtures.seed import seed_store

    path = tmp_path_factory.mktemp("seeded") / "demo.db"
    report = seed_store(path, threads=24)
    return path, report
