"""Bounded request parameters, shared by every route: an id beyond what the database stores, or a page
number beyond reason, is a 422 naming the parameter — never a 500 from the driver."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

MAX_ID = 2**31 - 1  # ids are 32-bit on PostgreSQL (SERIAL); nothing larger can exist
IdPath = Annotated[int, Path(ge=1, le=MAX_ID, description="记录 id")]
IdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
