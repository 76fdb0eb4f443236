"""The headless CLI through a real subprocess: exit codes, messages, JSON schema, and no writes."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from agent_debug.inspector.model import CheckpointState, HistoryPage, ThreadList

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))


def run(*args: str, **kw) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AGENT_DEBUG, *args], capture_output=True, text=True, timeout=60, **kw)


def snapshot(directory: Path) -> dict[str, str]:
    """Names and hashes of every file in the store's directory."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir()) if p.is_file()}


@pytest.fixture
def db(scenario_db, tmp_path: Path) -> Path:
    """A private copy of the scenario store, so the no-write checks see only this test."""
    src, _ = scenario_db
    dst = tmp_path / "store" / "runs.db"
    dst.parent.mkdir()
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    b.close()
    # WAL mode as SqliteSaver leaves it, with no connection open (an idle store: one file).
    conn = sqlite3.connect(dst)
    conn.execute("PRAGMA journal_mode=WAL").fetchall()
    conn.close()
    assert [p.name for p in dst.parent.iterdir()] == ["runs.db"]
    return dst


def latest_checkpoint(db: Path, thread: str) -> str:
    doc = ThreadList.model_validate_json(run("threads", str(db), "--json", "--limit", "0").stdout)
    return next(t.checkpoint_id for t in doc.threads if t.thread_id == thread)


READ_COMMANDS = [
    ["threads", "{db}"],
    ["threads", "{db}", "--json", "--status", "error"],
    ["history", "{db}", "--thread", "finished", "--limit", "0"],
    ["history", "{db}", "--thread", "fanout", "--json"],
    ["state", "{db}", "--thread", "finished"],
    ["state", "{db}", "--thread", "waiting", "--json"],
    ["threads", "sqlite:///{db}"],
]


def test_inspection_changes_nothing(db: Path):
    before = snapshot(db.parent)
    for cmd in READ_COMMANDS:
        out = run(*[c.format(db=db) for c in cmd])
        assert out.returncode == 0, (cmd, out.stderr)
        assert snapshot(db.parent) == before, f"{cmd} changed the store's files"


def test_inspection_beside_a_live_writer_changes_no_data(db: Path):
    writer = sqlite3.connect(db)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("CREATE TABLE IF NOT EXISTS other (x)")
    writer.execute("INSERT INTO other VALUES (1)")
    writer.commit()
    wal = Path(f"{db}-wal")
    assert wal.exists()
    data = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (db, wal)}
    try:
        for cmd in READ_COMMANDS:
            out = run(*[c.format(db=db) for c in cmd])
            assert out.returncode == 0, (cmd, out.stderr)
            assert {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (db, wal)} == data, cmd
    finally:
        writer.close()


def test_json_documents_follow_the_schema(db: Path):
    threads = ThreadList.model_validate_json(run("threads", str(db), "--json").stdout)
    assert {t.thread_id for t in threads.threads} >= {"waiting", "failed", "finished"}
    history = HistoryPage.model_validate_json(run("history", str(db), "--thread", "finished", "--json").stdout)
    assert history.total == len(history.checkpoints)
    cid = history.checkpoints[-1].checkpoint_id
    state = CheckpointState.model_validate_json(run("state", str(db), "--thread", "finished", "--checkpoint", cid, "--json").stdout)
    assert state.checkpoint_id == cid and state.source == "input"
    # One JSON document per command, nothing else on stdout.
    json.loads(run("state", str(db), "--thread", "waiting", "--json").stdout)


def test_human_output_names_what_matters(db: Path):
    out = run("threads", str(db))
    assert out.returncode == 0
    for text in ("waiting", "interrupted", "failed", "error", "ValueError: x too large: 211", "ship it?"):
        assert text in out.stdout, text
    hist = run("history", str(db), "--thread", "forked")
    assert "fork of" in hist.stdout and "update" in hist.stdout
    state = run("state", str(db), "--thread", "finished")
    for text in ("thinking: anthropic style", "thinking: reasoning_content style", "tokens in 3 / out 5", "deepseek"):
        assert text in state.stdout, text


def test_paging_through_the_cli(db: Path):
    first = HistoryPage.model_validate_json(run("history", str(db), "--thread", "finished", "--limit", "2", "--json").stdout)
    assert len(first.checkpoints) == 2 and first.next_before
    second = HistoryPage.model_validate_json(
        run("history", str(db), "--thread", "finished", "--limit", "2", "--before", first.next_before, "--json").stdout
    )
    assert second.checkpoints[0].checkpoint_id < first.checkpoints[-1].checkpoint_id


