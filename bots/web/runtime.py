"""What the server holds while it runs: the index and assistant being served, and the background
reindex that replaces them.

Requests take `Runtime.using()` once and keep that snapshot for their whole life, so a swap (one
attribute assignment) never hands a request the old index with the new assistant, and questions
asked during a rebuild are answered by the old pair until the new one is complete. A swapped-out
snapshot is closed (its Chroma client and build lease released) when its last request ends.
"""

from __future__ import annotations

import ctypes
import datetime as dt
import gc
import logging
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from cchc.errors import CchcError, IndexMismatchError, IndexNotReadyError
from cchc.settings import Settings
from indexer.build import BuildReport
from indexer.store import Index
from service.builds import BuildPointer

from bots.web.schemas import ReindexStatus, StalePlan

logger = logging.getLogger(__name__)

Builder = Callable[[Settings], BuildReport]
Loader = Callable[..., tuple[Index, Any]]  # (settings, build_name=None): the current build by default


def load_index_and_assistant(settings: Settings, build_name: str | None = None) -> tuple[Index, Any]:
    from service.wiring import build_assistant, open_index

    index = open_index(settings, build_name)
    return index, build_assistant(settings, index)


def build_index(settings: Settings) -> BuildReport:
    from service.wiring import build

    return build(settings)


@dataclass(frozen=True)
class Snapshot:
    """One index and the assistant answering from it; never changed once made."""

    index: Index
    assistant: Any  # assistant.chain.Assistant (imported lazily: it pulls in LangChain)
    service: Any = None  # service.app.PlanService over `assistant`: what every route asks, built once
    rows_per_plan: dict[str, int] = field(default_factory=dict)
    owned: bool = True  # opened by this runtime, so closed by it; tests share indexes they own

    @classmethod
    def of(cls, index: Index, assistant: Any, owned: bool = True) -> Snapshot:
        from service.app import PlanService
        from service.wiring import agency_table

        rows = dict(Counter(row.document for row in index.rows))
        return cls(index=index, assistant=assistant, service=PlanService(assistant, agency_table()),
                   rows_per_plan=rows, owned=owned)

    def close(self) -> None:
        if self.owned:
            self.index.close()


