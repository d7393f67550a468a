"""The content mirror (series, seasons, episodes, movies) and library sync."""
