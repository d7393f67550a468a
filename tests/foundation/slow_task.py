"""A task for the serve end-to-end tests: takes a while, leaves marks on disk.

It lives in its own module so the real django-q2 worker that `serve` starts
can import it (the worker runs from the repository root).
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

logger = logging.getLogger(__name__)


def run(marker_dir: str, seconds: float) -> str:
    marks = Path(marker_dir)
    (marks / "task-started").write_text("started")
    time.sleep(seconds)
    (marks / "task-finished").write_text("finished")
    logger.warning("slow task finished")
    return "finished"
