"""Reading a listing answer (a JSON array of objects) of any size, whole or streamed.

Small listings are parsed at once; past a size they go through the streaming
JSON list reader (connectors.common.json_stream), which holds one bounded
element of raw text at a time. Anything but a complete array of objects raises
BadResponseError, so a caller never acts (deletes) on a cut listing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import chain
from typing import TYPE_CHECKING, Any

import requests

from connectors.common import json_stream
from connectors.common.answers import web_page_error
from connectors.common.errors import BadResponseError

if TYPE_CHECKING:
    from connectors.common.http import HttpClient


_CUT_READ = (
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
)


def stream_objects(
    client: HttpClient, response: requests.Response, shown: str, kind: str
) -> Iterator[dict]:
    """The objects of a 2xx streamed JSON array answer, as the reader decodes them.

    Anything but a complete array of objects (a web page, cut or malformed JSON,
    an element too long, a dropped connection) raises BadResponseError, so a
    caller deletes nothing on the strength of a partial listing.
    """
    if "html" in response.headers.get("Content-Type", "").lower():
        raise web_page_error(client, response)
    try:
        yield from _objects(client, response, _chunks(response), shown, kind)
    except _CUT_READ as exc:
        raise _cut(client, response, shown, exc) from None


def read_list(
    client: HttpClient, response: requests.Response, shown: str, kind: str, whole_up_to: int
) -> list[dict]:
    """The objects of a 2xx JSON array answer: parsed at once when the body ends within
    ``whole_up_to`` bytes (the C parser shares its key cache across the whole list,
    measurably faster than element by element), streamed past that, so a listing of
    any size holds one bounded element of raw text at a time."""
    if "html" in response.headers.get("Content-Type", "").lower():
        raise web_page_error(client, response)
    chunks = _chunks(response)
    head: list[bytes] = []
    size = 0
    try:
        for chunk in chunks:
            head.append(chunk)
            size += len(chunk)
            if size > whole_up_to:
                return list(_objects(client, response, chain(head, chunks), shown, kind))
    except _CUT_READ as exc:
        raise _cut(client, response, shown, exc) from None
    return _whole_list(client, response, b"".join(head), shown, kind)


def _chunks(response: requests.Response) -> Iterator[bytes]:
    return (c for c in response.iter_content(json_stream.CHUNK) if c)


def _objects(
    client: HttpClient, response: requests.Response, chunks: Iterator[bytes], shown: str, kind: str
) -> Iterator[dict]:
    try:
        for item in json_stream.JsonListReader(chunks).items():
            if not isinstance(item, dict):
                raise _not_objects(client, shown, item, kind)
            yield item
    except json.JSONDecodeError as exc:
        raise _malformed(client, response, shown, exc.msg) from None
    except json_stream.NotAList as exc:
        raise _not_a_list(client, response, shown, str(exc), kind) from None


def _whole_list(
    client: HttpClient, response: requests.Response, content: bytes, shown: str, kind: str
) -> list[dict]:
    """A small listing's body parsed at once, with the streamed reader's verdicts."""
    text = content.decode("utf-8", "replace").lstrip("\ufeff")
    first = text.lstrip()[:1]
    if first != "[":
        what = "nothing" if not first else "a web page" if first == "<" else "no list"
        raise _not_a_list(client, response, shown, what, kind)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise _malformed(client, response, shown, exc.msg) from None
    if not isinstance(value, list):  # "[" then something json.loads still took: impossible
        raise _not_a_list(client, response, shown, "no list", kind)
    for item in value:
        if not isinstance(item, dict):
            raise _not_objects(client, shown, item, kind)
    return value


def _not_objects(client: HttpClient, shown: str, item: Any, kind: str) -> BadResponseError:
    return BadResponseError(
        f"{client.where} answered {shown} with a list holding a "
        f"{type(item).__name__} where {kind} objects were expected."
    )


def _malformed(
    client: HttpClient, response: requests.Response, shown: str, why: str
) -> BadResponseError:
    return BadResponseError(
        f"{client.where} sent malformed or truncated JSON for {shown} "
        f"({client.scrub(why[:200])}): the listing was not used.",
        status_code=response.status_code,
    )


def _not_a_list(
    client: HttpClient, response: requests.Response, shown: str, what: str, kind: str
) -> BadResponseError:
    return BadResponseError(
        f"{client.where} answered {shown} with {what} where a list of {kind} objects was expected.",
        status_code=response.status_code,
    )


def _cut(
    client: HttpClient, response: requests.Response, shown: str, exc: Exception
) -> BadResponseError:
    return BadResponseError(
        f"{client.where} sent an incomplete answer for {shown} "
        f"({client.reason(exc)}): the listing was not used.",
        status_code=response.status_code,
    )
