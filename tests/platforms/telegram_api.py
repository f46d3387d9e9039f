"""A local stand-in for the Telegram Bot API, so end-to-end tests run offline.

A real python-telegram-bot Application talks to `FakeTelegram` over HTTP exactly as it would to
api.telegram.org: same URLs, same form-encoded parameters, same response shapes and the same
error descriptions for the mistakes a bot commonly makes (no-change edits, unknown messages,
unsupported HTML tags, overlong texts). Tests inject user actions and read what the bot did.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import mimetypes
import re
import time
from collections.abc import Callable
from typing import Any, TypeVar

from aiohttp import ClientError, ClientSession, ClientTimeout, web

from tests.platforms.stand_in import StandIn
from tests.platforms.telegram_format import auto_entities, parse_html, utf16_len

T = TypeVar("T")
Json = dict[str, Any]

# Form bodies carry every value as a string; these hold JSON-serialised objects.
JSON_PARAMS = frozenset({
    "reply_markup", "commands", "entities", "caption_entities", "allowed_updates",
    "reply_parameters", "link_preview_options", "scope",
})
# Strings that must stay strings even when they look like numbers or booleans.
TEXT_PARAMS = frozenset({
    "text", "caption", "url", "secret_token", "callback_query_id", "file_id", "parse_mode",
    "action", "language_code", "ip_address", "inline_message_id",
})
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
# Update types the server sends when allowed_updates is empty or was never set.
DEFAULT_EXCLUDED_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
MAX_TEXT, MAX_CAPTION, MAX_DOWNLOAD = 4096, 1024, 20 * 1024 * 1024


class ApiError(Exception):
    """A failed Bot API call, answered as {"ok": false, ...} with the same HTTP status."""

    def __init__(self, description: str, code: int = 400) -> None:
        super().__init__(description)
        self.code = code
        self.description = f"Bad Request: {description}" if code == 400 else description


def shows_the_material(message: Json) -> bool:
    """The first useful reply: the material quoted (a blockquote), or "not covered"."""
    return any(e.get("type") == "blockquote" for e in message.get("entities", [])) or (
        "does not cover" in message.get("text", ""))


def coerce(name: str, value: Any) -> Any:
    """Gives form values the types a JSON body would have had."""
    if not isinstance(value, str) or name in TEXT_PARAMS:
        return value
    if name in JSON_PARAMS or re.fullmatch(r"-?\d+(\.\d+)?|true|false", value):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def inline_markup(markup: Any) -> Json | None:
    """Messages only keep inline keyboards; reply keyboards live on the user's client.
    A button's callback data must be 1 to 64 bytes."""
    if not (isinstance(markup, dict) and "inline_keyboard" in markup):
        return None
    for row in markup["inline_keyboard"]:
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                raise ApiError("BUTTON_DATA_INVALID")
    return markup


def error_response(exc: ApiError) -> web.Response:
    body = {"ok": False, "error_code": exc.code, "description": exc.description}
    return web.json_response(body, status=exc.code)


