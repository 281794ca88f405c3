"""Untrusted plan files are parsed in a worker process, one file at a time, with limits.

The web process only writes the upload into a folder of its own (one per job, under
Settings.parse_jobs_root) and waits on a pipe, so a hostile file never grows the server or holds
its GIL. The worker checks the file first (indexer.guard), then builds the preview; it runs under
an address-space limit (RLIMIT_AS) and a CPU budget per file (RLIMIT_CPU), and a wall-clock
timeout kills it. A killed or crashed worker is replaced by a fresh one on the next file.
Job folders are removed after each job, and at start-up those of servers that are gone.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import resource
import shutil
import signal
import tempfile
import threading
import uuid
import weakref
from collections.abc import Iterator
from enum import Enum
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from cchc.errors import DocumentError, FileLimitError, ParserBusyError
from cchc.settings import Settings
from indexer.corpus import safe_name
from indexer.guard import FileLimits, ensure_within_limits
from indexer.parse_progress import ParseProgress, ProgressBoard, page_reporter
from indexer.parsers.ocr import OcrOptions
from indexer.preview import Preview

logger = logging.getLogger(__name__)

_JOIN_SECONDS = 10
_READY = "ready"


class _Job(BaseModel):
    path: str
    folder: str
    cpu_seconds: int
    limits: FileLimits
    ocr: OcrOptions = OcrOptions()  # the operator's OCR settings; pages done go to the job's status file


class _Stop(str, Enum):
    """Why the worker gave no outcome; it is replaced after any of these."""

    MEMORY = "memory"
    CPU = "cpu"
    TIMEOUT = "timeout"


class _Outcome(BaseModel):
    """What the worker sends back: a preview, or the one line saying why the file was refused."""

    preview: Preview | None = None
    refusal: str | None = None
    failure: str | None = None  # an unexpected error of the parsers, for the log
    stopped: _Stop | None = None


def _cpu_budget(seconds: int) -> None:
    """RLIMIT_CPU counts the process's whole life: give this job `seconds` more than used so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    resource.setrlimit(resource.RLIMIT_CPU, (int(usage.ru_utime + usage.ru_stime) + seconds, hard))


def _parse(job: _Job, agencies: Any) -> _Outcome:
    from indexer.preview import preview

    path = Path(job.path)
    try:
        ensure_within_limits(path, job.limits)
        ocr = job.ocr.model_copy(update={"progress": page_reporter(Path(job.folder))})
        return _Outcome(preview=preview(path, agencies, ocr))
    except FileLimitError as exc:
        return _Outcome(refusal=str(exc))
    except MemoryError:
        raise
    except Exception as exc:  # a parser bug must not take the worker's answer with it
        return _Outcome(failure=f"{type(exc).__name__}: {exc}")


def _serve(connection: Connection, memory_bytes: int) -> None:
    """The worker's loop: one job in, one outcome out, until the server closes the pipe."""
    os.setpgrp()  # its own process group, so a kill takes Tesseract children along
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    from indexer.agencies import AgencyTable

    agencies = AgencyTable.load()
    connection.send(_READY)
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        _cpu_budget(job.cpu_seconds)
        os.environ["TMPDIR"] = tempfile.tempdir = job.folder  # Tesseract's images land in the job folder too
        try:
            outcome = _parse(job, agencies)
        except MemoryError:
            # Exit at once: building and sending an answer needs memory too and has been seen to hang
            # here. The server reads a death that is not SIGXCPU as the memory limit (_DEATHS).
            os._exit(1)
        connection.send(outcome)


def _limit_messages(settings: Settings) -> dict[_Stop, str]:
    return {
        _Stop.MEMORY: f"Đọc tệp cần hơn {settings.parse_memory_mb} MB bộ nhớ, vượt giới hạn (CCHC_PARSE_MEMORY_MB).",
        _Stop.CPU: f"Đọc tệp cần hơn {settings.parse_cpu_seconds} giây CPU, vượt giới hạn (CCHC_PARSE_CPU_SECONDS).",
        _Stop.TIMEOUT: f"Đọc tệp mất hơn {settings.parse_timeout_seconds:g} giây, vượt giới hạn (CCHC_PARSE_TIMEOUT_SECONDS).",
    }


# How a worker that died without answering died: SIGXCPU is RLIMIT_CPU; anything else (SIGKILL from
# the kernel's OOM killer, an abort in C code when an allocation fails) is taken as memory.
_DEATHS = {-signal.SIGXCPU: _Stop.CPU}


class _Worker:
    """One spawned worker process and the server's end of its pipe."""

    def __init__(self, memory_bytes: int):
        context = multiprocessing.get_context("spawn")  # nothing of the server's memory is copied in
        self.connection, child = context.Pipe()
        # Not a daemon: OCR reads pages in processes of its own. Stopped at exit instead, before
        # multiprocessing would wait for it.
        self.process = context.Process(target=_serve, args=(child, memory_bytes), name="cchc-parse")
        self.process.start()
        child.close()
        self.ready = False
        self._stop = weakref.finalize(self, _stop_worker, self.process, self.connection)

    def start(self, timeout: float) -> bool:
        """Wait for the worker to have imported the parsers; False if it died doing so."""
        if not self.ready and self.connection.poll(timeout):
            try:
                self.ready = self.connection.recv() == _READY
            except (EOFError, OSError):
                self.ready = False
        return self.ready

    def ask(self, job: _Job, timeout: float) -> _Outcome:
        self.connection.send(job)
        if not self.connection.poll(timeout):
            return _Outcome(stopped=_Stop.TIMEOUT)
        try:
            return self.connection.recv()
        except (EOFError, OSError):
            self.process.join(_JOIN_SECONDS)
            return _Outcome(stopped=_DEATHS.get(self.process.exitcode or 0, _Stop.MEMORY))

    def stop(self) -> None:
        self._stop()


