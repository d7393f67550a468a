"""The backup commands' progress: steps drawn with the sync command's bar."""

from __future__ import annotations

import sys

from content.management.commands.sync import ProgressBar


class StepBar:
    """Calls ProgressBar with (step number, expected steps, step text)."""

    def __init__(self, command, name: str, total: int) -> None:
        self.bar = ProgressBar(getattr(command.stderr, "_out", sys.stderr), name)
        self.total = total
        self.done = 0

    def __call__(self, text: str) -> None:
        self.total = max(self.total, self.done + 1)
        self.bar(self.done, self.total, text)
        self.done += 1

    def finish(self) -> None:
        self.bar(self.total, self.total, "done")
