"""What the debugger remembers between sessions: the last target, and per target the last
thread and tab, in ``$XDG_STATE_HOME/agent-debug/last.json`` (``~/.local/state/…``).

It is a convenience, never a reason to fail: a file that cannot be read or written
costs one line on the status line. It never holds a secret: a DSN or URL is kept
without its password (``stored_target``), and one that would still hold a secret is
not kept at all. The file is replaced atomically (a temp file in the same folder, then
a rename), mode 0600, so a crash or a second session never leaves half of it.

Standard library and ``inspector.targets`` only: the command line reads it before
anything heavy is imported.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent_debug.inspector.targets import (
    SECRET_KEYWORDS,
    DsnSyntaxError,
    is_keyword_dsn,
    parse_keywords,
    redact,
    sqlite_path,
)

FILE_NAME = "last.json"
VERSION = 1
MAX_TARGETS = 20  # the most recently opened; older ones are forgotten
_MAX_TEXT = 4096  # a field longer than this in the file is not ours: ignored


def state_dir(env: dict[str, str] | None = None) -> Path:
    """``$XDG_STATE_HOME/agent-debug`` (an unset or relative XDG_STATE_HOME means
    ``~/.local/state``, as the XDG spec says)."""
    environ = os.environ if env is None else env
    base = environ.get("XDG_STATE_HOME", "")
    root = Path(base) if base and Path(base).is_absolute() else Path.home() / ".local" / "state"
    return root / "agent-debug"


def state_file(env: dict[str, str] | None = None) -> Path:
    """The file the last target, thread and tab are kept in."""
    return state_dir(env) / FILE_NAME


@dataclass(frozen=True)
class StoredTarget:
    """A TARGET as it is kept: ``text`` opens it again; ``password_dropped``: a secret
    was left out, so opening it needs PGPASSWORD or a ~/.pgpass entry."""

    text: str
    password_dropped: bool


def _quote_keyword_value(value: str) -> str:
    if value and not any(c in value for c in " \t\n\v\f\r'\\"):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _without_url_secrets(url: str) -> str:
    """A URL without the password of its user part and without secret query parameters
    (the user part ends at the last '@' before the query, as ``targets.redact`` reads it)."""
    scheme, rest = url.split("://", 1)
    before_query, sep, query = rest.partition("?")
    at = before_query.rfind("@")
    if at >= 0 and ":" in before_query[:at]:
        before_query = before_query[:at].split(":", 1)[0] + before_query[at:]
    if sep:
        kept = [item for item in query.split("&") if item.partition("=")[0] not in SECRET_KEYWORDS]
        query = "&".join(kept)
        sep = "?" if kept else ""
    return f"{scheme}://{before_query}{sep}{query}"


def _absolute(target: str) -> str:
    """A file TARGET (SQLite, recording, ``file.py:attr``) by its absolute path, so it opens
    from any folder; anything else unchanged."""
    from agent_debug.inspector.paths import is_graph_ref

    if "://" in target and not target.startswith("sqlite:"):
        return target
    if is_graph_ref(target):
        ref, _, attr = target.rpartition(":")
        return f"{Path(ref).resolve()}:{attr}" if ref.endswith(".py") else target
    path = sqlite_path(target)
    return str(path.resolve()) if path is not None else target


def stored_target(target: str) -> StoredTarget | None:
    """TARGET as it may be written down: without its password, files by absolute path.
    None when no form of it is free of secrets (a DSN libpq would refuse, a nested DSN)."""
    if is_keyword_dsn(target):
        try:
            params = parse_keywords(target)
        except DsnSyntaxError:
            return None
        text = " ".join(f"{k}={_quote_keyword_value(v)}" for k, v in params.items() if k not in SECRET_KEYWORDS)
    elif "://" in target and not target.startswith("sqlite:"):
        text = _without_url_secrets(target)
    else:
        text = _absolute(target)
    if redact(text) != text:
        return None  # something secret is still in there: better not remembered
    return StoredTarget(text, password_dropped=redact(target) != target)


@dataclass
class TargetMemory:
    """What is remembered of one target."""

    thread: str | None = None
    tab: str | None = None
    password_dropped: bool = False

    def to_json(self) -> dict[str, Any]:
        return {"thread": self.thread, "tab": self.tab, "password_dropped": self.password_dropped}


@dataclass
class LastState:
    """The whole file: the last target opened and what is remembered of each target."""

    last_target: str | None = None
    targets: dict[str, TargetMemory] | None = None

    def memory(self, target: str) -> TargetMemory:
        return (self.targets or {}).get(target) or TargetMemory()


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= _MAX_TEXT else None


def read_state(path: Path | None = None) -> tuple[LastState, str | None]:
    """The remembered state and a one-line problem (None: fine). A missing file is no
    problem; a corrupt or foreign one is ignored (the next save replaces it)."""
    path = path or state_file()
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return LastState(targets={}), None
    except (OSError, UnicodeDecodeError) as exc:
        return LastState(targets={}), f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}"
    try:
        doc = json.loads(raw)
    except json.JSONDecodeError:
        return LastState(targets={}), f"{path} is not valid JSON: ignored (it is replaced on the next save)"
    if not isinstance(doc, dict) or doc.get("version") != VERSION:
        return LastState(targets={}), f"{path} is not a file of this version: ignored"
    targets: dict[str, TargetMemory] = {}
    for key, entry in (doc.get("targets") or {}).items() if isinstance(doc.get("targets"), dict) else ():
        if _text(key) and isinstance(entry, dict):
            targets[key] = TargetMemory(_text(entry.get("thread")), _text(entry.get("tab")), entry.get("password_dropped") is True)
    return LastState(_text(doc.get("last_target")), targets), None


def write_state(state: LastState, path: Path | None = None) -> None:
    """Replace the file atomically with ``state`` (mode 0600, its folder 0700); raises OSError."""
    path = path or state_file()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    doc = {
        "version": VERSION,
        "last_target": state.last_target,
        "targets": {key: memory.to_json() for key, memory in (state.targets or {}).items()},
    }
    fd, temp = tempfile.mkstemp(prefix=".last-", suffix=".json", dir=path.parent)  # mkstemp makes it 0600
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(doc, handle, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise


class Remembered:
    """One session's memory of its target: what to restore when it opens, and the thread
    and tab to keep as they change. ``save`` is safe from any thread."""

    def __init__(self, target: StoredTarget, *, path: Path | None = None, reopened: bool = False) -> None:
        self.target = target
        self.path = path or state_file()
        self.reopened = reopened  # opened as the last target (attach without TARGET)
        state, self.problem = read_state(self.path)
        memory = state.memory(target.text)
        self.thread, self.tab = memory.thread, memory.tab
        self._saved: tuple[str | None, str | None] | None = None
        self._lock = threading.Lock()

    @classmethod
    def open(cls, target: str, *, path: Path | None = None, reopened: bool = False) -> Remembered | None:
        """The memory of TARGET (None when it cannot be kept without a secret)."""
        stored = stored_target(target)
        return cls(stored, path=path, reopened=reopened) if stored is not None else None

    def note(self, thread: str | None, tab: str | None) -> bool:
        """The selection is now ``thread`` on ``tab``; True when that is not saved yet."""
        with self._lock:
            if thread is not None:
                self.thread = thread
            if tab is not None:
                self.tab = tab
            return self._saved != (self.thread, self.tab)

    def save(self) -> str | None:
        """Write this target as the last one, with its thread and tab, keeping what other
        sessions remembered of other targets; a one-line problem, or None."""
        with self._lock:
            state, _ = read_state(self.path)
            targets = dict(state.targets or {})
            targets.pop(self.target.text, None)  # moved to the end: the most recent
            targets[self.target.text] = TargetMemory(self.thread, self.tab, self.target.password_dropped)
            while len(targets) > MAX_TARGETS:
                targets.pop(next(iter(targets)))
            try:
                write_state(LastState(self.target.text, targets), self.path)
            except OSError as exc:
                self.problem = f"cannot remember the last thread in {self.path}: {exc.strerror or exc}"
                return self.problem
            self._saved = (self.thread, self.tab)
            self.problem = None
            return None


def last_target(path: Path | None = None) -> tuple[str | None, TargetMemory, str | None]:
    """The last target opened (None: none yet), what is remembered of it, and a problem line."""
    state, problem = read_state(path)
    if state.last_target is None:
        return None, TargetMemory(), problem
    return state.last_target, state.memory(state.last_target), problem
