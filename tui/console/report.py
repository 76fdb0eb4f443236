"""What the console prints for a thread, a checkpoint, the history, a diff and an action's
outcome. Every id, node name and value comes from the store: it is escaped on the way
out (``LineDebugger.say`` and ``render.grid`` do it)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from agent_debug.inspector.exceptions import InspectorError
from agent_debug.tui import render

if TYPE_CHECKING:
    from agent_debug.inspector.model import ActionOutcome, CheckpointState, InterruptInfo, StateDiff, ThreadSummary
    from agent_debug.tui.console.debugger import LineDebugger


def short(value: Any, width: int = 100) -> str:
    """A value as one line of JSON (repr for what JSON cannot show), cut at ``width``."""
    text = value if isinstance(value, str) else json.dumps(value, default=repr, ensure_ascii=False)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def checkpoint_name(dbg: LineDebugger, checkpoint_id: str) -> str:
    """``#N 1f1e76de-b41c`` for a checkpoint of the selected thread and namespace (the id alone otherwise)."""
    index = dbg.index_of(checkpoint_id)
    return f"#{index} {dbg.short(checkpoint_id)}" if index is not None else checkpoint_id


def interrupt_lines(dbg: LineDebugger, interrupts: list[InterruptInfo], label: str = "interrupt") -> None:
    """Each pending interrupt: its id, the node that asked, and what it asks."""
    for i in interrupts:
        where = f" (subgraph {i.namespace.split(':')[0]})" if i.namespace else ""
        dbg.say(f"  {label} {i.id} in {i.node}{where}: {short(i.value, 120)}")
        if i.response_schema is not None:
            dbg.say(f"    response schema: {short(i.response_schema, 120)}")


def thread_report(dbg: LineDebugger, summary: ThreadSummary) -> None:
    """Where a thread stands: status, newest checkpoint, what runs next, what it waits at."""
    head = checkpoint_name(dbg, summary.checkpoint_id) if dbg.thread_id == summary.thread_id and not dbg.namespace else summary.checkpoint_id
    step = f"step {summary.last_step}" if summary.last_step is not None else "no step"
    by = f" by {summary.last_node}" if summary.last_node else ""
    nxt = f"; next: {', '.join(summary.next)}" if summary.next else ""
    dbg.say(f"thread {summary.thread_id}: {summary.status.value} at {head} ({step}{by}), {'?' if summary.checkpoint_count is None else summary.checkpoint_count} checkpoints{nxt}")
    if summary.read_error:
        dbg.say(f"  unreadable: {summary.read_error}")
    interrupt_lines(dbg, summary.interrupts)
    for e in summary.errors:
        dbg.say(f"  error in {e.node}: {e.type}: {short(e.message, 160)}")


def checkpoint_report(dbg: LineDebugger, state: CheckpointState) -> None:
    """One line for a checkpoint: its number, id, step, source and what runs after it."""
    row = next((r for r in dbg.rows() if r.checkpoint_id == state.checkpoint_id), None)
    by = f" by {', '.join(row.nodes)}" if row is not None and row.nodes else ""
    nxt = f"; next: {', '.join(state.next)}" if state.next else "; nothing runs after it"
    index = dbg.index_of(state.checkpoint_id)
    number = f"#{index} " if index is not None else ""
    dbg.say(f"checkpoint {number}{state.checkpoint_id} (step {state.step}, {state.source or '-'}{by}){nxt}")


def history_report(dbg: LineDebugger, count: int) -> None:
    """The newest ``count`` checkpoints (0: all), newest first, numbered from the oldest."""
    rows = dbg.rows()
    selected = dbg.selected_id()
    then: dict[str, list[str]] = {}
    # What ran after a checkpoint: the nodes of its children (on every branch from it);
    # after the newest root checkpoint, what is due.
    for r in rows:
        if r.parent_id:
            after = then.setdefault(r.parent_id, [])
            for node in r.nodes:
                if node not in after:
                    after.append(node)
    if not dbg.namespace and rows:
        summary = dbg.session.thread(dbg.require_thread(), fresh=False)
        then.setdefault(summary.checkpoint_id, list(summary.next))
    start = 0 if count == 0 else max(0, len(rows) - count)
    table = []
    for i in range(len(rows) - 1, start - 1, -1):
        r = rows[i]
        branch = ""
        if r.parent_id and i > 0 and rows[i - 1].checkpoint_id != r.parent_id:
            parent = dbg.index_of(r.parent_id)
            branch = f"branch from #{parent}" if parent is not None else f"branch from {r.parent_id}"
        table.append(
            [
                (">" if r.checkpoint_id == selected else "", "bold"),
                f"#{i}",
                r.checkpoint_id,
                "-" if r.step is None else str(r.step),
                r.source or "-",
                ", ".join(r.nodes) or "-",
                ", ".join(then.get(r.checkpoint_id, [])) or "-",
                render.age(r.created_at),
                (branch, "yellow"),
            ]
        )
    dbg.show(render.grid(("", "#", "CHECKPOINT", "STEP", "SOURCE", "BY", "THEN", "CREATED", "BRANCH"), table, right=(1, 3)))
    where = f" in namespace {dbg.namespace}" if dbg.namespace else ""
    dbg.say(f"{len(table)} of {len(rows)} checkpoints of thread {dbg.thread_id}{where}" + ("; 'history 0' lists all" if len(table) < len(rows) else ""))


