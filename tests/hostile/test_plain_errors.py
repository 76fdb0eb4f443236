"""Issue 12, the Low items: a user-supplied path or value that is wrong is one plain line
on stderr with the CLI contract's exit status (2 for a usage error, 1 for a target that
cannot be opened), never "internal error" or a traceback, and no file is created or changed.

Every case runs the installed command in a real process, on real files in a temp folder
that is hashed before and after (see ``snapshot``).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from agent_debug.inspector.targets import open_source
from tests.hostile.test_record_target import snapshot

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT_DB = ROOT / "tests" / "data" / "snapshot.db"
FEATURE = str(ROOT / "fixtures/feature_request.py:graph")
SUPERVISOR = str(ROOT / "fixtures/supervisor.py:graph")
INPUT = '{"request": "x"}'
BINARY = b"\xff\xfe\x00\x80 not text \xc3\x28\n"
COMMANDS = ("demo", "run", "attach", "graph", "resume", "replay", "threads", "history", "state", "stats")


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # The timeout only guards against a hang (a FIFO opened for reading); it measures nothing.
    return subprocess.run(
        [AGENT_DEBUG, *args], capture_output=True, text=True, timeout=120, cwd=cwd, stdin=subprocess.DEVNULL
    )


def assert_plain(out: subprocess.CompletedProcess[str], status: int, *words: str) -> None:
    """Exit ``status``, and stderr is one line of ours holding each of ``words``."""
    lines = out.stderr.strip().splitlines()
    assert out.returncode == status, (out.returncode, out.stderr)
    assert len(lines) == 1 and lines[0].startswith("agent-debug: error:"), out.stderr
    assert "internal error" not in out.stderr and "Traceback" not in out.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A store written by real runs, beside the kinds of file a path can wrongly name."""
    shutil.copy(SNAPSHOT_DB, tmp_path / "s.db")
    (tmp_path / "bin").write_bytes(BINARY)
    (tmp_path / "notes.txt").write_text("my notes\n")
    (tmp_path / "d").mkdir()
    (tmp_path / "deep.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "bigint.json").write_text("1" * 5000)
    other = sqlite3.connect(tmp_path / "other.sqlite")
    other.execute("create table t (x)")
    other.commit()
    other.close()
    return tmp_path


def _phase_start(store: Path, thread: str, node: str, prefix: str | None = None) -> tuple[str, str]:
    """(namespace, the checkpoint before ``node`` ran), in the subgraph starting with ``prefix``."""
    with open_source(str(store)) as source:
        ns = "" if prefix is None else next(n.namespace for n in source.namespaces(thread) if n.namespace.startswith(prefix))
        rows = source.history(thread, namespace=ns, limit=None).checkpoints
    return ns, next(r.parent_id for r in rows if r.nodes == [node])


# -- item 1: --input / --value / --update @FILE ----------------------------------------------


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("@bin", ["--input: bin is not a UTF-8 text file"]),
        ("@missing.json", ["--input: cannot read missing.json"]),
        ("@d", ["--input: cannot read d", "directory"]),
        ("@", ["--input @: name the file"]),
        ("@deep.json", ["--input", "nested too deeply"]),
        ("@bigint.json", ["--input", "4300 digits"]),
    ],
)
def test_run_input_from_a_file_that_is_no_json_text(folder: Path, given: str, words: list[str]):
    before = snapshot(folder)
    out = run("run", FEATURE, "--no-ui", "--checkpointer", "new.db", "--input", given, cwd=folder)
    assert_plain(out, 2, *words)
    assert snapshot(folder) == before  # not even new.db


@pytest.mark.parametrize("given", ["@bin", "@deep.json", "@missing.json", "@d"])
def test_resume_value_and_replay_update_from_a_bad_file(folder: Path, given: str):
    before = snapshot(folder)
    out = run("resume", "s.db", "--thread", "feature-002-interrupted", "--graph", FEATURE, "--value", given, cwd=folder)
    assert_plain(out, 2, "--value")
    _, start = _phase_start(folder / "s.db", "feature-001-done", "review")
    out = run("replay", "s.db", "--thread", "feature-001-done", "--checkpoint", start, "--graph", FEATURE, "--update", given, cwd=folder)
    assert_plain(out, 2, "--update")
    assert snapshot(folder) == before


