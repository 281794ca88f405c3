"""Real servers for the deployment mode, started on free loopback ports by session fixtures:
redis-server and PostgreSQL from Debian packages (a temporary cluster of its own), and Chroma's
own `chroma run`. A test is skipped, with the reason, only when a binary is missing.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

START_SECONDS = 60


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(ready: Callable[[], bool], what: str, process: subprocess.Popen | None = None,
               log: Path | None = None) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            break
        with contextlib.suppress(Exception):
            if ready():
                return
        time.sleep(0.1)
    tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
    raise RuntimeError(f"{what} did not start\n{tail}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@dataclass(frozen=True)
class Server:
    url: str
    process: subprocess.Popen | None = None


def _binary(name: str, *patterns: str) -> str:
    found = shutil.which(name) or next((p for pattern in patterns for p in sorted(glob.glob(pattern))), None)
    if found is None:
        pytest.skip(f"{name} is not installed (make test installs it: scripts/install-servers.sh)")
    return found


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    binary = _binary("redis-server")
    port, folder = free_port(), tmp_path_factory.mktemp("redis")
    log = folder / "redis.log"
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", str(folder), "--logfile", str(log)])
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    wait_until(lambda: redis.Redis.from_url(url).ping(), "redis-server", process, log)
    yield Server(url, process)
    stop(process)


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    binary = Path(sys.executable).with_name("chroma")
    if not binary.exists():
        pytest.skip("chroma (from the chromadb package) is not installed")
    port, folder = free_port(), tmp_path_factory.mktemp("chroma")
    log = folder / "chroma.log"
    with log.open("w") as out:
        process = subprocess.Popen([str(binary), "run", "--path", str(folder / "data"), "--host", "127.0.0.1",
                                    "--port", str(port)], stdout=out, stderr=subprocess.STDOUT,
                                   env={**os.environ, "ANONYMIZED_TELEMETRY": "False"})
    url = f"http://127.0.0.1:{port}"
    import httpx

    with httpx.Client(timeout=2) as probe:  # one client: a new one per poll builds a TLS context
        wait_until(lambda: probe.get(f"{url}/api/v2/heartbeat").status_code == 200, "chroma run", process, log)
    yield Server(url, process)
    stop(process)


def _as_postgres(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root: use the account the Debian package made.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[Server]:
    initdb = _binary("initdb", "/usr/lib/postgresql/*/bin/initdb")
    pg_ctl = str(Path(initdb).with_name("pg_ctl"))
    # Outside pytest's temporary folder, which only its owner may enter.
    folder = Path(tempfile.mkdtemp(prefix="cchc-postgres-"))
    data, log = folder / "data", folder / "postgres.log"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres")
    port = free_port()
    subprocess.run(_as_postgres([initdb, "-D", str(data), "-A", "trust", "-U", "cchc", "-E", "UTF8", "--no-sync"]),
                   check=True, capture_output=True)
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-o", options, "-l", str(log), "-w", "start"]),
                   check=True, capture_output=True)
    url = f"postgresql+psycopg://cchc@127.0.0.1:{port}/postgres"
    try:
        yield Server(url)
    finally:
        subprocess.run(_as_postgres([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]), capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


def fresh_database(server: Server) -> str:
    """A new, empty database on the PostgreSQL server, for a test that counts what it finds there."""
    import uuid

    import sqlalchemy as sa

    name = f"test_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(server.url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return server.url.rsplit("/", 1)[0] + f"/{name}"
