"""The log viewer: log records kept in a bounded table, and the Settings > Logs page."""
