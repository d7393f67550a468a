"""Comradarr's pages that span the domain apps (the library browser).

The one app allowed to import every domain app (connectors, content,
searchstate, queueing): a page here may show the mirror, the search state and
the queue together. Nothing below imports it; docs/architecture.md has the map.
"""
