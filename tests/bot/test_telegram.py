"""The real Telegram adapter (python-telegram-bot over HTTP) against the fake Bot API,
with the fake models: every scenario of a learner and a trainer on Telegram."""

from __future__ import annotations

import asyncio
import html
import json
import logging
import re
import socket
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from pydantic import SecretStr
from sqlmodel import Session, select

import bot.telegram as telegram_adapter
from bot.telegram import TelegramAdapter, format_reply
from knowledge.ingest import ingest
from tests.conftest import DATA, SAMPLE_COURSE, add_sample_course
from tests.fakes import FakeGenerator
from tests.platforms.telegram_api import ApiError, FakeTelegram
from tests.postgres import free_port
from tests.quiz_race import attempts, count_messages, hold_first_answer, short_quiz
from tutor import dialogue, personal_data
from tutor.dialogue import DialogueManager
from tutor.errors import PlatformRefused
from tutor.limits import QuestionRate
from tutor.messages import SENT_PRIVATELY, Button, IncomingMessage, Reply, Source
from tutor.runtime import Runtime
from tutor.settings import Settings
from tutor.tables import AnswerRecord, Feedback, Learner, ReceivedEvent

TOKEN = "123:fake"
LEARNER, TRAINER, GROUP = 1001, 2002, -3003
BURN = "How do I treat a burn with running water?"


@dataclass
class Bot:
    fake: FakeTelegram
    runtime: Runtime
    adapter: TelegramAdapter

    def texts(self, chat: int) -> list[str]:
        return [m.get("text", "") for m in self.fake.bot_messages(chat)]

    async def reply_to(self, chat: int, count: int, timeout: float = 30) -> dict:
        """The bot's `count`-th message in `chat` once it is final (has buttons or
        sources, or stopped changing), after waiting for it."""
        await self.fake.wait_for(lambda: len(self.fake.bot_messages(chat)) >= count, timeout)
        return self.fake.bot_messages(chat)[count - 1]


@pytest.fixture
async def bot(runtime: Runtime, settings: Settings) -> AsyncIterator[Bot]:
    ingest([SAMPLE_COURSE], "workplace-safety", engine=runtime.engine,
           embedder=runtime.embedder, index_store=runtime.index_store, max_bytes=10**8)
    async with FakeTelegram(TOKEN) as fake:
        runtime.settings = settings.model_copy(update={
            "telegram_token": SecretStr(TOKEN), "telegram_api_url": fake.api_root,
            "admins": [f"telegram:{TRAINER}"], "stream_edit_interval_s": 0.2})
        adapter = TelegramAdapter(DialogueManager(runtime), runtime.settings)
        stop = asyncio.Event()
        task = asyncio.create_task(adapter.run(stop))
        await fake.wait_for(lambda: fake.commands, 10)
        yield Bot(fake, runtime, adapter)
        stop.set()
        await asyncio.wait_for(task, 10)


async def final_answer(bot: Bot, chat: int, index: int = 1) -> dict:
    """The bot's index-th message in the chat, once it carries its keyboard."""
    def done() -> dict | None:
        messages = bot.fake.bot_messages(chat)
        if len(messages) >= index and "Sources" in messages[index - 1].get("text", ""):
            return messages[index - 1]
        return None
    return await bot.fake.wait_for(done)


async def test_commands_are_registered_and_start_explains_privacy(bot: Bot) -> None:
    assert {c["command"] for c in bot.fake.commands} >= {"start", "help", "course", "forget"}
    bot.fake.user_message(LEARNER, "/start")
    start = await bot.reply_to(LEARNER, 1)
    assert "What I store" in start["text"] and "/forget" in start["text"]


