"""``agent-debug stats``: every figure checked against LangGraph's own account of the same
real runs (``get_state_history`` on SQLite and on the real PostgreSQL server), never
against our own code; filters, ``--json`` against its schema, bad input, no writes.

The graph: ``plan → research[search (LLM) → ask (interrupt)] → flaky → write``.
``flaky`` fails (no RetryPolicy) while FAILING; a later run re-runs it. ``plan`` and
``search`` report usage on AIMessages with ids, ``write`` on one without an id.
"""

from __future__ import annotations

import hashlib
import json
import math
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, TypedDict

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.types import Command, interrupt

from agent_debug.inspector.stats import StatsQuery, compute_stats, fingerprint, parse_since
from agent_debug.inspector.stats_model import StoreStats
from agent_debug.inspector.targets import open_source
from agent_debug.inspector.vocabulary import ThreadStatus

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
NOW = datetime(2100, 1, 1, tzinfo=UTC)  # injected: open waits are measured to it
MS = 1e-3  # the store dates a checkpoint by its id, LangGraph by its ts: microseconds apart


class S(TypedDict, total=False):
    messages: Annotated[list, add_messages]
    n: int


FAILING = {"on": False}
SEARCH_FAILING = {"on": False}


def _plan(state: S) -> dict[str, Any]:
    n = state.get("n", 1)
    usage = {"input_tokens": 10 * n, "output_tokens": 5, "total_tokens": 10 * n + 5}
    return {"messages": [AIMessage("plan", id=f"plan-{n}", usage_metadata=usage, response_metadata={"model_name": "fake-a"})]}


def _search(state: S) -> dict[str, Any]:
    n = state.get("n", 1)
    if SEARCH_FAILING["on"]:
        raise ValueError(f"no index named 'idx-{n}'")
    usage = {"input_tokens": 100 + n, "output_tokens": 20, "total_tokens": 120 + n}
    llm = GenericFakeChatModel(messages=iter([AIMessage("found", usage_metadata=usage, response_metadata={"model_name": "fake-b"})]))
    return {"messages": [llm.invoke("search")]}


def _ask(state: S) -> dict[str, Any]:
    return {"messages": [HumanMessage(str(interrupt("go on?")))]}


def _flaky(state: S) -> dict[str, Any]:
    n = state.get("n", 1)
    if FAILING["on"]:
        raise RuntimeError(f"HTTP 429 rate limit for request req-{n}a{n}f after {1000 + n}ms")
    return {}


def _write(state: S) -> dict[str, Any]:
    usage = {"input_tokens": 7, "output_tokens": 3, "total_tokens": 10}
    return {"messages": [AIMessage("report", usage_metadata=usage, response_metadata={"model": "fake-a"})]}


def builder() -> StateGraph:
    sub = StateGraph(S).add_sequence([("search", _search), ("ask", _ask)])
    sub.add_edge(START, "search")
    g = StateGraph(S)
    g.add_sequence([("plan", _plan), ("research", sub.compile()), ("flaky", _flaky), ("write", _write)])
    g.add_edge(START, "plan")
    return g


def cfg(thread_id: str, ns: str = "") -> dict[str, Any]:
    return {"configurable": {"thread_id": thread_id, "checkpoint_ns": ns}}


THREADS = ("job-1", "job-2", "job-wait", "job-fail", "other-1", "sub-fail")


def write_runs(saver: Any) -> Any:
    """The threads, run for real: ``job-1``/``job-2`` answered, failed at flaky, run again
    (done); ``job-wait`` waits at the interrupt; ``job-fail`` answered, failed, left;
    ``other-1`` answered, done without failing; ``sub-fail``: the subgraph's search failed."""
    graph = builder().compile(checkpointer=saver)
    for n, thread in enumerate(THREADS, 1):
        SEARCH_FAILING["on"] = thread == "sub-fail"
        try:
            graph.invoke({"n": n}, cfg(thread))
        except ValueError:
            pass
    SEARCH_FAILING["on"] = False
    for thread in ("job-1", "job-2", "job-fail", "other-1"):
        FAILING["on"] = thread != "other-1"
        try:
            graph.invoke(Command(resume="yes"), cfg(thread))
        except RuntimeError:
            pass
    FAILING["on"] = False
    for thread in ("job-1", "job-2"):
        graph.invoke(None, cfg(thread))
    return graph


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stats") / "runs.db"
    conn = sqlite3.connect(path, check_same_thread=False)
    try:
        write_runs(SqliteSaver(conn))
    finally:
        conn.close()
    return path


