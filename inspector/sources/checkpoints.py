"""A checkpoint store read directly: threads, history and state without the graph.

``CheckpointSource`` turns raw rows into the inspector's records; a ``StoreReader``
per database (SQLite, PostgreSQL) fetches those rows with a handful of indexed
queries. Listing threads and history reads ids, parent ids, JSON metadata and task
paths only; channel values are decoded when a checkpoint's state is asked for.
"""

from __future__ import annotations

import ast
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

from agent_debug.inspector.decode import TYPE_KEY, decode_full, decode_safe, decode_structure
from agent_debug.inspector.exceptions import NotFoundError, StoreReadError
from agent_debug.inspector.langgraph_names import BRANCH_TO as _BRANCH_PREFIX
from agent_debug.inspector.langgraph_names import END as _END
from agent_debug.inspector.langgraph_names import ERROR, INTERRUPT, RESUME, TASKS
from agent_debug.inspector.langgraph_names import PULL as _PULL
from agent_debug.inspector.langgraph_names import PUSH as _PUSH
from agent_debug.inspector.langgraph_names import START as _START
from agent_debug.inspector.langgraph_names import is_internal_channel
from agent_debug.inspector.sources.base import MIN_PARTIAL_ID, SHOWN_CANDIDATES, Capability, Decoding, choose_checkpoint
from agent_debug.inspector.sources.delta import REDUCER_NAMES, DeltaHistory, apply_saved_writes, infer_kind, rebuild, seed_value
from agent_debug.inspector.vocabulary import SCHEMA_VERSION, ThreadStatus

if TYPE_CHECKING:
    # Listing threads and history builds plain documents; the pydantic records are
    # imported where they are made, so `threads`/`history --json` never load pydantic.
    from agent_debug.inspector.model import CheckpointState, HistoryPage, NamespaceInfo, ThreadList, ThreadSummary


# Metadata key of a checkpoint whose graph has DeltaChannels (langgraph.checkpoint.base).
DELTA_COUNTERS = "counters_since_delta_snapshot"
NULL_TASK_ID = "00000000-0000-0000-0000-000000000000"
# How many older checkpoints are searched for a step that shows a channel's reducer.
_REDUCER_PROBE = 200
_REDUCER_STEPS = 6

# Only these write channels carry values worth fetching when listing.
STATUS_CHANNELS = (ERROR, INTERRUPT, TASKS)

Decoder = Callable[[str | None, bytes | None], Any]


@dataclass(frozen=True)
class HeadRow:
    """The latest checkpoint of a thread in one namespace."""

    thread_id: str
    checkpoint_id: str
    parent_id: str | None
    count: int
    metadata: dict[str, Any]
    channel_versions: dict[str, Any]
    versions_seen: dict[str, dict[str, Any]]
    available: frozenset[str] = frozenset()
    pending_sends: list[str] = field(default_factory=list)
    #: Why the row cannot be read (the thread is listed as unreadable); None when it can.
    unreadable: str | None = None


class UnreadableRow(StoreReadError):
    """A stored row is not what LangGraph writes (damaged, truncated, of an unknown type):
    the listing shows its thread as unreadable, ``state`` fails with this one line."""


def why(exc: BaseException) -> str:
    """A decoder's complaint in one short line (it may quote stored bytes)."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:159] + "…"


def json_kind(value: Any) -> str:
    """What a parsed value is, in JSON's words ("an array"), for a message."""
    return {dict: "an object", list: "an array", str: "a string", type(None): "null", bool: "a boolean"}.get(
        type(value), "a number" if isinstance(value, (int, float)) else type(value).__name__
    )


def head_problem(metadata: Any, skeleton: Any) -> str | None:
    """What makes a head unreadable for the listing, or None: ``metadata`` (parsed) must be
    an object; ``skeleton`` (``decode_structure``'s view) must hold the channel values and
    the two version maps as maps, channel names as strings."""
    if not isinstance(metadata, dict):
        return f"latest checkpoint: metadata is {json_kind(metadata)}, not an object"
    if not isinstance(skeleton, dict):
        return f"latest checkpoint: {json_kind(skeleton)}, not a checkpoint"
    problem = maps_problem(skeleton.get("channel_values"), skeleton.get("channel_versions"), skeleton.get("versions_seen"))
    return f"latest checkpoint: {problem}" if problem else None


def maps_problem(values: Any, versions: Any, seen: Any) -> str | None:
    """What is wrong with a checkpoint's channel values, versions and versions-seen maps
    for reading what runs next, or None."""
    if not isinstance(values, dict):
        return f"channel_values is {json_kind(values)}, not a map"
    if not isinstance(versions, dict):
        return f"channel_versions is {json_kind(versions)}, not a map"
    # Sets of types, not a loop in Python: this runs for every thread listed.
    if not set(map(type, versions)) <= _NAMES:
        return "channel_versions has a key that is not a channel name"
    if not isinstance(seen, dict):
        return f"versions_seen is {json_kind(seen)}, not a map"
    if not set(map(type, seen.values())) <= _MAPS:
        bad = next(v for v in seen.values() if type(v) not in _MAPS)
        return f"versions_seen holds {json_kind(bad)}, not a map"
    return None


_NAMES = frozenset((str,))
_MAPS = frozenset((dict, type(None)))


def unreadable_head(
    thread_id: str, checkpoint_id: str, parent_id: str | None, count: int, metadata: Any, reason: str
) -> HeadRow:
    """The head of a thread whose rows the listing cannot read, and why."""
    return HeadRow(
        thread_id=thread_id,
        checkpoint_id=checkpoint_id,
        parent_id=parent_id,
        count=count,
        metadata=metadata if isinstance(metadata, dict) else {},
        channel_versions={},
        versions_seen={},
        unreadable=reason,
    )