# -- item 2: graph -o FILE -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "words"),
    [
        ("nodir/x.dot", ["-o nodir/x.dot", "the directory nodir does not exist"]),
        ("d", ["-o d is a directory"]),
        ("d/", ["-o d/ is a directory"]),
        ("notes.txt/x.dot", ["-o notes.txt/x.dot"]),
        ("s.db", ["-o s.db is a SQLite database"]),  # a checkpoint store
        ("other.sqlite", ["-o other.sqlite is a SQLite database"]),
        ("", ["-o needs a file name"]),
    ],
)
def test_graph_output_that_cannot_or_must_not_be_written(folder: Path, output: str, words: list[str]):
    before = snapshot(folder)
    out = run("graph", FEATURE, "--format", "dot", "-o", output, cwd=folder)
    assert_plain(out, 2, *words)
    assert out.stdout == ""
    assert snapshot(folder) == before


def test_graph_output_never_replaces_the_graphs_own_source(folder: Path):
    (folder / "mygraph.py").write_text((ROOT / "fixtures/feature_request.py").read_text())
    (folder / "langgraph.json").write_text('{"graphs": {"feature": "./mygraph.py:graph"}}')
    (folder / "link.py").symlink_to("mygraph.py")
    before = snapshot(folder)
    for ref, output, says in [
        ("mygraph.py:graph", "mygraph.py", "Python source this graph was loaded from"),
        ("mygraph.py:graph", "./link.py", "Python source this graph was loaded from"),
        ("feature", "mygraph.py", "Python source this graph was loaded from"),  # through langgraph.json
        ("feature", "langgraph.json", "the langgraph.json in use"),
        (FEATURE, str(ROOT / "fixtures/feature_request.py"), "Python source this graph was loaded from"),
    ]:
        out = run("graph", ref, "-o", output, cwd=folder)
        assert_plain(out, 2, f"-o {output} is", says)
    assert snapshot(folder) == before
    # Any other file is what -o names: it is replaced, and /dev/null takes the drawing.
    out = run("graph", "feature", "--format", "dot", "-o", "notes.txt", cwd=folder)
    assert out.returncode == 0, out.stderr
    assert (folder / "notes.txt").read_text().startswith("digraph")
    assert run("graph", "feature", "-o", os.devnull, cwd=folder).returncode == 0


def test_graph_output_into_a_folder_without_write_permission():
    """As the unprivileged user nobody (root writes anywhere), in a folder of its own."""
    import tempfile

    where = Path(tempfile.mkdtemp(prefix="agent-debug-locked-"))
    try:
        where.chmod(0o755)
        locked = where / "locked"
        locked.mkdir()
        locked.chmod(0o555)
        out = subprocess.run(
            ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--", AGENT_DEBUG, "graph", FEATURE, "-o", "locked/x.dot"],
            capture_output=True, text=True, timeout=120, cwd=where, env={**os.environ, "HOME": "/tmp"},
        )  # fmt: skip
        assert_plain(out, 2, "-o locked/x.dot", "permission denied")
        assert list(locked.iterdir()) == []
    finally:
        shutil.rmtree(where)


# -- item 4: a store that is no store --------------------------------------------------------


@pytest.mark.parametrize(
    ("checkpointer", "words"),
    [
        ("d", ["--checkpointer d is a directory"]),
        ("bin", ["--checkpointer bin is not a SQLite database"]),
        ("notes.txt", ["--checkpointer notes.txt is not a SQLite database"]),
        ("other.sqlite", ["--checkpointer other.sqlite is a SQLite database but not a LangGraph checkpoint store", "its tables: t)"]),
        ("nodir/x.db", ["--checkpointer nodir/x.db", "the directory nodir does not exist"]),
        (os.devnull, ["is not a regular file"]),
    ],
)
def test_run_refuses_a_checkpointer_that_is_no_store(folder: Path, checkpointer: str, words: list[str]):
    before = snapshot(folder)
    out = run("run", FEATURE, "--no-ui", "--checkpointer", checkpointer, "--input", INPUT, cwd=folder)
    assert_plain(out, 2, *words)
    assert snapshot(folder) == before  # LangGraph's tables were not added to other.sqlite


def test_run_takes_an_empty_file_or_an_empty_database_as_a_new_store(folder: Path):
    (folder / "empty.db").touch()
    sqlite3.connect(folder / "blank.db").close()  # a database with no tables
    for name in ("empty.db", "blank.db"):
        out = run("run", FEATURE, "--no-ui", "--checkpointer", name, "--thread", "t", "--input", INPUT, cwd=folder)
        assert out.returncode == 0, out.stderr
        with open_source(str(folder / name)) as source:
            assert source.thread("t").status.value == "interrupted"


