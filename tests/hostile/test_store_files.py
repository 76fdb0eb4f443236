"""Issue 12, item 7: reading a store leaves every file beside it as it was, in every state
a real writer leaves it in, also in a read-only directory.

The states are made by real processes: a LangGraph writer that holds its connection
open with its last steps still in the ``-wal`` (``wal_autocheckpoint=0``), one killed
with SIGKILL there (its ``-wal`` and ``-shm`` left behind), the same without its
``-shm``, and a rollback-journal writer killed inside a transaction (a hot journal). The
read-only directory is a real one: the commands run as the unprivileged user ``nobody``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))

# Seeds thread "old" and checkpoints it into the file; then runs thread "new" with the
# WAL never checkpointed, and either waits for a line (live), or dies (crash).
WRITER = textwrap.dedent(
    """
    import os, signal, sqlite3, sys
    sys.path.insert(0, sys.argv[3])
    from langgraph.checkpoint.sqlite import SqliteSaver
    from tests.graphs import linear_builder

    path, how = sys.argv[1:3]
    conn = sqlite3.connect(path, check_same_thread=False)
    saver = SqliteSaver(conn)
    saver.setup()
    graph = linear_builder().compile(checkpointer=saver)
    graph.invoke({"x": 1}, {"configurable": {"thread_id": "old"}})
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    graph.invoke({"x": 2}, {"configurable": {"thread_id": "new"}})
    print("written", flush=True)
    if how == "crash":
        os.kill(os.getpid(), signal.SIGKILL)
    sys.stdin.readline()
    conn.close()
    """
)

# A rollback-journal store with thread "old" committed, then killed inside a transaction.
HOT_JOURNAL = textwrap.dedent(
    """
    import os, signal, sqlite3, sys
    sys.path.insert(0, sys.argv[2])
    from langgraph.checkpoint.sqlite import SqliteSaver
    from tests.graphs import linear_builder

    conn = sqlite3.connect(sys.argv[1], check_same_thread=False, isolation_level=None)
    saver = SqliteSaver(conn)
    saver.setup()
    conn.execute("PRAGMA journal_mode=delete")
    graph = linear_builder().compile(checkpointer=saver)
    graph.invoke({"x": 1}, {"configurable": {"thread_id": "old"}})
    conn.execute("PRAGMA cache_size=1")
    conn.execute("BEGIN")
    conn.execute("DELETE FROM writes")
    conn.execute("UPDATE checkpoints SET metadata = '{}'")
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def files(folder: Path) -> dict[str, str]:
    """The directory listing with each entry's content hash and mode."""
    return {
        p.name: f"{hashlib.sha256(p.read_bytes()).hexdigest()} {oct(p.stat().st_mode)}" for p in sorted(folder.iterdir())
    }


def agent_debug(*args: str, as_nobody: bool = False) -> subprocess.CompletedProcess[str]:
    cmd = [AGENT_DEBUG, *args]
    if as_nobody:
        cmd = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", *cmd]
    env = {**os.environ, "HOME": "/tmp"}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, env=env, cwd="/")


def read_everything(store: Path, *, as_nobody: bool = False, shown_as: Path | None = None) -> dict[str, object]:
    """What the read commands say of the store (each must succeed), naming it ``shown_as``."""
    out: dict[str, object] = {}
    for name, args in {
        "threads": ["threads", str(store), "--json"],
        "history": ["history", str(store), "--thread", "new", "--json"],
        "state": ["state", str(store), "--thread", "new", "--json"],
    }.items():
        done = agent_debug(*args, as_nobody=as_nobody)
        assert done.returncode == 0, (name, done.stderr)
        out[name] = json.loads(done.stdout.replace(str(store), str(shown_as or store)))
    return out


def statuses(seen: dict[str, object]) -> dict[str, str]:
    return {t["thread_id"]: t["status"] for t in seen["threads"]["threads"]}  # type: ignore[index]


