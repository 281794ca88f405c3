"""A fake OpenAI-compatible chat server on loopback (the API vLLM, Ollama or llama.cpp's server
expose), for the tests of the optional LLM generator: the client (LangChain's ChatOpenAI) and our
chain stay real. What it answers is `script(last user message)`; every request is kept."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

START_TIMEOUT = 10.0  # seconds for uvicorn to report it started


class FakeOpenAIServer:
    """/v1/chat/completions, plain or streamed in small pieces like vLLM."""

    def __init__(self, script: Callable[[str], str] = lambda user: "", piece: int = 12) -> None:
        self.requests: list[dict] = []
        self.script = script
        self.piece = piece
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        app = Starlette(routes=[Route("/v1/chat/completions", self.completions, methods=["POST"])])
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> FakeOpenAIServer:
        self.thread.start()
        deadline = time.monotonic() + START_TIMEOUT
        while not self.server.started and time.monotonic() < deadline:  # waits for the state, bounded
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=START_TIMEOUT)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    async def completions(self, request: Request):
        body = await request.json()
        self.requests.append(body)
        text = self.script(body["messages"][-1]["content"])
        if not body.get("stream"):
            return JSONResponse({
                "id": "c1", "object": "chat.completion", "created": 0, "model": body["model"],
                "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            })

        def chunks():
            for piece in re.findall(rf".{{1,{self.piece}}}", text, flags=re.S):
                delta = {"id": "c1", "object": "chat.completion.chunk", "created": 0, "model": body["model"],
                         "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                yield f"data: {json.dumps(delta, ensure_ascii=False)}\n\n"
            yield "data: [DONE]\n\n"

        return StreamingResponse(chunks(), media_type="text/event-stream")
