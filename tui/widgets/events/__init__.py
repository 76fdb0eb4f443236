"""Widgets of the agent-debug app."""
