"""Checkpoints named by part of their id: the last 12 characters the TUI shows, or any start
or end of the id that only one checkpoint of the thread has, wherever an id is taken (the
sources, the CLI, the session's verbs); output always names the whole id.

Real stores: the scenarios of tests/graphs.py written by LangGraph's SqliteSaver and
PostgresSaver, the committed feature-request store for the verbs that act, a recording.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent_debug.inspector.exceptions import ControlError, NotFoundError
from agent_debug.inspector.model import ActionOutcome, CheckpointState, HistoryPage
from agent_debug.inspector.sources.base import AmbiguousCheckpoint, choose_checkpoint
from agent_debug.inspector.sources.checkpoints import CheckpointSource
from agent_debug.inspector.targets import open_source
from agent_debug.tui.cli.dispatch import main
from tests.graphs import run_scenarios
from tests.pg_server import postgres_saver

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT_DB = ROOT / "tests" / "data" / "snapshot.db"
FEATURE = "fixtures/feature_request.py:graph"
TAIL = 12  # what the TUI's history shows of an id


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed command."""
    return subprocess.run([AGENT_DEBUG, *args], capture_output=True, text=True, timeout=120, cwd=ROOT)


def files(directory: Path) -> dict[str, str]:
    """Names and hashes of every file in a directory."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir()) if p.is_file()}


def ids(source, thread: str, namespace: str = "") -> list[str]:
    """The thread's checkpoint ids, newest first."""
    return [c.checkpoint_id for c in source.history(thread, namespace=namespace, limit=None).checkpoints]


def unique_prefix(all_ids: list[str], checkpoint_id: str) -> str:
    """The shortest start of ``checkpoint_id`` (4 characters or more) no other id has."""
    n = 4
    while any(o != checkpoint_id and o.startswith(checkpoint_id[:n]) for o in all_ids):
        n += 1
    return checkpoint_id[:n]


@pytest.fixture
def db(scenario_db, tmp_path: Path) -> Path:
    """A private copy of the scenario store, alone in its directory (for the no-write checks)."""
    src, _ = scenario_db
    dst = tmp_path / "store" / "runs.db"
    dst.parent.mkdir()
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    b.close()
    return dst


@pytest.fixture(scope="module")
def pg_dsn(make_database) -> str:
    """The same scenarios written by LangGraph's PostgresSaver."""
    dsn = make_database()
    with postgres_saver(dsn) as saver:
        run_scenarios(saver)
    return dsn


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def source(request, scenario_db) -> Iterator[CheckpointSource]:
    target = str(scenario_db[0]) if request.param == "sqlite" else request.getfixturevalue("pg_dsn")
    with open_source(target) as opened:
        assert isinstance(opened, CheckpointSource)
        yield opened


# -- the sources -------------------------------------------------------------------------------


def test_a_checkpoint_is_named_by_its_whole_id_its_start_or_its_end(source: CheckpointSource):
    every = ids(source, "forked")
    # A thread's ids share their start (their first 8 characters change every 27 s or
    # so, their first 5 about daily): the end tells them apart.
    assert len({c[:5] for c in every}) == 1 and len({c[-TAIL:] for c in every}) == len(every)
    for cid in every:
        assert source.resolve_checkpoint("forked", cid) == cid
        assert source.resolve_checkpoint("forked", cid[-TAIL:]) == cid
        assert source.resolve_checkpoint("forked", unique_prefix(every, cid)) == cid


def test_a_part_several_ids_have_is_an_error_naming_a_few(source: CheckpointSource):
    every = ids(source, "forked")
    shared = every[0][:5]  # every id of the thread starts so (see above)
    with pytest.raises(AmbiguousCheckpoint) as caught:
        source.resolve_checkpoint("forked", shared)
    message = caught.value.message
    assert message.startswith(f"more than one checkpoint of thread 'forked' starts or ends with '{shared}' (")
    assert message.endswith(", ...): give more of its id") and "\n" not in message
    assert [c for c in every if c in message] == every[:3]  # the newest three, whole
    assert caught.value.exit_code == 1  # as for an id that names none


