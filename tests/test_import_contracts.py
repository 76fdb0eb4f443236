"""The import contracts of pyproject.toml (``[tool.importlinter]``), checked on every run.

``lint-imports`` reads every import statement, those inside functions too: the inspector
and the exporters stay headless, the headless verbs never reach Textual, only the
launcher imports the app, and the command line's modules have no import cycle.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def test_import_contracts_are_kept():
    # --no-cache: no .import_linter_cache folder left in the repository.
    out = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"], capture_output=True, text=True, cwd=ROOT
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 broken" in out.stdout, out.stdout
