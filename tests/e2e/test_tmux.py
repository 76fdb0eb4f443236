"""The installed ``agent-debug attach`` in a real terminal: tmux runs it, types, and reads the screen.

Each test starts a private tmux server (its own socket, 160×48, TERM=xterm-256color),
types with ``send-keys`` and polls ``capture-pane`` until what a user would see shows
up. The live test runs a real LangGraph graph on ``SqliteSaver`` in a second process
that writes to the store the debugger is attached to.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import select
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from agent_debug.inspector.recording import read_recording
from agent_debug.inspector.targets import open_source

AGENT_DEBUG = str(Path(sys.executable).with_name("agent-debug"))
WIDTH, HEIGHT = 160, 48
EXIT = re.compile(r"\[exit (\d+)\]")
ANSI = re.compile(r"\x1b\[[0-9;]*m")

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


def terminal_env() -> dict[str, str]:
    """The environment of the terminal: fixed size and TERM, no user keymap, not nested in tmux."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TMUX", "TEXTUAL"))}
    env.update(
        TERM="xterm-256color",
        COLUMNS=str(WIDTH),
        LINES=str(HEIGHT),
        AGENT_DEBUG_KEYMAP=os.devnull,
    )
    return env


class Terminal:
    """One private tmux server running one command in a window of ``size`` (160×48 unless told)."""

    def __init__(self, size: tuple[int, int] = (WIDTH, HEIGHT)) -> None:
        # A short directory of our own: unix socket paths are limited to ~100 bytes.
        self._dir = Path(tempfile.mkdtemp(prefix="ad-e2e-"))
        self.socket = self._dir / "tmux.sock"
        self.width, self.height = size
        self.env = terminal_env() | {"COLUMNS": str(self.width), "LINES": str(self.height)}
        self.started = False

    def tmux(self, *args: str) -> str:
        """Run a tmux command on this server; its output."""
        done = subprocess.run(
            ["tmux", "-S", str(self.socket), *args], capture_output=True, text=True, env=self.env, timeout=10
        )
        if done.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout

    def start(self, argv: list[str]) -> None:
        """Run ``argv`` in the window; when it ends, its exit status is printed as ``[exit N]``."""
        command = f'{shlex.join(argv)}; echo "[exit $?]"; sleep 600'
        self.started = True  # from here on, close() kills the server
        self.tmux(
            "-f", os.devnull,
            "start-server", ";",
            "set-option", "-g", "default-terminal", "xterm-256color", ";",
            "new-session", "-d", "-s", "e2e", "-x", str(self.width), "-y", str(self.height),
            "-e", f"COLUMNS={self.width}", "-e", f"LINES={self.height}", command,
        )  # fmt: skip

    def screen(self) -> str:
        """What the window shows now, as text."""
        return self.tmux("capture-pane", "-p", "-t", "e2e")

    def wait_for(self, text: str | re.Pattern[str], timeout: float = 10.0) -> str:
        """Poll the screen until ``text`` (or a regex) is on it; returns that screen."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            found = text.search(screen) if isinstance(text, re.Pattern) else text in screen
            if found:
                return screen
            if time.monotonic() > deadline:
                raise AssertionError(f"{text!r} not on screen after {timeout:.0f} s; the screen was:\n{screen}")
            time.sleep(0.05)

    def wait_match(self, pattern: str, timeout: float = 10.0) -> re.Match[str]:
        """Poll until the regex ``pattern`` is on screen; returns its match."""
        regex = re.compile(pattern)
        match = regex.search(self.wait_for(regex, timeout))
        assert match is not None
        return match

    def wait_until(self, check: Callable[[], bool], what: str, timeout: float = 10.0) -> None:
        """Poll until ``check()`` is true."""
        deadline = time.monotonic() + timeout
        while not check():
            if time.monotonic() > deadline:
                raise AssertionError(f"{what} did not happen in {timeout:.0f} s; the screen was:\n{self.screen()}")
            time.sleep(0.05)

    def search_box_style(self) -> str:
        """The colours of the search box's border (focused and blurred differ), '' when it is hidden."""
        for line in self.tmux("capture-pane", "-p", "-e", "-t", "e2e").splitlines():
            if "▊" in line and "▔" in ANSI.sub("", line):
                return line[: line.index("▊")]
        return ""

    def wait_number(self, pattern: str, ok: Callable[[int], bool], timeout: float = 10.0) -> int:
        """Poll until the regex ``pattern`` shows a number (its group 1) that ``ok`` accepts."""
        regex = re.compile(pattern, re.M)
        deadline = time.monotonic() + timeout
        while True:
            screen = self.screen()
            numbers = [int(m.group(1)) for m in regex.finditer(screen)]
            if numbers and ok(numbers[0]):
                return numbers[0]
            if time.monotonic() > deadline:
                raise AssertionError(f"{pattern!r} showed {numbers} after {timeout:.0f} s; the screen was:\n{screen}")
            time.sleep(0.05)

    def press(self, *keys: str) -> None:
        """Send tmux key names (``Enter``, ``Down``, ``C-u``, ``x``)."""
        self.tmux("send-keys", "-t", "e2e", *keys)

    def type(self, text: str) -> None:
        """Type literal text."""
        self.tmux("send-keys", "-t", "e2e", "-l", text)

    def locate(self, text: str) -> tuple[int, int]:
        """Where ``text`` first shows on screen: (column, row), from 0."""
        screen = self.wait_for(text)
        for row, line in enumerate(screen.splitlines()):
            if text in line:
                return line.index(text), row
        raise AssertionError(f"{text!r} vanished")  # pragma: no cover

    def click(self, col: int, row: int) -> None:
        """A left click on a cell (from 0), as an xterm reports it (SGR mouse: press, release)."""
        self.type(f"\x1b[<0;{col + 1};{row + 1}M\x1b[<0;{col + 1};{row + 1}m")

    def wheel_up(self, col: int, row: int) -> None:
        """One notch of the mouse wheel, up, over a cell (SGR mouse, as xterm reports it)."""
        self.type(f"\x1b[<64;{col + 1};{row + 1}M")

    def exit_status(self, timeout: float = 10.0) -> int:
        """Wait for the command to end; its exit status."""
        return int(self.wait_match(EXIT.pattern, timeout).group(1))

    def close(self) -> None:
        """Kill the server (and the command in it) and remove the socket."""
        if self.started:
            subprocess.run(
                ["tmux", "-S", str(self.socket), "kill-server"], capture_output=True, env=self.env, timeout=10
            )
        shutil.rmtree(self._dir, ignore_errors=True)