@pytest.fixture
def folder() -> Iterator[Path]:
    # Not under pytest's tmp_path (0700 under root): the user nobody must reach it.
    where = Path(tempfile.mkdtemp(prefix="agent-debug-files-"))
    where.chmod(0o755)
    try:
        yield where
    finally:
        where.chmod(0o755)
        shutil.rmtree(where)


def crashed_store(folder: Path) -> Path:
    store = folder / "s.db"
    proc = subprocess.run([sys.executable, "-c", WRITER, str(store), "crash", str(ROOT)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL and "written" in proc.stdout, proc.stderr
    assert {"s.db-wal", "s.db-shm"} <= set(files(folder))
    return store


def test_a_live_writers_wal_is_read_and_left_alone(folder: Path) -> None:
    store = folder / "s.db"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(store), "live", str(ROOT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert writer.stdout.readline().strip() == "written"
        before = files(folder)
        assert {"s.db-wal", "s.db-shm"} <= set(before)
        seen = read_everything(store)
        # "new" lives only in the WAL: it is read, and its index is not touched.
        assert statuses(seen) == {"old": "interrupted", "new": "interrupted"}
        assert seen["state"]["values"]["x"] == 3  # type: ignore[index]
        assert files(folder) == before
    finally:
        writer.communicate("\n", timeout=60)


def test_a_crashed_writers_wal_is_read_without_repairing_its_index(folder: Path) -> None:
    store = crashed_store(folder)
    before = files(folder)
    seen = read_everything(store)
    assert statuses(seen) == {"old": "interrupted", "new": "interrupted"}
    assert files(folder) == before


def test_a_wal_without_its_index_is_read_and_no_index_is_created(folder: Path) -> None:
    store = crashed_store(folder)
    (folder / "s.db-shm").unlink()
    before = files(folder)
    seen = read_everything(store)
    assert statuses(seen) == {"old": "interrupted", "new": "interrupted"}
    assert files(folder) == before


def test_a_hot_journal_is_not_rolled_back_into_the_store(folder: Path) -> None:
    store = folder / "s.db"
    proc = subprocess.run([sys.executable, "-c", HOT_JOURNAL, str(store), str(ROOT)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "s.db-journal" in files(folder)
    before = files(folder)
    done = agent_debug("threads", str(store), "--json")
    assert done.returncode == 0, done.stderr
    # The committed state, as SQLite itself would give it after rolling back.
    assert [(t["thread_id"], t["status"]) for t in json.loads(done.stdout)["threads"]] == [("old", "interrupted")]
    assert files(folder) == before


def test_a_clean_wal_store_creates_no_file(folder: Path) -> None:
    store = folder / "s.db"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(store), "live", str(ROOT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert writer.stdout.readline().strip() == "written"
    writer.communicate("\n", timeout=60)  # a clean close: the WAL goes into the file, -wal and -shm go
    before = files(folder)
    assert set(before) == {"s.db"}
    seen = read_everything(store)
    assert statuses(seen) == {"old": "interrupted", "new": "interrupted"}
    assert files(folder) == before


@pytest.mark.parametrize("state", ["clean", "crashed", "no index"])
def test_a_wal_store_in_a_read_only_directory_is_read(folder: Path, state: str) -> None:
    if state == "clean":
        store = folder / "s.db"
        writer = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(store), "live", str(ROOT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert writer.stdout.readline().strip() == "written"
        writer.communicate("\n", timeout=60)
    else:
        store = crashed_store(folder)
        if state == "no index":
            (folder / "s.db-shm").unlink()
    # What the owner reads in a writable directory, from a copy (reading must not repair this one).
    twin = Path(tempfile.mkdtemp(prefix="agent-debug-twin-"))
    try:
        for path in folder.iterdir():
            shutil.copyfile(path, twin / path.name)
        expected = read_everything(twin / store.name, shown_as=store)
    finally:
        shutil.rmtree(twin)
    for path in folder.iterdir():
        path.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    folder.chmod(0o555)
    before = files(folder)
    probe = agent_debug("threads", str(store), "--json", as_nobody=True)
    assert probe.returncode == 0, probe.stderr
    assert read_everything(store, as_nobody=True) == expected
    assert files(folder) == before
