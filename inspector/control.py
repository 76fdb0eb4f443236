"""Acting on threads: resume interrupts, step, continue, replay one phase, fork with edits.

These are the only operations that write to a store, and they only append: LangGraph's
own checkpointer adds checkpoints (a resume continues the thread; a replay or a fork
starts a branch from an old checkpoint and leaves the original history as it was).
The user's graph runs here, bound to the target store's checkpointer whatever
checkpointer its module compiled in.
"""

from __future__ import annotations

import sqlite3
import tempfile
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from agent_debug.inspector.decisions import answer, check_schema
from agent_debug.inspector.diff import diff_checkpoint
from agent_debug.inspector.exceptions import InspectorError, TargetError, UsageError
from agent_debug.inspector.paths import cannot_create, is_sqlite
from agent_debug.inspector.model import ActionOutcome, CheckpointState, ErrorInfo, InterruptInfo, PendingWrite, ThreadStatus
from agent_debug.inspector.sources.checkpoints import CheckpointSource
from agent_debug.inspector.strict_serde import DecodeRefused, StrictSerializer, allow_list
from agent_debug.inspector.targets import check_dsn, is_dsn, open_source, redact, scrub, sqlite_path

# LangGraph's CONFIG_KEY_TASK_ID (private; a test checks it): present in a config, the
# graph runs as a subgraph of that task.
TASK_ID_KEY = "__pregel_task_id"


class ControlError(InspectorError):
    """An action refused before anything was written."""


@dataclass
class Store:
    """A store opened to act on: LangGraph's checkpointer to write, our reader to look."""

    target: str
    checkpointer: Any
    source: CheckpointSource
    _closers: list[Callable[[], None]] = field(default_factory=list)
    serde: StrictSerializer | None = None
    """How the checkpointer decodes: LangGraph's strict mode over the graph's allow-list."""

    @property
    def refusal(self) -> DecodeRefused | None:
        """The decode this store refused (then it writes nothing more), if any."""
        return self.serde.refused if self.serde is not None else None

    def close(self) -> None:
        """Close the reader, then the writer (once)."""
        closers, self._closers = self._closers, []
        if closers:
            self.source.close()
        for close in reversed(closers):
            close()


def _open(target: str, create: bool, graph: Any = None, allow_modules: Sequence[str] | None = ()) -> Store:
    # Stored objects are revived only if the graph (or --allow-module) names them: a
    # checkpoint naming os.system is refused, never run (inspector/strict_serde.py).
    allowed = allow_list(graph, allow_modules)
    closers: list[Callable[[], None]] = []
    if target == "memory":
        tmp = tempfile.TemporaryDirectory(prefix="agent-debug-")
        closers.append(tmp.cleanup)
        target, create = str(Path(tmp.name) / "memory.db"), True
    try:
        # A DSN (URL or libpq keywords) is never a file name: a typo in one must not
        # create a SQLite file named after it, password included.
        if is_dsn(target):
            check_dsn(target)
            serde = StrictSerializer(allowed, redact(target))
            checkpointer = _postgres_saver(target, create, closers, serde)
        else:
            path = sqlite_path(target)
            if path is None:
                raise TargetError(
                    f"cannot act on {redact(target)}: use a SQLite path, sqlite:///PATH, postgresql://... or memory"
                )
            if not path.exists() and not create:
                raise TargetError(f"no such checkpoint database: {target}")
            from langgraph.checkpoint.sqlite import SqliteSaver

            # A store with LangGraph's current tables needs no setup(), which would also
            # switch a rollback-journal store to WAL (its header changes even when the
            # action is then refused): acting only appends rows. An older schema gets
            # LangGraph's migration, which check_store_file allowed only with --migrate.
            tables = _sqlite_tables(path, target, TargetError) if path.exists() and path.stat().st_size else {}
            current = not (set(_STORE_COLUMNS) - set(tables)) and not any(
                columns - tables[name] for name, columns in _STORE_COLUMNS.items()
            )
            conn = sqlite3.connect(path, check_same_thread=False)
            closers.append(conn.close)
            serde = StrictSerializer(allowed, str(path))
            checkpointer = SqliteSaver(conn, serde=serde)
            if current:
                checkpointer.is_setup = True
            elif create:
                checkpointer.setup()
            # Otherwise LangGraph sets the store up on first use; an action refused before
            # running never touches the saver, so not even a WAL file appears.
            target = str(path)
        return Store(target, checkpointer, open_source(target, writes_too=True), closers, serde)
    except BaseException:
        for close in reversed(closers):
            close()
        raise


