"""Helpers for the console's tests: private copies of the committed store, the console
in-process (a ``LineDebugger`` writing to strings) and as a subprocess reading a script."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_debug.inspector.session import DebugSession, open_session
from agent_debug.tui.cli.graph_ref import load_graph_ref
from agent_debug.tui.console.debugger import LineDebugger
from agent_debug.tui.console.repl import execute

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT_DB = ROOT / "tests" / "data" / "snapshot.db"
FEATURE = "fixtures/feature_request.py:graph"
PYTHON = sys.executable
AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))


@pytest.fixture
def store(tmp_path: Path) -> Path:
    """A private copy of the committed store (feature, tool and supervisor threads in every end state)."""
    copy = tmp_path / "runs.db"
    shutil.copy(SNAPSHOT_DB, copy)
    return copy


class Console:
    """The console in-process: ``run(line)`` is its exit status; what it printed is in ``out``/``err``."""

    def __init__(self, session: DebugSession) -> None:
        self.stdout, self.stderr = io.StringIO(), io.StringIO()
        self.session = session
        self.dbg = LineDebugger(session, out=self.stdout, err=self.stderr, secret=session.target)

    def run(self, line: str) -> int:
        return execute(self.dbg, line)

    def ok(self, line: str) -> str:
        """Run a command that must succeed; what it printed, from here on."""
        start = self.stdout.tell()
        status = self.run(line)
        assert status == 0, f"{line!r} failed ({status}): {self.stderr.getvalue()}"
        self.stdout.seek(start)
        printed = self.stdout.read()
        return printed

    @property
    def out(self) -> str:
        return self.stdout.getvalue()

    @property
    def err(self) -> str:
        return self.stderr.getvalue()


@pytest.fixture
def reader(store: Path) -> Iterator[Console]:
    """The console on the store, read-only."""
    with open_session(str(store)) as session:
        yield Console(session)


@pytest.fixture
def actor(store: Path) -> Iterator[Console]:
    """The console on the store with the feature-request graph: it can run and append."""
    graph = load_graph_ref(FEATURE, None)
    with open_session(str(store), graph=graph) as session:
        yield Console(session)


def console_process(*args: str, script: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The installed ``agent-debug console ARGS`` reading ``script`` on its standard input (a pipe)."""
    return subprocess.run(
        [AGENT_DEBUG, "console", *args],
        input=script, capture_output=True, text=True, timeout=120, cwd=ROOT, env=env or dict(os.environ),
    )  # fmt: skip