def skeleton_head(
    thread_id: str, checkpoint_id: str, parent_id: str | None, count: int, metadata: Any, skeleton: Any
) -> HeadRow:
    """A head from its parsed metadata and the ``decode_structure`` view of its checkpoint
    (or ``read_skeleton``'s), unreadable when either is not what LangGraph writes."""
    problem = head_problem(metadata, skeleton)
    if problem is not None:
        return unreadable_head(thread_id, checkpoint_id, parent_id, count, metadata, problem)
    values = skeleton["channel_values"]
    queued = values.get(TASKS)
    return HeadRow(
        thread_id=thread_id,
        checkpoint_id=checkpoint_id,
        parent_id=parent_id,
        count=count,
        metadata=metadata,
        channel_versions=skeleton["channel_versions"],
        versions_seen=skeleton["versions_seen"],
        available=frozenset(values),
        pending_sends=[v["node"] for v in queued if isinstance(v, dict) and isinstance(v.get("node"), str)]
        if isinstance(queued, list)
        else [],
    )


@dataclass(frozen=True)
class CheckpointRow:
    """A checkpoint's ids and metadata: all that listing history needs."""

    checkpoint_id: str
    parent_id: str | None
    metadata: dict[str, Any]


@dataclass(frozen=True)
class FullRow:
    """A checkpoint with its channel values decoded."""

    checkpoint_id: str
    parent_id: str | None
    metadata: dict[str, Any]
    channel_values: dict[str, Any]
    channel_versions: dict[str, Any]
    versions_seen: dict[str, dict[str, Any]]


@dataclass(frozen=True)
class WriteRow:
    """One pending write. ``value`` is raw (type, bytes), fetched only when asked for."""

    thread_id: str
    checkpoint_id: str
    task_id: str
    task_path: str
    idx: int
    channel: str
    type: str | None
    value: bytes | None


class StoreReader(ABC):
    """Raw, read-only row access to one checkpoint database."""

    target: str

    @abstractmethod
    def heads(self, namespace: str, thread_ids: Sequence[str] | None = None) -> list[HeadRow]:
        """Latest checkpoint of every thread (or of the given ones) in ``namespace``."""

    @abstractmethod
    def newest_threads(self, namespace: str, limit: int) -> tuple[int, list[str]]:
        """How many threads have a checkpoint in ``namespace``, and the ids of the ``limit``
        whose latest checkpoint there is newest, newest first (ids only: a first page)."""

    @abstractmethod
    def rows(self, thread_id: str, namespace: str, limit: int | None, before: str | None) -> list[CheckpointRow]:
        """Checkpoints newest first, older than ``before`` when given."""

    @abstractmethod
    def rows_by_ids(self, thread_id: str, namespace: str, checkpoint_ids: Collection[str]) -> list[CheckpointRow]:
        """The given checkpoints of a thread (unknown ids are left out)."""

    @abstractmethod
    def count(self, thread_id: str, namespace: str) -> int:
        """Number of checkpoints of a thread in a namespace."""

    @abstractmethod
    def has_checkpoint(self, thread_id: str, namespace: str, checkpoint_id: str) -> bool:
        """Whether this thread has this checkpoint in this namespace."""

    @abstractmethod
    def ids_named_by(self, thread_id: str, namespace: str, text: str, limit: int) -> list[str]:
        """Up to ``limit`` ids of the thread's checkpoints in ``namespace`` that start or end
        with ``text``, newest first. Reads the ids only."""

    @abstractmethod
    def checkpoint(self, thread_id: str, namespace: str, checkpoint_id: str | None, decode: Decoder) -> FullRow | None:
        """One checkpoint (latest when ``checkpoint_id`` is None) with values decoded by ``decode``."""

    @abstractmethod
    def writes(
        self,
        namespace: str,
        keys: Collection[tuple[str, str]],
        value_channels: Collection[str] | None,
    ) -> list[WriteRow]:
        """Writes at the given (thread_id, checkpoint_id) pairs; values only for ``value_channels``
        (all values when None)."""

    @abstractmethod
    def first_write(self, thread_id: str, namespace: str, channel: str) -> tuple[str | None, bytes | None] | None:
        """The (type, bytes) of the oldest write to ``channel`` in a thread's namespace, if any."""

    @abstractmethod
    def task_paths(self, namespace: str, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], list[str]]:
        """The paths of the tasks that wrote at each (thread_id, checkpoint_id), one per task."""

    @abstractmethod
    def sends(self, namespace: str, keys: Collection[tuple[str, str]]) -> dict[tuple[str, str], list[str | None]]:
        """Target nodes of the Send writes at each (thread_id, checkpoint_id), in LangGraph's
        task order (task path, task id, index): a push task's path indexes this list."""

    @abstractmethod
    def namespaces(self, thread_id: str) -> list[NamespaceInfo]:
        """Namespaces of a thread with counts, root first."""

    @abstractmethod
    def change_token(self) -> Hashable:
        """Cheap value that changes when checkpoints or writes are added."""

    @abstractmethod
    def close(self) -> None:
        """Close the connection."""


# --- interpreting rows --------------------------------------------------------------

_UUID_EPOCH_100NS = 0x01B21DD213814000


def checkpoint_time(checkpoint_id: str) -> datetime | None:
    """When a checkpoint was made, read from its id (LangGraph ids are time-ordered UUIDv6)."""
    # time_high (8 hex) + time_mid (4) + time_low (3, after the version digit '6') are the
    # 60-bit count of 100 ns ticks since 1582, in order.
    if len(checkpoint_id) != 36 or checkpoint_id[14] != "6":
        return None
    try:
        ticks = int(checkpoint_id[0:8] + checkpoint_id[9:13] + checkpoint_id[15:18], 16)
    except ValueError:
        return None
    return datetime.fromtimestamp((ticks - _UUID_EPOCH_100NS) / 1e7, tz=UTC)


def _version_key(version: Any) -> tuple[int, Any]:
    # Versions are zero-padded strings in SQL savers and ints in memory; never mixed in one store.
    return (0, version) if isinstance(version, (int, float)) else (1, str(version))