class FakeTelegram(StandIn):
    """In-process Bot API server: run the real bot against `api_root`, inject users, observe."""

    def __init__(self, token: str, *, bot_id: int = 999,
                 bot_username: str = "tutorbot_test_bot", port: int = 0) -> None:
        """`port` 0: a free one; a restarted stand-in keeps its port and its state."""
        self.token = token
        self._port = port
        self.bot_user: Json = {"id": bot_id, "is_bot": True, "first_name": "Tutorbot",
                               "username": bot_username}
        self.calls: list[tuple[str, Json]] = []
        self.unknown_methods: list[str] = []
        self.callback_answers: list[Json] = []
        self.webhook_errors: list[str] = []
        self._chats: dict[int, Json] = {}
        self._users: dict[int, Json] = {}
        self._messages: dict[tuple[int, int], Json] = {}
        self._texts: dict[tuple[int, int], list[str]] = {}
        self._last_message_id: dict[int, int] = {}
        self._commands: dict[tuple[str, str], list[Json]] = {}
        self._files: dict[str, tuple[Json, bytes]] = {}
        self._file_paths: dict[str, str] = {}
        self._open_queries: set[str] = set()
        self._blocked: set[int] = set()
        self._pending: list[Json] = []
        self._allowed_updates: list[str] = []
        self._webhook: Json = {}
        self._counter = itertools.count(1)
        self._arrived = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self._pusher: asyncio.Task[None] | None = None
        self._methods: dict[str, Callable[[Json], Any]] = {
            name.lower(): getattr(self, f"_{re.sub(r'(?<!^)(?=[A-Z])', '_', name).lower()}")
            for name in (
                "getMe", "getUpdates", "setWebhook", "deleteWebhook", "getWebhookInfo",
                "setMyCommands", "getMyCommands", "sendMessage", "editMessageText",
                "editMessageReplyMarkup", "answerCallbackQuery", "sendChatAction", "getFile",
                "deleteMessage", "sendDocument", "sendPhoto",
            )
        }

    # --- lifecycle ---------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_method)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self._port).start()
        self._port = self._runner.addresses[0][1]
        self._closing = False
        self._session = ClientSession(timeout=ClientTimeout(total=10))
        self._pusher = asyncio.create_task(self._push_to_webhook())

    async def stop(self) -> None:
        self._closing = True
        self._wake()  # release pending long polls so the server can shut down at once
        if self._pusher:
            self._pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pusher
        if self._session:
            await self._session.close()
        if self._runner:
            await self._runner.cleanup()
        self._runner = None


    @property
    def api_root(self) -> str:
        if not self._port:
            raise RuntimeError("FakeTelegram has no port: start it, or give it one")
        return f"http://127.0.0.1:{self._port}"

    # --- injecting user actions --------------------------------------------------------------

    def user_message(self, user_id: int, text: str, *, chat_id: int | None = None,
                     chat_type: str = "private", first_name: str = "Ana",
                     username: str | None = None, reply_to_message_id: int | None = None,
                     entities: list[Json] | None = None) -> Json:
        """A user sends text; /commands and @mentions get entities as on the real server."""
        message = self._user_message(user_id, chat_id, chat_type, first_name, username,
                                     reply_to_message_id)
        message["text"] = text
        if entities := auto_entities(text) if entities is None else entities:
            message["entities"] = entities
        return self._queue("message", message)

    def redeliver(self, update: Json) -> None:
        """Send an update again, as Telegram does when a webhook's answer came too late."""
        self._pending.append(copy.deepcopy(update))
        self._wake()

    def user_document(self, user_id: int, file_name: str, data: bytes, *,
                      caption: str | None = None, mime_type: str | None = None,
                      chat_id: int | None = None, chat_type: str = "private") -> Json:
        """A user uploads a file; getFile and the file URL then serve `data`."""
        known = self._users.get(user_id, {})
        message = self._user_message(user_id, chat_id, chat_type, known.get("first_name", "Ana"),
                                     known.get("username"), None)
        mime_type = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        message["document"] = self._add_file(file_name, data, mime_type)
        if caption is not None:
            message["caption"] = caption
            if entities := auto_entities(caption):
                message["caption_entities"] = entities
        return self._queue("message", message)

    def user_click(self, user_id: int, message_id: int, data: str, *,
                   chat_id: int | None = None) -> Json:
        """A user presses an inline button; only buttons the message really shows exist."""
        message = self._messages.get((user_id if chat_id is None else chat_id, message_id))
        if message is None or message["from"]["id"] != self.bot_user["id"]:
            raise ValueError(f"the bot has no message {message_id} in chat {chat_id or user_id}")
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        buttons = [button.get("callback_data") for row in rows for button in row]
        if data not in buttons:
            raise ValueError(f"message {message_id} has no button {data!r}; it has {buttons}")
        query_id = str(next(self._counter))
        self._open_queries.add(query_id)
        user = self._users.get(user_id) or {"id": user_id, "is_bot": False, "first_name": "Ana"}
        return self._queue("callback_query", {
            "id": query_id, "from": user, "message": copy.deepcopy(message),
            "chat_instance": str(message["chat"]["id"]), "data": data})

    def user_blocks_bot(self, user_id: int) -> None:
        """The user blocks the bot: sending to their private chat is Forbidden (403)."""
        self._blocked.add(user_id)

    # --- observing the bot -------------------------------------------------------------------

    @property
    def commands(self) -> list[Json]:
        return self._commands.get(self._scope_key({}), [])

    def bot_messages(self, chat_id: int) -> list[Json]:
        """The bot's messages in a chat as they stand now (after edits, without deleted ones)."""
        return [copy.deepcopy(message) for (chat, _), message in sorted(self._messages.items())
                if chat == chat_id and message["from"]["id"] == self.bot_user["id"]]

    def bot_messages_by_chat(self) -> dict[int, list[Json]]:
        """Every chat's bot messages as they stand, in one pass and not copied: for a
        poll over many chats at once that must not slow the bot it watches (the
        per-chat, copying `bot_messages` took half the event loop under
        bench.telegram_load)."""
        chats: dict[int, list[Json]] = {}
        for (chat, _), message in self._messages.items():
            if message["from"]["id"] == self.bot_user["id"]:
                chats.setdefault(chat, []).append(message)
        return chats

    def edits(self, chat_id: int, message_id: int) -> list[str]:
        """Every text one message has had, the original first."""
        return list(self._texts.get((chat_id, message_id), []))

    async def wait_for(self, predicate: Callable[[], T | bool | None],
                       timeout: float = 30) -> T:
        """Polls until `predicate()` is truthy while the bot works concurrently; returns it."""
        deadline = asyncio.get_running_loop().time() + timeout
        while not (result := predicate()):
            if asyncio.get_running_loop().time() >= deadline:
                raise TimeoutError(self._describe_wait(predicate, timeout))
            await asyncio.sleep(0.01)
        return result  # type: ignore[return-value]

    def _describe_wait(self, predicate: Callable[[], object], timeout: float) -> str:
        recent = [(method, params) for method, params in self.calls if method != "getUpdates"]
        name = getattr(predicate, "__qualname__", repr(predicate))
        return (f"{name} stayed falsy for {timeout}s. Last bot calls: {recent[-8:]}; "
                f"unknown methods: {self.unknown_methods}; pending updates: "
                f"{len(self._pending)}; webhook errors: {self.webhook_errors[-3:]}")

    # --- HTTP plumbing -----------------------------------------------------------------------

    async def _handle_method(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return error_response(ApiError("Unauthorized", 401))
        method = request.match_info["method"]
        params = await self._read_params(request)
        self.calls.append((method, params))
        handler = self._methods.get(method.lower())
        if handler is None:
            self.unknown_methods.append(method)
            return error_response(ApiError("Not Found", 404))
        try:
            result = await handler(params)
        except ApiError as exc:
            return error_response(exc)
        return web.json_response({"ok": True, "result": result})

    async def _read_params(self, request: web.Request) -> Json:
        raw: Json = dict(request.query)
        if request.content_type == "application/json":
            raw.update(await request.json() if request.body_exists else {})
        elif request.body_exists:
            for name, value in (await request.post()).items():
                raw[name] = ({"file_name": value.filename, "data": value.file.read()}
                             if isinstance(value, web.FileField) else value)
        return {name: coerce(name, value) for name, value in raw.items()}

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return error_response(ApiError("Unauthorized", 401))
        file_id = self._file_paths.get(request.match_info["path"])
        if file_id is None:
            return error_response(ApiError("Not Found", 404))
        return web.Response(body=self._files[file_id][1], content_type="application/octet-stream")

    # --- updates -----------------------------------------------------------------------------

    def _queue(self, kind: str, payload: Json) -> Json:
        """Keeps an update for getUpdates or the webhook, unless allowed_updates excludes it."""
        update = {"update_id": next(self._counter), kind: copy.deepcopy(payload)}
        allowed = self._allowed_updates or None
        if (kind in allowed) if allowed else kind not in DEFAULT_EXCLUDED_UPDATES:
            self._pending.append(update)
            self._wake()
        return update

    def _wake(self) -> None:
        self._arrived.set()
        self._arrived = asyncio.Event()

    async def _push_to_webhook(self) -> None:
        """Delivers pending updates in order while a webhook is set, retrying as Telegram does."""
        while True:
            arrived = self._arrived
            while self._webhook and self._pending and self._session:
                update = self._pending[0]
                if await self._post_update(update):
                    if update in self._pending:
                        self._pending.remove(update)
                else:
                    await asyncio.sleep(0.2)
            await arrived.wait()

    async def _post_update(self, update: Json) -> bool:
        headers = {}
        if secret := self._webhook.get("secret_token"):
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret
        try:
            assert self._session is not None
            async with self._session.post(self._webhook["url"], json=update,
                                          headers=headers) as response:
                if response.status < 300:
                    return True
                problem = f"HTTP {response.status}"
        except (ClientError, OSError, TimeoutError) as exc:
            problem = repr(exc)
        self.webhook_errors.append(f"update {update['update_id']}: {problem}")
        return False

    async def _get_updates(self, p: Json) -> list[Json]:
        if self._webhook:
            raise ApiError("Conflict: can't use getUpdates method while webhook is active; "
                           "use deleteWebhook to delete the webhook first", 409)
        self._allowed_updates = p.get("allowed_updates", self._allowed_updates)
        offset = p.get("offset", 0)
        if offset > 0:  # confirms everything before it
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
        limit = min(max(p.get("limit", 100), 1), 100)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + p.get("timeout", 0)
        while not self._pending and not self._closing and loop.time() < deadline:
            arrived = self._arrived
            try:
                await asyncio.wait_for(arrived.wait(), deadline - loop.time())
            except TimeoutError:
                break
        return copy.deepcopy(self._pending[:limit])

    async def _set_webhook(self, p: Json) -> bool:
        if p.get("drop_pending_updates"):
            self._pending.clear()
        self._allowed_updates = p.get("allowed_updates", self._allowed_updates)
        url = p.get("url") or ""
        self._webhook = {"url": url, "secret_token": p.get("secret_token")} if url else {}
        self._wake()
        return True

    async def _delete_webhook(self, p: Json) -> bool:
        return await self._set_webhook({"drop_pending_updates": p.get("drop_pending_updates")})

    async def _get_webhook_info(self, p: Json) -> Json:
        return {"url": self._webhook.get("url", ""), "has_custom_certificate": False,
                "pending_update_count": len(self._pending)}

    # --- bot methods -------------------------------------------------------------------------

    async def _get_me(self, p: Json) -> Json:
        return {**self.bot_user, "can_join_groups": True, "can_read_all_group_messages": True,
                "supports_inline_queries": False}

    async def _set_my_commands(self, p: Json) -> bool:
        commands = p.get("commands") or []
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                raise ApiError("BOT_COMMAND_INVALID")
        self._commands[self._scope_key(p)] = commands
        return True

    async def _get_my_commands(self, p: Json) -> list[Json]:
        return self._commands.get(self._scope_key(p), [])

    async def _send_message(self, p: Json) -> Json:
        text, entities = self._formatted(p, "text", MAX_TEXT)
        message = self._bot_message(p)
        message["text"] = text
        return self._store(message, entities, "entities")

    async def _send_document(self, p: Json) -> Json:
        document = p.get("document")
        if isinstance(document, str) and document.startswith("attach://"):
            document = p.get(document.removeprefix("attach://"))
        if isinstance(document, dict):
            mime_type = mimetypes.guess_type(document["file_name"] or "")[0]
            document = self._add_file(document["file_name"] or "document", document["data"],
                                      mime_type or "application/octet-stream")
        elif document in self._files:
            document = self._files[document][0]
        else:
            raise ApiError("wrong file identifier/HTTP URL specified")
        caption, entities = self._formatted(p, "caption", MAX_CAPTION)
        message = self._bot_message(p)
        message["document"] = document
        if caption:
            message["caption"] = caption
        return self._store(message, entities, "caption_entities")

    async def _send_photo(self, p: Json) -> Json:
        """A picture uploaded by the bot: kept as one photo size, with its bytes."""
        photo = p.get("photo")
        if isinstance(photo, str) and photo.startswith("attach://"):
            photo = p.get(photo.removeprefix("attach://"))
        if not isinstance(photo, dict) or not photo.get("data"):
            raise ApiError("wrong file identifier/HTTP URL specified")
        if not photo["data"].startswith(b"\x89PNG") and not photo["data"].startswith(b"\xff\xd8"):
            raise ApiError("IMAGE_PROCESS_FAILED")
        stored = self._add_file(photo["file_name"] or "photo.png", photo["data"], "image/png")
        caption, entities = self._formatted(p, "caption", MAX_CAPTION)
        message = self._bot_message(p)
        message["photo"] = [{"file_id": stored["file_id"], "file_unique_id":
                             stored["file_unique_id"], "width": 0, "height": 0,
                             "file_size": stored["file_size"]}]
        if caption:
            message["caption"] = caption
        return self._store(message, entities, "caption_entities")

    def photo_bytes(self, message: Json) -> bytes:
        """The bytes of a photo the bot sent."""
        return self._files[message["photo"][0]["file_id"]][1]

    def document_bytes(self, message: Json) -> bytes:
        """The bytes of a document the bot sent."""
        return self._files[message["document"]["file_id"]][1]

    async def _edit_message_text(self, p: Json) -> Json:
        message = self._editable(p)
        if "text" not in message:
            raise ApiError("there is no text in the message to edit")
        text, entities = self._formatted(p, "text", MAX_TEXT)
        markup = inline_markup(p.get("reply_markup"))  # omitted: the keyboard goes away
        now = (message["text"], message.get("entities"), message.get("reply_markup"))
        if (text, entities or None, markup) == now:
            raise ApiError(NOT_MODIFIED)
        message["text"] = text
        self._texts[(message["chat"]["id"], message["message_id"])].append(text)
        return self._apply_edit(message, markup, entities=entities)

    async def _edit_message_reply_markup(self, p: Json) -> Json:
        message = self._editable(p)
        markup = inline_markup(p.get("reply_markup"))
        if markup == message.get("reply_markup"):
            raise ApiError(NOT_MODIFIED)
        return self._apply_edit(message, markup)

    async def _answer_callback_query(self, p: Json) -> bool:
        if p.get("callback_query_id") not in self._open_queries:
            raise ApiError("query is too old and response timeout expired or query ID is invalid")
        self._open_queries.discard(p["callback_query_id"])
        self.callback_answers.append(p)
        return True

    async def _send_chat_action(self, p: Json) -> bool:
        self._chat(p)
        return True

    async def _delete_message(self, p: Json) -> bool:
        self._chat(p)
        if self._messages.pop((p["chat_id"], p.get("message_id")), None) is None:
            raise ApiError("message to delete not found")
        return True

    async def _get_file(self, p: Json) -> Json:
        if p.get("file_id") not in self._files:
            raise ApiError("invalid file_id")
        document, data = self._files[p["file_id"]]
        if len(data) > MAX_DOWNLOAD:
            raise ApiError("file is too big")
        path = next((path for path, file_id in self._file_paths.items()
                     if file_id == p["file_id"]), None)
        if path is None:
            extension = document.get("file_name", "").rpartition(".")[2] or "bin"
            path = f"documents/file_{len(self._file_paths)}.{extension}"
            self._file_paths[path] = p["file_id"]
        return {"file_id": document["file_id"], "file_unique_id": document["file_unique_id"],
                "file_size": len(data), "file_path": path}

    # --- shared helpers ----------------------------------------------------------------------

    def _chat(self, p: Json) -> Json:
        """The chat a method targets; like Telegram, only chats that users opened exist:
        a user's private chat once they wrote to the bot there (/start)."""
        chat = self._chats.get(p.get("chat_id"))  # type: ignore[arg-type]
        if chat is None and p.get("chat_id") in self._users:  # met in a group only
            raise ApiError("Forbidden: bot can't initiate conversation with a user", 403)
        if chat is None:
            raise ApiError("chat not found")
        return chat

    def _next_id(self, chat_id: int) -> int:
        self._last_message_id[chat_id] = self._last_message_id.get(chat_id, 0) + 1
        return self._last_message_id[chat_id]

    def _replied(self, chat_id: int, message_id: int | None, *,
                 missing_ok: bool = False) -> Json | None:
        """A reply embeds its original one level deep, as the real API does."""
        original = self._messages.get((chat_id, message_id or 0))
        if original is None:
            if message_id is None or missing_ok:
                return None
            raise ApiError("message to be replied not found")
        return {k: copy.deepcopy(v) for k, v in original.items() if k != "reply_to_message"}

    def _user_message(self, user_id: int, chat_id: int | None, chat_type: str,
                      first_name: str, username: str | None, reply_to: int | None) -> Json:
        user: Json = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        self._users[user_id] = user
        chat_id = user_id if chat_id is None else chat_id
        if chat_type == "private":
            if chat_id != user_id:
                raise ValueError("a private chat's id is the user's id")
            chat = {"type": "private", **{k: v for k, v in user.items() if k != "is_bot"}}
        else:
            chat = {"id": chat_id, "type": chat_type, "title": f"Test {chat_type} {chat_id}"}
        self._chats[chat_id] = chat
        replied = self._replied(chat_id, reply_to)
        message = {"message_id": self._next_id(chat_id), "from": user, "chat": chat,
                   "date": int(time.time())}
        if replied:
            message["reply_to_message"] = replied
        self._messages[(chat_id, message["message_id"])] = message
        return message

    def _bot_message(self, p: Json) -> Json:
        chat = self._chat(p)
        if chat["id"] in self._blocked:
            raise ApiError("Forbidden: bot was blocked by the user", 403)
        reply = p.get("reply_parameters") or {"message_id": p.get("reply_to_message_id")}
        replied = self._replied(chat["id"], reply.get("message_id"),
                                missing_ok=bool(reply.get("allow_sending_without_reply")))
        message: Json = {"message_id": self._next_id(chat["id"]), "from": self.bot_user,
                         "chat": chat, "date": int(time.time())}
        if replied:
            message["reply_to_message"] = replied
        if markup := inline_markup(p.get("reply_markup")):
            message["reply_markup"] = markup
        return message

    def _formatted(self, p: Json, field: str, limit: int) -> tuple[str, list[Json]]:
        """Text and entities as stored: HTML parsed away, empty or overlong text refused."""
        text = str(p.get(field, ""))
        entities = p.get("entities" if field == "text" else "caption_entities") or []
        if str(p.get("parse_mode", "")).upper() == "HTML":
            try:
                text, entities = parse_html(text)
            except ValueError as exc:
                raise ApiError(f"can't parse entities: {exc}") from None
        if field == "text" and not text.strip():
            raise ApiError("message text is empty")
        if utf16_len(text) > limit:
            raise ApiError(f"message {'is' if field == 'text' else 'caption is'} too long")
        return text, entities

    def _store(self, message: Json, entities: list[Json], key: str) -> Json:
        if entities:
            message[key] = entities
        chat_and_id = (message["chat"]["id"], message["message_id"])
        self._messages[chat_and_id] = message
        if "text" in message:
            self._texts[chat_and_id] = [message["text"]]
        return copy.deepcopy(message)

    def _editable(self, p: Json) -> Json:
        self._chat(p)
        message = self._messages.get((p["chat_id"], p.get("message_id")))
        if message is None:
            raise ApiError("message to edit not found")
        if message["from"]["id"] != self.bot_user["id"]:
            raise ApiError("message can't be edited")
        return message

    def _apply_edit(self, message: Json, markup: Json | None, **fields: Any) -> Json:
        for key, value in {**fields, "reply_markup": markup}.items():
            if value:
                message[key] = value
            else:
                message.pop(key, None)
        message["edit_date"] = int(time.time())
        return copy.deepcopy(message)

    def _add_file(self, file_name: str, data: bytes, mime_type: str) -> Json:
        number = next(self._counter)
        document = {"file_id": f"BQACAgI-{number}", "file_unique_id": f"AgAD{number}",
                    "file_name": file_name, "mime_type": mime_type, "file_size": len(data)}
        self._files[document["file_id"]] = (document, data)
        return document

    @staticmethod
    def _scope_key(p: Json) -> tuple[str, str]:
        scope = p.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), p.get("language_code", "")
