"""Stores written by the published libraries (tests/compat/apps.py), and LangGraph's own view of them.

Every app runs once per session into a SQLite file of its own, through LangGraph's
``SqliteSaver``; the writer stays open so the tests can ask LangGraph (``get_state``,
``get_state_history``) what agent-debug should be saying. Tests that act on a store get
a private copy (``CompatStore.copy``) made with SQLite's backup API.

The helpers below turn LangGraph's objects into the terms agent-debug reports in, so a
test compares like with like: ``expected_status``, ``expected_errors``,
``expected_interrupts``, ``expected_message``, ``expected_history``.
"""

from __future__ import annotations

import ast
import gc
import hashlib
import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.compat.apps import APPS, App, config

ROOT = Path(__file__).resolve().parents[2]
AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))

CASES = [pytest.param(name, state, id=f"{name}-{state}") for name, app in APPS.items() for state in app.states]
"""(app, end state) for every thread the apps leave behind."""


# -- the stores -------------------------------------------------------------------------------


@dataclass
class CompatStore:
    """One app's threads in a checkpoint store, with the graph that wrote them still attached."""

    app: App
    target: str
    graph: Any
    runs: dict[str, str]
    conn: sqlite3.Connection | None = None

    def thread(self, state: str) -> str:
        return self.runs[state]

    def snapshot(self, thread_id: str, checkpoint_id: str | None = None) -> Any:
        cfg = config(thread_id)
        if checkpoint_id:
            cfg["configurable"]["checkpoint_id"] = checkpoint_id
        return self.graph.get_state(cfg)

    def history(self, thread_id: str) -> list[Any]:
        return list(self.graph.get_state_history(config(thread_id)))

    def copy(self, directory: Path) -> Path:
        """A private copy of this SQLite store in ``directory`` (alone there, no -wal beside it)."""
        assert self.conn is not None, "only SQLite stores are copied"
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / "runs.db"
        dest = sqlite3.connect(path)
        with dest:
            self.conn.backup(dest)
        dest.close()
        return path


def write_sqlite_store(app: App, path: Path) -> CompatStore:
    """Run ``app`` into a new SQLite file; the writer connection stays open."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    conn = sqlite3.connect(path, check_same_thread=False)
    graph = app.build(SqliteSaver(conn))
    runs = app.run(graph)
    assert set(runs) == set(app.states), (app.name, runs)
    return CompatStore(app=app, target=str(path), graph=graph, runs=runs, conn=conn)


@pytest.fixture(scope="session")
def compat_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[[str], CompatStore]]:
    """``compat_store(app_name)``: that app's session store, written on first use."""
    built: dict[str, CompatStore] = {}

    def get(name: str) -> CompatStore:
        if name not in built:
            built[name] = write_sqlite_store(APPS[name], tmp_path_factory.mktemp(f"compat-{name}") / "runs.db")
        return built[name]

    yield get
    for store in built.values():
        if store.conn is not None:
            store.conn.close()


def open_langgraph(app: App, path: Path) -> tuple[Any, sqlite3.Connection]:
    """The app bound to a fresh ``SqliteSaver`` on ``path`` (a copy a test acted on)."""
    from langgraph.checkpoint.sqlite import SqliteSaver

    conn = sqlite3.connect(path, check_same_thread=False)
    return app.build(SqliteSaver(conn)), conn


