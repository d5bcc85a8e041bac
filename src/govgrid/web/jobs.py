"""Long jobs started from a page (a case history import): run on a thread of their own, off the request,
with their progress kept for the page that follows them. Kept in memory, per process: a job outlives its
request, not the server (an import cut short by a restart is completed by importing the file again — its
retry keys make that safe). A job is shown only to the person who started it."""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from govgrid.domain.errors import Conflict, DomainError

log = logging.getLogger("govgrid.jobs")
KEPT = 20  # finished jobs kept for their pages


class JobState(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


@dataclass
class Job:
    id: str
    kind: str
    owner: str  # the starter's username
    started_at: datetime
    state: JobState = JobState.RUNNING
    messages: list[str] = field(default_factory=list)
    result: Any = None
    error: DomainError | None = None

    def progress(self, message: str) -> None:
        self.messages = [*self.messages[-49:], message]


class Jobs:
    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def start(self, kind: str, owner: str, now: datetime, work: Callable[[Job], Any]) -> Job:
        """Run `work(job)` on its own thread; one job of a kind at a time (a second is refused)."""
        with self._lock:
            if any(j.kind == kind and j.state is JobState.RUNNING for j in self._jobs.values()):
                raise Conflict("已有同类任务正在进行，请等待其完成", field="file")
            job = Job(uuid.uuid4().hex, kind, owner, now)
            self._jobs[job.id] = job
            finished = [j for j in self._jobs.values() if j.state is not JobState.RUNNING]
            for old in finished[: max(0, len(finished) - KEPT)]:
                del self._jobs[old.id]
        threading.Thread(target=self._run, args=(job, work), name=f"job-{kind}", daemon=True).start()
        return job

    @staticmethod
    def _run(job: Job, work: Callable[[Job], Any]) -> None:
        try:
            job.result = work(job)
            job.state = JobState.DONE
        except DomainError as exc:
            job.error, job.state = exc, JobState.FAILED
        except Exception:  # logged with its trace; the page says it failed, never that it is still running
            log.exception("任务 %s（%s）失败", job.id, job.kind)
            job.error, job.state = DomainError("内部错误，任务未完成（详见服务器日志）"), JobState.FAILED

    def get(self, job_id: str, owner: str) -> Job | None:
        job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None
