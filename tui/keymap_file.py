"""The user's key remaps: a file of binding id → key(s), read at start, never written.

Where: the file named by ``$AGENT_DEBUG_KEYMAP``; else ``keymap.toml`` in the user's
config directory (``platformdirs.user_config_dir("agent-debug")``, e.g.
``~/.config/agent-debug/keymap.toml`` on Linux), or ``keymap.json`` there when there is no
``keymap.toml``.

What: TOML, binding ids (the help screen, ``?``, lists them) to a key, a comma-separated
string of keys, or a list of keys; a dotted id may be written as a table::

    "control.step" = "j"        # next step on j instead of n
    quit = ["q", "ctrl+q"]
    [tab]
    events = "E"                # the same as "tab.events" = "E"

A file whose name ends in ``.json`` holds the same mapping as a JSON object.

A file that cannot be used gives one line saying what is wrong and where (``problem``);
the default keys stay in force. Keys of an id nothing has are not applied; the rest are.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

KEYMAP_ENV = "AGENT_DEBUG_KEYMAP"


@dataclass(frozen=True)
class UserKeymap:
    """The keymap read, where from, and the one line to show when the file is not right."""

    keys: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    problem: str | None = None


class _Unusable(Exception):
    """The file cannot be used; the message says why."""


def keymap_path(environ: Mapping[str, str] = os.environ) -> tuple[Path, bool]:
    """The keymap file to read, and whether the user named it (a missing named file is
    an error; a missing default one is no keymap)."""
    named = environ.get(KEYMAP_ENV)
    if named:
        return Path(named).expanduser(), True
    from platformdirs import user_config_path  # only here: the headless commands never need it

    folder = user_config_path("agent-debug")  # ensure_exists stays off: we create nothing
    toml = folder / "keymap.toml"
    if not toml.exists() and (folder / "keymap.json").exists():
        return folder / "keymap.json", False
    return toml, False


def load_user_keymap(known_ids: Collection[str], environ: Mapping[str, str] = os.environ) -> UserKeymap:
    """Read the user's keymap, checking its ids against ``known_ids``."""
    path, named = keymap_path(environ)
    if not named and not path.exists():
        return UserKeymap(path=path)
    try:
        keys = parse_keymap(_read(path), json_file=path.suffix.lower() == ".json")
    except _Unusable as exc:
        return UserKeymap(path=path, problem=f"keymap {path}: {exc}; using the default keys")
    unknown = sorted(set(keys) - set(known_ids))
    if unknown:
        names = ", ".join(repr(u) for u in unknown)
        return UserKeymap(
            {k: v for k, v in keys.items() if k not in unknown},
            path,
            f"keymap {path}: no binding has the id {names} (press ? for the ids); its other keys are remapped",
        )
    return UserKeymap(keys, path)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _Unusable(f"no such file (named by {KEYMAP_ENV})") from None
    except IsADirectoryError:
        raise _Unusable("is a directory, not a file") from None
    except UnicodeDecodeError:
        raise _Unusable("not UTF-8 text") from None
    except OSError as exc:
        raise _Unusable(exc.strerror or type(exc).__name__) from None


def parse_keymap(text: str, *, json_file: bool = False) -> dict[str, str]:
    """Binding id → comma-separated keys, from the text of a keymap file (TOML, or JSON)."""
    if json_file:
        try:
            data = json.loads(text) if text.strip() else {}
        except ValueError as exc:
            raise _Unusable(f"not valid JSON: {exc}") from None
    else:
        import tomllib

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise _Unusable(f"not valid TOML: {exc}") from None
    if not isinstance(data, dict):
        raise _Unusable('expected a table of binding id = key(s), like "control.step" = "j"')
    keys: dict[str, str] = {}
    _flatten(data, "", keys)
    return keys


def _flatten(table: dict[str, Any], prefix: str, into: dict[str, str]) -> None:
    for name, value in table.items():
        binding_id = f"{prefix}{name}"
        if isinstance(value, dict):
            _flatten(value, f"{binding_id}.", into)
        else:
            into[binding_id] = _keys(binding_id, value)


def _keys(binding_id: str, value: Any) -> str:
    """The keys of one entry as Textual's keymap takes them: ``"j"`` or ``"j,down"``."""
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else None
    keys = [k.strip() for k in items if isinstance(k, str)] if items is not None else []
    if not keys or len(keys) != len(items or ()) or any(not k or any(c.isspace() for c in k) or "," in k for k in keys):
        shown = json.dumps(value, default=repr)
        shown = shown if len(shown) <= 40 else shown[:39] + "…"
        raise _Unusable(f'{binding_id} = {shown}: give a key like "j" or "ctrl+j", or a list of keys')
    return ",".join(keys)
