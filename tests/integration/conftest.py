"""The integration tests use the session's real stack (tests/stack.py)."""
