"""The real Slack adapter (Bolt AsyncApp over HTTP, signed requests) against the fake
Slack Web API, with the fake models."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest
from pydantic import SecretStr
from sqlmodel import Session, select

import bot.slack as slack_adapter
from bot.slack import SlackAdapter
from knowledge.ingest import ingest
from knowledge.library import course_names, course_summaries
from tests.conftest import SAMPLE_COURSE, add_sample_course
from tests.fakes import FakeGenerator
from tests.platforms.slack_api import FakeSlack
from tests.postgres import free_port
from tests.quiz_race import attempts, count_messages, hold_first_answer, short_quiz
from tutor import dialogue
from tutor.dialogue import DialogueManager
from tutor.errors import PlatformRefused
from tutor.messages import SENT_PRIVATELY, Button, IncomingMessage, Reply, Source
from tutor.received import ReceivedEvents
from tutor.runtime import Runtime
from tutor.settings import Settings
from tutor.tables import AnswerRecord, Feedback, Learner, ReceivedEvent

LEARNER, TRAINER = "U100", "U200"
BURN = "How do I treat a burn with running water?"


@dataclass
class Bot:
    fake: FakeSlack
    url: str
    runtime: Runtime
    adapter: SlackAdapter

    def thread(self, event: dict, channel: str = "D0001") -> list[dict]:
        return [m for m in self.fake.messages(channel) if m["thread_ts"] == event["ts"]]

    async def final(self, event: dict, channel: str = "D0001", count: int = 1) -> dict:
        """The bot's `count`-th reply in the event's thread once it has its blocks."""
        def done() -> dict | None:
            replies = [m for m in self.thread(event, channel) if m.get("blocks")]
            return replies[count - 1] if len(replies) >= count else None
        return await self.fake.wait_for(done)


@pytest.fixture
async def bot(runtime: Runtime, settings: Settings) -> AsyncIterator[Bot]:
    ingest([SAMPLE_COURSE], "workplace-safety", engine=runtime.engine,
           embedder=runtime.embedder, index_store=runtime.index_store, max_bytes=10**8)
    async with FakeSlack() as fake:
        runtime.settings = settings.model_copy(update={
            **fake.settings_update(), "admins": [f"slack:{TRAINER}"],
            "stream_edit_interval_s": 0.2})
        adapter = SlackAdapter(DialogueManager(runtime), runtime.settings)
        stop = asyncio.Event()
        task = asyncio.create_task(adapter.run(stop))
        port = await fake.wait_for(lambda: adapter.port, 10)
        yield Bot(fake, f"http://127.0.0.1:{port}/slack/events", runtime, adapter)
        stop.set()
        await asyncio.wait_for(task, 10)


def text_of(message: dict) -> str:
    """Everything a reader sees: the blocks' texts, sources and buttons included."""
    parts = []
    for block in message["blocks"]:
        if "text" in block:
            parts.append(block["text"]["text"])
        parts += [e["text"] if isinstance(e["text"], str) else e["text"]["text"]
                  for e in block.get("elements", [])]
    return "\n".join(parts)


async def test_dm_question_is_answered_in_thread_with_sources_and_buttons(bot: Bot) -> None:
    event = bot.fake.message_event(LEARNER, BURN)
    assert (await bot.fake.send_event(bot.url, event))[0] == 200
    answer = await bot.final(event)
    shown = text_of(answer)
    assert "first-aid.html" in shown and "👍" in shown and "👎" in shown
    assert len(bot.fake.updates("D0001", answer["ts"])) >= 2  # streamed, then final


async def test_follow_up_in_the_thread_continues_the_conversation(
        bot: Bot, generator: FakeGenerator) -> None:
    first = bot.fake.message_event(LEARNER, BURN)
    await bot.fake.send_event(bot.url, first)
    await bot.final(first)
    follow_up = bot.fake.message_event(LEARNER, "and for how long?", thread_ts=first["ts"])
    await bot.fake.send_event(bot.url, follow_up)
    await bot.final(first, count=2)
    assert "Earlier question: How do I treat a burn" in generator.prompts[-1]


