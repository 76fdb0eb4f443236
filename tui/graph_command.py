"""``agent-debug graph GRAPH_REF``: the workflow drawn in the terminal, or as DOT, Mermaid or JSON."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from agent_debug.inspector.exceptions import InspectorError, UsageError


def run_graph(args: argparse.Namespace) -> int:
    """Load the graph, overlay a run's status if asked, write the chosen format."""
    from agent_debug.graphviz_export.model import UnknownNodeError, apply_status, graph_model
    from agent_debug.tui.attach import load_graph_ref

    if (args.thread or args.checkpoint) and not args.source:
        raise UsageError("--thread and --checkpoint need --from TARGET (the store the run is in)")
    if args.source and not args.thread:
        raise UsageError("--from needs --thread ID")
    compiled = load_graph_ref(args.graph_ref, args.config)
    try:
        model = graph_model(compiled, xray=args.xray)
    except Exception as exc:  # get_graph() itself can fail on unusual graphs
        raise InspectorError(f"cannot draw {args.graph_ref}: get_graph() failed: {type(exc).__name__}: {exc}") from exc
    if args.source:
        from agent_debug.inspector.run_status import node_status
        from agent_debug.inspector.targets import open_source

        with open_source(args.source) as source:
            model = apply_status(model, node_status(source, args.thread, args.checkpoint))
    try:
        if args.format == "ascii":
            from agent_debug.graphviz_export.terminal import layout, render_text

            drawing = layout(model, width=args.width, ascii_only=args.ascii_only, focus=args.focus, hops=args.hops)
            if args.output is None and sys.stdout.isatty():
                from rich.console import Console

                from agent_debug.tui.widgets.graph.graph_view import layout_text

                Console(highlight=False).print(layout_text(drawing), soft_wrap=True)
                return 0
            text = render_text(drawing) + "\n"
        else:
            from agent_debug.graphviz_export.formats import render

            text = render(model, args.format, focus=args.focus, hops=args.hops)
    except UnknownNodeError as exc:
        raise InspectorError(str(exc)) from exc
    if args.output:
        Path(args.output).write_text(text)
        print(f"wrote {args.format} to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0
