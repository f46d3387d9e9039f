"""Every setting is documented where deployers look: .env.example."""

from __future__ import annotations

from pathlib import Path

from tutor.settings import Settings

ENV_EXAMPLE = Path(__file__).resolve().parents[2] / ".env.example"


def test_every_setting_is_in_the_env_example() -> None:
    text = ENV_EXAMPLE.read_text()
    missing = [name for name in Settings.model_fields if f"TUTORBOT_{name.upper()}=" not in text]
    assert missing == []
