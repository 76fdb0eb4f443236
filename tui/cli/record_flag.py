"""``--record FILE.ndjson`` and ``--record-append`` of ``run`` and ``attach``: the file
checked before anything opens, and the recorder made once the store is open."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from agent_debug.inspector.exceptions import UsageError

if TYPE_CHECKING:
    from agent_debug.inspector.recording import Recorder


def check_record(args: argparse.Namespace, target: str | None) -> Path | None:
    """``--record`` checked against the store ``target`` (see ``check_record_target``)."""
    if args.record is None:
        if getattr(args, "record_append", False):
            raise UsageError("--record-append needs --record FILE.ndjson")
        return None
    from agent_debug.inspector.recording import check_record_target
    from agent_debug.inspector.targets import sqlite_path

    store = None
    if target is not None and target != "memory" and not target.startswith(("postgresql://", "postgres://")):
        store = sqlite_path(target)
    return check_record_target(args.record, store=store, append=getattr(args, "record_append", False))


def make_recorder(path: Path | None, args: argparse.Namespace) -> Recorder | None:
    """The ``--record`` recorder of ``run`` and ``attach`` (None without ``--record``); a
    write failure is a warning line (the TUI replaces it with a toast)."""
    if path is None:
        return None
    from agent_debug.inspector.recording import Recorder

    recorder = Recorder(path, append=getattr(args, "record_append", False))
    recorder.on_failure = lambda line: print(f"agent-debug: warning: {line}", file=sys.stderr, flush=True)
    return recorder
