"""The warm answer server over a real Unix socket, with the fake models."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot import ask_server
from knowledge.ingest import ingest
from tests.conftest import SAMPLE_COURSE
from tutor.runtime import Runtime
from tutor.settings import Settings


@pytest.fixture
def served(runtime: Runtime, settings: Settings) -> Runtime:
    ingest([SAMPLE_COURSE], "workplace-safety", engine=runtime.engine, embedder=runtime.embedder,
           index_store=runtime.index_store, max_bytes=10**8)
    return runtime


async def start(runtime: Runtime, settings: Settings) -> tuple[ask_server.AskServer, asyncio.Task]:
    server = ask_server.AskServer(runtime, settings)
    task = asyncio.create_task(server.run())
    for _ in range(200):
        if ask_server.socket_path(settings).exists():
            return server, task
        await asyncio.sleep(0.02)
    raise AssertionError("the server did not start")


def client_events(settings: Settings, question: str, course: str | None) -> list[dict] | None:
    events = ask_server.ask(settings, question, course)
    return None if events is None else list(events)


async def test_answers_stream_then_stale_settings_stop_it(served: Runtime,
                                                           settings: Settings) -> None:
    assert client_events(settings, "anything", None) is None  # nothing running yet
    _, task = await start(served, settings)
    events = await asyncio.to_thread(client_events, settings,
                                     "How do I treat a burn with running water?", None)
    assert events is not None and "draft" in events[0]
    answer = events[-1]["answer"]
    assert answer["answered_by"] == "ask server" and answer["covered"] is True
    assert answer["sources"][0]["document"] == "first-aid.html"

    unknown = await asyncio.to_thread(client_events, settings, "Burns?", "nope")
    assert unknown is not None and "no course named 'nope'" in unknown[-1]["error"]

    changed = settings.model_copy(update={"passages_per_answer": 2})
    assert await asyncio.to_thread(client_events, changed, "Burns?", None) is None
    await asyncio.wait_for(task, 10)  # a stale server steps aside
    assert not ask_server.socket_path(settings).exists()


async def test_stops_when_asked_or_idle(served: Runtime, settings: Settings) -> None:
    _, task = await start(served, settings)
    assert await asyncio.to_thread(ask_server.stop, settings) is True
    await asyncio.wait_for(task, 10)
    assert await asyncio.to_thread(ask_server.stop, settings) is False

    idle = settings.model_copy(update={"ask_server_idle_minutes": 0.0001})
    _, task = await start(served, idle)
    await asyncio.wait_for(task, 10)


async def test_a_second_server_for_the_same_data_dir_gives_way(served: Runtime,
                                                               settings: Settings) -> None:
    _, first = await start(served, settings)
    await asyncio.wait_for(ask_server.AskServer(served, settings).run(), 10)  # returns at once
    assert not first.done()
    await asyncio.to_thread(ask_server.stop, settings)
    await asyncio.wait_for(first, 10)


def test_long_data_dirs_get_a_short_socket_path(tmp_path: Path) -> None:
    deep = tmp_path.joinpath(*["folder"] * 20)
    path = ask_server.socket_path(Settings(data_dir=deep, _env_file=None))
    assert len(str(path)) < 100 and path.suffix == ".sock"
