"""Bot tests use the shared harness (tests/harness.py); its fixtures come from tests/conftest.py."""

from tests.harness import Conversation, TestClock  # noqa: F401 - kept importable from here