def _stop_worker(process: multiprocessing.process.BaseProcess, connection: Connection) -> None:
    """Kill the worker and everything it started (its process group: OCR processes, Tesseract)."""
    connection.close()
    if process.pid is not None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass  # already gone, children too
    process.join(_JOIN_SECONDS)


class ParseSandbox:
    """The server's parsing worker: `preview(filename, data)` for the admin upload routes."""

    def __init__(self, settings: Settings):
        self.root = settings.parse_jobs_root
        self.limits = FileLimits.from_settings(settings)
        self.memory_bytes = settings.parse_memory_mb * 1024 * 1024
        self.cpu_seconds = settings.parse_cpu_seconds
        self.timeout = settings.parse_timeout_seconds
        self.messages = _limit_messages(settings)
        self.ocr = OcrOptions.from_settings(settings)
        self.board = ProgressBoard()  # live counts per job id, for the admin page's polling
        self._lock = threading.Lock()  # one file at a time; the others wait their turn
        self._worker: _Worker | None = None

    def clear_leftovers(self) -> int:
        """Remove job folders of servers that are gone (killed mid-job); returns how many."""
        removed = 0
        for folder in self.root.iterdir() if self.root.is_dir() else []:
            owner = folder.name.partition("-")[0]
            if owner.isdigit() and int(owner) != os.getpid() and _alive(int(owner)):
                continue  # another worker of this deployment, still running
            if folder.is_dir():
                shutil.rmtree(folder, ignore_errors=True)
            else:
                folder.unlink(missing_ok=True)
            removed += 1
        return removed

    @contextmanager
    def job_folder(self) -> Iterator[Path]:
        """A fresh folder named after this process, removed when the job ends, however it ends."""
        self.root.mkdir(parents=True, exist_ok=True)
        folder = (self.root / f"{os.getpid()}-{uuid.uuid4().hex}").resolve()
        folder.mkdir(mode=0o700)
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def preview(self, filename: str, data: bytes, job_id: str | None = None) -> Preview:
        """What indexing the uploaded file would give; FileLimitError when it exceeds a limit,
        ParserBusyError when other files kept the worker busy for a whole timeout. With a
        `job_id`, `progress(job_id)` tells how far it is."""
        job_id = job_id or uuid.uuid4().hex
        self.board.waiting(job_id)
        if not self._lock.acquire(timeout=self.timeout):
            self.board.finished(job_id)
            raise ParserBusyError("Máy chủ đang đọc các tệp khác; hãy thử lại sau ít phút.")
        try:
            with self.job_folder() as folder:
                path = folder / safe_name(filename)
                path.write_bytes(data)
                self.board.reading(job_id, folder)
                try:
                    outcome = self._run(path, folder)
                finally:
                    self.board.finished(job_id)
        finally:
            self._lock.release()
        return _without_paths(outcome, folder, path.name)

    def _run(self, path: Path, folder: Path) -> _Outcome:
        job = _Job(path=str(path), folder=str(folder), cpu_seconds=self.cpu_seconds, limits=self.limits, ocr=self.ocr)
        worker = self._worker or _Worker(self.memory_bytes)
        self._worker = worker
        if not worker.start(self.timeout):
            logger.error("the parsing worker did not start (exit code %s); is CCHC_PARSE_MEMORY_MB too small?",
                         worker.process.exitcode)
            worker.stop()
            self._worker = None
            raise ParserBusyError("Bộ đọc tệp chưa khởi động được; người quản trị hãy xem nhật ký máy chủ.")
        outcome = worker.ask(job, self.timeout)
        if outcome.stopped is None:
            return outcome
        logger.warning("parsing worker stopped (%s limit) on an uploaded file", outcome.stopped.value)
        worker.stop()
        self._worker = None
        return _Outcome(refusal=self.messages[outcome.stopped])

    def progress(self, job_id: str) -> ParseProgress | None:
        """Waiting, reading (scanned pages done so far) or done; None for a job this process never had."""
        return self.board.get(job_id)

    def close(self) -> None:
        if self._worker is not None:
            self._worker.stop()
            self._worker = None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _without_paths(outcome: _Outcome, folder: Path, name: str) -> Preview:
    """The preview, or the refusal raised; no message shows where the job's files were."""

    def clean(text: str) -> str:
        return text.replace(f"{folder}{os.sep}", "").replace(str(folder), "").replace(str(folder.parent), "")

    if outcome.failure is not None:
        logger.error("parser failed on an uploaded file: %s", clean(outcome.failure))
        raise DocumentError(name, "bộ đọc gặp lỗi không lường trước với tệp này; hãy mở bằng Office và lưu lại rồi thử lại")
    if outcome.refusal is not None:
        raise FileLimitError(clean(outcome.refusal))
    preview = outcome.preview
    assert preview is not None
    if preview.error:
        preview.error = clean(preview.error)
    return preview