def _return_freed_memory() -> None:
    """Give the memory of a swapped-out build back to the system.

    A rebuild allocates in the reindex thread's own glibc arena; once freed, glibc keeps those
    pages, so RSS rose by megabytes per reindex although no object survived (measured: +40 MB over
    10 reindexes without this, flat with it).
    """
    gc.collect()
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        except (OSError, AttributeError):  # another libc (musl): nothing to trim
            pass


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Runtime:
    def __init__(self, settings: Settings, builder: Builder = build_index, loader: Loader = load_index_and_assistant,
                 pointer: BuildPointer | None = None):
        self.settings = settings
        self._builder = builder
        self._loader = loader
        self.pointer = pointer or BuildPointer()
        self._watcher: threading.Thread | None = None
        self._stop_watching = threading.Event()
        self._swap_lock = threading.Lock()  # one index opened at a time: reindex and watcher never race
        self._snapshot: Snapshot | None = None
        self._status = ReindexStatus()
        self._lock = threading.Lock()  # guards _status and the start of a reindex, not reads of _snapshot
        self._thread: threading.Thread | None = None
        self._users_lock = threading.Lock()
        self._users: Counter[int] = Counter()  # id(snapshot) -> requests using it
        self._retired: dict[int, Snapshot] = {}

    # -- serving ---------------------------------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self._snapshot is not None

    @property
    def snapshot(self) -> Snapshot:
        snapshot = self._snapshot
        if snapshot is None:
            raise IndexNotReadyError(
                "Chỉ mục kế hoạch chưa sẵn sàng nên chưa trả lời được. Hãy thử lại sau ít phút, "
                "hoặc báo quản trị viên chạy `cchc index`."
            )
        return snapshot

    @contextmanager
    def using(self) -> Iterator[Snapshot]:
        """The current snapshot, kept open until the caller is done with it."""
        with self._users_lock:
            snapshot = self.snapshot
            self._users[id(snapshot)] += 1
        try:
            yield snapshot
        finally:
            with self._users_lock:
                self._users[id(snapshot)] -= 1
                idle = self._users[id(snapshot)] <= 0
                if idle:
                    del self._users[id(snapshot)]
                retired = self._retired.pop(id(snapshot), None) if idle else None
            if retired is not None:
                retired.close()
                _return_freed_memory()

    def install(self, index: Index, assistant: Any, owned: bool = True) -> None:
        with self._users_lock:
            previous, self._snapshot = self._snapshot, Snapshot.of(index, assistant, owned)
            if previous is None:
                return
            if self._users[id(previous)] > 0:
                self._retired[id(previous)] = previous
                return
        previous.close()

    def close(self) -> None:
        """At shutdown: stop following the published build, release the index being served."""
        self._stop_watching.set()
        if self._watcher is not None:
            self._watcher.join(timeout=10)
        with self._users_lock:
            snapshot, self._snapshot = self._snapshot, None
        if snapshot is not None:
            snapshot.close()
            _return_freed_memory()  # Chroma's connections sit in reference cycles until collected

    def load(self) -> None:
        """Open the current build; without one the server still starts and says so (health, 503)."""
        try:
            index, assistant = self._loader(self.settings)
        except (IndexNotReadyError, IndexMismatchError) as exc:
            logger.warning("Không mở được chỉ mục: %s", exc)
            return
        self.install(index, assistant)

    # -- several workers ---------------------------------------------------------------------
    @property
    def serving(self) -> str | None:
        snapshot = self._snapshot
        return snapshot.index.build.name if snapshot is not None else None

    def follow_published_builds(self) -> None:
        """In the deployment mode: switch to each build published by any worker, within seconds."""
        if not self.pointer.shared or self._watcher is not None:
            return
        self._watcher = threading.Thread(
            target=self.pointer.watch, args=(lambda: self.serving, self.switch_to, self._stop_watching),
            name="cchc-build-watcher", daemon=True)
        self._watcher.start()

    def switch_to(self, build_name: str | None = None) -> None:
        """Serve `build_name` (default: the current build); requests in flight finish on the build
        they started with, and conversations carry over."""
        with self._swap_lock:
            if build_name is not None and self.serving == build_name:
                return
            index, assistant = self._loader(self.settings, build_name) if build_name else self._loader(self.settings)
            previous = self._snapshot
            if previous is not None:
                assistant.sessions = previous.assistant.sessions
            self.install(index, assistant)
        logger.info("Serving build %s", index.build.name)
        _return_freed_memory()

    # -- reindex ---------------------------------------------------------------------------
    @property
    def status(self) -> ReindexStatus:
        with self._lock:
            return self._status.model_copy()

    def start_reindex(self) -> tuple[bool, ReindexStatus]:
        """Start a rebuild in a background thread; (False, status) if one is already running."""
        with self._lock:
            if self._status.state == "running":
                return False, self._status.model_copy()
            self._status = ReindexStatus(state="running", started_at=_now(), build=self._status.build)
            # A thread, not the event loop's executor: a rebuild embeds for minutes and must not
            # take a slot that questions need.
            self._thread = threading.Thread(target=self._reindex, name="cchc-reindex", daemon=True)
            self._thread.start()
            return True, self._status.model_copy()

    def wait_reindex(self, timeout: float | None = None) -> ReindexStatus:
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
        return self.status

    def _reindex(self) -> None:
        try:
            report = self._builder(self.settings)
            self.switch_to()
            outcome = ReindexStatus(
                state="succeeded",
                build=self.serving,
                changed=report.changed,
                failed_documents=[f"{doc.plan.id}: {doc.error}" for doc in report.documents if doc.error]
                + [issue.message for issue in report.manifest_errors],
                stale=[StalePlan(plan=plan, reason=reason) for plan, reason in report.stale.items()],
            )
        except CchcError as exc:
            logger.warning("Xây dựng lại chỉ mục thất bại: %s", exc)
            outcome = ReindexStatus(state="failed", error=str(exc))
        except Exception:  # the thread must always leave a status behind, whatever broke
            logger.exception("reindex failed")
            outcome = ReindexStatus(state="failed", error="Lỗi không lường trước khi xây dựng lại chỉ mục; xem nhật ký máy chủ.")
        with self._lock:
            outcome.started_at = self._status.started_at
            outcome.finished_at = _now()
            if outcome.build is None and self._snapshot is not None:
                outcome.build = self._snapshot.index.build.name
            self._status = outcome
