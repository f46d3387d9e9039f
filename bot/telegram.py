"""The Telegram adapter (python-telegram-bot): updates in, `Reply` streams out.

Translation only: an update becomes one `IncomingMessage`; each `Reply` becomes a
message that is edited in place while the answer streams, with sources and an
inline keyboard at the end. What to say is decided in tutor/.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from functools import partial
from typing import TypeVar
from urllib.parse import urlparse

import httpx
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatType, ParseMode
from telegram.error import (
    BadRequest,
    Conflict,
    Forbidden,
    InvalidToken,
    NetworkError,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.long_replies import split_text
from tutor.dialogue import DialogueManager
from tutor.errors import PlatformRefused, TutorError
from tutor.messages import (
    SENT_PRIVATELY,
    Attachment,
    Button,
    IncomingMessage,
    Reply,
    Source,
    open_a_private_chat,
    paced,
)
from tutor.received import ReceivedEvents, Taken, handle_lapsed_regularly, keep_leases
from tutor.reminders import MaybeDelivered, Unreachable
from tutor.settings import Settings

log = logging.getLogger(__name__)
MAX_TEXT = 4096  # Telegram's limit for one message
MAX_CAPTION = 1024  # and for a photo's or document's caption
MAX_BUTTON_DATA = 64  # bytes of a button's callback data
MAX_LABEL, MAX_SOURCES = 200, 10  # a message's sources fit beside its text
FIRST_RETRY_S, MAX_RETRY_S = 2, 60  # backoff while the Bot API cannot be reached at start
OUTAGE_LOG_S = 60  # while polling fails: a log line a minute
CONNECT_RETRIES_S = (1, 2, 4, 8, 16)  # a send that could not connect, tried again
T = TypeVar("T")
CLOUD_API = "https://api.telegram.org"
CLOUD_DOWNLOAD_LIMIT = 20 * 1024 * 1024  # what the cloud Bot API lets a bot download
COMMANDS = [
    ("start", "What I am, what I store, pick a course"),
    ("help", "How to use me"),
    ("course", "Show or switch your course"),
    ("courses", "List the courses"),
    ("quiz", "A quiz on a topic, or on your next step"),
    ("stop", "Pause the quiz"),
    ("progress", "Your mastery of each skill"),
    ("next", "The best thing to study now, and why"),
    ("path", "Your next five steps"),
    ("read", "The course material on a skill"),
    ("remind", "Review reminders: /remind on or off"),
    ("coach", "Guiding questions and hints instead of answers"),
    ("mydata", "See what I store about you"),
    ("forget", "Delete what I store about you"),
]


def learner_id(user_id: int) -> str:
    return f"telegram:{user_id}"


class TelegramAdapter:
    platform = "telegram"

    def __init__(self, manager: DialogueManager, settings: Settings) -> None:
        if settings.telegram_token is None:
            raise ValueError("TUTORBOT_TELEGRAM_TOKEN is not set")
        if settings.telegram_webhook_url and settings.telegram_webhook_secret is None:
            raise ValueError("webhook mode needs TUTORBOT_TELEGRAM_WEBHOOK_SECRET: without it "
                             "anyone who reaches the port could post updates as any learner")
        self.manager = manager
        self.settings = settings
        # Update ids count per bot: two bots on one database must not skip each other's.
        bot_id = settings.telegram_token.get_secret_value().split(":")[0]
        self.received = ReceivedEvents(manager.runtime.engine, f"{self.platform}:{bot_id}",
                                       settings.telegram_lease_s)
        self._replayed: dict[int, datetime] = {}  # update id: when it was first received
        root = settings.telegram_api_url.rstrip("/")
        self.app = (
            Application.builder()
            .token(settings.telegram_token.get_secret_value())
            .base_url(f"{root}/bot")
            .base_file_url(f"{root}/file/bot")
            .rate_limiter(AIORateLimiter(max_retries=3))  # flood control: wait, retry
            .concurrent_updates(True)  # learners must not wait for each other's answers
            .update_queue(TakenUpdates(self.received))
            .build()
        )
        self.app.add_handler(TypeHandler(Update, self._note_reachable), group=-1)
        self.app.add_handler(CallbackQueryHandler(self._on_button))
        self.app.add_handler(MessageHandler(
            (filters.TEXT | filters.Document.ALL) & ~filters.UpdateType.EDITED, self._on_message))
        self.app.add_handler(TypeHandler(Update, self._answered), group=1)
        self.app.add_error_handler(self._on_error)
        self._unreachable_since: float | None = None  # polling has failed since then
        self._last_outage_log = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set: webhook if a URL is configured, else long polling.
        While the Bot API cannot be reached it retries with backoff; a rejected token
        raises PlatformRefused."""
        try:
            if not await self._connect(stop):
                return  # stopped before Telegram could be reached
            await self.app.start()
            assert self.app.updater is not None
            if webhook_url := self.settings.telegram_webhook_url:
                secret = self.settings.telegram_webhook_secret
                await self.app.updater.start_webhook(
                    listen=self.settings.telegram_webhook_listen,
                    port=self.settings.telegram_webhook_port,
                    # Listen on the public URL's path, so a proxy can pass requests unchanged.
                    url_path=urlparse(webhook_url).path.strip("/"), webhook_url=webhook_url,
                    secret_token=secret.get_secret_value() if secret else None,
                    allowed_updates=["message", "callback_query"], bootstrap_retries=-1,
                )
            else:
                await self.app.updater.start_polling(
                    allowed_updates=["message", "callback_query"], bootstrap_retries=-1,
                    error_callback=self._polling_failed)
            log.info("Telegram bot @%s is running", self.app.bot.username)
            lapsed = asyncio.create_task(
                handle_lapsed_regularly(self.received, self.handle_lapsed, stop))
            leases = asyncio.create_task(keep_leases(self.received, stop))
            await stop.wait()
            await asyncio.gather(lapsed, leases)
        finally:
            if self.app.updater is not None and self.app.updater.running:
                await self.app.updater.stop()
            if self.app.running:
                await self.app.stop()
            await self.app.shutdown()

    async def _connect(self, stop: asyncio.Event) -> bool:
        """Sign in (getMe) and register the commands, retrying with backoff while the
        Bot API cannot be reached; False if `stop` came first."""
        delay = FIRST_RETRY_S
        while not stop.is_set():
            try:
                await self.app.initialize()
                await self.app.bot.set_my_commands(
                    [BotCommand(name, text) for name, text in COMMANDS])
                return True
            except InvalidToken:
                raise PlatformRefused(
                    "Telegram rejected TUTORBOT_TELEGRAM_TOKEN: check the token BotFather "
                    "gave you.") from None
            except NetworkError as error:
                log.warning("Telegram API not reachable at %s (%s); retrying in %d s",
                            self.settings.telegram_api_url, error, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, MAX_RETRY_S)
        return False

    def _polling_failed(self, error: TelegramError) -> None:
        """One line when polling starts failing, and then one a minute while it does
        (PTB retries with backoff up to 30 s); catching up comes with the next poll."""
        now = time.monotonic()
        if self._unreachable_since is None or now - self._last_outage_log >= OUTAGE_LOG_S:
            if isinstance(error, Conflict):
                log.warning("another process is polling this bot's updates (%s): run one "
                            "process per token, or use webhook mode", error)
            else:
                log.warning("Telegram API not reachable at %s (%s); retrying with backoff",
                            self.settings.telegram_api_url, error)
            self._last_outage_log = now
        self._unreachable_since = self._unreachable_since or now

    async def _note_reachable(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        if self._unreachable_since is not None:
            log.warning("Telegram API reachable again after %.0f s; catching up",
                        time.monotonic() - self._unreachable_since)
            self._unreachable_since = None

    async def _answered(self, update: Update, _: ContextTypes.DEFAULT_TYPE) -> None:
        """After its handler is done (replied, found nothing to answer, or failed and
        logged): a resend of the update, or a replay, is not answered again."""
        self._replayed.pop(update.update_id, None)
        await asyncio.to_thread(self.received.answered, str(update.update_id))

    async def handle_lapsed(self) -> int:
        """Queue the updates a dead worker took and never answered (their lease lapsed):
        the queue takes each again, so one worker handles it. Returns how many."""
        lapsed = await asyncio.to_thread(self.received.lapsed)
        for payload, received_at in lapsed:
            update = Update.de_json(json.loads(payload), self.app.bot)
            self._replayed[update.update_id] = received_at
            await self.app.update_queue.put(update)
        return len(lapsed)

    async def send_direct(self, user_id: str, reply: Reply) -> None:
        """A message the learner did not ask for (a review nudge), in their private chat."""
        try:
            await send_pieces(partial(self.app.bot.send_message, int(user_id)), reply)
        except Forbidden as error:  # blocked the bot, or never started it
            raise Unreachable(str(error)) from error
        except BadRequest as error:
            if "chat not found" in str(error).lower():  # the account is gone
                raise Unreachable(str(error)) from error
            raise
        except TimedOut as error:  # it may have arrived: never risk a second one
            raise MaybeDelivered(str(error)) from error

    # ---- updates in ------------------------------------------------------------------

    async def _on_message(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or user.is_bot:
            return
        text = message.text or message.caption or ""
        if message.chat.type != ChatType.PRIVATE:
            text = self._addressed_text(message, text)
            if text is None:
                return  # group chatter not meant for the tutor
        files = ()
        if message.document is not None:
            document = message.document
            files = (Attachment(document.file_name or "upload", document.file_size,
                                lambda: self._download(document.file_id, document.file_size)),)
        incoming = IncomingMessage(
            learner_id(user.id), text, files=files,
            conversation="" if message.chat.type == ChatType.PRIVATE else str(message.chat.id),
            group=message.chat.type != ChatType.PRIVATE,
            first_received=self._replayed.get(update.update_id), name=user.full_name,
        )
        await StreamedReply(message, self.settings.stream_edit_interval_s).show(
            self.manager.respond(incoming))

    def _addressed_text(self, message: Message, text: str) -> str | None:
        """In a group: the text without the @mention if the bot was mentioned, replied
        to, or sent a command meant for it; otherwise None."""
        username = f"@{self.app.bot.username}"
        if text.startswith("/"):
            command = text.split()[0]
            return text if "@" not in command or command.endswith(username) else None
        mentioned = any(
            entity.type == MessageEntity.MENTION
            and message.parse_entity(entity).lower() == username.lower()
            for entity in message.entities or message.caption_entities or ()
        )
        replied = (message.reply_to_message is not None
                   and message.reply_to_message.from_user is not None
                   and message.reply_to_message.from_user.id == self.app.bot.id)
        if not (mentioned or replied):
            return None
        return " ".join(text.replace(username, " ").split())

    async def _download(self, file_id: str, size: int | None) -> bytes:
        cloud = self.settings.telegram_api_url.rstrip("/") == CLOUD_API
        if cloud and size is not None and size > CLOUD_DOWNLOAD_LIMIT:
            raise TutorError("Telegram lets bots download files of up to 20 MB only. Add this "
                             "one with `tutorbot ingest`, or run a local Bot API server.")
        file = await self.app.bot.get_file(file_id)
        return bytes(await file.download_as_bytearray())

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None or query.data is None:
            return
        incoming = IncomingMessage(learner_id(query.from_user.id), "", button=query.data,
                                   first_received=self._replayed.get(update.update_id),
                                   name=query.from_user.full_name)
        toast = ""
        replies = []
        async for reply in self.manager.respond(incoming):
            if reply.ephemeral or reply.error:
                toast = reply.text
            elif not reply.draft:
                replies.append(reply)
        try:
            await query.answer(toast[:200] or None)
        except BadRequest as error:  # too old to answer: a click handled again after a crash
            log.info("a button click could not be answered (%s)", error)
            if (toast and isinstance(query.message, Message)
                    and query.message.chat.type == ChatType.PRIVATE):
                replies.insert(0, Reply(toast))  # said in the chat instead, privately still
        if isinstance(query.message, Message):
            for reply in replies:
                await send_pieces(query.message.reply_text, reply)
                await send_attachments(query.get_bot(), query.message.chat_id, reply)

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("Telegram update failed", exc_info=context.error)


class TakenUpdates(asyncio.Queue):
    """The application's update queue. An update is taken (tutor/received.py) with its
    JSON before it is queued, so before polling confirms it to Telegram or a webhook
    answers 200: a worker killed after that leaves it for another to handle. One that
    another worker holds or answered is dropped."""

    def __init__(self, received: ReceivedEvents) -> None:
        super().__init__()
        self.received = received

    async def put(self, item: object) -> None:
        if isinstance(item, Update) and not await self._take(item):
            return
        await super().put(item)

    async def _take(self, update: Update) -> bool:
        user = update.effective_user
        try:
            taken = await asyncio.to_thread(
                self.received.take, str(update.update_id), json.dumps(update.to_dict()),
                learner_id(user.id) if user else None)
        except Exception:  # polling must go on: answered, at worst, without a lease
            log.exception("could not store update %s; handling it anyway", update.update_id)
            return True
        return taken is Taken.NOW


class StreamedReply:
    """Shows a stream of replies in one chat: drafts edit the same message (paced to
    one edit per `interval_s`), the final reply edits it a last time."""

    def __init__(self, asked: Message, interval_s: float) -> None:
        self.asked = asked
        self.interval_s = interval_s
        self.shown: Message | None = None
        self.shown_text = ""
        self.notes: set[str] = set()  # what the group was told instead of a private reply

    async def show(self, replies: AsyncIterator[Reply]) -> None:
        async for reply in paced(replies, self.interval_s):
            if reply.draft:  # checked text only: the quote (cited), then sentences that passed
                await self._put(draft_html(reply), None, html_text=True)
                continue
            if reply.private:
                reply = await self._privately(reply)
                if reply.text in self.notes:  # a message's several private replies: one note
                    continue
                self.notes.add(reply.text)
            pieces = message_pieces(reply)
            for number, piece in enumerate(pieces, 1):
                await self._put(piece, keyboard(reply.buttons) if number == len(pieces) else None,
                                html_text=True)
                self.shown = None  # a further piece or reply is a new message
            await send_attachments(self.asked.get_bot(), self.asked.chat_id, reply)

    async def _privately(self, reply: Reply) -> Reply:
        """`reply` sent in the learner's private chat; what the group is shown instead:
        that it was sent, or a link that opens the private chat where none is open (a
        bot cannot start one: Telegram answers Forbidden)."""
        bot, user = self.asked.get_bot(), self.asked.from_user
        assert user is not None  # _on_message answers users only
        try:
            await send_pieces(partial(bot.send_message, user.id), reply)
        except Forbidden:
            command = re.match(r"/(\w{1,32})", self.asked.text or self.asked.caption or "")
            link = f"https://t.me/{bot.username}?start={command.group(1) if command else ''}"
            return Reply(open_a_private_chat(link))
        await send_attachments(bot, user.id, reply)
        return Reply(SENT_PRIVATELY)

    async def _put(self, text: str, markup: InlineKeyboardMarkup | None, *,
                   html_text: bool = False) -> None:
        mode = ParseMode.HTML if html_text else None
        try:
            if self.shown is None:
                self.shown = await once_connected(partial(
                    self.asked.reply_text, text, parse_mode=mode, reply_markup=markup))
            elif text != self.shown_text or markup is not None:
                await once_connected(partial(self.shown.edit_text, text, parse_mode=mode,
                                             reply_markup=markup))
        except BadRequest as error:
            if "not modified" not in str(error).lower():
                raise
        except TelegramError:
            log.warning("could not show a reply in chat %s", self.asked.chat_id, exc_info=True)
            return
        self.shown_text = text


async def send_pieces(send: Callable[..., Awaitable[Message]], reply: Reply) -> None:
    """A final reply as new messages (`send` is reply_text or a bound send_message),
    its buttons under the last."""
    pieces = message_pieces(reply)
    for number, piece in enumerate(pieces, 1):
        await once_connected(partial(
            send, piece, parse_mode=ParseMode.HTML,
            reply_markup=keyboard(reply.buttons) if number == len(pieces) else None))


async def once_connected(call: Callable[[], Awaitable[T]]) -> T:
    """`call`, made again after a pause while the Bot API refuses connections (1, 2,
    4, 8, 16 s): a request that could not connect never arrived, so it cannot arrive
    twice. One cut off after it was sent is not repeated."""
    for pause in CONNECT_RETRIES_S:
        try:
            return await call()
        except NetworkError as error:
            if not isinstance(error.__cause__, httpx.ConnectError):
                raise
            await asyncio.sleep(pause)
    return await call()


async def send_attachments(bot: Bot, chat_id: int, reply: Reply) -> None:
    """A reply's picture (the /progress chart) as a photo and its file (a long /mydata)
    as a document, after its text."""
    sends = []
    if reply.image is not None:
        sends.append(partial(bot.send_photo, chat_id, reply.image.data,
                             caption=caption(reply.image.alt), filename=reply.image.name))
    if reply.file is not None:
        sends.append(partial(bot.send_document, chat_id, reply.file.data,
                             filename=reply.file.name, caption=caption(reply.file.caption)))
    for send in sends:  # a picture that fails does not keep the file back
        try:
            await once_connected(send)
        except TelegramError:
            log.warning("could not send an attachment in chat %s", chat_id, exc_info=True)


def caption(text: str) -> str:
    """Text cut to Telegram's 1,024 UTF-16 units for a caption."""
    return text if utf16_len(text) <= MAX_CAPTION else split_text(text, MAX_CAPTION - 2,
                                                                  utf16_len)[0] + " …"


def message_pieces(reply: Reply) -> list[str]:
    """A final reply as Telegram HTML messages: the text in as many as it needs (the
    limit counts UTF-16 units of the text as shown, tags aside), then a notice and
    the sources, in the last one if they fit."""
    footer, footer_shown = [], []
    if reply.notice:
        footer.append(f"<i>⚠ {html.escape(reply.notice)}</i>")
        footer_shown.append(f"⚠ {reply.notice}")
    if reply.sources:
        lines = [f"[{s.number}] {short_label(s)}" for s in reply.sources[:MAX_SOURCES]]
        footer.append("<b>Sources</b>\n" + html.escape("\n".join(lines)))
        footer_shown.append("Sources\n" + "\n".join(lines))
    texts = split_text(reply.text, MAX_TEXT, utf16_len) if reply.text.strip() else []
    pieces = [quotes_as_blockquotes(html.escape(text)) for text in texts]
    if footer:
        shown = "\n\n".join(footer_shown)
        if texts and utf16_len(f"{texts[-1]}\n\n{shown}") <= MAX_TEXT:
            pieces[-1] += "\n\n" + "\n\n".join(footer)
        else:
            pieces.append("\n\n".join(footer))
    return pieces or ["…"]


def format_reply(reply: Reply) -> str:
    """A final reply as one Telegram HTML text (what its messages show, together)."""
    return "\n\n".join(message_pieces(reply))


def draft_html(reply: Reply) -> str:
    """A draft as one Telegram HTML message: the text (its first message's worth),
    then the sources it cites so far (the full "Sources" list is the final reply's)."""
    cited = "\n".join(f"[{s.number}] {short_label(s)}" for s in reply.sources[:MAX_SOURCES])
    room = MAX_TEXT - utf16_len(f"\n\n{cited} …")
    texts = split_text(reply.text, room, utf16_len) if reply.text.strip() else ["…"]
    shown = quotes_as_blockquotes(html.escape(texts[0])) + " …" * (len(texts) > 1)
    return f"{shown}\n\n<i>{html.escape(cited)}</i>" if cited else shown


def quotes_as_blockquotes(text: str) -> str:
    r"""The answer's Markdown (already HTML-escaped) as Telegram HTML: consecutive quote
    lines ("> …", the material quoted) as one blockquote, fenced code as <pre>, and
    *bold* (as Slack writes it) as <b>.

    >>> quotes_as_blockquotes("&gt; Check:\n&gt; - Tyres [1]\n\nCool it. [2]")
    '<blockquote>Check:\n- Tyres [1]</blockquote>\n\nCool it. [2]'
    >>> quotes_as_blockquotes("```\nls -l\n```")
    '<pre>ls -l</pre>'
    >>> quotes_as_blockquotes("A quiz on *Fire wardens*: ls *.c *.h")
    'A quiz on <b>Fire wardens</b>: ls *.c *.h'
    >>> quotes_as_blockquotes("```\n&gt;&gt;&gt; 1 + 1\n```")  # code is never a quote
    '<pre>&gt;&gt;&gt; 1 + 1</pre>'
    """
    parts = re.split(r"(?ms)^```[^\n]*\n(.*?)\n?```$", text)
    # re.split keeps each code block's body at the odd places
    return "".join(f"<pre>{part}</pre>" if index % 2 else _prose_html(part)
                   for index, part in enumerate(parts))


def _prose_html(text: str) -> str:
    text = re.sub(r"(?m)(?:^&gt; ?.*(?:\n|$))+", _blockquote, text)
    return re.sub(r"(?<![\w*])\*(\S(?:[^*\n]*\S)?)\*(?![\w*])", r"<b>\1</b>", text)


def _blockquote(match: re.Match[str]) -> str:
    lines = re.sub(r"(?m)^&gt; ?", "", match.group(0))
    return f"<blockquote>{lines.rstrip(chr(10))}</blockquote>" + (
        "\n" if match.group(0).endswith("\n") else "")


def keyboard(buttons: tuple[Button, ...]) -> InlineKeyboardMarkup | None:
    """Short labels (👍 👎) share a row; course names get a row each. A button whose
    action is over Telegram's 64 bytes is left out: cut, it would do something else."""
    fitting = tuple(b for b in buttons if len(b.action.encode()) <= MAX_BUTTON_DATA)
    if len(fitting) < len(buttons):
        log.warning("left out buttons over %d bytes: %s", MAX_BUTTON_DATA,
                    [b.action for b in buttons if b not in fitting])
    if not fitting:
        return None
    if all(len(button.label) <= 2 for button in fitting):
        rows = [fitting]
    else:
        rows = tuple((button,) for button in fitting)
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b.label, callback_data=b.action) for b in row] for row in rows])


def short_label(source: Source) -> str:
    """A source's label, cut to 200 characters: a heading path has no limit of its own."""
    label = source.label
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1] + "…"


def utf16_len(text: str) -> int:
    """What Telegram's length limits count.

    >>> utf16_len("fire"), utf16_len("🔥")
    (4, 2)
    """
    return len(text.encode("utf-16-le")) // 2