def digest(directory: Path) -> dict[str, str]:
    """The name and hash of every file in a store's directory (the db, any -wal or -shm)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir())}


# -- the installed command ---------------------------------------------------------------------


@dataclass
class Run:
    """One ``agent-debug`` command: its arguments and what it did.

    ``process``: run the installed command in a process of its own; otherwise its entry
    point (``agent_debug.tui.cli.main``) runs here, the same code without the seconds
    each process spends importing the libraries.
    """

    args: list[str]
    process: bool = False
    returncode: int = -1
    stdout: str = ""
    stderr: str = ""
    store: Path | None = None
    before: dict[str, str] = field(default_factory=dict)
    after: dict[str, str] = field(default_factory=dict)

    @property
    def json(self) -> Any:
        return json.loads(self.stdout)

    def explain(self) -> str:
        how = "process" if self.process else "in-process"
        return f"agent-debug {' '.join(self.args)} ({how})\nexit {self.returncode}\nstdout: {self.stdout[-2000:]}\nstderr: {self.stderr[-3000:]}"


def _in_process(run: Run) -> None:
    import contextlib
    import io

    from agent_debug.tui.cli import main

    out, err = io.StringIO(), io.StringIO()
    # A short-lived command may switch the cyclic collector off, set environment variables
    # and put a graph's directory on sys.path for its own process; this one gets all back.
    collecting, environ, path = gc.isenabled(), dict(os.environ), list(sys.path)
    try:
        with contextlib.chdir(ROOT), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                run.returncode = main(run.args)
            except SystemExit as exc:  # argparse's usage errors
                run.returncode = exc.code if isinstance(exc.code, int) else 2
    finally:
        if collecting:
            gc.enable()
        os.environ.clear()
        os.environ.update(environ)
        sys.path[:] = path
    run.stdout, run.stderr = out.getvalue(), err.getvalue()


def _in_a_process(run: Run) -> None:
    done = subprocess.run([AGENT_DEBUG, *run.args], capture_output=True, text=True, timeout=300, cwd=ROOT)
    run.returncode, run.stdout, run.stderr = done.returncode, done.stdout, done.stderr


def run_all(runs: Sequence[Run], workers: int = 2) -> None:
    """Run every command: the processes a few at a time, the others here meanwhile."""

    def one(run: Run) -> None:
        if run.store is not None:
            run.before = digest(run.store.parent)
        (_in_a_process if run.process else _in_process)(run)

        if run.store is not None:
            run.after = digest(run.store.parent)

    with ThreadPoolExecutor(max_workers=workers) as pool:
        started = [pool.submit(one, r) for r in runs if r.process]
        for run in runs:
            if not run.process:
                one(run)
        for future in started:
            future.result()


# -- LangGraph's view, in agent-debug's terms --------------------------------------------------


def expected_status(snapshot: Any) -> str:
    """The status agent-debug should give a thread whose latest state is ``snapshot``."""
    if snapshot.interrupts:
        return "interrupted"
    if any(t.error for t in snapshot.tasks):
        return "error"
    if snapshot.next:
        return "pending"
    return "done"


def parse_error(error: Any) -> tuple[str, str]:
    """(type, message) of a task's error as LangGraph returns it: the exception's repr, e.g.
    ``LookupError("no contact named 'Ann'")`` (an exception object from older versions)."""
    if isinstance(error, BaseException):
        return type(error).__name__, ", ".join(str(a) for a in error.args)
    text = str(error)
    try:
        node = ast.parse(text, mode="eval").body
        assert isinstance(node, ast.Call)
        name = ast.unparse(node.func).rsplit(".", 1)[-1]
        return name, ", ".join(str(ast.literal_eval(a)) for a in node.args)
    except (SyntaxError, ValueError, AssertionError):
        return "Error", text


def expected_errors(snapshot: Any) -> Counter:
    """(node, exception type, message) of every failed task, as a multiset."""
    return Counter((t.name, *parse_error(t.error)) for t in snapshot.tasks if t.error)


def expected_interrupts(snapshot: Any) -> dict[str, tuple[Any, Any, str]]:
    """Interrupt id → (value in agent-debug's plain form, response_schema, the task holding it)."""
    from agent_debug.inspector.decode import to_plain

    holder = {i.id: t.name for t in snapshot.tasks for i in t.interrupts}
    return {i.id: (to_plain(i.value), getattr(i, "response_schema", None), holder.get(i.id, "?")) for i in snapshot.interrupts}


def reasoning_of(message: Any) -> list[str]:
    """The thinking a message carries, in each of the three formats the chat model emits."""
    found = []
    if isinstance(message.content, list):
        for block in message.content:
            if isinstance(block, dict) and block.get("type") in ("reasoning", "thinking"):
                text = block.get(block["type"])
                if text:
                    found.append(text)
    extra = message.additional_kwargs.get("reasoning_content")
    if extra:
        found.append(extra)
    return found


def expected_message(message: Any) -> dict[str, Any]:
    """What agent-debug's MessageView should say about a LangChain message."""
    return {
        "role": message.type,
        "type_name": type(message).__name__,
        "id": message.id,
        "name": message.name,
        "text": message.text,
        "reasoning": reasoning_of(message),
        "tool_calls": [(c["name"], c["args"], c["id"]) for c in getattr(message, "tool_calls", [])],
        "tool_call_id": getattr(message, "tool_call_id", None),
    }


def reported_message(view: Any) -> dict[str, Any]:
    """The same fields of one of agent-debug's MessageViews."""
    return {
        "role": view.role,
        "type_name": view.type_name.rsplit(".", 1)[-1] if view.type_name else None,
        "id": view.id,
        "name": view.name,
        "text": view.text,
        "reasoning": view.reasoning,
        "tool_calls": [(c.get("name"), c.get("args"), c.get("id")) for c in view.tool_calls],
        "tool_call_id": view.tool_call_id,
    }


def messages_in(values: Any) -> list[Any]:
    """The LangChain messages of a state (the ``messages`` key)."""
    if isinstance(values, dict) and isinstance(values.get("messages"), list):
        return values["messages"]
    return []


def checkpoint_id(snapshot: Any) -> str:
    return snapshot.config["configurable"]["checkpoint_id"]


def parent_id(snapshot: Any) -> str | None:
    return snapshot.parent_config["configurable"]["checkpoint_id"] if snapshot.parent_config else None


def expected_history(history: list[Any]) -> list[dict[str, Any]]:
    """Each checkpoint newest first: id, parent, step, source and the nodes that made it.

    The nodes that made a ``loop`` checkpoint are the tasks LangGraph had planned at its
    parent (a set: two tasks of one node made it together); other sources have none.
    """
    by_id = {checkpoint_id(s): s for s in history}
    rows = []
    for snap in history:
        source = snap.metadata.get("source")
        parent = parent_id(snap)
        nodes = sorted({t.name for t in by_id[parent].tasks}) if source == "loop" and parent in by_id else []
        rows.append({"id": checkpoint_id(snap), "parent": parent, "step": snap.metadata.get("step"), "source": source, "nodes": nodes})
    return rows


def reported_history(page: Any) -> list[dict[str, Any]]:
    return [
        {"id": c.checkpoint_id, "parent": c.parent_id, "step": c.step, "source": c.source, "nodes": sorted(set(c.nodes))}
        for c in page.checkpoints
    ]


def tool_results(values: Any) -> list[str]:
    """The text of every tool message in a state."""
    return [m.text for m in messages_in(values) if m.type == "tool"]


def all_text(values: Any) -> str:
    """Every message's text in a state, one per line (what a person would read)."""
    return "\n".join(m.text for m in messages_in(values))


# -- field-by-field checks, shared by the SQLite and PostgreSQL tests ---------------------------


def check_summary(source: Any, store: CompatStore, thread_id: str) -> None:
    """Status, next (a multiset), head, step and count of the thread, as LangGraph sees them."""
    snap = store.snapshot(thread_id)
    summary = source.thread(thread_id)
    assert summary.status.value == expected_status(snap), (summary.status, snap.next, snap.interrupts)
    assert Counter(summary.next) == Counter(known_next(store, snap)), (summary.next, snap.next)
    assert summary.checkpoint_id == checkpoint_id(snap)
    assert summary.last_step == snap.metadata["step"]
    assert summary.checkpoint_count == len(store.history(thread_id))


def check_values(source: Any, store: CompatStore, thread_id: str, at: str | None = None) -> None:
    """The decoded state equals LangGraph's values in agent-debug's plain form."""
    from agent_debug.inspector.decode import to_plain

    snap = store.snapshot(thread_id, at)
    state = source.state(thread_id, checkpoint_id=at)
    assert state.checkpoint_id == checkpoint_id(snap)
    if unnamed_entrypoint(store, snap):
        assert state.values == {}  # read as a graph that has not started (README, "works with")
    else:
        assert state.values == known_values(store, snap, to_plain(snap.values))
    assert Counter(state.next) == Counter(known_next(store, snap)), (state.next, snap.next)


def known_values(store: CompatStore, snapshot: Any, values: Any) -> Any:
    """LangGraph's values less the keys no store can tell about: a reducer channel never
    written shows its type's empty value (``messages: []``), known only from the graph.
    A DeltaChannel is the exception: the checkpoint's metadata names it, so agent-debug
    shows it empty too."""
    from langgraph.channels.delta import DeltaChannel

    if not isinstance(values, dict):
        return values
    saved = store.graph.checkpointer.get_tuple(snapshot.config)
    written = saved.checkpoint["channel_versions"] if saved else {}
    delta = {k for k, ch in store.graph.channels.items() if isinstance(ch, DeltaChannel)}
    return {k: v for k, v in values.items() if k in written or k in delta or v not in ([], {}, None, "", 0)}


def unnamed_entrypoint(store: CompatStore, snapshot: Any) -> bool:
    """A functional-API thread stopped before its entrypoint first ran: nothing in the
    store names the entrypoint yet (no task has written), so without the graph it reads as
    ``__start__`` with no state. The one documented gap of ``next``."""
    saved = store.graph.checkpointer.get_tuple(snapshot.config)
    return (
        "__start__" not in store.graph.nodes
        and snapshot.metadata.get("source") == "input"
        and saved is not None
        and not saved.pending_writes
    )


def known_next(store: CompatStore, snapshot: Any) -> tuple[str, ...]:
    """LangGraph's ``next``, with the documented gap of ``unnamed_entrypoint``."""
    return ("__start__",) if unnamed_entrypoint(store, snapshot) else tuple(snapshot.next)


def check_messages(source: Any, store: CompatStore, thread_id: str) -> None:
    """Each message of the state, presented: role, id, name, text, thinking, tool calls."""
    snap = store.snapshot(thread_id)
    state = source.state(thread_id)
    assert [reported_message(v) for v in state.messages] == [expected_message(m) for m in messages_in(snap.values)]


def check_interrupts(source: Any, store: CompatStore, thread_id: str) -> None:
    """Pending interrupts: ids, values, response_schema and the node holding each, in the summary and the state."""
    expected = expected_interrupts(store.snapshot(thread_id))
    for where, reported in (("thread", source.thread(thread_id).interrupts), ("state", source.state(thread_id).interrupts)):
        got = {i.id: (i.value, i.response_schema, i.node) for i in reported}
        assert got == expected, where


def check_errors(source: Any, store: CompatStore, thread_id: str) -> None:
    """Failed tasks: one entry per failed task, with its node, type and message."""
    expected = expected_errors(store.snapshot(thread_id))
    for where, reported in (("thread", source.thread(thread_id).errors), ("state", source.state(thread_id).errors)):
        assert Counter((e.node, e.type.rsplit(".", 1)[-1], e.message) for e in reported) == expected, where


def check_history(source: Any, store: CompatStore, thread_id: str) -> None:
    """Every checkpoint newest first, with parents, steps, sources and the nodes that made it."""
    expected = expected_history(store.history(thread_id))
    page = source.history(thread_id, limit=None)
    assert page.total == len(expected)
    assert reported_history(page) == expected


def check_every_checkpoint(source: Any, store: CompatStore, thread_id: str) -> None:
    """Values and next at each checkpoint of the thread, not only the latest."""
    for snap in store.history(thread_id):
        check_values(source, store, thread_id, at=checkpoint_id(snap))


def subgraph_snapshots(snapshot: Any) -> Iterator[Any]:
    """The states of the subgraphs the tasks of ``snapshot`` are running (``get_state(subgraphs=True)``)."""
    for task in snapshot.tasks:
        if task.state is not None and hasattr(task.state, "values"):
            yield task.state
            yield from subgraph_snapshots(task.state)


def check_namespaces(source: Any, store: CompatStore, thread_id: str, saver: Any) -> None:
    """The thread's checkpoint namespaces, each namespace's history, and the state inside running subgraphs."""
    from agent_debug.inspector.decode import to_plain

    stored: dict[str, list[str]] = {}
    for t in saver.list(config(thread_id)):
        stored.setdefault(t.config["configurable"]["checkpoint_ns"], []).append(t.config["configurable"]["checkpoint_id"])
    spaces = source.namespaces(thread_id)
    assert {n.namespace for n in spaces} == set(stored)
    for ns in spaces:
        page = source.history(thread_id, namespace=ns.namespace, limit=None)
        assert [c.checkpoint_id for c in page.checkpoints] == stored[ns.namespace], ns.namespace
    full = store.graph.get_state(config(thread_id), subgraphs=True)
    for sub in subgraph_snapshots(full):
        ns = sub.config["configurable"]["checkpoint_ns"]
        if ns not in stored:  # a subgraph due but not started (a breakpoint before it): nothing stored yet
            assert not sub.values and sub.metadata is None, ns
            continue
        state = source.state(thread_id, namespace=ns)
        assert state.checkpoint_id == checkpoint_id(sub), ns
        assert state.values == to_plain(sub.values), ns
        assert Counter(state.next) == Counter(sub.next), ns
        assert {i.id for i in state.interrupts} == {i.id for i in sub.interrupts}, ns
