"""What the console works on: the session, what is selected (thread, checkpoint,
namespace), the events of this session's runs, and where output goes.

Checkpoint references (``CKPT`` in the commands) are read here, one way for every command:

- ``N`` or ``#N``: the Nth checkpoint of the thread (in the selected namespace), counted
  from 0 for the oldest, as ``history`` numbers them; appending never renumbers them;
- ``head``: the newest checkpoint; ``.``: the selected one;
- a checkpoint id, or its start or its end (4 characters or more, such as the 12 the
  TUI shows) that only one checkpoint has: the source resolves it
  (``Source.resolve_checkpoint``), and says so when none or several do.
"""

from __future__ import annotations

import bisect
import collections
import threading
from collections.abc import Callable, Hashable
from typing import TYPE_CHECKING, Any, TextIO, TypeVar

from rich.console import Console

from agent_debug.inspector.exceptions import InspectorError, NotFoundError, UsageError
from agent_debug.inspector.sources.base import MIN_PARTIAL_ID
from agent_debug.tui.event_lines import EventPrinter
from agent_debug.tui.safe_text import visible

if TYPE_CHECKING:
    from agent_debug.inspector.model import CheckpointState, CheckpointSummary
    from agent_debug.inspector.session import DebugSession

T = TypeVar("T")

#: Events of this session's runs kept for ``events`` (the oldest go first).
EVENT_CAP = 10_000
#: A checkpoint id is shown by its shortest unique prefix, never shorter than this.
MIN_PREFIX = 8


def _is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


