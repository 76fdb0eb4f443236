"""Every key of the app, as data: a binding id, its default key, a description and a tooltip.

Users remap keys by binding id (``keymap_file``, applied with Textual's
``App.set_keymap``/``update_keymap``); the help screen, the command palette and the hints
the panes show read the keys in effect from here, never the defaults.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import replace
from typing import Any

from textual.app import App, SystemCommand
from textual.binding import Binding, BindingsMap
from textual.markup import escape

APP_BINDINGS: list[Binding] = [
    Binding("q", "quit", "Quit", id="quit", tooltip="Leave agent-debug"),
    Binding("question_mark", "help", "Help", id="help", key_display="?", tooltip="Every key and its binding id"),
    Binding("slash", "search", "Search", id="search", key_display="/", tooltip="Search thread ids"),
    Binding("s", "cycle_status", "Status", id="status_filter", tooltip="Filter threads by status"),
    Binding("i", "inbox", "Inbox", id="inbox", tooltip="Every pending interrupt across threads"),
    Binding("f", "toggle_follow", "Follow", id="follow", tooltip="Keep the newest checkpoint selected"),
    Binding("g", "show_tab('graph')", "Graph", id="tab.graph", tooltip="The graph, coloured by run status at the checkpoint"),
    Binding("v", "show_tab('state')", "State", id="tab.state", tooltip="The state values at the checkpoint"),
    Binding("d", "show_tab('diff')", "Diff", id="tab.diff", tooltip="What the checkpoint changed, against its parent"),
    Binding("m", "show_tab('messages')", "Messages", id="tab.messages", tooltip="The conversation in the state's messages"),
    Binding("x", "show_tab('pending')", "Errors", id="tab.pending", tooltip="Errors and interrupts"),
    Binding("l", "show_tab('events')", "Events", id="tab.events", tooltip="Live events of runs: thinking, logs, errors"),
    Binding("w", "wrap_events", "Wrap events", id="events.wrap", show=False, tooltip="Wrap the event lines, each message whole, or cut them at the edge"),
    Binding("n", "step", "Step", id="control.step", tooltip="Run the next super-step and pause"),
    Binding("c", "continue", "Continue", id="control.continue", tooltip="Run to a breakpoint, interrupt, error or the end"),
    Binding("p", "pause", "Pause", id="control.pause", show=False, tooltip="Stop at the next step boundary"),
    Binding("X", "cancel_runs", "Cancel runs", id="control.cancel", show=False,
            tooltip="Cancel the selected thread's runs on a LangGraph server, whoever started them"),
    Binding("a", "answer", "Approve", id="control.answer", tooltip="Answer the pending interrupt(s)"),
    Binding("b", "breakpoint", "Break", id="control.break", show=False, tooltip="Toggle a breakpoint before the selected phase"),
    Binding("B", "breakpoint_after", "Break after", id="control.break_after", show=False, tooltip="Toggle a breakpoint after the selected phase"),
    Binding("right_square_bracket", "namespace(1)", "Subgraph", id="namespace.next", show=False, key_display="]",
            tooltip="History, state and graph of the thread's next checkpoint namespace (its subgraphs)"),
    Binding("left_square_bracket", "namespace(-1)", "Subgraph back", id="namespace.previous", show=False, key_display="[",
            tooltip="History, state and graph of the thread's previous checkpoint namespace"),
    Binding("r", "replay", "Replay", id="control.replay", show=False, tooltip="Replay the selected phase on a new branch"),
    Binding("e", "edit", "Edit+fork", id="control.edit", show=False, tooltip="Edit the selected state value and fork"),
    Binding("z", "focus_graph", "Focus graph", id="graph.focus", show=False, tooltip="Draw only the current node and its neighbours"),
    Binding("y", "copy_value", "Copy", id="copy.value", show=False,
            tooltip="Copy what the focused pane selects: the thread id, the full checkpoint id, else the state value (as JSON)"),
    Binding("Y", "copy_path", "Copy path", id="copy.path", show=False, tooltip="Copy the highlighted value's path (for state --path)"),
    Binding("plus", "zoom", "Zoom pane", id="pane.zoom", show=False, key_display="+",
            tooltip="Give the focused pane the whole screen, or share it again"),
    Binding("T", "show_tab('timeline')", "Timeline", id="tab.timeline", show=False, tooltip="The selected thread's phases on a time axis"),
    Binding("M", "mark_checkpoint", "Mark", id="compare.mark", show=False, tooltip="Mark the selected checkpoint to compare another against it"),
    Binding("D", "compare", "Compare", id="compare.diff", show=False, tooltip="Diff the marked checkpoint against the selected one (again: against its parent)"),
    Binding("colon", "jump", "Jump", id="jump", show=False, key_display=":", tooltip="Go to a step number or a checkpoint id"),
    Binding("ctrl+b", "breakpoints", "Breakpoints", id="control.breakpoints", show=False, tooltip="Every breakpoint, its condition and hits; break on error"),
    Binding("E", "break_on_error", "Break on error", id="control.break_error", show=False, tooltip="Pause a run at the first error (also an attempt that will be retried)"),
    Binding("t", "toggle_theme", "Light/dark", id="theme", show=False, tooltip="Switch between the light and the dark theme"),
    Binding("ctrl+r", "refresh", "Refresh", id="refresh", show=False, tooltip="Read the threads and the history again"),
]

HELP_BINDINGS: list[Binding] = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close", tooltip="Close the help")]

# Actions that act on a thread: they need a graph to run; without one their keys say why.
ACTING = frozenset((
    "step", "continue", "pause", "cancel_runs", "answer", "breakpoint", "breakpoint_after", "replay", "edit",
    "breakpoints", "break_on_error",
))
# How the help screen marks a key that cannot work in this session.
UNAVAILABLE = "✗"

# Not offered in the command palette: it is open already, and quitting has its key.
NOT_IN_PALETTE = frozenset(("quit", "help"))


def binding_ids(*binding_lists: Sequence[Any]) -> set[str]:
    """The ids of the bindings in ``binding_lists`` (a ``BINDINGS`` each)."""
    return {b.id for bindings in binding_lists for b in bindings if isinstance(b, Binding) and b.id}


def keep_out_of_footer(app: App[Any], actions: Collection[str]) -> None:
    """Leave the keys of ``actions`` bound on ``app`` (pressing one says why it cannot
    work) but out of its footer, which keeps its room for the keys that do.

    ``check_action`` cannot do it: an action it hides does not run either, and the key
    dies silently. Textual has no public call to change one app's bindings, so its own
    map (a copy per instance) gets copies of those bindings with ``show=False``."""
    bindings = app._bindings
    for key, bound in bindings.key_to_bindings.items():
        bindings.key_to_bindings[key] = [replace(b, show=False) if b.action in actions else b for b in bound]


def keys_in_effect(keymap: dict[str, str], bindings: Sequence[Binding] = APP_BINDINGS) -> dict[str, list[Binding]]:
    """Binding id → the binding once per key it now has: the default, or the keymap's
    (``[]`` when a remapped binding took its only key). Resolved by Textual's own
    ``BindingsMap.apply_keymap``, so clashes resolve as they do when a key is pressed."""
    resolved = BindingsMap(bindings)
    if keymap:
        resolved.apply_keymap(keymap)
    keys: dict[str, list[Binding]] = {b.id: [] for b in bindings if b.id}
    for _key, bound in resolved:
        if bound.id in keys:
            keys[bound.id].append(bound)
    return keys


def current_keymap(app: App[Any]) -> dict[str, str]:
    """The keymap set on ``app`` (by ``set_keymap``/``update_keymap``, normalized)."""
    # Textual keeps it private; reading it means a keymap set any way shows everywhere.
    return dict(getattr(app, "_keymap", {}) or {})


class KeysInEffect:
    """The keys of ``bindings`` under the keymap of ``app``, as the user should read them."""

    def __init__(self, app: App[Any], bindings: Sequence[Binding] = APP_BINDINGS) -> None:
        self._app = app
        self._bindings = bindings

    def display(self, binding_id: str) -> str:
        """How the key(s) of ``binding_id`` are written: ``?``, ``^r``, ``j, down``; ``-`` for none."""
        default = next((b for b in self._bindings if b.id == binding_id), None)
        if default is None:
            return "-"
        keymap = current_keymap(self._app)
        bound = keys_in_effect(keymap, self._bindings)[binding_id] if keymap else None
        if bound is None or (binding_id not in keymap and bound):
            return default.key_display or default.key
        return ", ".join(dict.fromkeys(self._app.get_key_display(b) for b in bound)) or "-"

    def keyless(self) -> str | None:
        """Which bindings a remap left without a key, and who took it (None: none)."""
        keymap = current_keymap(self._app)
        if not keymap:
            return None
        bound = keys_in_effect(keymap, self._bindings)
        taken = []
        for b in self._bindings:
            if b.id and not bound[b.id]:
                takers = sorted(i for i, keys in bound.items() if i != b.id and any(k.key == b.key for k in keys))
                taken.append(f"{b.id} lost its key {b.key_display or b.key} to {', '.join(takers) or 'a remap'}")
        return "; ".join(taken) or None

    def help_rows(self, unavailable: Collection[str] = ()) -> list[tuple[str, str, str]]:
        """(key, description, binding id) of every binding, for the help screen; the
        description of an action in ``unavailable`` is marked ``UNAVAILABLE``."""
        return [
            (self.display(b.id or ""), f"{b.description} {UNAVAILABLE}" if b.action in unavailable else b.description, b.id or "")
            for b in self._bindings
        ]

    def palette_commands(
        self, run: Callable[[str], Callable[[], Any]], unavailable: Collection[str] = (), why: str = ""
    ) -> Iterator[SystemCommand]:
        """A command palette entry for every binding, its help naming the key in effect
        (and ``why`` for an action in ``unavailable``); ``run(action)`` makes the callback."""
        for b in self._bindings:
            if b.action in NOT_IN_PALETTE:
                continue
            key = self.display(b.id or "")
            text = escape(b.tooltip or b.description)
            if key != "-":
                text = f"{text} (key {escape(key)})"
            if b.action in unavailable:
                text = f"{UNAVAILABLE} {escape(why)}: {text}"
            yield SystemCommand(b.description, text, run(b.action))
