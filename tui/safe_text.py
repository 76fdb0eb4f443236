"""Stored text made safe for a terminal: the inspector's rules (``inspector.safe_text``),
importable from the front ends as before. Standard library only."""

from agent_debug.inspector.safe_text import visible

__all__ = ["visible"]
