"""A store opened to act on with the user's graphs: it reads like the store and can run.

This is the source a debug session acts through. It declares ``CONTROL`` (run, step,
resume, replay, fork) and ``EVENTS`` (the typed events of the runs it makes) on top of
what the store's reader can do, and hands the session the graphs (one or several: each
thread runs its own, ``graph_binding``) and the store's writer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Hashable

from agent_debug.inspector.sources.base import Capability, Decoding

if TYPE_CHECKING:
    from agent_debug.inspector.acting_store import Store
    from agent_debug.inspector.model import CheckpointState, HistoryPage, NamespaceInfo, ThreadList, ThreadSummary
    from agent_debug.inspector.vocabulary import ThreadStatus


class LocalSource:
    """The user's graphs over a store opened to act on (``acting_store.Store``)."""

    def __init__(self, store: Store, graph: Any) -> None:
        """``graph``: the user's compiled graph, or a ``GraphBinding`` of several."""
        from agent_debug.inspector.graph_binding import GraphBinding

        self.store = store
        self.graphs = GraphBinding.of(graph)
        """The user's compiled graphs, as their modules made them (never changed here)."""
        self.reading = store.source
        self.target = store.source.target
        self.capabilities = frozenset(store.source.capabilities | {Capability.CONTROL, Capability.EVENTS})

    @property
    def checkpointer(self) -> Any:
        """LangGraph's checkpointer writing to the store (appends only)."""
        return self.store.checkpointer

    def threads(self, *, status: ThreadStatus | None = None, limit: int | None = None) -> ThreadList:
        """Every thread with its status, newest first."""
        return self.reading.threads(status=status, limit=limit)

    def thread(self, thread_id: str) -> ThreadSummary:
        """One thread's summary."""
        return self.reading.thread(thread_id)

    def history(self, thread_id: str, *, namespace: str = "", limit: int | None = 50, before: str | None = None) -> HistoryPage:
        """A page of the thread's checkpoints, newest first."""
        return self.reading.history(thread_id, namespace=namespace, limit=limit, before=before)

    def state(
        self,
        thread_id: str,
        *,
        checkpoint_id: str | None = None,
        namespace: str = "",
        decode: Decoding = "safe",
        path: str | None = None,
    ) -> CheckpointState:
        """The values of one checkpoint and what is pending at it."""
        return self.reading.state(thread_id, checkpoint_id=checkpoint_id, namespace=namespace, decode=decode, path=path)

    def has_checkpoint(self, thread_id: str, namespace: str, checkpoint_id: str) -> bool:
        """Whether the thread has that checkpoint in that namespace."""
        return self.reading.has_checkpoint(thread_id, namespace, checkpoint_id)

    def resolve_checkpoint(self, thread_id: str, text: str, namespace: str = "") -> str:
        """The full id of the checkpoint ``text`` names (the whole id, or a unique start or end)."""
        return self.reading.resolve_checkpoint(thread_id, text, namespace)

    def namespaces(self, thread_id: str) -> list[NamespaceInfo]:
        """The thread's checkpoint namespaces, root first."""
        return self.reading.namespaces(thread_id)

    def change_token(self) -> Hashable:
        """Changes whenever a checkpoint or write is added (by us or anyone)."""
        return self.reading.change_token()

    def __getattr__(self, name: str) -> Any:
        # The store's optional extras (threads_document, history_document, events) as it has them.
        if name in ("threads_document", "history_document", "events"):
            return getattr(self.reading, name)
        raise AttributeError(name)

    def close(self) -> None:
        """Close the reader, then the writer."""
        self.store.close()

    def __enter__(self) -> LocalSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
