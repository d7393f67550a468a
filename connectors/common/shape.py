"""The shape of a connected app's library, and what its items are called.

The one place that answers "is this connector series-shaped or movie-shaped?".
The answer comes from the app's capabilities (each app package's
``capabilities.rules(version)`` names its shape), read through
``Connector.shape``; the mirror, discovery, the library pages and the webhook
receiver all ask it instead of testing kinds or versions themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from connectors.common.capabilities import SHAPE_MOVIES, SHAPE_SERIES


@dataclass(frozen=True)
class Shape:
    """A library shape: series -> seasons -> episodes, or a flat list of movies.

    ``item`` is also the kind of a search target ("episode" or "movie"), the
    noun the search registry, the library URLs and the planner use.
    """

    name: str  # Capabilities.shape: "series" | "movies" | an app's own
    item: str  # one mirrored item: "episode" | "movie"
    items: str  # the plural, as pages show it
    container: str  # what holds the items ("series"), "" for a flat list
    mirrored: bool = True  # content has tables for it (series and movies only)

    @property
    def is_series(self) -> bool:
        return self.name == SHAPE_SERIES

    @property
    def is_movies(self) -> bool:
        return self.name == SHAPE_MOVIES

    def __str__(self) -> str:
        return self.name


SERIES = Shape(name=SHAPE_SERIES, item="episode", items="episodes", container="series")
MOVIES = Shape(name=SHAPE_MOVIES, item="movie", items="movies", container="")

_KNOWN = {shape.name: shape for shape in (SERIES, MOVIES)}


def shape_named(name: str) -> Shape:
    """The Shape of a Capabilities.shape name.

    A shape the mirror does not know (a music app's artists and albums) gets
    neutral nouns and ``mirrored=False``: nothing is synced, browsed or searched
    for it until content learns its tables.
    """
    known = _KNOWN.get(name)
    if known is not None:
        return known
    return Shape(name=name, item="item", items="items", container="", mirrored=False)
