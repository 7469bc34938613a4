"""The whole test tree's fixtures and hooks live in tests/support/fixtures.py, defined once."""

pytest_plugins = ["tests.support.fixtures"]
