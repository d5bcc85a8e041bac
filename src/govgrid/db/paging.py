"""A page of a query, counted and cut in SQL: the total from one COUNT over the filtered query, the rows
from OFFSET/LIMIT — so a list of a million cases costs one page of rows, not the list."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from govgrid.domain.paging import Paged, Paging


def fetch_page(
    session: Session, query: Select[*tuple[Any, ...]], paging: Paging, *, scalars: bool = True
) -> Paged[Any]:
    """The `paging` page of `query` (which carries its own ORDER BY; add a unique key last for a stable
    order). `scalars=False` keeps whole rows, for queries that select several entities."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    paging = paging.within(total)
    cut = query.offset(paging.offset).limit(paging.page_size)
    items = list(session.scalars(cut)) if scalars else [tuple(row) for row in session.execute(cut)]
    return Paged(items, total, paging.page, paging.page_size)
