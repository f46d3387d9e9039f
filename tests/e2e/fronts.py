"""Every front of one tutor process at once, as `tutorbot serve all` runs them: the
Telegram and Slack adapters against their local stand-ins and the trainers' console,
all through `bot.serve.serve` on an event loop of their own in a thread. Tests that
drive a browser with Playwright's sync API stay synchronous and reach the stand-ins
through `Fronts.run` (a coroutine on that loop) and `Fronts.call` (a function there)."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

import httpx
from pydantic import SecretStr

from bot.serve import serve
from tests.platforms.slack_api import FakeSlack
from tests.platforms.telegram_api import FakeTelegram
from tests.postgres import free_port
from tutor.runtime import Runtime

T = TypeVar("T")
TELEGRAM_TOKEN = "4242:console-e2e"


class Fronts:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.loop = asyncio.new_event_loop()
        self.telegram: FakeTelegram
        self.slack: FakeSlack
        self.slack_url = ""
        self.console_url = ""
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self.failure: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="fronts", daemon=True)

    def __enter__(self) -> Fronts:
        self._thread.start()
        if not self._ready.wait(120):
            raise AssertionError(f"the fronts did not start: {self.failure!r}")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{self.console_url}/healthz", timeout=1).status_code == 200:
                    return self
            assert self._thread.is_alive(), f"the fronts stopped: {self.failure!r}"
            time.sleep(0.1)
        raise AssertionError("the console did not answer")

    def __exit__(self, *_: object) -> None:
        if self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(60)

    def _run(self) -> None:
        try:
            self.loop.run_until_complete(self._serve())
        except BaseException as error:
            self.failure = error
            self._ready.set()
        finally:
            self.loop.close()

    async def _serve(self) -> None:
        async with FakeTelegram(TELEGRAM_TOKEN) as telegram, FakeSlack() as slack:
            self.telegram, self.slack = telegram, slack
            web_port, slack_port = free_port(), free_port()
            self.runtime.settings = self.runtime.settings.model_copy(update={
                "telegram_token": SecretStr(TELEGRAM_TOKEN), "telegram_api_url": telegram.api_root,
                **slack.settings_update(), "slack_port": slack_port,
                "web_host": "127.0.0.1", "web_port": web_port})
            self.slack_url = f"http://127.0.0.1:{slack_port}/slack/events"
            self.console_url = f"http://127.0.0.1:{web_port}"
            self._stop = asyncio.Event()
            self._ready.set()
            await serve(self.runtime, ["telegram", "slack", "web"], self._stop)

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float = 300) -> T:
        """Run `coroutine` on the fronts' loop (a stand-in's `wait_for`, say)."""
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def call(self, function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Call `function` on the fronts' loop: the stand-ins' state lives there."""
        async def called() -> T:
            return function(*args, **kwargs)

        return self.run(called(), timeout=30)
