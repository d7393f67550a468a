"""connectors.common.json_stream.JsonListReader on its own: byte chunks in, elements out."""

from __future__ import annotations

import json

import pytest

from connectors.common.json_stream import JsonListReader, NotAList


def chunks(data: bytes, size: int):
    return iter([data[i : i + size] for i in range(0, len(data), size)])


def read(data: bytes, size: int = 7, **kwargs) -> list:
    return list(JsonListReader(chunks(data, size), **kwargs).items())


@pytest.mark.parametrize("size", [1, 2, 5, 64, 10_000])
def test_any_chunking_gives_the_same_elements(size):
    value = [
        {"id": 1, "t": "Amélie \u2013 東京 🎬"},
        [1, 2],
        "s",
        3.5,
        None,
        True,
        {"n": {"m": []}},
    ]
    assert read(json.dumps(value, ensure_ascii=False).encode(), size) == value


def test_elements_are_yielded_before_the_body_ends():
    def body():
        yield b'[{"id": 1},'
        raise ConnectionError("cut")

    items = JsonListReader(body()).items()
    assert next(items) == {"id": 1}
    with pytest.raises(ConnectionError):
        next(items)


@pytest.mark.parametrize(
    ("data", "says"),
    [(b"", "nothing"), (b"  \n", "nothing"), (b"<html>", "a web page"), (b'{"a": 1}', "no list")],
)
def test_a_body_that_is_not_a_list(data, says):
    with pytest.raises(NotAList, match=says):
        read(data)


def test_a_bom_and_whitespace_are_skipped():
    assert read(b"\xef\xbb\xbf \n[ 1 , 2 ]\n ") == [1, 2]


@pytest.mark.parametrize("data", [b"[1, 2", b"[1 2]", b"[1,]", b"[,1]", b"[1] x", b"[{]"])
def test_malformed_or_cut_lists_raise_a_decode_error(data):
    with pytest.raises(json.JSONDecodeError):
        read(data)


def test_an_element_longer_than_the_bound_stops_reading():
    pulled = []

    def body():
        yield b'[{"t": "'
        for _ in range(1000):
            pulled.append(1)
            yield b"x" * 100

    with pytest.raises(json.JSONDecodeError):
        list(JsonListReader(body(), item_limit=1000).items())
    assert len(pulled) < 20  # stopped near the bound, not at the end of the body


def test_the_buffer_holds_about_one_element_not_the_whole_body():
    reader = JsonListReader(chunks(json.dumps([{"id": i} for i in range(5000)]).encode(), 64))
    longest = 0
    for _ in reader.items():
        longest = max(longest, len(reader.buffer))
    assert longest < 200
