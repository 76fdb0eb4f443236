"""``agent-debug graph GRAPH_REF``: the workflow drawn in the terminal, or as DOT, Mermaid or JSON.

GRAPH_REF may be a LangGraph server URL: the graph is then the one an assistant of the
server draws (``--assistant``, else the assistant of ``--thread``, else the one graph the
server serves), and ``--thread`` colours it with that thread's run on the server.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from agent_debug.inspector.exceptions import InspectorError, UsageError
from agent_debug.inspector.server_options import is_server_url
from agent_debug.inspector.sources.base import resolve_given
from agent_debug.tui.cli.graph_ref import load_graph_ref


def run_graph(args: argparse.Namespace) -> int:
    """Load the graph, overlay a run's status if asked, write the chosen format."""
    from agent_debug.graphviz_export.model import UnknownNodeError

    if is_server_url(args.graph_ref):
        _check_server_flags(args)
        output = check_output(args.output) if args.output is not None else None
        model = _server_graph(args)
        if output is not None:
            check_output_is_not_code(output, None, shown=args.output)
    else:
        model, output = _local_graph(args)
    # More hops than nodes reaches nothing more: a huge --hops must not loop for ever.
    hops = min(args.hops, model.number_of_nodes())
    try:
        if args.format == "ascii":
            from agent_debug.graphviz_export.terminal import layout, render_text

            drawing = layout(model, width=args.width, ascii_only=args.ascii_only, focus=args.focus, hops=hops)
            if args.output is None and sys.stdout.isatty():
                from rich.console import Console

                from agent_debug.tui.graph_text import layout_text

                Console(highlight=False).print(layout_text(drawing), soft_wrap=True)
                return 0
            text = render_text(drawing) + "\n"
        else:
            from agent_debug.graphviz_export.formats import render

            text = render(model, args.format, focus=args.focus, hops=hops)
    except UnknownNodeError as exc:
        raise UsageError(f"--focus: {exc}") from exc
    if output is not None:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise InspectorError(f"-o {args.output}: cannot write it: {exc.strerror or exc}") from None
        print(f"wrote {args.format} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _local_graph(args: argparse.Namespace) -> tuple[Any, Path | None]:
    """The model of the user's graph (GRAPH_REF), with the status of a ``--from`` run; and ``-o``."""
    from agent_debug.graphviz_export.model import apply_status, graph_model

    if getattr(args, "assistant", None):
        raise UsageError("--assistant chooses a graph on a LangGraph server; GRAPH_REF is not one (http://host:port)")
    if (args.thread or args.checkpoint) and not args.source:
        raise UsageError("--thread and --checkpoint need --from TARGET (the store the run is in)")
    if args.source and not args.thread:
        raise UsageError("--from needs --thread ID")
    output = check_output(args.output) if args.output is not None else None
    compiled = load_graph_ref(args.graph_ref, args.config)
    if output is not None:
        check_output_is_not_code(output, args.config, shown=args.output)
    try:
        model = graph_model(compiled, xray=args.xray)
    except Exception as exc:  # get_graph() itself can fail on unusual graphs
        raise InspectorError(f"cannot draw {args.graph_ref}: get_graph() failed: {type(exc).__name__}: {exc}") from exc
    if args.source:
        from agent_debug.inspector.targets import open_source
        from agent_debug.tui.graph_status import graph_status

        with open_source(args.source) as source:
            model = apply_status(model, graph_status(source, args.thread, resolve_given(source, args.thread, args.checkpoint), model=model))
    return model, output


def _check_server_flags(args: argparse.Namespace) -> None:
    """Refuse the flags a server URL has no use for, before anything is opened."""
    if args.source:
        raise UsageError("--from reads a run from a store; on a LangGraph server the run is there: use --thread ID")
    if args.config:
        raise UsageError("--config does not apply to a LangGraph server: it serves its own graphs (choose one with --assistant ID)")
    if args.checkpoint and not args.thread:
        raise UsageError("--checkpoint needs --thread ID")


def _server_graph(args: argparse.Namespace) -> Any:
    """The model of a server assistant's graph, with the status of ``--thread``'s run."""
    from agent_debug.graphviz_export.model import apply_status
    from agent_debug.inspector.targets import open_source

    with open_source(args.graph_ref) as source:
        if args.assistant:
            assistant = source.assistant_of(name=args.assistant)
        elif args.thread:
            assistant = source.assistant_of(thread_id=args.thread)
        else:
            assistant = only_assistant(source)
        model = assistant_model(source, assistant, xray=args.xray)
        if args.thread:
            from agent_debug.tui.graph_status import graph_status

            model = apply_status(model, graph_status(source, args.thread, resolve_given(source, args.thread, args.checkpoint), model=model))
    return model


def only_assistant(source: Any) -> dict[str, Any]:
    """The assistant of the one graph a server serves; a usage error naming them when it
    serves several."""
    from agent_debug.inspector.exceptions import NotFoundError

    graphs = sorted({a["graph_id"] for a in source.assistants().values() if a.get("graph_id")})
    if len(graphs) == 1:
        return source.assistant_of(name=graphs[0])
    if not graphs:
        raise NotFoundError(f"{source.target} serves no graphs")
    raise UsageError(f"which graph? {source.target} serves {', '.join(graphs)}: give --assistant ID or --thread ID")


def assistant_model(source: Any, assistant: Mapping[str, Any], *, xray: bool | int = True) -> Any:
    """The graph model of a server assistant (``ServerSource.assistant_of``), as the server
    draws it with ``xray``. Network I/O: call it off the UI thread."""
    from agent_debug.graphviz_export.server_graph import server_graph_model

    assistant_id = assistant["assistant_id"]
    drawn = source.graph_json(assistant_id, xray=xray)
    # With full xray every subgraph is drawn expanded: no collapsed one to name.
    subgraphs = () if xray is True else subgraph_namespaces(source, assistant_id)
    return server_graph_model(drawn, subgraphs=subgraphs, xray=xray, name=str(assistant.get("graph_id") or assistant_id))


def subgraph_namespaces(source: Any, assistant_id: str) -> list[str]:
    """The assistant's subgraph namespaces (``inner``, ``inner|deeper``), to tell the
    subgraph nodes of its drawing; none when the server cannot say (an older server)."""
    from urllib.parse import quote

    client = getattr(source, "client", None)
    if client is None:
        return []
    try:
        found = client.get(f"/assistants/{quote(assistant_id, safe='')}/subgraphs", {"recurse": "true"})
    except InspectorError:
        return []
    return [str(ns) for ns in found] if isinstance(found, Mapping) else []


def check_output(name: str) -> Path:
    """``-o FILE`` checked before the graph is loaded: one line and exit 2 for a path that
    cannot be written (a directory, a missing folder, no permission) or that holds a SQLite
    database (a checkpoint store, perhaps the ``--from`` one) or its journal. Any other
    existing file is replaced, as ``-o`` says."""
    import os
    import stat

    from agent_debug.inspector.paths import cannot_create, is_sqlite

    if not name:
        raise UsageError("-o needs a file name (leave it out to write to standard output)")
    path = Path(name)

    try:
        st = path.stat()
    except FileNotFoundError:
        if why := cannot_create(path):
            raise UsageError(f"-o {name}: {why}") from None
        st = None
    except OSError as exc:
        raise UsageError(f"-o {name}: {exc.strerror or exc}") from None
    if st is not None:
        if stat.S_ISDIR(st.st_mode):
            raise UsageError(f"-o {name} is a directory; give a file path such as {name.rstrip('/')}/graph.dot")
        if stat.S_ISREG(st.st_mode):
            if is_sqlite(path):
                raise UsageError(f"-o {name} is a SQLite database; refusing to overwrite it with a drawing")
            if not os.access(path, os.W_OK):
                raise UsageError(f"-o {name}: cannot write it (permission denied)")
    for suffix in ("-wal", "-shm", "-journal"):
        if path.name.endswith(suffix) and is_sqlite(path.with_name(path.name[: -len(suffix)])):
            raise UsageError(f"-o {name} belongs to the SQLite database {path.name[: -len(suffix)]}; refusing to overwrite it")
    return path


def check_output_is_not_code(path: Path, config: str | None, *, shown: str | None = None) -> None:
    """Refuse ``-o`` naming a Python file this process imported (the graph's own module, a
    module it imports) or the ``langgraph.json`` in use (``--config``, or the one found from
    here upwards): a slip of the arguments must not replace the workflow's source with its
    drawing."""
    import os

    from agent_debug.inspector.graph_ref import find_config

    try:
        mine = os.stat(path)
    except OSError:
        return  # a new file is no one's source
    settings = config if config is not None else find_config(Path.cwd())
    modules = [getattr(m, "__file__", None) for m in list(sys.modules.values())]
    sources = [(str(settings), "the langgraph.json in use")] if settings is not None else []
    sources += [(f, "Python source this graph was loaded from") for f in modules if isinstance(f, str)]
    for source, what in sources:
        try:
            other = os.stat(source)
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == (mine.st_dev, mine.st_ino):
            raise UsageError(f"-o {shown or path} is {what}; refusing to overwrite it with a drawing")
