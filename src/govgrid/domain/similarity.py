"""When two reports may be the same problem (FixMyStreet users' first request; 12345's repeated calls):
the same class within 50 m and 24 hours, or near-identical text within 24 hours."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from difflib import SequenceMatcher

NEARBY_METRES = 50.0
WINDOW = timedelta(hours=24)
TEXT_RATIO = 0.9


@dataclass(frozen=True)
class Sighting:
    class_code: str
    reported_at: datetime
    lng: float | None
    lat: float | None
    text: str


def metres_between(lng1: float, lat1: float, lng2: float, lat2: float) -> float:
    """Great-circle distance (haversine), in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    )
    return 2 * 6_371_008.8 * math.asin(math.sqrt(a))


def likeness(new: Sighting, old: Sighting) -> tuple[str, float | None] | None:
    """Why `old` may be the same problem as `new` ("nearby" with the distance, or "text"), else None."""
    if abs(new.reported_at - old.reported_at) > WINDOW:
        return None
    if new.class_code == old.class_code and None not in (new.lng, new.lat, old.lng, old.lat):
        distance = metres_between(new.lng, new.lat, old.lng, old.lat)  # type: ignore[arg-type]
        if distance <= NEARBY_METRES:
            return "nearby", round(distance, 1)
    if len(new.text) >= 8 and is_near_identical(new.text, old.text):
        return "text", None
    return None


def is_near_identical(a: str, b: str) -> bool:
    """difflib ratio ≥ 0.9, trying its cheap upper bounds first (most pairs stop there)."""
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    return (
        matcher.real_quick_ratio() >= TEXT_RATIO
        and matcher.quick_ratio() >= TEXT_RATIO
        and matcher.ratio() >= TEXT_RATIO
    )
