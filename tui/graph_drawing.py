"""What the graph pane is fed: the layout of the graph at the selected checkpoint.

The graph is the user's (``--graph``; of several, the one ``graph_binding`` chooses for the
thread), one of its subgraphs in a subgraph's namespace, the one a LangGraph server draws
for the thread's assistant (with its subgraphs expanded), or one reconstructed from the
thread's checkpoints when there is no graph code or none given fits the thread. Highlights:
each node's run status at the checkpoint, breakpoints marked on their nodes, and the
focus mode (only one node and its neighbours). Layouts are computed in a worker and
posted as ``GraphDrawn``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

from textual.app import App
from textual.message import Message

from agent_debug.inspector.graph_binding import GraphBinding, GraphChoice, KnownGraph
from agent_debug.inspector.langgraph_names import END, START
from agent_debug.inspector.model import CheckpointState, CheckpointSummary
from agent_debug.inspector.sources.base import Source
from agent_debug.tui.store_loader import InOrder, post_read, start_worker
from agent_debug.tui.worker_messages import GraphDrawn

# Breakpoints in force, as (before, after) node names (``sub:node`` inside a subgraph).
Breakpoints = Callable[[], tuple[Collection[str], Collection[str]]]


class GraphDrawing:
    """Lays out the graph pane for a thread's checkpoint, off the UI thread.

    ``graph`` is the user's compiled graph, a ``GraphBinding`` of several, or None;
    ``breakpoints`` tells which are set (read in the worker); ``key`` gives the key now
    bound to a binding id, for the hints in captions."""

    def __init__(
        self, app: App[Any], source: Source, graph: Any, *, breakpoints: Breakpoints, key: Callable[[str], str],
        running: Callable[[str], Sequence[Any]] | None = None,
    ) -> None:
        self._app = app
        self._running = running  # a thread's phases running now (phase_started events), marked on the graph
        self.source = source
        self.graphs = GraphBinding.of(graph) if graph is not None else None
        self._breakpoints = breakpoints
        self._key = key
        # The node drawn alone with its neighbours (None: the whole graph), and the one
        # focus mode picks at the checkpoint shown.
        self.focus: str | None = None
        self._candidate: str | None = None
        self._models: dict[KnownGraph, Any] = {}
        self._rows_cache: dict[tuple[str, str], tuple[str, list[CheckpointSummary]]] = {}
        self._drawings = InOrder()
        # The graph chosen for each thread, with the head it was chosen at.
        self._choices: dict[str, tuple[str, GraphChoice]] = {}
        # Models of the user's subgraphs by graph and path (None: not a subgraph node of
        # that graph), built on first view.
        self._subgraph_models: dict[tuple[KnownGraph, tuple[str, ...]], Any] = {}
        self._subgraphs: dict[KnownGraph, dict[str, Any]] = {}
        # On a LangGraph server: the assistant each thread ran, and the model the server
        # draws for each assistant id (or None and why not), fetched in the graph worker.
        self._thread_assistants: dict[str, dict[str, Any]] = {}
        self._assistant_models: dict[str, tuple[Any, str]] = {}
        # A draw replaced by a newer one still runs to its end: one fetch at a time, so
        # the newer waits for the older's answer instead of asking the server again.
        self._assistant_lock = threading.Lock()

    def checkpoint_shown(self, state: CheckpointState) -> None:
        """Note the node that matters at the checkpoint now shown: one waiting at an
        interrupt, failed, or due next (what focus mode focuses on)."""
        nodes = [i.node for i in state.interrupts] + [e.node for e in state.errors] + list(state.next)
        self._candidate = next((n for n in nodes if n), None)

    def toggle_focus(self, ran: str | None) -> None:
        """Focus on the node that matters at the checkpoint (else ``ran``, the node that
        made it), or draw everything again when focused already."""
        candidate = self._candidate or ran
        self.focus = None if self.focus or not candidate else candidate

    def prepare(self, then: Callable[[], None]) -> None:
        """Build the models of the user's graphs once (worker), then call ``then`` on the UI thread."""

        def build() -> None:
            for known in self.graphs.graphs if self.graphs is not None else ():
                self._model(known)
            self._app.call_from_thread(then)

        start_worker(self._app, "prepare-graph", build)

    def draw(self, thread_id: str, checkpoint_id: str | None, state: CheckpointState | None = None, *, namespace: str = "") -> None:
        """Lay out the graph with each node's status at the checkpoint; in a subgraph's
        namespace, that subgraph with the statuses of its own checkpoints. ``state``, when
        it is that checkpoint's, saves decoding it again."""
        focus_on = self.focus
        running = self._running(thread_id) if self._running is not None else ()

        def draw() -> Message:
            from agent_debug.graphviz_export.model import apply_status
            from agent_debug.graphviz_export.terminal import layout
            from agent_debug.tui.graph_status import graph_status

            given = state if state is not None and state.checkpoint_id == checkpoint_id else None
            title = None
            if namespace:
                if given is None:
                    given = self.source.state(thread_id, checkpoint_id=checkpoint_id, namespace=namespace)
                model, caption, title = self._subgraph_drawing(thread_id, namespace, given)
            else:
                model, caption = self._root_drawing(thread_id)
            rows = self._all_rows(thread_id, namespace)
            status = graph_status(self.source, thread_id, checkpoint_id, model=model, namespace=namespace, state=given, rows=rows, running=running)
            focus = focus_on if focus_on in model else None
            if focus:
                caption += f" · focus on {focus} ({self._key('graph.focus')} for all)"
            drawing = layout(apply_status(model, status), focus=focus, hops=1)
            drawing.spans  # styled here, off the UI thread (spans are computed lazily)
            return GraphDrawn(drawing, caption, thread_id=thread_id, namespace=namespace, title=title)

        # A newer draw replaces this one; arriving last, this one would show older statuses.
        order = (self._drawings, self._drawings.ask())
        start_worker(self._app, "graph", lambda: post_read(self._app, draw, order))

    # -- worker threads only ----------------------------------------------------------

    def _root_drawing(self, thread_id: str) -> tuple[Any, str]:
        """The model and caption of the root graph: the user's graph chosen for the thread,
        the server's graph of its assistant, or one reconstructed from its checkpoints
        (saying why there is no other)."""
        choice = self._choice(thread_id)
        if choice is not None and choice.graph is not None:
            return self._breakpoints_marked(self._model(choice.graph)), self._caption(choice)
        if choice is not None:
            served, why = None, choice.why
        elif self._serves_graphs():
            served, why = self._assistant_graph(thread_id)
        else:
            served, why = None, "pass --graph for the real graph"
        if served is not None:
            return self._breakpoints_marked(served), why
        from agent_debug.graphviz_export.observed import observed_model
        from agent_debug.inspector.reconstruct import observed_graph

        seen = observed_graph(self.source, thread_id, rows=self._all_rows(thread_id))
        return observed_model(seen.nodes, seen.edges), f"reconstructed from this thread's checkpoints ({why})"

    def _choice(self, thread_id: str) -> GraphChoice | None:
        """The user's graph chosen for the thread (``GraphBinding.choose_from_rows``), made
        again when its head moves; None without graphs."""
        if self.graphs is None:
            return None
        rows = self._all_rows(thread_id)
        head = rows[0].checkpoint_id if rows else ""
        cached = self._choices.get(thread_id)
        if cached is None or cached[0] != head:
            due = self.source.thread(thread_id).next if rows else []
            cached = self._choices[thread_id] = (head, self.graphs.choose_from_rows(thread_id, rows, due))
        return cached[1]

    def _caption(self, choice: GraphChoice) -> str:
        """Where the drawn graph comes from: ``--graph``, and of several, which one and why."""
        if self.graphs is None or choice.graph is None or self.graphs.only is not None:
            return "graph from --graph"
        return f"graph {choice.graph.label} · chosen by {choice.why}"

    def _model(self, known: KnownGraph) -> Any:
        """The model of one of the user's graphs (built once)."""
        if known not in self._models:
            from agent_debug.graphviz_export.model import graph_model

            self._models[known] = graph_model(known.graph)
        return self._models[known]

    def _all_rows(self, thread_id: str, namespace: str = "") -> list[CheckpointSummary]:
        """The whole history of the thread (or of one of its namespaces), read once per head."""
        if namespace:
            # A subgraph writes while the root's head stays put: its own head is the key.
            head = next((n.latest_checkpoint_id for n in self.source.namespaces(thread_id) if n.namespace == namespace), "")
        else:
            head = self.source.thread(thread_id).checkpoint_id
        cached = self._rows_cache.get((thread_id, namespace))
        if cached is None or cached[0] != head:
            cached = (head, self.source.history(thread_id, namespace=namespace, limit=None).checkpoints)
            self._rows_cache[(thread_id, namespace)] = cached
        return cached[1]

    def _subgraph_drawing(self, thread_id: str, namespace: str, state: CheckpointState) -> tuple[Any, str, str]:
        """The model, caption and title for a subgraph's namespace: the subgraph of the
        user's graph when it is one, else reconstructed from the namespace's own checkpoints."""
        from agent_debug.graphviz_export.model import namespace_path

        path = namespace_path(namespace)
        title = f"subgraph {' › '.join(path)} · namespace {namespace}"
        switch = f"{self._key('namespace.previous')} {self._key('namespace.next')} for the other namespaces"
        choice = self._choice(thread_id)
        model = self._subgraph_model(choice.graph, path) if choice is not None and choice.graph is not None else None
        if model is not None:
            return self._breakpoints_marked(model, path), f"{self._caption(choice)} · {switch}", title  # type: ignore[arg-type]
        if choice is not None:
            why = "not a subgraph node of --graph" if choice.graph is not None else choice.why
        else:
            why = "pass --graph for the real graph"
        if choice is None and self._serves_graphs():
            from agent_debug.graphviz_export.server_graph import subgraph_model

            served, why = self._assistant_graph(thread_id)
            model = subgraph_model(served, path) if served is not None else None
            if model is not None:
                return self._breakpoints_marked(model, path), f"{why} · {switch}", title
            if served is not None:
                why = "the server's graph does not draw it"
        from agent_debug.graphviz_export.observed import observed_model
        from agent_debug.inspector.reconstruct import observed_graph

        rows = self._all_rows(thread_id, namespace)
        seen = observed_graph(self.source, thread_id, namespace, rows=rows)
        # What is due at this checkpoint has not run yet, so the history alone misses it.
        ran = next((r.nodes for r in rows if r.checkpoint_id == state.checkpoint_id and r.nodes), None) or [START]
        due = [*state.next, *(i.node for i in state.interrupts), *(e.node for e in state.errors)]
        for node in dict.fromkeys(n for n in due if n and n not in seen.nodes):
            for before in ran:
                seen.add_edge(before, node)
        if not due and rows and rows[0].checkpoint_id == state.checkpoint_id and ran != [START]:
            for before in ran:  # the subgraph run finished: nothing due at its newest checkpoint
                seen.add_edge(before, END)
        model = observed_model(seen.nodes, seen.edges, name=path[-1])
        return model, f"reconstructed from this subgraph's checkpoints ({why}) · {switch}", title

    def _serves_graphs(self) -> bool:
        """Whether the source is a LangGraph server, which draws its assistants' graphs."""
        return callable(getattr(self.source, "graph_json", None))

    def _assistant_graph(self, thread_id: str) -> tuple[Any, str]:
        """The model the server draws (with xray) for the assistant the thread ran, and the
        caption for it; ``(None, why not)`` when there is none. Cached per assistant id:
        a thread's assistant and an assistant's graph do not change while we look."""
        with self._assistant_lock:
            return self._assistant_graph_locked(thread_id)

    def _assistant_graph_locked(self, thread_id: str) -> tuple[Any, str]:
        from agent_debug.inspector.exceptions import InspectorError, NotFoundError, TargetError

        assistant = self._thread_assistants.get(thread_id)
        if assistant is None:
            try:
                assistant = self.source.assistant_of(thread_id=thread_id)  # type: ignore[attr-defined]
            except NotFoundError:
                # A thread with no run yet names no assistant: ask again on the next draw.
                return None, "the server names no assistant for this thread yet"
            self._thread_assistants[thread_id] = assistant
        assistant_id = assistant["assistant_id"]
        if assistant_id not in self._assistant_models:
            from agent_debug.tui.cli.graph import assistant_model

            name = assistant.get("name") or assistant.get("graph_id") or assistant_id
            try:
                found = (assistant_model(self.source, assistant, xray=True), f"graph of assistant {name} from the server")
            except TargetError:
                raise  # the server is gone: the app says so (StoreProblem) and asks again later
            except InspectorError as exc:
                found = (None, f"the server cannot draw assistant {name}: {exc.message}")
            self._assistant_models[assistant_id] = found
        return self._assistant_models[assistant_id]

    def _subgraph_model(self, known: KnownGraph, path: tuple[str, ...]) -> Any:
        """The model of the subgraph at ``path`` of one of the user's graphs, or None."""
        key = (known, path)
        if key not in self._subgraph_models:
            from agent_debug.graphviz_export.model import graph_model

            if known not in self._subgraphs:
                try:
                    self._subgraphs[known] = dict(known.graph.get_subgraphs(recurse=True))
                except Exception:  # a custom Pregel may not support it: reconstruct instead
                    self._subgraphs[known] = {}
            compiled = self._subgraphs[known].get("|".join(path))
            self._subgraph_models[key] = graph_model(compiled) if compiled is not None else None
        return self._subgraph_models[key]

    def _breakpoints_marked(self, model: Any, path: tuple[str, ...] = ()) -> Any:
        """A copy of the model whose breakpoint nodes read '⏺ name' (before) / 'name ⏺' (after);
        ``path`` is the subgraph the model draws."""
        break_before, break_after = self._breakpoints()
        if not (break_before or break_after):
            return model
        marked = model.copy()
        prefix = "".join(f"{p}:" for p in path)

        def inside(points: Iterable[str]) -> set[str]:
            # A breakpoint inside a subgraph marks the subgraph's node (drawn collapsed).
            return {p[len(prefix) :].split(":")[0] for p in points if p.startswith(prefix)}

        before = inside(break_before)
        after = inside(break_after)
        for node in before & set(marked.nodes):
            marked.nodes[node]["label"] = f"⏺ {marked.nodes[node]['label']}"
        for node in after & set(marked.nodes):
            marked.nodes[node]["label"] = f"{marked.nodes[node]['label']} ⏺"
        return marked
