"""``agent-debug demo``: a seeded sample store, opened in the debugger with its graphs bound.

The demo store is the tool's own cache file, seeded by the sample workflows' real runs, so
the debugger opens it with those workflows' graphs (``fixtures.seed.GRAPH_REFS``, each
named as its threads are): every verb works there, and acting appends to the demo store.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def default_demo_db() -> Path:
    """Where the demo store lives unless ``--db`` says otherwise."""
    from platformdirs import user_cache_path

    return user_cache_path("agent-debug") / "demo.db"


def demo_graphs() -> Any:
    """The graphs of the sample workflows that seed the demo store, as one ``GraphBinding``
    (each named by its threads' prefix: feature, tool, supervisor, loop)."""
    from agent_debug.fixtures.seed import GRAPH_REFS
    from agent_debug.tui.cli.graph_ref import load_graph_refs

    return load_graph_refs([f"{name}={ref}" for name, ref in GRAPH_REFS.items()], None)


def run_demo(args: argparse.Namespace) -> int:
    """Seed the demo store when it is missing, then show it with its graphs bound."""
    from rich.console import Console

    path = Path(args.db) if args.db else default_demo_db()
    console = Console(stderr=True)
    if not path.exists():
        from agent_debug.fixtures.seed import seed_store

        path.parent.mkdir(parents=True, exist_ok=True)
        with console.status(f"seeding {args.threads} sample threads into {path} …"):
            seed_store(path, threads=args.threads)
    console.print(f"demo store: {path}")
    if args.print:
        from agent_debug.tui.cli.threads import run_threads

        return run_threads(argparse.Namespace(target=str(path), status=None, limit=0, json=False))
    from agent_debug.inspector.acting_store import check_store_file
    from agent_debug.inspector.session import open_session
    from agent_debug.tui.cli.launcher import require_terminal, run_acting_app

    target = str(path)
    check_store_file(target, migrate=True)  # the tool's own store: a newer LangGraph may upgrade it
    require_terminal()
    graphs = demo_graphs()
    return run_acting_app(lambda: open_session(target, graph=graphs), None, argparse.Namespace(poll=0.5), target=target, thread=None)
