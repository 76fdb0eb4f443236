"""``agent-debug graph GRAPH_REF``: the workflow drawn in the terminal, or as DOT, Mermaid or JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agent_debug.inspector.exceptions import InspectorError, UsageError
from agent_debug.tui.cli.graph_ref import load_graph_ref


def run_graph(args: argparse.Namespace) -> int:
    """Load the graph, overlay a run's status if asked, write the chosen format."""
    from agent_debug.graphviz_export.model import UnknownNodeError, apply_status, graph_model

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
            model = apply_status(model, graph_status(source, args.thread, args.checkpoint, model=model))
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
