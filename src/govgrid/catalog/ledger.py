"""The ledger's rules from the catalogues: the SLA templates (sla_templates.yaml), and the light thresholds
and the ladder's policy under `ledger:` in supervision.yaml, with errors that name the field."""

from __future__ import annotations

from govgrid.catalog import CatalogError, CatalogSource
from govgrid.catalog.sla import load_templates
from govgrid.domain.ledger import LadderPolicy, LedgerRules, LightThresholds
from govgrid.domain.worktime import WorkCalendar


def load_ledger_rules(source: CatalogSource, calendar: WorkCalendar) -> LedgerRules:
    doc = source.load("supervision.yaml").get("ledger") or {}
    try:
        thresholds = LightThresholds(near_days=float(doc["near_days"]), behind_by=float(doc["behind_by"]))
        ladder = LadderPolicy(
            red_workdays_to_supervise=int(doc["red_workdays_to_supervise"]),
            red_workdays_to_bulletin=int(doc["red_workdays_to_bulletin"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogError(f"catalog/supervision.yaml ledger 字段缺失或无效：{exc}", field=str(exc)) from None
    return LedgerRules(
        calendar=calendar,
        templates=load_templates(source.load("sla_templates.yaml")),
        thresholds=thresholds,
        ladder=ladder,
    )
