"""Helpers for driving the app with Textual's Pilot."""

from __future__ import annotations

import asyncio
import os
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.worker import WorkerCancelled

from agent_debug.inspector.sources.checkpoints import checkpoint_time
from agent_debug.inspector.targets import open_source

SNAPSHOT_DB = Path(__file__).resolve().parents[1] / "data" / "snapshot.db"


@pytest.fixture(autouse=True)
def _default_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    """The default key bindings, whatever keymap the developer keeps in their config dir
    (a test of the keymap sets its own)."""
    monkeypatch.setenv("AGENT_DEBUG_KEYMAP", os.devnull)


async def settle(pilot: Pilot, rounds: int = 3) -> None:
    """Wait until no worker runs and the message queues are empty, a few times over
    (a finished load often starts the next one: threads → history → checkpoint → graph)."""
    app = pilot.app
    quiet = 0
    for _ in range(200):
        await pilot.pause()
        busy = any(w.is_running for w in app.workers)
        if busy:
            try:
                await app.workers.wait_for_complete()
            except WorkerCancelled:
                pass  # a newer selection replaced that load: exactly what exclusive workers do
            quiet = 0
        else:
            quiet += 1
            if quiet >= rounds:
                return
        await asyncio.sleep(0.01)


async def wait_until(pilot: Pilot, condition, what: str, tries: int = 600) -> None:
    """Let the app poll and load until ``condition()`` holds (a bound on rounds, not a duration)."""
    for _ in range(tries):
        await settle(pilot, rounds=1)
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError(f"never happened: {what}")


def fixed_clock(db: Path):
    """A clock ten minutes after the store's newest checkpoint, so ages never drift."""
    with open_source(str(db)) as source:
        newest = max(source.threads().threads, key=lambda t: t.checkpoint_id)
    when = checkpoint_time(newest.checkpoint_id) + timedelta(minutes=10)
    return lambda: when


@pytest.fixture
def snapshot_db(tmp_path: Path) -> Path:
    """A private copy of the committed store the snapshots are taken of."""
    copy = tmp_path / "snapshot.db"
    shutil.copy(SNAPSHOT_DB, copy)
    return copy
