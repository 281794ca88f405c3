"""What the browser tests do on the chat page, in one place."""

from __future__ import annotations

from playwright.sync_api import expect


def ask(page, question: str):
    """Ask once the previous answer is complete (the page ignores Enter while busy), and return
    this question's own answer, finished."""
    expect(page.locator("body.busy")).to_have_count(0, timeout=60_000)
    before = page.locator(".message.assistant").count()
    page.fill("#question", question)
    page.press("#question", "Enter")
    answer = page.locator(".message.assistant").nth(before)
    expect(answer.locator(".feedback, .error").first).to_be_visible(timeout=60_000)
    return answer
