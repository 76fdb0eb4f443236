"""Following a run on a LangGraph server: its server-sent events as our typed events.

A run on a server streams what it was created with (``stream_mode``) to whoever joins it
(``GET /threads/{tid}/runs/{rid}/stream``), from the moment they join: nothing of what
went before is sent again (a resumable run replays after a ``Last-Event-ID``; the
in-memory server's event ids are not unique, so events are never told apart by id).
``RunFollower`` joins one run in a thread of its own and hands what it streams to the
same ``EventExtractor`` a local run feeds, so tokens, thinking, usage, phases, custom
events, checkpoints and errors come out as they do for a local run:

- **Events to stream parts.** ``ServerParts`` turns each SSE event (``tasks``,
  ``messages`` (messages-tuple), ``messages/partial|complete|metadata``, ``custom``,
  ``updates``, ``checkpoints``, ``debug``; ``MODE|ns`` inside a subgraph) into the
  ``(namespace, mode, chunk)`` parts of ``graph.stream``: message JSON becomes LangChain
  messages again, a task's error ``{"error": TYPE, "message": ...}`` an exception of that
  name (the server keeps no traceback), and the accumulated messages of ``messages``
  mode the chunks they grew by.
- **What the run does not stream is said once**, as a warning in the events (e.g. "run R
  was started without stream mode messages: tokens are not shown; following its state").
  A run that streams no checkpoints has its thread's state polled instead, so its new
  checkpoints still arrive as events.
- **Stopping** shuts the stream's socket: a run that is silent for an hour does not keep
  the thread (or the app's exit) waiting.
"""

from __future__ import annotations

import builtins
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import orjson

from agent_debug.inspector.events import EventExtractor
from agent_debug.inspector.exceptions import InspectorError
from agent_debug.inspector.messages import split_content
from agent_debug.inspector.sources.server import NO_TRACEBACK, error_parts, is_message_json
from agent_debug.inspector.sources.server_http import EventStream, ServerClient

WANTED_MODES: tuple[str, ...] = ("tasks", "messages-tuple", "custom", "updates", "checkpoints")
"""The stream modes to start a run with for every event to be shown (``messages-tuple``:
the ``messages`` mode of ``graph.stream``)."""
POLL_S = 0.5
"""Seconds between two readings of the thread's state, for a run that streams no checkpoints."""
REJOINS = 3
"""Times a dropped stream of a run still going is joined again."""
NOTICE_LOGGER = "agent-debug"
"""The logger name of the lines the follower adds to the events (joined, dropped, missing modes)."""

# What a run started without a mode does not show (the modes that give the same, in the run's terms).
_SHOWN_BY: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("messages", ("messages", "messages-tuple"), "tokens"),
    ("tasks", ("tasks", "debug"), "phases"),
    ("custom", ("custom",), "custom events"),
)
_ACTIVE = ("pending", "running")


def joinable(source: Any) -> bool:
    """Whether ``source`` is a server whose runs can be joined."""
    return isinstance(getattr(source, "client", None), ServerClient)


def running_run(source: Any, thread_id: str) -> dict[str, Any] | None:
    """The run ``thread_id`` is running on the server (else the next one due), or None."""
    path = f"/threads/{quote(thread_id, safe='')}/runs"
    running = source.client.get(path, {"status": "running", "limit": 1})
    if running:
        return dict(running[0])
    pending = source.client.get(path, {"status": "pending", "limit": 20}) or []
    # Newest first: the one the server takes next is the oldest.
    return dict(min(pending, key=lambda r: r.get("created_at") or "")) if pending else None


def run_modes(run: Mapping[str, Any]) -> list[str]:
    """The stream modes ``run`` was created with."""
    modes = (run.get("kwargs") or {}).get("stream_mode")
    if isinstance(modes, str):
        return [modes]
    return [str(m) for m in modes or () if m]


def missing_notice(run_id: str, modes: Sequence[str]) -> str | None:
    """The line saying what a run started with ``modes`` cannot show; None if it shows everything."""
    missing = [(mode, lost) for mode, given_by, lost in _SHOWN_BY if not set(given_by) & set(modes)]
    if not missing:
        return None
    names = ", ".join(mode for mode, _ in missing)
    lost = [what for _, what in missing]
    shown = lost[0] if len(lost) == 1 else ", ".join(lost[:-1]) + " and " + lost[-1]
    plural = "s" if len(missing) > 1 else ""
    return f"run {run_id} was started without stream mode{plural} {names}: {shown} are not shown; following its state"