async def test_question_streams_then_gets_sources_and_feedback_is_stored(bot: Bot) -> None:
    bot.fake.user_message(LEARNER, "How do I treat a burn with running water?",
                          first_name="Ana Lima")
    answer = await final_answer(bot, LEARNER)
    assert "first-aid.html" in answer["text"]
    # The quote came at once: no placeholder and no "typing…" before it.
    assert not any(method == "sendChatAction" for method, _ in bot.fake.calls)
    assert not any("Looking in the course" in text
                   for text in bot.fake.edits(LEARNER, answer["message_id"]))
    assert len(bot.fake.edits(LEARNER, answer["message_id"])) >= 2  # streamed, then final
    buttons = [b for row in answer["reply_markup"]["inline_keyboard"] for b in row]
    assert [b["text"] for b in buttons] == ["👍", "👎"]

    bot.fake.user_click(LEARNER, answer["message_id"], buttons[1]["callback_data"])
    await bot.fake.wait_for(lambda: bot.fake.callback_answers)
    assert "didn't help" in bot.fake.callback_answers[0].get("text", "")
    with Session(bot.runtime.engine) as session:
        rating = session.exec(select(Feedback)).one()
        kept = session.exec(select(AnswerRecord)).one()  # for trainers, with its rating
        learner = session.get(Learner, f"telegram:{LEARNER}")
    assert rating.learner_id == f"telegram:{LEARNER}" and rating.helpful is False
    assert kept.turn_id == rating.turn_id and kept.helpful is False and kept.rated_at
    assert learner is not None and learner.display_name == "Ana Lima"


async def test_follow_up_uses_the_earlier_question(bot: Bot, generator: FakeGenerator) -> None:
    bot.fake.user_message(LEARNER, "How do I treat a burn with running water?")
    await final_answer(bot, LEARNER, 1)
    bot.fake.user_message(LEARNER, "and for how long?")
    await final_answer(bot, LEARNER, 2)
    assert "Earlier question: How do I treat a burn" in generator.prompts[-1]


async def test_admin_upload_is_ingested_then_answerable(bot: Bot) -> None:
    material = b"# Ladder safety\n\nAlways keep three points of contact on a zebra ladder.\n"
    summary, answer = await upload_then_ask(bot, "ladders.md", material, "ladders",
                                            "How many points of contact on a zebra ladder?")
    assert "Course 'ladders': 1 passages added from 1 file(s)." in summary
    assert "three points of contact" in answer["text"]


async def upload_then_ask(bot: Bot, name: str, material: bytes, course: str, question: str
                          ) -> tuple[str, dict]:
    """A trainer uploads a file to a new course, switches to it and asks: the upload's
    report and the answer that cites the file."""
    bot.fake.user_document(TRAINER, name, material, caption=f"course: {course}")
    summary = await bot.fake.wait_for(
        lambda: next((t for t in bot.texts(TRAINER) if "passages added" in t), None))
    bot.fake.user_message(TRAINER, f"/course {course}")
    await bot.fake.wait_for(lambda: any("Switched" in t for t in bot.texts(TRAINER)))
    bot.fake.user_message(TRAINER, question)
    answer = await bot.fake.wait_for(
        lambda: next((m for m in bot.fake.bot_messages(TRAINER)
                      if name in m.get("text", "")), None))
    return summary, answer


async def test_non_admin_upload_is_refused_and_nothing_stored(bot: Bot) -> None:
    bot.fake.user_document(LEARNER, "notes.md", b"# Mine\n\nSecret notes.\n", caption="mine")
    refusal = await bot.reply_to(LEARNER, 1)
    assert "Only trainers can add course material" in refusal["text"]
    assert not [c for c in bot.fake.calls if c[0] == "getFile"]  # never even downloaded
    from knowledge.library import course_names

    assert "mine" not in course_names(bot.runtime.engine)


async def test_corrupt_upload_is_reported_and_nothing_lost(bot: Bot) -> None:
    from knowledge.library import course_summaries

    before = course_summaries(bot.runtime.engine)
    bot.fake.user_document(TRAINER, "fire-safety.pdf", b"%PDF-1.4 broken",
                           caption="workplace-safety")
    report = await bot.fake.wait_for(
        lambda: next((t for t in bot.texts(TRAINER) if "Not added" in t), None))
    assert "fire-safety.pdf: could not be read as PDF" in report
    assert "Nothing was changed." in report
    assert course_summaries(bot.runtime.engine) == before