def copy_store(src: Path, dst: Path) -> Path:
    """A private copy of a store, in WAL mode as SqliteSaver leaves it, with no connection open."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    b.close()
    a.close()
    conn = sqlite3.connect(dst)
    conn.execute("PRAGMA journal_mode=WAL").fetchall()
    conn.close()
    return dst


@pytest.fixture(scope="module")
def store(seeded_db, tmp_path_factory: pytest.TempPathFactory):
    """This module's copy of the seeded store (24 threads in every end state) and its SeedReport."""
    src, report = seeded_db
    return copy_store(src, tmp_path_factory.mktemp("e2e") / "runs.db"), report


def files_of(directory: Path) -> dict[str, bytes]:
    """Every file in a directory with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file()}


def search(term: Terminal, thread_id: str, total: int) -> None:
    """Filter the thread list to one id the way a user does: ``/``, the id, Enter.

    The search box must be empty (its placeholder showing). Clearing it first with
    ctrl+u would race: Textual runs a bound key (ctrl+u, Enter) only after the key event
    has bubbled back up to the App, while the focused Input inserts printable keys at
    once, so on a busy app the clear can land after the id has been typed, and a key
    pressed right after Enter can still go into the box. Hence the waits.
    """
    term.press("/")
    term.wait_for("search thread ids…")
    term.type(thread_id)
    term.wait_for(f"threads matching '{thread_id}': 1 of {total}")
    focused = term.search_box_style()  # it has just taken our keys, so it has focus
    term.press("Enter")
    # Enter hands focus back to the table; keys typed before that would land in the box.
    term.wait_until(lambda: term.search_box_style() not in ("", focused), "the search box losing focus")


# -- failing before the UI -------------------------------------------------------------


def test_attach_missing_file_is_one_line_and_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "runs.db"
    missing.parent.mkdir()
    done = subprocess.run(
        [AGENT_DEBUG, "attach", str(missing)], capture_output=True, text=True, env=terminal_env(), timeout=30
    )
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr == f"agent-debug: error: no such checkpoint database: {missing}\n"
    assert list(missing.parent.iterdir()) == []


def test_attach_unknown_thread_fails_before_the_ui(term: Terminal, store) -> None:
    db, _ = store
    # In a real terminal: the process ends by itself (a started UI would wait for keys).
    term.start([AGENT_DEBUG, "attach", str(db), "--thread", "nope"])
    assert term.exit_status(timeout=15) == 1
    screen = term.screen()
    assert f"agent-debug: error: no thread 'nope' in {db}" in screen
    assert "Traceback" not in screen
    # And the message is exactly one line on stderr.
    done = subprocess.run(
        [AGENT_DEBUG, "attach", str(db), "--thread", "nope"],
        capture_output=True, text=True, env=terminal_env(), timeout=30,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("agent-debug: error: no thread 'nope' in ")


# -- browsing ------------------------------------------------------------------------------


def test_threads_error_state_and_interrupt_on_screen(term: Terminal, store) -> None:
    db, report = store
    before = files_of(db.parent)
    total = len(report.threads)
    term.start([AGENT_DEBUG, "attach", str(db)])

    term.wait_for(f"threads: {total} of {total}", timeout=15)
    screen = term.wait_for(f"{total} threads")  # the header's status line (may repaint a frame later)
    newest = report.threads[-6:]  # the list is newest first; these fit on a 48-line screen
    for thread_id in newest:
        assert thread_id in screen

    error_thread = next(t for t in report.error if t.startswith("feature-"))
    search(term, error_thread, total)
    term.press("x")
    screen = term.wait_for("sandbox image 'python:9.9' not found")
    assert "ValueError: sandbox image 'python:9.9' not found" in screen
    assert "error in sandbox_test" in screen

    term.press("v")
    screen = term.wait_for("fail_permanently: True")
    assert "request: 'Add a --json flag to the `report` command'" in screen

    # Clear the filter: the cursor stays on the error thread; Down moves to the next older one.
    blurred = term.search_box_style()
    term.press("/")
    term.wait_until(lambda: term.search_box_style() != blurred, "the search box taking focus")
    term.press("C-u")
    term.wait_for(f"threads: {total} of {total}")
    term.press("Enter")
    term.wait_until(lambda: "search thread ids…" not in term.screen(), "the search box closing")
    screen = term.wait_for(error_thread)  # the table scrolls to it a frame later
    lines = screen.splitlines()
    row = next(i for i, line in enumerate(lines) if error_thread in line)
    below = re.search(r"(feature-\d+-interrupted)", lines[row + 1])
    assert below is not None, f"expected an interrupted feature thread below {error_thread}:\n{screen}"
    term.press("Down", "x")
    screen = term.wait_for("Approve this change?")
    assert "interrupt in review" in screen

    term.press("q")
    assert term.exit_status() == 0
    # Looking changes nothing: no WAL or shared-memory file, not one byte of the store.
    assert files_of(db.parent) == before


def test_attach_thread_option_opens_on_the_interrupt(term: Terminal, store) -> None:
    db, report = store
    interrupted = [t for t in report.interrupted if t.startswith("feature-")][-1]
    term.start([AGENT_DEBUG, "attach", str(db), "--thread", interrupted])
    term.wait_for(f"threads: {len(report.threads)} of {len(report.threads)}", timeout=15)
    term.press("x")
    screen = term.wait_for("'question': 'Approve this change?'")
    assert "⏸ interrupt in review" in screen
    assert "next: review" in screen
    term.press("v")
    term.wait_for(re.compile(r"iterations: \d+"))
    term.press("q")
    assert term.exit_status() == 0


# -- live ----------------------------------------------------------------------------------

# A real LangGraph run on SqliteSaver in another process: long_loop's counter, slowed down.
WRITER = """
import sqlite3, sys, time
from langgraph.checkpoint.sqlite import SqliteSaver
from langgraph.graph import START, StateGraph
from agent_debug.fixtures.long_loop import LoopState, keep_going, tick

