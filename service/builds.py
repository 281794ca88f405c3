"""Which build every worker serves.

One process needs nothing more than the `current` file in the index folder. In the deployment
mode (CCHC_REDIS_URL) the build name is also kept in Redis and announced on a channel when it
changes, so every worker switches within seconds of a reindex made anywhere; and a lock lets one
build run at a time across workers and machines, so a reindex is built once.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any

from redis import RedisError

from cchc.errors import CchcError
from cchc.settings import Settings
from service.shared import PREFIX, redis_client

logger = logging.getLogger(__name__)

CURRENT = f"{PREFIX}build:current"
CHANNEL = f"{PREFIX}build"
LOCK = f"{PREFIX}build:lock"
LOCK_SECONDS = 4 * 3600  # a build of the whole country's plans fits in it


class BuildPointer:
    def __init__(self, client: Any = None, poll_seconds: float = 2.0):
        self.client = client  # redis.Redis, or None for one process
        self.poll_seconds = poll_seconds

    @classmethod
    def for_settings(cls, settings: Settings) -> BuildPointer:
        return cls(redis_client(settings), settings.build_poll_seconds)

    @property
    def shared(self) -> bool:
        return self.client is not None

    @contextlib.contextmanager
    def building(self) -> Iterator[None]:
        """Held while a build runs: a second build anywhere waits for the first one."""
        if self.client is None:
            yield
            return
        lock = self.client.lock(LOCK, timeout=LOCK_SECONDS, blocking_timeout=LOCK_SECONDS)
        if not lock.acquire():
            raise CchcError("Một lần xây dựng chỉ mục khác đang chạy quá lâu; hãy thử lại sau.")
        try:
            yield
        finally:
            with contextlib.suppress(RedisError):
                lock.release()

    def publish(self, build_name: str) -> None:
        """Make `build_name` the build every worker serves, and tell them now."""
        if self.client is None:
            return
        self.client.set(CURRENT, build_name)
        self.client.publish(CHANNEL, build_name)
        logger.info("Build %s published", build_name)

    def current(self) -> str | None:
        if self.client is None:
            return None
        value = self.client.get(CURRENT)
        return value.decode() if isinstance(value, bytes) else value

    def watch(self, serving: Callable[[], str | None], switch: Callable[[str], None], stop: threading.Event) -> None:
        """Until `stop`: whenever the published build differs from the one `serving()` names, call
        `switch(name)`. Woken by the channel; checks every poll_seconds anyway, so a lost message
        or a Redis restart delays a switch by seconds, never for good."""
        pubsub = None
        while not stop.is_set():
            try:
                if pubsub is None:
                    pubsub = self.client.pubsub(ignore_subscribe_messages=True)
                    pubsub.subscribe(CHANNEL)
                pubsub.get_message(timeout=self.poll_seconds)
                published = self.current()
                if published and published != serving():
                    switch(published)
            except RedisError as exc:
                logger.warning("Build watcher: Redis unavailable (%s); retrying", exc)
                pubsub = None
                stop.wait(self.poll_seconds)
            except CchcError as exc:  # the published build cannot be opened here (yet)
                logger.warning("Build watcher: %s", exc)
                stop.wait(self.poll_seconds)
        if pubsub is not None:
            with contextlib.suppress(RedisError):
                pubsub.close()