@contextmanager
def open_store(
    target: str, *, create: bool = False, graph: Any = None, allow_modules: Sequence[str] | None = ()
) -> Iterator[Store]:
    """Open TARGET for writing (append-only) and reading.

    ``memory`` is a private SQLite file removed on exit, so it reads like any store.
    An existing store is never created: a missing file is an error unless ``create``.
    Stored objects are decoded in LangGraph's strict mode, allowing the types of
    ``graph`` and ``allow_modules`` (``MODULE`` or ``MODULE:NAME``); a value naming
    anything else is refused, and that refusal (a ``DecodeRefused``) is what leaving the
    block raises, whatever the run it stopped made of it.
    """
    store = _open(target, create, graph, allow_modules)
    try:
        yield store
    except Exception:
        if store.refusal is not None:
            raise DecodeRefused(store.refusal.message) from None
        raise
    finally:
        store.close()
    if store.refusal is not None:
        raise DecodeRefused(store.refusal.message)


def _postgres_saver(dsn: str, create: bool, closers: list[Callable[[], None]], serde: StrictSerializer) -> Any:
    try:
        import psycopg
        from langgraph.checkpoint.postgres import PostgresSaver
        from psycopg.rows import dict_row
    except ImportError:
        raise TargetError("acting on PostgreSQL needs: pip install 'agent-debug-tui[postgres]'") from None

    try:
        conn = psycopg.connect(dsn, autocommit=True, prepare_threshold=0, row_factory=dict_row, connect_timeout=5)
    except psycopg.Error as exc:
        reason = scrub(" ".join(str(exc).split()) or type(exc).__name__, dsn)
        raise TargetError(f"cannot connect to {redact(dsn)} to write: {reason}") from None
    closers.append(conn.close)
    saver = PostgresSaver(conn, serde=serde)
    if create:
        saver.setup()
    return saver


def bind(graph: Any, checkpointer: Any) -> Any:
    """The user's compiled graph writing to ``checkpointer`` instead of its own."""
    return graph.copy(update={"checkpointer": checkpointer})


def graph_nodes(graph: Any) -> set[str]:
    """Names of the graph's nodes (the root graph)."""
    return set(graph.nodes)


def check_graph_matches(source: Any, graph: Any, thread_id: str) -> None:
    """Refuse a graph whose nodes do not include every node the thread ran."""
    ran = {n for c in source.history(thread_id, limit=None).checkpoints for n in c.nodes}
    ran |= set(source.thread(thread_id).next)
    # '__start__' is a StateGraph's entry node, or (the functional API, which has none) the
    # entrypoint a store does not name until it first writes.
    unknown = sorted(ran - graph_nodes(graph) - {"send", "__start__"})
    if unknown:
        have = ", ".join(sorted(graph_nodes(graph) - {"__start__"}))
        raise ControlError(
            f"the graph does not match thread '{thread_id}': it ran {', '.join(unknown)}, "
            f"which the graph does not have (it has {have}); nothing was written"
        )


# -- what acting would do to a store file, checked before it is opened ----------------------

# The tables and columns LangGraph's SqliteSaver (langgraph-checkpoint-sqlite 3.x) reads and
# writes. Its setup() adds writes.task_path to a store made before the column existed.
_STORE_COLUMNS = {
    "checkpoints": {"thread_id", "checkpoint_ns", "checkpoint_id", "parent_checkpoint_id", "type", "checkpoint", "metadata"},
    "writes": {"thread_id", "checkpoint_ns", "checkpoint_id", "task_id", "task_path", "idx", "channel", "type", "value"},
}
_MIGRATED_COLUMNS = {("writes", "task_path")}


