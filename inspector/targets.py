"""Turning a TARGET on the command line into a ``Source``.

TARGET is a SQLite path or ``sqlite:///path``, or a ``postgresql://`` DSN. Everything
opens read-only; acting verbs (issue 5) ask for write access explicitly.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from agent_debug.inspector.exceptions import TargetError
from agent_debug.inspector.sources.base import Source

_PG_SCHEMES = ("postgresql://", "postgres://")
# libpq's keyword form: "host=db port=5432 dbname=app user=me password=..."
_PG_KEYWORDS = re.compile(r"^\s*(host|hostaddr|port|dbname|user|password|service|sslmode)\s*=", re.I)


def redact(dsn: str) -> str:
    """A DSN safe to print: the password replaced by ``***``."""
    parts = urlsplit(dsn)
    if parts.password is None:
        return re.sub(r"(password=)\S+", r"\1***", dsn)
    netloc = parts.netloc.rsplit("@", 1)
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[-1]}"))


def sqlite_path(target: str) -> Path | None:
    """The file a SQLite TARGET names, or None when TARGET is not SQLite."""
    if target.startswith("sqlite:"):
        rest = target[len("sqlite:") :]
        # sqlite:///abs/path and sqlite:///rel/path follow SQLAlchemy: three slashes then the path.
        if rest.startswith("///"):
            return Path(unquote(rest[3:]) or ".")
        return Path(unquote(rest.lstrip("/")))
    if "://" in target:
        return None
    return Path(target)


def open_source(target: str) -> Source:
    """Open TARGET read-only; a ``TargetError`` with one clear line if it cannot be."""
    if target.startswith(_PG_SCHEMES) or _PG_KEYWORDS.match(target):
        from agent_debug.inspector.sources.postgres import PostgresReader
        from agent_debug.inspector.sources.checkpoints import CheckpointSource

        return CheckpointSource(PostgresReader(target))
    if target.endswith(".ndjson"):
        if not Path(target).exists():
            raise TargetError(f"no such recording: {target}")
        from agent_debug.inspector.sources.recording import RecordingSource

        return RecordingSource(target)
    if target.startswith(("http://", "https://")):
        raise TargetError(f"LangGraph server targets are not supported yet: {target}")
    path = sqlite_path(target)
    if path is None:
        scheme = target.split("://", 1)[0]
        raise TargetError(
            f"unknown target scheme '{scheme}://' in {target} (use a SQLite path, sqlite:///PATH or postgresql://...)"
        )
    from agent_debug.inspector.sources.checkpoints import CheckpointSource
    from agent_debug.inspector.sources.sqlite import SqliteReader

    return CheckpointSource(SqliteReader(path, display=target))