# -- LangGraph's own account -----------------------------------------------------------------


class Expected:
    """The figures, worked out from ``get_state_history`` of every namespace of a thread."""

    def __init__(self) -> None:
        self.phases: dict[str, int] = {}
        self.work: dict[str, list[float]] = {}
        self.waited: dict[str, int] = {}
        self.failures: dict[str, list[tuple[str, str]]] = {}  # node -> [(thread, error repr)]
        self.tokens: dict[str, dict[str | None, list[int]]] = {}  # node -> model -> [in, out]
        self.thread_tokens: dict[str, list[int]] = {}
        self.answered_waits: dict[str, float] = {}  # thread -> seconds of the ask phase that waited
        self.open_waits: dict[str, float] = {}
        self.wall: dict[str, float] = {}
        self.steps: dict[str, int] = {}


def _at(snapshot: Any) -> datetime:
    return datetime.fromisoformat(snapshot.created_at)


def _qualified(ns: str, node: str) -> str:
    return ":".join([part.split(":")[0] for part in ns.split("|") if part] + [node])


def expected(graph: Any, namespaces: Callable[[str], list[str]], now: datetime = NOW) -> Expected:
    """Work the figures out through LangGraph's API only."""
    exp = Expected()
    for thread in THREADS:
        seen: set[str] = set()
        times: list[datetime] = []
        failed_spaces: set[str] = set()  # a subgraph's failure is its node's, not its host's too
        spaces = sorted(namespaces(thread), key=lambda ns: -ns.count("|") - (1 if ns else 0))
        for ns in spaces:
            history = list(graph.get_state_history(cfg(thread, ns)))
            by_id = {s.config["configurable"]["checkpoint_id"]: s for s in history}
            times += [_at(s) for s in history]
            head = history[0]
            for snap in reversed(history):
                parent = by_id.get((snap.parent_config or {}).get("configurable", {}).get("checkpoint_id"))
                if snap.metadata.get("source") != "loop" or parent is None:
                    continue
                step_waited = any(t.interrupts for t in parent.tasks)
                added = [m for m in snap.values.get("messages", []) if m.id not in {p.id for p in parent.values.get("messages", [])}]
                for task in parent.tasks:
                    if task.name.startswith("__"):
                        continue
                    name = _qualified(ns, task.name)
                    exp.phases[name] = exp.phases.get(name, 0) + 1
                    span = (_at(snap) - _at(parent)).total_seconds()
                    if step_waited:
                        exp.waited[name] = exp.waited.get(name, 0) + 1
                        if ns and task.name == "ask":
                            exp.answered_waits[thread] = span
                        elif not ns and task.name == "research" and thread in exp.answered_waits:
                            # It waited where its subgraph's ask did: the rest of its span is work.
                            exp.work.setdefault(name, []).append(span - exp.answered_waits[thread])
                    elif task.error is None:
                        exp.work.setdefault(name, []).append(span)
                    if task.error is not None:
                        exp.failures.setdefault(name, []).append((thread, repr(task.error)))
                    for m in added:
                        if isinstance(m, AIMessage) and m.usage_metadata and m.id not in seen:
                            seen.add(m.id)
                            model = m.response_metadata.get("model_name") or m.response_metadata.get("model")
                            acc = exp.tokens.setdefault(name, {}).setdefault(model, [0, 0])
                            acc[0] += m.usage_metadata["input_tokens"]
                            acc[1] += m.usage_metadata["output_tokens"]
                            total = exp.thread_tokens.setdefault(thread, [0, 0])
                            total[0] += m.usage_metadata["input_tokens"]
                            total[1] += m.usage_metadata["output_tokens"]
            if not ns:
                exp.steps[thread] = sum(1 for s in history if s.metadata.get("source") == "loop" and s.metadata.get("step", 0) > 0)
            for task in head.tasks:  # due at the head: failed, waiting
                if task.result is None and not task.name.startswith("__"):
                    name = _qualified(ns, task.name)
                    exp.phases[name] = exp.phases.get(name, 0) + 1
                    if task.interrupts:
                        exp.waited[name] = exp.waited.get(name, 0) + 1
                        if ns:
                            exp.open_waits[thread] = (now - _at(head)).total_seconds()
                    hosted = any(f.startswith(f"{ns}{'|' if ns else ''}{task.name}:{task.id}") for f in failed_spaces)
                    if task.error is not None and not hosted:
                        failed_spaces.add(ns)
                        exp.failures.setdefault(name, []).append((thread, repr(task.error)))
        waiting = thread in exp.open_waits
        exp.wall[thread] = ((now if waiting else max(times)) - min(times)).total_seconds()
    return exp


