"""Running the chat platforms: one process, one event loop, one set of models."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from knowledge.library import course_names
from tutor.answers.log import expire_regularly
from tutor.dialogue import DialogueManager
from tutor.reminders import Nudger
from tutor.runtime import Runtime
from tutor.settings import Settings

log = logging.getLogger(__name__)
INDEX_CHECK_S = 2.0  # how often each worker checks the database for changed courses

REQUIRED = {
    "telegram": ["telegram_token"],
    "slack": ["slack_bot_token", "slack_signing_secret"],
}


def missing_settings(settings: Settings, platform: str) -> list[str]:
    """The TUTORBOT_* variables a platform still needs."""
    needed = list(REQUIRED[platform])
    if platform == "slack" and settings.slack_app_token is not None:
        needed.remove("slack_signing_secret")  # Socket Mode does not sign requests
    if platform == "telegram" and settings.telegram_webhook_url:
        # Without it anyone who reaches the port could post updates as any learner.
        needed.append("telegram_webhook_secret")
    return [f"TUTORBOT_{name.upper()}" for name in needed if getattr(settings, name) is None]


def configured_platforms(settings: Settings) -> list[str]:
    return [name for name in REQUIRED if not missing_settings(settings, name)]


def half_configured(settings: Settings) -> dict[str, list[str]]:
    """Platforms some of whose settings are set but not all, with what they lack."""
    started = {"telegram": settings.telegram_token or settings.telegram_webhook_url,
               "slack": settings.slack_bot_token or settings.slack_app_token
               or settings.slack_signing_secret}
    return {name: missing for name in REQUIRED
            if started[name] and (missing := missing_settings(settings, name))}


async def serve(runtime: Runtime, platforms: list[str],
                stop: asyncio.Event | None = None) -> None:
    """Run the adapters (and the console, with "web" in `platforms`) until `stop` is
    set or the process gets SIGINT/SIGTERM."""
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
    nudger = Nudger(manager.reminders, runtime.knowledge, manager.course_or_none,
                    {adapter.platform: adapter.send_direct for adapter in adapters})
    background = [asyncio.create_task(retrain_regularly(runtime, stop)),
                  asyncio.create_task(nudge_regularly(nudger, stop)),
                  asyncio.create_task(store_passage_sentences(runtime)),
                  asyncio.create_task(follow_course_indexes(runtime, stop)),
                  # One worker a day deletes the answers older than TUTORBOT_ANSWER_LOG_DAYS.
                  asyncio.create_task(expire_regularly(runtime.engine,
                                                       runtime.settings.answer_log_days, stop))]
    running = [asyncio.create_task(adapter.run(stop)) for adapter in adapters]
    if "web" in platforms:
        from bot.web.server import serve_web

        running.append(asyncio.create_task(serve_web(runtime, stop)))
    try:
        # One adapter failing (a rejected token) stops the others: the process exits.
        await asyncio.wait(running, return_when=asyncio.FIRST_EXCEPTION)
        stop.set()
        for result in await asyncio.gather(*running, return_exceptions=True):
            if isinstance(result, BaseException):
                raise result
    finally:
        for task in background:
            task.cancel()
        await asyncio.gather(*background, return_exceptions=True)


async def follow_course_indexes(runtime: Runtime, stop: asyncio.Event,
                                every_s: float = INDEX_CHECK_S) -> None:
    """Load or build a course's index as soon as the database is ahead of it (another
    worker or `tutorbot ingest` changed the course), in a thread, so that the next
    question does not wait for it."""
    while not stop.is_set():
        try:
            await asyncio.to_thread(runtime.index_store.refresh)
        except Exception:
            log.exception("following the course indexes failed; searches build them instead")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every_s)


async def store_passage_sentences(runtime: Runtime) -> None:
    """Embed what ingest did not store yet (a data dir from before it did), in a
    thread: until it is done, questions embed those sentences themselves."""
    for course in course_names(runtime.engine):
        await asyncio.to_thread(runtime.store_sentences_quietly, course)


async def nudge_regularly(nudger: Nudger, stop: asyncio.Event, every_s: float = 60) -> None:
    """Send the review nudges that are due, once a minute."""
    while not stop.is_set():
        try:
            sent = await nudger.tick()
            if sent:
                log.info("sent %d review reminders", len(sent))
        except Exception:
            log.exception("checking the review reminders failed; trying again in a minute")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every_s)


async def retrain_regularly(runtime: Runtime, stop: asyncio.Event) -> None:
    """Retrain the learner model at start and every TUTORBOT_LEARNER_RETRAIN_HOURS when
    new answers came in, in a thread: chat goes on meanwhile."""
    every_s = runtime.settings.learner_retrain_hours * 3600
    while every_s and not stop.is_set():
        try:
            report = await asyncio.to_thread(runtime.knowledge.retrain_if_new)
            if report is not None:
                log.info("learner model retrained on %d answers in %.1f s; in use for: %s",
                         report.attempts, report.seconds, ", ".join(report.in_use) or "none")
        except Exception:
            log.exception("retraining the learner model failed; the last model stays in use")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), every_s)
