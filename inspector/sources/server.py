"""A LangGraph server as a source: threads, history, state and namespaces over its HTTP API.

``ServerSource`` reads what ``langgraph dev``, the Agent Server or LangGraph Platform keeps,
through ``server_http.ServerClient`` (plain HTTP, no SDK), and turns the server's JSON into
the records every front end shows, the same as a store's:

- **Status.** The server says idle/busy/interrupted/error; ours comes from the thread's
  latest state (pending interrupts → interrupted, a failed task → error, work due →
  pending, else done), and a busy thread is pending. A breakpoint or a cancelled run with
  no interrupt is ``pending``, as it is in a store.
- **The nodes that made a checkpoint** are the tasks of its parent that finished (their
  ``result``), as the store's reader takes them from the parent's writes; a history page
  is read one row longer to know the oldest row's parent.
- **Messages** come as plain JSON without the class name our decoded values carry; they
  get it back (``{"type": "ai", …}`` → ``__type__: langchain_core.messages.ai.AIMessage``),
  so the Messages view, thinking and diffs work unchanged.
- **Errors.** The server keeps the exception's type and message, never its traceback:
  the error says so and points at the server's log.
- **Counts.** The server cannot count a thread's checkpoints without sending every one
  (each history row carries the whole state), so ``checkpoint_count`` and a history
  page's ``total`` are None unless the page reached the first checkpoint.

History is paged at 50 rows: a row is the whole state, 100 rows are megabytes.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any
from uuid import UUID

from agent_debug.inspector.errors import stored_error_fields
from agent_debug.inspector.exceptions import NotFoundError, TargetError
from agent_debug.inspector.vocabulary import SCHEMA_VERSION, ThreadStatus
from agent_debug.inspector.sources.base import SHOWN_CANDIDATES, Capability, Decoding, choose_checkpoint, is_named_by
from agent_debug.inspector.sources.checkpoints import checkpoint_time, select_path
from agent_debug.inspector.sources.server_http import ServerClient, ServerOptions

if TYPE_CHECKING:  # the records need pydantic, which the --json fast paths never import
    from agent_debug.inspector.model import CheckpointState, HistoryPage, NamespaceInfo, ThreadList, ThreadSummary

PAGE = 50
"""History rows asked for per request: each carries the whole state."""
SEARCH_PAGE = 100
"""Threads asked for per search request."""
_WORKERS = 8
"""Requests in flight at once when a listing needs each thread's state."""
NO_TRACEBACK = "the server keeps no traceback; see the server's log for it"
_UUID_LENGTH = 36
"""A server's checkpoint ids are UUIDs: a whole one is looked up at once, anything else is part of one."""

_MESSAGE_CLASSES = {
    "human": "langchain_core.messages.human.HumanMessage",
    "ai": "langchain_core.messages.ai.AIMessage",
    "system": "langchain_core.messages.system.SystemMessage",
    "tool": "langchain_core.messages.tool.ToolMessage",
    "function": "langchain_core.messages.function.FunctionMessage",
    "chat": "langchain_core.messages.chat.ChatMessage",
    "remove": "langchain_core.messages.modifier.RemoveMessage",
    "AIMessageChunk": "langchain_core.messages.ai.AIMessageChunk",
    "HumanMessageChunk": "langchain_core.messages.human.HumanMessageChunk",
    "ToolMessageChunk": "langchain_core.messages.tool.ToolMessageChunk",
    "SystemMessageChunk": "langchain_core.messages.system.SystemMessageChunk",
    "FunctionMessageChunk": "langchain_core.messages.function.FunctionMessageChunk",
    "ChatMessageChunk": "langchain_core.messages.chat.ChatMessageChunk",
}
_REPR_ERROR = re.compile(r"^([A-Za-z_][\w.]*)\((.*)\)$", re.S)


def is_message_json(value: Any) -> bool:
    """Whether ``value`` is a LangChain message as the server's JSON has it (``{"type": "ai", "content": …}``)."""
    kind = value.get("type") if isinstance(value, dict) else None
    return isinstance(kind, str) and kind in _MESSAGE_CLASSES and "content" in value


def tag_messages(value: Any) -> Any:
    """``value`` with every server JSON message given back its class name (``__type__``)."""
    if isinstance(value, list):
        return [tag_messages(v) for v in value]
    if isinstance(value, dict):
        out = {k: tag_messages(v) for k, v in value.items()}
        if "__type__" not in value and is_message_json(value):
            out = {"__type__": _MESSAGE_CLASSES[value["type"]], **out}
        return out
    return value


