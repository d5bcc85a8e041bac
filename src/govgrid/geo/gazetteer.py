"""地名地址 as a lookup: the place whose name occurs in an address, longest name first. Pure and in memory:
services/geo/locate.py builds it from the stored gazetteer with the grid index."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

KEY = 2  # names are indexed by their first two characters


@dataclass(frozen=True)
class Place:
    name: str
    kind: str
    lng: float
    lat: float
    grid_code: str


class Gazetteer:
    def __init__(self, places: list[Place], revision: int) -> None:
        self.revision = revision
        self.by_prefix: dict[str, list[Place]] = defaultdict(list)
        for place in places:
            if len(place.name) >= KEY:
                self.by_prefix[place.name[:KEY]].append(place)
        for bucket in self.by_prefix.values():
            bucket.sort(key=lambda p: -len(p.name))

    def find(self, text: str) -> Place | None:
        """The place with the longest name that occurs in `text`."""
        best: Place | None = None
        for i in range(len(text) - KEY + 1):
            for place in self.by_prefix.get(text[i : i + KEY], ()):  # longest names first
                if best is not None and len(place.name) <= len(best.name):
                    break
                if text.startswith(place.name, i):
                    best = place
                    break
        return best