def _nearest_rank(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[max(math.ceil(p / 100 * len(ordered)) - 1, 0)]


def sqlite_namespaces(path: Path) -> Callable[[str], list[str]]:
    def namespaces(thread: str) -> list[str]:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            return [r[0] for r in conn.execute("SELECT DISTINCT checkpoint_ns FROM checkpoints WHERE thread_id = ?", (thread,))]

    return namespaces


@pytest.fixture(scope="module")
def langgraph_says(store: Path) -> Expected:
    conn = sqlite3.connect(store, check_same_thread=False)
    try:
        return expected(builder().compile(checkpointer=SqliteSaver(conn)), sqlite_namespaces(store))
    finally:
        conn.close()


def stats_of(target: str, **query: Any) -> StoreStats:
    prices = query.pop("prices", None)
    with open_source(target) as source:
        return compute_stats(source, now=NOW, query=StatsQuery(**query), prices=prices)


def check_figures(report: StoreStats, exp: Expected) -> None:
    """Every per-node and per-thread figure against LangGraph's account."""
    nodes = {n.node: n for n in report.nodes}
    assert set(nodes) == set(exp.phases) == {"plan", "research", "research:search", "research:ask", "flaky", "write"}
    for name, node in nodes.items():
        assert node.phases == exp.phases[name], name
        assert node.waited == exp.waited.get(name, 0), name
        work = exp.work.get(name, [])
        assert node.durations.count == len(work), name
        if work:
            assert node.durations.p50 == pytest.approx(_nearest_rank(work, 50), abs=MS), name
            assert node.durations.p95 == pytest.approx(_nearest_rank(work, 95), abs=MS), name
            assert node.durations.max == pytest.approx(max(work), abs=MS), name
        assert node.failures == len(exp.failures.get(name, [])), name
        tokens = {m.model: [m.input_tokens, m.output_tokens] for m in node.models}
        assert tokens == exp.tokens.get(name, {}), name
    threads = {t.thread_id: t for t in report.threads}
    assert set(threads) == set(THREADS)
    for tid, t in threads.items():
        assert [t.input_tokens, t.output_tokens] == exp.thread_tokens[tid], tid
        assert t.wall_seconds == pytest.approx(exp.wall[tid], abs=MS), tid
        assert t.steps == exp.steps[tid], tid
    assert threads["job-wait"].status is ThreadStatus.INTERRUPTED and threads["job-fail"].status is ThreadStatus.ERROR
    # The interrupt waits, each once, on the subgraph's node that waited.
    waits = {(i.thread_id, i.answered): i for i in report.interrupts}
    assert {k for k in waits} == {(t, True) for t in exp.answered_waits} | {(t, False) for t in exp.open_waits}
    for tid, seconds in exp.answered_waits.items():
        assert waits[(tid, True)].seconds == pytest.approx(seconds, abs=MS) and waits[(tid, True)].node == "research:ask"
    for tid, seconds in exp.open_waits.items():
        assert waits[(tid, False)].seconds == pytest.approx(seconds, abs=MS)
    # The same failure in different runs (different ids and numbers) is one group.
    group = next(g for g in report.top_errors if g.nodes == ["flaky"])
    hit = exp.failures["flaky"]
    assert group.count == len(hit) == 3 and set(group.threads) == {t for t, _ in hit} == {"job-1", "job-2", "job-fail"}
    assert group.fingerprint == "RuntimeError: HTTP <n> rate limit for request <id> after <n>ms"
    assert group.nodes == ["flaky"] and group.example in {e.split("'")[1] for _, e in hit}


def test_figures_match_langgraphs_own_history(store: Path, langgraph_says: Expected):
    check_figures(stats_of(str(store)), langgraph_says)


def test_retries_reruns_and_failure_classes(store: Path):
    report = stats_of(str(store))
    flaky = next(n for n in report.nodes if n.node == "flaky")
    # job-1 and job-2 ran flaky again after its failure; job-fail's failure is still due.
    assert (flaky.retries, flaky.reruns, flaky.failures) == (2, 2, 3)
    assert flaky.failures_by_class == {"transient": 3}
    assert [(f.fingerprint, f.count) for f in flaky.fingerprints] == [(report.top_errors[0].fingerprint, 3)]
    assert {t.thread_id: t.failures for t in report.threads} == {"job-1": 1, "job-2": 1, "job-wait": 0, "job-fail": 1, "other-1": 0, "sub-fail": 1}


def test_work_time_of_a_thread_leaves_out_its_waits(store: Path, langgraph_says: Expected):
    report = stats_of(str(store))
    other = next(t for t in report.threads if t.thread_id == "other-1")
    # other-1 never failed: its work is its root phases' spans less the time the
    # subgraph's ask phase waited at the interrupt.
    conn = sqlite3.connect(store, check_same_thread=False)
    try:
        history = list(builder().compile(checkpointer=SqliteSaver(conn)).get_state_history(cfg("other-1")))
    finally:
        conn.close()
    loops = [s for s in history if s.metadata.get("source") == "loop" and s.metadata["step"] > 0]
    by_id = {s.config["configurable"]["checkpoint_id"]: s for s in history}
    spans = sum((_at(s) - _at(by_id[s.parent_config["configurable"]["checkpoint_id"]])).total_seconds() for s in loops)
    assert other.work_seconds == pytest.approx(spans - langgraph_says.answered_waits["other-1"], abs=2 * MS)
    assert other.wait_seconds == pytest.approx(langgraph_says.answered_waits["other-1"], abs=MS)
    assert other.work_seconds + other.wait_seconds <= other.wall_seconds + MS


def test_cost_from_a_price_table(store: Path, langgraph_says: Expected):
    prices = {"fake-a": {"input": 2.0, "output": 4.0}}
    report = stats_of(str(store), prices=prices)
    for t in report.threads:
        a = [m for m in t.models if m.model == "fake-a"][0]
        assert t.cost == pytest.approx(a.input_tokens / 1000 * 2.0 + a.output_tokens / 1000 * 4.0)
    assert report.unpriced_models == ["fake-b"]
    # Most expensive: by cost; plan's input grows with n, so the later threads cost more.
    costs = {t.thread_id: t.cost for t in report.threads}
    assert report.most_expensive_threads == sorted(costs, key=lambda k: costs[k], reverse=True)
    plan = next(n for n in report.nodes if n.node == "plan")
    assert plan.cost == pytest.approx(sum(v[0] * 2.0 + v[1] * 4.0 for v in langgraph_says.tokens["plan"].values()) / 1000)


# -- filters ---------------------------------------------------------------------------------


def test_thread_prefix_and_status_filters(store: Path):
    assert {t.thread_id for t in stats_of(str(store), thread_prefix="job-").threads} == {"job-1", "job-2", "job-wait", "job-fail"}
    report = stats_of(str(store), status=ThreadStatus.ERROR)
    assert {t.thread_id for t in report.threads} == {"job-fail", "sub-fail"} and report.threads_total == len(THREADS)
    assert report.threads_counted == 2
    assert [t.thread_id for t in stats_of(str(store), status=ThreadStatus.DONE, thread_prefix="other").threads] == ["other-1"]


def test_node_filter_keeps_that_node_and_the_threads_that_ran_it(store: Path):
    report = stats_of(str(store), node="write")
    assert [n.node for n in report.nodes] == ["write"]
    # write ran where flaky passed: job-1, job-2 and other-1.
    assert {t.thread_id for t in report.threads} == {"job-1", "job-2", "other-1"}
    assert {s.node for s in report.slowest_phases} == {"write"} and not report.top_errors and not report.interrupts
    # A bare name matches a subgraph's node; the qualified name names it exactly.
    assert [n.node for n in stats_of(str(store), node="ask").nodes] == ["research:ask"]
    assert [n.node for n in stats_of(str(store), node="research:ask").nodes] == ["research:ask"]
    assert stats_of(str(store), node="nope").threads == []


def test_since_filter_counts_threads_updated_since(store: Path):
    with open_source(str(store)) as source:
        updated = {t.thread_id: t.updated_at for t in source.threads().threads}
    cut = sorted(updated.values())[2]
    report = stats_of(str(store), since=cut)
    assert {t.thread_id for t in report.threads} == {tid for tid, at in updated.items() if at >= cut}
    assert 0 < len(report.threads) < len(THREADS)
    assert stats_of(str(store), since=NOW).threads == []


def test_since_reads_durations_and_dates():
    now = datetime(2026, 5, 1, 12, tzinfo=UTC)
    assert parse_since("2h", now) == now - timedelta(hours=2)
    assert parse_since("3d", now) == now - timedelta(days=3)
    assert parse_since("2026-04-30T08:00", now) == datetime(2026, 4, 30, 8, tzinfo=UTC)
    assert parse_since("2026-04-30T08:00+02:00", now) == datetime(2026, 4, 30, 6, tzinfo=UTC)


def test_top_bounds_the_lists(store: Path):
    report = stats_of(str(store), top=1)
    assert len(report.slowest_phases) == 1 and len(report.interrupts) == 1 and len(report.most_expensive_threads) == 1
    assert report.top_errors[0].threads.__len__() == 1 and report.top_errors[0].thread_count == 3
    assert len(report.threads) == len(THREADS)  # the JSON keeps every thread


def test_fingerprints_replace_what_varies():
    assert fingerprint("KeyError", "'user_42'") == "KeyError: '<v>'"
    assert fingerprint("E", "call 0x1f9a failed for 3f2504e0-4f89-41d3-9a0c-0305e82c3301") == "E: call <hex> failed for <uuid>"
    assert fingerprint("E", "token deadbeef00 at 12.5s") == "E: token <hex> at <n>s"
    assert fingerprint("E", "job run_81f2 died") == fingerprint("E", "job run_99aa1 died") == "E: job <id> died"


# -- damaged rows ----------------------------------------------------------------------------


def test_a_damaged_row_leaves_only_its_thread_out(store: Path, tmp_path: Path, langgraph_says: Expected):
    copy = tmp_path / "damaged.db"
    with sqlite3.connect(store) as a, sqlite3.connect(copy) as b:
        a.backup(b)
        # job-1's usage-carrying write in the subgraph: bytes no serializer wrote.
        where = "thread_id = 'job-1' AND checkpoint_ns != '' AND channel = 'messages' AND task_path LIKE '%search'"
        [(value,)] = b.execute(f"SELECT value FROM writes WHERE {where}").fetchall()
        b.execute(f"UPDATE writes SET value = ? WHERE {where}", (b"\xc1\xc1" + value,))
    b.close()
    report = stats_of(str(copy))
    assert [u.thread_id for u in report.unreadable] == ["job-1"] and "does not decode" in report.unreadable[0].reason
    assert {t.thread_id for t in report.threads} == set(THREADS) - {"job-1"}
    other = {t.thread_id: t for t in report.threads}["other-1"]
    assert [other.input_tokens, other.output_tokens] == langgraph_says.thread_tokens["other-1"]


# -- the command -----------------------------------------------------------------------------


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([AGENT_DEBUG, *args], capture_output=True, text=True, timeout=120)


def snapshot(directory: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(directory.iterdir()) if p.is_file()}


@pytest.fixture
def private(store: Path, tmp_path: Path) -> Path:
    """A copy of the store alone in its directory, WAL mode, no connection open."""
    dst = tmp_path / "store" / "runs.db"
    dst.parent.mkdir()
    with sqlite3.connect(store) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    b.close()
    conn = sqlite3.connect(dst)
    conn.execute("PRAGMA journal_mode=WAL").fetchall()
    conn.close()
    return dst


def test_command_json_follows_the_schema_and_writes_nothing(private: Path, tmp_path: Path, langgraph_says: Expected):
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"fake-b": {"input": 1, "output": 1}}))
    before = snapshot(private.parent)
    out = run("stats", str(private), "--json", "--prices", str(prices))
    assert out.returncode == 0, out.stderr
    report = StoreStats.model_validate_json(out.stdout)
    assert snapshot(private.parent) == before
    assert report.threads_counted == len(THREADS) and report.unpriced_models == ["fake-a"]
    nodes = {n.node: n for n in report.nodes}
    assert {m.model: [m.input_tokens, m.output_tokens] for m in nodes["research:search"].models} == langgraph_says.tokens["research:search"]
    assert nodes["research:search"].cost == pytest.approx(sum(sum(v) for v in langgraph_says.tokens["research:search"].values()) / 1000)
    for cmd in (["stats", str(private)], ["stats", f"sqlite:///{private}", "--node", "ask", "--status", "interrupted"]):
        out = run(*cmd)
        assert out.returncode == 0, out.stderr
        assert snapshot(private.parent) == before, cmd


