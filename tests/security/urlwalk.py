"""Every URL pattern of the URLconf, as a concrete path that resolves back to it.

New routes are picked up automatically: the walk reads the resolver, not a list.
A pattern the sampler cannot turn into a path fails `concrete_routes()` with its
regex, so it cannot silently escape the security tests that use the walk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

_GROUP = re.compile(r"\(\?P<(?P<name>\w+)>(?P<inner>(?:[^()]|\([^()]*\))*)\)")


@dataclass(frozen=True)
class Route:
    path: str
    name: str  # "namespace:name", or "" for an unnamed pattern
    regex: str
    callback: object


def _sample(match: re.Match) -> str:
    inner = match.group("inner")
    if "|" in inner:
        # An alternation such as the admin's app_label: its first choice.
        return inner.split("|", 1)[0].lstrip("(?:")
    return "1"


def _to_path(regex: str) -> str:
    return _clean(_GROUP.sub(_sample, regex))


def group_names(regex: str) -> list[str]:
    return [match.group("name") for match in _GROUP.finditer(regex)]


def path_with(regex: str, values: list[str]) -> str:
    """The route's path with its groups, in order, replaced by `values`."""
    remaining = iter(values)
    return _clean(_GROUP.sub(lambda _match: next(remaining), regex))


def _clean(text: str) -> str:
    for token in ("^", "\\Z", "$"):
        text = text.replace(token, "")
    text = text.replace("/?", "/").replace("\\-", "-").replace("\\.", ".").replace("\\/", "/")
    return "/" + text.lstrip("/")


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for entry in patterns:
        regex = prefix + entry.pattern.regex.pattern.lstrip("^").removesuffix("\\Z")
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            full_ns = f"{namespace}:{ns}".strip(":") if ns else namespace
            yield from _walk(entry.url_patterns, regex, full_ns)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}".strip(":") if entry.name else ""
            yield regex, name, entry.callback


def concrete_routes() -> list[Route]:
    """One Route per URL pattern; raises AssertionError for a pattern it cannot sample."""
    routes, unresolved = [], []
    for regex, name, callback in _walk(get_resolver().url_patterns):
        path = _to_path(regex)
        try:
            # A more general pattern earlier in the list may answer the path: it is
            # still the path a client would send, so it is tested as it is.
            resolve(path)
        except Resolver404:
            unresolved.append(regex)
            continue
        routes.append(Route(path=path, name=name, regex=regex, callback=callback))
    assert not unresolved, f"urlwalk cannot build a path for: {unresolved}"
    return routes
