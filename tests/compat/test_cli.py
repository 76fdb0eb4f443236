"""``agent-debug`` on each app's store: ``state --json``, ``graph --format dot``, ``resume``
and ``replay``, checked afterwards through LangGraph's own API.

The module runs every command once (``commands``), on private copies of the stores, and
each test reads the outcome of its own. Each process of the installed command imports
the libraries (seconds of CPU), so a few representative commands run that way
(``PROCESS``, a few at a time) and the rest through the same entry point in this process.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from agent_debug.inspector.decode import to_plain
from tests.compat.apps import APPS, config
from tests.compat.conftest import (
    CompatStore,
    Run,
    all_text,
    checkpoint_id,
    expected_history,
    expected_status,
    messages_in,
    open_langgraph,
    parent_id,
    reported_history,
    run_all,
)

REASON = "too late"


@dataclass
class Invocation:
    """One ``agent-debug`` command of this module and what it must achieve."""

    name: str
    app: str
    state: str
    verb: str  # state | graph | resume | replay
    args: Callable[[CompatStore, str], list[str]] = lambda store, thread: []
    expect: str = ""
    """resume: approved | rejected | refused | never_approves | answered_one; replay: branch."""
    carries: str | None = None
    """Text the library must have passed on to the state (a reject's reason)."""
    run: Run | None = field(default=None, repr=False)
    store: CompatStore | None = field(default=None, repr=False)
    thread: str = ""


def _interrupt_of(store: CompatStore, thread: str, tool: str) -> str:
    """The id of the pending interrupt about ``tool`` (per-call HITL asks one per tool call)."""
    return next(i.id for i in store.snapshot(thread).interrupts if i.value.get("name") == tool)


def _where(store: CompatStore, thread: str, test: Callable[[Any], bool]) -> str:
    """The newest checkpoint of the thread whose LangGraph snapshot passes ``test``."""
    return next(checkpoint_id(s) for s in store.history(thread) if test(s))


def _before_write_file(snap: Any) -> bool:
    messages = snap.values.get("messages", []) if isinstance(snap.values, dict) else []
    return snap.next == ("tools",) and bool(messages) and [c["name"] for c in getattr(messages[-1], "tool_calls", [])] == ["write_file"]


EDIT = {"type": "edit", "edited_action": {"name": "send_email", "args": {"to": "bob@example.com", "subject": "Launch"}}}

COMMANDS = [
    # read-only
    Invocation("state-deep_agent", "deep_agent", "done", "state"),
    Invocation("state-functional", "functional", "interrupted", "state"),
    Invocation("state-typed_state", "typed_state", "done", "state"),
    Invocation("state-full-deep_agent", "deep_agent", "done", "state", lambda s, t: ["--decode", "full"]),
    Invocation("state-full-typed_state", "typed_state", "done", "state", lambda s, t: ["--decode", "full"]),
    *(
        Invocation(f"graph-status-{name}-{state}", name, state, "graph", lambda s, t: ["--xray", "--format", "json", "--from", s.target, "--thread", t])
        for name in ("supervisor", "swarm")
        for state in ("interrupted", "error")
    ),
    *(Invocation(f"graph-{name}", name, "done", "graph") for name in APPS if name not in ("hitl_per_call", "functional_failing")),
    # resume
    Invocation("hitl-approve", "hitl", "interrupted", "resume", lambda s, t: ["--approve"], "approved"),
    Invocation("hitl-reject", "hitl", "interrupted", "resume", lambda s, t: ["--reject", "--message", REASON], "rejected", REASON),
    Invocation("percall-approve", "hitl_per_call", "interrupted", "resume", lambda s, t: ["--approve"], "approved"),
    Invocation("percall-reject", "hitl_per_call", "interrupted", "resume", lambda s, t: ["--reject", "--message", REASON], "rejected", REASON),
    Invocation(
        "percall-edit-one", "hitl_per_call", "interrupted", "resume",
        lambda s, t: ["--value", json.dumps(EDIT), "--interrupt", _interrupt_of(s, t, "send_email")], "answered_one",
    ),
    Invocation(
        "percall-value-outside-schema", "hitl_per_call", "interrupted", "resume",
        lambda s, t: ["--value", '"yes"', "--interrupt", _interrupt_of(s, t, "send_email")], "refused",
    ),
    Invocation(
        "percall-decision-not-allowed", "hitl_per_call", "interrupted", "resume",
        lambda s, t: ["--value", '{"type": "respond", "message": "no"}', "--interrupt", _interrupt_of(s, t, "delete_draft")], "refused",
    ),
    Invocation("react-approve", "react", "interrupted", "resume", lambda s, t: ["--approve"], "approved"),
    Invocation("react-reject", "react", "interrupted", "resume", lambda s, t: ["--reject", "--message", REASON], "rejected", REASON),
    Invocation("supervisor-approve", "supervisor", "interrupted", "resume", lambda s, t: ["--approve"], "approved"),
    Invocation("supervisor-reject", "supervisor", "interrupted", "resume", lambda s, t: ["--reject"], "rejected"),
    Invocation("swarm-approve", "swarm", "interrupted", "resume", lambda s, t: ["--approve"], "approved"),
    Invocation("swarm-reject", "swarm", "interrupted", "resume", lambda s, t: ["--reject", "--message", REASON], "never_approves"),
    Invocation("deep_agent-approve", "deep_agent", "interrupted", "resume", lambda s, t: ["--approve"], "approved"),
    Invocation("deep_agent-reject", "deep_agent", "interrupted", "resume", lambda s, t: ["--reject", "--message", REASON], "rejected", REASON),
    Invocation("functional-approve", "functional", "interrupted", "resume", lambda s, t: ["--approve"], "approved"),
    Invocation("functional-reject", "functional", "interrupted", "resume", lambda s, t: ["--reject", "--message", REASON], "rejected"),
    Invocation("functional-value", "functional", "interrupted", "resume", lambda s, t: ["--value", '{"approved": true}'], "approved"),
    Invocation("functional-value-outside-schema", "functional", "interrupted", "resume", lambda s, t: ["--value", '"yes"'], "refused"),
    Invocation("map_reduce-approve", "map_reduce", "interrupted", "resume", lambda s, t: ["--approve"], "approved"),
    Invocation("map_reduce-reject", "map_reduce", "interrupted", "resume", lambda s, t: ["--reject"], "rejected"),
    Invocation("typed_state-approve", "typed_state", "interrupted", "resume", lambda s, t: ["--approve"], "approved"),
    # replay
    Invocation(
        "replay-map_reduce-send", "map_reduce", "done", "replay",
        lambda s, t: ["--checkpoint", _where(s, t, lambda x: sorted(x.next) == ["summarize", "summarize"])], "branch",
    ),
    Invocation(
        "replay-map_reduce-interrupt", "map_reduce", "done", "replay",
        lambda s, t: ["--checkpoint", _where(s, t, lambda x: x.next == ("review",))], "branch",
    ),
    Invocation(
        "replay-typed_state-update", "typed_state", "done", "replay",
        lambda s, t: ["--checkpoint", _where(s, t, lambda x: x.next == ("make_plan",)), "--update", '{"title": "renamed"}'], "branch",
    ),
    Invocation("replay-deep_agent", "deep_agent", "done", "replay", lambda s, t: ["--checkpoint", _where(s, t, _before_write_file)], "branch"),
    Invocation(
        "replay-functional", "functional", "done", "replay",
        lambda s, t: ["--checkpoint", _where(s, t, lambda x: x.metadata["source"] == "input")], "branch",
    ),
]
BY_NAME = {c.name: c for c in COMMANDS}
PROCESS = {
    "state-deep_agent",
    "graph-deep_agent",
    "percall-approve",
    "typed_state-approve",  # another process, another hash seed: the sets it writes
    "replay-typed_state-update",
}


@pytest.fixture(scope="module")
def commands(compat_store, tmp_path_factory) -> dict[str, Invocation]:
    """Every command of the module, run (in parallel) before the first test reads one."""
    runs = []
    for cmd in COMMANDS:
        store = compat_store(cmd.app)
        cmd.store, cmd.thread = store, store.thread(cmd.state)
        ref = store.app.ref
        if cmd.verb == "state":
            cmd.run = Run(["state", store.target, "--thread", cmd.thread, *cmd.args(store, cmd.thread), "--json"])
        elif cmd.verb == "graph":
            cmd.run = Run(["graph", ref, *(cmd.args(store, cmd.thread) or ["--format", "dot"])])
        else:
            copy = store.copy(tmp_path_factory.mktemp(cmd.name))
            args = cmd.args(store, cmd.thread)  # ids from the session store, identical in the copy
            cmd.run = Run([cmd.verb, str(copy), "--thread", cmd.thread, "--graph", ref, *args, "--json"], store=copy)
        cmd.run.process = cmd.name in PROCESS
        runs.append(cmd.run)
    run_all(runs)
    return BY_NAME


def _names(verb: str, *expect: str) -> list[str]:
    return [c.name for c in COMMANDS if c.verb == verb and (not expect or c.expect in expect)]


# -- state --json ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", _names("state"))
def test_state_json_is_the_api_document_and_langgraphs_values(commands, name):
    from agent_debug.inspector.targets import open_source

    cmd = commands[name]
    assert cmd.run.returncode == 0, cmd.run.explain()
    doc = cmd.run.json
    decode = "full" if "--decode" in cmd.run.args else "safe"
    with open_source(cmd.store.target) as source:
        api = json.loads(source.state(cmd.thread, decode=decode).model_dump_json())
    assert doc == api
    snap = cmd.store.snapshot(cmd.thread)
    assert doc["checkpoint_id"] == checkpoint_id(snap)
    assert doc["values"] == json.loads(json.dumps(to_plain(snap.values)))
    assert Counter(doc["next"]) == Counter(snap.next)


# -- graph --format dot --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [n for n in _names("graph") if "status" not in n])
def test_graph_dot_renders_with_graphviz_and_has_the_graphs_nodes_and_edges(commands, name, tmp_path):
    import pydot

    cmd = commands[name]
    assert cmd.run.returncode == 0, cmd.run.explain()
    [dot] = pydot.graph_from_dot_data(cmd.run.stdout)

    def walk(graph: Any):
        yield graph
        for sub in graph.get_subgraphs():
            yield from walk(sub)

    nodes = {n.get_name().strip('"') for g in walk(dot) for n in g.get_nodes()} - {"node", "edge", "graph"}
    edges = {(e.get_source().strip('"'), e.get_destination().strip('"')) for g in walk(dot) for e in g.get_edges()}
    drawable = cmd.store.graph.get_graph()
    assert set(drawable.nodes) <= nodes
    assert {(e.source, e.target) for e in drawable.edges} <= edges
    assert shutil.which("dot"), "Graphviz is not installed (.ci/install-system-packages installs it)"
    (tmp_path / "g.dot").write_text(cmd.run.stdout)
    svg = subprocess.run(["dot", "-Tsvg", str(tmp_path / "g.dot")], capture_output=True, text=True, timeout=60)
    assert svg.returncode == 0, svg.stderr
    assert "<svg" in svg.stdout
    for node in drawable.nodes:
        assert f"<title>{_xml(node)}</title>" in svg.stdout, node


def _xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@pytest.mark.parametrize("name", [n for n in _names("graph") if "status" in n])
def test_nodes_inside_sub_agents_show_the_runs_status(commands, name):
    """``graph --xray --from``: the node inside the agent's subgraph that waits or failed is
    marked, as LangGraph's nested state (``get_state(subgraphs=True)``) has it."""
    cmd = commands[name]
    assert cmd.run.returncode == 0, cmd.run.explain()
    status = {n["id"]: n["status"] for n in cmd.run.json["nodes"]}
    nested = cmd.store.graph.get_state(config(cmd.thread), subgraphs=True)
    expected = {}
    for task in nested.tasks:
        for inner in getattr(task.state, "tasks", ()) or ():
            if inner.interrupts:
                expected[f"{task.name}:{inner.name}"] = "interrupted"
            elif inner.error:
                expected[f"{task.name}:{inner.name}"] = "failed"
    assert expected, "the run stopped inside a sub-agent"
    assert {k: status.get(k) for k in expected} == expected


# -- resume ---------------------------------------------------------------------------------------------


def _after(cmd: Invocation) -> tuple[Any, Any, list[Any]]:
    """LangGraph on the copy the command acted on: the graph, its latest state, its history."""
    graph, conn = open_langgraph(cmd.store.app, cmd.run.store)
    try:
        snap = graph.get_state(config(cmd.thread))
        history = list(graph.get_state_history(config(cmd.thread)))
    finally:
        conn.close()
    return graph, snap, history


def _only_appended(cmd: Invocation, history: list[Any]) -> list[str]:
    """The ids the command added; every checkpoint that was there before is unchanged."""
    before = {checkpoint_id(s): parent_id(s) for s in cmd.store.history(cmd.thread)}
    after = {checkpoint_id(s): parent_id(s) for s in history}
    assert {k: after.get(k, "gone") for k in before} == before
    return [c for c in after if c not in before]


@pytest.mark.parametrize("name", _names("resume", "approved", "rejected", "answered_one"))
def test_resume_does_what_the_library_expects(commands, name):
    cmd = commands[name]
    assert cmd.run.returncode == 0, cmd.run.explain()
    outcome = cmd.run.json
    _, snap, history = _after(cmd)
    new = _only_appended(cmd, history)
    # Answering one of two interrupts finishes no step: LangGraph saves that task's writes, no checkpoint.
    assert (new or cmd.expect == "answered_one") and set(outcome["new_checkpoints"]) <= set(new)
    assert outcome["head"] == checkpoint_id(snap)
    assert outcome["status"] == expected_status(snap)
    assert Counter(outcome["next"]) == Counter(snap.next)
    app = cmd.store.app
    if cmd.expect == "approved":
        assert app.approved(snap.values), all_text(snap.values) or snap.values
    elif cmd.expect == "rejected":
        assert app.rejected(snap.values), all_text(snap.values) or snap.values
        assert not app.approved(snap.values)
    else:  # answered_one: the edited send_email ran as edited; delete_draft still waits
        assert [i.value["name"] for i in snap.interrupts] == ["delete_draft"]
        assert "Sent 'Launch' to bob@example.com." in all_text(snap.values)
    if cmd.carries:
        assert cmd.carries in all_text(snap.values), all_text(snap.values)
    if name == "functional-reject":
        assert snap.values["feedback"] == REASON
    # The summary of what changed lists the messages the run added (deepagents' too).
    before = {m.id for m in messages_in(cmd.store.snapshot(cmd.thread).values)}
    added = [m.id for m in messages_in(snap.values) if m.id not in before]
    reported = [m["message"]["id"] for m in (outcome.get("diff") or {}).get("messages", []) if m["kind"] == "added"]
    assert reported == added


@pytest.mark.parametrize("name", _names("resume", "refused"))
def test_a_wrong_answer_is_refused_before_anything_is_written(commands, name):
    run = commands[name].run
    assert run.returncode != 0, run.explain()
    assert run.after == run.before, "the store changed"
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    assert "nothing was sent" in run.stderr or "response_schema" in run.stderr, run.stderr


@pytest.mark.parametrize("name", _names("resume", "never_approves"))
def test_a_reject_never_approves(commands, name):
    """A reject whose meaning the interrupt does not declare is refused (nothing written) or,
    if sent, the library must read it as a refusal."""
    cmd = commands[name]
    if cmd.run.returncode != 0:
        assert cmd.run.after == cmd.run.before, "a refused reject changed the store"
        assert len(cmd.run.stderr.strip().splitlines()) == 1 and "Traceback" not in cmd.run.stderr, cmd.run.stderr
        return
    _, snap, _ = _after(cmd)
    assert not cmd.store.app.approved(snap.values), all_text(snap.values)


def test_sets_written_by_another_process_are_not_a_change(commands):
    """The resume ran sign_off in another process (another hash seed): the sets it carried
    through unchanged must not show in the diff as changed."""
    cmd = commands["typed_state-approve"]
    assert cmd.run.returncode == 0, cmd.run.explain()
    diff = cmd.run.json["diff"]
    assert diff is not None
    changed = {c["path"].split(".")[0] for c in diff["changes"]}
    assert "approved" in changed
    assert not changed & {"tags", "codes", "attachment", "plan"}, diff["changes"]


# -- replay ---------------------------------------------------------------------------------------------


def _branch_writes(graph: Any, thread: str, new: list[str], phases: set[str]) -> Counter:
    """What the replayed phases wrote on the new branch, read from LangGraph's saver."""
    out: Counter = Counter()
    for cid in new:
        cfg = config(thread)
        cfg["configurable"]["checkpoint_id"] = cid
        names = {t.id: t.name for t in graph.get_state(cfg).tasks}
        saved = graph.checkpointer.get_tuple(cfg)
        for task_id, channel, value in saved.pending_writes or []:
            if names.get(task_id) in phases and not channel.startswith(("__", "branch:")):
                out[(names[task_id], channel, json.dumps(to_plain(value), sort_keys=True))] += 1
    return out


def _reported_writes(writes: list[dict[str, Any]]) -> Counter:
    return Counter((w["node"], w["channel"], json.dumps(w["value"], sort_keys=True)) for w in writes)


@pytest.mark.parametrize("name", _names("replay"))
def test_replay_makes_a_new_branch_with_the_phases_own_writes(commands, name):
    cmd = commands[name]
    assert cmd.run.returncode == 0, cmd.run.explain()
    outcome = cmd.run.json
    start = cmd.run.args[cmd.run.args.index("--checkpoint") + 1]
    graph, conn = open_langgraph(cmd.store.app, cmd.run.store)
    try:
        history = list(graph.get_state_history(config(cmd.thread)))
        new = _only_appended(cmd, history)
        assert new and set(outcome["new_checkpoints"]) == set(new)
        by_id = {checkpoint_id(s): s for s in history}
        # A branch: from its newest checkpoint, the parents lead back to the one replayed from.
        walk = outcome["new_checkpoints"][-1]
        while walk in new:
            walk = parent_id(by_id[walk])
        assert walk == start
        assert outcome["replayed_from"] == start
        due = {t.name for t in by_id[start].tasks}
        assert set(outcome["phases"]) == due
        head = by_id[outcome["head"]]
        assert outcome["status"] == expected_status(graph.get_state(head.config) if head.next else head)
        assert _reported_writes(outcome["replay_writes"]) == _branch_writes(graph, cmd.thread, new, due)
        original = Counter(
            (t.name, ch, json.dumps(to_plain(v), sort_keys=True))
            for t in by_id[start].tasks
            for ch, v in _task_writes(graph, cmd.thread, start, t.id)
        )
        assert _reported_writes(outcome["original_writes"]) == original
    finally:
        conn.close()
    # The branch in agent-debug's history: the phase by its node's name (a Send's too, not 'send').
    from agent_debug.inspector.targets import open_source

    with open_source(str(cmd.run.store)) as source:
        page = source.history(cmd.thread, limit=None)
    assert [r for r in reported_history(page) if r["id"] in new] == [r for r in expected_history(history) if r["id"] in new]
    ran = [r["nodes"] for r in expected_history(history) if r["id"] in new and r["source"] == "loop"]
    if name in ("replay-map_reduce-interrupt", "replay-functional"):
        # The phase stopped at its interrupt: no step finished, nothing but the interrupt was written.
        assert ran == [] and outcome["status"] == "interrupted" and not outcome["replay_writes"]
    else:
        assert ran == [sorted(due)]
    if name == "replay-typed_state-update":
        titles = {w["value"]["title"] for w in outcome["replay_writes"] if w["channel"] == "plan"}
        assert titles == {"renamed"}
        assert {w["value"]["title"] for w in outcome["original_writes"] if w["channel"] == "plan"} == {"launch"}
    if name == "replay-deep_agent":
        assert "/report.md" in head.values["files"]


def _task_writes(graph: Any, thread: str, checkpoint: str, task_id: str) -> list[tuple[str, Any]]:
    cfg = config(thread)
    cfg["configurable"]["checkpoint_id"] = checkpoint
    saved = graph.checkpointer.get_tuple(cfg)
    return [(ch, v) for tid, ch, v in saved.pending_writes or [] if tid == task_id and not ch.startswith(("__", "branch:"))]