def test_command_prints_tables_for_people(private: Path):
    out = run("stats", str(private), "--top", "3")
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for heading in ("nodes", "threads (newest 3 of 6)", "slowest phases", "most expensive threads", "most common errors", "interrupts"):
        assert heading in text, heading
    assert "research:ask" in text and "RuntimeError: HTTP <n> rate limit" in text and "transient" in text
    assert "waiting" in text and "answered" in text


@pytest.mark.parametrize(
    ("args", "status", "says"),
    [
        (["--since", "yesterday"], 2, "--since: expected a duration"),
        (["--top", "0"], 2, "expected 1 to 10_000"),
        (["--status", "sleepy"], 2, "expected one of"),
        (["--prices", "/nonexistent/prices.json"], 2, "--prices: cannot read"),
    ],
)
def test_bad_input_is_one_line(private: Path, args: list[str], status: int, says: str):
    before = snapshot(private.parent)
    out = run("stats", str(private), *args)
    assert out.returncode == status and says in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert snapshot(private.parent) == before


def test_a_missing_store_is_refused_and_not_created(tmp_path: Path):
    missing = tmp_path / "nope.db"
    out = run("stats", str(missing))
    assert out.returncode in (1, 2) and len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr
    assert not missing.exists()
    out = run("stats", "postgresql://nobody@127.0.0.1:1/none", "--json")
    assert out.returncode == 1 and len(out.stderr.strip().splitlines()) == 1 and "Traceback" not in out.stderr, out.stderr
    # A LangGraph server or a recording is not a checkpoint store: a usage error, no request made.
    out = run("stats", "http://127.0.0.1:1")
    assert out.returncode == 2 and "stats reads a checkpoint store" in out.stderr and len(out.stderr.strip().splitlines()) == 1
    out = run("stats")
    assert out.returncode == 2 and "required: TARGET" in out.stderr and len(out.stderr.strip().splitlines()) == 1


