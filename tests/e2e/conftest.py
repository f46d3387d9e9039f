from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.slack import SlackAdapter
from tests.conftest import SAMPLE_COURSE
from tests.platforms.slack_api import FakeSlack
from tutor.dialogue import DialogueManager
from tutor.runtime import Runtime
from tutor.settings import Settings


@pytest.fixture(scope="module")
def runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Runtime]:
    """The real models over the sample course, with its question bank: one per module."""
    settings = Settings(data_dir=Path(tmp_path_factory.mktemp("fronts")), _env_file=None,
                        stream_edit_interval_s=0.5,
                        explain="always")  # the fronts stream the real model's answer
    runtime = Runtime(settings)
    runtime.add_material([SAMPLE_COURSE], "workplace-safety")
    yield runtime
    runtime.close()


@asynccontextmanager
async def slack_bot(runtime: Runtime, fake: FakeSlack) -> AsyncIterator[str]:
    """The Slack adapter in HTTP mode against the stand-in; yields its events URL and
    stops it on leaving."""
    settings = runtime.settings.model_copy(update=fake.settings_update())
    adapter = SlackAdapter(DialogueManager(runtime), settings)
    stop = asyncio.Event()
    task = asyncio.create_task(adapter.run(stop))
    port = await fake.wait_for(lambda: adapter.port)
    try:
        yield f"http://127.0.0.1:{port}/slack/events"
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)
