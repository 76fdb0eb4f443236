"""The layering of DESIGN.md: the inspector is headless, and dependencies point one way."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
UI_PACKAGES = {"textual", "rich", "prompt_toolkit"}


def imported_names(folder: str) -> dict[str, set[str]]:
    """Every absolute module name imported anywhere in a folder, by file (static scan)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / folder).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names.update(a.name for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names.add(node.module)
        found[str(path.relative_to(ROOT))] = names
    return found


@pytest.mark.parametrize(
    ("folder", "forbidden"),
    [
        ("inspector", UI_PACKAGES | {"agent_debug.tui", "agent_debug.graphviz_export"}),
        ("graphviz_export", UI_PACKAGES | {"agent_debug.tui"}),
    ],
)
def test_layering_statically(folder: str, forbidden: set[str]):
    for file, names in imported_names(folder).items():
        bad = {n for n in names if any(n == f or n.startswith(f + ".") for f in forbidden)}
        assert not bad, f"{file} imports {bad}"


def test_graphviz_export_uses_at_most_the_inspector_model():
    for file, names in imported_names("graphviz_export").items():
        inspector = {n for n in names if n.startswith("agent_debug.inspector")}
        assert inspector <= {"agent_debug.inspector.model"}, f"{file} imports {inspector}"


def test_importing_the_whole_inspector_loads_no_ui_library():
    modules = sorted(
        "agent_debug." + ".".join(p.relative_to(ROOT).with_suffix("").parts).replace(".__init__", "")
        for p in (ROOT / "inspector").rglob("*.py")
    )
    probe = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "from agent_debug.inspector.targets import open_source\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {UI_PACKAGES!r}))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def loaded_after(commands: list[list[str]], report: str) -> str:
    """Run CLI commands in a fresh interpreter; the last line ``report`` (an expression
    over ``sys.modules``) printed afterwards."""
    probe = (
        "import sys\n"
        "from agent_debug.tui.cli import main\n"
        f"for argv in {commands!r}:\n"
        "    assert main(argv) == 0, argv\n"
        f"print({report})"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_headless_commands_never_import_textual(scenario_db):
    db = str(scenario_db[0])
    commands = [
        ["threads", db],
        ["history", db, "--thread", "finished"],
        ["state", db, "--thread", "finished"],
        ["stats", db],
        ["stats", db, "--json"],
    ]
    assert loaded_after(commands, "'textual' in sys.modules") == "False"


def test_listing_as_json_never_imports_pydantic(scenario_db):
    # Importing pydantic and building the records' schemas cost more than reading a
    # 10,000-checkpoint history; the --json listings write plain documents instead.
    db = str(scenario_db[0])
    commands = [["threads", db, "--json"], ["history", db, "--thread", "fanout", "--json"]]
    report = "sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'pydantic_core'))"
    assert loaded_after(commands, report) == "[]"


def run_in_terminal(probe: str, *, timeout: float = 120.0) -> tuple[int, bytes]:
    """Run a Python probe with a pseudo-terminal as its stdin, stdout and stderr; its exit
    status and everything it wrote to the terminal."""
    import os
    import select
    import termios
    import time

    main_fd, terminal_fd = os.openpty()
    termios.tcsetwinsize(terminal_fd, (40, 120))  # a new pty is 0x0: give it a screen
    try:
        proc = subprocess.Popen(
            [sys.executable, "-c", probe],
            stdin=terminal_fd, stdout=terminal_fd, stderr=terminal_fd, start_new_session=True, cwd=ROOT,
        )
    finally:
        os.close(terminal_fd)
    shown = bytearray()
    deadline = time.monotonic() + timeout  # a guard against a hang, not a wait
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([main_fd], [], [], 1.0)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(main_fd, 65536)
            except OSError:  # EIO: the probe closed its end of the terminal
                break
            if not chunk:
                break
            shown += chunk
        status = proc.wait(timeout=max(deadline - time.monotonic(), 1.0))
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(main_fd)
    return status, bytes(shown)


def test_graph_drawn_in_a_terminal_never_imports_textual(tmp_path: Path):
    # On a terminal, `graph` draws with colours: the styling must come from a module that
    # does not import Textual (the graph widget's module does).
    answer = tmp_path / "answer.txt"
    probe = (
        "import sys\n"
        "from agent_debug.tui.cli import main\n"
        "assert sys.stdout.isatty()\n"
        "status = main(['graph', 'agent_debug.fixtures.feature_request:graph'])\n"
        "sys.stdout.flush()\n"
        f"open({str(answer)!r}, 'w').write(f\"{{status}} {{'textual' in sys.modules}}\")\n"
    )
    status, shown = run_in_terminal(probe)
    assert status == 0, shown.decode(errors="replace")
    assert b"\x1b[" in shown, "the drawing was not styled for a terminal"  # the terminal branch ran
    assert b"analyze" in shown, shown.decode(errors="replace")  # a node of the drawing
    assert answer.read_text() == "0 False"