def test_help_imports_neither_langgraph_nor_textual():
    probe = (
        "import sys\n"
        "from agent_debug.tui.cli import main\n"
        "try:\n    main(['stats', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in ('textual', 'langgraph', 'rich') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


# -- the real PostgreSQL server ----------------------------------------------------------------


@pytest.mark.postgres
def test_figures_on_postgres_match_langgraphs_own_history(make_database: Any):
    from tests.pg_server import postgres_saver

    dsn = make_database()
    with postgres_saver(dsn) as saver:
        graph = write_runs(saver)

        def namespaces(thread: str) -> list[str]:
            rows = saver.conn.execute("SELECT DISTINCT checkpoint_ns FROM checkpoints WHERE thread_id = %s", (thread,)).fetchall()
            return [r["checkpoint_ns"] for r in rows]

        exp = expected(graph, namespaces)
    check_figures(stats_of(dsn), exp)
    out = run("stats", dsn, "--json", "--thread-prefix", "job-")
    assert out.returncode == 0, out.stderr
    assert {t.thread_id for t in StoreStats.model_validate_json(out.stdout).threads} == {"job-1", "job-2", "job-wait", "job-fail"}


def test_stored_text_reaches_the_terminal_escaped(private: Path):
    # A thread id and an error message from a stranger's store, with terminal escapes in them.
    evil = "other-\x1b]0;owned\x07\x1b[31m"
    with sqlite3.connect(private) as conn:
        for table in ("checkpoints", "writes"):
            conn.execute(f"UPDATE {table} SET thread_id = ? WHERE thread_id = 'job-fail'", (evil,))
    conn.close()
    out = run("stats", str(private))
    assert out.returncode == 0, out.stderr
    assert "\x1b" not in out.stdout and "\x07" not in out.stdout
    assert "other-\\x1b]0;owned" in out.stdout
