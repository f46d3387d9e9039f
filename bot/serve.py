"""Running the chat platforms: one process, one event loop, one set of models."""

from __future__ import annotations

import asyncio
import contextlib
import signal

from tutor.dialogue import DialogueManager
from tutor.runtime import Runtime
from tutor.settings import Settings

REQUIRED = {
    "telegram": ["telegram_token"],
    "slack": ["slack_bot_token", "slack_signing_secret"],
}


def missing_settings(settings: Settings, platform: str) -> list[str]:
    """The TUTORBOT_* variables a platform still needs."""
    needed = list(REQUIRED[platform])
    if platform == "slack" and settings.slack_app_token is not None:
        needed.remove("slack_signing_secret")  # Socket Mode does not sign requests
    return [f"TUTORBOT_{name.upper()}" for name in needed if getattr(settings, name) is None]


def configured_platforms(settings: Settings) -> list[str]:
    return [name for name in REQUIRED if not missing_settings(settings, name)]


async def serve(runtime: Runtime, platforms: list[str],
                stop: asyncio.Event | None = None) -> None:
    """Run the adapters until `stop` is set or the process gets SIGINT/SIGTERM."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)
    manager = DialogueManager(runtime)
    adapters = []
    if "telegram" in platforms:
        from bot.telegram import TelegramAdapter

        adapters.append(TelegramAdapter(manager, runtime.settings))
    if "slack" in platforms:
        from bot.slack import SlackAdapter

        adapters.append(SlackAdapter(manager, runtime.settings))
    await asyncio.gather(*(adapter.run(stop) for adapter in adapters))
