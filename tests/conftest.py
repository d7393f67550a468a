"""Fixtures shared by the whole suite."""

pytest_plugins = ["tests.fakearr.pytest_plugin"]