async def test_thumbs_down_is_stored_and_acknowledged_privately(bot: Bot) -> None:
    event = bot.fake.message_event(LEARNER, BURN)
    await bot.fake.send_event(bot.url, event)
    answer = await bot.final(event)
    down = next(e for b in answer["blocks"] if b["type"] == "actions" for e in b["elements"]
                if e["text"]["text"] == "👎")
    status, _ = await bot.fake.send_action(bot.url, LEARNER, down["action_id"], down["value"],
                                           channel="D0001", message_ts=answer["ts"],
                                           thread_ts=event["ts"])
    assert status == 200
    ack = await bot.fake.wait_for(lambda: bot.fake.ephemeral)
    assert "didn't help" in ack[0]["text"] and ack[0]["user"] == LEARNER
    with Session(bot.runtime.engine) as session:
        rating = session.exec(select(Feedback)).one()
        kept = session.exec(select(AnswerRecord)).one()  # for trainers, with its rating
        learner = session.get(Learner, f"slack:{LEARNER}")
    assert rating.learner_id == f"slack:{LEARNER}" and rating.helpful is False
    assert kept.question == BURN and kept.helpful is False and kept.rated_at is not None
    # The event has no profile: users.info gave the name, once.
    assert learner is not None and learner.display_name == f"User {LEARNER}"
    assert [m for m, _ in bot.fake.calls].count("users.info") == 1


async def test_a_name_the_event_carries_costs_no_lookup(bot: Bot) -> None:
    event = bot.fake.message_event("U300", BURN)
    event["user_profile"] = {"display_name": "", "real_name": "Chloé Martin"}
    await bot.fake.send_event(bot.url, event)
    await bot.final(event)
    with Session(bot.runtime.engine) as session:
        learner = session.get(Learner, "slack:U300")
    assert learner is not None and learner.display_name == "Chloé Martin"
    assert "users.info" not in [m for m, _ in bot.fake.calls]


async def test_admin_upload_is_ingested_then_answerable(bot: Bot) -> None:
    file = bot.fake.add_file("ladders.md", b"# Ladders\n\nKeep three points of contact on "
                             b"a zebra ladder.\n", filetype="markdown", user=TRAINER)
    upload = bot.fake.message_event(TRAINER, "course: ladders", files=[file])
    await bot.fake.send_event(bot.url, upload)
    summary = await bot.final(upload)
    assert "Course 'ladders': 1 passages added from 1 file(s)." in text_of(summary)
    question = bot.fake.message_event(TRAINER, "/course ladders")
    await bot.fake.send_event(bot.url, question)
    await bot.final(question)
    ask = bot.fake.message_event(TRAINER, "How many points of contact on a zebra ladder?")
    await bot.fake.send_event(bot.url, ask)
    assert "three points of contact" in text_of(await bot.final(ask))


async def test_non_admin_upload_is_refused_and_never_downloaded(bot: Bot) -> None:
    file = bot.fake.add_file("notes.md", b"# Mine\n\nNotes.\n", user=LEARNER)
    upload = bot.fake.message_event(LEARNER, "mine", files=[file])
    await bot.fake.send_event(bot.url, upload)
    refusal = await bot.final(upload)
    assert "Only trainers can add course material" in text_of(refusal)
    assert bot.fake.downloads == [] and "mine" not in course_names(bot.runtime.engine)


async def test_corrupt_upload_is_reported_and_nothing_lost(bot: Bot) -> None:
    before = course_summaries(bot.runtime.engine)
    file = bot.fake.add_file("fire-safety.pdf", b"%PDF-1.4 broken", filetype="pdf",
                             user=TRAINER)
    upload = bot.fake.message_event(TRAINER, "workplace-safety", files=[file])
    await bot.fake.send_event(bot.url, upload)
    report = text_of(await bot.final(upload))
    assert "fire-safety.pdf: could not be read as PDF" in report
    assert course_summaries(bot.runtime.engine) == before


async def test_bad_signature_is_rejected(bot: Bot) -> None:
    event = bot.fake.message_event(LEARNER, BURN)
    status, _ = await bot.fake.send_event(bot.url, event, bad_signature=True)
    assert status == 401
    await asyncio.sleep(0.3)
    assert bot.fake.messages("D0001") == []


async def test_duplicate_delivery_is_answered_once(bot: Bot) -> None:
    event = bot.fake.message_event(LEARNER, BURN)
    await bot.fake.send_event(bot.url, event, event_id="Ev1")
    # Still being answered: not acknowledged, so Slack would retry later.
    assert (await bot.fake.send_event(bot.url, event, event_id="Ev1", retry_num=1))[0] == 503
    await bot.final(event)
    await asyncio.sleep(0.5)
    assert (await bot.fake.send_event(bot.url, event, event_id="Ev1", retry_num=2))[0] == 200
    await asyncio.sleep(0.5)
    assert len(bot.thread(event)) == 1