def error_parts(text: str) -> tuple[str, str]:
    """Type and message from the server's ``repr`` of an exception, e.g. ``ValueError('x')``."""
    found = _REPR_ERROR.match(text.strip())
    if not found:
        return "Error", text
    message = found.group(2)
    if len(message) >= 2 and message[0] == message[-1] and message[0] in "'\"":
        message = message[1:-1]
    return found.group(1).rsplit(".", 1)[-1], message


def error_info(kind: str, message: str, node: str | None, task_id: str = "", namespace: str = "") -> dict[str, Any]:
    """A server's error (``ErrorInfo``'s fields), classified as a store's is, saying where its traceback is."""
    fields = stored_error_fields(kind, message, node)
    fields["suggestion"] = f"{fields['suggestion']} ({NO_TRACEBACK})" if fields.get("suggestion") else NO_TRACEBACK
    return {"type": kind, "message": message, "node": node, "task_id": task_id, "namespace": namespace, **fields}


def _metadata_rest(metadata: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in metadata.items() if k not in ("source", "step", "parents")}


class ServerSource:
    """A LangGraph server, read through its HTTP API."""

    def __init__(self, target: str, *, options: ServerOptions | None = None, client: ServerClient | None = None) -> None:
        self.client = client or ServerClient(target, options)
        self.target = self.client.shown
        self.capabilities = frozenset(
            {Capability.THREADS, Capability.HISTORY, Capability.STATE, Capability.NAMESPACES, Capability.TAIL, Capability.DOCUMENTS}
        )
        self._assistants: dict[str, dict[str, Any]] | None = None
        self._cursors: set[tuple[str, str, str]] = set()
        """(thread, namespace, checkpoint) of every ``next_before`` handed out and every id
        resolved: known to exist."""

    # -- threads --------------------------------------------------------------------------

    def _search(self, *, limit: int | None) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            size = SEARCH_PAGE if limit is None else min(SEARCH_PAGE, limit - offset)
            if size <= 0:
                return
            page = self.client.post(
                "/threads/search",
                {
                    "limit": size,
                    "offset": offset,
                    "sort_by": "updated_at",
                    "sort_order": "desc",
                    "select": ["thread_id", "status", "updated_at", "metadata"],
                },
            )
            yield from page
            if len(page) < size:
                return
            offset += len(page)

    def threads(self, *, status: ThreadStatus | None = None, limit: int | None = None) -> ThreadList:
        """Every thread with its status, newest first (each thread's latest state read alongside)."""
        from agent_debug.inspector.model import ThreadList

        return ThreadList.model_validate(self.threads_document(status=status, limit=limit))

    def threads_document(self, *, status: ThreadStatus | None = None, limit: int | None = None) -> dict[str, Any]:
        """``ThreadList``'s fields as plain data (the ``threads --json`` document)."""
        try:
            total = self.client.post("/threads/count", {})
        except NotFoundError:  # the server's own 404 says only "Not Found"
            raise TargetError(f"{self.target}/threads/count was not found: is this a LangGraph server, and is the URL's path right?") from None
        rows = list(self._search(limit=None if status is not None else limit))
        with ThreadPoolExecutor(_WORKERS) as pool:
            summaries = list(pool.map(self._summary_of, rows))
        if status is not None:
            summaries = [s for s in summaries if s["status"] == status]
            if limit is not None:
                summaries = summaries[:limit]
        return {"schema_version": SCHEMA_VERSION, "target": self.target, "total": int(total), "threads": summaries}

    def thread(self, thread_id: str) -> ThreadSummary:
        """One thread's summary; ``NotFoundError`` for an id the server does not have."""
        from agent_debug.inspector.model import ThreadSummary

        return ThreadSummary.model_validate(self._summary_of(self._thread_row(thread_id)))

    def _known_id(self, thread_id: str) -> None:
        """A server's thread ids are UUIDs: anything else is not one of its threads."""
        try:
            UUID(thread_id)
        except (ValueError, TypeError):
            raise NotFoundError(
                f"no thread '{thread_id}' on {self.target} (its thread ids are UUIDs); list them with: agent-debug threads {self.target}"
            ) from None

    def _thread_row(self, thread_id: str) -> dict[str, Any]:
        self._known_id(thread_id)
        try:
            return self.client.get(f"/threads/{_quote(thread_id)}")
        except NotFoundError:
            raise NotFoundError(f"no thread '{thread_id}' on {self.target}; list them with: agent-debug threads {self.target}") from None

    def raw_thread(self, thread_id: str) -> dict[str, Any]:
        """The server's own thread record (status, metadata, interrupts)."""
        return self._thread_row(thread_id)

    def _summary_of(self, row: Mapping[str, Any]) -> dict[str, Any]:
        thread_id = row["thread_id"]
        # The newest two history rows are the latest state and (mostly) its parent: one request.
        rows = self._history_rows(thread_id, "", 2, None)
        state = rows[0] if rows else {}
        config = (state.get("checkpoint") or {}) if state else {}
        checkpoint_id = config.get("checkpoint_id") or ""
        interrupts, errors = self._pending(state, thread_id, "")
        status = _status(row.get("status"), state, interrupts, errors)
        metadata = state.get("metadata") or {}
        parent = state.get("parent_checkpoint") or {}
        last_node = None
        if parent.get("checkpoint_id") and metadata.get("source") == "loop":
            if len(rows) > 1 and rows[1].get("checkpoint_id") == parent["checkpoint_id"]:
                last_node = ", ".join(_finished(rows[1])) or None
            else:
                last_node = ", ".join(self._ran_before(thread_id, "", parent["checkpoint_id"])) or None
        return {
            "thread_id": thread_id,
            "status": status,
            "checkpoint_id": checkpoint_id,
            "checkpoint_count": None if checkpoint_id else 0,
            "last_step": _int(metadata.get("step")),
            "last_node": last_node,
            "last_source": _text(metadata.get("source")),
            "updated_at": checkpoint_time(checkpoint_id) if checkpoint_id else None,
            "next": list(state.get("next") or []),
            "interrupts": interrupts,
            "errors": errors,
            "read_error": None,
        }

    def _ran_before(self, thread_id: str, namespace: str, parent_id: str) -> list[str]:
        """The nodes that ran from ``parent_id`` (its finished tasks)."""
        parent = self._raw_state(thread_id, parent_id, namespace)
        return _finished(parent)

    # -- raw reads ---------------------------------------------------------------------------

    def _raw_state(self, thread_id: str, checkpoint_id: str | None = None, namespace: str = "") -> dict[str, Any]:
        self._known_id(thread_id)
        if not checkpoint_id and not namespace:
            try:
                return self.client.get(f"/threads/{_quote(thread_id)}/state") or {}
            except NotFoundError:
                self._thread_row(thread_id)  # our line for an unknown thread
                raise
        if not checkpoint_id:
            rows = self._history_rows(thread_id, namespace, 1, None)
            if not rows:
                raise NotFoundError(f"no checkpoints in namespace '{namespace}' of thread '{thread_id}'")
            return rows[0]
        try:
            raw = self.client.post(
                f"/threads/{_quote(thread_id)}/state/checkpoint",
                {"checkpoint": {"checkpoint_id": checkpoint_id, "checkpoint_ns": namespace}},
            ) or {}
        except NotFoundError:
            raw = {}
        # The server answers an unknown checkpoint id with an empty state under that id
        # (no metadata, no time): that is "not found", or an update there makes a stray checkpoint.
        if not raw or (raw.get("metadata") is None and raw.get("created_at") is None):
            self._thread_row(thread_id)
            where = f" namespace '{namespace}'" if namespace else ""
            raise NotFoundError(f"no checkpoint '{checkpoint_id}' in thread '{thread_id}'{where}")
        return raw

    def _history_rows(self, thread_id: str, namespace: str, limit: int, before: str | None) -> list[dict[str, Any]]:
        self._known_id(thread_id)
        body: dict[str, Any] = {"limit": limit}
        if namespace:
            body["checkpoint"] = {"checkpoint_ns": namespace}
        if before:
            # The server takes only this form for `before`.
            body["before"] = {"configurable": {"checkpoint_id": before}}
        try:
            return self.client.post(f"/threads/{_quote(thread_id)}/history", body) or []
        except NotFoundError:
            self._thread_row(thread_id)
            raise

    def _pending(self, state: Mapping[str, Any], thread_id: str, namespace: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """The interrupts and errors pending at a state (``InterruptInfo``/``ErrorInfo`` fields)."""
        interrupts: list[dict[str, Any]] = []
        errors: list[dict[str, Any]] = []
        for task in state.get("tasks") or []:
            for item in task.get("interrupts") or []:
                interrupts.append(
                    {
                        "id": item.get("id"),
                        "value": tag_messages(item.get("value")),
                        "node": task.get("name"),
                        "task_id": task.get("id") or "",
                        "namespace": namespace,
                        "response_schema": item.get("response_schema"),
                    }
                )
            if task.get("error"):
                kind, message = error_parts(str(task["error"]))
                errors.append(error_info(kind, message, task.get("name"), task.get("id") or "", namespace))
        return interrupts, errors

    # -- history --------------------------------------------------------------------------------

    def history(self, thread_id: str, *, namespace: str = "", limit: int | None = 50, before: str | None = None) -> HistoryPage:
        """A page of checkpoints, newest first; ``limit=None`` reads them all (in pages of ``PAGE``)."""
        from agent_debug.inspector.model import HistoryPage

        return HistoryPage.model_validate(self.history_document(thread_id, namespace=namespace, limit=limit, before=before))

    def history_document(self, thread_id: str, *, namespace: str = "", limit: int | None = 50, before: str | None = None) -> dict[str, Any]:
        """``HistoryPage``'s fields as plain data (the ``history --json`` document).

        Each row is the whole state: only what the summaries need is kept of a page (the
        ids, the metadata, the names of the tasks that finished), never the values."""
        known = before is None or (thread_id, namespace, before) in self._cursors
        if not known and not self.has_checkpoint(thread_id, namespace, before):
            # The server compares ids as text: an unknown one is no error there (a typo
            # after "1f" would give the whole history), as it is in a store.
            self._thread_row(thread_id)
            raise NotFoundError(f"no checkpoint '{before}' in thread '{thread_id}'" + (f" namespace '{namespace}'" if namespace else ""))
        kept: list[tuple[str, str | None, dict[str, Any]]] = []
        finished: dict[str, list[str]] = {}
        cursor = before
        more = False
        while True:
            want = PAGE if limit is None else min(PAGE, limit - len(kept))
            page = self._history_rows(thread_id, namespace, want + 1, cursor)
            for row in page:  # the extra row too: it is the parent of the page's oldest
                finished[row["checkpoint_id"]] = _finished(row)
            for row in page[:want]:
                parent_id = row.get("parent_checkpoint_id") or (row.get("parent_checkpoint") or {}).get("checkpoint_id")
                kept.append((row["checkpoint_id"], parent_id, row.get("metadata") or {}))
            more = len(page) > want
            if not more or (limit is not None and len(kept) >= limit):
                break
            cursor = kept[-1][0]
        if not kept and before is None:
            self._thread_row(thread_id)
            if namespace:  # every namespace a thread has holds a checkpoint
                raise NotFoundError(f"thread '{thread_id}' has no namespace '{namespace}'")
        items = []
        for checkpoint_id, parent_id, metadata in kept:
            nodes: list[str] = []
            if metadata.get("source") == "loop" and parent_id:
                if parent_id not in finished:  # a branch's parent beyond the rows read
                    finished[parent_id] = self._ran_before(thread_id, namespace, parent_id)
                nodes = finished[parent_id]
            items.append(
                {
                    "checkpoint_id": checkpoint_id,
                    "parent_id": parent_id,
                    "step": _int(metadata.get("step")),
                    "source": _text(metadata.get("source")),
                    "nodes": nodes,
                    "created_at": checkpoint_time(checkpoint_id),
                    "metadata": _metadata_rest(metadata),
                }
            )
        next_before = kept[-1][0] if more and kept else None
        if next_before is not None:
            self._cursors.add((thread_id, namespace, next_before))  # the next page needs no check
        return {
            "schema_version": SCHEMA_VERSION,
            "thread_id": thread_id,
            "namespace": namespace,
            "total": len(kept) if (before is None and not more) else None,
            "checkpoints": items,
            "next_before": next_before,
        }

    def has_checkpoint(self, thread_id: str, namespace: str, checkpoint_id: str) -> bool:
        """Whether the thread has that checkpoint in that namespace."""
        try:
            state = self._raw_state(thread_id, checkpoint_id, namespace)
        except NotFoundError:
            return False
        found = (state.get("checkpoint") or {})
        return found.get("checkpoint_id") == checkpoint_id and (found.get("checkpoint_ns") or "") == namespace

    def resolve_checkpoint(self, thread_id: str, text: str, namespace: str = "") -> str:
        """The full id of the checkpoint ``text`` names (``base.is_named_by``). A whole id is
        one request; part of one pages the thread's history (the server has no search by
        id), stopping once enough ids match to call it ambiguous."""
        chosen: str | None
        if len(text) == _UUID_LENGTH:
            chosen = text if self.has_checkpoint(thread_id, namespace, text) else None
        else:
            chosen = choose_checkpoint(text, self._ids_named_by(thread_id, namespace, text), thread_id, namespace)
        if chosen is None:
            self._thread_row(thread_id)  # an unknown thread is the clearer error
            where = f" namespace '{namespace}'" if namespace else ""
            raise NotFoundError(
                f"no checkpoint '{text}' in thread '{thread_id}'{where}; list them with: agent-debug history {self.target} --thread {thread_id}"
            )
        self._cursors.add((thread_id, namespace, chosen))
        return chosen

    def _ids_named_by(self, thread_id: str, namespace: str, text: str) -> list[str]:
        """Ids of the thread's checkpoints that ``text`` names, newest first, at most
        ``SHOWN_CANDIDATES`` + 1."""
        found: list[str] = []
        before = None
        while len(found) <= SHOWN_CANDIDATES:
            page = self._history_rows(thread_id, namespace, PAGE, before)
            found += [row["checkpoint_id"] for row in page if is_named_by(text, row["checkpoint_id"])]
            if len(page) < PAGE:
                break
            before = page[-1]["checkpoint_id"]
        return found

    # -- state ------------------------------------------------------------------------------------

    def state(
        self,
        thread_id: str,
        *,
        checkpoint_id: str | None = None,
        namespace: str = "",
        decode: Decoding = "safe",
        path: str | None = None,
    ) -> CheckpointState:
        """The values of one checkpoint (the latest by default), as the server's JSON has them."""
        from agent_debug.inspector.messages import find_messages
        from agent_debug.inspector.model import CheckpointState, PendingWrite

        raw = self._raw_state(thread_id, checkpoint_id, namespace)
        found = raw.get("checkpoint") or {}
        if checkpoint_id and found.get("checkpoint_id") != checkpoint_id:
            raise NotFoundError(f"no checkpoint '{checkpoint_id}' in thread '{thread_id}'" + (f" namespace '{namespace}'" if namespace else ""))
        if not found.get("checkpoint_id"):
            self._thread_row(thread_id)
            raise NotFoundError(f"thread '{thread_id}' has no checkpoints yet")
        values = tag_messages(raw.get("values"))
        if values is None:
            values = {}
        metadata = raw.get("metadata") or {}
        interrupts, errors = self._pending(raw, thread_id, namespace)
        shown = select_path(values, path) if path else values
        writes = [
            PendingWrite(task_id=task.get("id") or "", node=task.get("name"), channel=channel, value=tag_messages(value))
            for task in raw.get("tasks") or []
            if isinstance(task.get("result"), dict)
            for channel, value in task["result"].items()
        ]
        return CheckpointState(
            thread_id=thread_id,
            namespace=namespace,
            checkpoint_id=found["checkpoint_id"],
            parent_id=raw.get("parent_checkpoint_id") or (raw.get("parent_checkpoint") or {}).get("checkpoint_id"),
            step=_int(metadata.get("step")),
            source=_text(metadata.get("source")),
            created_at=checkpoint_time(found["checkpoint_id"]),
            decoded="safe",
            values=shown,
            path=path,
            next=list(raw.get("next") or []),
            messages=find_messages(values),
            interrupts=interrupts,
            errors=errors,
            pending_writes=writes,
            metadata=_metadata_rest(metadata),
        )

    # -- namespaces --------------------------------------------------------------------------------

    def namespaces(self, thread_id: str) -> list[NamespaceInfo]:
        """The root namespace and every subgraph namespace its tasks ran in (and theirs)."""
        from agent_debug.inspector.model import NamespaceInfo

        found: dict[str, NamespaceInfo] = {}
        todo = [""]
        while todo:
            ns = todo.pop(0)
            rows = self._all_rows(thread_id, ns)
            if not rows:
                continue
            found[ns] = NamespaceInfo(namespace=ns, checkpoint_count=len(rows), latest_checkpoint_id=rows[0]["checkpoint_id"])
            for row in rows:
                for task in row.get("tasks") or []:
                    child = (task.get("checkpoint") or {}).get("checkpoint_ns")
                    if child and child not in found and child not in todo:
                        todo.append(child)
        if "" not in found:
            self._thread_row(thread_id)
        return list(found.values())

    def _all_rows(self, thread_id: str, namespace: str) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = []
        before = None
        while True:
            page = self._history_rows(thread_id, namespace, PAGE, before)
            rows.extend(page)
            if len(page) < PAGE:
                return rows
            before = page[-1]["checkpoint_id"]

    # -- change detection ---------------------------------------------------------------------------

    def change_token(self) -> Hashable:
        """The newest update time and the thread count: moves when any thread gets a checkpoint."""
        page = self.client.post(
            "/threads/search", {"limit": 1, "sort_by": "updated_at", "sort_order": "desc", "select": ["thread_id", "updated_at", "status"]}
        )
        count = self.client.post("/threads/count", {})
        head = page[0] if page else {}
        return (count, head.get("thread_id"), head.get("updated_at"), head.get("status"))

    # -- assistants and graphs ------------------------------------------------------------------------

    def assistants(self) -> dict[str, dict[str, Any]]:
        """The server's assistants by id (each with its ``graph_id``)."""
        if self._assistants is None:
            rows: list[dict[str, Any]] = []
            offset = 0
            while True:
                page = self.client.post("/assistants/search", {"limit": 100, "offset": offset})
                rows.extend(page)
                if len(page) < 100:
                    break
                offset += len(page)
            self._assistants = {r["assistant_id"]: r for r in rows}
        return self._assistants

    def assistant_of(self, thread_id: str | None = None, name: str | None = None) -> dict[str, Any]:
        """The assistant a thread ran (from its metadata), or the one named (id or graph id)."""
        assistants = self.assistants()
        if name is not None:
            if name in assistants:
                return assistants[name]
            by_graph = [a for a in assistants.values() if a.get("graph_id") == name or a.get("name") == name]
            if by_graph:
                # The one the server made for the graph (created_by system) before copies.
                by_graph.sort(key=lambda a: (a.get("metadata", {}).get("created_by") != "system", a.get("created_at") or ""))
                return by_graph[0]
            known = ", ".join(sorted({a.get("graph_id") for a in assistants.values() if a.get("graph_id")}))
            raise NotFoundError(f"no assistant or graph '{name}' on {self.target}; it serves: {known}")
        assert thread_id is not None
        metadata = self._thread_row(thread_id).get("metadata") or {}
        aid = metadata.get("assistant_id")
        if isinstance(aid, str) and aid in assistants:
            return assistants[aid]
        graph_id = metadata.get("graph_id")
        if isinstance(graph_id, str):
            return self.assistant_of(name=graph_id)
        raise NotFoundError(f"thread '{thread_id}' names no assistant or graph in its metadata; give one with --assistant")

    def graph_json(self, assistant_id: str, *, xray: bool | int = True) -> dict[str, Any]:
        """The assistant's drawable graph (nodes and edges), subgraphs included with ``xray``."""
        return self.client.get(f"/assistants/{_quote(assistant_id)}/graph", {"xray": str(xray).lower() if isinstance(xray, bool) else xray})

    def close(self) -> None:
        """Close the connections."""
        self.client.close()

    def __enter__(self) -> ServerSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _finished(state: Mapping[str, Any]) -> list[str]:
    """Names of the tasks at a checkpoint that finished (wrote), in task order."""
    names: list[str] = []
    for task in state.get("tasks") or []:
        # A task that was interrupted and then resumed has both its interrupts and a result.
        if task.get("result") is not None and not task.get("error"):
            name = task.get("name")
            if isinstance(name, str) and name not in names:
                names.append(name)
    return names


def _int(value: Any) -> int | None:
    return value if type(value) is int else None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _status(server: Any, state: Mapping[str, Any], interrupts: Iterable[Any], errors: Iterable[Any]) -> ThreadStatus:
    if server == "busy":
        return ThreadStatus.PENDING
    if list(interrupts):
        return ThreadStatus.INTERRUPTED
    if list(errors) or server == "error":
        return ThreadStatus.ERROR
    if state.get("next"):
        return ThreadStatus.PENDING
    return ThreadStatus.DONE


def _quote(part: str) -> str:
    from urllib.parse import quote

    return quote(part, safe="")

