"""Who is using which build, so pruning never deletes a build a live process still reads or writes.

A lease is an empty file `leases/<build>@<host>-<pid>-<nonce>`. A process holds one per build it
has open (a reader) or is writing (a builder). A lease whose process has died on this host is
stale and is removed; a lease from another host is trusted (we cannot see its processes).
A complete build has `meta.json`; a build folder without it and without a live lease is an orphan
left by a killed `cchc index`.
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import uuid
from dataclasses import dataclass
from pathlib import Path

logger = logging.getLogger(__name__)

LEASES_DIR = "leases"
BUILD_PREFIX = "build-"
COMPLETE_MARK = "meta.json"


@dataclass
class Lease:
    path: Path | None  # None when the data directory is read-only: nobody can prune it either

    def release(self) -> None:
        if self.path is not None:
            self.path.unlink(missing_ok=True)
            self.path = None


def acquire(index_dir: Path, build: Path) -> Lease:
    folder = index_dir / LEASES_DIR
    name = f"{build.name}@{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        folder.mkdir(exist_ok=True)
        (folder / name).touch()
    except OSError as exc:  # a read-only data dir can still be read; it just cannot be pruned
        logger.debug("no lease on %s: %s", build, exc)
        return Lease(None)
    return Lease(folder / name)


def _alive(owner: str) -> bool:
    host_pid = owner.rsplit("-", 1)[0]  # "<host>-<pid>"
    host, _, pid = host_pid.rpartition("-")
    if host != socket.gethostname() or not pid.isdigit():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def held_builds(index_dir: Path) -> set[str]:
    """Names of builds with a live lease; stale leases are removed on the way."""
    held: set[str] = set()
    folder = index_dir / LEASES_DIR
    if not folder.is_dir():
        return held
    for lease in folder.iterdir():
        build, _, owner = lease.name.partition("@")
        if _alive(owner):
            held.add(build)
        else:
            lease.unlink(missing_ok=True)
    return held


def _builds(index_dir: Path) -> list[Path]:
    return sorted(p for p in index_dir.glob(f"{BUILD_PREFIX}*") if p.is_dir())


def builds_present(index_dir: Path) -> set[str]:
    """Names of the build folders still on disk, complete or being written."""
    return {build.name for build in _builds(index_dir)}


def remove_orphans(index_dir: Path) -> list[str]:
    """Delete unfinished builds nobody is writing (left by a killed build); returns their names."""
    held = held_builds(index_dir)
    removed = []
    for build in _builds(index_dir):
        if not (build / COMPLETE_MARK).exists() and build.name not in held:
            shutil.rmtree(build, ignore_errors=True)
            removed.append(build.name)
    return removed


def prune(index_dir: Path, current: Path, keep: int) -> list[str]:
    """Delete complete builds beyond the newest `keep`, except the current one and leased ones.

    Only complete builds count towards `keep`, so a killed build never pushes out a good one.
    """
    held = held_builds(index_dir)
    complete = [b for b in _builds(index_dir) if (b / COMPLETE_MARK).exists()]
    newest = set(b.name for b in complete[-keep:]) | {current.name}
    removed = []
    for build in complete:
        if build.name not in newest and build.name not in held:
            shutil.rmtree(build, ignore_errors=True)
            removed.append(build.name)
    return removed