@pytest.mark.parametrize(
    ("target", "words"),
    [("d", ["d is a directory"]), ("bin", ["bin is not a SQLite database"]), ("other.sqlite", ["not a LangGraph checkpoint store"])],
)
def test_acting_verbs_refuse_a_target_that_is_no_store(folder: Path, target: str, words: list[str]):
    # TARGET is the store itself (not a flag): exit 1, as threads/history/state say it.
    before = snapshot(folder)
    out = run("resume", target, "--thread", "t", "--approve", "--graph", FEATURE, cwd=folder)
    assert_plain(out, 1, *words)
    out = run("replay", target, "--thread", "t", "--checkpoint", "c", "--graph", FEATURE, cwd=folder)
    assert_plain(out, 1, *words)
    assert snapshot(folder) == before


# -- item 5: replay --update with a key that is no channel ----------------------------------


def test_replay_refuses_an_update_key_the_graph_does_not_have(folder: Path):
    _, start = _phase_start(folder / "s.db", "feature-001-done", "review")
    before = snapshot(folder)
    out = run(
        "replay", "s.db", "--thread", "feature-001-done", "--checkpoint", start, "--graph", FEATURE,
        "--update", '{"feedback": "use orjson", "typo": 1}', cwd=folder,
    )
    assert_plain(out, 2, "no state key 'typo' in the graph", "feedback", "request", "nothing was written")
    assert snapshot(folder) == before


def test_replay_in_a_subgraph_checks_the_subgraphs_keys(folder: Path):
    thread = "supervisor-010-done"
    ns, start = _phase_start(folder / "s.db", thread, "summarize", prefix="researcher:")
    before = snapshot(folder)
    # 'report' is the parent graph's key, not the researcher subgraph's.
    out = run(
        "replay", "s.db", "--thread", thread, "--ns", ns, "--checkpoint", start, "--graph", SUPERVISOR,
        "--update", '{"report": "x"}', "--as-node", "investigate", cwd=folder,
    )
    assert_plain(out, 2, "no state key 'report' in subgraph researcher", "notes", "sub_questions")
    assert snapshot(folder) == before


# -- item 6: a store of an older schema is not migrated behind the user's back ---------------

# langgraph-checkpoint-sqlite before writes.task_path (its setup() adds the column).
OLD_SCHEMA = """
CREATE TABLE IF NOT EXISTS checkpoints (
    thread_id TEXT NOT NULL,
    checkpoint_ns TEXT NOT NULL DEFAULT '',
    checkpoint_id TEXT NOT NULL,
    parent_checkpoint_id TEXT,
    type TEXT,
    checkpoint BLOB,
    metadata BLOB,
    PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id)
);
CREATE TABLE IF NOT EXISTS writes (
    thread_id TEXT NOT NULL,
    checkpoint_ns TEXT NOT NULL DEFAULT '',
    checkpoint_id TEXT NOT NULL,
    task_id TEXT NOT NULL,
    idx INTEGER NOT NULL,
    channel TEXT NOT NULL,
    type TEXT,
    value BLOB,
    PRIMARY KEY (thread_id, checkpoint_ns, checkpoint_id, task_id, idx)
);
"""


@pytest.fixture
def old_store(folder: Path) -> Path:
    """The snapshot's rows (written by real runs) in a store of the older schema."""
    path = folder / "old.db"
    conn = sqlite3.connect(path)
    conn.executescript(OLD_SCHEMA)
    conn.execute("ATTACH ? AS src", (str(SNAPSHOT_DB),))
    conn.execute("INSERT INTO checkpoints SELECT thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, type, checkpoint, metadata FROM src.checkpoints")
    conn.execute("INSERT INTO writes SELECT thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, value FROM src.writes")
    conn.commit()
    conn.execute("DETACH src")
    conn.close()
    return path


def _writes_columns(path: Path) -> list[str]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [row[1] for row in conn.execute("pragma table_info(writes)")]
    finally:
        conn.close()


def test_acting_on_an_older_store_is_refused_without_migrate(folder: Path, old_store: Path):
    _, start = _phase_start(SNAPSHOT_DB, "feature-001-done", "review")  # the same ids: its rows were copied
    before = snapshot(folder)
    for args in [
        ["resume", "old.db", "--thread", "feature-002-interrupted", "--approve", "--graph", FEATURE],
        ["replay", "old.db", "--thread", "feature-001-done", "--checkpoint", start, "--graph", FEATURE],
        ["attach", "old.db", "--graph", FEATURE],
    ]:
        out = run(*args, cwd=folder)
        assert_plain(out, 2, "old.db has an older checkpoint schema", "writes.task_path", "--migrate")
    out = run("run", FEATURE, "--no-ui", "--checkpointer", "old.db", "--input", INPUT, cwd=folder)
    assert_plain(out, 2, "--checkpointer old.db has an older checkpoint schema", "--migrate")
    assert snapshot(folder) == before
    assert "task_path" not in _writes_columns(old_store)


