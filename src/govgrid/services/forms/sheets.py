"""Each department's sheet: a return's rows in the department's own layout workbook, with full personal
values (the department asked for them), so an export is permission-gated (`export_forms`: the department
that issued the task) and every one is audited and kept with the task's events."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session

from govgrid.catalog import CatalogSource
from govgrid.domain.errors import Conflict
from govgrid.domain.forms import FormCatalog, Template
from govgrid.domain.permissions import Action, Actor
from govgrid.domain.worktime import WorkCalendar
from govgrid.excel.form_sheet import default_layout, write_sheet
from govgrid.services import audit
from govgrid.services.forms import events, returns


def layout_of(source: CatalogSource, catalog: FormCatalog, template: Template) -> bytes:
    """The form's layout workbook: the city's own, else the shipped one, else the default."""
    shipped = source.load_bytes(f"form_layouts/{template.code}.xlsx")
    if shipped is not None:
        return shipped
    return default_layout(template, catalog.columns(template), title=template.name)


def export(
    session: Session,
    *,
    actor: Actor,
    catalog: FormCatalog,
    source: CatalogSource,
    calendar: WorkCalendar,
    task_id: int,
    period: date,
    now: datetime,
) -> tuple[str, bytes]:
    """The sheet of one community for one period as the department's .xlsx, and its file name — once the
    community has submitted it (before that the department has nothing the community sent)."""
    sheet = returns.sheet(
        session, actor=actor, catalog=catalog, calendar=calendar, task_id=task_id, period=period,
        action=Action.EXPORT_FORMS,
    )  # fmt: skip
    if sheet.status != "submitted":
        raise Conflict(
            f"{sheet.community_name}尚未报送{sheet.template.name}（{period.isoformat()}）", field="period"
        )
    columns = catalog.columns(sheet.template)
    data = write_sheet(
        layout_of(source, catalog, sheet.template),
        columns,
        ({cell.code: cell.value for cell in row.cells} for row in sheet.rows),
        community=sheet.community_name,
        day=period.isoformat(),
    )
    personal = [spec.code for spec in columns if spec.is_personal]
    audit.record(
        session,
        actor=actor,
        action="forms.export",
        entity_type="form_task",
        entity_id=str(sheet.task.id),
        now=now,
        scope_code=sheet.task.community_code,
        detail={"form": sheet.template.code, "period": period.isoformat(), "rows": len(sheet.rows),
                "personal_fields": personal},
    )  # fmt: skip
    events.record(session, sheet.task, None, actor, now, "export", {"period": period.isoformat()})
    session.commit()
    return f"{sheet.community_name}{sheet.template.name}{period.isoformat()}.xlsx", data
