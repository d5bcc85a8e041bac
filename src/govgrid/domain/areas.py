"""Administrative area codes (GB/T 2260 and its statistical extension) and unit-grid codes.

district 6 digits → street/town 9 → community/village 12 → unit grid 15
(6 district + 3 street + 3 community + 3 sequence, numbered west→east, north→south inside the community).
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

from govgrid.domain.errors import InvalidInput


class AreaLevel(StrEnum):
    DISTRICT = "district"
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"


CODE_LENGTH = {AreaLevel.DISTRICT: 6, AreaLevel.STREET: 9, AreaLevel.COMMUNITY: 12, AreaLevel.GRID: 15}
LEVEL_BY_LENGTH = {length: level for level, length in CODE_LENGTH.items()}
LEVEL_LABEL = {
    AreaLevel.DISTRICT: "区县",
    AreaLevel.STREET: "街道/镇",
    AreaLevel.COMMUNITY: "社区/村",
    AreaLevel.GRID: "单元网格",
}
MAX_GRID_SEQUENCE = 999


def level_of(code: str) -> AreaLevel:
    """The level of an area code, judged by its length; any other shape is refused."""
    if not code.isdigit() or len(code) not in LEVEL_BY_LENGTH:
        raise InvalidInput(f"区划代码“{code}”无效：应为 6、9、12 位数字或 15 位单元网格编码", field="code")
    return LEVEL_BY_LENGTH[len(code)]


def parent_code(code: str) -> str | None:
    """The code of the enclosing area (None for a district)."""
    level = level_of(code)
    if level is AreaLevel.DISTRICT:
        return None
    return code[: len(code) - 3]


def ancestors(code: str) -> list[str]:
    """All enclosing codes, outermost first (district, street, community)."""
    level_of(code)
    return [code[:n] for n in (6, 9, 12) if n < len(code)]


ALL_DISTRICTS = "000000"  # the district code of rows that belong to no single district (a city-wide audit)


def district_of(code: str | None) -> str:
    """The district an area code lies in (its first six digits); ALL_DISTRICTS for none, or a city's."""
    if not code or len(code) < 6 or code[4:6] == "00":
        return ALL_DISTRICTS
    return code[:6]


def scope_prefix(scope_code: str) -> str:
    """The prefix every area code inside a scope starts with. Codes nest by prefix, and a city or a province
    is written as six digits ending in zeros (GB/T 2260): 370100 济南市 holds 3701xx, 370000 山东省 37xxxx."""
    if len(scope_code) == 6 and scope_code.isdigit():
        if scope_code[2:] == "0000":
            return scope_code[:2]
        if scope_code[4:] == "00":
            return scope_code[:4]
    return scope_code


def is_city_scope(scope_code: str | None) -> bool:
    """A scope above one district (a city's or a province's): its people see every district in it."""
    return bool(scope_code) and scope_prefix(scope_code or "") != scope_code


def home_of(scope_code: str) -> str:
    """The partition (district_code) a case of this scope lives in: its district; a city's or a province's
    own orders (its 12345 center's, not yet handed to a district) live in the city's or province's code."""
    return scope_code if is_city_scope(scope_code) else district_of(scope_code)


def is_within(code: str, scope_code: str) -> bool:
    """True when `code` lies inside (or is) the area `scope_code` — codes nest by prefix."""
    return code.startswith(scope_prefix(scope_code))


def unit_grid_code(community_code: str, sequence: int) -> str:
    """The 15-character unit-grid code for the n-th grid of a community."""
    if level_of(community_code) is not AreaLevel.COMMUNITY:
        raise InvalidInput(f"“{community_code}”不是 12 位社区代码", field="community_code")
    if not 1 <= sequence <= MAX_GRID_SEQUENCE:
        raise InvalidInput(f"单元网格顺序号 {sequence} 超出 001–999", field="sequence")
    return f"{community_code}{sequence:03d}"


def grid_sequence_order(centroids: Sequence[tuple[float, float]], row_height: float) -> list[int]:
    """Indices of grids in numbering order: rows from north to south, west to east inside a row.

    Centroids are (x east, y north) in metres; grids whose centroids are within one `row_height`
    band count as one row, so a slightly irregular lattice still numbers row by row.
    """
    if row_height <= 0:
        raise InvalidInput("row_height 必须为正数", field="row_height")
    top = max((y for _, y in centroids), default=0.0)
    return sorted(
        range(len(centroids)), key=lambda i: (int((top - centroids[i][1]) // row_height), centroids[i][0])
    )