db, thread_id, ticks, delay = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])

def slow_tick(state):
    time.sleep(delay)
    return tick(state)

builder = StateGraph(LoopState)
builder.add_node("tick", slow_tick)
builder.add_edge(START, "tick")
builder.add_conditional_edges("tick", keep_going)
conn = sqlite3.connect(db, check_same_thread=False)
graph = builder.compile(checkpointer=SqliteSaver(conn))
print("writing", flush=True)
graph.invoke({"target": ticks}, {"configurable": {"thread_id": thread_id}, "recursion_limit": ticks + 10})
conn.close()
print("finished", flush=True)
"""


def read_line(proc: subprocess.Popen[str], timeout: float) -> str:
    """The next line the writer prints, or a failure if it prints none in time."""
    assert proc.stdout is not None
    ready, _, _ = select.select([proc.stdout], [], [], timeout)
    if not ready:
        raise AssertionError(f"the writer printed nothing in {timeout:.0f} s")
    return proc.stdout.readline().strip()


def test_live_thread_and_checkpoints_appear_while_attached(term: Terminal, store, tmp_path: Path) -> None:
    src, report = store
    db = copy_store(src, tmp_path / "live" / "runs.db")
    total = len(report.threads)
    thread_id = "live-e2e-writer"
    ticks, delay = 24, 0.25  # 26 checkpoints over ~6 s

    term.start([AGENT_DEBUG, "attach", str(db), "--poll", "0.5"])
    screen = term.wait_for(f"threads: {total} of {total}", timeout=15)
    assert thread_id not in screen

    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db), thread_id, str(ticks), str(delay)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=terminal_env(),
    )  # fmt: skip
    try:
        assert read_line(writer, timeout=30) == "writing"
        # A condition, not a latency: how soon it shows is the benchmarks' business.
        screen = term.wait_for(thread_id, timeout=60)
        term.wait_for(f"threads: {total + 1} of {total + 1}")
        term.wait_for(f"{total + 1} threads")  # the header

        search(term, thread_id, total + 1)
        # thread, [glyph] status, last node, updated, checkpoints
        row = re.escape(thread_id) + r"\s+(?:\S\s+)?pending\s+tick\s+\S+ ago\s+(\d+)"
        history = r"history · (\d+) checkpoints"
        head = r"^│\s+(\d+) tick "  # the history's top row: follow mode keeps the newest there
        count = term.wait_number(row, lambda n: n > 0)
        shown = term.wait_number(history, lambda n: n > 0)
        assert count < ticks + 2, "the writer finished before we looked; slow it down"

        # It grows while it runs: the thread row's count, the history's count and its head.
        assert term.wait_number(row, lambda n: n >= count + 2, timeout=6) >= count + 2
        assert term.wait_number(history, lambda n: n >= shown + 2, timeout=6) >= shown + 2
        assert term.wait_number(head, lambda n: n >= shown - 1, timeout=6) >= shown - 1

        assert read_line(writer, timeout=30) == "finished", writer.stderr.read() if writer.stderr else ""
        assert writer.wait(timeout=10) == 0
        # When the run ends the thread is done, with every checkpoint listed.
        final = re.escape(thread_id) + r"\s+(?:\S\s+)?done\s+tick\s+\S+ ago\s+(\d+)"
        assert term.wait_number(final, lambda n: n == ticks + 2) == ticks + 2
        assert term.wait_number(history, lambda n: n == ticks + 2) == ticks + 2
        assert term.wait_number(head, lambda n: n == ticks) == ticks
    finally:
        if writer.poll() is None:
            writer.kill()
        writer.wait(timeout=10)
        for pipe in (writer.stdout, writer.stderr):
            if pipe is not None:
                pipe.close()
    term.press("q")
    assert term.exit_status() == 0


# -- acting ----------------------------------------------------------------------------------


def test_approve_an_interrupt_in_a_real_terminal(term: Terminal, store, tmp_path: Path) -> None:
    db, report = store
    own = copy_store(db, tmp_path / "act" / "runs.db")
    interrupted = [t for t in report.interrupted if t.startswith("feature-")][0]
    term.start([AGENT_DEBUG, "attach", str(own), "--thread", interrupted, "--graph", "agent_debug.fixtures.feature_request:graph"])
    term.wait_for("control on", timeout=15)
    total = len(report.threads)
    term.wait_for(f"threads: {total} of {total}", timeout=15)
    term.wait_for(re.compile(r"history · \d+ checkpoints"))  # the thread is loaded: its interrupt is known
    term.press("a")
    screen = term.wait_for("Approve all (ctrl+a)")
    assert f"thread {interrupted} waits at 1 interrupt(s)" in screen
    assert "Approve this change?" in screen
    term.press("C-a")
    term.wait_for('"approve"}', timeout=20)  # the value actually sent, in the notification
    term.wait_for(re.compile(rf"{interrupted}\s+✔ done"), timeout=20)
    term.press("q")
    assert term.exit_status() == 0
    with open_source(str(own)) as source:
        assert source.thread(interrupted).status.value == "done"


def test_replay_a_subgraph_phase_in_a_real_terminal(term: Terminal, store, tmp_path: Path) -> None:
    """`]` into the researcher subgraph's history, `r` on its newest phase: the branch stays inside."""
    db, report = store
    own = copy_store(db, tmp_path / "sub" / "runs.db")
    thread = next(t for t in report.threads if t.startswith("supervisor-") and t.endswith("-done"))
    with open_source(str(own)) as source:
        researcher = next(n for n in source.namespaces(thread) if n.namespace.startswith("researcher:"))
        root_before = source.thread(thread).checkpoint_count
    term.start([AGENT_DEBUG, "attach", str(own), "--thread", thread, "--graph", "agent_debug.fixtures.supervisor:graph"])
    term.wait_for("control on", timeout=15)
    term.wait_for(re.compile(r"history · \d+ checkpoints"))
    term.press("]")
    term.wait_for(f"history · {researcher.checkpoint_count} checkpoints · subgraph researcher:")
    term.wait_for("summarize")  # the newest row (selected: follow is on)
    term.press("r")
    term.wait_for("Replay (ctrl+s)")
    term.press("C-s")
    screen = term.wait_for("replayed summarize", timeout=30)
    assert "original run wrote" in screen and "replay wrote" in screen
    term.press("Escape")
    term.wait_for(f"history · {researcher.checkpoint_count + 2} checkpoints · subgraph researcher:", timeout=15)
    term.press("q")
    assert term.exit_status() == 0
    with open_source(str(own)) as source:
        assert source.thread(thread).checkpoint_count == root_before  # the parent graph did not move


