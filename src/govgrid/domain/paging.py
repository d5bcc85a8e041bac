"""One paging convention for every list, in the API and on the pages: `page` counts from 1, `page_size` rows
a page up to MAX_PAGE_SIZE, and every answer says its `total` and its number of `pages`. A page beyond the
last shows the last page, never an empty list that looks like "nothing found"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_PAGE = 100_000


@dataclass(frozen=True)
class Paging:
    """Which page of a list the caller wants. Out-of-range values are brought into range, so a service
    called from the CLI or the worker gets the same bounds as one called over HTTP."""

    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE

    def __post_init__(self) -> None:
        object.__setattr__(self, "page", min(max(int(self.page), 1), MAX_PAGE))
        object.__setattr__(self, "page_size", min(max(int(self.page_size), 1), MAX_PAGE_SIZE))

    def within(self, total: int) -> Paging:
        """The same request with its page brought within the `total` rows (the last page at most)."""
        return Paging(min(self.page, pages_for(total, self.page_size)), self.page_size)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


@dataclass(frozen=True)
class Paged(Generic[T]):
    """One page of a list and where it stands in the whole."""

    items: list[T]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        return pages_for(self.total, self.page_size)


def pages_for(total: int, page_size: int) -> int:
    return max(1, -(-total // max(page_size, 1)))


def page_of(rows: list[T], paging: Paging) -> Paged[T]:
    """A page of a list already in memory (a tree laid out in order, a sorted directory)."""
    paging = paging.within(len(rows))
    return Paged(
        rows[paging.offset : paging.offset + paging.page_size], len(rows), paging.page, paging.page_size
    )