def check_store_file(target: str, *, create: bool = False, migrate: bool = False, flag: str | None = None) -> None:
    """Refuse, before anything is opened for writing, a SQLite TARGET that acting on would
    fail on or change beyond appending checkpoints.

    Refused: a directory or other non-file; a file that is not SQLite; a SQLite database
    that holds other tables and not LangGraph's (``run`` would add LangGraph's tables to
    it); a store whose tables lack a column LangGraph needs; and, unless ``migrate``, a
    store made by an older langgraph-checkpoint-sqlite (LangGraph's ``setup()`` would
    alter its schema on first use). With ``create`` (``run``), a missing file in an
    existing directory, an empty file and an empty SQLite database are taken as a new
    store. ``flag`` names the option TARGET came from (``--checkpointer``): its problems
    are usage errors (exit 2); a positional TARGET's are ``TargetError`` as for the
    read-only commands. An older schema is always a usage error: ``--migrate``. DSNs and
    ``memory`` are not files: nothing to check here. Reads the file read-only, if at all.
    """
    if target == "memory" or is_dsn(target):
        return
    path = sqlite_path(target)
    if path is None:
        return  # not SQLite: the opener says what it is
    import os
    import stat

    shown = f"{flag} {target}" if flag else target
    error = UsageError if flag else TargetError
    try:
        st = path.stat()
    except FileNotFoundError:
        if create and (why := cannot_create(path)):
            raise error(f"{shown}: {why}; nothing was created") from None
        return  # not create: the opener says "no such checkpoint database"
    except OSError as exc:
        raise error(f"{shown}: {exc.strerror or exc}") from None
    if stat.S_ISDIR(st.st_mode):
        raise error(f"{shown} is a directory; expected a SQLite checkpoint file such as {target.rstrip('/')}/runs.db")
    if not stat.S_ISREG(st.st_mode):
        raise error(f"{shown} is not a regular file; expected a SQLite checkpoint file")
    if st.st_size == 0:
        return  # SQLite reads an empty file as an empty database: nothing in it to lose
    if not os.access(path, os.R_OK):
        raise error(f"{shown}: cannot read it (permission denied)")
    if not is_sqlite(path):
        hint = "; give a new path for a new store" if create else ""
        raise error(f"{shown} is not a SQLite database (expected a LangGraph checkpoint store){hint}; nothing was changed")
    tables = _sqlite_tables(path, shown, error)
    if not tables:
        return  # an empty database: run sets the store up in it; the reader refuses it for resume
    missing = [name for name in _STORE_COLUMNS if name not in tables]
    if missing:
        have = ", ".join(sorted(tables)[:6]) + (", ..." if len(tables) > 6 else "")
        refusal = "; refusing to add LangGraph's tables to it (give a new path for a new store)" if create else ""
        raise error(
            f"{shown} is a SQLite database but not a LangGraph checkpoint store (it has no "
            f"{' and '.join(repr(m) for m in missing)} table{'s' if len(missing) > 1 else ''}; "
            f"its tables: {have}){refusal}"
        )
    lacking = {(name, column) for name, columns in _STORE_COLUMNS.items() for column in columns - tables[name]}
    if lacking - _MIGRATED_COLUMNS:
        columns = ", ".join(f"{t}.{c}" for t, c in sorted(lacking - _MIGRATED_COLUMNS))
        raise error(f"{shown}: its tables are not the ones LangGraph's SqliteSaver writes (no column {columns}); nothing was changed")
    if lacking and not migrate:
        columns = ", ".join(f"{t}.{c}" for t, c in sorted(lacking))
        raise UsageError(
            f"{shown} has an older checkpoint schema (no column {columns}, from an earlier "
            "langgraph-checkpoint-sqlite): acting on it would migrate it; add --migrate to let "
            "LangGraph upgrade it; nothing was changed"
        )


def _sqlite_tables(path: Path, shown: str, error: type[InspectorError]) -> dict[str, set[str]]:
    """Each table of the SQLite file with its column names, read without writing a byte."""
    from agent_debug.inspector.sources.sqlite_file import SqliteFile

    file = SqliteFile(path)  # the reader's way in: no file beside it is created or changed
    try:
        conn = file.connect()
        try:
            names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {name: {row[0] for row in conn.execute("SELECT name FROM pragma_table_info(?)", (name,))} for name in names}
        finally:
            conn.close()
            file.drop_snapshot()
    except (sqlite3.Error, OSError) as exc:
        raise error(f"{shown}: cannot read it as a SQLite database ({exc}); nothing was changed") from None


def state_keys(graph: Any) -> set[str]:
    """The state keys an update can set: the graph's channels, less LangGraph's own
    (``__start__``, ``branch:to:…``). Empty when the state has no keys to name (the
    functional API, a StateGraph over a single root value)."""
    channels = getattr(graph, "channels", None)
    if not isinstance(channels, dict) or "__root__" in channels:
        return set()
    return {name for name in channels if isinstance(name, str) and not name.startswith(("__", "branch:"))}


def check_update_keys(graph: Any, update: dict[str, Any], namespace: str = "") -> None:
    """Refuse an update that names a key the graph's state does not have (the subgraph's,
    for a subgraph's ``namespace``): LangGraph drops such a key without a word and still
    appends a checkpoint, so a typo would look like an edit that did nothing."""
    target = _subgraph(graph, namespace) if namespace else graph
    keys = state_keys(target)
    if not keys:
        return
    unknown = [key for key in update if key not in keys]
    if unknown:
        where = "subgraph " + ":".join(part.split(":")[0] for part in namespace.split("|")) if namespace else "the graph"
        names = ", ".join(repr(k) for k in unknown)
        raise UsageError(f"no state key {names} in {where}; its keys: {', '.join(sorted(keys))}; nothing was written")


