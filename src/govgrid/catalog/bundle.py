"""Every catalogue, loaded and validated once — at start-up of the server, the worker or a command — from
the shipped files or a city's own (`GOVGRID_CATALOG_DIR`), then handed to whatever needs it. Nothing reads a
catalogue file after this: a round of the worker uses the rules it was given."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govgrid.catalog import CatalogError, CatalogSource
from govgrid.catalog.assessment_catalog import load_assessment
from govgrid.catalog.calendars import load_calendar
from govgrid.catalog.case_catalog import load_case_classes, load_hotline, load_responsibility
from govgrid.catalog.connector_catalog import load_connectors
from govgrid.catalog.dispatch_hints import load_dispatch_hints
from govgrid.catalog.form_catalog import load_form_catalog
from govgrid.catalog.hotspot_rules import load_hotspot_rules
from govgrid.catalog.inspection_catalog import load_inspection_sheets
from govgrid.catalog.ledger import load_ledger_rules
from govgrid.catalog.navigation import NavItem, load_navigation
from govgrid.catalog.reply_rules import load_reply_rules
from govgrid.domain.case_rules import CaseRules
from govgrid.domain.dispatch_hints import DispatchHints
from govgrid.domain.forms import FormCatalog
from govgrid.domain.inspection import Sheet
from govgrid.domain.ledger import LedgerRules
from govgrid.domain.supervision import Policy
from govgrid.nlp.hotspots import HeatRules
from govgrid.nlp.reply_quality import ReplyRules


@dataclass(frozen=True)
class Catalogs:
    """The rules cases and ledgers are run by. The calendar is one object shared by both, so a year entered
    in the database (services.work_calendar.CalendarSync) counts for both."""

    source: CatalogSource
    case_rules: CaseRules
    ledger_rules: LedgerRules
    policy: Policy
    navigation: list[NavItem]
    inspection_sheets: dict[str, Sheet]
    dispatch_hints: DispatchHints
    hotspot_rules: HeatRules
    reply_rules: ReplyRules
    forms: FormCatalog  # 一表通: the field registry and the form templates


def load_catalogs(directory: Path | None = None) -> Catalogs:
    """All catalogues, checked (CatalogError names file, row and field)."""
    source = CatalogSource(directory)
    try:
        return _load(source)
    except CatalogError as exc:
        raise source.named(exc) from None


def _load(source: CatalogSource) -> Catalogs:
    classes = load_case_classes(source.load("case_classes.yaml"))
    calendar = load_calendar(source.load("calendar.yaml"))
    reply_rules = load_reply_rules(source.load("reply_rubric.yaml"))
    case_rules = CaseRules(
        classes,
        load_responsibility(classes, source.load("responsibility.yaml")),
        calendar,
        load_assessment(source.load("assessment.yaml")),
        load_hotline(source.load("hotline.yaml")),
        load_connectors(set(classes), source.load("connectors.yaml")),
        reply_rules,
    )
    return Catalogs(
        source=source,
        case_rules=case_rules,
        ledger_rules=load_ledger_rules(source, calendar),
        policy=load_policy(source.load("supervision.yaml")),
        navigation=load_navigation(source.load("navigation.yaml")),
        inspection_sheets=load_inspection_sheets(source.load("inspection_sheets.yaml"), set(classes)),
        dispatch_hints=load_dispatch_hints(
            source.load("dispatch_hints.yaml"), case_rules.responsibility.keys
        ),
        hotspot_rules=load_hotspot_rules(source.load("hotspots.yaml")),
        reply_rules=reply_rules,
        forms=load_form_catalog(source),
    )


def load_policy(doc: Any) -> Policy:
    """The case sweeper's policy from supervision.yaml."""
    try:
        return Policy(
            warn_before_share=float(doc["warn_before_share"]),
            urge_after_workdays=int(doc["urge_after_workdays"]),
            supervise_after_workdays=int(doc["supervise_after_workdays"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise CatalogError(f"catalog/supervision.yaml 字段缺失或无效：{exc}", field=str(exc)) from None