def next_nodes(
    channel_versions: dict[str, Any],
    versions_seen: dict[str, dict[str, Any]],
    available: Collection[str],
    sends: Iterable[str] = (),
) -> list[str]:
    """Nodes a checkpoint would run next, inferred without the graph, one entry per task.

    LangGraph triggers a StateGraph node through its ``branch:to:<node>`` channel (and
    the entry through ``__start__``): a node is next when that channel holds a value
    (``available``: consumed trigger channels are emptied, which also bumps their
    version) newer than the version the node last saw. Each pending ``Send`` is a task
    of its own, so two Sends to one node make two entries, as in ``StateSnapshot.next``.
    """
    found: list[str] = []
    for channel, version in channel_versions.items():
        if channel not in available:
            continue
        if channel.startswith(_BRANCH_PREFIX):
            node = channel[len(_BRANCH_PREFIX) :]
        elif channel == _START:
            node = _START
        else:
            continue
        seen = (versions_seen.get(node) or {}).get(channel)
        if seen is None or _version_key(version) > _version_key(seen):
            found.append(node)
    return sorted([*found, *sends])


def due_tasks(
    channel_versions: dict[str, Any],
    versions_seen: dict[str, dict[str, Any]],
    available: Collection[str],
    sends: Sequence[str | None],
    writes: Sequence[WriteRow],
    *,
    drop_finished: bool,
) -> list[str]:
    """``StateSnapshot.next``: the tasks planned at a checkpoint, less (for the live view)
    those whose results are already saved.

    A functional-API entrypoint is subscribed to ``__start__`` itself (there is no
    ``__start__`` node): the tasks that wrote at the checkpoint name it.
    """
    pulls = next_nodes(channel_versions, versions_seen, available)
    if _START in pulls:
        writers = {n for w in writes if not _is_call(w.task_path) for n in [_parse_task_path(w.task_path)[0]] if n}
        if writers and _START not in writers:
            pulls = [n for n in pulls if n != _START] + sorted(writers - set(pulls))
    tasks: list[tuple[str, int | None]] = [(n, None) for n in pulls]
    tasks += [(node, i) for i, node in enumerate(sends) if node]
    if drop_finished:
        finished = _finished_tasks(writes)
        done = {_parse_task_path(w.task_path) for w in writes if w.task_id in finished and not _is_call(w.task_path)}
        tasks = [t for t in tasks if not ((t[0], None) in done if t[1] is None else (None, t[1]) in done)]
    return sorted(node for node, _ in tasks)


def _write_order(w: WriteRow) -> tuple[str, str, int]:
    """The order LangGraph applies one step's writes in (``writes_sort_key``)."""
    return (w.task_path, w.task_id, w.idx)


def _is_call(task_path: str) -> bool:
    """A functional-API ``@task`` call (its path nests its caller's): LangGraph does not
    list these among a checkpoint's tasks; their errors and interrupts reach the caller."""
    parts = task_path.lstrip("~").split(",", 2)
    return len(parts) >= 2 and parts[0].strip() == _PUSH and not parts[1].strip().isdigit()


@lru_cache(maxsize=4096)
def _parse_task_path(task_path: str) -> tuple[str | None, int | None]:
    """(node, None) for a pull task, (None, send index) for a push task."""
    parts = [p.strip() for p in task_path.lstrip("~").split(",")]
    if len(parts) >= 2 and parts[0] == _PULL:
        return parts[1], None
    if len(parts) >= 2 and parts[0] == _PUSH and parts[1].isdigit():
        return None, int(parts[1])
    return None, None


def _task_node(task_path: str, sends: Sequence[str | None]) -> str | None:
    """The node a task ran, from its stored path (``~__pregel_pull, node`` or a Send index)."""
    node, index = _parse_task_path(task_path)
    if index is not None:
        return sends[index] if index < len(sends) else None
    return node


def group_task_paths(rows: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str], list[str]]:
    """(thread, checkpoint, task path) rows, one per task, by (thread, checkpoint)."""
    out: dict[tuple[str, str], list[str]] = {}
    for thread_id, checkpoint_id, path in rows:
        out.setdefault((thread_id, checkpoint_id), []).append(path)
    return out


def group_sends(rows: Iterable[tuple[str, str, str | None, bytes | None]]) -> dict[tuple[str, str], list[str | None]]:
    """(thread, checkpoint, type, value) rows of Send writes, in task order, as target nodes."""
    out: dict[tuple[str, str], list[str | None]] = {}
    for thread_id, checkpoint_id, type_, value in rows:
        try:
            decoded = decode_structure(type_, value)
        except Exception:  # noqa: BLE001 - a damaged Send names no node: its task reads as "send"
            decoded = None
        node = decoded.get("node") if isinstance(decoded, dict) else None
        out.setdefault((thread_id, checkpoint_id), []).append(node if isinstance(node, str) else None)
    return out


def _is_push(task_path: str) -> bool:
    return task_path.lstrip("~").startswith(_PUSH)


_REPR = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)\((?P<args>.*)\)$", re.S)


def parse_error(value: Any) -> tuple[str, str]:
    """Exception type and message from a stored error (LangGraph stores ``repr(exc)``)."""
    if isinstance(value, str):
        m = _REPR.match(value.strip())
        if not m:
            return "Error", value
        args_src = m.group("args")
        try:
            # literal_eval evaluates literals only; it never calls or imports.
            args = ast.literal_eval(f"({args_src},)") if args_src else ()
        except (ValueError, SyntaxError):
            return m.group("type"), args_src
        message = str(args[0]) if len(args) == 1 else ", ".join(map(str, args))
        return m.group("type"), message
    if isinstance(value, dict) and TYPE_KEY in value:
        args = value.get("args") or []
        return str(value[TYPE_KEY]).rsplit(".", 1)[-1], ", ".join(map(str, args if isinstance(args, list) else [args]))
    return "Error", str(value)


# The types LangGraph's serializers write (an encrypted store's 'msgpack+aes' is not one).
STORED_TYPES = frozenset(("msgpack", "json", "bytes", "bytearray", "null", "empty", "pickle"))