# -- live events -----------------------------------------------------------------------------

FEATURE_GRAPH = "agent_debug.fixtures.feature_request:graph"
FEATURE_INPUT = json.dumps({"request": "Add a --json flag to the `report` command", "max_iterations": 3})
STAMP = r"\d\d:\d\d:\d\d\.\d{3} "  # an event line starts with its time
# A row of the phase-timing table: phase, ms, tokens in/out, attempts, status.
PHASE_ROW = re.compile(r"│ (\w+) +\d+ +\d+/\d+ +(\d+) +(\w+) +│")


def read_events_pane(term: Terminal) -> tuple[str, str]:
    """Read the Events pane of a feature_request run stopped at its review, as a user does:
    ``l``; the newest lines (the log keeps its end in view); then the errors tab (a click).
    Returns those two screens."""
    term.press("l")
    # Ready when the run's last event, its end at the review's interrupt, is in view.
    newest = term.wait_for(re.compile(STAMP + r"-\s+run finished interrupted"), timeout=20)
    for what, pattern in (
        ("a thinking line", STAMP + r"\w+\s+thinking: \S"),
        ("a custom stream event", STAMP + r"\w+\s+custom \{'"),
        ("a phase finished", STAMP + r"\w+\s+■ done in \d+ms"),
        ("the review stopped", STAMP + r"review\s+■ interrupted in \d+ms"),
        ("the interrupt, in review", STAMP + r"review\s+⏸ interrupt \{'"),
    ):
        assert re.search(pattern, newest), f"no {what} in the events pane:\n{newest}"

    col, row = term.locate("thinking  logs  errors")
    term.click(col + len("thinking  logs  ") + 2, row)
    term.wait_for(re.compile(STAMP + r"plan\s+✖ RateLimitError \(attempt 1, will retry\): "), timeout=10)
    errors = term.wait_for(re.compile(r"│ {4}transient \(\d+%\): \S"))  # the classification, under it
    # Only errors now: every event line on screen is the one error of the run.
    shown = re.findall(STAMP + r"\w+\s+(\S+)", errors)
    assert shown == ["✖"], f"only the run's one error was expected on the errors tab, not {shown}:\n{errors}"
    return newest, errors


