"""Live counts of an upload being read («Đang đọc trang 3/12…»): the parsing worker writes pages
done into a small status file in the job's folder; the web process looks it up by the job id the
admin page sent with the file (indexer.sandbox, GET /api/admin/plans/preview/{job}).

A status file, not a queue: the worker may be killed at any moment, and a file it half wrote is
never read (written under another name, then renamed).
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from enum import Enum
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

STATUS_FILE = "progress.json"
JOB_ID_PATTERN = r"^[A-Za-z0-9_-]{8,64}$"
_KEPT_JOBS = 64  # finished jobs remembered, so a last poll after the answer still finds its job


class ParseState(str, Enum):
    WAITING = "waiting"  # another file holds the worker
    READING = "reading"
    DONE = "done"


class ParseProgress(BaseModel):
    state: ParseState
    pages_done: int | None = Field(None, description="scanned pages read so far (OCR); None: no scanned page yet")
    pages_total: int | None = None


class _Pages(BaseModel):
    done: int
    total: int


def page_reporter(folder: Path) -> Callable[[int, int], None]:
    """In the worker: `report(done, total)` after each scanned page, into the job's status file."""
    target = folder / STATUS_FILE
    temporary = folder / f".{STATUS_FILE}.tmp"

    def report(done: int, total: int) -> None:
        try:
            temporary.write_text(_Pages(done=done, total=total).model_dump_json(), encoding="utf-8")
            os.replace(temporary, target)
        except OSError:
            pass  # the counts are a courtesy: a full disk must not fail the read itself

    return report


def _read_pages(folder: Path) -> _Pages | None:
    try:
        return _Pages.model_validate_json((folder / STATUS_FILE).read_text(encoding="utf-8"))
    except (OSError, ValidationError):
        return None


class ProgressBoard:
    """The web process's view of its jobs: waiting, reading (from the status file), or done."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._reading: dict[str, Path] = {}
        self._kept: OrderedDict[str, ParseProgress] = OrderedDict()

    def waiting(self, job: str) -> None:
        with self._lock:
            self._keep(job, ParseProgress(state=ParseState.WAITING))

    def reading(self, job: str, folder: Path) -> None:
        with self._lock:
            self._kept.pop(job, None)
            self._reading[job] = folder

    def finished(self, job: str) -> None:
        """Called before the job's folder is removed: its last count is kept."""
        with self._lock:
            folder = self._reading.pop(job, None)
            pages = _read_pages(folder) if folder else None
            self._keep(job, ParseProgress(state=ParseState.DONE, pages_done=pages.done if pages else None,
                                          pages_total=pages.total if pages else None))

    def _keep(self, job: str, progress: ParseProgress) -> None:
        self._kept.pop(job, None)
        self._kept[job] = progress  # newest last: the oldest go first
        while len(self._kept) > _KEPT_JOBS:
            self._kept.popitem(last=False)

    def get(self, job: str) -> ParseProgress | None:
        with self._lock:
            folder = self._reading.get(job)
            if folder is None:
                return self._kept.get(job)
        pages = _read_pages(folder)
        return ParseProgress(state=ParseState.READING, pages_done=pages.done if pages else None,
                             pages_total=pages.total if pages else None)
