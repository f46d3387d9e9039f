"""Review nudges end to end: the real adapters over real HTTP to the platform
stand-ins, the schedule in the database, the clock injected. A learner with a
review due gets one DM inside their window, whose button starts the review quiz;
a learner who blocked the bot (Telegram) or was deactivated (Slack) is marked and
not tried again."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from sqlmodel import Session, col, select

from bot.slack import SlackAdapter
from bot.telegram import TelegramAdapter
from tests.platforms.slack_api import FakeSlack
from tests.platforms.telegram_api import FakeTelegram
from tutor.dialogue import DialogueManager
from tutor.reminders import Nudger, ReminderStore, parse_schedule
from tutor.runtime import Runtime
from tutor.tables import Attempt, Mastery, Question

pytestmark = pytest.mark.e2e
NOW = datetime.now(UTC)


def mastered_long_ago(runtime: Runtime, learner: str) -> str:
    """Four right answers on one skill 31 days ago: mastered, and due for review."""
    with Session(runtime.engine) as session:
        question = session.exec(select(Question).where(Question.status == "active")
                                .order_by(col(Question.id))).first()
        assert question is not None
        skill_id = question.skill_id
        for n in range(4):
            session.add(Attempt(learner_id=learner, course="workplace-safety",
                                question_id=question.id or 0, skill_id=skill_id,
                                response="", score=1.0, correct=True,
                                created_at=NOW - timedelta(days=31, minutes=n)))
        session.merge(Mastery(learner_id=learner, skill_id=skill_id,
                              course="workplace-safety", estimate=0.9, attempts=4, correct=4))
        session.commit()
    return runtime.quizzes.skill_name(skill_id)


def nudger(runtime: Runtime, manager: DialogueManager, platform: str, send) -> Nudger:  # type: ignore[no-untyped-def]
    return Nudger(ReminderStore(runtime.engine), runtime.knowledge, manager.course_or_none,
                  {platform: send}, clock=lambda: NOW)


async def test_telegram_nudge_once_its_button_starts_the_review_and_a_block_is_kept(
        runtime: Runtime) -> None:
    async with FakeTelegram("55:nudge") as fake:
        settings = runtime.settings.model_copy(update={
            "telegram_token": SecretStr("55:nudge"), "telegram_api_url": fake.api_root})
        manager = DialogueManager(runtime)
        adapter = TelegramAdapter(manager, settings)
        stop = asyncio.Event()
        task = asyncio.create_task(adapter.run(stop))
        try:
            for user in (31, 32):
                fake.user_message(user, "/remind on 0-24 daily")
                await fake.wait_for(lambda user=user: any(
                    "Reminders on" in m.get("text", "") for m in fake.bot_messages(user)))
            skill = mastered_long_ago(runtime, "telegram:31")
            mastered_long_ago(runtime, "telegram:32")
            fake.user_blocks_bot(32)
            tutor = nudger(runtime, manager, "telegram", adapter.send_direct)
            assert await tutor.tick() == ["telegram:31"]
            nudge = fake.bot_messages(31)[-1]
            assert f"Time to review {skill}" in nudge["text"]
            assert "haven't practised it for 31 days" in nudge["text"]
            assert ReminderStore(runtime.engine).get("telegram:32").blocked  # type: ignore[union-attr]
            assert await tutor.tick() == []  # not twice the same day, not the blocked one
            study = nudge["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
            fake.user_click(31, nudge["message_id"], study)
            quiz = await fake.wait_for(lambda: next(
                (m for m in fake.bot_messages(31) if m.get("text", "").startswith(
                    f"A quiz on {skill}")), None))
            assert quiz
        finally:
            stop.set()
            await asyncio.wait_for(task, 30)


async def test_slack_nudge_is_a_dm_and_a_deactivated_user_is_marked(runtime: Runtime) -> None:
    async with FakeSlack() as fake:
        settings = runtime.settings.model_copy(update=fake.settings_update())
        manager = DialogueManager(runtime)
        adapter = SlackAdapter(manager, settings)
        store = ReminderStore(runtime.engine)
        for user in ("U31", "U32"):
            store.set(f"slack:{user}", parse_schedule(["0-24", "daily"]))
            mastered_long_ago(runtime, f"slack:{user}")
        fake.disabled_users.add("U32")
        tutor = nudger(runtime, manager, "slack", adapter.send_direct)
        assert await tutor.tick() == ["slack:U31"]
        [dm] = fake.messages(fake.im_channel("U31"))
        assert "Time to review" in dm["text"]
        actions = [e["value"] for b in dm["blocks"] if b["type"] == "actions"
                   for e in b["elements"]]
        assert any(value.startswith("tutor:study:") for value in actions)
        assert store.get("slack:U32").blocked  # type: ignore[union-attr]
