"""A local stand-in of the OpenAI chat-completions API as vLLM serves it (streaming
server-sent events, `/v1/models`), on 127.0.0.1 at a free port, with the faults a
real server has: down, slow, an error status, a stream cut off mid-answer."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tests.platforms.stand_in import StandIn

Messages = list[dict[str, Any]]


class FakeOpenAI(StandIn):
    def __init__(self, answer: Callable[[Messages], str] | str = "", *,
                 model: str = "served-model") -> None:
        self.answer = answer
        self.model = model
        self.delay_s = 0.0  # before each piece of the stream
        self.status: int | None = None  # answer every completion with this error status
        self.cut_after: int | None = None  # drop the connection after this many pieces
        self.requests: list[dict[str, Any]] = []
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/v1/models", self._models)
        app.router.add_post("/v1/chat/completions", self._completions)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()

    async def stop(self) -> None:
        if self._runner:
            await self._runner.cleanup()
        self._runner = None


    @property
    def base_url(self) -> str:
        assert self._runner is not None, "FakeOpenAI is not started"
        return f"http://127.0.0.1:{self._runner.addresses[0][1]}/v1"

    async def _models(self, request: web.Request) -> web.Response:
        return web.json_response({"object": "list", "data": [
            {"id": self.model, "object": "model", "created": 0, "owned_by": "test"}]})

    async def _completions(self, request: web.Request) -> web.StreamResponse:
        body = await request.json()
        self.requests.append(body)
        if self.status is not None:
            return web.json_response({"error": {"message": "the server failed", "type":
                                                "server_error", "code": self.status}},
                                     status=self.status)
        if body.get("model") != self.model:
            return web.json_response({"error": {"message": f"no model {body.get('model')}",
                                                "type": "invalid_request_error"}}, status=404)
        text = self.answer(body["messages"]) if callable(self.answer) else self.answer
        pieces = re.findall(r"\S+\s*", text)
        if not body.get("stream"):
            return web.json_response(self._chunk(text, "chat.completion", finished=True))
        response = web.StreamResponse(headers={"Content-Type": "text/event-stream"})
        await response.prepare(request)
        for n, piece in enumerate(pieces):
            if self.cut_after is not None and n >= self.cut_after:
                assert request.transport is not None
                request.transport.close()  # mid-answer, without a word of goodbye
                return response
            await asyncio.sleep(self.delay_s)
            await response.write(f"data: {json.dumps(self._chunk(piece))}\n\n".encode())
        await response.write(f"data: {json.dumps(self._chunk('', finished=True))}\n\n".encode())
        await response.write(b"data: [DONE]\n\n")
        await response.write_eof()
        return response

    def _chunk(self, text: str, kind: str = "chat.completion.chunk", *,
               finished: bool = False) -> dict[str, Any]:
        choice: dict[str, Any] = {"index": 0, "finish_reason": "stop" if finished else None}
        if kind == "chat.completion":
            choice["message"] = {"role": "assistant", "content": text}
        else:
            choice["delta"] = {"content": text} if text else {}
        return {"id": "chatcmpl-test", "object": kind, "created": int(time.time()),
                "model": self.model, "choices": [choice]}