def test_an_id_no_checkpoint_has_is_the_usual_not_found(source: CheckpointSource):
    every = ids(source, "forked")
    with pytest.raises(NotFoundError, match=r"^no checkpoint 'ffffffffffff' in thread 'forked'; list them with: agent-debug history "):
        source.resolve_checkpoint("forked", "ffffffffffff")
    with pytest.raises(NotFoundError, match="no checkpoint '1f1'"):  # under 4 characters: the whole id or nothing
        source.resolve_checkpoint("forked", every[0][:3])
    with pytest.raises(NotFoundError, match="no checkpoint"):  # neither start nor end: the middle of an id
        source.resolve_checkpoint("forked", every[0][9:21])
    with pytest.raises(NotFoundError, match="no checkpoint"):  # another thread's
        source.resolve_checkpoint("waiting", every[0][-TAIL:])
    with pytest.raises(NotFoundError, match="^no thread 'nope'"):
        source.resolve_checkpoint("nope", every[0][-TAIL:])


def test_a_subgraph_checkpoint_is_named_in_its_namespace_only(source: CheckpointSource):
    [inner] = [n.namespace for n in source.namespaces("fanout") if n.namespace]
    sub = ids(source, "fanout", inner)[0]
    assert source.resolve_checkpoint("fanout", sub[-TAIL:], inner) == sub
    with pytest.raises(NotFoundError, match="no checkpoint"):
        source.resolve_checkpoint("fanout", sub[-TAIL:])
    with pytest.raises(NotFoundError, match="has no namespace 'writer:nope'"):
        source.resolve_checkpoint("fanout", sub[-TAIL:], "writer:nope")


def test_the_whole_id_wins_and_a_part_may_be_either_end():
    # Cases the ids of one real thread seldom show: one id the start of another, a part
    # that starts one id and ends another.
    assert choose_checkpoint("abcd", ["abcdef", "abcd"], "t") == "abcd"
    assert choose_checkpoint("cdef", ["abcdef"], "t") == "abcdef"
    with pytest.raises(AmbiguousCheckpoint, match=r"^more than one checkpoint of thread 't' namespace 'ns' starts or ends with 'cdef' \(cdef99, abcdef\)"):
        choose_checkpoint("cdef", ["cdef99", "abcdef"], "t", "ns")
    assert choose_checkpoint("bcde", ["abcdef"], "t") is None  # the middle of an id names nothing


# -- the command line --------------------------------------------------------------------------


def test_state_history_and_graph_take_the_end_the_tui_shows(db: Path, capsys: pytest.CaptureFixture[str]):
    with open_source(str(db)) as opened:
        every = ids(opened, "finished")
    cid = every[1]
    assert main(["state", str(db), "--thread", "finished", "--checkpoint", cid[-TAIL:], "--json"]) == 0
    assert CheckpointState.model_validate_json(capsys.readouterr().out).checkpoint_id == cid
    assert main(["history", str(db), "--thread", "finished", "--before", cid[-TAIL:], "--json"]) == 0
    page = HistoryPage.model_validate_json(capsys.readouterr().out)
    assert [c.checkpoint_id for c in page.checkpoints] == every[2:]
    assert main(["history", str(db), "--thread", "finished", "--limit", "1", "--before", unique_prefix(every, every[0])]) == 0
    assert f"older: --before {every[1]}" in capsys.readouterr().out  # the next page is named by its whole id


def test_graph_from_a_store_marks_the_same_run_for_a_short_id(capsys: pytest.CaptureFixture[str]):
    thread = "feature-002-interrupted"
    with open_source(str(SNAPSHOT_DB)) as opened:
        cid = ids(opened, thread)[3]
    drawings = []
    for given in (cid, cid[-TAIL:]):
        assert main(["graph", FEATURE, "--from", str(SNAPSHOT_DB), "--thread", thread, "--checkpoint", given]) == 0
        drawings.append(capsys.readouterr().out)
    assert drawings[0] == drawings[1] and "legend:" in drawings[0]


