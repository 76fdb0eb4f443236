"""``ctrl+e`` in a dialog: edit a JSON value in the user's own editor (``$VISUAL``, ``$EDITOR``, else ``vi``).

The value goes to a private temp file (``.json`` so the editor highlights it, mode 0600:
a state value may hold anything), the app is suspended while the editor owns the
terminal (``App.suspend``), and the file's text comes back to the dialog, which checks
it. The file is removed however the editor ends. ``$EDITOR`` is split like a shell
would (``code --wait``, ``emacsclient -t``). Textual can only suspend on a real
terminal: under ``run_test`` (Pilot), or Textual Web, the dialog says so in one line.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from typing import Any

FALLBACK = "vi"


class EditorProblem(Exception):
    """The editor could not be used; the message is one line for the dialog."""


def editor_command(env: dict[str, str] | None = None) -> list[str]:
    """The editor's argv: ``$VISUAL``, else ``$EDITOR``, else ``vi`` when installed."""
    environ = os.environ if env is None else env
    for name in ("VISUAL", "EDITOR"):
        text = environ.get(name, "").strip()
        if text:
            try:
                argv = shlex.split(text)
            except ValueError as exc:
                raise EditorProblem(f"${name} cannot be split like a shell command ({exc})") from None
            if argv:
                return argv
    if shutil.which(FALLBACK, path=environ.get("PATH")):
        return [FALLBACK]
    raise EditorProblem("no editor: set $EDITOR (or $VISUAL), e.g. EDITOR=nano or EDITOR='code --wait'")


def edit_text(text: str, *, env: dict[str, str] | None = None, run: Callable[..., Any] = subprocess.run) -> str:
    """Let the editor change ``text`` (in a temp file) and return what it saved."""
    argv = editor_command(env)
    fd, path = tempfile.mkstemp(prefix="agent-debug-", suffix=".json")  # 0600, only ours
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text if text.endswith("\n") else text + "\n")
        try:
            done = run([*argv, path], env=env)
        except FileNotFoundError:
            raise EditorProblem(f"editor {argv[0]!r} not found; set $EDITOR to one that is installed") from None
        except OSError as exc:
            raise EditorProblem(f"editor {argv[0]!r} could not start: {exc.strerror or exc}") from None
        if done.returncode != 0:
            raise EditorProblem(f"the editor exited with status {done.returncode}; the value here is unchanged")
        try:
            with open(path, encoding="utf-8") as handle:
                return handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise EditorProblem(f"cannot read what the editor saved: {exc}") from None
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass


def edit_in_app(app: Any, text: str) -> str:
    """Suspend ``app`` and run the editor on ``text``; what it saved (EditorProblem otherwise).

    Runs on the UI thread on purpose: the editor owns the terminal until it exits, and
    the app draws nothing meanwhile."""
    from textual.app import SuspendNotSupported

    try:
        with app.suspend():
            return edit_text(text)
    except SuspendNotSupported:
        raise EditorProblem("the editor needs the app on a real terminal (Textual cannot suspend here)") from None


def edit_into(app: Any, area: Any, problem: Any) -> None:
    """``ctrl+e`` in a dialog: the text of ``area`` (a TextArea) through the editor and back
    into it, not sent; ``problem`` (a Static) says why when the editor could not run or
    what it saved is not JSON (the text stays there to fix)."""
    from rich.text import Text

    from agent_debug.tui.safe_text import visible

    try:
        text = edit_in_app(app, area.text)
    except EditorProblem as exc:
        problem.update(Text(visible(str(exc))))
        return
    put_back(area, problem, text)


def put_back(area: Any, problem: Any, text: str) -> None:
    """Put what the editor saved in ``area`` and focus it; not JSON: ``problem`` says where."""
    import json

    from rich.text import Text

    area.text = text.removesuffix("\n")
    area.focus()
    try:
        json.loads(area.text)
    except json.JSONDecodeError as exc:
        problem.update(Text(f"the editor's text is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}; fix it here or press ctrl+e again"))
        return
    problem.update("")