async def test_an_event_redelivered_to_another_worker_is_answered_once(bot: Bot) -> None:
    """A second worker on the same database (behind the same Request URL) takes the
    redelivery: it acknowledges it and answers nothing."""
    other = SlackAdapter(DialogueManager(bot.runtime), bot.runtime.settings.model_copy(
        update={"slack_port": 0}))
    stop = asyncio.Event()
    task = asyncio.create_task(other.run(stop))
    port = await bot.fake.wait_for(lambda: other.port, 10)
    event = bot.fake.message_event(LEARNER, BURN)
    await bot.fake.send_event(bot.url, event, event_id="Ev7")
    status, _ = await bot.fake.send_event(f"http://127.0.0.1:{port}/slack/events", event,
                                          event_id="Ev7", retry_num=1)
    await bot.final(event)
    await asyncio.sleep(0.5)
    stop.set()
    await asyncio.wait_for(task, 10)
    assert status == 503 and len(bot.thread(event)) == 1  # held by the first worker


async def test_mention_in_a_channel_is_answered_in_its_thread(bot: Bot) -> None:
    event = bot.fake.mention_event(LEARNER, BURN)
    await bot.fake.send_event(bot.url, event)
    assert "first-aid.html" in text_of(await bot.final(event, channel="C0001"))
    chatter = bot.fake.message_event(LEARNER, BURN, channel="C0001", channel_type="channel")
    await bot.fake.send_event(bot.url, chatter)
    await asyncio.sleep(0.3)
    assert bot.thread(chatter, "C0001") == []  # channel messages need a mention


async def test_slash_command_and_app_home(bot: Bot) -> None:
    status, _ = await bot.fake.send_command(bot.url, "/tutor", "courses", LEARNER)
    assert status == 200
    response = await bot.fake.wait_for(lambda: bot.fake.responses)
    assert "workplace-safety" in str(response[0])
    await bot.fake.send_event(bot.url, bot.fake.app_home_opened_event(LEARNER))
    home = await bot.fake.wait_for(lambda: bot.fake.views.get(LEARNER))
    assert "Your course: *workplace-safety*" in str(home)


async def test_socket_mode_receives_over_the_websocket_and_acknowledges(
        runtime: Runtime, settings: Settings) -> None:
    ingest([SAMPLE_COURSE], "workplace-safety", engine=runtime.engine,
           embedder=runtime.embedder, index_store=runtime.index_store, max_bytes=10**8)
    async with FakeSlack() as fake:
        runtime.settings = settings.model_copy(update={
            "slack_bot_token": SecretStr(fake.bot_token), "slack_api_url": fake.api_url,
            "slack_app_token": SecretStr(fake.app_token)})  # no signing secret needed
        stop = asyncio.Event()
        task = asyncio.create_task(SlackAdapter(DialogueManager(runtime),
                                                runtime.settings).run(stop))
        event = fake.message_event(LEARNER, BURN)
        envelope = await fake.send_socket_event(event)
        answer = await fake.wait_for(
            lambda: next((m for m in fake.messages("D0001") if m.get("blocks")), None))
        stop.set()
        await asyncio.wait_for(task, 10)
    assert envelope in fake.socket_acks
    assert answer["thread_ts"] == event["ts"] and "first-aid.html" in text_of(answer)
    assert ("apps.connections.open" in [method for method, _ in fake.calls])


def everything_posted(fake: FakeSlack) -> str:
    """Every text and block the bot sent: messages, edits, ephemerals, responses."""
    sent = [params for method, params in fake.calls
            if method in ("chat.postMessage", "chat.update", "chat.postEphemeral")]
    return repr(sent + fake.responses)