def recorded(path: Path) -> list:
    """A recording's events, after checking it is whole: a header line, then one line per
    event, numbered 1, 2, 3… with none missing."""
    lines = path.read_bytes().splitlines()
    events = list(read_recording(path))
    assert len(lines) == len(events) + 1, f"{len(lines)} lines for {len(events)} events"
    assert json.loads(lines[0])["format"] == "agent-debug-events"
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    return events


def check_screens_show_the_recording(events: list, newest: str, errors: str) -> None:
    """What the Events pane showed is what the recording holds."""
    kinds = [e.kind for e in events]
    assert kinds[0] == "run_started" and kinds[-1] == "run_finished" and events[-1].status == "interrupted"
    for kind in ("thinking", "custom", "phase_finished", "interrupt"):
        assert kind in kinds, f"no {kind} event recorded"
    [error] = [e for e in events if e.kind == "error"]
    assert (error.node, error.will_retry, error.attempt) == ("plan", True, 1)
    line = re.search(rf"{error.node} +✖ {error.type} \(attempt {error.attempt}, will retry\): ([^│]*)│", errors)
    assert line, errors
    visible = line.group(1).rstrip()  # as much of the message as the pane is wide
    assert len(visible) >= 5 and error.message.startswith(visible), (visible, error.message)
    assert f"    {error.classification} ({error.confidence:.0%}): " in errors
    [interrupt] = [e for e in events if e.kind == "interrupt"]
    assert re.search(STAMP + rf"{interrupt.node}\s+⏸ interrupt ", newest)
    # The newest thinking line on screen is the last phase that thought (its text, gathered).
    thought = [e for e in events if e.kind == "thinking"]
    last = [e.text for e in thought if e.task_id == thought[-1].task_id]
    assert f"thinking: {''.join(last)[:30]}" in newest, newest