def test_read_only_commands_read_an_older_store_without_changing_it(folder: Path, old_store: Path):
    before = snapshot(folder)
    for args in [
        ["threads", "old.db"],
        ["history", "old.db", "--thread", "feature-002-interrupted"],
        ["state", "old.db", "--thread", "feature-002-interrupted", "--json"],
    ]:
        out = run(*args, cwd=folder)
        assert out.returncode == 0, (args, out.stderr)
    assert "feature-002-interrupted" in run("threads", "old.db", cwd=folder).stdout
    assert snapshot(folder) == before


def test_migrate_lets_langgraph_upgrade_the_store(folder: Path, old_store: Path):
    out = run("resume", "old.db", "--thread", "feature-002-interrupted", "--approve", "--graph", FEATURE, "--migrate", cwd=folder)
    assert out.returncode == 0, out.stderr
    assert "task_path" in _writes_columns(old_store)
    with open_source(str(old_store)) as source:
        assert source.thread("feature-002-interrupted").status.value == "done"


def test_migrate_is_only_for_acting(folder: Path):
    out = run("attach", "s.db", "--migrate", cwd=folder)
    assert_plain(out, 2, "--migrate needs --graph")


# -- item 7: --stuck with a node the graph does not have ------------------------------------


def test_stuck_and_break_with_an_unknown_node_are_usage_errors(folder: Path):
    before = snapshot(folder)
    for flags in (["--stuck", "nope=3"], ["--break", "nope"], ["--break-after", "nope"]):
        out = run("run", FEATURE, "--no-ui", "--checkpointer", "new.db", "--input", INPUT, *flags, cwd=folder)
        assert_plain(out, 2, "no node 'nope' in the graph", "analyze, plan, review")
    out = run("graph", FEATURE, "--focus", "nope", cwd=folder)
    assert_plain(out, 2, "--focus", "'nope' is not a node")
    assert snapshot(folder) == before


# -- item 9: argparse errors are one line on every subcommand --------------------------------


@pytest.mark.parametrize("command", COMMANDS)
def test_usage_errors_of_every_command_are_one_line(folder: Path, command: str):
    cases = [[command, "--no-such-flag", "x"]]
    if command != "demo":
        cases.append([command])  # a missing required argument
    choices = {"graph": ["graph", FEATURE, "--format", "png"], "state": ["state", "s.db", "--thread", "t", "--decode", "all"],
               "threads": ["threads", "s.db", "--status", "later"]}
    if command in choices:
        cases.append(choices[command])  # a bad choice
    for args in cases:
        out = run(*args, cwd=folder)
        assert out.returncode == 2, (args, out.stderr)
        lines = out.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("agent-debug: error:") and "--help" in lines[0], (args, out.stderr)
        assert "usage:" not in out.stderr and out.stdout == ""


# -- more of the same kind ------------------------------------------------------------------


def test_config_files_and_graph_refs_that_are_no_graph(folder: Path):
    (folder / "dir.py").mkdir()
    (folder / "getattr_raises.py").write_text("def __getattr__(name):\n    raise KeyError(name)\n")
    (folder / "odd.py").write_text("class Odd:\n    def __getattr__(self, name):\n        raise RuntimeError('no')\n\n\nodd = Odd()\n")
    before = snapshot(folder)
    for args, words in [
        (["graph", FEATURE, "--config", "d"], ["config file d is a directory"]),
        (["graph", FEATURE, "--config", "bin"], ["bin is not a UTF-8 text file"]),
        (["graph", FEATURE, "--config", "deep.json"], ["nested too deeply"]),
        (["graph", FEATURE, "--config", "bigint.json"], ["4300 digits"]),
        (["graph", "dir.py:graph"], ["dir.py is a directory"]),
        (["graph", "getattr_raises.py:graph"], ["getting 'graph' from 'getattr_raises.py' raised KeyError"]),
        (["graph", "odd.py:odd"], ["odd.py:odd is an Odd, not a graph"]),
        (["run", FEATURE, "--no-ui", "--checkpointer", "memory", "--prices", "deep.json"], ["--prices: deep.json"]),
    ]:
        out = run(*args, cwd=folder)
        assert_plain(out, 2 if "--prices" in args else 1, *words)
    assert snapshot(folder) == before


def test_a_fifo_named_as_a_recording_is_refused_not_waited_on(folder: Path):
    os.mkfifo(folder / "pipe.ndjson")
    before = snapshot(folder)
    for args in (["threads", "pipe.ndjson"], ["attach", "pipe.ndjson"]):
        out = run(*args, cwd=folder)
        assert_plain(out, 1, "pipe.ndjson is not a regular file")
    assert snapshot(folder) == before
