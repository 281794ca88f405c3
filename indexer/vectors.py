"""Where a build's vectors live: an embedded Chroma in the build folder (one machine), or a Chroma
server (`chroma run`, CCHC_CHROMA_URL) holding one collection per build, for every worker."""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import chromadb
from chromadb.config import Settings as ChromaSettings

from cchc.errors import CchcError

COLLECTION = "plan-records"  # inside an embedded build folder
SERVER_PREFIX = "cchc-"  # + namespace + "-" + build folder name, on a server
NAMESPACE_FILE = "chroma-namespace"

def _chroma_settings() -> ChromaSettings:
    # Telemetry would try to reach the network; these machines have none to offer. A new object per
    # client: chromadb writes the client's kind and address into the Settings it is given, so a
    # shared one would turn the next embedded client into an HTTP client.
    return ChromaSettings(anonymized_telemetry=False)


def chroma_client(path: Path) -> Any:
    return chromadb.PersistentClient(path=str(path), settings=_chroma_settings())


def namespace_of(index_dir: Path, create: bool = False) -> str:
    """The index folder's own prefix on a Chroma server, made once, so several deployments (or
    test runs) can share one server without pruning each other's collections."""
    path = index_dir / NAMESPACE_FILE
    if not path.exists() and create:
        index_dir.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(f".{uuid.uuid4().hex}.tmp")
        temporary.write_text(uuid.uuid4().hex[:10], encoding="utf-8")
        try:
            os.link(temporary, path)  # the first writer wins; a concurrent one reads its name
        except FileExistsError:
            pass
        finally:
            temporary.unlink(missing_ok=True)
    return path.read_text(encoding="utf-8").strip() if path.exists() else ""


@dataclass(frozen=True)
class Vectors:
    url: str | None = None  # None: embedded, in the build folder
    namespace: str = ""  # namespace_of(index_dir), on a server

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
                                         ssl=parts.scheme == "https", settings=_chroma_settings())
            client.heartbeat()
        except Exception as exc:  # noqa: BLE001 - chromadb raises several kinds for "cannot reach"
            raise CchcError(f"Không kết nối được máy chủ Chroma ({self.url}): {str(exc).splitlines()[0]}") from None
        return client

    @property
    def _prefix(self) -> str:
        return f"{SERVER_PREFIX}{self.namespace}-" if self.namespace else SERVER_PREFIX

    def collection_name(self, build: Path) -> str:
        return f"{self._prefix}{build.name}" if self.url else COLLECTION

    def drop_unused(self, kept: set[str]) -> list[str]:
        """On a server: delete the collections of builds no longer kept (pruned); their names."""
        if not self.url:
            return []
        client = self._server()
        dropped = []
        try:
            for collection in client.list_collections():
                name = collection.name if hasattr(collection, "name") else str(collection)
                if name.startswith(self._prefix) and name.removeprefix(self._prefix) not in kept:
                    client.delete_collection(name)
                    dropped.append(name)
        finally:
            client.close()
        return dropped
