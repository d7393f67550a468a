"""CSV export of any dataset for a selection, produced line by line (streamed)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import datetime

from analytics.datasets import UnknownDataset, dataset
from analytics.ranges import Selection

__all__ = ["UnknownDataset", "csv_lines", "filename"]


class _Line:
    """A file-like object whose write() hands back the line csv.writer produced."""

    def write(self, value: str) -> str:
        return value


def _cell(value, sel: Selection):
    if isinstance(value, datetime):
        return value.astimezone(sel.tz).isoformat()
    return "" if value is None else value


def csv_lines(name: str, sel: Selection) -> Iterator[str]:
    """The header, then one line per row; raises UnknownDataset before yielding anything."""
    table = dataset(name).build(sel)
    writer = csv.writer(_Line())

    def lines() -> Iterator[str]:
        yield writer.writerow(table.columns)
        for row in table.rows:
            yield writer.writerow([_cell(v, sel) for v in row])

    return lines()


def filename(name: str, sel: Selection) -> str:
    first = sel.start.astimezone(sel.tz).date().isoformat()
    last = sel.end.astimezone(sel.tz).date().isoformat()
    who = f"-connector{sel.connector_id}" if sel.connector is not None else ""
    return f"comradarr-{name}{who}-{first}-to-{last}.csv"
