"""A real ``langgraph dev`` server for tests: its graphs, auth and checkpointer (tests/server_proc.py starts it)."""