# -- server JSON back to what graph.stream yields ---------------------------------------------------


def to_message(value: Mapping[str, Any]) -> Any:
    """A LangChain message from the server's JSON of one (``{"type": "ai", "content": ...}``)."""
    from langchain_core.messages import messages_from_dict

    return messages_from_dict([{"type": value["type"], "data": dict(value)}])[0]


def with_messages(value: Any) -> Any:
    """``value`` with every message JSON in it made a LangChain message (as a node wrote it)."""
    if isinstance(value, list):
        return [with_messages(v) for v in value]
    if isinstance(value, dict):
        if is_message_json(value):
            try:
                return to_message(value)
            except (TypeError, ValueError, KeyError):  # a dict that only looks like one
                pass
        return {k: with_messages(v) for k, v in value.items()}
    return value


def server_exception(kind: str, message: str) -> BaseException:
    """An exception named as the server reported it, for the error rules to read by name.

    A built-in name gives a class of the built-in's family (``TimeoutError`` is an
    ``OSError``), any other name a class of that name; ``str()`` is the server's message
    as it was sent, and a note says that the traceback is in the server's log."""
    found = getattr(builtins, kind, None)
    base = found if isinstance(found, type) and issubclass(found, Exception) else Exception
    body = {"__module__": "builtins", "__str__": _message_of}
    try:
        exc: BaseException = type(kind, (base,), body)(message)
    except TypeError:  # a built-in that takes more than a message (UnicodeDecodeError)
        exc = type(kind, (Exception,), body)(message)
    exc.add_note(NO_TRACEBACK)
    return exc


def _message_of(exc: BaseException) -> str:
    return str(exc.args[0]) if exc.args else ""


