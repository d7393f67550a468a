"""Notification channels, event routing, digests and quiet hours."""
