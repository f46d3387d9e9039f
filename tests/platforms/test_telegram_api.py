"""A real python-telegram-bot Application runs against FakeTelegram over HTTP."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, EndPointNotFound
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from tests.platforms.telegram_api import FakeTelegram

TOKEN = "123456:TEST-token"
USER = 4242
GROUP = -100777


def build_app(fake: FakeTelegram) -> Application:
    return (Application.builder().token(TOKEN)
            .base_url(f"{fake.api_root}/bot").base_file_url(f"{fake.api_root}/file/bot")
            .rate_limiter(AIORateLimiter()).build())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(TOKEN) as server:
        yield server


Runner = Callable[..., Awaitable[Application]]


@pytest.fixture
async def polling(fake: FakeTelegram) -> AsyncIterator[Runner]:
    """Starts a polling Application with the given handlers; shuts it down after the test."""
    apps: list[Application] = []

    async def run(*handlers: object) -> Application:
        app = build_app(fake)
        for handler in handlers:
            app.add_handler(handler)  # type: ignore[arg-type]
        await app.initialize()
        await app.start()
        await app.updater.start_polling(poll_interval=0, timeout=1)
        apps.append(app)
        return app

    yield run
    for app in apps:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.message.reply_text(f"echo: {update.message.text}", do_quote=True)


async def test_text_message_is_answered(fake: FakeTelegram, polling: Runner) -> None:
    await polling(MessageHandler(filters.TEXT, echo))
    fake.user_message(USER, "hello")
    reply = await fake.wait_for(lambda: fake.bot_messages(USER))
    assert reply[0]["text"] == "echo: hello"
    assert reply[0]["reply_to_message"]["text"] == "hello"
    thanks = fake.user_message(USER, "thanks", reply_to_message_id=reply[0]["message_id"])
    assert thanks["message"]["reply_to_message"]["text"] == "echo: hello"
    await fake.wait_for(lambda: len(fake.bot_messages(USER)) == 2)
    methods = [method for method, _ in fake.calls]
    assert methods[:2] == ["getMe", "deleteWebhook"] and "getUpdates" in methods
    assert not fake.unknown_methods


async def test_edit_in_place_and_unchanged_edit_fails(fake: FakeTelegram, polling: Runner) -> None:
    app = await polling()
    fake.user_message(USER, "hi")  # the bot may only write to chats a user opened
    sent = await app.bot.send_message(USER, "thinking…")
    edited = await app.bot.edit_message_text("Answer: 42", chat_id=USER,
                                             message_id=sent.message_id)
    assert edited.text == "Answer: 42" and edited.edit_date is not None
    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await app.bot.edit_message_text("Answer: 42", chat_id=USER, message_id=sent.message_id)
    with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
        await app.bot.edit_message_text("x", chat_id=USER, message_id=999)
    assert fake.edits(USER, sent.message_id) == ["thinking…", "Answer: 42"]
    assert [m["text"] for m in fake.bot_messages(USER)] == ["Answer: 42"]


async def test_html_is_stored_as_entities(fake: FakeTelegram, polling: Runner) -> None:
    app = await polling()
    fake.user_message(USER, "hi")
    sent = await app.bot.send_message(USER, "<b>Burns</b> &amp; scalds", parse_mode="HTML")
    assert sent.text == "Burns & scalds" and sent.entities[0].type == "bold"
    with pytest.raises(BadRequest, match=r"(?i)unsupported start tag"):
        await app.bot.send_message(USER, "line<br>break", parse_mode="HTML")


async def test_button_click_reaches_callback_handler(fake: FakeTelegram, polling: Runner) -> None:
    async def ask(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes"),
                                          InlineKeyboardButton("No", callback_data="no")]])
        await update.message.reply_text("Ready?", reply_markup=keyboard)

    async def clicked(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        await update.callback_query.answer("Noted")
        await update.callback_query.edit_message_text(f"You said {update.callback_query.data}")

    await polling(MessageHandler(filters.TEXT, ask), CallbackQueryHandler(clicked))
    fake.user_message(USER, "quiz me")
    question = (await fake.wait_for(lambda: fake.bot_messages(USER)))[0]
    assert question["reply_markup"]["inline_keyboard"][0][0]["callback_data"] == "yes"
    fake.user_click(USER, question["message_id"], "yes")
    await fake.wait_for(lambda: fake.edits(USER, question["message_id"])[1:])
    assert fake.callback_answers[0]["text"] == "Noted"
    final = fake.bot_messages(USER)[0]
    assert final["text"] == "You said yes" and "reply_markup" not in final
    with pytest.raises(ValueError, match="no button"):
        fake.user_click(USER, question["message_id"], "maybe")


async def test_document_is_downloaded(fake: FakeTelegram, polling: Runner) -> None:
    received: list[bytes] = []

    async def download(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        file = await update.message.document.get_file()
        received.append(bytes(await file.download_as_bytearray()))

    await polling(MessageHandler(filters.Document.ALL, download))
    payload = b"%PDF-1.4 first aid \x00\xff"
    fake.user_document(USER, "first-aid.pdf", payload, caption="please add")
    assert await fake.wait_for(lambda: received) == [payload]
    path = next(params for method, params in fake.calls if method == "getFile")
    assert path["file_id"].startswith("BQ")


async def test_commands_are_stored(fake: FakeTelegram, polling: Runner) -> None:
    app = await polling()
    await app.bot.set_my_commands([("start", "Begin"), ("quiz", "Test yourself")])
    assert fake.commands == [{"command": "start", "description": "Begin"},
                             {"command": "quiz", "description": "Test yourself"}]
    assert [c.command for c in await app.bot.get_my_commands()] == ["start", "quiz"]
    with pytest.raises(BadRequest, match=r"(?i)bot_command_invalid"):
        await app.bot.set_my_commands([("Start", "capitals are refused")])


async def test_group_mention_is_an_entity(fake: FakeTelegram, polling: Runner) -> None:
    await polling(MessageHandler(filters.Entity("mention"), echo))
    fake.user_message(USER, "no mention here", chat_id=GROUP, chat_type="supergroup")
    fake.user_message(USER, "@tutorbot_test_bot what is CPR?", chat_id=GROUP,
                      chat_type="supergroup")
    replies = await fake.wait_for(lambda: fake.bot_messages(GROUP))
    assert [r["text"] for r in replies] == ["echo: @tutorbot_test_bot what is CPR?"]


async def test_unknown_method_wrong_token_and_missing_file(
    fake: FakeTelegram, polling: Runner
) -> None:
    app = await polling()
    with pytest.raises(EndPointNotFound):
        await app.bot.do_api_request("noSuchMethod")
    assert fake.unknown_methods == ["noSuchMethod"]
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{fake.api_root}/bot1:bad/getMe") as response:
            assert response.status == 401
            assert await response.json() == {"ok": False, "error_code": 401,
                                             "description": "Unauthorized"}
        async with http.get(f"{fake.api_root}/file/bot{TOKEN}/documents/nope.pdf") as response:
            assert response.status == 404


async def test_webhook_mode(fake: FakeTelegram) -> None:
    app = build_app(fake)
    app.add_handler(MessageHandler(filters.TEXT, echo))
    port = free_port()
    await app.initialize()
    await app.start()
    await app.updater.start_webhook(listen="127.0.0.1", port=port, url_path="hook",
                                    webhook_url=f"http://127.0.0.1:{port}/hook",
                                    secret_token="s3cret")
    try:
        fake.user_message(USER, "over the hook")
        reply = await fake.wait_for(lambda: fake.bot_messages(USER), timeout=10)
        assert reply[0]["text"] == "echo: over the hook"
        assert ("setWebhook", {"url": f"http://127.0.0.1:{port}/hook", "max_connections": 40,
                               "secret_token": "s3cret"}) in fake.calls
        assert not any(method == "getUpdates" for method, _ in fake.calls)
        assert not fake.webhook_errors
    finally:
        await app.updater.stop()
        await app.stop()
        await app.shutdown()


async def test_wait_for_explains_a_timeout(fake: FakeTelegram) -> None:
    with pytest.raises(TimeoutError, match="stayed falsy"):
        await fake.wait_for(lambda: fake.bot_messages(USER), timeout=0.05)