def _config(thread_id: str, checkpoint_id: str | None = None, namespace: str = "") -> dict[str, Any]:
    configurable: dict[str, Any] = {"thread_id": thread_id}
    if checkpoint_id:
        configurable["checkpoint_id"] = checkpoint_id
        configurable["checkpoint_ns"] = namespace
    if namespace:
        # LangGraph runs a graph as a subgraph, in its own namespace, when its config
        # names the parent's task; the task id is the namespace's last part.
        configurable[TASK_ID_KEY] = namespace.rsplit(":", 1)[-1]
    return {"configurable": configurable}


@dataclass
class RunResult:
    """What a stretch of running did: new root checkpoints, and the failure if a node raised."""

    new_checkpoints: list[str] = field(default_factory=list)
    error: ErrorInfo | None = None
    traceback: str | None = None
    paused: bool = False


class Runner:
    """Runs a bound graph on one thread, a stretch at a time, and can be paused."""

    def __init__(self, graph: Any, thread_id: str) -> None:
        self.graph = graph
        self.thread_id = thread_id
        self._pause = threading.Event()

    def pause(self) -> None:
        """Stop at the next step boundary (safe to call from another thread)."""
        self._pause.set()

    def run(
        self,
        payload: Any,
        *,
        config: dict[str, Any] | None = None,
        interrupt_before: Sequence[str] | str | None = None,
        interrupt_after: Sequence[str] | str | None = None,
        sink: Callable[[Any], None] | None = None,
        existing: set[str] | frozenset[str] = frozenset(),
        namespace: str = "",
        extractor: Any = None,
    ) -> RunResult:
        """Stream until the graph stops (end, interrupt, breakpoint, error or pause).

        ``sink`` receives typed events (``inspector.events``): phases, thinking, tokens,
        logs from inside nodes, custom events, tool calls, errors with each retry.
        ``existing``: checkpoint ids there before the run (LangGraph re-announces the one
        it starts from); they are not counted as new. ``namespace``: the checkpoint
        namespace the graph runs in ('' for a root graph; a subgraph's own namespace
        when one subgraph is run on its own); its checkpoints are the ones counted.
        ``extractor``: an ``EventExtractor`` kept across the runs of one thread (in place
        of ``sink``), so a message or tool call re-sent by a later run (a subgraph's state
        handed back after a resume) is reported once.
        """
        from contextlib import nullcontext

        from langgraph.errors import GraphBubbleUp

        from agent_debug.inspector.events import EventExtractor
        from agent_debug.inspector.logcapture import LogCapture

        self._pause.clear()
        result = RunResult()
        config = config or _config(self.thread_id)
        if extractor is None and sink is not None:
            extractor = EventExtractor(self.thread_id, on_event=sink)
        failure: BaseException | None = None
        if extractor is not None:
            extractor.start_run(graph=getattr(self.graph, "name", None), input=payload, existing_checkpoints=existing)
        own = tuple(namespace.split("|")) if namespace else ()
        modes, subgraphs = ["checkpoints"], bool(own)
        if extractor is not None:
            # Custom events, messages and subgraphs' parts reach the extractor from the
            # node threads: LangGraph then runs a lone task inline (see EventExtractor.attach).
            config, modes, subgraphs = extractor.attach(self.graph, config, namespace=own)
        with LogCapture(extractor) if extractor is not None else nullcontext():
            try:
                for part in self.graph.stream(
                    payload,
                    config,
                    stream_mode=modes,
                    subgraphs=subgraphs,
                    interrupt_before=interrupt_before,
                    interrupt_after=interrupt_after,
                ):
                    part_ns, mode, chunk = part if subgraphs else (own, *part)
                    if extractor is not None:
                        extractor.on_stream_part(mode, part_ns, chunk)
                    if mode == "checkpoints" and part_ns == own:
                        checkpoint_id = chunk["config"]["configurable"]["checkpoint_id"]
                        if checkpoint_id not in existing:
                            result.new_checkpoints.append(checkpoint_id)
                        if self._pause.is_set():
                            # Leaving the stream here is a step boundary: the checkpoint is
                            # saved and the next step's tasks have not started.
                            result.paused = True
                            break
            except DecodeRefused:
                raise  # a stored value we will not revive: no workflow failure, one line
            except Exception as exc:  # the workflow failed, not the debugger
                # ...unless a subgraph run on its own raised its interrupt (a breakpoint
                # included) to the parent it does not have: saved, and the run stopped.
                if not (own and isinstance(exc, GraphBubbleUp)):
                    failure = exc
                    from agent_debug.inspector.errors import classify_exception

                    node = _failing_node(exc)
                    # The graph is at hand: its node's RetryPolicy (none: ()) shapes the advice.
                    spec = getattr(self.graph, "nodes", {}).get(node) if node else None
                    policy = (getattr(spec, "retry_policy", None) or ()) if spec is not None else None
                    found = classify_exception(exc, node=node, retry_policy=policy)
                    result.error = ErrorInfo(
                        type=type(exc).__name__,
                        message=str(exc),
                        node=node,
                        task_id="",
                        namespace="",
                        classification=found.kind,
                        suggestion=found.suggestion,
                        confidence=found.confidence,
                    )
                    result.traceback = "".join(traceback.format_exception(exc))
        if extractor is not None:
            extractor.finish_run(failure, status="paused" if result.paused else None)
        return result


