import asyncio
import contextlib

import pytest
from pydantic import SecretStr

import bot.telegram as telegram_adapter
from bot.serve import configured_platforms, missing_settings, serve
from tests.conftest import add_sample_course
from tests.platforms.slack_api import FakeSlack
from tests.platforms.telegram_api import FakeTelegram
from tests.postgres import free_port
from tutor.runtime import Runtime
from tutor.settings import Settings


def test_each_platform_names_the_settings_it_still_needs(monkeypatch) -> None:
    monkeypatch.setenv("TUTORBOT_TELEGRAM_TOKEN", "")  # empty in .env means "not set"
    settings = Settings(_env_file=None)
    assert missing_settings(settings, "telegram") == ["TUTORBOT_TELEGRAM_TOKEN"]
    assert missing_settings(settings, "slack") == ["TUTORBOT_SLACK_BOT_TOKEN",
                                                   "TUTORBOT_SLACK_SIGNING_SECRET"]
    assert configured_platforms(settings) == []
    socket_mode = settings.model_copy(update={"slack_bot_token": SecretStr("xoxb-1"),
                                              "slack_app_token": SecretStr("xapp-1")})
    assert configured_platforms(socket_mode) == ["slack"]  # Socket Mode needs no secret


def test_admins_are_read_comma_separated(monkeypatch) -> None:
    monkeypatch.setenv("TUTORBOT_ADMINS", "telegram:1, slack:U2")
    assert Settings(_env_file=None).admins == ["telegram:1", "slack:U2"]


def test_telegram_webhook_mode_needs_its_secret() -> None:
    settings = Settings(_env_file=None, telegram_token=SecretStr("1:x"),
                        telegram_webhook_url="https://tutor.example.com/telegram")
    assert missing_settings(settings, "telegram") == ["TUTORBOT_TELEGRAM_WEBHOOK_SECRET"]
    with_secret = settings.model_copy(update={"telegram_webhook_secret": SecretStr("s3cret")})
    assert configured_platforms(with_secret) == ["telegram"]


def test_admins_may_be_a_json_list(monkeypatch) -> None:
    monkeypatch.setenv("TUTORBOT_ADMINS", '["telegram:1", "slack:U2"]')
    assert Settings(_env_file=None).admins == ["telegram:1", "slack:U2"]
    monkeypatch.setenv("TUTORBOT_ADMINS", '["telegram:1"')
    with pytest.raises(ValueError, match="not a JSON list"):
        Settings(_env_file=None)


async def test_slack_is_served_while_telegram_cannot_be_reached(
        runtime: Runtime, settings: Settings, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(telegram_adapter, "FIRST_RETRY_S", 0.2)
    add_sample_course(runtime)
    unreachable = FakeTelegram("77:down", port=free_port())  # never started
    async with FakeSlack() as slack:
        runtime.settings = settings.model_copy(update={
            **slack.settings_update(), "slack_port": free_port(),
            "telegram_token": SecretStr("77:down"), "telegram_api_url": unreachable.api_root})
        stop = asyncio.Event()
        serving = asyncio.create_task(serve(runtime, ["telegram", "slack"], stop))
        url = f"http://127.0.0.1:{runtime.settings.slack_port}/slack/events"
        event = slack.message_event("U1", "help")
        await slack.wait_for(lambda: any("Telegram API not reachable" in r.getMessage()
                                         for r in caplog.records), 20)
        for _ in range(100):  # until the Slack listener is up
            with contextlib.suppress(OSError):
                await slack.send_event(url, event)
                break
            await asyncio.sleep(0.1)
        reply = await slack.wait_for(lambda: slack.messages("D0001"), 20)
        stop.set()
        await asyncio.wait_for(serving, 20)
    assert "Commands:" in str(reply[0]["blocks"])
