"""Where a build's vectors live: an embedded Chroma in the build folder (one machine), or a Chroma
server (`chroma run`, CCHC_CHROMA_URL) holding one collection per build, for every worker."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import chromadb
from chromadb.config import Settings as ChromaSettings

from cchc.errors import CchcError

COLLECTION = "plan-records"  # inside an embedded build folder
SERVER_PREFIX = "cchc-"  # + build folder name, on a server

# Telemetry would try to reach the network; these machines have none to offer.
_CHROMA_SETTINGS = ChromaSettings(anonymized_telemetry=False)


def chroma_client(path: Path) -> Any:
    return chromadb.PersistentClient(path=str(path), settings=_CHROMA_SETTINGS)


@dataclass(frozen=True)
class Vectors:
    url: str | None = None  # None: embedded, in the build folder

    @property
    def remote(self) -> bool:
        return bool(self.url)

    def client(self, build: Path) -> Any:
        """A client for `build`'s vectors: its folder's own, or the server's."""
        return self._server() if self.url else chroma_client(build / "chroma")

    def _server(self) -> Any:
        assert self.url
        parts = urlsplit(self.url)
        try:
            client = chromadb.HttpClient(host=parts.hostname or "127.0.0.1", port=parts.port or 8000,
                                         ssl=parts.scheme == "https", settings=_CHROMA_SETTINGS)
            client.heartbeat()
        except Exception as exc:  # noqa: BLE001 - chromadb raises several kinds for "cannot reach"
            raise CchcError(f"Không kết nối được máy chủ Chroma ({self.url}): {str(exc).splitlines()[0]}") from None
        return client

    def collection_name(self, build: Path) -> str:
        return f"{SERVER_PREFIX}{build.name}" if self.url else COLLECTION

    def drop_unused(self, kept: set[str]) -> list[str]:
        """On a server: delete the collections of builds no longer kept (pruned); their names."""
        if not self.url:
            return []
        client = self._server()
        dropped = []
        try:
            for collection in client.list_collections():
                name = collection.name if hasattr(collection, "name") else str(collection)
                if name.startswith(SERVER_PREFIX) and name.removeprefix(SERVER_PREFIX) not in kept:
                    client.delete_collection(name)
                    dropped.append(name)
        finally:
            client.close()
        return dropped