async def test_group_messages_need_a_mention_or_a_reply(bot: Bot) -> None:
    bot.fake.user_message(LEARNER, "How do I treat a burn with running water?",
                          chat_id=GROUP, chat_type="group")
    bot.fake.user_message(LEARNER, "@tutorbot_test_bot How do I treat a burn with running water?",
                          chat_id=GROUP, chat_type="group")
    answer = await final_answer(bot, GROUP)
    assert "first-aid.html" in answer["text"]
    await asyncio.sleep(0.5)
    assert len(bot.fake.bot_messages(GROUP)) == 1  # the unaddressed message was ignored


async def test_unknown_command_gets_a_clear_message(bot: Bot) -> None:
    bot.fake.user_message(LEARNER, "/frobnicate")
    reply = await bot.reply_to(LEARNER, 1)
    assert "I don't know the command /frobnicate" in reply["text"]


async def test_fifty_learners_at_once_each_get_their_own_answer(
        bot: Bot, generator: FakeGenerator) -> None:
    generator.delay_s = 0.005  # generation takes a while: the loop must stay free meanwhile
    questions = [json.loads(line)["question"]
                 for line in (DATA / "sample_qa.jsonl").read_text().splitlines()]
    asked = {5000 + i: questions[i % len(questions)] for i in range(50)}
    for user, question in asked.items():
        bot.fake.user_message(user, question)

    def answered(user: int) -> dict | None:
        return next((m for m in bot.fake.bot_messages(user)
                     if "Sources" in m.get("text", "")), None)

    await bot.fake.wait_for(lambda: generator.batches)
    bot.fake.user_message(LEARNER, "/help")
    await bot.reply_to(LEARNER, 1)
    assert sum(answered(user) is None for user in asked) > 10  # /help did not queue behind them

    await bot.fake.wait_for(lambda: all(answered(user) for user in asked), timeout=120)
    assert max(generator.batches) > 1  # concurrent questions were batched
    manager = DialogueManager(bot.runtime)
    manager.question_rate = QuestionRate(0)  # one checker asks all fifty
    for user, question in asked.items():
        alone = [r async for r in manager.respond(IncomingMessage("check:1", question))][-1]
        expected = html.unescape(re.sub(r"<[^>]+>", "", format_reply(alone)))
        assert answered(user)["text"] == expected, f"chat {user} got another learner's answer"
        personal_data.forget(bot.runtime.engine, "check:1")


async def test_upload_over_the_size_limit_is_refused_before_download(bot: Bot) -> None:
    bot.runtime.settings = bot.runtime.settings.model_copy(update={"max_upload_mb": 0.001})
    bot.fake.user_document(TRAINER, "big.md", b"# Big\n\n" + b"word " * 400,
                           caption="workplace-safety")
    report = await bot.fake.wait_for(
        lambda: next((t for t in bot.texts(TRAINER) if "Not added" in t), None))
    assert "big.md: the file is 0.0 MB, over the 0 MB limit" in report
    assert not [method for method, _ in bot.fake.calls if method == "getFile"]


async def test_webhook_mode_answers_updates_posted_to_it(runtime: Runtime,
                                                         settings: Settings) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with FakeTelegram(TOKEN) as fake:
        runtime.settings = settings.model_copy(update={
            "telegram_token": SecretStr(TOKEN), "telegram_api_url": fake.api_root,
            "telegram_webhook_url": f"http://127.0.0.1:{port}/hook/telegram",
            "telegram_webhook_listen": "127.0.0.1", "telegram_webhook_port": port,
            "telegram_webhook_secret": SecretStr("s3cret")})
        stop = asyncio.Event()
        task = asyncio.create_task(TelegramAdapter(DialogueManager(runtime),
                                                   runtime.settings).run(stop))
        await fake.wait_for(lambda: any(m == "setWebhook" for m, _ in fake.calls), 10)
        update = fake.user_message(LEARNER, "/help")
        reply = await fake.wait_for(lambda: fake.bot_messages(LEARNER))
        fake.redeliver(update)  # as if the answer to the webhook had come too late
        fake.user_message(LEARNER, "/mydata")
        await fake.wait_for(lambda: len(fake.bot_messages(LEARNER)) >= 2)
        await asyncio.sleep(0.3)
        stop.set()
        await asyncio.wait_for(task, 10)
    assert "Commands:" in reply[0]["text"]
    assert sum("Commands:" in m.get("text", "") for m in fake.bot_messages(LEARNER)) == 1
    assert len(fake.bot_messages(LEARNER)) == 2
    assert not [m for m, _ in fake.calls if m == "getUpdates"]  # no polling in webhook mode


