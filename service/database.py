"""SQLAlchemy engines for the stores that outlive a process: feedback, the bot's state and the
embedding cache. SQLite files by default; PostgreSQL (or any SQLAlchemy URL) with CCHC_DATABASE_URL."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
import errno
import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from cchc.errors import CchcError

SQLITE_BUSY_SECONDS = 10

# INSERT … ON CONFLICT DO UPDATE, in the dialect's own words.
_UPSERTS: dict[str, Callable[[sa.Table], Any]] = {
    "sqlite": sqlite.insert,
    "postgresql": postgresql.insert,
}


def connect_engine(url: str) -> sa.Engine:
    """An engine for `url`, checked with one connection; CchcError (one Vietnamese line) when the
    database cannot be reached or the URL names a driver that is not installed."""
    _ensure_sqlite_folder(url)
    try:
        options: dict[str, Any] = (
            {"connect_args": {"timeout": SQLITE_BUSY_SECONDS}} if url.startswith("sqlite")
            else {"pool_pre_ping": True, "pool_size": 5, "max_overflow": 5}
        )
        engine = sa.create_engine(url, **options)
        with engine.connect():
            pass
    except (sa.exc.SQLAlchemyError, ImportError, ValueError, OSError) as exc:
        where = _shown(url)
        raise CchcError(f"Không kết nối được cơ sở dữ liệu {where}: {str(exc).splitlines()[0]}") from None
    if engine.dialect.name not in _UPSERTS:
        raise CchcError(f"Cơ sở dữ liệu «{engine.dialect.name}» chưa được hỗ trợ; hãy dùng SQLite hoặc PostgreSQL.")
    return engine


def _ensure_sqlite_folder(url: str) -> None:
    """A SQLite file's folder exists and is writable; PermissionError (the CLI's one line about
    access rights and CCHC_DATA_DIR) when the data folder is read-only."""
    try:
        parsed = sa.engine.make_url(url)
    except sa.exc.ArgumentError:
        return  # reported by connect_engine
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return
    path = Path(parsed.database)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not os.access(path if path.exists() else path.parent, os.W_OK):
        raise PermissionError(errno.EACCES, "read-only", str(path))


def upsert(engine: sa.Engine, table: sa.Table, row: Mapping[str, Any], keys: Sequence[str],
           update: Mapping[str, Any], where: Any = None) -> Any:
    """INSERT `row`, or UPDATE `update` on the row with the same `keys` (only where `where` holds:
    otherwise nothing is written and RETURNING gives no row)."""
    statement = _UPSERTS[engine.dialect.name](table).values(**row)
    return statement.on_conflict_do_update(index_elements=list(keys), set_=dict(update), where=where)


def _shown(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "(địa chỉ không đọc được)"