class LineDebugger:
    """The console's state around one ``DebugSession``.

    The selection is a thread, a checkpoint namespace ('' for the root graph) and a
    checkpoint; ``checkpoint_id`` None follows the newest checkpoint, which is what a run
    (``next``, ``continue``, ``answer``, ``replay``, ``fork``) goes back to.
    """

    def __init__(
        self, session: DebugSession, *, out: TextIO, err: TextIO, debug: bool = False, secret: str | None = None
    ) -> None:
        self.session = session
        self.out = out
        self.err = err
        self.debug = debug
        self.secret = secret
        tty = _is_terminal(out)
        # Pipes get no colour and no wrapping, so ids stay whole (as the CLI prints them).
        self.console = Console(file=out, highlight=False, markup=False, emoji=False, soft_wrap=not tty)
        self.thread_id: str | None = None
        self.namespace = ""
        self.checkpoint_id: str | None = None
        self.events: collections.deque[Any] = collections.deque(maxlen=EVENT_CAP)
        self._printer = EventPrinter(out)
        self._rows: tuple[Hashable, tuple[str, str], list[CheckpointSummary], list[str]] | None = None
        self._state: tuple[Hashable, tuple[str, str, str], CheckpointState] | None = None
        session.sink = self._on_event

    # -- output ---------------------------------------------------------------------------

    def say(self, line: str = "") -> None:
        """One line on standard output; it may quote stored data, so it is escaped."""
        self.out.write(visible(line) + "\n")
        self.out.flush()

    def show(self, renderable: Any) -> None:
        """A Rich renderable on standard output (escape stored text before building it)."""
        self.console.print(renderable)

    def fail(self, message: str, *, what: str = "error") -> None:
        """``agent-debug: error: MESSAGE`` on stderr, one line: stored data shown escaped,
        the target's password (``secret``: TARGET as given) never shown."""
        from agent_debug.inspector.targets import scrub

        self.err.write(f"agent-debug: {what}: {visible(scrub(scrub(message, self.secret), None))}\n")
        self.err.flush()

    def _on_event(self, event: Any) -> None:
        # From the run's thread: kept for ``events`` and printed as it comes.
        self.events.append(event)
        self._printer(event)

    # -- the selection ----------------------------------------------------------------------

    def require_thread(self) -> str:
        """The selected thread; a usage error when none is."""
        if self.thread_id is None:
            raise UsageError("no thread selected: choose one with 'thread ID' ('threads' lists them)")
        return self.thread_id

    def select_thread(self, thread_id: str) -> None:
        """Select a thread (at its newest root checkpoint); the session refuses an unknown id."""
        self.session.thread(thread_id)
        self.thread_id, self.namespace, self.checkpoint_id = thread_id, "", None

    def follow_head(self) -> None:
        """Select the newest checkpoint again (after a run appended some)."""
        self.checkpoint_id = None

    def rows(self) -> list[CheckpointSummary]:
        """The selected thread's checkpoints in the selected namespace, oldest first (read
        once per change of the store)."""
        return self._history()[0]

    def _history(self) -> tuple[list[CheckpointSummary], list[str]]:
        thread_id = self.require_thread()
        token = self.session.refresh()
        key = (thread_id, self.namespace)
        if self._rows is None or self._rows[:2] != (token, key):
            page = self.session.source.history(thread_id, namespace=self.namespace, limit=None)
            rows = list(reversed(page.checkpoints))
            self._rows = (token, key, rows, sorted(r.checkpoint_id for r in rows))
        return self._rows[2], self._rows[3]

    def head_id(self) -> str:
        """The newest checkpoint of the selected thread and namespace."""
        rows = self.rows()
        if not rows:
            raise NotFoundError(f"thread '{self.thread_id}' has no checkpoints{self._where()}")
        return rows[-1].checkpoint_id

    def selected_id(self) -> str:
        """The selected checkpoint (the newest when none was chosen)."""
        return self.checkpoint_id or self.head_id()

    def _where(self) -> str:
        return f" in namespace '{self.namespace}'" if self.namespace else ""

    def resolve(self, ref: str) -> str:
        """The checkpoint id a ``CKPT`` reference names (see the module's docstring)."""
        if ref == ".":
            return self.selected_id()
        rows = self.rows()
        if ref == "head":
            return self.head_id()
        number = ref[1:] if ref.startswith("#") else ref
        # A bare number past the last row, long enough, may be the (digits only) end of an id.
        if number.isdigit() and (ref.startswith("#") or int(number) < len(rows) or len(number) < MIN_PARTIAL_ID):
            index = int(number)
            if index >= len(rows):
                span = f"#0 to #{len(rows) - 1}" if rows else "none"
                raise NotFoundError(f"no checkpoint #{index} in thread '{self.thread_id}'{self._where()}: it has {span} ('history' lists them)")
            return rows[index].checkpoint_id
        return self.session.source.resolve_checkpoint(self.require_thread(), ref, self.namespace)

    def index_of(self, checkpoint_id: str) -> int | None:
        """The ``#N`` of a checkpoint of the selected thread and namespace."""
        for i, row in enumerate(self.rows()):
            if row.checkpoint_id == checkpoint_id:
                return i
        return None

    def short(self, checkpoint_id: str) -> str:
        """The shortest prefix (at least ``MIN_PREFIX`` long) only this checkpoint id has."""
        ids = self._history()[1]
        at = bisect.bisect_left(ids, checkpoint_id)
        shared = 0
        for other in ids[max(at - 1, 0) : at + 2]:
            if other != checkpoint_id:
                shared = max(shared, len(_common_prefix(other, checkpoint_id)))
        return checkpoint_id[: max(MIN_PREFIX, shared + 1)]

    def state(self, checkpoint_id: str | None = None, *, path: str | None = None) -> CheckpointState:
        """The state at a checkpoint (the selected one by default) of the selected thread and
        namespace; the whole state is kept until the store changes (completion reads it)."""
        thread_id = self.require_thread()
        checkpoint_id = checkpoint_id or self.selected_id()
        if path is not None:
            return self.session.source.state(thread_id, checkpoint_id=checkpoint_id, namespace=self.namespace, path=path)
        token = self.session.refresh()
        key = (thread_id, self.namespace, checkpoint_id)
        if self._state is None or self._state[:2] != (token, key):
            doc = self.session.source.state(thread_id, checkpoint_id=checkpoint_id, namespace=self.namespace)
            self._state = (token, key, doc)
        return self._state[2]

    def prompt(self) -> str:
        """``(adb)``, or ``(adb THREAD@CHECKPOINT #N)`` with a thread selected."""
        if self.thread_id is None:
            return "(adb) "
        where = self.thread_id
        if self.namespace:
            where += "/" + "|".join(part.split(":")[0] for part in self.namespace.split("|"))
        try:
            checkpoint = self.selected_id()
            where += f"@{self.short(checkpoint)} #{self.index_of(checkpoint)}"
        except InspectorError:
            pass  # the store went away: the next command says why
        return visible(f"(adb {where}) ")

    # -- running ---------------------------------------------------------------------------

    def act(self, verb: Callable[[], T]) -> T:
        """Run a session verb in a worker thread, so Ctrl-C can pause it at the next step
        boundary (a second Ctrl-C leaves the console)."""
        box: dict[str, Any] = {}
        done = threading.Event()

        def work() -> None:
            try:
                box["value"] = verb()
            except BaseException as exc:  # handed back to the console's thread
                box["error"] = exc
            finally:
                done.set()

        # Waited for on an Event, not with join(): a join that Ctrl-C interrupts can leave
        # the thread looking finished while it still runs (seen on CPython 3.11).
        threading.Thread(target=work, name="agent-debug-console-action", daemon=True).start()
        pausing = False
        while True:
            try:
                done.wait()
                break
            except KeyboardInterrupt:
                if pausing:
                    raise
                pausing = True
                self.session.pause()
                self.err.write("pausing at the next step boundary (Ctrl-C again to leave the console)\n")
                self.err.flush()
        if "error" in box:
            raise box["error"]
        return box["value"]


def _common_prefix(a: str, b: str) -> str:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return a[:n]
