"""``--record`` never destroys what it is pointed at, and a refused ``run`` creates nothing.

Real processes on real files: every refusal exits 2 with one plain line, and leaves every
file in the directory byte-identical and no new file (not even the store).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from agent_debug.inspector.recording import read_recording

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
ROOT = Path(__file__).resolve().parents[2]
FEATURE = str(ROOT / "fixtures/feature_request.py:graph")
INPUT = '{"request": "x"}'


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AGENT_DEBUG, *args], capture_output=True, text=True, timeout=120, cwd=cwd, env=env)


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` (links not followed) with a hash of what it holds."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            found[rel] = "link:" + os.readlink(path)
        elif path.is_dir():
            found[rel] = "dir"
        elif path.is_fifo():
            found[rel] = "fifo"  # reading one would wait for a writer
        else:
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def assert_refused(out: subprocess.CompletedProcess[str], *words: str) -> None:
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("agent-debug: error: --record"), out.stderr
    assert "internal error" not in out.stderr and "Traceback" not in out.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


@pytest.fixture(scope="module")
def store_bytes(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A real checkpoint store written by a real run (copied into each test's folder)."""
    where = tmp_path_factory.mktemp("seed")
    out = run("run", FEATURE, "--no-ui", "--checkpointer", "s.db", "--thread", "t", "--input", INPUT, cwd=where)
    assert out.returncode == 0, out.stderr
    return (where / "s.db").read_bytes()


@pytest.fixture
def folder(tmp_path: Path, store_bytes: bytes) -> Path:
    (tmp_path / "s.db").write_bytes(store_bytes)
    (tmp_path / "link.db").symlink_to("s.db")
    os.link(tmp_path / "s.db", tmp_path / "hard.db")
    (tmp_path / "notes.txt").write_text("my notes\n")
    (tmp_path / "dir").mkdir()
    other = sqlite3.connect(tmp_path / "other.sqlite")
    other.execute("create table t (x)")
    other.commit()
    other.close()
    return tmp_path


@pytest.mark.parametrize(
    ("record", "words"),
    [
        ("s.db", ["checkpoint store"]),
        ("./s.db", ["checkpoint store"]),
        ("link.db", ["checkpoint store"]),  # a symbolic link to the store
        ("hard.db", ["checkpoint store"]),  # a hard link: same inode, other name
        ("s.db-wal", ["checkpoint store"]),
        ("s.db-shm", ["checkpoint store"]),
        ("other.sqlite", ["SQLite database"]),
        ("other.sqlite-journal", ["SQLite database"]),
        ("notes.txt", ["not an agent-debug recording"]),
        ("dir", ["is a directory"]),
        ("nodir/x.ndjson", ["does not exist"]),
    ],
)
def test_run_refuses_and_changes_nothing(folder: Path, record: str, words: list[str]):
    before = snapshot(folder)
    out = run("run", FEATURE, "--no-ui", "--checkpointer", "s.db", "--input", INPUT, "--record", record, cwd=folder)
    assert_refused(out, *words)
    assert snapshot(folder) == before


def test_the_store_in_wal_mode_and_its_side_files(folder: Path):
    # A writer holds the store open in WAL mode: -wal and -shm exist on disk.
    writer = sqlite3.connect(folder / "s.db")
    try:
        writer.execute("pragma journal_mode=wal")
        writer.execute("create table if not exists extra (x)")
        writer.commit()
        assert (folder / "s.db-wal").exists() and (folder / "s.db-shm").exists()
        (folder / "wal-link").symlink_to("s.db-wal")
        before = snapshot(folder)
        for record in ("s.db-wal", "s.db-shm", "wal-link"):
            out = run("run", FEATURE, "--no-ui", "--checkpointer", "s.db", "--input", INPUT, "--record", record, cwd=folder)
            assert_refused(out, "checkpoint store")
        assert snapshot(folder) == before
    finally:
        writer.close()


