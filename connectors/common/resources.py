"""Raw resources every *arr app shares, as its OpenAPI document names them.

total=False: the apps omit null properties, so any key may be missing. App
packages import these into their own ``types.py`` beside their own resources.
"""

from __future__ import annotations

from typing import TypedDict


class QualityResource(TypedDict, total=False):
    id: int
    name: str
    source: str
    resolution: int


class QualityModel(TypedDict, total=False):
    quality: QualityResource
    revision: dict
