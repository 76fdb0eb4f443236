"""What the debugger remembers between sessions (``tui.remember``): the file's content, no
password in it, mode 0600, written atomically, a corrupt file ignored; and ``attach``
without TARGET through the installed command."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from agent_debug.tui.remember import (
    LastState,
    Remembered,
    TargetMemory,
    last_target,
    read_state,
    state_file,
    stored_target,
    write_state,
)

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))


def test_the_file_is_under_xdg_state_home(tmp_path: Path):
    assert state_file({"XDG_STATE_HOME": str(tmp_path)}) == tmp_path / "agent-debug" / "last.json"
    home = Path.home() / ".local" / "state" / "agent-debug" / "last.json"
    assert state_file({}) == home
    assert state_file({"XDG_STATE_HOME": "relative/dir"}) == home  # the XDG spec ignores a relative path
    assert state_file() == Path(os.environ["XDG_STATE_HOME"]) / "agent-debug" / "last.json"  # the tests' own


def test_saved_target_thread_and_tab(tmp_path: Path):
    db = tmp_path / "runs.db"
    path = tmp_path / "state" / "last.json"
    memory = Remembered.open(str(db), path=path)
    assert memory is not None and memory.thread is None and memory.problem is None
    assert memory.note("t-7", "state") is True
    assert memory.save() is None
    doc = json.loads(path.read_text())
    assert doc == {
        "version": 1,
        "last_target": str(db.resolve()),
        "targets": {str(db.resolve()): {"thread": "t-7", "tab": "state", "password_dropped": False}},
    }
    assert memory.note("t-7", "state") is False  # saved already: nothing to write
    again = Remembered.open(str(db), path=path)
    assert (again.thread, again.tab) == ("t-7", "state")
    assert last_target(path)[:2] == (str(db.resolve()), TargetMemory("t-7", "state"))


def test_a_relative_sqlite_path_is_kept_absolute(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    assert stored_target("runs.db").text == str(tmp_path / "runs.db")
    assert stored_target("sqlite:///sub/runs.db").text == str(tmp_path / "sub" / "runs.db")
    assert stored_target("pkg.module:graph").text == "pkg.module:graph"  # found on sys.path, not the folder
    assert stored_target("flows/app.py:graph").text == f"{tmp_path / 'flows' / 'app.py'}:graph"


@pytest.mark.parametrize(
    ("target", "kept"),
    [
        ("postgresql://ann:s3cr3t-pw@db.example:5432/runs?sslmode=require", "postgresql://ann@db.example:5432/runs?sslmode=require"),
        ("postgres://ann:p%40ss@db/runs?password=other-secret&sslmode=disable", "postgres://ann@db/runs?sslmode=disable"),
        ("host=db user=ann password='two words s3cr3t' dbname=runs", "host=db user=ann dbname=runs"),
        ("host=db sslpassword=keypass-1234 dbname=runs", "host=db dbname=runs"),
        ("http://ann:s3cr3t-pw@server.example:2024", "http://ann@server.example:2024"),
    ],
)
def test_a_dsn_is_kept_without_its_password(tmp_path: Path, target: str, kept: str):
    stored = stored_target(target)
    assert stored is not None and stored.text == kept and stored.password_dropped
    path = tmp_path / "last.json"
    memory = Remembered(stored, path=path)
    memory.note("t1", "graph")
    assert memory.save() is None
    text = path.read_text()
    for secret in ("s3cr3t", "other-secret", "keypass", "p%40ss", "p@ss", "two words"):
        assert secret not in text
    assert json.loads(text)["targets"][kept]["password_dropped"] is True


def test_a_dsn_without_password_is_kept_as_typed():
    stored = stored_target("postgresql://ann@db/runs")
    assert stored is not None and stored.text == "postgresql://ann@db/runs" and not stored.password_dropped


def test_a_target_that_would_still_hold_a_secret_is_not_kept():
    assert stored_target("dbname='host=db password=nested-secret'") is None  # a DSN inside dbname
    assert stored_target("host=db password='unterminated") is None  # libpq would refuse it
    assert Remembered.open("host=db password='unterminated") is None


def test_the_file_is_private_and_replaced_atomically(tmp_path: Path):
    path = tmp_path / "agent-debug" / "last.json"
    write_state(LastState("a.db", {"a.db": TargetMemory("t", "graph")}), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    before = path.stat().st_ino
    write_state(LastState("b.db", {"b.db": TargetMemory("u", "state")}), path)
    # A new file renamed over the old one (a reader sees the old file or the new, never half):
    assert path.stat().st_ino != before
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in path.parent.iterdir()] == ["last.json"]  # no temp file left
    assert read_state(path)[0].last_target == "b.db"


def test_a_write_that_fails_leaves_the_old_file_and_no_temp_file(tmp_path: Path):
    path = tmp_path / "last.json"
    write_state(LastState("a.db", {"a.db": TargetMemory("t", None)}), path)

    class Unwritable:
        """A value json cannot write: the dump fails half-way."""

    with pytest.raises(TypeError):
        write_state(LastState("b.db", {"b.db": TargetMemory(Unwritable(), None)}), path)  # type: ignore[arg-type]
    assert read_state(path)[0].last_target == "a.db"
    assert [p.name for p in tmp_path.iterdir()] == ["last.json"]


@pytest.mark.parametrize(
    "content",
    ["{not json", "[]", '{"version": 99, "last_target": "x.db"}', '{"version": 1, "last_target": 5, "targets": []}', b"\xff\xfe"],
)
def test_a_corrupt_file_is_ignored_with_one_line(tmp_path: Path, content):
    path = tmp_path / "last.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    state, problem = read_state(path)
    assert state.last_target is None and state.targets == {}
    if content != '{"version": 1, "last_target": 5, "targets": []}':
        assert problem is not None and "\n" not in problem and str(path) in problem
    memory = Remembered.open(str(tmp_path / "runs.db"), path=path)
    memory.note("t1", "diff")
    assert memory.save() is None  # the corrupt file is replaced
    assert read_state(path) == (LastState(str(tmp_path / "runs.db"), {str(tmp_path / "runs.db"): TargetMemory("t1", "diff")}), None)


def test_a_folder_that_cannot_be_written_is_one_line(tmp_path: Path):
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the folder should be")
    memory = Remembered.open(str(tmp_path / "runs.db"), path=blocked / "agent-debug" / "last.json")
    memory.note("t1", None)
    problem = memory.save()
    assert problem is not None and problem.startswith("cannot remember the last thread in ") and "\n" not in problem
    assert memory.problem == problem


def test_other_targets_are_kept_and_the_oldest_forgotten(tmp_path: Path):
    path = tmp_path / "last.json"
    for n in range(25):
        memory = Remembered.open(str(tmp_path / f"{n}.db"), path=path)
        memory.note(f"t{n}", None)
        memory.save()
    targets = read_state(path)[0].targets
    assert len(targets) == 20 and str(tmp_path / "24.db") in targets and str(tmp_path / "4.db") not in targets
    first_again = Remembered.open(str(tmp_path / "10.db"), path=path)
    assert first_again.thread == "t10"
    first_again.save()
    assert last_target(path)[0] == str(tmp_path / "10.db")
    assert list(read_state(path)[0].targets)[-1] == str(tmp_path / "10.db")  # the most recent last


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AGENT_DEBUG, *args], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def test_attach_without_target_and_no_memory_is_a_usage_error():
    done = run("attach")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "agent-debug: error: attach needs TARGET: no last target is remembered yet; type e.g. agent-debug attach runs.db "
        "(a SQLite file, a postgresql:// DSN, a recording or http://host:port); see: agent-debug attach --help"
    ]


def test_attach_without_target_opens_the_last_one(tmp_path: Path):
    missing = tmp_path / "gone.db"
    memory = Remembered.open(str(missing))
    memory.save()
    done = run("attach")  # it opens the remembered target: that it is gone says which one it tried
    assert done.returncode == 1 and str(missing) in done.stderr and "Traceback" not in done.stderr


@pytest.mark.postgres
def test_a_remembered_dsn_without_password_says_how_to_give_it(postgres_server):
    import psycopg

    from tests.pg_server import PASSWORD_ROLE

    with psycopg.connect(postgres_server.dsn, autocommit=True) as admin:
        admin.execute(f"DROP ROLE IF EXISTS {PASSWORD_ROLE}")
        admin.execute(f"CREATE ROLE {PASSWORD_ROLE} LOGIN PASSWORD 'right-one-4321'")
    Remembered.open(f"postgresql://{PASSWORD_ROLE}:right-one-4321@127.0.0.1:{postgres_server.port}/postgres").save()
    assert "right-one" not in state_file().read_text()
    done = run("attach")
    assert done.returncode == 1, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert "asks for a password" in line and "right-one" not in line
    assert line.endswith("(the last target was remembered without its password: set PGPASSWORD or add it to ~/.pgpass, or give TARGET with the password)")
    # With the password in PGPASSWORD the remembered target opens (this database is no store: a later refusal).
    given = subprocess.run([AGENT_DEBUG, "attach"], capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
                           env=os.environ | {"PGPASSWORD": "right-one-4321"})
    assert given.returncode == 1 and "password" not in given.stderr and "not a LangGraph checkpoint store" in given.stderr, given.stderr


def test_a_remembered_target_that_is_down_gets_no_password_advice():
    Remembered.open("postgresql://ann:s3cr3t@127.0.0.1:9/runs?connect_timeout=2").save()
    done = run("attach")
    assert done.returncode == 1
    assert "connection refused" in done.stderr and "PGPASSWORD" not in done.stderr and "s3cr3t" not in done.stderr


def test_help_imports_neither_langgraph_nor_textual():
    code = (
        "import sys\n"
        "from agent_debug.tui.cli.dispatch import main\n"
        "try:\n    main(['attach', '--help'])\nexcept SystemExit:\n    pass\n"
        "bad = [m for m in ('langgraph', 'textual') if m in sys.modules]\n"
        "assert not bad, bad\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
