import pytest
from pydantic import SecretStr

from bot.serve import configured_platforms, missing_settings
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
