"""What resume and replay did, on standard output: one JSON document for programs, lines
for people (ids, node names and values come from the store: shown escaped)."""

from __future__ import annotations

import json
import sys
from typing import Any

from agent_debug.inspector.model import ActionOutcome


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


def report_outcome(outcome: ActionOutcome, as_json: bool) -> int:
    """Print what resume or replay did (one JSON document with ``--json``); 1 if the workflow failed."""
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
