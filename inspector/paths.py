"""What a path given on the command line is, checked without opening it for writing.

Shared by every option that names a file to create or act on (``--record``,
``--checkpointer``, ``graph -o``) and by the SQLite reader, so they agree on what a
SQLite file is and on when a new file can be made.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

SQLITE_MAGIC = b"SQLite format 3\x00"


def is_sqlite(path: str | os.PathLike[str]) -> bool:
    """Whether the file starts with SQLite's header (read-only; False if unreadable)."""
    try:
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def cannot_create(path: Path) -> str | None:
    """Why no new file can be made at ``path`` (its folder is missing, is no folder or is
    not writable), or None. Through a dangling link the file would be made where it points."""
    parent = Path(os.path.realpath(path)).parent if path.is_symlink() else path.parent
    if not parent.is_dir():
        return f"{parent} is not a directory" if parent.exists() else f"the directory {parent} does not exist"
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"cannot create a file in {parent} (permission denied)"
    return None


def default_run_store() -> Path:
    """The embedded SQLite store runs go to unless ``--checkpointer`` says otherwise, and
    the store a GRAPH_REF target reads."""
    from platformdirs import user_data_path

    return user_data_path("agent-debug") / "runs.db"


_GRAPH_REF = re.compile(r"^(?:[A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)*|[^:]+\.py):[A-Za-z_]\w*$")


def is_graph_ref(target: str) -> bool:
    """Whether TARGET names a graph (``pkg.mod:attr`` or ``path/file.py:attr``) rather than a
    store: no scheme, not an existing file, and shaped like a GRAPH_REF."""
    return "://" not in target and bool(_GRAPH_REF.match(target)) and not Path(target).exists()