def test_any_other_file_is_refused_even_the_graph_module(folder: Path):
    module = folder / "mygraph.py"
    module.write_text((ROOT / "fixtures/feature_request.py").read_text())
    before = snapshot(folder)
    out = run("run", FEATURE, "--no-ui", "--checkpointer", "memory", "--input", INPUT, "--record", "mygraph.py", cwd=folder)
    assert_refused(out, "not an agent-debug recording")
    assert snapshot(folder) == before


def test_a_store_not_yet_created_is_not_created_for_a_refusal(tmp_path: Path):
    out = run("run", FEATURE, "--no-ui", "--checkpointer", "new.db", "--record", "new.db", cwd=tmp_path)
    assert_refused(out, "checkpoint store")
    (tmp_path / "real.db").symlink_to("later.db")  # dangling: the store would be made through it
    out = run("run", FEATURE, "--no-ui", "--checkpointer", "later.db", "--record", "real.db", cwd=tmp_path)
    assert_refused(out, "checkpoint store")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["real.db"]


def test_attach_refuses_its_own_target(folder: Path):
    before = snapshot(folder)
    for record in ("s.db", "link.db", "hard.db"):
        out = run("attach", "s.db", "--graph", FEATURE, "--record", record, cwd=folder)
        assert_refused(out, "checkpoint store")
    out = run("attach", "s.db", "--record", "x.ndjson", cwd=folder)
    assert out.returncode == 2 and "--record needs --graph" in out.stderr
    assert snapshot(folder) == before


def test_an_existing_recording_is_appended_only_when_asked(tmp_path: Path):
    args = ("run", FEATURE, "--no-ui", "--checkpointer", "memory", "--input", INPUT)
    out = run(*args, "--thread", "one", "--record", "r.ndjson", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    first = list(read_recording(tmp_path / "r.ndjson"))
    before = snapshot(tmp_path)

    out = run(*args, "--thread", "two", "--record", "r.ndjson", cwd=tmp_path)
    assert_refused(out, "already holds a recording", "--record-append")
    assert snapshot(tmp_path) == before

    # A session killed mid-line left half an event: appending drops it, the file stays readable.
    with (tmp_path / "r.ndjson").open("ab") as handle:
        handle.write(b'{"seq": 99, "kind": "log", "mess')
    out = run(*args, "--thread", "two", "--record", "r.ndjson", "--record-append", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    both = list(read_recording(tmp_path / "r.ndjson"))
    assert both[: len(first)] == first
    assert {e.thread_id for e in both[len(first):]} == {"two"} and len(both) > len(first)


def test_an_empty_file_or_dev_null_is_taken(tmp_path: Path):
    (tmp_path / "empty.ndjson").touch()
    out = run("run", FEATURE, "--no-ui", "--checkpointer", "memory", "--input", INPUT, "--record", "empty.ndjson", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert list(read_recording(tmp_path / "empty.ndjson"))
    out = run("run", FEATURE, "--no-ui", "--checkpointer", "memory", "--input", INPUT, "--record", os.devnull, cwd=tmp_path)
    assert out.returncode == 0, out.stderr


@pytest.mark.parametrize(
    ("flags", "status", "says"),
    [
        (["--break", "nope"], 2, "no node 'nope' in the graph"),
        (["--break-after", "nope"], 2, "no node 'nope' in the graph"),
        (["--stuck", "nope=3"], 2, "--stuck: no node 'nope'"),
        (["--stuck", "hold"], 2, "--stuck expects NODE=SECONDS"),
        (["--record", "nodir/x.ndjson"], 2, "does not exist"),
        (["--record-append"], 2, "--record-append needs --record"),
    ],
)
def test_a_refused_run_creates_no_store(tmp_path: Path, flags: list[str], status: int, says: str):
    data = tmp_path / "data"  # where the default store would go (platformdirs honours XDG_DATA_HOME)
    env = {**os.environ, "XDG_DATA_HOME": str(data)}
    for store in (["--checkpointer", "s.db"], []):
        out = run("run", FEATURE, "--no-ui", *store, "--input", INPUT, *flags, cwd=tmp_path, env=env)
        assert out.returncode == status, out.stderr
        assert says in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
        assert list(tmp_path.iterdir()) == [], list(tmp_path.iterdir())
