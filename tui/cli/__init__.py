"""The ``agent-debug`` command line: the parser, ``main``, and one module per verb.

Importing this package loads only the standard library, so ``--help`` starts in a few
tens of milliseconds; each verb imports what it needs when it runs. Only
:mod:`agent_debug.tui.cli.launcher` imports the Textual app (an import contract in
pyproject.toml keeps it so).
"""

from agent_debug.tui.cli.dispatch import main

__all__ = ["main"]