async def test_markup_from_material_and_learners_shows_as_text(bot: Bot) -> None:
    material = (b"# Alarm drill <!everyone>\n\nWhen the zebra alarm sounds, tell <!channel> "
                b"and <@U999> to leave by <https://evil.example|the east stair>; never use "
                b"the lift.\n")
    file = bot.fake.add_file("drill.md", material, filetype="markdown", user=TRAINER)
    upload = bot.fake.message_event(TRAINER, "course: drill", files=[file])
    await bot.fake.send_event(bot.url, upload)
    await bot.final(upload)
    switch = bot.fake.message_event(TRAINER, "/course drill")
    await bot.fake.send_event(bot.url, switch)
    await bot.final(switch)
    ask = bot.fake.message_event(TRAINER, "What do I do when the zebra alarm sounds <!here>?")
    await bot.fake.send_event(bot.url, ask)
    answer = text_of(await bot.final(ask))
    assert "&lt;!channel&gt;" in answer and "&lt;https://evil.example|the east stair&gt;" in answer
    await bot.fake.send_command(bot.url, "/tutor", "<!channel> /frobnicate <@U999>", TRAINER)
    await bot.fake.wait_for(lambda: bot.fake.responses)
    assert "<" not in everything_posted(bot.fake)  # the tutor writes no Slack markup at all


