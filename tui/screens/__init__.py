"""Modal screens of the agent-debug app."""
