"""API docs: off unless CCHC_API_DOCS is set; when on, Swagger UI comes from this server (the
fastapi-offline package) and runs under the page's strict Content-Security-Policy, with no
request leaving for the internet."""

from __future__ import annotations

from playwright.sync_api import expect

from bots.web.app import create_app


async def test_docs_are_off_by_default_and_the_schema_stays(client):
    docs = await client.get("/docs")
    redoc = await client.get("/redoc")
    schema = await client.get("/openapi.json")

    assert docs.status_code == redoc.status_code == 404
    assert docs.json()["detail"] == "Không tìm thấy địa chỉ này."
    assert schema.status_code == 200 and "/api/ask" in schema.json()["paths"]


def test_docs_when_on_load_only_from_this_server_under_the_strict_policy(web_settings, index, assistant, page, threaded_server):
    app = create_app(web_settings.model_copy(update={"api_docs": True}), index=index, assistant=assistant)
    with threaded_server(app) as server:
        origin = f"http://127.0.0.1:{server.port}"
        requested: list[str] = []
        page.on("request", lambda request: requested.append(request.url))
        response = page.goto(f"{origin}/docs")
        expect(page.locator(".opblock-summary-path", has_text="/api/ask/stream")).to_have_count(1, timeout=30_000)
        expect(page.locator(".info .title")).to_contain_text("Trợ lý CCHC")

    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy and "http" not in policy
    assert requested and all(url.startswith(origin) or url.startswith("data:") for url in requested), requested
    assert page.errors == []  # no script or style refused by the policy, no script error
