"""The ``agent-debug`` argument parser: every verb and its flags.

Only the standard library is imported here (``--help`` imports nothing else); numbers
are bounded while parsing, so a huge or tiny one is one line and exit 2.
"""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

PROG = "agent-debug"

_TARGET_HELP = "a SQLite checkpoint file (or sqlite:///PATH), a postgresql:// DSN, a FILE.ndjson recording, or a LangGraph server http(s)://host:port"
_RECORD_SAFE = (
    "a new or empty file: the store, a SQLite database, a directory or any other existing file is refused, "
    "and so is an existing recording unless --record-append"
)
_READ_ONLY = "Reads the store read-only: nothing is written, not even a WAL file."
_ALLOW_MODULE = (
    "also revive stored objects of MODULE's classes, or exactly MODULE:NAME (repeatable); "
    "the graph's own types and LangChain's messages need no flag, anything else is refused"
)
_MIGRATE = (
    "let LangGraph upgrade a store made by an older langgraph-checkpoint-sqlite (its setup() alters the "
    "schema); without it such a store is refused and left as it is"
)


# Bounds checked while parsing, so a huge or tiny number is one line and exit 2, never
# a hang (--hops 10**20, --poll 1e-9) or an overflow in the store (--limit 2**63).
MAX_COUNT = 1_000_000_000
MAX_HOPS = 10_000
MIN_POLL_S = 0.05
MAX_POLL_S = 3600.0


class _Parser(argparse.ArgumentParser):
    """Usage errors as one line plus where to look, not a usage banner."""

    def error(self, message: str) -> NoReturn:
        from agent_debug.inspector.targets import scrub
        from agent_debug.tui.safe_text import visible

        # The message may quote any argument, a DSN with its password included.
        for arg in sys.argv[1:]:
            message = scrub(message, arg)
        self.exit(2, f"{PROG}: error: {visible(message)}; see: {self.prog} --help\n")


