"""List filters read from a query string once, for the API and the pages alike: the same names, the same
bounds, the same errors naming the parameter."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Query

from govgrid.services.ledger.views import LedgerFilter
from govgrid.web.forms import identifier


def ledger_filter(
    campaign_id: Annotated[str, Query(max_length=12, description="专项行动编号")] = "",
    unit_id: Annotated[str, Query(max_length=12, description="牵头或配合单位编号")] = "",
    light: Annotated[str, Query(max_length=8, description="预警颜色：red、yellow、green、blue")] = "",
    leader: Annotated[str, Query(max_length=64, description="责任领导（姓名）")] = "",
) -> LedgerFilter:
    """The ledger's filter: the tree, its page and its exports choose rows the same way."""
    return LedgerFilter(
        campaign_id=identifier(campaign_id, "campaign_id"),
        unit_id=identifier(unit_id, "unit_id"),
        light=light,
        leader=leader,
    )


LedgerFilterDep = Annotated[LedgerFilter, Depends(ledger_filter)]