def phase_rows(screen: str) -> list[tuple[str, int, str]]:
    """The phase-timing table under the log: (phase, attempts, status) per row."""
    return sorted((node, int(attempts), status) for node, attempts, status in PHASE_ROW.findall(screen))


def recorded_phases(events: list) -> list[tuple[str, int, str]]:
    """The phases of a recording as the table counts them: retries are attempts of one phase."""
    retries: dict[str | None, int] = {}
    for e in events:
        if e.kind == "error" and e.will_retry:
            retries[e.task_id] = retries.get(e.task_id, 0) + 1
    return sorted(
        (e.node, 1 + retries.get(e.task_id, 0), e.status)
        for e in events
        if e.kind == "phase_finished" and not e.namespace
    )


def test_live_events_of_a_run_in_a_real_terminal(term: Terminal, tmp_path: Path) -> None:
    db, recording, thread_id = tmp_path / "runs.db", tmp_path / "run.ndjson", "live-events"
    term.start([AGENT_DEBUG, "run", FEATURE_GRAPH, "--input", FEATURE_INPUT, "--thread", thread_id,
                "--checkpointer", str(db), "--record", str(recording)])  # fmt: skip

    # The run goes up to the review, whose interrupt opens the answer dialog by itself.
    screen = term.wait_for("Approve all (ctrl+a)", timeout=60)
    assert f"thread {thread_id} waits at 1 interrupt(s)" in screen
    assert "⏸ review" in screen and "'question': 'Approve this change?'" in screen
    term.press("Escape")  # not now
    term.wait_until(lambda: "Approve all (ctrl+a)" not in term.screen(), "the dialog closing")
    term.wait_for(re.compile(rf"{thread_id}\s+⏸ interrupted"))

    newest, errors = read_events_pane(term)
    shown = term.wait_number(r"history · (\d+) checkpoints", lambda n: n > 0)

    # Follow mode: back on all events, the wheel over the log pauses it; a click on the
    # label follows again, and the run's last line is back in view.
    col, row = term.locate("thinking  logs  errors")
    term.click(col - 3, row)  # "all"
    term.wait_for(re.compile(STAMP + r"-\s+run finished interrupted"))
    col, row = term.locate("run finished interrupted")
    for _ in range(3):
        term.wheel_up(col, row)
    paused = term.wait_for("⏸ paused · End follows")
    assert not re.search(STAMP + r"-\s+run finished interrupted", paused), "the last line should have scrolled away"
    col, row = term.locate("⏸ paused")
    term.click(col + 2, row)
    term.wait_for(re.compile(STAMP + r"-\s+run finished interrupted"))
    term.wait_for("following")
    # The phase table, once the run's notification no longer covers it.
    term.wait_until(lambda: "new checkpoint(s)" not in term.screen(), "the run's notification going", timeout=20)
    table = phase_rows(term.screen())

    term.press("q")
    assert term.exit_status(timeout=15) == 0

    events = recorded(recording)
    assert {e.thread_id for e in events} == {thread_id}
    check_screens_show_the_recording(events, newest, errors)
    assert table == recorded_phases(events), f"the table showed {table}"
    assert ("plan", 2, "done") in table  # the rate-limited phase: one phase, two attempts

    # The checkpointer holds the thread, stopped at the review, with the checkpoints shown and recorded.
    with open_source(str(db)) as source:
        thread = source.thread(thread_id)
    assert thread.status.value == "interrupted" and thread.next == ["review"]
    assert [i.id for i in thread.interrupts] == [e.interrupt_id for e in events if e.kind == "interrupt"]
    checkpoints = [e for e in events if e.kind == "checkpoint" and e.new and not e.namespace]
    assert thread.checkpoint_count == shown == len(checkpoints)
    assert thread.checkpoint_id == checkpoints[-1].checkpoint_id


