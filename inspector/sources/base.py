"""The one protocol every source implements, and the capabilities it declares.

The UI and CLI ask a source what it can do (``Capability``) instead of checking its
class, so a checkpoint store, a local graph, a server or a recording plug in alike.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Hashable, Literal, Protocol, runtime_checkable

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

    def namespaces(self, thread_id: str) -> list[NamespaceInfo]:
        """The thread's checkpoint namespaces, root first."""
        ...

    def change_token(self) -> Hashable:
        """A cheap value that changes whenever a checkpoint or write is added."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
