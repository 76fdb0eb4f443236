"""``agent-debug resume`` and ``agent-debug replay``: the headless acting verbs (they append)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from agent_debug.inspector.exceptions import UsageError
from agent_debug.inspector.model import ActionOutcome


def parse_json_arg(text: str, flag: str) -> Any:
    """A JSON value from the command line, or from a file with ``@FILE``; exit 2 on bad JSON
    or a file that cannot be read as UTF-8 text (missing, a directory, binary)."""
    if text.startswith("@"):
        name = text[1:]
        if not name:
            raise UsageError(f"{flag} @: name the file after '@' (@FILE), or give the JSON itself")
        try:
            text = Path(name).read_text(encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"{flag}: cannot read {name}: {exc.strerror or exc}") from None
        except UnicodeDecodeError:
            raise UsageError(f"{flag}: {name} is not a UTF-8 text file (expected JSON); nothing was sent") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"{flag} is not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno}); nothing was sent") from None
    except RecursionError:
        raise UsageError(f"{flag}: the JSON is nested too deeply to read; nothing was sent") from None
    except ValueError as exc:  # an integer of more than 4300 digits (Python's int limit)
        raise UsageError(f"{flag}: the JSON holds a value Python cannot read ({str(exc).split(';')[0]}); nothing was sent") from None


def _graph(args: argparse.Namespace) -> Any:
    if not args.graph:
        raise UsageError(f"{args.command} runs the workflow, so it needs its graph: --graph GRAPH_REF")
    from agent_debug.tui.attach import load_graph_ref

    return load_graph_ref(args.graph, args.config)


def _check_store(args: argparse.Namespace) -> None:
    """TARGET checked before anything opens it to write: a directory, a file that is not a
    checkpoint store, or (without ``--migrate``) a store LangGraph would migrate is refused."""
    from agent_debug.inspector.control import check_store_file

    check_store_file(args.target, migrate=getattr(args, "migrate", False))


def _short(value: Any, width: int = 100) -> str:
    text = json.dumps(value, default=repr, ensure_ascii=False)
    return text if len(text) <= width else text[: width - 1] + "…"


class _Shown:
    """A text stream that shows control characters of stored data as escapes."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream

    def write(self, text: str) -> None:
        from agent_debug.tui.safe_text import visible

        self.stream.write(visible(text, lines=True))


def _report(outcome: ActionOutcome, as_json: bool) -> int:
    if as_json:
        sys.stdout.write(outcome.model_dump_json(indent=2) + "\n")
    else:
        out = _Shown(sys.stdout)  # ids, node names and values come from the store
        if outcome.action == "resume" and isinstance(outcome.sent, dict):
            out.write(f"sent to thread {outcome.thread_id}:\n")
            for interrupt_id, value in outcome.sent.items():
                out.write(f"  interrupt {interrupt_id}: {_short(value)}\n")
        if outcome.action == "replay":
            inside = f" inside subgraph {outcome.namespace}" if outcome.namespace else ""
            out.write(f"replayed {', '.join(outcome.phases)}{inside} from checkpoint {outcome.replayed_from}")
            out.write(f" with update {_short(outcome.sent)}\n" if outcome.sent is not None else "\n")
            out.write("  original writes:\n")
            for w in outcome.original_writes:
                out.write(f"    {w.node}.{w.channel} = {_short(w.value)}\n")
            out.write("  replay writes:\n")
            for w in outcome.replay_writes:
                out.write(f"    {w.node}.{w.channel} = {_short(w.value)}\n")
        out.write(f"appended {len(outcome.new_checkpoints)} checkpoint(s) to {outcome.target}: {', '.join(outcome.new_checkpoints) or '-'}\n")
        if outcome.diff is not None:
            for c in outcome.diff.changes:
                out.write(f"  {'+-~'[('added', 'removed', 'changed').index(c.kind)]} {c.path}: {_short(c.after if c.kind != 'removed' else c.before, 80)}\n")
            for m in outcome.diff.messages:
                out.write(f"  + {m.channel}[{m.index}] {m.message.role}: {_short(m.message.text, 80)}\n")
        where = f"; next: {', '.join(outcome.next)}" if outcome.next else ""
        out.write(f"thread {outcome.thread_id} is now {outcome.status.value} at {outcome.head}{where}\n")
        for i in outcome.interrupts:
            out.write(f"  waiting: interrupt {i.id} in {i.node}: {_short(i.value, 80)}\n")
    if outcome.error is not None:
        _Shown(sys.stderr).write(
            f"agent-debug: error: the workflow failed in {outcome.error.node or '?'}: {outcome.error.type}: {outcome.error.message}\n"
        )
        return 1
    return 0


def run_resume(args: argparse.Namespace) -> int:
    """Answer the pending interrupt(s) of a thread and run on."""
    from agent_debug.inspector.control import check_graph_matches, open_store, plan_resume, resume
    from agent_debug.inspector.diff import diff_between

    value = parse_json_arg(args.value, "--value") if args.value is not None else None
    _check_store(args)
    graph = _graph(args)
    with open_store(args.target, graph=graph, allow_modules=getattr(args, "allow_modules", None)) as store:
        summary = store.source.thread(args.thread)
        plan = plan_resume(
            summary.interrupts,
            thread_id=args.thread,
            interrupt_id=args.interrupt,
            value=value,
            has_value=args.value is not None,
            approve=args.approve,
            reject=args.reject,
            message=args.message,
        )
        check_graph_matches(store.source, graph, args.thread)
        # The latest state before and after, as get_state shows them: answering one of two
        # interrupts saves that task's writes without a new checkpoint, and they count.
        before = store.source.state(args.thread)
        outcome = resume(store, graph, args.thread, plan)
        outcome = outcome.model_copy(update={"diff": diff_between(before, store.source.state(args.thread))})
    return _report(outcome, args.json)


def run_replay(args: argparse.Namespace) -> int:
    """Run one phase again from a checkpoint, on a new branch."""
    from agent_debug.inspector.control import open_store, replay

    update = parse_json_arg(args.update, "--update") if args.update is not None else None
    if update is not None and not isinstance(update, dict):
        raise UsageError("--update must be a JSON object of state keys to change")
    _check_store(args)
    graph = _graph(args)
    with open_store(args.target, graph=graph, allow_modules=getattr(args, "allow_modules", None)) as store:
        outcome = replay(
            store, graph, args.thread, args.checkpoint, node=args.node, update=update, as_node=args.as_node, namespace=args.ns
        )
    return _report(outcome, args.json)
