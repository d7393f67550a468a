"""Models of the project app: application settings and accounts."""
