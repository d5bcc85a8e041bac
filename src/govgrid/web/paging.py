"""The paging convention over HTTP: `?page=&page_size=` in, `{items, page, page_size, pages, total}` out —
the same names and the same maximum on every list of the API, and `?page=` on every paged page."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel, Field

from govgrid.domain.paging import DEFAULT_PAGE_SIZE, MAX_PAGE, MAX_PAGE_SIZE, Paged, Paging

T = TypeVar("T")

PageQuery = Annotated[int, Query(ge=1, le=MAX_PAGE, description="页码，从 1 开始；超过末页时返回末页")]
PageSizeQuery = Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description=f"每页行数，最多 {MAX_PAGE_SIZE}")]


def paging(page: PageQuery = 1, page_size: PageSizeQuery = DEFAULT_PAGE_SIZE) -> Paging:
    return Paging(page, page_size)


def page_only(page: PageQuery = 1) -> Paging:
    """Pages choose their own page size; the reader chooses only the page."""
    return Paging(page)


PagingDep = Annotated[Paging, Depends(paging)]
PageNumberDep = Annotated[Paging, Depends(page_only)]


class Page(BaseModel, Generic[T]):
    items: list[T]
    page: int = Field(description="本页页码")
    page_size: int = Field(description="每页行数")
    pages: int = Field(description="总页数")
    total: int = Field(description="所有页的行数")


def page_body(found: Paged[Any], convert: Callable[[Any], Any] | None = None) -> dict[str, Any]:
    """The JSON body of a page, each item through `convert` when given."""
    items = [convert(item) for item in found.items] if convert else found.items
    return {
        "items": items,
        "page": found.page,
        "page_size": found.page_size,
        "pages": found.pages,
        "total": found.total,
    }
