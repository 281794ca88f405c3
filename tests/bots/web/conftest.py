"""Fixtures for the web app: the real ASGI app over httpx, a real uvicorn server on loopback, and
Debian's Chromium driven by Playwright."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from bots.web.app import create_app
from cchc.settings import Settings

ROOT = Path(__file__).resolve().parents[3]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture
def web_settings(built_settings: Settings, tmp_path: Path) -> Settings:
    """The session's index is handed to the app directly; this data dir only holds the feedback
    database, so each test reads back exactly what it stored."""
    return built_settings.model_copy(update={"data_dir": tmp_path / "data", "rate_limit": "10000/minute"})


class AppClient:
    """An httpx client bound to an app whose lifespan has run (ASGITransport does not run it)."""

    def __init__(self, app: FastAPI, client_host: str = "127.0.0.1"):
        self.app = app
        self.client_host = client_host

    async def __aenter__(self) -> httpx.AsyncClient:
        self._lifespan = self.app.router.lifespan_context(self.app)
        await self._lifespan.__aenter__()
        transport = httpx.ASGITransport(app=self.app, client=(self.client_host, 40000))
        self._client = httpx.AsyncClient(transport=transport, base_url="http://cchc.test", timeout=120)
        return self._client

    async def __aexit__(self, *exc: object) -> None:
        await self._client.aclose()
        await self._lifespan.__aexit__(*exc)


@pytest.fixture
async def client(web_settings: Settings, index, assistant) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(web_settings, index=index, assistant=assistant)
    async with AppClient(app) as http:
        yield http


def parse_sse(text: str) -> list[tuple[str, object]]:
    """Server-Sent Events -> [(event, parsed JSON data)], ignoring keep-alive comments."""
    events = []
    for block in text.replace("\r\n", "\n").split("\n\n"):
        name, data = "message", []
        for line in block.split("\n"):
            if not line or line.startswith(":"):
                continue
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
        if data:
            events.append((name, json.loads("\n".join(data))))
    return events


# -- a real server on loopback ------------------------------------------------------------------
@dataclass
class LiveServer:
    url: str
    app: FastAPI
    settings: Settings


class _ThreadedServer:
    def __init__(self, app: FastAPI, **options: object):
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))  # a free port chosen by the kernel, no race
        self.port = self.socket.getsockname()[1]
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", **options))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> _ThreadedServer:
        self.thread.start()
        ready = threading.Event()
        for _ in range(600):  # up to a minute for the lifespan to load the index
            if self.server.started or not self.thread.is_alive():
                break
            ready.wait(0.1)
        assert self.server.started, "the test server did not start"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)
        self.socket.close()


@pytest.fixture
def live_server(web_settings: Settings, index, assistant) -> Iterator[LiveServer]:
    app = create_app(web_settings, index=index, assistant=assistant)
    with _ThreadedServer(app) as server:
        yield LiveServer(url=f"http://127.0.0.1:{server.port}", app=app, settings=web_settings)


def serve_in_thread(app: FastAPI, **options: object) -> _ThreadedServer:
    """Run `app` on a free loopback port for the duration of a `with` block (uvicorn `options`)."""
    return _ThreadedServer(app, **options)


# -- the browser --------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(built_settings, index, assistant, tmp_path_factory):
    """One real server per browser module (its URL), with a limit no test run reaches."""
    settings = built_settings.model_copy(update={"data_dir": tmp_path_factory.mktemp("web"), "rate_limit": "10000/minute"})
    with serve_in_thread(create_app(settings, index=index, assistant=assistant)) as running:
        yield f"http://127.0.0.1:{running.port}"


@pytest.fixture(scope="module")  # per module: Playwright's sync loop never outlives the browser tests
def browser():
    if not CHROMIUM.exists():
        pytest.fail("Debian's Chromium is missing: run scripts/install-browser.sh (never `playwright install`).")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900}, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []  # uncaught exceptions, and console errors such as CSP violations
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.errors = errors  # type: ignore[attr-defined]
    yield page
    context.close()


def screenshot(page, name: str, full_page: bool = False) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"web-{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


# Test modules are imported in importlib mode (no package), so helpers reach them as fixtures.
@pytest.fixture
def sse():
    return parse_sse


@pytest.fixture
def shoot():
    return screenshot


@pytest.fixture
def app_client():
    return AppClient


@pytest.fixture
def threaded_server():
    return serve_in_thread