def test_a_recording_opens_read_only_for_a_post_mortem(term: Terminal, tmp_path: Path) -> None:
    folder = tmp_path / "rec"
    folder.mkdir()
    recording, thread_id = folder / "run.ndjson", "post-mortem"
    done = subprocess.run(
        [AGENT_DEBUG, "run", FEATURE_GRAPH, "--no-ui", "--input", FEATURE_INPUT, "--thread", thread_id,
         "--checkpointer", "memory", "--record", str(recording)],
        capture_output=True, text=True, env=terminal_env(), timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert re.search(rf"^thread {thread_id} in memory \(not kept\): interrupted; next: review$", done.stderr, re.M), done.stderr
    events = recorded(recording)
    before = files_of(folder)
    digest = hashlib.sha256(recording.read_bytes()).hexdigest()

    term.start([AGENT_DEBUG, "attach", str(recording)])
    screen = term.wait_for("threads: 1 of 1", timeout=20)
    with open_source(str(recording)) as source:
        last_node = source.thread(thread_id).last_node  # the node that made the latest checkpoint
    assert re.search(rf"{thread_id}\s+⏸ interrupted\s+{last_node}", screen), screen
    assert "control on" not in screen  # nothing to act with: read-only
    search(term, thread_id, 1)
    term.press("x")
    screen = term.wait_for("'question': 'Approve this change?'", timeout=15)
    assert "⏸ interrupt in review" in screen
    shown = term.wait_number(r"history · (\d+) checkpoints", lambda n: n > 0)

    newest, errors = read_events_pane(term)
    table = phase_rows(term.screen())
    term.press("q")
    assert term.exit_status(timeout=15) == 0

    check_screens_show_the_recording(events, newest, errors)
    assert table == recorded_phases(events), f"the table showed {table}"
    assert shown == len([e for e in events if e.kind == "checkpoint" and e.new and not e.namespace])
    # Inspecting never writes: the file is byte for byte what the run wrote, and nothing was added beside it.
    assert hashlib.sha256(recording.read_bytes()).hexdigest() == digest
    assert files_of(folder) == before


def test_a_remapped_key_works_and_help_shows_it(term: Terminal, store, tmp_path: Path) -> None:
    db, report = store
    keymap = tmp_path / "keymap.toml"
    keymap.write_text('"tab.state" = "o"\n')  # a key no other binding has: nothing loses its key
    before = keymap.read_bytes()
    term.env["AGENT_DEBUG_KEYMAP"] = str(keymap)
    total = len(report.threads)
    term.start([AGENT_DEBUG, "attach", str(db)])
    term.wait_for(f"threads: {total} of {total}", timeout=15)

    term.press("?")
    term.wait_match(r"(\bo\b.*tab\.state|tab\.state.*\bo\b)")
    term.press("Escape")
    term.wait_until(lambda: "tab.state" not in term.screen(), "the help closing")

    error_thread = next(t for t in report.error if t.startswith("feature-"))
    search(term, error_thread, total)
    term.press("x")
    term.wait_for("sandbox image 'python:9.9' not found")
    term.press("o")  # the State tab, on its remapped key
    term.wait_for("fail_permanently: True")

    term.press("q")
    assert term.exit_status() == 0
    assert keymap.read_bytes() == before