class ServerParts:
    """Turns a run's server-sent events into the parts of ``graph.stream(..., subgraphs=True)``.

    ``parts(event, data)`` gives ``(namespace, mode, chunk)`` parts for ``EventExtractor.feed``
    (none for events with nothing to show: ``values``, ``metadata``, ``end``...). The same
    error (type and message) is the same exception object, so the run's error is not
    reported twice after its task's. One per run."""

    def __init__(self) -> None:
        self._errors: dict[tuple[str, str], BaseException] = {}
        self._metadata: dict[str, dict[str, Any]] = {}  # messages mode: each message's metadata
        self._grown: dict[str, tuple[str, dict[str, str], dict[str, int]]] = {}  # what was passed on of each

    def error(self, value: Any) -> BaseException:
        """The exception of a server's error (``{"error": TYPE, "message": ...}`` or its repr)."""
        if isinstance(value, Mapping):
            kind, message = str(value.get("error") or "Error"), str(value.get("message") or "")
        else:
            kind, message = error_parts(str(value))
        key = (kind, message)
        if key not in self._errors:
            self._errors[key] = server_exception(kind, message)
        return self._errors[key]

    def parts(self, event: str, data: Any) -> list[tuple[str, str, Any]]:
        """The stream parts of one server-sent event."""
        mode, _, ns = event.partition("|")
        if mode == "messages":  # messages-tuple: [message, metadata]
            if isinstance(data, list) and len(data) == 2 and isinstance(data[0], Mapping):
                return [(ns, "messages", (with_messages(data[0]), data[1] or {}))]
            return []
        if mode == "messages/metadata" and isinstance(data, Mapping):
            for message_id, entry in data.items():
                self._metadata[str(message_id)] = dict((entry or {}).get("metadata") or {})
            return []
        if mode in ("messages/partial", "messages/complete") and isinstance(data, list):
            out = []
            for item in data:
                if isinstance(item, Mapping) and "content" in item:
                    message = self._grown_by(item) if mode == "messages/partial" else with_messages(item)
                    if message is not None:
                        out.append((ns, "messages", (message, self._metadata.get(str(item.get("id")), {}))))
            return out
        if mode == "tasks" and isinstance(data, Mapping):
            return [(ns, "tasks", self._task(data))]
        if mode == "debug" and isinstance(data, Mapping):
            payload = data.get("payload")
            if data.get("type") in ("task", "task_result") and isinstance(payload, Mapping):
                data = {**data, "payload": self._task(payload)}
            return [(ns, "debug", data)]
        if mode == "updates" and isinstance(data, Mapping):
            return [(ns, "updates", self._update(data))]
        if mode == "checkpoints" and isinstance(data, Mapping):
            # The values are not read (checkpoint events carry ids), and may be megabytes.
            return [(ns, "checkpoints", {k: v for k, v in data.items() if k != "values"})]
        if mode == "custom":
            return [(ns, "custom", data)]
        return []

    def _task(self, chunk: Mapping[str, Any]) -> dict[str, Any]:
        task = {k: with_messages(v) if k in ("input", "result") else v for k, v in chunk.items()}
        if task.get("error") is not None:
            task["error"] = self.error(task["error"])
        if isinstance(task.get("result"), list):  # [(channel, value), ...] in some versions
            task["result"] = {str(pair[0]): pair[1] for pair in task["result"] if isinstance(pair, (list, tuple)) and len(pair) == 2}
        return task

    def _update(self, chunk: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for node, writes in chunk.items():
            if node == "__interrupt__":
                from langgraph.types import Interrupt

                found = [Interrupt(value=i.get("value"), id=str(i.get("id") or "")) for i in writes or () if isinstance(i, Mapping)]
                out[node] = tuple(found)  # () says a breakpoint stopped the run, as graph.stream has it
            else:
                out[node] = with_messages(writes)
        return out

    def _grown_by(self, item: Mapping[str, Any]) -> Any:
        """The chunk a ``messages/partial`` message (the whole message so far) grew by; None if none."""
        from langchain_core.messages import AIMessageChunk

        if item.get("type") not in ("ai", "AIMessageChunk"):
            return None
        key = str(item.get("id"))
        extra = item.get("additional_kwargs") if isinstance(item.get("additional_kwargs"), Mapping) else {}
        text, thoughts = split_content(item.get("content"), extra)
        by_format: dict[str, str] = {}
        for fmt, thought in thoughts:
            by_format[fmt] = by_format.get(fmt, "") + thought
        usage = item.get("usage_metadata") if isinstance(item.get("usage_metadata"), Mapping) else {}
        counts = {k: int(usage.get(k) or 0) for k in ("input_tokens", "output_tokens", "total_tokens")}
        old_text, old_thoughts, old_counts = self._grown.get(key, ("", {}, {}))
        self._grown[key] = (text, by_format, counts)
        blocks: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {}
        for fmt, thought in by_format.items():
            more = _suffix(old_thoughts.get(fmt, ""), thought)
            if not more:
                continue
            if fmt == "reasoning_content":
                kwargs["reasoning_content"] = more
            else:
                blocks.append({"type": fmt, fmt: more})
        more_text = _suffix(old_text, text)
        if more_text:
            blocks.append({"type": "text", "text": more_text})
        grown = {k: counts[k] - old_counts.get(k, 0) for k in counts}
        if not blocks and not kwargs and not any(grown.values()):
            return None
        return AIMessageChunk(
            content=blocks,
            additional_kwargs=kwargs,
            id=item.get("id"),
            response_metadata=dict(item.get("response_metadata") or {}),
            usage_metadata=grown if any(grown.values()) else None,  # type: ignore[arg-type]
        )


def _suffix(before: str, now: str) -> str:
    """What ``now`` adds to ``before`` (all of it if it is not a continuation)."""
    return now[len(before) :] if now.startswith(before) else now


# -- the stream --------------------------------------------------------------------------------------


# -- following a run ---------------------------------------------------------------------------------


class RunFollower:
    """Follows one run of a thread on a server, in a thread of its own, until the run ends
    or ``stop()``: its events go to ``on_event`` (an ``EventPipeline``, or any callable
    that is thread-safe) from that thread.

    ``run``: the server's run record (``running_run``); None: the one the thread runs
    when the follower starts (nothing is followed if it runs none). ``poll_s``: seconds
    between readings of the thread's state when the run streams no checkpoints.
    ``clock``: the time events are stamped with."""

    def __init__(
        self,
        source: Any,
        thread_id: str,
        run: Mapping[str, Any] | None = None,
        *,
        on_event: Callable[[Any], None],
        poll_s: float = POLL_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.source = source
        self.thread_id = thread_id
        self.run = dict(run) if run is not None else None
        self.on_event = on_event
        self.poll_s = poll_s
        self._clock = clock
        self._stopped = threading.Event()
        self._stream: EventStream | None = None
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._follow, name=f"follow run of {thread_id}", daemon=True)
        self._poller: threading.Thread | None = None
        self._extractor: EventExtractor | None = None
        self._last_checkpoint: str | None = None
        self.joined = threading.Event()
        """Set once the run's stream is open (or the follower found nothing to follow)."""

    @property
    def run_id(self) -> str | None:
        """The run followed (None until it is known)."""
        return str(self.run["run_id"]) if self.run else None

    @property
    def alive(self) -> bool:
        """Whether the follower still follows its run."""
        return self._thread.is_alive()

    def start(self) -> RunFollower:
        """Start following; returns self."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop following (the run goes on on the server); returns at once."""
        self._stopped.set()
        with self._lock:
            stream = self._stream
        if stream is not None:
            stream.close()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until the follower has ended; False if it still follows after ``timeout``."""
        self._thread.join(timeout)
        if self._poller is not None:
            self._poller.join(timeout)
        return not self._thread.is_alive()

    # -- the follower's thread ----------------------------------------------------------------

    def _deliver(self, event: Any) -> None:
        # The run's events carry the server's run id, the one its log and LangSmith know.
        if event.kind in ("run_started", "run_finished") and self.run_id:
            event = event.model_copy(update={"run_id": self.run_id})
        self.on_event(event)

    def _notice(self, text: str, level: int = logging.WARNING) -> None:
        if self._extractor is not None:
            record = logging.LogRecord(NOTICE_LOGGER, level, __file__, 0, text, None, None)
            self._extractor.feed_log(record, None, outside_nodes=True)

    def _follow(self) -> None:
        try:
            if self.run is None:
                self.run = running_run(self.source, self.thread_id)
            if self.run is None or self._stopped.is_set():
                return
            self._follow_run()
        except InspectorError as exc:
            if not self._stopped.is_set():
                self._notice(f"cannot follow the runs of thread {self.thread_id}: {exc.message}")
        finally:
            self.joined.set()

    def _follow_run(self) -> None:
        assert self.run is not None
        modes = run_modes(self.run)
        # The extractor's names for them: messages-tuple is graph.stream's messages mode.
        ours = ["messages" if m == "messages-tuple" else m for m in modes]
        extractor = self._extractor = EventExtractor(self.thread_id, on_event=self._deliver, stream_modes=ours, clock=self._clock)
        state = self._state()
        self._last_checkpoint = (state.get("checkpoint") or {}).get("checkpoint_id")
        existing = [self._last_checkpoint] if self._last_checkpoint else []
        kwargs = self.run.get("kwargs") or {}
        graph = (self.run.get("metadata") or {}).get("graph_id") or self.run.get("assistant_id")
        extractor.start_run(graph=graph, input=kwargs.get("input"), existing_checkpoints=existing)
        self._notice(f"joined run {self.run_id} of thread {self.thread_id}", logging.INFO)
        if self.run.get("status") == "running" and {"tasks", "debug"} & set(modes):
            self._running_phases(state)
        notice = missing_notice(str(self.run_id), modes)
        if notice:
            self._notice(notice)
        if not {"checkpoints", "debug"} & set(modes):
            self._poller = threading.Thread(target=self._poll_state, name=f"state of {self.thread_id}", daemon=True)
            self._poller.start()
        parts = ServerParts()
        error: BaseException | None = None
        wanted = [m for m in modes if m in (*WANTED_MODES, "messages", "debug")]
        params: dict[str, Any] = {}
        if set(modes) - set(wanted):
            # Not the modes nothing is read from (``values``: the whole state at each step);
            # errors always. A JSON list: the server reads one value of a repeated parameter.
            params["stream_mode"] = orjson.dumps([*wanted, "error"]).decode()
        path = f"/threads/{quote(self.thread_id, safe='')}/runs/{quote(str(self.run_id), safe='')}/stream"
        for attempt in range(REJOINS + 1):
            # Joined once the server answers: it subscribes this stream to the run before
            # the run's next await, so nothing the run sends after that is missed.
            stream = self.source.client.open_stream("GET", path, params=params, on_open=self.joined.set)
            with self._lock:
                if self._stopped.is_set():
                    break
                self._stream = stream
            try:
                for event, data in stream.events():
                    if event.partition("|")[0] == "error":
                        error = parts.error(data)
                        continue
                    for ns, mode, chunk in parts.parts(event, data):
                        extractor.feed(ns, mode, chunk)
                break
            except InspectorError as exc:
                if self._stopped.is_set():
                    break
                if attempt == REJOINS or self._status() not in _ACTIVE:
                    self._notice(f"lost the stream of run {self.run_id}: {exc.message}")
                    break
                self._notice(f"the stream of run {self.run_id} dropped ({exc.message}); joined it again: what it streamed meanwhile is not shown")
        if self._stopped.is_set():
            self._notice(f"stopped following run {self.run_id}; it goes on on the server", logging.INFO)
            return
        self._stopped.set()  # the poller reads the last state and ends
        if self._poller is not None:
            self._poller.join()
        try:
            self._check_state()
        except InspectorError:
            pass  # the run has ended: its last checkpoints are read with the history
        status = self._status()
        if error is not None:
            extractor.finish_run(error)
        elif status in ("error", "timeout"):
            extractor.finish_run(status="error")
        elif status == "interrupted":
            extractor.finish_run(status="interrupted")
        else:
            extractor.finish_run()

    def _status(self) -> str | None:
        try:
            run = self.source.client.get(f"/threads/{quote(self.thread_id, safe='')}/runs/{quote(str(self.run_id), safe='')}")
        except InspectorError:
            return None
        return run.get("status") if isinstance(run, Mapping) else None

    # -- following its state --------------------------------------------------------------------

    def _state(self) -> dict[str, Any]:
        return self.source.client.get(f"/threads/{quote(self.thread_id, safe='')}/state") or {}

    def _running_phases(self, state: Mapping[str, Any]) -> None:
        """Start the phases running when the run is joined: the tasks due at the thread's
        newest checkpoint. What they stream then (a custom event before any token) is
        theirs; their start and duration count from the join."""
        assert self._extractor is not None
        step = (state.get("metadata") or {}).get("step")
        for task in state.get("tasks") or ():
            if task.get("id") and task.get("name") and task.get("result") is None and not task.get("error") and not task.get("interrupts"):
                payload = {"id": task["id"], "name": task["name"], "input": None, "triggers": []}
                self._extractor.feed("", "debug", {"type": "task", "step": step + 1 if isinstance(step, int) else None, "payload": payload})

    def _poll_state(self) -> None:
        while not self._stopped.wait(self.poll_s):
            try:
                self._check_state()
            except InspectorError:
                pass  # the next reading, or the stream, says what is wrong

    def _check_state(self) -> None:
        """A checkpoint event for the thread's newest checkpoint, when it is new."""
        state = self._state()
        found = state.get("checkpoint") or {}
        checkpoint_id = found.get("checkpoint_id")
        if not checkpoint_id or checkpoint_id == self._last_checkpoint or self._extractor is None:
            return
        self._last_checkpoint = checkpoint_id
        parent = (state.get("parent_checkpoint") or {}).get("checkpoint_id")
        self._extractor.feed(
            "",
            "checkpoints",
            {
                "config": {"configurable": {"thread_id": self.thread_id, "checkpoint_ns": "", "checkpoint_id": checkpoint_id}},
                "parent_config": {"configurable": {"checkpoint_id": parent}} if parent else None,
                "metadata": state.get("metadata") or {},
                "next": state.get("next") or [],
                "tasks": state.get("tasks") or [],
            },
        )


def follow_run(
    source: Any,
    thread_id: str,
    run_id: str | None = None,
    *,
    on_event: Callable[[Any], None],
    poll_s: float = POLL_S,
    clock: Callable[[], float] = time.time,
) -> RunFollower:
    """Start following a run of ``thread_id`` (``run_id``, else the one it is running):
    the ``RunFollower``, already started; ``stop()`` it to stop."""
    run = None
    if run_id is not None:
        run = source.client.get(f"/threads/{quote(thread_id, safe='')}/runs/{quote(run_id, safe='')}")
    return RunFollower(source, thread_id, run, on_event=on_event, poll_s=poll_s, clock=clock).start()
