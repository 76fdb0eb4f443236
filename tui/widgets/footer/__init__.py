"""The footer."""
