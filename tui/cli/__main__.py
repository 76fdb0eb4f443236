"""``python -m agent_debug.tui.cli``: the ``agent-debug`` command."""

import sys

from agent_debug.tui.cli.dispatch import main

sys.exit(main())