def _failing_node(exc: BaseException) -> str | None:
    tb = exc.__traceback__
    node = None
    while tb is not None:
        frame_locals = tb.tb_frame.f_locals
        task = frame_locals.get("task")
        name = getattr(task, "name", None)
        if isinstance(name, str):
            node = name
        tb = tb.tb_next
    return node


def _outcome(
    action: Literal["resume", "replay", "fork", "step", "continue", "run"],
    store: Store,
    thread_id: str,
    result: RunResult | None,
    **extra: Any,
) -> ActionOutcome:
    summary = store.source.thread(thread_id)
    error = result.error if result else None
    if error is not None and summary.errors:
        error = error.model_copy(update={"node": summary.errors[0].node, "task_id": summary.errors[0].task_id})
    return ActionOutcome(
        action=action,
        thread_id=thread_id,
        target=store.source.target,
        new_checkpoints=result.new_checkpoints if result else [],
        status=summary.status,
        head=summary.checkpoint_id,
        next=summary.next,
        interrupts=summary.interrupts,
        error=error,
        traceback=result.traceback if result else None,
        **extra,
    )


# -- resume -----------------------------------------------------------------------------


def plan_resume(
    pending: Sequence[InterruptInfo],
    *,
    thread_id: str,
    interrupt_id: str | None = None,
    value: Any = None,
    has_value: bool = False,
    approve: bool = False,
    reject: bool = False,
    message: str | None = None,
) -> dict[str, Any]:
    """The resume map (interrupt id → value) for a request; refuses before anything is sent."""
    if not pending:
        raise ControlError(f"thread '{thread_id}' is not waiting at an interrupt; nothing was sent")
    if sum((has_value, approve, reject)) != 1:
        raise UsageError("give exactly one of --value JSON, --approve or --reject")
    chosen = list(pending)
    if interrupt_id is not None:
        chosen = [i for i in pending if i.id == interrupt_id or (i.id or "").startswith(interrupt_id)]
        if len(chosen) != 1:
            known = ", ".join(f"{i.id} ({i.node})" for i in pending)
            what = "no" if not chosen else "more than one"
            raise ControlError(f"{what} pending interrupt matches '{interrupt_id}' in thread '{thread_id}'; pending: {known}")
    elif has_value and len(pending) > 1:
        known = ", ".join(f"{i.id} ({i.node})" for i in pending)
        raise ControlError(
            f"{len(pending)} interrupts are pending in thread '{thread_id}'; choose one with --interrupt ID "
            f"(pending: {known}) or answer all with --approve / --reject"
        )
    plan: dict[str, Any] = {}
    for intr in chosen:
        if intr.id is None:
            raise ControlError(f"the interrupt in {intr.node} has no id (stored by an old LangGraph); resume it with LangGraph directly")
        sent = value if has_value else answer(intr, approve=approve, message=message)
        problem = check_schema(sent, intr.response_schema)
        if problem:
            raise ControlError(f"the value for interrupt {intr.id} ({intr.node}) does not fit its response_schema: {problem}; nothing was sent")
        plan[intr.id] = sent
    return plan


def resume(store: Store, graph: Any, thread_id: str, plan: dict[str, Any]) -> ActionOutcome:
    """Answer interrupts by id in one resume and run until the graph stops again."""
    from langgraph.types import Command

    bound = bind(graph, store.checkpointer)
    head = store.source.thread(thread_id).checkpoint_id
    result = Runner(bound, thread_id).run(Command(resume=plan), existing={head})
    return _outcome("resume", store, thread_id, result, sent=plan)


# -- replay and fork ----------------------------------------------------------------------


def _phase_writes(state: CheckpointState, nodes: set[str]) -> list[PendingWrite]:
    """The state writes the given phases made from this checkpoint."""
    return [w for w in state.pending_writes if not w.channel.startswith(("__", "branch:")) and w.node in nodes]


