"""Tab completion: command names, then each argument by what the command table says it is
(a thread id, a checkpoint, a node, a state path, ...). A checkpoint completes to its
whole id from its start, or from any part of the 12 last characters the TUI shows.

Completion reads what the console reads (one history and one state per change of the
store, cached by ``LineDebugger``) and is best effort: a read that fails offers nothing,
and the command itself says why when it runs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from agent_debug.inspector.exceptions import InspectorError
from agent_debug.inspector.vocabulary import ThreadStatus
from agent_debug.tui.console.commands import FLAG_ALIASES, COMMANDS, EVENT_KINDS, Command, lookup
from agent_debug.tui.console.debugger import LineDebugger
from agent_debug.tui.safe_text import visible

SHOWN_TAIL = 12
"""The TUI's history shows a checkpoint by the last 12 characters of its id: a word typed
from there completes to the whole id, as a word from the start of one does."""


class ConsoleCompleter(Completer):
    """Completes a console line (see the module's docstring)."""

    def __init__(self, dbg: LineDebugger) -> None:
        self.dbg = dbg

    def get_completions(self, document: Document, complete_event: CompleteEvent) -> Iterable[Completion]:
        """The completions of the word before the cursor."""
        try:
            found = list(self._complete(document.text_before_cursor))
        except Exception:  # best effort (see the module's docstring)
            return
        yield from found

    def _complete(self, text: str) -> Iterator[Completion]:
        line = text.lstrip()
        if not any(c.isspace() for c in line):
            yield from self._commands(line)
            return
        head = line.split(None, 1)[0]
        try:
            command = lookup(head)
        except InspectorError:
            return
        rest = line[len(head) :].lstrip()
        if command.rest == "value":
            # The whole rest of the line is one value (a thread id may hold spaces).
            yield from self._values(command.completes[0] if command.completes else None, rest)
            return
        words = rest.split()
        current = "" if not rest or rest[-1].isspace() else words.pop()
        if current.startswith("-") and command.flags:
            for flag in command.flags:
                if flag.startswith(current):
                    yield Completion(flag, -len(current))
            return
        yield from self._values(self._kind_at(command, words), current)

    def _commands(self, word: str) -> Iterator[Completion]:
        for command in COMMANDS:
            if command.name.startswith(word):
                yield Completion(command.name, -len(word), display_meta=command.summary)
        for command in COMMANDS:
            for alias in command.aliases:
                if alias.startswith(word) and len(alias) > 1 and not command.name.startswith(word):
                    yield Completion(alias, -len(word), display_meta=f"= {command.name}")

    def _kind_at(self, command: Command, words: list[str]) -> str | None:
        """What the next word of ``command`` is, after ``words``."""
        positional = 0
        expect_value: str | None = None
        for word in words:
            if expect_value is not None:
                expect_value = None
                continue
            name = FLAG_ALIASES.get(word, word)
            if name in command.flags:
                expect_value = command.flags[name]
                continue
            positional += 1
        if expect_value is not None:
            return expect_value
        if positional < len(command.completes):
            return command.completes[positional]
        if command.rest == "words" and command.completes:
            return command.completes[-1]  # every word of the rest is of the same kind
        if command.rest == "condition":
            return "key"  # the words after 'if': a condition names the state's keys
        return None

    def _values(self, kind: str | None, word: str) -> Iterator[Completion]:
        for value, meta in self._candidates(kind, word):
            if value.startswith(word) or (kind == "checkpoint" and word and word in value[-SHOWN_TAIL:]):
                yield Completion(value, -len(word), display=visible(value), display_meta=visible(meta))

    def _candidates(self, kind: str | None, word: str) -> Iterable[tuple[str, str]]:
        dbg = self.dbg
        session = dbg.session
        if kind == "command":
            return [(c.name, c.summary) for c in COMMANDS]
        if kind == "status":
            return [(s.value, "") for s in ThreadStatus]
        if kind == "answer":
            return [("approve", "the approve value the interrupt's shape says"), ("reject", "the reject value, then an optional reason")]
        if kind == "event":
            return [(k, "") for k in EVENT_KINDS]
        if kind == "node":
            return [(n, "") for n in sorted(session.nodes)]
        if kind == "breakpoint":
            return [(n, "") for n in sorted({p.node for p in session.breakpoint_list()})]
        if kind == "if":
            return [("if", "a condition on the state: stop only when it holds")]
        if kind == "catch":
            return [("error", "break on error: pause at the step after any error")]
        if kind == "switch":
            return [("on", ""), ("off", "")]
        if kind == "key":
            return [(k, "state key") for k in sorted(session.condition_keys() or ())]
        if kind == "thread":
            return [(t.thread_id, t.status.value) for t in session.source.threads().threads]
        if kind == "interrupt" and dbg.thread_id is not None:
            return [(i.id or "", i.node or "") for i in session.thread(dbg.thread_id).interrupts if i.id]
        if kind == "namespace" and dbg.thread_id is not None:
            return [("root", "the root graph")] + [(n.namespace, f"{n.checkpoint_count} checkpoints") for n in session.source.namespaces(dbg.thread_id) if n.namespace]
        if kind == "checkpoint" and dbg.thread_id is not None:
            return self._checkpoints(word)
        if kind == "path" and dbg.thread_id is not None:
            return self._paths(word)
        return []

    def _checkpoints(self, word: str) -> list[tuple[str, str]]:
        rows = self.dbg.rows()

        def meta(i: int) -> str:
            r = rows[i]
            return f"#{i} step {r.step} {', '.join(r.nodes) or r.source or ''}".rstrip()

        newest_first = range(len(rows) - 1, -1, -1)
        if word.startswith("#"):
            return [(f"#{i}", meta(i)) for i in newest_first]
        return [("head", "the newest checkpoint")] + [(rows[i].checkpoint_id, meta(i)) for i in newest_first]

    def _paths(self, word: str) -> list[tuple[str, str]]:
        parent, dot, _ = word.rpartition(".")
        at: Any = self.dbg.state().values
        if dot:
            for part in parent.split("."):
                if isinstance(at, dict) and part in at:
                    at = at[part]
                elif isinstance(at, list) and part.isdigit() and int(part) < len(at):
                    at = at[int(part)]
                else:
                    return []
        prefix = parent + "." if dot else ""
        if isinstance(at, dict):
            return [(prefix + str(k), _kind_of(v)) for k, v in at.items() if k != "__type__"]
        if isinstance(at, list):
            return [(prefix + str(i), _kind_of(v)) for i, v in enumerate(at)]
        return []


def _kind_of(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("__type__", "object")).rsplit(".", 1)[-1]
    if isinstance(value, list):
        return f"list of {len(value)}"
    return type(value).__name__