def test_a_quote_renders_as_one_blockquote_never_an_empty_one() -> None:
    reply = Reply("> Check:\n> - Tyres: no cuts.\n> - Forks: no cracks. [1]\n\n"
                  "Walk round the truck. [2]\n\n```\nls -l\n```")
    rendered = format_reply(reply)
    assert rendered.count("<blockquote>") == 1 and "<blockquote></blockquote>" not in rendered
    assert "<blockquote>Check:\n- Tyres: no cuts.\n- Forks: no cracks. [1]</blockquote>" in rendered
    assert "<pre>ls -l</pre>" in rendered


def says(*replies: Reply) -> Callable[[IncomingMessage], AsyncIterator[Reply]]:
    """A dialogue manager's `respond` that says `replies` to anything."""
    async def respond(_: IncomingMessage) -> AsyncIterator[Reply]:
        for reply in replies:
            yield reply
    return respond


async def test_a_long_reply_comes_whole_in_several_messages(
        bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    quote = "> " + "🔥 Keep the exit <clear> & unlocked. " * 150  # 2 UTF-16 units an emoji
    code = "```\n" + "ls -l /var/log\n" * 400 + "```"
    reply = Reply(f"{quote}\n\n{code}\n\nDone. [1]",
                  sources=(Source(1, "fire.md", "Exits", "…", 0.9),),
                  buttons=(Button("👍", "feedback:up:1"), Button("👎", "feedback:down:1")))
    monkeypatch.setattr(bot.adapter.manager, "respond", says(reply))
    bot.fake.user_message(LEARNER, "tell me everything")
    messages = await bot.fake.wait_for(lambda: (m := bot.fake.bot_messages(LEARNER))
                                       and "reply_markup" in m[-1] and m)
    assert len(messages) >= 3  # the stand-in refuses a message over 4096 UTF-16 units
    assert [("reply_markup" in m) for m in messages] == [False] * (len(messages) - 1) + [True]
    assert "Sources" in messages[-1]["text"] and "[1] fire.md — Exits" in messages[-1]["text"]
    shown = " ".join(" ".join(m["text"] for m in messages).split())  # cut lines rejoined
    assert shown.count("🔥 Keep the exit <clear> & unlocked.") == 150
    assert shown.count("ls -l /var/log") == 400
    kinds = [e["type"] for m in messages for e in m.get("entities", [])]
    assert "blockquote" in kinds and kinds.count("pre") >= 2  # a cut code block reopened


async def test_material_markup_shows_as_text(bot: Bot) -> None:
    material = (b"# Alarm drill\n\nWhen the zebra alarm sounds, <b>never</b> use the lift "
                b"and leave by <a href='https://evil.example'>the east stair</a>.\n")
    _, answer = await upload_then_ask(bot, "drill.md", material, "drill",
                                      "What do I do when the zebra alarm sounds?")
    assert "<b>never</b>" in answer["text"] and "<a href=" in answer["text"]
    assert not [e for e in answer.get("entities", []) if e["type"] in ("bold", "text_link")
                and "never" in answer["text"][e["offset"]:e["offset"] + e["length"]]]


async def test_a_course_with_a_long_name_gets_a_working_button(bot: Bot) -> None:
    name = "防火訓練" * 12  # 48 characters, 144 bytes: over a button's 64
    ingest([SAMPLE_COURSE], name, engine=bot.runtime.engine, embedder=bot.runtime.embedder,
           index_store=bot.runtime.index_store, max_bytes=10**8)
    bot.fake.user_message(LEARNER, "/course")
    offer = await bot.fake.wait_for(lambda: next(
        (m for m in bot.fake.bot_messages(LEARNER) if "reply_markup" in m), None))
    button = next(b for row in offer["reply_markup"]["inline_keyboard"] for b in row
                  if b["text"] == name)
    bot.fake.user_click(LEARNER, offer["message_id"], button["callback_data"])
    await bot.fake.wait_for(lambda: any(f"Switched to the course '{name}'" in t
                                        for t in bot.texts(LEARNER)))


async def test_a_long_mydata_arrives_as_a_file(bot: Bot, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    monkeypatch.setattr(dialogue, "MYDATA_IN_MESSAGE", 10)
    bot.fake.user_message(LEARNER, "How do I treat a burn with running water?")
    await final_answer(bot, LEARNER)
    bot.fake.user_message(LEARNER, "/mydata")
    sent = await bot.fake.wait_for(lambda: next(
        (m for m in bot.fake.bot_messages(LEARNER) if "document" in m), None))
    data = json.loads(bot.fake.document_bytes(sent))
    assert data["turns"][0]["question"] == "How do I treat a burn with running water?"
    assert sent["document"]["file_name"] == "mydata.json"


@pytest.fixture
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(telegram_adapter, "FIRST_RETRY_S", 0.2)


def outage_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if "Telegram API not reachable" in r.getMessage()]


async def test_an_unreachable_bot_api_is_retried_then_served(
        runtime: Runtime, settings: Settings, caplog: pytest.LogCaptureFixture,
        quick_retries: None) -> None:
    add_sample_course(runtime)
    fake = FakeTelegram(TOKEN, port=free_port())  # not started yet: nothing listens
    runtime.settings = settings.model_copy(update={
        "telegram_token": SecretStr(TOKEN), "telegram_api_url": fake.api_root})
    stop = asyncio.Event()
    task = asyncio.create_task(
        TelegramAdapter(DialogueManager(runtime), runtime.settings).run(stop))
    await fake.wait_for(lambda: len(outage_lines(caplog)) >= 2, 10)
    fake.user_message(LEARNER, "/help")  # sent while the bot cannot reach Telegram
    async with fake:
        reply = await fake.wait_for(lambda: fake.bot_messages(LEARNER), 20)
        stop.set()
        await asyncio.wait_for(task, 10)
    assert "Commands:" in reply[0]["text"]
    line = outage_lines(caplog)[0]
    assert line.exc_info is None and "retrying in" in line.getMessage()  # a line, no traceback


async def test_a_restarted_bot_api_loses_no_question_and_repeats_no_answer(
        bot: Bot, caplog: pytest.LogCaptureFixture) -> None:
    bot.fake.user_message(LEARNER, "How do I treat a burn with running water?")
    await final_answer(bot, LEARNER, 1)
    await bot.fake.stop()
    bot.fake.user_message(LEARNER, "What does PASS stand for?")  # asked during the outage
    await bot.fake.wait_for(lambda: outage_lines(caplog), 20)
    await bot.fake.start()
    await final_answer(bot, LEARNER, 2)
    await asyncio.sleep(1.5)  # time for a repeated answer to show, if one were coming
    answers = [m for m in bot.fake.bot_messages(LEARNER) if "Sources" in m.get("text", "")]
    assert len(answers) == 2
    assert any("reachable again" in r.getMessage() for r in caplog.records)


async def test_a_rejected_token_stops_with_one_line_naming_the_setting(
        runtime: Runtime, settings: Settings) -> None:
    async with FakeTelegram(TOKEN) as fake:
        wrong = settings.model_copy(update={
            "telegram_token": SecretStr("123:not-the-token"), "telegram_api_url": fake.api_root})
        adapter = TelegramAdapter(DialogueManager(runtime), wrong)
        with pytest.raises(PlatformRefused, match="TUTORBOT_TELEGRAM_TOKEN") as refused:
            await asyncio.wait_for(adapter.run(asyncio.Event()), 10)
    assert "not-the-token" not in str(refused.value)


async def test_an_outage_mid_answer_loses_no_reply(bot: Bot, generator: FakeGenerator) -> None:
    generator.delay_s = 0.1  # the explanation takes a few seconds
    bot.fake.user_message(LEARNER, "How do I treat a burn with running water?")
    await bot.fake.wait_for(lambda: bot.fake.bot_messages(LEARNER))  # the first draft is up
    await bot.fake.stop()
    await asyncio.sleep(4)  # the answer ends meanwhile: its final edit cannot connect
    await bot.fake.start()
    answer = await final_answer(bot, LEARNER)
    assert "first-aid.html" in answer["text"] and len(bot.fake.bot_messages(LEARNER)) == 1


async def test_two_quiz_answers_at_once_are_graded_in_order(bot: Bot) -> None:
    """Updates run concurrently: the second answer arrives while the first is being
    graded; it waits, and answers the next question; each question is shown once."""
    run, questions = short_quiz(bot.runtime, f"telegram:{LEARNER}")
    held = hold_first_answer(bot.adapter.manager)
    counted = count_messages(bot.adapter.manager)
    bot.fake.user_message(LEARNER, questions[0].answer)
    await bot.fake.wait_for(held.entered.is_set)
    bot.fake.user_message(LEARNER, questions[1].answer)
    await bot.fake.wait_for(lambda: counted[0] == 2)
    await asyncio.sleep(0.3)  # time to overtake the first, were it not waiting
    held.release()

    def shown(text: str) -> int:
        return sum(text in m.get("text", "") for m in bot.fake.bot_messages(LEARNER))
    await bot.fake.wait_for(lambda: shown("Question 3 of 3"))
    await asyncio.sleep(0.5)
    assert attempts(bot.runtime, run) == [(questions[0].id, questions[0].answer),
                                          (questions[1].id, questions[1].answer)]
    assert shown("Question 2 of 3") == shown("Question 3 of 3") == 1


async def test_personal_commands_in_a_group_go_to_the_private_chat(
        bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dialogue, "MYDATA_IN_MESSAGE", 10)  # /mydata as a file, too
    bot.fake.user_message(LEARNER, BURN)  # the learner's private chat is open
    await final_answer(bot, LEARNER)
    for command in ("/mydata", "/progress", "/next", "/remind", "/mydata@tutorbot_test_bot"):
        bot.fake.user_message(LEARNER, command, chat_id=GROUP, chat_type="group")
    await bot.fake.wait_for(lambda: len(bot.fake.bot_messages(GROUP)) >= 5)
    await bot.fake.wait_for(lambda: sum("document" in m for m in bot.fake.bot_messages(LEARNER))
                            >= 2)
    await asyncio.sleep(0.3)  # time for anything more to reach the group, if it were coming
    group = bot.fake.bot_messages(GROUP)
    assert [m.get("text") for m in group] == [SENT_PRIVATELY] * 5
    sent_to_group = repr([params for _, params in bot.fake.calls
                          if params.get("chat_id") == GROUP])
    assert "burn" not in sent_to_group.lower() and "document" not in sent_to_group
    private = bot.fake.bot_messages(LEARNER)
    data = json.loads(bot.fake.document_bytes(next(m for m in private if "document" in m)))
    assert data["turns"][0]["question"] == BURN
    assert any("Reminders are off" in m.get("text", "") for m in private)


async def test_a_learner_who_never_opened_a_private_chat_gets_a_link_to_one(bot: Bot) -> None:
    bot.fake.user_message(LEARNER, "@tutorbot_test_bot " + BURN, chat_id=GROUP,
                          chat_type="group")
    await final_answer(bot, GROUP)
    bot.fake.user_message(LEARNER, "/mydata", chat_id=GROUP, chat_type="group")
    note = await bot.fake.wait_for(lambda: bot.fake.bot_messages(GROUP)[1:])
    assert "https://t.me/tutorbot_test_bot?start=mydata" in note[0]["text"]
    assert "store about you" not in note[0]["text"]
    assert LEARNER not in bot.fake.bot_messages_by_chat()  # no private chat to send to
    bot.fake.user_message(LEARNER, "/start mydata")  # what the link sends, in the private chat
    shown = await bot.fake.wait_for(lambda: next(
        (t for t in bot.texts(LEARNER) if "Here is everything I store" in t), None))
    assert BURN in shown and len(bot.fake.bot_messages(GROUP)) == 2


async def test_an_update_whose_worker_died_unanswered_is_answered_once_by_another(
        runtime: Runtime, settings: Settings) -> None:
    """Telegram counts an update delivered once fetched: the one a worker took and
    never answered (it died) is handled by another once its lease lapsed, once; one
    answered before is not handled again, and no text is kept after its answer."""
    add_sample_course(runtime)
    async with FakeTelegram(TOKEN) as fake:
        runtime.settings = settings.model_copy(update={
            "telegram_token": SecretStr(TOKEN), "telegram_api_url": fake.api_root,
            "telegram_lease_s": 5.0})
        dead = TelegramAdapter(DialogueManager(runtime), runtime.settings)
        taken, killed = asyncio.Event(), asyncio.Event()
        answer = dead.manager.respond

        async def dies_mid_answer(message: IncomingMessage) -> AsyncIterator[Reply]:
            if message.text == "/courses":
                taken.set()
                await killed.wait()  # the process is gone: nothing more comes from it
                raise RuntimeError("killed")
            async for reply in answer(message):
                yield reply

        dead.manager.respond = dies_mid_answer  # type: ignore[method-assign]
        stop_dead = asyncio.Event()
        dead_task = asyncio.create_task(dead.run(stop_dead))
        fake.user_message(LEARNER, "/help")
        await fake.wait_for(lambda: fake.bot_messages(LEARNER), 60)
        fake.user_message(LEARNER, "/courses")
        await fake.wait_for(taken.is_set, 60)
        assert dead.app.updater is not None
        await dead.app.updater.stop()  # confirms the update to Telegram, as polling does
        # Dead: it renews no lease and takes nothing up again.
        dead.received.renew = lambda: 0  # type: ignore[method-assign]

        async def nothing() -> int:
            return 0

        dead.handle_lapsed = nothing  # type: ignore[method-assign]
        assert not fake._pending  # Telegram will never send it again

        other = TelegramAdapter(DialogueManager(runtime), runtime.settings)
        stop = asyncio.Event()
        task = asyncio.create_task(other.run(stop))
        await fake.wait_for(lambda: len(fake.bot_messages(LEARNER)) >= 2, 60)
        await asyncio.sleep(4)  # three more checks for lapsed updates: nothing more
        texts = [m.get("text", "") for m in fake.bot_messages(LEARNER)]
        assert len(texts) == 2 and "Commands:" in texts[0] and "workplace-safety" in texts[1]
        with Session(runtime.engine) as session:
            rows = session.exec(select(ReceivedEvent)).all()
        assert len(rows) == 2 and all(r.answered_at and r.payload is None and
                                      r.learner_id is None for r in rows)
        stop.set()
        killed.set()
        stop_dead.set()
        await asyncio.wait_for(asyncio.gather(task, dead_task), 10)


async def test_a_click_too_old_to_answer_gets_its_reply_in_the_chat(
        bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    """A click handled again after a crash can no longer be answered with a toast:
    what the toast would have said comes as a message in the private chat."""
    bot.fake.user_message(LEARNER, BURN)
    answer = await final_answer(bot, LEARNER)

    async def too_old(p: dict) -> bool:
        raise ApiError("query is too old and response timeout expired or query ID is invalid")

    monkeypatch.setitem(bot.fake._methods, "answercallbackquery", too_old)
    up = next(b for row in answer["reply_markup"]["inline_keyboard"] for b in row
              if b["text"] == "👍")
    bot.fake.user_click(LEARNER, answer["message_id"], up["callback_data"])
    said = await bot.fake.wait_for(lambda: bot.texts(LEARNER)[1:])
    assert said == ["Thanks, noted."]
