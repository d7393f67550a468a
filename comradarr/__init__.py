"""Comradarr: keeps Sonarr, Radarr and Whisparr libraries complete."""

__version__ = "0.1.0"