def replay(
    store: Store,
    graph: Any,
    thread_id: str,
    checkpoint_id: str,
    *,
    node: str | None = None,
    update: dict[str, Any] | None = None,
    as_node: str | None = None,
    namespace: str = "",
) -> ActionOutcome:
    """Run the phase due at ``checkpoint_id`` once more, on a new branch, and stop after it.

    With ``update``, the branch starts from the checkpoint with those values changed
    (as ``as_node``, by default the node that produced the checkpoint). The writes of the
    replayed phase are returned beside the writes the original run made there.

    A checkpoint of a subgraph (``namespace`` not '') is replayed inside the subgraph:
    the subgraph runs on its own from that checkpoint, as LangGraph runs it nested in its
    parent, so the branch and the phase's writes stay in the subgraph's namespace and the
    parent graph does not move.
    """
    source = store.source
    _require_checkpoint(source, thread_id, namespace, checkpoint_id)
    check_graph_matches(source, graph, thread_id)
    if update is not None:
        check_update_keys(graph, update, namespace)
    at = source.state(thread_id, checkpoint_id=checkpoint_id, namespace=namespace)
    due = list(at.next)
    if not due:
        raise ControlError(f"nothing runs after checkpoint '{checkpoint_id}' (the run ended there); pick an earlier checkpoint")
    if node is not None and node not in due:
        raise ControlError(f"'{node}' is not due at checkpoint '{checkpoint_id}'; due there: {', '.join(due)}")
    phases = [node] if node else list(dict.fromkeys(due))
    original = _phase_writes(at, set(phases))
    bound = bind(graph, store.checkpointer)
    # Looked up before the update is written: a namespace naming no subgraph writes nothing.
    runner_graph = bound if not namespace else bind(_subgraph(graph, namespace), store.checkpointer)
    start = _config(thread_id, checkpoint_id, namespace)
    known = _ids(source, thread_id, namespace) if namespace else {}
    forked_at = None
    if update is not None:
        producer = as_node or _producer(source, thread_id, checkpoint_id, namespace)
        start = _config(thread_id, _update_at(bound, thread_id, checkpoint_id, namespace, update, producer), namespace)
        forked_at = start["configurable"]["checkpoint_id"]
    existing = {checkpoint_id, forked_at} if forked_at else {checkpoint_id}
    result = Runner(runner_graph, thread_id).run(
        None, config=start, interrupt_after=phases, existing=existing, namespace=namespace
    )
    if namespace:
        # A subgraph stopped by its breakpoint raises before announcing its last
        # checkpoint: read what it appended from the store.
        result.new_checkpoints = [c for c in reversed(list(_ids(source, thread_id, namespace))) if c not in known]
    elif forked_at:
        result.new_checkpoints.insert(0, forked_at)
    replayed: list[PendingWrite] = []
    diff = None
    if result.new_checkpoints:
        # The phase ran once on the new branch: its writes are saved at a checkpoint of the
        # branch (the fork or update it started from), never at the original checkpoint,
        # which keeps the original run's writes.
        for new_id in result.new_checkpoints:
            replayed += _phase_writes(source.state(thread_id, checkpoint_id=new_id, namespace=namespace), set(phases))
        newest = source.state(thread_id, checkpoint_id=result.new_checkpoints[-1], namespace=namespace)
        diff = diff_checkpoint(source, thread_id, newest.checkpoint_id, parent_id=checkpoint_id, state=newest, namespace=namespace)
    return _outcome(
        "replay",
        store,
        thread_id,
        result,
        replayed_from=checkpoint_id,
        namespace=namespace,
        phases=phases,
        original_writes=original,
        replay_writes=replayed,
        sent=update,
        diff=diff,
    )


def _require_checkpoint(source: Any, thread_id: str, namespace: str, checkpoint_id: str) -> None:
    if source.reader.has_checkpoint(thread_id, namespace, checkpoint_id):
        return
    source.thread(thread_id)  # an unknown thread is the clearer error
    where = f" namespace '{namespace}'" if namespace else ""
    ns_flag = f" --ns '{namespace}'" if namespace else ""
    raise ControlError(
        f"checkpoint '{checkpoint_id}' does not belong to thread '{thread_id}'{where}; list them with: "
        f"agent-debug history {source.target} --thread {thread_id}{ns_flag}"
    )


def _update_at(bound: Any, thread_id: str, checkpoint_id: str, namespace: str, update: dict[str, Any], as_node: str | None) -> str:
    """Apply ``update`` at a checkpoint as ``as_node``; the id of the checkpoint written.

    The parent's ``update_state`` hands a config in a subgraph's namespace to that
    subgraph, so the new checkpoint lands in the same namespace.
    """
    at = {"configurable": {"thread_id": thread_id, "checkpoint_ns": namespace, "checkpoint_id": checkpoint_id}}
    try:
        written = bound.update_state(at, update, as_node=as_node)
    except Exception as exc:  # InvalidUpdateError and friends: the user's values do not fit
        raise ControlError(f"LangGraph refused the update: {type(exc).__name__}: {exc}") from exc
    return written["configurable"]["checkpoint_id"]


