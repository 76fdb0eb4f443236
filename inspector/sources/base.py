"""The one protocol every source implements, and the capabilities it declares.

The UI and CLI ask a source what it can do (``Capability``) instead of checking its
class, so a checkpoint store, a local graph, a server or a recording plug in alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Hashable, Literal, Protocol, runtime_checkable

from agent_debug.inspector.exceptions import NotFoundError
from agent_debug.inspector.vocabulary import ThreadStatus

if TYPE_CHECKING:  # the records need pydantic, which the --json fast paths never import
    from agent_debug.inspector.model import CheckpointState, HistoryPage, NamespaceInfo, ThreadList, ThreadSummary

Decoding = Literal["safe", "full"]


class Capability(StrEnum):
    """What a source can do."""

    THREADS = "threads"  # list threads with status
    HISTORY = "history"  # page a thread's checkpoints
    STATE = "state"  # decode a checkpoint's values
    NAMESPACES = "namespaces"  # subgraph checkpoint namespaces
    TAIL = "tail"  # cheap change detection, for following a store another process writes
    CONTROL = "control"  # run, step, resume, replay, fork: the source holds the graph and a writer
    EVENTS = "events"  # live typed events (phases, thinking, logs, errors) of the runs it makes
    DOCUMENTS = "documents"  # threads_document()/history_document(): --json without building records


@runtime_checkable
class Source(Protocol):
    """Read access to LangGraph threads and checkpoints."""

    target: str
    """Where the data comes from, safe to print (passwords removed)."""

    capabilities: frozenset[Capability]

    def threads(self, *, status: ThreadStatus | None = None, limit: int | None = None) -> ThreadList:
        """Every thread with its status, newest first."""
        ...

    def thread(self, thread_id: str) -> ThreadSummary:
        """One thread's summary; ``NotFoundError`` if the store does not have it."""
        ...

    def history(
        self, thread_id: str, *, namespace: str = "", limit: int | None = 50, before: str | None = None
    ) -> HistoryPage:
        """A page of checkpoints, newest first; ``limit=None`` means all."""
        ...

    def state(
        self,
        thread_id: str,
        *,
        checkpoint_id: str | None = None,
        namespace: str = "",
        decode: Decoding = "safe",
        path: str | None = None,
    ) -> CheckpointState:
        """The values of one checkpoint (the latest by default) and what is pending at it."""
        ...

    def has_checkpoint(self, thread_id: str, namespace: str, checkpoint_id: str) -> bool:
        """Whether the thread has that checkpoint in that namespace."""
        ...

    def resolve_checkpoint(self, thread_id: str, text: str, namespace: str = "") -> str:
        """The full id of the checkpoint ``text`` names in the thread's namespace: the id
        itself, or its start or its end (see ``is_named_by``) when only one checkpoint there
        has it. ``NotFoundError`` for none, ``AmbiguousCheckpoint`` for several."""
        ...

    def namespaces(self, thread_id: str) -> list[NamespaceInfo]:
        """The thread's checkpoint namespaces, root first."""
        ...

    def change_token(self) -> Hashable:
        """A cheap value that changes whenever a checkpoint or write is added."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...


# -- naming a checkpoint by part of its id -------------------------------------------------

MIN_PARTIAL_ID = 4
"""Fewer characters than this name a checkpoint only when they are its whole id."""
SHOWN_CANDIDATES = 3
"""How many of the checkpoints an ambiguous part of an id matches the error names."""


class AmbiguousCheckpoint(NotFoundError):
    """Part of a checkpoint id that more than one checkpoint of the thread has (exit 1, as
    for an id that names none)."""


def is_named_by(text: str, checkpoint_id: str) -> bool:
    """Whether ``text`` names ``checkpoint_id``: it is the whole id, or (``MIN_PARTIAL_ID``
    characters or more) its start or its end.

    The end counts because a checkpoint id is a time-ordered UUIDv6: the ids of one thread
    share their first 8 or more characters, and the last 12 (random) characters, which the
    TUI shows, are what tells them apart.
    """
    if text == checkpoint_id:
        return True
    return len(text) >= MIN_PARTIAL_ID and (checkpoint_id.startswith(text) or checkpoint_id.endswith(text))


def choose_checkpoint(text: str, found: Iterable[str], thread_id: str, namespace: str = "") -> str | None:
    """The one id of ``found`` (ids ``text`` names, newest first; ``SHOWN_CANDIDATES`` + 1
    are enough) that ``text`` names: its whole id first; None when there is none (the source
    says so in its own words); ``AmbiguousCheckpoint`` listing a few when several."""
    matches = [c for c in found if is_named_by(text, c)]
    if text in matches:
        return text
    if len(matches) <= 1:
        return matches[0] if matches else None
    shown = ", ".join(matches[:SHOWN_CANDIDATES]) + (", ..." if len(matches) > SHOWN_CANDIDATES else "")
    where = f" namespace '{namespace}'" if namespace else ""
    raise AmbiguousCheckpoint(
        f"more than one checkpoint of thread '{thread_id}'{where} starts or ends with '{text}' ({shown}): give more of its id"
    )


def resolve_given(source: Source, thread_id: str, text: str | None, namespace: str = "") -> str | None:
    """``source.resolve_checkpoint`` of an optional checkpoint option (None stays None: the latest)."""
    return None if text is None else source.resolve_checkpoint(thread_id, text, namespace)