def diff_report(dbg: LineDebugger, diff: StateDiff, indent: str = "") -> None:
    """What changed, one line a value: ``+`` added, ``-`` removed, ``~`` changed."""
    if not diff.changes and not diff.messages:
        dbg.say(f"{indent}no state changes")
        return
    for c in diff.changes:
        if c.kind == "added":
            dbg.say(f"{indent}+ {c.path}: {short(c.after)}")
        elif c.kind == "removed":
            dbg.say(f"{indent}- {c.path}: {short(c.before)}")
        else:
            dbg.say(f"{indent}~ {c.path}: {short(c.before, 60)} → {short(c.after, 60)}")
    for m in diff.messages:
        mark = {"added": "+", "removed": "-", "changed": "~"}[m.kind]
        dbg.say(f"{indent}{mark} {m.channel}[{m.index}] {m.message.role}: {short(m.message.text, 100)}")


def outcome_report(dbg: LineDebugger, outcome: ActionOutcome) -> None:
    """What an action did; raises an ``InspectorError`` when the workflow failed, so a
    script stops there (after everything else is printed)."""
    if outcome.action == "resume" and isinstance(outcome.sent, dict):
        for interrupt_id, value in outcome.sent.items():
            dbg.say(f"sent to interrupt {interrupt_id}: {short(value)}")
    if outcome.action == "replay":
        inside = f" inside subgraph {outcome.namespace.split(':')[0]}" if outcome.namespace else ""
        update = f" with update {short(outcome.sent)}" if outcome.sent is not None else ""
        dbg.say(f"replayed {', '.join(outcome.phases)}{inside} from checkpoint {outcome.replayed_from}{update}")
        dbg.say("  original writes:")
        for w in outcome.original_writes:
            dbg.say(f"    {w.node}.{w.channel} = {short(w.value)}")
        dbg.say("  replay writes:")
        for w in outcome.replay_writes:
            dbg.say(f"    {w.node}.{w.channel} = {short(w.value)}")
    if outcome.action == "fork":
        dbg.say(f"forked from checkpoint {outcome.replayed_from} with {short(outcome.sent)}")
    names = [checkpoint_name(dbg, c) for c in outcome.new_checkpoints] if dbg.namespace == outcome.namespace else outcome.new_checkpoints
    dbg.say(f"appended {len(outcome.new_checkpoints)} checkpoint(s) to {outcome.target}: {', '.join(names) or '-'}")
    if outcome.diff is not None:
        diff_report(dbg, outcome.diff, indent="  ")
    head = checkpoint_name(dbg, outcome.head) if not dbg.namespace else outcome.head
    nxt = f"; next: {', '.join(outcome.next)}" if outcome.next else ""
    dbg.say(f"thread {outcome.thread_id} is now {outcome.status.value} at {head}{nxt}")
    stopped = sorted(set(outcome.next) & dbg.session.break_before)
    if outcome.stopped_by == "error":
        dbg.say(f"  stopped: {outcome.stop_reason}")
    elif outcome.paused:
        dbg.say("  paused at a step boundary")
    elif outcome.stopped_by == "breakpoint":
        dbg.say(f"  stopped at the breakpoint {outcome.stop_reason}")
    elif stopped and outcome.status.value == "pending" and outcome.action != "step":
        dbg.say(f"  stopped at the breakpoint before {', '.join(stopped)}")
    interrupt_lines(dbg, outcome.interrupts, label="waiting: interrupt")
    if outcome.error is not None:
        if outcome.traceback and dbg.debug:
            dbg.err.write(outcome.traceback)
        raise InspectorError(f"the workflow failed in {outcome.error.node or '?'}: {outcome.error.type}: {outcome.error.message}")