def _stored(decode: Decoder) -> Decoder:
    """``decode`` refusing what no LangGraph serializer writes: no type, an unknown type,
    no bytes. (A checkpoint so stored would read as an empty state.)"""

    def checked(type_: str | None, data: bytes | None) -> Any:
        if type_ not in STORED_TYPES:
            raise ValueError("no type (the type column is NULL)" if type_ is None else f"unknown type {type_!r}")
        if data is None and type_ not in ("null", "empty"):
            raise ValueError("no data (the blob is NULL)")
        return decode(type_, data)

    return checked


def write_value(w: WriteRow, decode: Decoder) -> Any:
    """A write's value, or UnreadableRow naming the write when its bytes do not decode."""
    try:
        return decode(w.type, w.value)
    except Exception as exc:
        raise UnreadableRow(
            f"pending write to '{w.channel}' is not valid {w.type or 'data'} ({why(exc)}): "
            f"task {w.task_id}, checkpoint {w.checkpoint_id}"
        ) from exc


def _interrupts_of(w: WriteRow, node: str | None, namespace: str, decode: Decoder) -> list[dict[str, Any]]:
    """``InterruptInfo`` fields, in order, for each interrupt in a stored write."""
    value = write_value(w, decode)
    items = value if isinstance(value, list) else [value]
    found = []
    for item in items:
        stored = isinstance(item, dict) and TYPE_KEY in item
        found.append(
            {
                "id": (item.get("id") or item.get("interrupt_id")) if stored else None,
                "value": item.get("value") if stored else item,
                "node": node,
                "task_id": w.task_id,
                "namespace": namespace,
                "response_schema": item.get("response_schema") if stored else None,
            }
        )
    return found


@dataclass
class _Pending:
    """Pending interrupts and errors as plain ``InterruptInfo``/``ErrorInfo`` fields."""

    interrupts: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)


_NOT_RESULTS = frozenset((ERROR, INTERRUPT, RESUME))


def _finished_tasks(writes: Iterable[WriteRow]) -> set[str]:
    """Tasks that wrote a result at this checkpoint (LangGraph marks even an empty result),
    so their step is partly done: their old interrupts are answered."""
    return {w.task_id for w in writes if w.channel not in _NOT_RESULTS}


def _pending(writes: Iterable[WriteRow], sends: Sequence[str], namespace: str, decode: Decoder) -> _Pending:
    out = _Pending()
    writes = list(writes)
    finished = _finished_tasks(writes)
    for w in writes:
        if (w.task_id in finished and w.channel == INTERRUPT) or _is_call(w.task_path):
            continue
        if w.channel == INTERRUPT:
            out.interrupts.extend(_interrupts_of(w, _task_node(w.task_path, sends), namespace, decode))
        elif w.channel == ERROR:
            # The rule table compiles its patterns on import: paid only when a thread failed.
            from agent_debug.inspector.errors import stored_error_fields

            type_, message = parse_error(write_value(w, decode))
            node = _task_node(w.task_path, sends)
            out.errors.append(
                {
                    "type": type_,
                    "message": message,
                    "node": node,
                    "task_id": w.task_id,
                    "namespace": namespace,
                    # Classified as a live error of that type and message is.
                    **stored_error_fields(type_, message, node),
                }
            )
    return out


def _status(pending: _Pending, nxt: Sequence[str]) -> ThreadStatus:
    # An interrupt that is being resumed right now still reads as interrupted until
    # the resumed task writes its checkpoint; the next poll shows the change.
    if pending.errors:
        return ThreadStatus.ERROR
    if pending.interrupts:
        return ThreadStatus.INTERRUPTED
    return ThreadStatus.PENDING if nxt else ThreadStatus.DONE


_BASE_METADATA = frozenset(("source", "step", "parents"))


def _extra_metadata(metadata: dict[str, Any]) -> dict[str, Any]:
    if metadata.keys() <= _BASE_METADATA:
        return {}
    return {k: v for k, v in metadata.items() if k not in _BASE_METADATA}


def _step(metadata: dict[str, Any]) -> int | None:
    step = metadata.get("step")
    return step if isinstance(step, int) else None


def _source(metadata: dict[str, Any]) -> str | None:
    source = metadata.get("source")
    return source if isinstance(source, str) else None


def _check_interrupt_ids(interrupts: Sequence[dict[str, Any]]) -> None:
    for i in interrupts:
        if i["id"] is not None and not isinstance(i["id"], str):
            raise UnreadableRow(f"pending interrupt of task {i['task_id']}: its id is {json_kind(i['id'])}, not a string")


def _is_state_channel(name: str) -> bool:
    return not (is_internal_channel(name) or ":" in name)


def select_path(values: Any, path: str) -> Any:
    """The part of ``values`` at a dotted path like ``messages.0.content``."""
    current = values
    walked: list[str] = []
    parts = path.split(".")
    i = 0
    while i < len(parts):
        part = parts[i]
        # A key may hold dots itself (deepagents' files are keyed by path: '/notes.md').
        dotted = next(
            (j for j in range(i + 1, len(parts) + 1) if isinstance(current, dict) and ".".join(parts[i:j]) in current), None
        )
        if dotted is not None:
            part = ".".join(parts[i:dotted])
            current = current[part]
            i = dotted - 1
        elif isinstance(current, list) and part.lstrip("-").isdigit() and -len(current) <= int(part) < len(current):
            current = current[int(part)]
        else:
            where = ".".join(walked) or "the state"
            if isinstance(current, dict):
                keys = ", ".join(str(k) for k in current if k != TYPE_KEY) or "none"
                hint = f"keys there: {keys}"
            elif isinstance(current, list):
                hint = f"it is a list of {len(current)} items"
            else:
                hint = f"it is a {type(current).__name__}"
            raise NotFoundError(f"no value at path '{path}': '{part}' not found in {where} ({hint})")
        walked.append(part)
        i += 1
    return current


