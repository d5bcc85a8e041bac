"""Background work, one round at a time: the case sweeper (预警, 超期, 催办, 督办), similar-case linking,
pushes (robots and email), the rollups, ledger lights and the ledger's ladder, the daily anchor over the hash chains, the months of the partitioned histories (PostgreSQL), and dropping imports a crash abandoned. Every
step claims its work by compare-and-set, so several workers may run; `govgrid worker` loops it, and
`govgrid serve` runs it in a thread unless told not to."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from govgrid.catalog.bundle import Catalogs
from govgrid.services.pushes.mail import Mail

log = logging.getLogger("govgrid.worker")


def run_round(
    sessions: Any, catalogs: Catalogs, public_url: str = "", mail: Mail | None = None, audit_days: int = 365
) -> tuple[int, int]:
    """One round of background work: sweep case deadlines, link new cases to possible repeats, recompute
    ledger lights and climb the ledger ladder, issue the bulletins that are due and
    push what waits to every group robot and email destination — by the catalogues it was given."""
    from govgrid.services.assessment.rollups import catch_up_all
    from govgrid.services.audit_retention import prune
    from govgrid.services.cases.similar import link_pending
    from govgrid.services.cases.sweeper import sweep
    from govgrid.services.chains import anchor, anchor_due
    from govgrid.services.forms.ladder import forms_round
    from govgrid.services.import_batches import drop_abandoned_once
    from govgrid.services.intelligence.hotspots import link_joiners
    from govgrid.services.ledger.ladder import escalate_due
    from govgrid.services.ledger.lights import recompute
    from govgrid.services.partitions import ensure
    from govgrid.services.pushes.destinations import issue_due
    from govgrid.services.pushes.outbox import push_round
    from govgrid.services.work_calendar import CalendarSync

    rules, policy, ledger_rules = catalogs.case_rules, catalogs.policy, catalogs.ledger_rules
    hints = catalogs.dispatch_hints
    with sessions() as session:  # before any work of the round holds a lock on a history table
        engine = session.get_bind()
    try:
        for name in ensure(engine, now=datetime.now(UTC)):
            log.info("已建分区 %s", name)
    except Exception as exc:  # a lock not had in time: the default partition takes rows until the next round
        log.exception("后台任务“分区”出错：%s", exc)
    with sessions() as session:
        CalendarSync(rules.calendar).refresh(session, force=True)  # a year entered meanwhile counts now
        applied = sweep(session, rules=rules, policy=policy, now=datetime.now(UTC))
        linked = link_pending(session, now=datetime.now(UTC))
        recompute(session, rules=ledger_rules, now=datetime.now(UTC))
        applied += escalate_due(session, rules=ledger_rules, now=datetime.now(UTC))
        while drop_abandoned_once(session, now=datetime.now(UTC)):  # an import a crash left half-staged
            pass
        for name, task in (
            ("考核汇总", lambda: catch_up_all(session, rules=rules, now=datetime.now(UTC))),
            ("通报", lambda: issue_due(session, rules=rules, now=datetime.now(UTC))),
            ("推送", lambda: push_round(session, now=datetime.now(UTC), base_url=public_url, mail=mail)),
            (
                "一表通",
                lambda: forms_round(
                    session, catalog=catalogs.forms, calendar=rules.calendar, now=datetime.now(UTC)
                ),
            ),
            (
                "日锚点",
                lambda: anchor_due(session, now=datetime.now(UTC)) and anchor(session, now=datetime.now(UTC)),
            ),
            ("审计日志保存期限", lambda: prune(session, now=datetime.now(UTC), retention_days=audit_days)),
            (
                "每月一题",
                lambda: link_joiners(
                    session, hints=hints, rules=catalogs.hotspot_rules, now=datetime.now(UTC)
                ),
            ),
        ):
            try:  # one failing (a bulletin that cannot be composed) does not stop the other
                task()
            except Exception as exc:
                session.rollback()
                log.exception("后台任务“%s”出错：%s", name, exc)
    return applied, linked


def start_embedded(
    sessions: Any,
    catalogs: Catalogs,
    interval: float,
    public_url: str = "",
    mail: Mail | None = None,
    audit_days: int = 365,
) -> None:
    """The background work inside `govgrid serve` (the embedded default needs no second process)."""
    import threading
    import time

    def loop() -> None:
        while True:
            try:
                run_round(sessions, catalogs, public_url, mail, audit_days)
            except Exception as exc:  # keep serving; the next round tries again
                log.exception("后台任务出错：%s", exc)
            time.sleep(interval)

    threading.Thread(target=loop, name="govgrid-worker", daemon=True).start()
