"""``agent-debug demo``: a seeded sample store, opened in the debugger."""

from __future__ import annotations

import argparse
from pathlib import Path


def default_demo_db() -> Path:
    """Where the demo store lives unless ``--db`` says otherwise."""
    from platformdirs import user_cache_path

    return user_cache_path("agent-debug") / "demo.db"


def run_demo(args: argparse.Namespace) -> int:
    """Seed the demo store when it is missing, then show it."""
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
    from agent_debug.tui.cli.launcher import open_for_ui, run_app

    return run_app(open_for_ui(str(path), None))