class CheckpointSource:
    """A LangGraph checkpoint store opened read-only, through a ``StoreReader``."""

    capabilities = frozenset(
        {
            Capability.THREADS,
            Capability.HISTORY,
            Capability.STATE,
            Capability.NAMESPACES,
            Capability.TAIL,
            Capability.DOCUMENTS,
        }
    )

    def __init__(self, reader: StoreReader) -> None:
        self.reader = reader
        self.target = reader.target

    # -- threads --------------------------------------------------------------------

    def _ran_at(
        self,
        namespace: str,
        rows: Iterable[tuple[str, str, str | None, str | None]],
        known_parents: dict[str, str | None] | None = None,
    ) -> dict[tuple[str, str], list[str]]:
        """The nodes whose run produced each checkpoint, for (thread, checkpoint, parent, source) rows.

        A "loop" checkpoint was made by the tasks that wrote at its parent (an update
        or fork child did not run them). A Send task's path only holds an index into
        the Sends written one checkpoint earlier, at the grandparent.
        """
        loop = [(t, c, p) for t, c, p, source in rows if source == "loop" and p]
        paths = self.reader.task_paths(namespace, {(t, p) for t, _, p in loop})
        # Pull tasks name their node; only the (rare) push tasks need the Sends looked up.
        pulled: dict[tuple[str, str], list[str]] = {}
        pushed: set[tuple[str, str]] = set()
        for key, found in paths.items():
            names: list[str] = []
            for path in found:
                node, index = _parse_task_path(path)
                if index is not None:
                    pushed.add(key)
                elif node and node not in names:
                    names.append(node)
            pulled[key] = names
        if pushed:
            self._name_sends(namespace, pushed, paths, pulled, known_parents or {})
        empty: list[str] = []
        return {(t, c): pulled.get((t, p), empty) for t, c, p in loop}

    def _name_sends(
        self,
        namespace: str,
        pushed: set[tuple[str, str]],
        paths: dict[tuple[str, str], list[str]],
        names: dict[tuple[str, str], list[str]],
        known: dict[str, str | None],
    ) -> None:
        """Rename the tasks at ``pushed`` checkpoints in order, Send targets included."""
        grand: dict[tuple[str, str], str | None] = {}
        by_thread: dict[str, set[str]] = {}
        for t, p in pushed:
            if p in known:
                grand[(t, p)] = known[p]
            else:
                by_thread.setdefault(t, set()).add(p)
        for t, ids in by_thread.items():
            grand.update(((t, r.checkpoint_id), r.parent_id) for r in self.reader.rows_by_ids(t, namespace, ids))
        sends = self.reader.sends(namespace, {(t, g) for (t, _), g in grand.items() if g})
        for key in pushed:
            g = grand.get(key)
            targets = sends.get((key[0], g), []) if g else []
            if any(_task_node(path, targets) is None for path in paths[key] if _is_push(path) and not _is_call(path)):
                # A fork or update copies its Sends into its own queue: none were written
                # one checkpoint earlier, so read the queue the tasks indexed.
                targets = self._queued_sends(key[0], namespace, key[1]) or targets
            ordered: list[str] = []
            for path in paths[key]:
                node = _task_node(path, targets) or ("send" if _is_push(path) else None)
                if node and node not in ordered:
                    ordered.append(node)
            names[key] = ordered

    def _queued_sends(self, thread_id: str, namespace: str, checkpoint_id: str) -> list[str | None]:
        """Target nodes of the Sends queued in a checkpoint's own task channel."""
        try:
            row = self.reader.checkpoint(thread_id, namespace, checkpoint_id, decode_structure)
        except StoreReadError:
            # A damaged checkpoint names no Send targets: its tasks read as "send", and the
            # thread's own rows say what is wrong. (A lost connection fails the next read.)
            return []
        queued = row.channel_values.get(TASKS) if row is not None else None
        return [v.get("node") if isinstance(v, dict) else None for v in queued] if isinstance(queued, list) else []

    def _summaries(self, heads: list[HeadRow]) -> list[dict[str, Any]]:
        """Thread summaries as dicts, validated in bulk by the caller.

        A damaged row (a head the reader could not read, a pending write that does not
        decode) makes only its own thread unreadable, with the reason in ``read_error``.
        """
        readable = [h for h in heads if h.unreadable is None]
        head_writes, failed = _by_thread(
            lambda some: _group(self.reader.writes("", [(h.thread_id, h.checkpoint_id) for h in some], STATUS_CHANNELS)),
            readable,
        )
        ran, unnamed = _by_thread(
            lambda some: self._ran_at("", ((h.thread_id, h.checkpoint_id, h.parent_id, h.metadata.get("source")) for h in some)),
            heads,
        )
        out = []
        for h in heads:
            nodes = ran.get((h.thread_id, h.checkpoint_id))
            problem = h.unreadable
            if problem is None and h.thread_id in failed:
                problem = f"pending writes of the latest checkpoint: {failed[h.thread_id]}"
            elif problem is None and h.thread_id in unnamed:
                problem = f"the writes that made the latest checkpoint: {unnamed[h.thread_id]}"
            status, nxt, interrupts, errors = ThreadStatus.UNREADABLE, [], [], []
            if problem is None:
                own = head_writes.get((h.thread_id, h.checkpoint_id), [])
                try:
                    # Pending interrupts and errors belong to tasks planned at the head itself,
                    # so a push task's path indexes the head's own queued Sends.
                    pending = _pending(own, h.pending_sends, "", decode_safe)
                    _check_interrupt_ids(pending.interrupts)
                except UnreadableRow as exc:
                    problem = exc.message
                else:
                    nxt = due_tasks(h.channel_versions, h.versions_seen, h.available, h.pending_sends, own, drop_finished=True)
                    status, interrupts, errors = _status(pending, nxt), pending.interrupts, pending.errors
            out.append(
                {
                    "thread_id": h.thread_id,
                    "status": status,
                    "checkpoint_id": h.checkpoint_id,
                    "checkpoint_count": h.count,
                    "last_step": _step(h.metadata),
                    "last_node": ", ".join(nodes) if nodes else None,
                    "last_source": _source(h.metadata),
                    "updated_at": checkpoint_time(h.checkpoint_id),
                    "next": nxt,
                    "interrupts": interrupts,
                    "errors": errors,
                    "read_error": problem,
                }
            )
        return out

    def threads_document(self, *, status: ThreadStatus | None = None, limit: int | None = None) -> dict[str, Any]:
        """``ThreadList``'s fields as plain data (the ``threads --json`` document).

        A first page (``limit`` without ``status``) reads only its own threads' heads."""
        if limit and status is None:
            total, newest = self.reader.newest_threads("", limit)
            summaries = self._summaries(self.reader.heads("", newest))
        else:
            summaries = self._summaries(self.reader.heads(""))
            total = len(summaries)
        summaries.sort(key=lambda s: s["checkpoint_id"], reverse=True)
        if status is not None:
            summaries = [s for s in summaries if s["status"] == status]
        if limit:
            summaries = summaries[:limit]
        return {"schema_version": SCHEMA_VERSION, "target": self.target, "total": total, "threads": summaries}

    def threads(self, *, status: ThreadStatus | None = None, limit: int | None = None) -> ThreadList:
        """Every thread with its status, most recently updated first."""
        doc = self.threads_document(status=status, limit=limit)
        # Imported after the read: a first page read ahead (tui.first_page) reads the store
        # while the app's thread imports the records' module.
        from agent_debug.inspector.model import ThreadList, trusted_thread_list

        if limit and status is None:
            return trusted_thread_list(doc)  # a first page: the first paint waits on it
        return ThreadList.model_validate(doc)

    def thread(self, thread_id: str) -> ThreadSummary:
        """One thread's summary."""
        from agent_debug.inspector.model import ThreadSummary

        heads = self.reader.heads("", [thread_id])
        if not heads:
            raise self._unknown_thread(thread_id)
        return ThreadSummary.model_validate(self._summaries(heads)[0])

    def _unknown_thread(self, thread_id: str) -> NotFoundError:
        return NotFoundError(
            f"no thread '{thread_id}' in {self.target}; list threads with: agent-debug threads {self.target}"
        )

    def _require_namespace(self, thread_id: str, namespace: str) -> None:
        if self.reader.count(thread_id, namespace):
            return
        spaces = self.reader.namespaces(thread_id)
        if not spaces:
            raise self._unknown_thread(thread_id)
        known = ", ".join(repr(n.namespace) for n in spaces)
        raise NotFoundError(f"thread '{thread_id}' has no namespace '{namespace}'; it has: {known}")

    # -- history --------------------------------------------------------------------

    def history_document(
        self, thread_id: str, *, namespace: str = "", limit: int | None = 50, before: str | None = None
    ) -> dict[str, Any]:
        """``HistoryPage``'s fields as plain data (the ``history --json`` document)."""
        self._require_namespace(thread_id, namespace)
        if before is not None and not self.reader.has_checkpoint(thread_id, namespace, before):
            raise self._unknown_checkpoint(thread_id, before, namespace)
        rows = self.reader.rows(thread_id, namespace, limit or None, before)
        ran = self._ran_at(
            namespace,
            ((thread_id, r.checkpoint_id, r.parent_id, r.metadata.get("source")) for r in rows),
            {r.checkpoint_id: r.parent_id for r in rows},
        )
        empty: list[str] = []
        items = []
        for r in rows:
            meta = r.metadata
            step = meta.get("step")
            items.append(
                {
                    "checkpoint_id": r.checkpoint_id,
                    "parent_id": r.parent_id,
                    "step": step if type(step) is int else None,
                    "source": meta.get("source"),
                    "nodes": ran.get((thread_id, r.checkpoint_id), empty),
                    "created_at": checkpoint_time(r.checkpoint_id),
                    "metadata": _extra_metadata(meta),
                }
            )
        more = bool(limit) and len(rows) == limit and self._has_older(thread_id, namespace, rows[-1].checkpoint_id)
        return {
            "schema_version": SCHEMA_VERSION,
            "thread_id": thread_id,
            "namespace": namespace,
            "total": self.reader.count(thread_id, namespace),
            "checkpoints": items,
            "next_before": rows[-1].checkpoint_id if more else None,
        }

    def history(
        self, thread_id: str, *, namespace: str = "", limit: int | None = 50, before: str | None = None
    ) -> HistoryPage:
        """A page of checkpoints newest first, each with the nodes that produced it."""
        from agent_debug.inspector.model import HistoryPage

        # Validated in one call (pydantic's core), faster per row than one model at a time.
        return HistoryPage.model_validate(self.history_document(thread_id, namespace=namespace, limit=limit, before=before))

    def _has_older(self, thread_id: str, namespace: str, checkpoint_id: str) -> bool:
        return bool(self.reader.rows(thread_id, namespace, 1, checkpoint_id))

    def _unknown_checkpoint(self, thread_id: str, checkpoint_id: str, namespace: str) -> NotFoundError:
        ns = f" --ns '{namespace}'" if namespace else ""
        return NotFoundError(
            f"no checkpoint '{checkpoint_id}' in thread '{thread_id}'"
            f"{' namespace ' + repr(namespace) if namespace else ''}; list them with: "
            f"agent-debug history {self.target} --thread {thread_id}{ns}"
        )

    # -- state ----------------------------------------------------------------------

    def state(
        self,
        thread_id: str,
        *,
        checkpoint_id: str | None = None,
        namespace: str = "",
        decode: Decoding = "safe",
        path: str | None = None,
    ) -> CheckpointState:
        """One checkpoint's state, decoded safely unless ``decode='full'`` (trusted stores)."""
        from agent_debug.inspector.messages import find_messages
        from agent_debug.inspector.model import CheckpointState, PendingWrite

        self._require_namespace(thread_id, namespace)
        decoder: Decoder = decode_full if decode == "full" else decode_safe
        row = self.reader.checkpoint(thread_id, namespace, checkpoint_id, _stored(decoder))
        if row is None:
            raise self._unknown_checkpoint(thread_id, checkpoint_id or "latest", namespace)
        problem = maps_problem(row.channel_values, row.channel_versions, row.versions_seen)
        if problem is not None:
            raise UnreadableRow(f"checkpoint {row.checkpoint_id}: {problem}")
        own = self.reader.writes(namespace, [(thread_id, row.checkpoint_id)], None)
        # Tasks planned at this checkpoint: a push task's path indexes its queued Sends.
        queued = row.channel_values.get(TASKS)
        sends = [v.get("node") for v in queued if isinstance(v, dict)] if isinstance(queued, list) else []
        pending = _pending(own, sends, namespace, decoder)
        nxt = due_tasks(row.channel_versions, row.versions_seen, row.channel_values.keys(), sends, own, drop_finished=checkpoint_id is None)
        values, rebuilt = self._values(thread_id, namespace, row, decoder, entrypoint=_START not in nxt and _START in row.channel_values)
        if isinstance(values, dict):
            self._apply_saved_writes(thread_id, namespace, row, values, rebuilt, own, decoder, live=checkpoint_id is None)
        shown = select_path(values, path) if path else values
        return CheckpointState(
            thread_id=thread_id,
            namespace=namespace,
            checkpoint_id=row.checkpoint_id,
            parent_id=row.parent_id,
            step=_step(row.metadata),
            source=row.metadata.get("source"),
            created_at=checkpoint_time(row.checkpoint_id),
            decoded=decode,
            values=shown,
            path=path,
            # Like LangGraph's "live" view: only the latest state (no checkpoint id asked for)
            # drops phases that already finished from a half-done step.
            next=nxt,
            messages=find_messages(values),
            interrupts=pending.interrupts,
            errors=pending.errors,
            pending_writes=[
                PendingWrite(
                    task_id=w.task_id,
                    node=_task_node(w.task_path, sends),
                    channel=w.channel,
                    value=write_value(w, decoder),
                )
                for w in own
            ],
            metadata=_extra_metadata(row.metadata),
            rebuilt=rebuilt,
        )

    def _values(
        self, thread_id: str, namespace: str, row: FullRow, decode: Decoder, *, entrypoint: bool = False
    ) -> tuple[Any, dict[str, str]]:
        """The state a checkpoint stands for, as ``get_state().values``, and how each
        DeltaChannel was rebuilt.

        A functional-API graph (``@entrypoint``) has no state channels: its values are
        the entrypoint's return value, in ``__end__`` (None until it returns).
        """
        functional = _END in row.channel_versions or entrypoint
        if functional and not any(_is_state_channel(k) for k in row.channel_versions):
            return row.channel_values.get(_END), {}
        values = {k: seed_value(v) for k, v in row.channel_values.items() if _is_state_channel(k)}
        missing = [k for k in row.channel_versions if _is_state_channel(k) and k not in row.channel_values]
        rebuilt: dict[str, str] = {}
        if missing:
            for channel, history in self._delta_histories(thread_id, namespace, row, missing, decode).items():
                values[channel], rebuilt[channel] = rebuild(history)
        # A DeltaChannel never written on this branch still reads as its type's empty value
        # (``from_checkpoint(MISSING)``); its counters in the metadata name it.
        counters = row.metadata.get(DELTA_COUNTERS)
        for channel in counters if isinstance(counters, dict) else ():
            if isinstance(channel, str) and channel not in values and channel not in row.channel_versions:
                values[channel] = self._empty_delta_value(thread_id, namespace, channel, decode)
                rebuilt[channel] = "empty"
        if rebuilt:
            # LangGraph lists channels in the graph's order; ours follow the checkpoint's versions.
            order = {k: i for i, k in enumerate(row.channel_versions)}
            values = dict(sorted(values.items(), key=lambda kv: order.get(kv[0], len(order))))
        return values, rebuilt

    def _apply_saved_writes(
        self,
        thread_id: str,
        namespace: str,
        row: FullRow,
        values: dict[str, Any],
        rebuilt: dict[str, str],
        own: Sequence[WriteRow],
        decode: Decoder,
        *,
        live: bool,
    ) -> None:
        """Apply the writes saved at ``row`` the way ``get_state`` does: input writes (a
        ``Command(update=...)`` sent with a resume, under the null task id) always; in the live
        view (the latest state), also the output of tasks that already finished in a step
        that stopped part-way (a sibling failed or waits at an interrupt).

        Channels are updated with their reducer: a DeltaChannel's is known from its rebuild;
        another channel's is read from its own history (``infer_kind``); a channel whose
        reducer nothing tells keeps its value and is listed in ``rebuilt`` as not applied.
        """
        finished = _finished_tasks(own) if live else set()
        chosen = [
            w
            for w in own
            if _is_state_channel(w.channel)
            and (w.task_id == NULL_TASK_ID or (w.task_id in finished and not _is_call(w.task_path)))
        ]
        if not chosen:
            return
        # LangGraph applies the input writes first, then the tasks' in task-path order.
        chosen.sort(key=lambda w: (w.task_id != NULL_TASK_ID, *_write_order(w)))
        by_channel: dict[str, list[Any]] = {}
        for w in chosen:
            by_channel.setdefault(w.channel, []).append(write_value(w, decode))
        for channel, writes in by_channel.items():
            kind = rebuilt.get(channel) if rebuilt.get(channel) in REDUCER_NAMES else None
            present = channel in values
            if kind is None and present:
                kind = self._reducer_from_history(thread_id, namespace, row, channel, decode)
            applied, value = apply_saved_writes(kind, present, values.get(channel), writes)
            if applied:
                values[channel] = value
            else:
                rebuilt[channel] = "saved writes not applied (reducer unknown)"

    def _reducer_from_history(self, thread_id: str, namespace: str, row: FullRow, channel: str, decode: Decoder) -> str | None:
        """How a channel combines writes, read from the newest earlier step of this thread
        that wrote it onto a value (a plain channel keeps the last write, ``operator.add``
        concatenates, ``add_messages`` merges by id, a dict reducer merges)."""
        rows = [row, *self.reader.rows(thread_id, namespace, _REDUCER_PROBE, row.checkpoint_id)]
        loops = [(r.parent_id, r.checkpoint_id) for r in rows if r.metadata.get("source") == "loop" and r.parent_id]
        if not loops:
            return None
        written: dict[str, list[WriteRow]] = {}
        for w in self.reader.writes(namespace, [(thread_id, p) for p, _ in loops], [channel]):
            if w.channel == channel and w.task_id != NULL_TASK_ID:
                written.setdefault(w.checkpoint_id, []).append(w)
        # Each step looked at decodes two checkpoints: a few steps, newest first, are enough.
        for parent, child in [pair for pair in loops if pair[0] in written][:_REDUCER_STEPS]:
            before = self.reader.checkpoint(thread_id, namespace, parent, decode)
            after = self.reader.checkpoint(thread_id, namespace, child, decode)
            if before is None or after is None or channel not in before.channel_values or channel not in after.channel_values:
                continue
            writes = [decode(w.type, w.value) for w in sorted(written[parent], key=_write_order)]
            kind = infer_kind(before.channel_values[channel], writes, after.channel_values[channel])
            if kind is not None:
                return kind
        return None

    def _empty_delta_value(self, thread_id: str, namespace: str, channel: str, decode: Decoder) -> Any:
        """``typ()`` of a channel we have no value for, judged by the shape of its first write
        in the thread; never written: a list for ``messages``, else a mapping (deepagents' files)."""
        first = self.reader.first_write(thread_id, namespace, channel)
        if first is None:
            return [] if channel == "messages" else {}
        value = decode(*first)
        return {} if isinstance(value, dict) and TYPE_KEY not in value else []

    def _delta_histories(
        self, thread_id: str, namespace: str, row: FullRow, channels: Sequence[str], decode: Decoder
    ) -> dict[str, DeltaHistory]:
        """For each channel with no value stored at ``row``: the nearest ancestor's stored
        value (the seed) and the writes saved at every checkpoint from it to ``row``'s parent,
        oldest first (LangGraph's ``get_delta_channel_history``)."""
        active = set(channels)
        chains: dict[str, list[str]] = {k: [] for k in channels}
        seeds: dict[str, Any] = {}
        walked: set[str] = {row.checkpoint_id}
        parent = row.parent_id
        while parent and active and parent not in walked:
            walked.add(parent)
            # The walk reads only the skeleton; a seed's value is decoded once it is found.
            ancestor = self.reader.checkpoint(thread_id, namespace, parent, decode_structure)
            if ancestor is None:
                break
            found = [k for k in active if k in ancestor.channel_values]
            for k in active:
                chains[k].append(ancestor.checkpoint_id)
            if found:
                full = self.reader.checkpoint(thread_id, namespace, parent, decode)
                for k in found:
                    seeds[k] = full.channel_values.get(k) if full is not None else None
                active.difference_update(found)
            parent = ancestor.parent_id
        ids = {c for chain in chains.values() for c in chain}
        rows = self.reader.writes(namespace, [(thread_id, c) for c in ids], list(channels)) if ids else []
        by_checkpoint: dict[tuple[str, str], list[WriteRow]] = {}
        for w in rows:
            if w.channel in chains:
                by_checkpoint.setdefault((w.checkpoint_id, w.channel), []).append(w)
        out: dict[str, DeltaHistory] = {}
        for k in channels:
            writes: list[Any] = []
            for cid in reversed(chains[k]):
                for w in sorted(by_checkpoint.get((cid, k), ()), key=_write_order):
                    writes.append(decode(w.type, w.value))
            out[k] = DeltaHistory(seeded=k in seeds, seed=seeds.get(k), writes=writes)
        return out

    def namespaces(self, thread_id: str) -> list[NamespaceInfo]:
        """The thread's namespaces, root first."""
        found = self.reader.namespaces(thread_id)
        if not found:
            raise self._unknown_thread(thread_id)
        return found

    def has_checkpoint(self, thread_id: str, namespace: str, checkpoint_id: str) -> bool:
        """Whether the thread has that checkpoint in that namespace (one indexed lookup)."""
        return self.reader.has_checkpoint(thread_id, namespace, checkpoint_id)

    def resolve_checkpoint(self, thread_id: str, text: str, namespace: str = "") -> str:
        """The full id of the checkpoint ``text`` names (``base.is_named_by``): a whole id
        is one index lookup, part of one a scan of the thread's ids in the store's index;
        nothing is decoded."""
        if self.reader.has_checkpoint(thread_id, namespace, text):
            return text
        found = self.reader.ids_named_by(thread_id, namespace, text, SHOWN_CANDIDATES + 1) if len(text) >= MIN_PARTIAL_ID else []
        chosen = choose_checkpoint(text, found, thread_id, namespace)
        if chosen is None:
            self._require_namespace(thread_id, namespace)  # an unknown thread is the clearer error
            raise self._unknown_checkpoint(thread_id, text, namespace)
        return chosen

    def change_token(self) -> Hashable:
        """Changes whenever another process adds checkpoints or writes."""
        return self.reader.change_token()

    def close(self) -> None:
        """Close the store."""
        self.reader.close()

    def __enter__(self) -> CheckpointSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_T = TypeVar("_T")


def _by_thread(
    read: Callable[[Sequence[HeadRow]], dict[tuple[str, str], _T]], heads: Sequence[HeadRow]
) -> tuple[dict[tuple[str, str], _T], dict[str, str]]:
    """``read(heads)``; when that fails, ``read`` of each head alone, so that a row the
    database itself cannot return (text that is not UTF-8) fails only its own thread.
    Returns what was read and why each thread that failed did; raises when all fail (the
    store, not a row, is the trouble)."""
    try:
        return read(heads), {}
    except StoreReadError as exc:
        if len(heads) <= 1:
            raise
        first = exc
    found: dict[tuple[str, str], _T] = {}
    failed: dict[str, str] = {}
    for h in heads:
        try:
            found.update(read([h]))
        except StoreReadError as exc:
            failed[h.thread_id] = why(exc.message)
    if len(failed) == len(heads):
        raise first
    return found, failed


def _group(writes: Iterable[WriteRow]) -> dict[tuple[str, str], list[WriteRow]]:
    grouped: dict[tuple[str, str], list[WriteRow]] = {}
    for w in writes:
        grouped.setdefault((w.thread_id, w.checkpoint_id), []).append(w)
    return grouped