def assert_one_line_error(out: subprocess.CompletedProcess[str], code: int, *fragments: str) -> None:
    assert out.returncode == code, out
    assert out.stdout == ""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    assert "Traceback" not in out.stderr
    for fragment in fragments:
        assert fragment in lines[0], (fragment, lines[0])


def test_missing_database_is_an_error_and_is_not_created(tmp_path: Path):
    for target in (tmp_path / "nope.db", f"sqlite:///{tmp_path}/nope2.db"):
        out = run("threads", str(target))
        assert_one_line_error(out, 1, "no such checkpoint database:")
    assert list(tmp_path.iterdir()) == []
    out = run("history", str(tmp_path / "dir" / "x.db"), "--thread", "t")
    assert_one_line_error(out, 1, "no such checkpoint database")
    assert list(tmp_path.iterdir()) == []


def test_files_that_are_not_stores(tmp_path: Path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    assert_one_line_error(run("threads", str(junk)), 1, "not a SQLite database")
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as c:
        c.execute("CREATE TABLE t (x)")
    c.close()
    before = snapshot(tmp_path)
    assert_one_line_error(run("threads", str(other)), 1, "not a LangGraph checkpoint store")
    assert snapshot(tmp_path) == before
    assert_one_line_error(run("threads", str(tmp_path)), 1, "not a file")
    corrupt = tmp_path / "corrupt.db"
    corrupt.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    out = run("threads", str(corrupt))
    assert_one_line_error(out, 1, str(corrupt))


def test_unknown_ids_fail_with_hints(db: Path):
    assert_one_line_error(run("history", str(db), "--thread", "nope"), 1, "no thread 'nope'", "agent-debug threads")
    assert_one_line_error(run("state", str(db), "--thread", "nope"), 1, "no thread 'nope'")
    assert_one_line_error(
        run("state", str(db), "--thread", "waiting", "--checkpoint", "1f000000-0000-6000-8000-000000000000"),
        1,
        "no checkpoint '1f000000-0000-6000-8000-000000000000'",
        "agent-debug history",
    )
    assert_one_line_error(run("history", str(db), "--thread", "waiting", "--before", "zz"), 1, "no checkpoint 'zz'")
    assert_one_line_error(run("history", str(db), "--thread", "fanout", "--ns", "x:y"), 1, "has no namespace 'x:y'")
    assert_one_line_error(run("state", str(db), "--thread", "waiting", "--path", "nope"), 1, "no value at path 'nope'")
    assert_one_line_error(run("threads", "mysql://x/y"), 1, "unknown target scheme")


def test_usage_errors_exit_2(db: Path):
    for args in (["history", str(db)], ["threads", str(db), "--limit", "-3"], ["threads", str(db), "--status", "odd"], ["bogus"], []):
        out = run(*args)
        assert out.returncode == 2, args
        # One line and where to look, not argparse's usage banner (issue 12).
        assert len(out.stderr.strip().splitlines()) == 1 and "--help" in out.stderr, out.stderr
        assert "usage:" not in out.stderr and "Traceback" not in out.stderr


def test_debug_shows_the_traceback(tmp_path: Path):
    out = run("threads", str(tmp_path / "nope.db"), "--debug")
    assert out.returncode == 1
    assert "Traceback" in out.stderr and "no such checkpoint database" in out.stderr


HEAVY = ("langgraph", "langchain_core", "textual", "networkx", "rich", "pydantic", "prompt_toolkit", "ormsgpack")


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["threads", "--help"], ["history", "--help"], ["state", "--help"], ["demo", "--help"], ["attach", "--help"], ["graph", "--help"],
     ["run", "--help"], ["resume", "--help"], ["replay", "--help"]],
)
def test_help_imports_nothing_heavy(argv: list[str]):
    probe = (
        "import sys\n"
        "from agent_debug.tui.cli import main\n"
        "try:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({HEAVY!r})))"
    )
    out = subprocess.run([sys.executable, "-c", probe, *argv], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_keyword_dsn_goes_to_postgres_and_hides_the_password():
    out = run("threads", "host=127.0.0.1 port=1 dbname=x user=u password=hunter2 connect_timeout=2")
    assert_one_line_error(out, 1, "127.0.0.1", "1")
    assert "hunter2" not in out.stderr and "no such checkpoint database" not in out.stderr