def _whole(text: str, low: int, high: int, what: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not low <= value <= high:
        raise argparse.ArgumentTypeError(f"expected {what}, got {value if len(text) <= 30 else text[:27] + '...'}")
    return value


def _positive_or_zero(text: str) -> int:
    return _whole(text, 0, MAX_COUNT, f"0 to {MAX_COUNT:_}")


def _limit(text: str) -> int:
    return _whole(text, 0, MAX_COUNT, f"0 (all) to {MAX_COUNT:_}")


def _hops(text: str) -> int:
    return _whole(text, 0, MAX_HOPS, f"0 to {MAX_HOPS:_}")


def _poll(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    # nan fails every comparison, so it lands here too.
    if not (value == 0 or MIN_POLL_S <= value <= MAX_POLL_S):
        raise argparse.ArgumentTypeError(f"expected 0 (never) or {MIN_POLL_S:g} to {MAX_POLL_S:g} seconds, got {text}")
    return value


def _timeout(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not 0.1 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"expected 0.1 to 3600 seconds, got {text}")
    return value


def _top(text: str) -> int:
    return _whole(text, 1, 10_000, "1 to 10_000")


def _demo_threads(text: str) -> int:
    return _whole(text, 0, 10_000, "0 to 10_000")


def _xray(text: str) -> int:
    value = _positive_or_zero(text)
    if value == 0:
        raise argparse.ArgumentTypeError("--xray DEPTH must be 1 or more")
    return value


def _status(text: str) -> str:
    choices = ("interrupted", "error", "done", "pending", "unreadable")
    if text not in choices:
        raise argparse.ArgumentTypeError(f"expected one of {', '.join(choices)}, got {text!r}")
    return text


_GRAPH_ACTING = (
    "the workflow's graph (pkg.mod:attr, path/file.py:attr, a langgraph.json id, or NAME=REF): draws it and turns on "
    "step, resume, replay and fork, which append checkpoints to TARGET; repeatable: each thread gets the graph its "
    "graph_id metadata names, else the one whose nodes fit it"
)
_GRAPH_RUNS = (
    "the workflow's graph (it runs here, on TARGET's store); repeatable: the thread's graph_id metadata, else its "
    "nodes, choose among them"
)
_CONFIG_GRAPHS = "langgraph.json to resolve graph ids with; without --graph, every graph it declares is given"
_ASSISTANT = "on a LangGraph server TARGET: the assistant (id or graph id) to run (default: each thread's own)"


def build_parser() -> argparse.ArgumentParser:
    """The ``agent-debug`` parser: every verb, its flags, and the bounds checked while parsing."""
    common = _Parser(add_help=False)
    common.add_argument(
        "--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks for failures"
    )
    server = common.add_argument_group("LangGraph server targets (http://host:port)")
    server.add_argument("--api-key", metavar="KEY", default=argparse.SUPPRESS,
                        help="the server's key, sent as x-api-key (default: $LANGGRAPH_API_KEY, then $LANGSMITH_API_KEY); never printed")
    server.add_argument("--header", metavar="NAME=VALUE", action="append", default=argparse.SUPPRESS,
                        help="an extra request header for custom auth (repeatable); values are never printed")
    server.add_argument("--timeout", metavar="SECONDS", type=_timeout, default=argparse.SUPPRESS,
                        help="seconds to wait for the server's answer (default 30; connecting fails after 2)")
    parser = _Parser(
        prog=PROG,
        description="A terminal debugger for LangGraph workflows: threads, checkpoint history, state, graph.",
        epilog="Run 'agent-debug COMMAND --help' for a command's options.",
        parents=[common],
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_: str, description: str | None = None) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_, description=description or help_, parents=[common])

    p = command("demo", "seed a sample checkpoint store (if missing) and open it")
    p.add_argument("--db", metavar="PATH", help="where the demo store lives (default: in your cache directory)")
    p.add_argument("--threads", type=_demo_threads, default=24, metavar="N", help="threads to seed (default 24)")
    p.add_argument("--print", action="store_true", help="print the thread table instead of opening the debugger")

    p = command("run", "run a workflow under the debugger (writes)",
                "Run a LangGraph graph in-process inside the debugger: step, continue, breakpoints, interrupts. "
                "A new --thread starts from --input; an existing one continues from its latest checkpoint (with --step, "
                "one step; headless with --no-ui), or starts over with --restart; one waiting at an interrupt is answered "
                "with 'agent-debug resume' (or a in the debugger). "
                "Checkpoints go to the embedded SQLite store unless --checkpointer says otherwise.")
    p.add_argument("graph_ref", metavar="GRAPH_REF", help="pkg.module:attr, path/to/file.py:attr, or a graph id from langgraph.json")
    p.add_argument("--input", metavar="JSON", help="a new thread's input as JSON, or @FILE (default: {}); an existing thread takes it only with --restart")
    p.add_argument("--thread", metavar="ID", help="thread id (default: run-<date>-<time>); an existing thread continues from its latest checkpoint")
    existing = p.add_mutually_exclusive_group()
    existing.add_argument("--continue", dest="continue_run", action="store_true",
                          help="run the existing --thread on from its latest checkpoint to a breakpoint, interrupt, error or the end "
                          "(what run does with an existing thread; this flag also refuses a thread that does not exist); "
                          "a thread waiting at an interrupt is left for resume")
    existing.add_argument("--restart", action="store_true",
                          help="run the existing --thread again from __start__ with --input (default: {}), as LangGraph runs a new "
                          "input on a thread: its state is kept and its reducers apply; a pending interrupt is left unanswered")
    p.add_argument("--checkpointer", metavar="URI", help="memory, a SQLite path or sqlite:///PATH, or postgresql://... (default: the embedded store)")
    p.add_argument("--target", dest="server", metavar="URL", help="run on this LangGraph server instead: GRAPH_REF is then an assistant id or graph id it serves (the thread id, if given, must be a UUID)")
    p.add_argument("--allow-module", dest="allow_modules", action="append", metavar="MODULE[:NAME]", help=_ALLOW_MODULE)
    p.add_argument("--break", dest="breakpoints", action="append", metavar="'NODE [if EXPR]'",
                   help="pause before NODE (repeatable); with 'if EXPR' only when EXPR, a Python expression on the state "
                   "(names are state keys: 'review if iterations >= 2'), holds")
    p.add_argument("--break-after", dest="breakpoints_after", action="append", metavar="'NODE [if EXPR]'",
                   help="pause after NODE (repeatable; 'if EXPR' as for --break)")
    p.add_argument("--break-on-error", action="store_true",
                   help="pause at the step after any error of the run, a failed attempt a RetryPolicy retries included")
    p.add_argument("--step", action="store_true", help="pause after one step (on an existing thread: its next step)")
    p.add_argument("--no-ui", action="store_true", help="run headless, printing events as lines (for CI); exit 1 if the run fails")
    p.add_argument("--json", action="store_true", help="with --no-ui: print events as NDJSON")
    p.add_argument("--record", metavar="FILE.ndjson", help=f"write every event to FILE.ndjson; {_RECORD_SAFE}")
    p.add_argument("--record-append", action="store_true", help="with --record: add to the recording FILE.ndjson already holds")
    p.add_argument("--config", metavar="FILE", help="langgraph.json to resolve a graph id with")
    p.add_argument("--poll", type=_poll, default=0.5, metavar="SECONDS", help=argparse.SUPPRESS)
    p.add_argument("--migrate", action="store_true", help=_MIGRATE)
    _live_event_flags(p)

    p = command(
        "attach",
        "open the debugger on a checkpoint store",
        f"Open the debugger on a checkpoint store and follow it live. {_READ_ONLY} "
        "Without TARGET it opens the last target attached, at the thread and tab it showed last "
        "(kept in $XDG_STATE_HOME/agent-debug/last.json, without passwords).",
    )
    p.add_argument("target", metavar="TARGET", nargs="?", help=f"{_TARGET_HELP} (default: the last target attached)")
    p.add_argument("--thread", metavar="ID", help="select this thread at start (default: the one shown last on TARGET)")
    p.add_argument("--assistant", metavar="ID", help=_ASSISTANT)
    p.add_argument("--graph", action="append", metavar="GRAPH_REF", help=_GRAPH_ACTING)
    p.add_argument("--allow-module", dest="allow_modules", action="append", metavar="MODULE[:NAME]", help=_ALLOW_MODULE)
    p.add_argument("--config", metavar="FILE", help=_CONFIG_GRAPHS)
    p.add_argument("--poll", type=_poll, default=0.5, metavar="SECONDS", help="how often to look for new checkpoints (default 0.5; 0 = never; at least 0.05)")
    p.add_argument("--record", metavar="FILE.ndjson", help=f"with --graph: write every event of the runs you start to FILE.ndjson; {_RECORD_SAFE}")
    p.add_argument("--record-append", action="store_true", help="with --record: add to the recording FILE.ndjson already holds")
    p.add_argument("--migrate", action="store_true", help=_MIGRATE)
    _live_event_flags(p)

    p = command("graph", "draw a workflow's graph (terminal, DOT, Mermaid, JSON)",
                "Draw a LangGraph graph in the terminal, or export it as DOT, Mermaid or JSON; "
                "or the graph of an assistant a LangGraph server (http://host:port) serves.")
    p.add_argument("graph_ref", metavar="GRAPH_REF", help="pkg.module:attr, path/to/file.py:attr, a graph id from langgraph.json, or a LangGraph server URL")
    p.add_argument("--assistant", metavar="ID", help="on a server URL: the assistant (id or graph id) whose graph to draw (default: --thread's own, else the one graph served)")
    p.add_argument("--format", choices=("ascii", "dot", "mermaid", "json"), default="ascii", help="output format (default: ascii, the terminal drawing)")
    p.add_argument("--xray", nargs="?", const=True, default=False, type=_xray, metavar="DEPTH", help="expand subgraphs (to DEPTH levels)")
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument("--width", type=_positive_or_zero, metavar="N", help="fit the terminal drawing in N columns where possible")
    p.add_argument("--ascii-only", action="store_true", help="no Unicode box drawing, for terminals without it")
    p.add_argument("--focus", metavar="NODE", help="draw only NODE and its neighbours")
    p.add_argument("--hops", type=_hops, default=1, metavar="K", help="with --focus: neighbours up to K edges away (default 1)")
    p.add_argument("--from", dest="source", metavar="TARGET", help="mark nodes visited / next / failed / interrupted from a run in this store")
    p.add_argument("--thread", metavar="ID", help="with --from or a server URL: the thread whose run to show")
    p.add_argument("--checkpoint", metavar="ID", help="with --thread: the checkpoint to show, its id or a unique start or end of it (default: latest)")
    p.add_argument("--config", metavar="FILE", help="langgraph.json to resolve a graph id with")

    writes = "Writes: appends checkpoints to TARGET through LangGraph's checkpointer; never changes existing ones."
    p = command("resume", "answer a thread's pending interrupt(s) and run on (writes)",
                f"Answer the interrupt(s) a thread waits at, then run the workflow until it stops again. {writes}")
    p.add_argument("target", metavar="TARGET", help=_TARGET_HELP)
    p.add_argument("--thread", required=True, metavar="ID", help="thread id")
    p.add_argument("--graph", action="append", metavar="GRAPH_REF", help=_GRAPH_RUNS)
    p.add_argument("--assistant", metavar="ID", help=_ASSISTANT)
    p.add_argument("--config", metavar="FILE", help=_CONFIG_GRAPHS)
    answer = p.add_mutually_exclusive_group(required=True)
    answer.add_argument("--value", metavar="JSON", help="resume value as JSON (or @FILE)")
    answer.add_argument("--approve", action="store_true", help="approve (the value is shaped to the interrupt)")
    answer.add_argument("--reject", action="store_true", help="reject (the value is shaped to the interrupt)")
    p.add_argument("--message", metavar="TEXT", help="with --reject: the reason, passed on where the interrupt takes one")
    p.add_argument("--interrupt", metavar="ID", help="answer only this interrupt (an id or its prefix)")
    p.add_argument("--allow-module", dest="allow_modules", action="append", metavar="MODULE[:NAME]", help=_ALLOW_MODULE)
    p.add_argument("--migrate", action="store_true", help=_MIGRATE)
    p.add_argument("--json", action="store_true", help="print one JSON document (schema: ActionOutcome)")

    p = command("replay", "run one phase again from a checkpoint, on a new branch (writes)",
                "Replay from a checkpoint: the phase(s) due there run once more on a new branch and stop, "
                "and their writes are shown beside the original run's. A history row's parent is the "
                f"checkpoint before its phase. {writes}")
    p.add_argument("target", metavar="TARGET", help=_TARGET_HELP)
    p.add_argument("--thread", required=True, metavar="ID", help="thread id")
    p.add_argument("--checkpoint", required=True, metavar="ID", help="the checkpoint to replay from: its id, or a start or end of it only one checkpoint has")
    p.add_argument("--assistant", metavar="ID", help=_ASSISTANT)
    p.add_argument("--ns", default="", metavar="NS", help="the checkpoint's namespace, for a subgraph's checkpoint: the phase runs again inside the subgraph (default: the root graph)")
    p.add_argument("--node", metavar="NODE", help="the phase to run, when several are due")
    p.add_argument("--update", metavar="JSON", help="change these state keys first (a JSON object, or @FILE)")
    p.add_argument("--as-node", metavar="NODE", help="with --update: apply it as this node (default: the node that made the checkpoint)")
    p.add_argument("--allow-module", dest="allow_modules", action="append", metavar="MODULE[:NAME]", help=_ALLOW_MODULE)
    p.add_argument("--migrate", action="store_true", help=_MIGRATE)
    p.add_argument("--graph", action="append", metavar="GRAPH_REF", help=_GRAPH_RUNS)
    p.add_argument("--config", metavar="FILE", help=_CONFIG_GRAPHS)
    p.add_argument("--json", action="store_true", help="print one JSON document (schema: ActionOutcome)")

    p = command(
        "console",
        "a line-mode debugger (pdb habits; reads a script of commands from stdin)",
        "A line-mode debugger for terminals where a full-screen app is unwanted: threads, history, "
        "state, diff, messages, errors, graph, next, continue, break, answer, replay, fork, events. "
        "Interactive on a terminal (tab completion, history); otherwise one command a line from stdin, "
        "stopping at the first that fails. Without --graph it reads the store read-only: nothing is written, "
        "not even a WAL file.",
    )
    from agent_debug.tui.console import add_arguments as console_arguments

    console_arguments(p)

    p = command("threads", "list threads with their status", f"List every thread with its status. {_READ_ONLY}")
    p.add_argument("target", metavar="TARGET", help=_TARGET_HELP)
    p.add_argument("--status", type=_status, help="only threads in this state: interrupted, error, done, pending, unreadable")
    p.add_argument("--limit", type=_limit, default=50, metavar="N", help="at most N threads (0 = all; default 50)")
    p.add_argument("--json", action="store_true", help="print one JSON document (schema: ThreadList)")

    p = command("history", "list a thread's checkpoints, newest first", f"Page through a thread's checkpoints. {_READ_ONLY}")
    p.add_argument("target", metavar="TARGET", help=_TARGET_HELP)
    p.add_argument("--thread", required=True, metavar="ID", help="thread id")
    p.add_argument("--limit", type=_limit, default=50, metavar="N", help="at most N checkpoints (0 = all; default 50)")
    p.add_argument("--before", metavar="ID", help="only checkpoints older than this checkpoint (next page): its id, or a unique start or end of it")
    p.add_argument("--ns", default="", metavar="NS", help="checkpoint namespace of a subgraph ('' = root graph)")
    p.add_argument("--json", action="store_true", help="print one JSON document (schema: HistoryPage)")

    p = command(
        "stats",
        "where time, tokens and failures go across threads",
        "Per node: runs, p50/p95/max work time (time waiting at an interrupt counted apart), retries, failures by "
        "class and fingerprint, tokens and cost per model; per thread: wall and work time, steps, tokens, cost; "
        f"the slowest phases, most expensive threads, most common errors and interrupt waits. {_READ_ONLY}",
    )
    p.add_argument("target", metavar="TARGET", help="a SQLite checkpoint file (or sqlite:///PATH) or a postgresql:// DSN")
    p.add_argument("--since", metavar="WHEN", help="only threads updated since WHEN: a duration back from now (30m, 2h, 3d, 1w) or a date/time (2026-05-01T12:00, UTC unless it says)")
    p.add_argument("--status", type=_status, help="only threads in this state: interrupted, error, done, pending, unreadable")
    p.add_argument("--node", metavar="NODE", help="only this node's figures, and the threads that ran it ('sub:node' for a subgraph's node; a bare name matches it at any depth)")
    p.add_argument("--thread-prefix", metavar="TEXT", help="only threads whose id starts with TEXT")
    p.add_argument("--top", type=_top, default=10, metavar="N", help="entries in each top list and threads shown (default 10)")
    p.add_argument("--prices", metavar="FILE.json", help='price table for cost: {"MODEL": {"input": PER_1K_TOKENS, "output": PER_1K_TOKENS}}')
    p.add_argument("--json", action="store_true", help="print one JSON document (schema: StoreStats)")

    p = command("state", "show the state at a checkpoint", f"Show the values and pending work of a checkpoint. {_READ_ONLY}")
    p.add_argument("target", metavar="TARGET", help=_TARGET_HELP)
    p.add_argument("--thread", required=True, metavar="ID", help="thread id")
    p.add_argument("--checkpoint", metavar="ID", help="checkpoint id, or a start or end of it (4 characters or more, such as the 12 the debugger shows) only one checkpoint has (default: the latest)")
    p.add_argument("--ns", default="", metavar="NS", help="checkpoint namespace of a subgraph ('' = root graph)")
    p.add_argument("--path", metavar="a.b.0", help="show only the value at this dotted path")
    p.add_argument(
        "--decode",
        choices=("safe", "full"),
        default="safe",
        help="safe (default): never import modules named in the stored data; "
        "full: decode through LangGraph's serializer, which imports them (trusted stores only)",
    )
    p.add_argument("--diff-from", metavar="ID", help="print what changed from this checkpoint (its id, or a start or end "
                   "of it) to --checkpoint instead: any two checkpoints of the thread and namespace, on any fork branch")
    p.add_argument("--json", action="store_true", help="print one JSON document (schema: CheckpointState; StateComparison with --diff-from)")
    return parser


def _live_event_flags(p: argparse.ArgumentParser) -> None:
    """Flags of the commands that show live events (``run``, ``attach``)."""
    p.add_argument("--stuck-after", type=float, default=60.0, metavar="SECONDS", help="flag a phase running longer than this as stuck (default 60; 0 = never)")
    p.add_argument("--stuck", dest="stuck_overrides", action="append", metavar="NODE=SECONDS", help="per-node stuck threshold; NODE=off (or 0) never flags NODE (repeatable)")
    p.add_argument("--prices", metavar="FILE.json", help='price table for cost per phase and run: {"MODEL": {"input": PER_1K_TOKENS, "output": PER_1K_TOKENS}}')
