"""Transport: the page, the API and the answer stream are gzipped over a real uvicorn server, the
stream still arrives event by event, and its last event does not repeat the answer."""

from __future__ import annotations

import zlib

import httpx
import pytest

pytestmark = pytest.mark.slow
LONG = "Sở Nội vụ tỉnh Hưng Yên phụ trách những việc gì?"  # 57 tasks
GZIP = {"Accept-Encoding": "gzip"}


@pytest.mark.parametrize("path", ["/", "/bang-viec", "/static/chat.js", "/static/style.css", "/api/agency-choices"])
def test_the_page_and_the_api_come_gzipped(server, path):
    response = httpx.get(f"{server}{path}", headers=GZIP)
    assert response.status_code == 200 and response.headers["content-encoding"] == "gzip"
    assert response.num_bytes_downloaded < len(response.content) / 2
    assert "Accept-Encoding" in response.headers["vary"]


def test_the_stream_is_gzipped_yet_flushed_event_by_event(server):
    with httpx.Client(base_url=server, timeout=120) as client:
        session = client.post("/api/session", json={}).json()["session"]
        body = {"question": LONG, "today": "2022-11-01", "session": session}
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        arrivals = []  # the events each network chunk completes, decoded as it arrives
        with client.stream("POST", "/api/ask/stream", json=body, headers=GZIP) as response:
            assert response.headers["content-encoding"] == "gzip"
            assert response.headers["content-type"].startswith("text/event-stream")
            for chunk in response.iter_raw():
                arrivals.append(inflate.decompress(chunk).decode())
        wire = sum(len(text.encode()) for text in arrivals)
        plain = client.post("/api/ask", json=body).json()

    # Each event is flushed on its own: the first chunk already reads as the «query» event, whole.
    assert arrivals[0].startswith("event: query") and arrivals[0].endswith("\r\n\r\n") and "event: done" not in arrivals[0]
    assert sum("event: " in text for text in arrivals) > 50 and len(arrivals) > 50
    done = "".join(arrivals).rsplit("event: done", 1)[1]
    assert plain["answer"][:200] not in done  # the final event names citations by id, nothing more
    assert len(done.encode()) < wire / 1.5
