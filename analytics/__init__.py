"""Collectors, daily aggregates, charts, CSV export and metrics."""