def _ids(source: Any, thread_id: str, namespace: str) -> dict[str, None]:
    """The namespace's checkpoint ids, newest first (a dict: ordered, quick to test)."""
    return dict.fromkeys(c.checkpoint_id for c in source.history(thread_id, namespace=namespace, limit=None).checkpoints)


def subgraphs(graph: Any) -> dict[str, Any]:
    """Compiled subgraphs by path, ``writer`` or ``outer:inner`` (LangGraph joins with ``|``)."""
    return {path.replace("|", ":"): sub for path, sub in graph.get_subgraphs(recurse=True)}


def _subgraph(graph: Any, namespace: str) -> Any:
    """The compiled subgraph that writes checkpoints under ``namespace`` ('node:task|node:task')."""
    path = ":".join(part.split(":")[0] for part in namespace.split("|"))
    found = subgraphs(graph)
    if path not in found:
        known = ", ".join(sorted(found)) or "none"
        raise ControlError(f"the graph has no subgraph at '{path}' (namespace '{namespace}'); its subgraphs: {known}")
    return found[path]


def _producer(source: Any, thread_id: str, checkpoint_id: str, namespace: str = "") -> str | None:
    """The node whose run made the checkpoint (None for an input or update checkpoint)."""
    for row in source.history(thread_id, namespace=namespace, limit=None).checkpoints:
        if row.checkpoint_id == checkpoint_id:
            return row.nodes[0] if row.nodes else None
    return None


def fork(
    store: Store,
    graph: Any,
    thread_id: str,
    checkpoint_id: str,
    update: dict[str, Any],
    as_node: str | None = None,
    namespace: str = "",
) -> ActionOutcome:
    """A new branch from ``checkpoint_id`` (of ``namespace``) with ``update`` applied (as ``as_node``)."""
    source = store.source
    _require_checkpoint(source, thread_id, namespace, checkpoint_id)
    check_graph_matches(source, graph, thread_id)
    check_update_keys(graph, update, namespace)
    bound = bind(graph, store.checkpointer)
    producer = as_node or _producer(source, thread_id, checkpoint_id, namespace)
    new = _update_at(bound, thread_id, checkpoint_id, namespace, update, producer)
    result = RunResult(new_checkpoints=[new])
    return _outcome("fork", store, thread_id, result, sent=update, replayed_from=checkpoint_id, namespace=namespace)


# -- a controller for the interactive debugger ----------------------------------------------


def open_store_for_app(
    target: str, *, create: bool = False, graph: Any = None, allow_modules: Sequence[str] | None = ()
) -> Store:
    """Like :func:`open_store`, but kept open by the caller (the TUI) until ``close()``.

    A refused decode stops the action it happened in (its outcome carries the refusal as
    the error) and the store writes nothing more.
    """
    return _open(target, create, graph, allow_modules)


