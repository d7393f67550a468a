"""Small wording helpers shared by the pages and messages."""

from __future__ import annotations


def counted(count: int, word: str) -> str:
    """``3 episodes``, ``1 episode``: a count with its noun (regular plurals only)."""
    return f"{count} {word}{'' if count == 1 else 's'}"
