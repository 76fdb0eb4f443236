"""Custom auth for the test server (``langgraph_auth.json``): one fixed API key in ``x-api-key``.

The server loads this file by path; tests import ``TEST_API_KEY`` from here to send the key.
"""

from __future__ import annotations

from langgraph_sdk import Auth

TEST_API_KEY = "test-key-agent-debug-4f1c9e"
API_KEY_HEADER = "x-api-key"

auth = Auth()


@auth.authenticate
async def authenticate(headers: dict[bytes, bytes]) -> Auth.types.MinimalUserDict:
    # The server passes the raw ASGI headers: lower-case byte names and byte values.
    if headers.get(API_KEY_HEADER.encode()) != TEST_API_KEY.encode():
        raise Auth.exceptions.HTTPException(status_code=401, detail="missing or wrong x-api-key")
    return {"identity": "test-user", "permissions": []}