def test_ambiguous_and_unknown_ids_are_one_line_and_exit_1(db: Path, capsys: pytest.CaptureFixture[str]):
    with open_source(str(db)) as opened:
        first = ids(opened, "finished")[0]
    assert main(["state", str(db), "--thread", "finished", "--checkpoint", first[:5]]) == 1
    err = capsys.readouterr().err
    assert err.startswith("agent-debug: error: more than one checkpoint of thread 'finished' starts or ends with") and err.count("\n") == 1
    assert main(["history", str(db), "--thread", "finished", "--before", "0123456789ab"]) == 1
    assert capsys.readouterr().err.startswith("agent-debug: error: no checkpoint '0123456789ab' in thread 'finished'")


def test_the_installed_command_reads_short_ids_and_writes_nothing(db: Path):
    with open_source(str(db)) as opened:
        every = ids(opened, "forked")
    before = files(db.parent)
    state = run("state", str(db), "--thread", "forked", "--checkpoint", every[2][-TAIL:], "--json")
    assert state.returncode == 0, state.stderr
    assert json.loads(state.stdout)["checkpoint_id"] == every[2]
    shown = run("state", str(db), "--thread", "forked", "--checkpoint", every[2][-TAIL:])
    assert shown.returncode == 0 and f"checkpoint {every[2]}" in shown.stdout  # the whole id, always
    ambiguous = run("history", str(db), "--thread", "forked", "--before", every[0][:5])
    assert ambiguous.returncode == 1 and ambiguous.stderr.count("\n") == 1 and "Traceback" not in ambiguous.stderr
    assert every[0] in ambiguous.stderr
    assert files(db.parent) == before


def test_a_recording_takes_short_ids_too(tmp_path: Path):
    path = tmp_path / "run.ndjson"
    made = run("run", FEATURE, "--no-ui", "--checkpointer", "memory", "--thread", "rec", "--input", '{"request": "x"}', "--record", str(path))
    assert made.returncode == 0, made.stderr
    with open_source(str(path)) as recorded:
        cid = ids(recorded, "rec")[2]
    out = run("state", str(path), "--thread", "rec", "--checkpoint", cid[-TAIL:], "--json")
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["checkpoint_id"] == cid


# -- the verbs that act ------------------------------------------------------------------------


@pytest.fixture
def store(tmp_path: Path) -> Path:
    copy = tmp_path / "runs.db"
    shutil.copy(SNAPSHOT_DB, copy)
    return copy


def test_replay_from_the_end_the_tui_shows(store: Path):
    thread = "feature-001-done"
    with open_source(str(store)) as opened:
        start = next(r.parent_id for r in opened.history(thread, limit=None).checkpoints if r.nodes == ["review"])
    out = run("replay", str(store), "--thread", thread, "--checkpoint", start[-TAIL:], "--graph", FEATURE, "--json")
    assert out.returncode == 0, out.stderr
    outcome = ActionOutcome.model_validate_json(out.stdout)
    assert outcome.replayed_from == start and outcome.new_checkpoints


def test_an_ambiguous_replay_writes_nothing(store: Path):
    thread = "feature-001-done"
    with open_source(str(store)) as opened:
        first = ids(opened, thread)[0]
    digest = hashlib.sha256(store.read_bytes()).hexdigest()
    out = run("replay", str(store), "--thread", thread, "--checkpoint", first[:5], "--graph", FEATURE)
    assert out.returncode == 1 and "more than one checkpoint" in out.stderr and out.stderr.count("\n") == 1
    assert hashlib.sha256(store.read_bytes()).hexdigest() == digest


def test_the_session_verbs_resolve_once_and_keep_whole_ids(store: Path):
    from agent_debug.inspector.session import open_session
    from agent_debug.tui.cli.graph_ref import load_graph_ref

    thread = "feature-002-interrupted"
    with open_session(str(store), graph=load_graph_ref(FEATURE, None)) as session:
        every = ids(session.source, thread)
        outcome = session.fork(thread, every[2][-TAIL:], {"plan": ["one step"]})
        assert outcome.replayed_from == every[2]
        [new] = outcome.new_checkpoints
        assert session.source.history(thread, limit=1).checkpoints[0].parent_id == every[2]
        assert session.source.resolve_checkpoint(thread, new[-TAIL:]) == new
        with pytest.raises(AmbiguousCheckpoint):
            session.replay(thread, every[0][:5])
        with pytest.raises(ControlError, match="checkpoint 'ffffffffffff' does not belong to thread"):
            session.fork(thread, "ffffffffffff", {"plan": []})
