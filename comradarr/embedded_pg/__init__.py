"""Database backend that starts the embedded PostgreSQL on first connection."""
