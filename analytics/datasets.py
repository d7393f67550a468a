"""Every dataset the analytics page shows: charts (time series) and tables, by name.

The page, the JSON endpoint, the CSV export and ``manage.py analytics export``
all look datasets up here, so a chart and its CSV cannot disagree.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from analytics import series, tables
from analytics.ranges import Selection
from analytics.series import Table


class UnknownDataset(LookupError):
    pass


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    description: str
    build: Callable[[Selection], Table]
    chart: bool


CHARTS = (
    Dataset(
        "discovery",
        "Gap discovery",
        "New gaps and upgrade candidates found by sweeps.",
        series.discovery,
        True,
    ),
    Dataset(
        "searches",
        "Searches and success rate",
        "Commands sent, what came of them, and acquisitions per search.",
        series.searches,
        True,
    ),
    Dataset(
        "acquisitions",
        "Acquisitions",
        "Items that gained their file: after our search or "
        "by the app's own RSS; items given up on.",
        series.acquisitions,
        True,
    ),
    Dataset(
        "queue",
        "Queue depth",
        "Entries waiting, sampled at every dispatch tick.",
        series.queue_depth,
        True,
    ),
    Dataset(
        "response",
        "Response time of the apps",
        "Every request Comradarr sent to the apps: mean and 95th percentile, and how many failed.",
        series.response_times,
        True,
    ),
    Dataset(
        "completion",
        "Library completion",
        "Monitored items that have their file.",
        series.completion,
        True,
    ),
    Dataset(
        "queries",
        "Indexer queries and budget",
        "Estimated queries spent; the budget line is today's setting.",
        series.queries,
        True,
    ),
)
TABLES = (
    Dataset(
        "connectors",
        "Connector comparison",
        "Success, response time and errors.",
        tables.comparison,
        False,
    ),
    Dataset(
        "endpoints",
        "Response time per request",
        "Every request to the apps by endpoint: how many, how many failed, mean and p95.",
        tables.endpoints,
        False,
    ),
    Dataset(
        "most_searched",
        "Most searched",
        "Items searched most often in the range.",
        tables.most_searched,
        False,
    ),
    Dataset(
        "hardest",
        "Hardest to find",
        "Given up on (exhausted) first, then most attempts.",
        tables.hardest,
        False,
    ),
    Dataset(
        "quality",
        "Quality distribution",
        "Files per quality, from the mirror (now).",
        tables.quality,
        False,
    ),
    Dataset(
        "gap_age",
        "Age of gaps",
        "How long missing items have been missing (now).",
        tables.gap_age,
        False,
    ),
)
DATASETS = {d.name: d for d in (*CHARTS, *TABLES)}


def dataset(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise UnknownDataset(
            f"Unknown dataset {name[:40]!r}; one of: {', '.join(DATASETS)}."
        ) from None
