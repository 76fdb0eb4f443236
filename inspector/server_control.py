"""Acting on a LangGraph server: the runs, resumes, replays, forks and cancels a session sends.

The server runs the thread's own assistant, so there is no graph to bind: a run is
``POST /threads/{id}/runs/stream`` (its events go to the session's sink as they come),
a fork is ``POST /threads/{id}/state``, a cancel is ``POST …/runs/{run}/cancel``.
Breakpoints are a run's ``interrupt_before``/``interrupt_after``; the server passes them
to the root graph only, so a breakpoint inside a subgraph is refused rather than ignored.

The server accepts, without a word, a resume of a thread that waits at nothing, an
unknown interrupt id, and an update at a checkpoint the thread does not have (it then
makes a stray checkpoint). The session checks all of those first (the same checks as on
a store); this module adds the server's own: the thread must not be running already.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

from agent_debug.inspector.exceptions import ControlError, InspectorError, UsageError
from agent_debug.inspector.model import ErrorInfo
from agent_debug.inspector.runner import RunResult
from agent_debug.inspector.sources.server import ServerSource, _quote, error_info

STREAM_MODES = ("updates", "messages-tuple", "custom", "tasks", "checkpoints")
"""What our own runs stream: enough for phases, tokens, thinking, custom events and checkpoints."""



class ServerControl:
    """Runs on a server for one session; ``cancel()`` may be called from another thread."""

    def __init__(self, source: ServerSource, *, assistant: str | None = None) -> None:
        self.source = source
        self.client = source.client
        self.assistant = assistant
        """The assistant (id or graph id) to run; by default each thread's own."""
        self._current: tuple[str, str] | None = None
        self._cancel_asked = threading.Event()
        self._graphs: dict[str, set[str]] = {}
        self._keys: dict[str, set[str]] = {}

    # -- the graph a thread runs -------------------------------------------------------------

    def assistant_for(self, thread_id: str | None) -> dict[str, Any]:
        """The assistant a thread runs: ``--assistant`` when given, else the thread's own."""
        if self.assistant is not None:
            return self.source.assistant_of(name=self.assistant)
        if thread_id is not None:
            try:
                return self.source.assistant_of(thread_id=thread_id)
            except InspectorError:
                pass
        served = list(self.source.assistants().values())
        graphs = {a.get("graph_id") for a in served}
        if len(graphs) == 1:
            return served[0]
        raise UsageError(f"which graph? {self.source.target} serves {', '.join(sorted(g for g in graphs if g))}: give --assistant ID")

    def root_nodes(self, thread_id: str | None = None) -> set[str]:
        """The nodes of the thread's assistant graph a breakpoint can name (root nodes only)."""
        return self._nodes_of(self.assistant_for(thread_id)["assistant_id"])

    def all_root_nodes(self) -> set[str]:
        """The root nodes of every graph the session may run (``--assistant``'s, else all served)."""
        if self.assistant is not None:
            return self.root_nodes()
        names: set[str] = set()
        for graph_id in {a.get("graph_id") for a in self.source.assistants().values() if a.get("graph_id")}:
            aid = self.source.assistant_of(name=graph_id)["assistant_id"]
            names |= self._nodes_of(aid)
        return names

    def _nodes_of(self, aid: str) -> set[str]:
        if aid not in self._graphs:
            drawn = self.source.graph_json(aid, xray=False)
            self._graphs[aid] = {n["id"] for n in drawn.get("nodes", []) if n.get("id") not in ("__start__", "__end__")}
        return self._graphs[aid]

    def check_update_keys(self, thread_id: str, update: dict[str, Any]) -> None:
        """Refuse an update naming a key the assistant's state does not have (the server
        would drop it and still write a checkpoint)."""
        aid = self.assistant_for(thread_id)["assistant_id"]
        if aid not in self._keys:
            schemas = self.client.get(f"/assistants/{_quote(aid)}/schemas") or {}
            props = ((schemas.get("state_schema") or {}).get("properties")) or {}
            self._keys[aid] = set(props)
        keys = self._keys[aid]
        unknown = [k for k in update if keys and k not in keys]
        if unknown:
            names = ", ".join(repr(k) for k in unknown)
            raise UsageError(f"no state key {names} in the graph; its keys: {', '.join(sorted(keys))}; nothing was written")

    def check_idle(self, thread_id: str) -> None:
        """Refuse acting on a thread the server is running now."""
        row = self.source.raw_thread(thread_id)
        if row.get("status") == "busy":
            running = self.client.get(f"/threads/{_quote(thread_id)}/runs", {"status": "running", "limit": 1}) or []
            which = f" (run {running[0]['run_id']})" if running else ""
            raise ControlError(f"thread '{thread_id}' is running on the server{which}: wait for it or cancel it; nothing was sent")

    # -- running --------------------------------------------------------------------------------

    def run(
        self,
        thread_id: str,
        *,
        input: Any = None,
        command: dict[str, Any] | None = None,
        checkpoint_id: str | None = None,
        interrupt_before: Sequence[str] | str | None = None,
        interrupt_after: Sequence[str] | str | None = None,
        extractor: Any = None,
        create: bool = False,
        head: str | None = None,
    ) -> RunResult:
        """One run on the server, streamed to its end; the root checkpoints it appended.

        ``extractor`` (an ``EventExtractor``) gets the run's stream as LangGraph parts
        (``server_events.ServerParts``), so its events are those of a local run."""
        assistant = self.assistant_for(None if create else thread_id)
        before = head  # the thread's latest checkpoint before the run (None: a new thread)
        body: dict[str, Any] = {
            "assistant_id": assistant["assistant_id"],
            "input": input,
            "stream_mode": list(STREAM_MODES),
            "stream_subgraphs": True,
            "multitask_strategy": "reject",
        }
        if create:
            body["if_not_exists"] = "create"
        if command is not None:
            body["command"] = command
            body.pop("input")
        if checkpoint_id:
            body["checkpoint_id"] = checkpoint_id
        if interrupt_before:
            body["interrupt_before"] = interrupt_before
        if interrupt_after:
            body["interrupt_after"] = interrupt_after
        error: ErrorInfo | None = None
        failure: BaseException | None = None
        run_id: str | None = None
        cancelled = False
        parts = None
        if extractor is not None:
            from agent_debug.inspector.sources.server_events import ServerParts

            parts = ServerParts()
            extractor.start_run(graph=assistant.get("graph_id"), input=input if command is None else command, existing_checkpoints={before} if before else ())
        try:
            for event, data in self.client.stream("POST", f"/threads/{_quote(thread_id)}/runs/stream", body):
                if event == "metadata" and isinstance(data, dict) and run_id is None:
                    run_id = data.get("run_id")
                    self._current = (thread_id, run_id) if run_id else None
                    if self._cancel_asked.is_set() and run_id:
                        self._send_cancel(thread_id, run_id)
                        cancelled = True
                elif event == "error":
                    error = _error_of(data)
                    if parts is not None:
                        failure = parts.error(data)
                if parts is not None:
                    for ns, mode, chunk in parts.parts(event, data):
                        extractor.on_stream_part(mode, ns, chunk)
        finally:
            self._current = None
            paused = self._cancel_asked.is_set() or cancelled
            self._cancel_asked.clear()
            if extractor is not None:
                extractor.finish_run(None if paused else failure, status="paused" if paused else None)
        if error is not None and paused:
            error = None  # a cancel we asked for ends the stream with an error event
        return RunResult(new_checkpoints=self._appended(thread_id, before), error=error, traceback=None, paused=paused)

    def cancel(self) -> bool:
        """Cancel the run this session is streaming (at once, keeping what it wrote); whether
        one was running. Asked before the run has an id, the cancel waits for it."""
        current = self._current
        self._cancel_asked.set()
        if current is None:
            return False
        self._send_cancel(*current)
        return True

    def cancel_thread(self, thread_id: str) -> list[str]:
        """Cancel every running or pending run of a thread (whoever started it); their ids."""
        runs = self.client.get(f"/threads/{_quote(thread_id)}/runs", {"limit": 100}) or []
        live = [r["run_id"] for r in runs if r.get("status") in ("pending", "running")]
        for run_id in live:
            self._send_cancel(thread_id, run_id)
        return live

    def _send_cancel(self, thread_id: str, run_id: str) -> None:
        self.client.post(f"/threads/{_quote(thread_id)}/runs/{_quote(run_id)}/cancel", params={"action": "interrupt", "wait": "false"})

    # -- state updates --------------------------------------------------------------------------

    def update_state(self, thread_id: str, checkpoint_id: str, update: dict[str, Any], as_node: str | None) -> str:
        """Apply ``update`` at a checkpoint (a fork); the id of the checkpoint written."""
        body: dict[str, Any] = {"values": update, "checkpoint_id": checkpoint_id}
        if as_node:
            body["as_node"] = as_node
        try:
            written = self.client.post(f"/threads/{_quote(thread_id)}/state", body) or {}
        except InspectorError as exc:
            raise ControlError(f"the server refused the update: {exc.message}") from None
        new = ((written.get("checkpoint") or {}).get("checkpoint_id")) or (written.get("configurable") or {}).get("checkpoint_id")
        if not new:
            raise ControlError("the server wrote the update but did not say which checkpoint it made")
        return new

    # -- what a run appended ---------------------------------------------------------------------

    def _appended(self, thread_id: str, head: str | None) -> list[str]:
        """Root checkpoints written after ``head`` (ids are time-ordered), oldest first."""
        new: list[str] = []
        before = None
        while True:
            page = self.source.history(thread_id, limit=20, before=before)
            for row in page.checkpoints:
                if head and row.checkpoint_id <= head:
                    return list(reversed(new))
                new.append(row.checkpoint_id)
            if page.next_before is None:
                return list(reversed(new))
            before = page.next_before


def _error_of(data: Any) -> ErrorInfo:
    kind = str(data.get("error") or "Error") if isinstance(data, dict) else "Error"
    message = str(data.get("message") or "") if isinstance(data, dict) else str(data)
    return ErrorInfo(**error_info(kind, message, None))
