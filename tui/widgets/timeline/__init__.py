"""The timeline of the selected thread: its phases on a time axis."""
