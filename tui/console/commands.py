"""The console's commands, as data: name, aliases, arguments, help, what each argument
completes to, and the handler.

Handlers get the rest of the line as typed. Words are split on whitespace; a JSON value
is the rest of the line (spaces and all), so ``answer {"approved": false, "feedback":
"use orjson"}`` needs no quoting. Every refusal of an action is the session's; the
handlers only read arguments and print.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from agent_debug.inspector.exceptions import InspectorError, NotFoundError, UsageError
from agent_debug.inspector.vocabulary import ThreadStatus
from agent_debug.tui import render
from agent_debug.tui.console import report
from agent_debug.tui.console.debugger import LineDebugger

Handler = Callable[[LineDebugger, "Arguments"], None]

#: The event kinds ``events`` filters on.
EVENT_KINDS = (
    "run_started", "run_finished", "phase_started", "phase_finished", "thinking", "token", "log", "custom",
    "tool_call", "tool_result", "error", "interrupt", "checkpoint", "usage",
)  # fmt: skip


class Leave(Exception):
    """``quit``: leave the console."""


@dataclass(frozen=True)
class Command:
    """One console command."""

    name: str
    usage: str
    """The arguments, as ``help`` shows them."""
    summary: str
    run: Handler
    aliases: tuple[str, ...] = ()
    flags: Mapping[str, str | None] = field(default_factory=dict)
    """Each option, with what its value completes to (None: it takes no value)."""
    completes: tuple[str, ...] = ()
    """What the words after the command complete to, in order (see ``completion``)."""
    words: int = 0
    """How many whitespace-separated words it takes before the rest of the line."""
    rest: str | None = None
    """What the rest of the line is, if the command takes one: "json" (a JSON value, or
    approve/reject words before it), "value" (one value, spaces and all: a thread id) or
    "words" (each word of the same kind) or "condition" (``if EXPR``: the words after
    ``if`` complete to the state's keys)."""
    repeat: bool = False
    """An empty line runs it again (interactive, as in pdb)."""
    details: str = ""


@dataclass
class Arguments:
    """A command's arguments: its options, its words and the rest of the line."""

    command: Command
    options: dict[str, Any]
    words: list[str]
    rest: str

    def none(self) -> None:
        """Refuse any argument."""
        if self.words or self.rest or self.options:
            raise UsageError(f"{self.command.name} takes no arguments; usage: {usage(self.command)}")


_WORD = re.compile(r"(\S+)\s*(.*)", re.S)
_NUMBER = re.compile(r"-\d")


def parse_arguments(command: Command, text: str) -> Arguments:
    """Split what follows a command into its options, its words and the rest of the line."""
    options: dict[str, Any] = {}
    words: list[str] = []
    text = text.strip()
    while text:
        match = _WORD.match(text)
        assert match is not None
        word, after = match.group(1), match.group(2)
        if command.flags and word.startswith("-") and len(word) > 1 and not _NUMBER.match(word):
            name = FLAG_ALIASES.get(word, word)
            if name not in command.flags:
                known = ", ".join(f for f in command.flags if f.startswith("--")) or "none"
                raise UsageError(f"{command.name}: unknown option {word} (its options: {known}); usage: {usage(command)}")
            if command.flags[name] is None:
                options[name] = True
            else:
                value = _WORD.match(after)
                if value is None:
                    raise UsageError(f"{command.name}: {word} needs a value; usage: {usage(command)}")
                options[name], after = value.group(1), value.group(2)
        elif len(words) < command.words and not (command.rest == "json" and word[0] in "{[@\""):
            words.append(word)
        elif command.rest is not None:
            return Arguments(command, options, words, text)
        else:
            raise UsageError(f"{command.name}: unexpected argument '{word}'; usage: {usage(command)}")
        text = after.strip()
    return Arguments(command, options, words, "")


FLAG_ALIASES = {"-i": "--interrupt", "-a": "--after"}


def usage(command: Command) -> str:
    """``name ARGS``."""
    return f"{command.name} {command.usage}".strip()


def _count(word: str, what: str) -> int:
    if not word.isdigit() or len(word) > 9:
        raise UsageError(f"{what}: expected a number (0 for all), got '{word}'")
    return int(word)


# -- browsing -----------------------------------------------------------------------------


def _threads(dbg: LineDebugger, args: Arguments) -> None:
    status: ThreadStatus | None = None
    limit = 50
    for word in args.words:
        if word.isdigit():
            limit = _count(word, "threads")
        else:
            try:
                status = ThreadStatus(word)
            except ValueError:
                choices = ", ".join(s.value for s in ThreadStatus)
                raise UsageError(f"threads: expected a status ({choices}) or a number, got '{word}'") from None
    doc = dbg.session.source.threads(status=status)
    total = len(doc.threads)
    if not doc.threads:
        what = f"{status.value} threads" if status else "threads"
        dbg.say(f"no {what} in {dbg.session.target} ({doc.total} threads in all)")
        return
    if limit:
        doc = doc.model_copy(update={"threads": doc.threads[:limit]})
    dbg.show(render.thread_grid(doc))
    if len(doc.threads) < total or status is not None:
        more = "; 'threads 0' lists all" if len(doc.threads) < total else ""
        dbg.say(f"{len(doc.threads)} shown of {total} {status.value + ' ' if status else ''}threads ({doc.total} in all){more}")


def _thread(dbg: LineDebugger, args: Arguments) -> None:
    if args.rest:
        dbg.select_thread(args.rest)
    thread_id = dbg.require_thread()
    report.thread_report(dbg, dbg.session.thread(thread_id))
    points = _point_names(dbg)
    if points:
        dbg.say(f"  breakpoints: {', '.join(points)}")
    if dbg.session.break_on_error:
        dbg.say("  break on error: on")


def _point_names(dbg: LineDebugger) -> list[str]:
    """The breakpoints that stop runs, as ``before review if iterations > 1``."""
    return [p.describe() for p in dbg.session.breakpoint_list() if p.enabled]


def _history(dbg: LineDebugger, args: Arguments) -> None:
    count = _count(args.words[0], "history") if args.words else 20
    report.history_report(dbg, count)


def _checkpoint(dbg: LineDebugger, args: Arguments) -> None:
    if args.words:
        ref = args.words[0]
        checkpoint_id = dbg.resolve(ref)
        state = dbg.state(checkpoint_id)  # the source refuses an id the thread does not have
        dbg.checkpoint_id = None if ref == "head" else state.checkpoint_id
    report.checkpoint_report(dbg, dbg.state())


def _up(dbg: LineDebugger, args: Arguments) -> None:
    steps = _count(args.words[0], "up") if args.words else 1
    by_id = {r.checkpoint_id: r for r in dbg.rows()}
    current = dbg.selected_id()
    for _ in range(steps):
        parent = by_id[current].parent_id if current in by_id else None
        if parent is None or parent not in by_id:
            raise InspectorError(f"checkpoint {report.checkpoint_name(dbg, current)} is the first of its thread: nothing before it")
        current = parent
    dbg.checkpoint_id = current
    report.checkpoint_report(dbg, dbg.state())


def _down(dbg: LineDebugger, args: Arguments) -> None:
    steps = _count(args.words[0], "down") if args.words else 1
    rows = dbg.rows()
    parents = {r.checkpoint_id: r.parent_id for r in rows}
    # On the way to the newest checkpoint when the selection is on its branch; else the
    # newest child.
    head_line: list[str] = []
    at: str | None = dbg.head_id()
    while at is not None:
        head_line.append(at)
        at = parents.get(at)
    current = dbg.selected_id()
    for _ in range(steps):
        children = [r.checkpoint_id for r in rows if r.parent_id == current]
        if not children:
            raise InspectorError(f"checkpoint {report.checkpoint_name(dbg, current)} is the newest of its branch: nothing after it")
        on_line = [c for c in children if c in head_line]
        current = on_line[0] if on_line else children[-1]
    dbg.checkpoint_id = current
    report.checkpoint_report(dbg, dbg.state())


def _namespace(dbg: LineDebugger, args: Arguments) -> None:
    thread_id = dbg.require_thread()
    spaces = dbg.session.source.namespaces(thread_id)
    if args.words:
        ref = args.words[0]
        names = [n.namespace for n in spaces]
        if ref in ("root", "/", "''", '""'):
            chosen = ""
        elif ref in names:
            chosen = ref
        else:
            matches = [n for n in names if n.startswith(ref)]
            if len(matches) > 1:
                raise UsageError(f"namespace '{ref}' is the start of more than one in thread '{thread_id}' ({', '.join(matches[:3])}): type more of it")
            chosen = matches[0] if matches else ref
        previous = dbg.namespace, dbg.checkpoint_id
        dbg.namespace, dbg.checkpoint_id = chosen, None
        try:
            dbg.rows()  # the source refuses a namespace the thread does not have
        except InspectorError:
            dbg.namespace, dbg.checkpoint_id = previous
            raise
    for n in spaces:
        mark = ">" if n.namespace == dbg.namespace else " "
        dbg.say(f"{mark} {n.namespace or '(root)'}  {n.checkpoint_count} checkpoints, newest {n.latest_checkpoint_id}")


def _state(dbg: LineDebugger, args: Arguments) -> None:
    doc = dbg.state(path=args.words[0] if args.words else None)
    render.render_state(dbg.console, doc)


def _diff(dbg: LineDebugger, args: Arguments) -> None:
    from agent_debug.inspector.diff import diff_between

    thread_id = dbg.require_thread()
    after = dbg.state()
    against = dbg.resolve(args.words[0]) if args.words else after.parent_id
    before = dbg.state(against) if against else None
    diff = diff_between(before, after)
    source = f"checkpoint {report.checkpoint_name(dbg, against)}" if against else "nothing (the thread's first checkpoint)"
    dbg.say(f"thread {thread_id}: checkpoint {report.checkpoint_name(dbg, after.checkpoint_id)} against {source}")
    report.diff_report(dbg, diff)


def _messages(dbg: LineDebugger, args: Arguments) -> None:
    args.none()
    doc = dbg.state()
    if not doc.messages:
        dbg.say(f"no messages in the state at checkpoint {report.checkpoint_name(dbg, doc.checkpoint_id)}")
        return
    dbg.say(f"{len(doc.messages)} messages at checkpoint {report.checkpoint_name(dbg, doc.checkpoint_id)}")
    for i, message in enumerate(doc.messages):
        dbg.say(f"[{i}]")
        dbg.show(render.message_block(message))


def _errors(dbg: LineDebugger, args: Arguments) -> None:
    args.none()
    doc = dbg.state()
    if not doc.errors:
        dbg.say(f"no errors pending at checkpoint {report.checkpoint_name(dbg, doc.checkpoint_id)}")
    for e in doc.errors:
        dbg.say(f"error in {e.node}: {e.type}: {e.message}")
        if e.classification:
            sure = f" ({e.confidence:.0%} sure)" if e.confidence is not None else ""
            dbg.say(f"  {e.classification}{sure}: {e.suggestion or ''}")
    seen = [e for e in dbg.events if e.kind == "error" and e.thread_id == dbg.thread_id]
    if seen:
        dbg.say(f"{len(seen)} error event(s) in this console's runs of the thread ('events error' shows them)")


def _graph(dbg: LineDebugger, args: Arguments) -> None:
    from agent_debug.graphviz_export.model import apply_status, graph_model
    from agent_debug.graphviz_export.terminal import layout, render_text

    compiled = dbg.session.user_graph_of(dbg.thread_id)
    xray = bool(args.options.get("--xray"))
    if compiled is None and dbg.session.remote is not None:
        # A server draws the assistant it runs for the thread.
        from agent_debug.tui.cli.graph import assistant_model

        model = assistant_model(dbg.session.source, dbg.session.remote.assistant_for(dbg.thread_id), xray=xray)
    elif compiled is None:
        raise InspectorError(f"no graph to draw: {dbg.session.target} is open without one; start the console with --graph GRAPH_REF")
    else:
        try:
            model = graph_model(compiled, xray=xray)
        except Exception as exc:  # get_graph() itself can fail on unusual graphs
            raise InspectorError(f"cannot draw the graph: get_graph() failed: {type(exc).__name__}: {exc}") from exc
    if dbg.thread_id is not None:
        from agent_debug.tui.graph_status import graph_status

        at = dbg.selected_id() if not dbg.namespace else None
        model = apply_status(model, graph_status(dbg.session.source, dbg.thread_id, at, model=model))
    tty = dbg.console.is_terminal
    drawing = layout(model, width=dbg.console.width if tty else None)
    if tty:
        from agent_debug.tui.graph_text import layout_text

        dbg.show(layout_text(drawing))
    else:
        for line in render_text(drawing).splitlines():
            dbg.say(line)


def _events(dbg: LineDebugger, args: Arguments) -> None:
    from agent_debug.tui.event_lines import EventPrinter

    recorded = getattr(dbg.session.source, "events", None)
    events = [*(recorded() if callable(recorded) else ()), *dbg.events]
    if not events:
        dbg.say("no events yet: the events of the runs this console starts (next, continue, answer, replay) are kept here")
        return
    words = [w.lower() for w in args.rest.split()]
    chosen = [e for e in events if all(_event_matches(e, w) for w in words)]
    printer = EventPrinter(dbg.out)
    for event in chosen:
        printer(event)
    dbg.say(f"{len(chosen)} of {len(events)} events" + (f" matching {' '.join(words)}" if words else ""))


def _event_matches(event: Any, word: str) -> bool:
    # A word naming a kind (or the start of kinds: phase, tool, run) filters by kind only;
    # any other word matches the node, or any text in the event.
    if any(kind.startswith(word) for kind in EVENT_KINDS):
        return event.kind.startswith(word)
    return (event.node or "").lower() == word or word in event.model_dump_json().lower()


# -- acting ----------------------------------------------------------------------------------


def _after_action(dbg: LineDebugger, outcome: Any) -> None:
    dbg.namespace = outcome.namespace
    dbg.follow_head()
    report.outcome_report(dbg, outcome)


def _next(dbg: LineDebugger, args: Arguments) -> None:
    args.none()
    thread_id = dbg.require_thread()
    _after_action(dbg, dbg.act(lambda: dbg.session.step(thread_id)))


def _continue(dbg: LineDebugger, args: Arguments) -> None:
    args.none()
    thread_id = dbg.require_thread()
    _after_action(dbg, dbg.act(lambda: dbg.session.cont(thread_id)))


def _cancel(dbg: LineDebugger, args: Arguments) -> None:
    args.none()
    thread_id = dbg.require_thread()
    cancelled = dbg.session.cancel(thread_id)
    dbg.say(f"cancelled run {', '.join(cancelled)} of {thread_id}" if cancelled else f"no run of {thread_id} is going on the server")


def _break(dbg: LineDebugger, args: Arguments) -> None:
    after = bool(args.options.get("--after"))
    if not args.words:
        points = _point_names(dbg)
        dbg.say(f"breakpoints: {', '.join(points)}" if points else "no breakpoints")
        return
    node, condition = args.words[0], _condition(args)
    now_set = dbg.session.toggle_breakpoint(node, after=after, condition=condition)
    point = dbg.session.breakpoint_at(node, after=after)
    said = point.describe() if now_set and point is not None else f"{'after' if after else 'before'} {node}"
    dbg.say(f"breakpoint {'set' if now_set else 'cleared'} {said}")


def _condition(args: Arguments) -> str | None:
    """The ``if EXPR`` after a node, as typed; None when there is none."""
    if not args.rest:
        return None
    word, _, expr = args.rest.partition(" ")
    if word != "if":
        raise UsageError(f"{args.command.name}: expected 'if CONDITION' after the node, got '{word}'; usage: {usage(args.command)}")
    if not expr.strip():
        raise UsageError(f"{args.command.name}: 'if' needs a condition on the state, e.g. 'iterations >= 2'")
    return expr.strip()


def _catch(dbg: LineDebugger, args: Arguments) -> None:
    session = dbg.session
    if args.words and args.words[0] != "error":
        raise UsageError(f"catch: only 'catch error' is known, got '{args.words[0]}'; usage: {usage(args.command)}")
    if args.words:
        switch = args.words[1] if len(args.words) > 1 else None
        if switch not in (None, "on", "off"):
            raise UsageError(f"catch error: expected on or off, got '{switch}'")
        session.set_break_on_error(not session.break_on_error if switch is None else switch == "on")
    state = "on: a run pauses at the step after any error, a retried attempt included" if session.break_on_error else "off"
    dbg.say(f"break on error {state}")


def _breakpoints(dbg: LineDebugger, args: Arguments) -> None:
    args.none()
    session = dbg.session
    points = session.breakpoint_list()
    if not points:
        dbg.say("no breakpoints")
    for number, point in enumerate(points, 1):
        off = "  (off)" if not point.enabled else ""
        dbg.say(f"{number:>2}  {point.describe()}  hits {point.hits}{off}")
    dbg.say(f"break on error: {'on' if session.break_on_error else 'off'}")


def _clear(dbg: LineDebugger, args: Arguments) -> None:
    session = dbg.session
    if not args.words:
        count = len(session.break_before) + len(session.break_after)
        session.clear_breakpoints()
        dbg.say(f"cleared {count} breakpoint(s)")
        return
    node = args.words[0]
    cleared = [where for where in ("before", "after") if session.clear_breakpoint(node, after=where == "after")]
    if not cleared:
        raise NotFoundError(f"no breakpoint on '{node}' ('break' lists them)")
    dbg.say(f"breakpoint cleared {' and '.join(cleared)} {node}")


def _answer(dbg: LineDebugger, args: Arguments) -> None:
    from agent_debug.tui.cli.json_input import parse_json_arg

    thread_id = dbg.require_thread()
    interrupt_id = args.options.get("--interrupt")
    text = args.rest
    if not text:
        summary = dbg.session.thread(thread_id)
        if not summary.interrupts:
            dbg.say(f"thread {thread_id} is not waiting at an interrupt ({summary.status.value})")
            return
        dbg.say(f"thread {thread_id} waits at {len(summary.interrupts)} interrupt(s):")
        report.interrupt_lines(dbg, summary.interrupts)
        dbg.say("answer with: answer approve | answer reject [REASON] | answer JSON  (-i ID for one of several)")
        return
    word, _, reason = text.partition(" ")
    request: dict[str, Any]
    if word == "approve":
        if reason.strip():
            raise UsageError("answer approve takes no reason (answer reject REASON, or answer JSON to send a value)")
        request = {"approve": True}
    elif word == "reject":
        request = {"reject": True, "message": reason.strip() or None}
    else:
        request = {"value": parse_json_arg(text, "the answer"), "has_value": True}
    plan = dbg.session.plan_resume(thread_id, interrupt_id=interrupt_id, **request)
    _after_action(dbg, dbg.act(lambda: dbg.session.resume(thread_id, plan)))


def _update(text: str, what: str) -> dict[str, Any]:
    from agent_debug.tui.cli.json_input import parse_json_arg

    update = parse_json_arg(text, what)
    if not isinstance(update, dict):
        raise UsageError(f"{what} must be a JSON object of state keys to change")
    return update


def _replay(dbg: LineDebugger, args: Arguments) -> None:
    thread_id = dbg.require_thread()
    checkpoint_id = dbg.resolve(args.words[0]) if args.words else dbg.selected_id()
    update = _update(args.rest, "the replay's update") if args.rest else None
    node, as_node = args.options.get("--node"), args.options.get("--as")
    namespace = dbg.namespace
    outcome = dbg.act(
        lambda: dbg.session.replay(thread_id, checkpoint_id, node=node, update=update, namespace=namespace, as_node=as_node)
    )
    _after_action(dbg, outcome)


def _fork(dbg: LineDebugger, args: Arguments) -> None:
    from agent_debug.tui.cli.json_input import parse_json_arg

    thread_id = dbg.require_thread()
    text = args.rest
    if not text:
        raise UsageError(f"fork needs the change: {usage(args.command)}")
    if text[0] in "{@":
        update = _update(text, "the fork's update")
    else:
        path, eq, value = text.partition("=")
        path = path.strip()
        if not eq or not path or " " in path:
            raise UsageError(f"fork: expected PATH=JSON (such as plan=[\"a\"] or report.score=3), got '{text}'")
        update = _update_at(dbg, path, parse_json_arg(value.strip(), f"the value of {path}"))
    checkpoint_id = dbg.selected_id()
    as_node, namespace = args.options.get("--as"), dbg.namespace
    _after_action(dbg, dbg.session.fork(thread_id, checkpoint_id, update, as_node=as_node, namespace=namespace))


def _update_at(dbg: LineDebugger, path: str, value: Any) -> dict[str, Any]:
    """The update that sets ``path`` (``key`` or ``key.sub.0``) to ``value``: a nested path
    sends its whole top-level key, changed at that place, from the selected checkpoint."""
    key, dot, inner = path.partition(".")
    if not dot:
        return {key: value}
    parts = inner.split(".")
    parent = dbg.state(path=".".join([key, *parts[:-1]]))  # the source names a path that is not there
    if not isinstance(parent.values, dict | list):
        raise UsageError(f"fork {path}: the value at {'.'.join([key, *parts[:-1]])} is not an object or a list")
    whole = copy.deepcopy(dbg.state().values[key])
    if _holds_stored_objects(whole):
        raise UsageError(
            f"fork {path}: '{key}' holds stored objects, which an update cannot send back as they were; "
            f"give the whole key instead: fork {key}=JSON"
        )
    at = whole
    for part in parts[:-1]:
        at = at[int(part)] if isinstance(at, list) else at[part]
    last = parts[-1]
    if isinstance(at, list):
        if not last.isdigit() or int(last) >= len(at):
            raise UsageError(f"fork {path}: {last} is not an index of the list (it has {len(at)} items)")
        at[int(last)] = value
    else:
        at[last] = value
    return {key: whole}


def _holds_stored_objects(value: Any) -> bool:
    if isinstance(value, dict):
        return "__type__" in value or any(_holds_stored_objects(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_stored_objects(v) for v in value)
    return False


# -- the console itself ----------------------------------------------------------------------


def _help(dbg: LineDebugger, args: Arguments) -> None:
    if args.words:
        command = lookup(args.words[0])
        names = ", ".join((command.name, *command.aliases))
        dbg.say(f"{usage(command)}    ({names})")
        dbg.say(f"  {command.summary}")
        for line in command.details.strip().splitlines():
            dbg.say(f"  {line.strip()}")
        return
    width = max(len(usage(c)) for c in COMMANDS)
    for c in COMMANDS:
        aliases = f" ({', '.join(c.aliases)})" if c.aliases else ""
        dbg.say(f"  {usage(c):<{width}}  {c.summary}{aliases}")
    dbg.say("CKPT is #N or N (as 'history' numbers them, 0 the oldest), head, '.', or a checkpoint id, its start or its end.")
    dbg.say("'help COMMAND' tells more; Tab completes commands, thread and checkpoint ids, nodes and state paths.")


def _quit(dbg: LineDebugger, args: Arguments) -> None:
    args.none()
    raise Leave


_CKPT = (
    "CKPT: #N or N (as 'history' numbers them, from 0 for the oldest; appending never renumbers), "
    "head (the newest), '.' (the selected one), or a checkpoint id, or its start or its end (4 characters or more, "
    "such as the 12 the TUI shows) that only one id has."
)

COMMANDS: tuple[Command, ...] = (
    Command("threads", "[STATUS] [N]", "list threads (the newest N, default 50; 0 all), or only those in STATUS", _threads,
            completes=("status",), words=2,
            details="STATUS: interrupted, error, done, pending or unreadable."),
    Command("thread", "[ID]", "select thread ID (at its newest checkpoint), or show where the selected one stands", _thread,
            completes=("thread",), rest="value",
            details="The id is the rest of the line, spaces and all. The prompt shows the thread and the selected checkpoint."),
    Command("history", "[N]", "the selected thread's newest N checkpoints (default 20; 0 all), numbered #0 from the oldest",
            _history, words=1,
            details="BY: the node(s) whose run made the checkpoint; THEN: what ran (or is due) after it; "
                    "BRANCH: a checkpoint whose parent is not the row below it. '>' marks the selected one."),
    Command("checkpoint", "[CKPT]", "select a checkpoint (state, diff, messages, errors, fork and replay act there)", _checkpoint,
            aliases=("ck",), completes=("checkpoint",), words=1, details=_CKPT),
    Command("up", "[N]", "select the parent checkpoint (N times)", _up, aliases=("u",), words=1, repeat=True),
    Command("down", "[N]", "select the child checkpoint (N times), towards the newest", _down, aliases=("d",), words=1, repeat=True,
            details="Where a checkpoint has several children (a fork), down follows the branch of the newest checkpoint."),
    Command("ns", "[NAMESPACE]", "list the thread's checkpoint namespaces, or select one (root: the root graph)", _namespace,
            completes=("namespace",), words=1,
            details="A subgraph's checkpoints live in its own namespace; history, state, diff, replay and fork act in the selected one."),
    Command("state", "[PATH]", "the state at the selected checkpoint, or the value at a dotted PATH (messages.0.content)", _state,
            completes=("path",), words=1),
    Command("diff", "[CKPT]", "what the selected checkpoint changed from its parent (or from CKPT)", _diff,
            completes=("checkpoint",), words=1, details=_CKPT),
    Command("messages", "", "the messages in the state at the selected checkpoint", _messages),
    Command("errors", "", "the errors pending at the selected checkpoint, with what to do about them", _errors),
    Command("graph", "[--xray]", "draw the graph, nodes marked as run, next, failed or interrupted at the selected checkpoint",
            _graph, flags={"--xray": None}),
    Command("next", "", "run the next step of the thread and stop", _next, aliases=("n", "step"), repeat=True),
    Command("continue", "", "run to the next breakpoint, interrupt, error or the end (Ctrl-C pauses)", _continue,
            aliases=("c", "cont")),
    Command("cancel", "", "cancel the selected thread's runs on a LangGraph server, whoever started them", _cancel),
    Command("break", "[--after] [NODE [if CONDITION]]", "set (or, if set, remove) a breakpoint before NODE, or after it; "
            "list them", _break, aliases=("b",), flags={"--after": None}, completes=("node", "if"), words=1, rest="condition",
            details="Subgraph nodes are named SUBGRAPH:NODE. Breakpoints hold for the runs this console starts. "
                    "With 'if CONDITION' (a Python expression on the state: iterations >= 2 and not approved, "
                    "messages[-1].type == 'ai', len(plan) > 3) a run stops there only when it holds; names are state keys "
                    "(a key not set yet is None), 'state' is the whole state. A condition that fails to evaluate stops the run."),
    Command("catch", "[error [on|off]]", "break on error: pause a run at the step after any error (a retried attempt too)",
            _catch, completes=("catch", "switch"), words=2),
    Command("breakpoints", "", "every breakpoint, its condition and how many times it stopped a run; break on error", _breakpoints,
            aliases=("bl",)),
    Command("clear", "[NODE]", "remove the breakpoint(s) on NODE, or all of them", _clear, aliases=("cl",),
            completes=("breakpoint",), words=1),
    Command("answer", "[-i ID] [approve | reject [REASON] | JSON]", "answer the pending interrupt(s) and run on; alone: show them",
            _answer, aliases=("a",), flags={"--interrupt": "interrupt"}, completes=("answer",), rest="json",
            details="approve and reject send the value the interrupt's own shape says; JSON (or @FILE) is sent as it is. "
                    "-i ID (an id or its prefix) picks one of several pending interrupts."),
    Command("replay", "[CKPT] [--node NODE] [--as NODE] [JSON]", "run the phase due at CKPT (default: the selected one) again, "
            "on a new branch, and stop", _replay, aliases=("r",), flags={"--node": "node", "--as": "node"},
            completes=("checkpoint",), words=1, rest="json",
            details="JSON (an object, or @FILE) changes those state keys first, as --as NODE (default: the node that made "
                    "the checkpoint). --node picks one phase when several are due. " + _CKPT),
    Command("fork", "[--as NODE] PATH=JSON | JSON", "a new branch from the selected checkpoint with one value (or an object "
            "of keys) changed", _fork, flags={"--as": "node"}, completes=("path",), rest="json",
            details="PATH is a state key or a dotted path into one (report.score): the whole key is sent, changed at "
                    "that place, and the key's reducer applies as LangGraph applies it to an update."),
    Command("events", "[FILTER...]", "the events of this console's runs (or of a recording): only those matching every word",
            _events, completes=("event",), rest="words",
            details="A word matches an event's kind (error, log, phase, tool...), its node, or any text in it."),
    Command("help", "[COMMAND]", "the commands, or more on one", _help, aliases=("h", "?"), completes=("command",), words=1),
    Command("quit", "", "leave the console (Ctrl-D too)", _quit, aliases=("q", "exit")),
)

_BY_NAME: dict[str, Command] = {name: c for c in COMMANDS for name in (c.name, *c.aliases)}


def lookup(word: str) -> Command:
    """The command named ``word`` (or one of its aliases); a usage error otherwise."""
    command = _BY_NAME.get(word)
    if command is None:
        import difflib

        close = difflib.get_close_matches(word, list(_BY_NAME), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise UsageError(f"unknown command '{word}'{hint} ('help' lists the commands)")
    return command


def split_line(line: str) -> tuple[str, str]:
    """A command line's first word and the rest."""
    match = _WORD.match(line.strip())
    return (match.group(1), match.group(2)) if match else ("", "")