async def test_a_long_reply_comes_whole_in_several_messages(
        bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    text = "\n\n".join(f"Step {n}: check the <valve> & gauge {n}. " * 20 for n in range(300))
    reply = Reply(text, sources=(Source(1, "plant.md", "Valves", "…", 0.9),),
                  buttons=(Button("👍", "feedback:up:1"), Button("👎", "feedback:down:1")))

    async def respond(_: IncomingMessage) -> AsyncIterator[Reply]:
        yield reply
    monkeypatch.setattr(bot.adapter.manager, "respond", respond)
    event = bot.fake.message_event(LEARNER, "everything please")
    await bot.fake.send_event(bot.url, event)
    last = await bot.fake.wait_for(lambda: next(
        (m for m in bot.thread(event) if any(b["type"] == "actions" for b in m["blocks"])), None))
    thread = bot.thread(event)  # the stand-in refuses over 50 blocks or 3,000 a section
    assert len(thread) >= 2 and thread[-1] == last
    shown = "\n\n".join(text_of(m) for m in thread)
    for n in range(300):
        assert shown.count(f"Step {n}: check the &lt;valve&gt; &amp; gauge {n}.") == 20


async def test_a_long_mydata_arrives_as_a_file(bot: Bot, monkeypatch: pytest.MonkeyPatch
                                               ) -> None:
    monkeypatch.setattr(dialogue, "MYDATA_IN_MESSAGE", 10)
    asked = bot.fake.message_event(LEARNER, BURN)
    await bot.fake.send_event(bot.url, asked)
    await bot.final(asked)
    event = bot.fake.message_event(LEARNER, "mydata")
    await bot.fake.send_event(bot.url, event)
    shared = await bot.fake.wait_for(lambda: bot.fake.shared_files)
    assert shared[0]["name"] == "mydata.json" and shared[0]["thread_ts"] == event["ts"]
    assert json.loads(shared[0]["data"])["turns"][0]["question"] == BURN


async def test_an_unreachable_slack_is_retried_then_served(
        runtime: Runtime, settings: Settings, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(slack_adapter, "FIRST_RETRY_S", 0.2)
    add_sample_course(runtime)
    fake = FakeSlack(port=free_port())  # not started yet: nothing listens
    runtime.settings = settings.model_copy(update=fake.settings_update())
    adapter = SlackAdapter(DialogueManager(runtime), runtime.settings)
    stop = asyncio.Event()
    task = asyncio.create_task(adapter.run(stop))
    lines = lambda: [r for r in caplog.records  # noqa: E731
                     if "Slack API not reachable" in r.getMessage()]
    await asyncio.wait_for(_until(lambda: len(lines()) >= 2), 10)
    async with fake:
        port = await fake.wait_for(lambda: adapter.port, 10)
        event = fake.message_event(LEARNER, "help")
        await fake.send_event(f"http://127.0.0.1:{port}/slack/events", event)
        reply = await fake.wait_for(lambda: fake.messages("D0001"), 20)
        stop.set()
        await asyncio.wait_for(task, 10)
    assert "Commands:" in str(reply[0]["blocks"])
    assert lines()[0].exc_info is None and "retrying in" in lines()[0].getMessage()


async def test_a_rejected_token_stops_with_one_line_naming_the_setting(
        runtime: Runtime, settings: Settings) -> None:
    async with FakeSlack() as fake:
        wrong = settings.model_copy(update={**fake.settings_update(),
                                            "slack_bot_token": SecretStr("xoxb-wrong-one")})
        adapter = SlackAdapter(DialogueManager(runtime), wrong)
        with pytest.raises(PlatformRefused, match="TUTORBOT_SLACK_BOT_TOKEN") as refused:
            await asyncio.wait_for(adapter.run(asyncio.Event()), 10)
    assert "xoxb-wrong-one" not in str(refused.value) and "invalid_auth" in str(refused.value)


async def _until(condition: Callable[[], object]) -> None:
    while not condition():
        await asyncio.sleep(0.05)


async def test_a_slack_outage_mid_answer_loses_no_reply(bot: Bot,
                                                        generator: FakeGenerator) -> None:
    generator.delay_s = 0.1  # the explanation takes a few seconds
    event = bot.fake.message_event(LEARNER, BURN)
    await bot.fake.send_event(bot.url, event)
    await bot.fake.wait_for(lambda: bot.thread(event))  # the first draft is up
    await bot.fake.stop()
    await asyncio.sleep(4)  # the answer ends meanwhile: its final edit cannot connect
    await bot.fake.start()
    answer = await bot.final(event)
    assert "first-aid.html" in text_of(answer) and len(bot.thread(event)) == 1


async def test_two_quiz_answers_at_once_are_graded_in_order(bot: Bot) -> None:
    """The second answer arrives while the first is being graded: it waits, and
    answers the next question; each question is shown once."""
    run, questions = short_quiz(bot.runtime, f"slack:{LEARNER}")
    held = hold_first_answer(bot.adapter.manager)
    counted = count_messages(bot.adapter.manager)
    await bot.fake.send_event(bot.url, bot.fake.message_event(LEARNER, questions[0].answer))
    await bot.fake.wait_for(held.entered.is_set)
    await bot.fake.send_event(bot.url, bot.fake.message_event(LEARNER, questions[1].answer))
    await bot.fake.wait_for(lambda: counted[0] == 2)
    await asyncio.sleep(0.3)  # time to overtake the first, were it not waiting
    held.release()

    def shown(text: str) -> int:
        return sum(text in json.dumps(m, ensure_ascii=False) for m in bot.fake.messages("D0001"))
    await bot.fake.wait_for(lambda: shown("Question 3 of 3"))
    await asyncio.sleep(0.5)
    assert attempts(bot.runtime, run) == [(questions[0].id, questions[0].answer),
                                          (questions[1].id, questions[1].answer)]
    assert shown("Question 2 of 3") == shown("Question 3 of 3") == 1


async def test_personal_commands_in_a_channel_go_to_a_dm(
        bot: Bot, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(dialogue, "MYDATA_IN_MESSAGE", 10)  # /mydata as a file, too
    asked = bot.fake.message_event(LEARNER, BURN)
    await bot.fake.send_event(bot.url, asked)
    await bot.final(asked)
    mentions = [bot.fake.mention_event(LEARNER, command)
                for command in ("mydata", "progress", "path", "remind")]
    for mention in mentions:
        await bot.fake.send_event(bot.url, mention)
    for mention in mentions:
        note = await bot.final(mention, channel="C0001")
        assert text_of(note) == SENT_PRIVATELY
    dm = bot.fake.im_channel(LEARNER)
    shared = await bot.fake.wait_for(lambda: bot.fake.shared_files)
    await asyncio.sleep(0.3)  # time for anything more to reach the channel, if it were coming
    assert [f["channel"] for f in shared] == [dm]
    assert json.loads(shared[0]["data"])["turns"][0]["question"] == BURN
    in_channel = [params for _, params in bot.fake.calls
                  if "C0001" in (params.get("channel"), params.get("channel_id"))]
    assert len(in_channel) == 4 and "burn" not in repr(in_channel).lower()
    assert bot.fake.ephemeral == []
    shown = "\n".join(text_of(m) for m in bot.fake.messages(dm))
    assert "as a file" in shown and "Reminders are off" in shown


async def test_a_dm_question_shows_the_quote_first_then_updates_it(
        bot: Bot, generator: FakeGenerator) -> None:
    generator.delay_s = 0.05  # the explanation takes a second: the quote must not wait for it
    event = bot.fake.message_event(LEARNER, BURN)
    await bot.fake.send_event(bot.url, event)
    answer = await bot.final(event)
    calls = [(method, params) for method, params in bot.fake.calls
             if method.startswith("chat.")]
    (first, posted), *later = calls
    assert first == "chat.postMessage" and posted["text"].startswith("&gt; Cool the burn")
    assert "first-aid.html" in posted["text"] and not posted.get("blocks")  # cited draft
    assert later and all(method == "chat.update" and params["ts"] == answer["ts"]
                         for method, params in later)
    assert len(bot.fake.updates("D0001", answer["ts"])) == len(calls)


async def test_a_slash_command_question_shows_the_quote_then_replaces_it(
        bot: Bot, generator: FakeGenerator) -> None:
    generator.delay_s = 0.05
    await bot.fake.send_command(bot.url, "/tutor", BURN, LEARNER, channel="C0001")
    await bot.fake.wait_for(lambda: any(r.get("blocks") for r in bot.fake.responses))
    quote, answer = bot.fake.response_posts
    assert quote["text"].startswith("&gt; Cool the burn") and "first-aid.html" in quote["text"]
    assert answer["replace_original"] and "first-aid.html" in text_of(answer)
    assert all(r["response_type"] == "ephemeral" for r in bot.fake.response_posts)
    assert bot.fake.responses == [answer]


async def test_a_request_whose_worker_died_unanswered_is_answered_once_by_another(
        runtime: Runtime, settings: Settings) -> None:
    """Bolt acknowledges an event or a slash command before its listener runs, and
    Slack never sends it again: the DM question and the command a worker took and
    never answered (it died) are answered by another once their lease lapsed, once;
    one answered before is not answered again, and no text is kept after."""
    ingest([SAMPLE_COURSE], "workplace-safety", engine=runtime.engine,
           embedder=runtime.embedder, index_store=runtime.index_store, max_bytes=10**8)
    async with FakeSlack() as fake:
        runtime.settings = settings.model_copy(update=fake.settings_update())
        dead = SlackAdapter(DialogueManager(runtime), runtime.settings)
        dead.received = ReceivedEvents(runtime.engine, "slack", lease_s=5.0)
        held: list[str] = []
        killed = asyncio.Event()
        answer = dead.manager.respond

        async def dies_mid_answer(message: IncomingMessage) -> AsyncIterator[Reply]:
            if message.text in (BURN, "/courses"):
                held.append(message.text)
                await killed.wait()  # the process is gone: nothing more comes from it
                raise asyncio.CancelledError
            async for reply in answer(message):
                yield reply

        dead.manager.respond = dies_mid_answer  # type: ignore[method-assign]
        stop_dead = asyncio.Event()
        dead_task = asyncio.create_task(dead.run(stop_dead))
        url = f"http://127.0.0.1:{await fake.wait_for(lambda: dead.port, 60)}/slack/events"
        helped = fake.message_event(LEARNER, "help")
        await fake.send_event(url, helped)
        await fake.wait_for(lambda: [m for m in fake.messages("D0001") if m.get("blocks")])
        question = fake.message_event(LEARNER, BURN)
        assert (await fake.send_event(url, question))[0] == 200  # Slack will not resend it
        assert (await fake.send_command(url, "/tutor", "courses", LEARNER))[0] == 200
        await fake.wait_for(lambda: len(held) == 2, 60)
        with Session(runtime.engine) as session:  # the learner's, for /mydata and /forget
            pending = [r for r in session.exec(select(ReceivedEvent)) if r.payload]
        assert [r.learner_id for r in pending] == [f"slack:{LEARNER}"] * 2
        stop_dead.set()
        await asyncio.wait_for(dead_task, 10)  # its listeners hang, never to answer

        other = SlackAdapter(DialogueManager(runtime), runtime.settings)
        other.received = ReceivedEvents(runtime.engine, "slack", lease_s=5.0)
        stop = asyncio.Event()
        task = asyncio.create_task(other.run(stop))
        answered = await fake.wait_for(lambda: next(
            (m for m in fake.messages("D0001")
             if m["thread_ts"] == question["ts"] and m.get("blocks")), None), 60)
        await fake.wait_for(lambda: fake.responses, 30)
        await asyncio.sleep(4)  # three more checks for lapsed requests: nothing more
        threads = [m["thread_ts"] for m in fake.messages("D0001")]
        assert threads == [helped["ts"], question["ts"]]  # each answered once
        assert "first-aid.html" in text_of(answered)
        assert len(fake.response_posts) == 1
        assert "workplace-safety" in str(fake.response_posts[0])
        with Session(runtime.engine) as session:
            rows = session.exec(select(ReceivedEvent)).all()
        assert len(rows) == 3 and all(r.answered_at and r.payload is None and
                                      r.learner_id is None for r in rows)
        stop.set()
        killed.set()
        await asyncio.wait_for(task, 10)
