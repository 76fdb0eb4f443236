"""Headless ``resume`` and ``replay`` through a subprocess, on SQLite and on the real PostgreSQL server."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agent_debug.inspector.decisions import approve_value, check_schema, reject_value
from agent_debug.inspector.model import ActionOutcome
from agent_debug.inspector.targets import open_source
from tests.pg_server import postgres_saver

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
ROOT = Path(__file__).resolve().parents[1]
SNAPSHOT_DB = ROOT / "tests" / "data" / "snapshot.db"
FEATURE = "fixtures/feature_request.py:graph"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AGENT_DEBUG, *args], capture_output=True, text=True, timeout=120, cwd=ROOT)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ids_and_parents(target: str, thread: str) -> dict[str, str | None]:
    with open_source(target) as source:
        return {c.checkpoint_id: c.parent_id for c in source.history(thread, limit=None).checkpoints}


@pytest.fixture
def store(tmp_path: Path) -> Path:
    copy = tmp_path / "runs.db"
    shutil.copy(SNAPSHOT_DB, copy)
    return copy


def test_approve_finishes_the_run_and_only_appends(store: Path):
    before = ids_and_parents(str(store), "feature-002-interrupted")
    out = run("resume", str(store), "--thread", "feature-002-interrupted", "--approve", "--graph", FEATURE, "--json")
    assert out.returncode == 0, out.stderr
    outcome = ActionOutcome.model_validate_json(out.stdout)
    assert outcome.status.value == "done" and outcome.error is None
    assert list(outcome.sent.values()) == ["approve"]  # the interrupt offers options; approve picks its word
    after = ids_and_parents(str(store), "feature-002-interrupted")
    assert {k: after[k] for k in before} == before  # nothing rewritten
    assert set(after) - set(before) == set(outcome.new_checkpoints) and outcome.new_checkpoints
    assert outcome.diff is not None and any(c.path == "approved" for c in outcome.diff.changes)


def test_reject_with_a_reason_loops_back_to_a_new_interrupt(store: Path):
    # The review offers only the words "approve" / "reject": a reason has no place there,
    # so --reject --message is refused (a guessed shape could read as a yes) ...
    before = digest(store)
    refused = run("resume", str(store), "--thread", "feature-002-interrupted", "--reject", "--message", "use orjson", "--graph", FEATURE)
    assert refused.returncode == 1 and "nothing was sent" in refused.stderr and "--value" in refused.stderr
    assert digest(store) == before
    # ... and the reason goes in the shape the workflow documents, as an explicit value.
    value = '{"approved": false, "feedback": "use orjson"}'
    out = run("resume", str(store), "--thread", "feature-002-interrupted", "--value", value, "--graph", FEATURE)
    assert out.returncode == 0, out.stderr
    assert '"feedback": "use orjson"' in out.stdout
    assert "is now interrupted" in out.stdout and "waiting: interrupt" in out.stdout
    with open_source(str(store)) as source:
        state = source.state("feature-002-interrupted")
    assert "use orjson" in state.values["code"]


def test_refusals_write_nothing(store: Path):
    cases = [
        (["--thread", "feature-001-done", "--approve"], 1, "is not waiting at an interrupt"),
        (["--thread", "feature-002-interrupted", "--approve", "--interrupt", "ffff"], 1, "no pending interrupt matches 'ffff'"),
        (["--thread", "feature-002-interrupted", "--value", "{nope"], 2, "--value is not valid JSON"),
        (["--thread", "nope", "--approve"], 1, "no thread 'nope'"),
        (["--thread", "feature-002-interrupted"], 2, "one of the arguments"),
    ]
    before = digest(store)
    for args, code, fragment in cases:
        out = run("resume", str(store), *args, "--graph", FEATURE)
        assert out.returncode == code, (args, out.stderr)
        assert fragment in out.stderr, (fragment, out.stderr)
        assert "Traceback" not in out.stderr
        assert digest(store) == before and [p.name for p in store.parent.iterdir()] == ["runs.db"], args
    mismatch = run("resume", str(store), "--thread", "feature-002-interrupted", "--approve", "--graph", "fixtures/tool_agent.py:graph")
    assert mismatch.returncode == 1 and "does not match thread" in mismatch.stderr
    no_graph = run("resume", str(store), "--thread", "feature-002-interrupted", "--approve")
    assert no_graph.returncode == 2 and "--graph GRAPH_REF" in no_graph.stderr
    assert digest(store) == before


def _seed(path: Path, builder_name: str, thread: str, payload: dict) -> None:
    script = (
        "import sqlite3, sys\n"
        "from langgraph.checkpoint.sqlite import SqliteSaver\n"
        f"from tests.graphs import {builder_name}\n"
        f"conn = sqlite3.connect({str(path)!r}, check_same_thread=False)\n"
        f"g = {builder_name}().compile(checkpointer=SqliteSaver(conn))\n"
        f"g.invoke({payload!r}, {{'configurable': {{'thread_id': {thread!r}}}}})\n"
        "conn.close()\n"
    )
    subprocess.run([sys.executable, "-c", script], check=True, cwd=ROOT)


def test_two_interrupts_answered_by_id_in_one_resume(tmp_path: Path):
    db = tmp_path / "two.db"
    _seed(db, "two_questions_builder", "t", {"acc": []})
    with open_source(str(db)) as source:
        pending = {i.value: i.id for i in source.thread("t").interrupts}
    assert set(pending) == {"first?", "second?"}
    ambiguous = run("resume", str(db), "--thread", "t", "--value", '"x"', "--graph", "tests/graphs.py:two_questions")
    assert ambiguous.returncode == 1 and "2 interrupts are pending" in ambiguous.stderr
    one = run("resume", str(db), "--thread", "t", "--value", '"yes"', "--interrupt", pending["first?"][:8], "--graph", "tests/graphs.py:two_questions")
    assert one.returncode == 0, one.stderr
    with open_source(str(db)) as source:
        still = source.thread("t")
    assert [i.value for i in still.interrupts] == ["second?"]
    two = run("resume", str(db), "--thread", "t", "--reject", "--graph", "tests/graphs.py:two_questions", "--json")
    outcome = ActionOutcome.model_validate_json(two.stdout)
    assert outcome.status.value == "done"
    with open_source(str(db)) as source:
        assert sorted(source.state("t").values["acc"]) == ["one:yes", "two:False"]


def test_both_interrupts_at_once(tmp_path: Path):
    db = tmp_path / "both.db"
    _seed(db, "two_questions_builder", "t", {"acc": []})
    out = run("resume", str(db), "--thread", "t", "--approve", "--graph", "tests/graphs.py:two_questions", "--json")
    outcome = ActionOutcome.model_validate_json(out.stdout)
    assert len(outcome.sent) == 2 and outcome.status.value == "done"


def test_response_schema_is_checked_before_sending(tmp_path: Path):
    db = tmp_path / "schema.db"
    _seed(db, "schema_builder", "s", {"acc": []})
    before = digest(db)
    bad = run("resume", str(db), "--thread", "s", "--value", '"yes"', "--graph", "tests/graphs.py:schema")
    assert bad.returncode == 1 and "does not fit its response_schema" in bad.stderr
    assert digest(db) == before
    good = run("resume", str(db), "--thread", "s", "--value", '{"approved": true}', "--graph", "tests/graphs.py:schema")
    assert good.returncode == 0, good.stderr
    assert "is now done" in good.stdout


def test_a_failing_node_is_reported_not_crashed(tmp_path: Path):
    db = tmp_path / "fail.db"
    _seed(db, "linear_builder", "f", {"x": 200})
    out = run("resume", str(db), "--thread", "f", "--approve", "--graph", "tests/graphs.py:linear")
    assert out.returncode == 1
    assert "the workflow failed in finish: ValueError: x too large: 211" in out.stderr
    assert "Traceback" not in out.stderr
    assert "is now error" in out.stdout


def _parent_of_phase(target: str, thread: str, node: str) -> str:
    """The checkpoint before the newest run of ``node``."""
    with open_source(target) as source:
        rows = source.history(thread, limit=None).checkpoints
    return next(r.parent_id for r in rows if r.nodes == [node])


def test_replaying_an_interrupting_phase_stops_at_its_interrupt(store: Path):
    start = _parent_of_phase(str(store), "feature-001-done", "review")
    out = run("replay", str(store), "--thread", "feature-001-done", "--checkpoint", start, "--graph", FEATURE, "--json")
    outcome = ActionOutcome.model_validate_json(out.stdout)
    assert outcome.status.value == "interrupted" and outcome.interrupts[0].node == "review"
    # The original review was answered and wrote its decision; the replayed one has only
    # reached its interrupt, so it wrote nothing yet (the original's writes are not its).
    assert any(w.node == "review" for w in outcome.original_writes)
    assert outcome.replay_writes == []


def test_replay_one_phase_on_a_branch(store: Path):
    thread = "feature-001-done"
    before = ids_and_parents(str(store), thread)
    start = _parent_of_phase(str(store), thread, "sandbox_test")
    out = run("replay", str(store), "--thread", thread, "--checkpoint", start, "--graph", FEATURE, "--json")
    assert out.returncode == 0, out.stderr
    outcome = ActionOutcome.model_validate_json(out.stdout)
    assert outcome.phases == ["sandbox_test"]
    after = ids_and_parents(str(store), thread)
    assert {k: after[k] for k in before} == before  # the original branch is untouched
    new = [c for c in after if c not in before]
    assert set(new) == set(outcome.new_checkpoints)
    with open_source(str(store)) as source:
        rows = {c.checkpoint_id: c for c in source.history(thread, limit=None).checkpoints}
    ran = [rows[c].nodes for c in new if rows[c].source == "loop"]
    assert ran == [["sandbox_test"]]  # exactly one phase ran, then it stopped
    # The branch joins the original history at the checkpoint replayed from.
    walk = outcome.new_checkpoints[-1]
    while walk in new:
        walk = rows[walk].parent_id
    assert walk == start
    assert [w.channel for w in outcome.replay_writes] == [w.channel for w in outcome.original_writes]


def test_replay_with_an_edited_state(store: Path):
    thread = "feature-001-done"
    start = _parent_of_phase(str(store), thread, "synthesize")
    out = run(
        "replay", str(store), "--thread", thread, "--checkpoint", start, "--graph", FEATURE,
        "--update", '{"feedback": "use orjson"}', "--json",
    )
    assert out.returncode == 0, out.stderr
    outcome = ActionOutcome.model_validate_json(out.stdout)
    code = next(w.value for w in outcome.replay_writes if w.channel == "code")
    original = next(w.value for w in outcome.original_writes if w.channel == "code")
    assert "use orjson" in code and "use orjson" not in original
    with open_source(str(store)) as source:
        fork = source.history(thread, limit=None).checkpoints
    assert any(c.source == "update" and c.checkpoint_id == outcome.new_checkpoints[0] for c in fork)


def test_replay_refusals(store: Path):
    before = digest(store)
    other = ids_and_parents(str(store), "feature-003-error")
    foreign = next(iter(other))
    cases = [
        (["--checkpoint", foreign], 1, "does not belong to thread"),
        (["--checkpoint", _parent_of_phase(str(store), "feature-001-done", "review"), "--node", "plan"], 1, "'plan' is not due"),
        (["--checkpoint", _parent_of_phase(str(store), "feature-001-done", "review"), "--update", "[1]"], 2, "--update must be a JSON object"),
    ]
    for args, code, fragment in cases:
        out = run("replay", str(store), "--thread", "feature-001-done", *args, "--graph", FEATURE)
        assert out.returncode == code, (args, out.stderr)
        assert fragment in out.stderr
    assert digest(store) == before


def test_decisions_follow_the_interrupt_shape():
    hitl = {"action_requests": [{"name": "send", "args": {}}, {"name": "rm", "args": {}}], "review_configs": []}
    assert approve_value(hitl) == {"decisions": [{"type": "approve"}, {"type": "approve"}]}
    assert reject_value(hitl, "no")["decisions"][1] == {"type": "reject", "message": "no"}
    inbox = [{"action_request": {"action": "x", "args": {}}, "config": {}, "description": ""}]
    assert approve_value(inbox) == [{"type": "accept", "args": None}]
    assert reject_value(inbox) == [{"type": "ignore", "args": None}]
    assert approve_value({"options": ["approve", "revise"]}) == "approve"
    assert reject_value({"options": ["approve", "revise"]}) == "revise"
    assert approve_value("ok?") is True and reject_value("ok?") is False
    assert check_schema({"a": 1}, {"type": "object", "required": ["b"]}) == "the value: 'b' is a required property"
    assert check_schema(True, None) is None




@pytest.mark.postgres
def test_resume_and_replay_on_postgres(fresh_database):
    from tests.graphs import linear_builder

    dsn = fresh_database
    with postgres_saver(dsn) as saver:
        graph = linear_builder().compile(checkpointer=saver)
        graph.invoke({"x": 1}, {"configurable": {"thread_id": "pg"}})
    before = ids_and_parents(dsn, "pg")
    out = run("resume", dsn, "--thread", "pg", "--approve", "--graph", "tests/graphs.py:linear", "--json")
    assert out.returncode == 0, out.stderr
    outcome = ActionOutcome.model_validate_json(out.stdout)
    assert outcome.status.value == "done"
    after = ids_and_parents(dsn, "pg")
    assert {k: after[k] for k in before} == before and len(after) > len(before)
    start = _parent_of_phase(dsn, "pg", "finish")
    replay = run("replay", dsn, "--thread", "pg", "--checkpoint", start, "--graph", "tests/graphs.py:linear", "--json")
    assert replay.returncode == 0, replay.stderr
    assert ActionOutcome.model_validate_json(replay.stdout).phases == ["finish"]
    assert {k: v for k, v in ids_and_parents(dsn, "pg").items() if k in after} == after


SUPERVISOR = "fixtures/supervisor.py:graph"


def _every_namespace(target: str, thread: str) -> dict[str, dict[str, str | None]]:
    with open_source(target) as source:
        return {
            ns.namespace: {c.checkpoint_id: c.parent_id for c in source.history(thread, namespace=ns.namespace, limit=None).checkpoints}
            for ns in source.namespaces(thread)
        }


def _subgraph_phase(target: str, thread: str, prefix: str, node: str) -> tuple[str, str]:
    """(namespace, checkpoint before ``node`` ran) inside the subgraph whose namespace starts with ``prefix``."""
    with open_source(target) as source:
        ns = next(n.namespace for n in source.namespaces(thread) if n.namespace.startswith(prefix))
        rows = source.history(thread, namespace=ns, limit=None).checkpoints
    return ns, next(r.parent_id for r in rows if r.nodes == [node])


def test_replay_inside_a_subgraph_stays_inside_it(store: Path):
    thread = "supervisor-010-done"
    before = _every_namespace(str(store), thread)
    ns, start = _subgraph_phase(str(store), thread, "researcher:", "summarize")
    out = run("replay", str(store), "--thread", thread, "--ns", ns, "--checkpoint", start, "--graph", SUPERVISOR, "--json")
    assert out.returncode == 0, out.stderr
    outcome = ActionOutcome.model_validate_json(out.stdout)
    assert outcome.namespace == ns and outcome.phases == ["summarize"]
    after = _every_namespace(str(store), thread)
    # The parent graph did not move; no other subgraph ran; only this namespace grew.
    assert set(after) == set(before)
    for name, rows in before.items():
        assert {k: after[name][k] for k in rows} == rows
        if name != ns:
            assert after[name] == rows
    new = [c for c in after[ns] if c not in before[ns]]
    assert set(new) == set(outcome.new_checkpoints) and new
    with open_source(str(store)) as source:
        rows = {c.checkpoint_id: c for c in source.history(thread, namespace=ns, limit=None).checkpoints}
    assert [rows[c].nodes for c in new if rows[c].source == "loop"] == [["summarize"]]
    walk = outcome.new_checkpoints[-1]
    while walk in new:
        walk = rows[walk].parent_id
    assert walk == start  # a branch of the subgraph's own history
    assert {w.channel for w in outcome.replay_writes} == {w.channel for w in outcome.original_writes} == {"findings", "messages"}
    assert out.stderr == ""


def test_replay_inside_a_subgraph_with_an_edited_state(store: Path):
    thread = "supervisor-010-done"
    ns, start = _subgraph_phase(str(store), thread, "researcher:", "summarize")
    out = run(
        "replay", str(store), "--thread", thread, "--ns", ns, "--checkpoint", start, "--graph", SUPERVISOR,
        "--update", '{"notes": ["owls hunt at night"]}', "--as-node", "investigate", "--json",
    )
    assert out.returncode == 0, out.stderr
    outcome = ActionOutcome.model_validate_json(out.stdout)
    findings = next(w.value for w in outcome.replay_writes if w.channel == "findings")
    original = next(w.value for w in outcome.original_writes if w.channel == "findings")
    assert "owls hunt at night" in findings and "owls hunt at night" not in original
    with open_source(str(store)) as source:
        rows = {c.checkpoint_id: c for c in source.history(thread, namespace=ns, limit=None).checkpoints}
    assert rows[outcome.new_checkpoints[0]].source == "update"


def test_replay_inside_a_subgraph_refusals(store: Path):
    thread = "supervisor-010-done"
    before = digest(store)
    ns, start = _subgraph_phase(str(store), thread, "researcher:", "summarize")
    root_start = _parent_of_phase(str(store), thread, "researcher")
    cases = [
        (["--ns", ns, "--checkpoint", root_start], "does not belong to thread"),  # a root checkpoint, not the subgraph's
        (["--ns", ns, "--checkpoint", start, "--node", "split_questions"], "'split_questions' is not due"),
        (["--ns", "nowhere:1", "--checkpoint", start], "does not belong to thread"),
    ]
    for args, fragment in cases:
        out = run("replay", str(store), "--thread", thread, *args, "--graph", SUPERVISOR)
        assert out.returncode == 1, (args, out.stderr)
        assert fragment in out.stderr and "Traceback" not in out.stderr
    assert digest(store) == before


def test_task_id_key_is_langgraphs():
    from langgraph._internal._constants import CONFIG_KEY_TASK_ID

    from agent_debug.inspector.events.hooks import CONFIG_KEY_TASK_ID as TASK_ID_KEY

    assert TASK_ID_KEY == CONFIG_KEY_TASK_ID


@pytest.mark.postgres
def test_replay_inside_a_subgraph_on_postgres(fresh_database):
    from agent_debug.fixtures import seed, supervisor

    dsn = fresh_database
    with postgres_saver(dsn) as saver:
        seed.supervisor_done(supervisor.graph.copy(update={"checkpointer": saver}), "sup")
    before = _every_namespace(dsn, "sup")
    ns, start = _subgraph_phase(dsn, "sup", "researcher:", "summarize")
    out = run("replay", dsn, "--thread", "sup", "--ns", ns, "--checkpoint", start, "--graph", SUPERVISOR, "--json")
    assert out.returncode == 0, out.stderr
    outcome = ActionOutcome.model_validate_json(out.stdout)
    after = _every_namespace(dsn, "sup")
    assert outcome.phases == ["summarize"] and after[""] == before[""]
    assert set(after[ns]) - set(before[ns]) == set(outcome.new_checkpoints)