class Controller:
    """Runs the user's graph on a store for the debugger: one action at a time."""

    def __init__(self, graph: Any, store: Store) -> None:
        self.graph = bind(graph, store.checkpointer)
        self.store = store
        self.break_before: set[str] = set()
        self.break_after: set[str] = set()
        self.sink: Callable[[Any], None] | None = None
        """Where typed events of every run go (the TUI's buffer, a recording)."""
        self._sessions: dict[str, Any] = {}
        self._runner: Runner | None = None
        self._lock = threading.Lock()

    @property
    def nodes(self) -> set[str]:
        """Nodes a breakpoint can name: root nodes, and subgraph nodes as ``subgraph:node``."""
        names = graph_nodes(self.graph) - {"__start__"}
        for path, sub in subgraphs(self.graph).items():
            names |= {f"{path}:{n}" for n in sub.nodes if n != "__start__"}
        return names

    def toggle_breakpoint(self, node: str, *, after: bool = False) -> bool:
        """Set or clear a breakpoint; returns whether it is now set.

        A root node's breakpoint is passed to each run; LangGraph does not pass those
        into subgraphs, so a ``subgraph:node`` breakpoint is set on the compiled
        subgraph itself (this process runs the user's graph only for the debugger).
        """
        if node not in self.nodes:
            raise ControlError(f"no node '{node}' in the graph; it has {', '.join(sorted(self.nodes))}")
        points = self.break_after if after else self.break_before
        now_set = node not in points
        (points.add if now_set else points.discard)(node)
        if ":" in node:
            path, inner = node.rsplit(":", 1)
            sub = subgraphs(self.graph)[path]
            attr = "interrupt_after_nodes" if after else "interrupt_before_nodes"
            current = [n for n in getattr(sub, attr) if n != inner]
            setattr(sub, attr, current + [inner] if now_set else current)
        return now_set

    def _root_points(self, points: set[str]) -> list[str] | None:
        return sorted(p for p in points if ":" not in p) or None

    def pause(self) -> None:
        """Stop the running action at the next step boundary."""
        runner = self._runner
        if runner is not None:
            runner.pause()

    @property
    def running(self) -> bool:
        """Whether an action is running now."""
        return self._runner is not None

    def _session(self, thread_id: str, sink: Callable[[Any], None] | None) -> Any:
        """The thread's event extractor for ``sink``, kept across its runs (None: no events)."""
        if sink is None:
            return None
        from agent_debug.inspector.events import EventExtractor

        session = self._sessions.get(thread_id)
        if session is None or session.on_event != sink:  # (bound methods compare by object and function)
            session = self._sessions[thread_id] = EventExtractor(thread_id, on_event=sink)
        return session

    def _run(
        self,
        action: Literal["step", "continue", "run"],
        thread_id: str,
        payload: Any,
        *,
        step: bool,
        sink: Callable[[Any], None] | None = None,
    ) -> ActionOutcome:
        with self._lock:
            runner = Runner(self.graph, thread_id)
            self._runner = runner
            try:
                existing = self._head(thread_id)
                result = runner.run(
                    payload,
                    interrupt_before=None if step else self._root_points(self.break_before),
                    interrupt_after="*" if step else self._root_points(self.break_after),
                    extractor=self._session(thread_id, sink if sink is not None else self.sink),
                    existing={existing} if existing else frozenset(),
                )
            finally:
                self._runner = None
        return _outcome(action, self.store, thread_id, result)

    def _head(self, thread_id: str) -> str | None:
        try:
            return self.store.source.thread(thread_id).checkpoint_id
        except InspectorError:
            return None

    def start(self, thread_id: str, payload: Any, *, step: bool = False, sink: Callable[[Any], None] | None = None) -> ActionOutcome:
        """Start a run with ``payload`` as input (to the first breakpoint, or one step)."""
        return self._run("run", thread_id, payload, step=step, sink=sink)

    def _check_runnable(self, thread_id: str) -> None:
        check_graph_matches(self.store.source, self.graph, thread_id)
        summary = self.store.source.thread(thread_id)
        if summary.status is ThreadStatus.INTERRUPTED:
            raise ControlError(f"thread '{thread_id}' waits at an interrupt: answer it first (a)")
        if summary.status is ThreadStatus.DONE:
            raise ControlError(f"thread '{thread_id}' is done: nothing left to run (replay a phase with r)")

    def step(self, thread_id: str) -> ActionOutcome:
        """Run the next super-step and pause."""
        self._check_runnable(thread_id)
        return self._run("step", thread_id, None, step=True)

    def cont(self, thread_id: str) -> ActionOutcome:
        """Run to the next breakpoint, interrupt, error or the end."""
        self._check_runnable(thread_id)
        return self._run("continue", thread_id, None, step=False)

    def resume(self, thread_id: str, plan: dict[str, Any]) -> ActionOutcome:
        """Answer interrupts by id and run on (to breakpoints)."""
        from langgraph.types import Command

        check_graph_matches(self.store.source, self.graph, thread_id)
        with self._lock:
            runner = Runner(self.graph, thread_id)
            self._runner = runner
            try:
                head = self._head(thread_id)
                result = runner.run(
                    Command(resume=plan),
                    interrupt_before=self._root_points(self.break_before),
                    interrupt_after=self._root_points(self.break_after),
                    extractor=self._session(thread_id, self.sink),
                    existing={head} if head else frozenset(),
                )
            finally:
                self._runner = None
        return _outcome("resume", self.store, thread_id, result, sent=plan)

    def replay(
        self, thread_id: str, checkpoint_id: str, node: str | None = None, update: dict[str, Any] | None = None, namespace: str = ""
    ) -> ActionOutcome:
        """Replay one phase from a checkpoint on a new branch (inside its subgraph for a subgraph's checkpoint)."""
        with self._lock:
            return replay(self.store, self.graph, thread_id, checkpoint_id, node=node, update=update, namespace=namespace)

    def fork(
        self, thread_id: str, checkpoint_id: str, update: dict[str, Any], as_node: str | None = None, namespace: str = ""
    ) -> ActionOutcome:
        """A new branch from a checkpoint with edited values."""
        with self._lock:
            return fork(self.store, self.graph, thread_id, checkpoint_id, update, as_node, namespace)
