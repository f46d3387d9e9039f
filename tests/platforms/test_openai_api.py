"""The chat-completions stand-in, checked against the real `openai` client."""

from __future__ import annotations

import openai
import pytest

from tests.platforms.openai_api import FakeOpenAI


async def test_the_real_client_streams_and_lists_models_from_the_stand_in() -> None:
    async with FakeOpenAI("Cool the burn for 20 minutes.") as server:
        client = openai.AsyncOpenAI(base_url=server.base_url, api_key="x")
        models = await client.models.list()
        assert [m.id for m in models.data] == ["served-model"]
        stream = await client.chat.completions.create(
            model="served-model", messages=[{"role": "user", "content": "burn?"}], stream=True)
        pieces = [c.choices[0].delta.content async for c in stream if c.choices]
        assert "".join(p for p in pieces if p) == "Cool the burn for 20 minutes."
        whole = await client.chat.completions.create(
            model="served-model", messages=[{"role": "user", "content": "burn?"}])
        assert whole.choices[0].message.content == "Cool the burn for 20 minutes."
        assert server.requests[0]["messages"][0]["content"] == "burn?"


async def test_the_stand_in_fails_as_a_real_server_does() -> None:
    async with FakeOpenAI("One two three four.") as server:
        client = openai.AsyncOpenAI(base_url=server.base_url, api_key="x", max_retries=0)
        server.status = 503
        with pytest.raises(openai.APIStatusError) as failed:
            await client.chat.completions.create(model="served-model", messages=[])
        assert failed.value.status_code == 503
        server.status, server.cut_after = None, 2
        stream = await client.chat.completions.create(model="served-model", messages=[],
                                                      stream=True)
        with pytest.raises(openai.APIError):
            async for _ in stream:
                pass
        server.cut_after, server.delay_s = None, 2.0
        slow = openai.AsyncOpenAI(base_url=server.base_url, api_key="x", max_retries=0,
                                  timeout=0.3)
        with pytest.raises(openai.APITimeoutError):
            stream = await slow.chat.completions.create(model="served-model", messages=[],
                                                        stream=True)
            async for _ in stream:
                pass
