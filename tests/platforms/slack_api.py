"""A local stand-in for Slack, for offline end-to-end tests of the bot.

`FakeSlack` plays two roles. It serves the part of the Web API that a real
`slack_sdk.web.async_client.AsyncWebClient` (pointed at `api_url`) calls, recording every call
and keeping the bot's messages, ephemerals, home views and slash-command responses so tests can
look at them. And it sends signed Events API, interactivity and slash-command requests to the
bot's HTTP endpoint, shaped like Slack's, so a real `slack_bolt.async_app.AsyncApp` accepts them.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import inspect
import itertools
import json
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from aiohttp import ClientSession, WSMsgType, web

from tests.platforms.stand_in import StandIn

LOGIN_PAGE = ("<!DOCTYPE html><html><head><title>Slack</title></head>"
              "<body>Sign in to Slack</body></html>")
JSON_FIELDS = ("blocks", "attachments", "view", "metadata", "files")


def message_error(params: dict, view_blocks: list | None = None) -> str | None:
    """What Slack refuses in a message or Home tab: Block Kit's limits (50 blocks a
    message, 100 a view; 3,000 characters a section or context text; 10 context
    elements; 25 buttons) and 40,000 characters of text."""
    if len(str(params.get("text") or "")) > 40_000:
        return "msg_too_long"
    blocks = view_blocks if view_blocks is not None else params.get("blocks") or []
    if not isinstance(blocks, list) or len(blocks) > (100 if view_blocks is not None else 50):
        return "invalid_blocks"
    for block in blocks:
        texts = [block.get("text") or {}] if block.get("type") == "section" else []
        if block.get("type") == "context":
            if len(block.get("elements", [])) > 10:
                return "invalid_blocks"
            texts = block["elements"]
        if block.get("type") == "actions" and len(block.get("elements", [])) > 25:
            return "invalid_blocks"
        if any(len(text.get("text", "")) > 3000 for text in texts):
            return "invalid_blocks"
    return None


class FakeSlack(StandIn):
    """Slack's Web API and request sender, on 127.0.0.1 at a random free port."""

    def __init__(self, *, bot_token: str = "xoxb-test", signing_secret: str = "secret",
                 bot_user_id: str = "UBOT", team_id: str = "T0001", port: int = 0) -> None:
        """`port` 0: a free one; a restarted stand-in keeps its port and its state."""
        self.bot_token = bot_token
        self.signing_secret = signing_secret
        self.bot_user_id = bot_user_id
        self.team_id = team_id
        self.bot_id = "B0001"
        self.app_id = "A0001"
        self.calls: list[tuple[str, dict]] = []
        self.unknown_methods: list[str] = []
        self.ephemeral: list[dict] = []
        self.views: dict[str, dict] = {}
        self.responses: list[dict] = []  # what response_urls show now
        self.response_posts: list[dict] = []  # every post to them, in order
        self.files: dict[str, tuple[dict, bytes]] = {}
        self.downloads: list[str] = []  # names of files fetched, with or without a token
        self.disabled_users: set[str] = set()  # deactivated: DMs to them fail
        # The bot's uploads (files.getUploadURLExternal, POST, files.completeUploadExternal):
        # pending by file id until completed, then shared in a channel.
        self._uploads: dict[str, dict] = {}
        self.shared_files: list[dict] = []
        self._messages: dict[str, list[dict]] = {}
        self._clock = itertools.count(1_700_000_000_000_100, 100)  # microseconds, for ts values
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._session: ClientSession | None = None
        self._port = port
        # Socket Mode: the connected bot's WebSocket, and the envelope ids it acknowledged.
        self.app_token = "xapp-test"
        self.socket_acks: list[str] = []
        self._socket: web.WebSocketResponse | None = None

    # ---- life cycle -------------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._handle_api)
        app.router.add_get("/files-pri/{key}/{name}", self._handle_download)
        app.router.add_post("/upload/{file_id}", self._handle_upload)
        app.router.add_post("/response/{id}", self._handle_response_url)
        app.router.add_get("/link", self._handle_socket)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self._port).start()
        self._port = self._runner.addresses[0][1]
        self._session = ClientSession()

    async def stop(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()


    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._port}"

    @property
    def api_url(self) -> str:
        """Trailing slash included: slack_sdk joins method names onto it with urljoin."""
        return f"{self.base_url}/api/"

    # ---- observing --------------------------------------------------------------------------

    def settings_update(self) -> dict[str, Any]:
        """The settings that point a bot in HTTP mode at this stand-in, on a free port."""
        from pydantic import SecretStr

        return {"slack_bot_token": SecretStr(self.bot_token), "slack_api_url": self.api_url,
                "slack_signing_secret": SecretStr(self.signing_secret),
                "slack_listen": "127.0.0.1", "slack_port": 0}

    def messages(self, channel: str) -> list[dict]:
        """The bot's messages in `channel`, oldest first, as they read now (after updates)."""
        stored = self._messages.get(channel, [])
        return [{k: v for k, v in m.items() if k != "history"} for m in stored]

    def messages_by_channel(self) -> dict[str, list[dict]]:
        """Every channel's bot messages as they stand, in one pass and not copied: for a
        poll over many channels that must not slow the bot it watches (a bench's)."""
        return dict(self._messages)

    def im_channel(self, user: str) -> str:
        """The id of the app's DM with `user`, as chat.postMessage to the user's id
        answers it (messages there are kept under it)."""
        return "D" + user[1:]

    def updates(self, channel: str, ts: str) -> list[str]:
        """Every text the message has shown, the original first; empty for an unknown ts."""
        message = self._find(channel, ts)
        return list(message["history"]) if message else []

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 30) -> Any:
        """Poll until `predicate()` is truthy, and return it: the bot works in the background."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            result = predicate()
            if inspect.isawaitable(result):
                result = await result
            if result:
                return result
            if asyncio.get_running_loop().time() > deadline:
                recent = [name for name, _ in self.calls[-10:]]
                raise TimeoutError(f"{getattr(predicate, '__name__', predicate)} stayed falsy for "
                                   f"{timeout}s; last Web API calls: {recent}")
            await asyncio.sleep(0.02)

    # ---- files ------------------------------------------------------------------------------

    def add_file(self, name: str, data: bytes, *, filetype: str = "", user: str = "U1") -> dict:
        """Store a file the way a user's upload would be, and return its Slack file object."""
        file_id = f"F{next(self._ids):07d}"
        url = f"{self.base_url}/files-pri/{self.team_id}-{file_id}/{name}"
        mimetype = {"pdf": "application/pdf", "text": "text/plain", "docx":
                    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                    }.get(filetype, "application/octet-stream")
        info = {"id": file_id, "name": name, "title": name, "filetype": filetype,
                "mimetype": mimetype, "size": len(data), "user": user, "created": int(time.time()),
                "url_private": url, "url_private_download": url}
        self.files[file_id] = (info, data)
        return dict(info)

    async def _handle_download(self, request: web.Request) -> web.Response:
        """Like Slack: bytes only with the bot token; no token gets a 200 HTML login page."""
        auth = request.headers.get("Authorization")
        self.downloads.append(request.match_info["name"])
        if auth is None:
            return web.Response(text=LOGIN_PAGE, content_type="text/html")
        if auth != f"Bearer {self.bot_token}":
            return web.Response(status=403, text="forbidden")
        file_id = request.match_info["key"].removeprefix(f"{self.team_id}-")
        if file_id not in self.files:
            return web.Response(status=404, text="file_not_found")
        info, data = self.files[file_id]
        return web.Response(body=data, content_type=info["mimetype"])

    # ---- Web API ----------------------------------------------------------------------------

    async def _handle_api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._read_params(request)
        self.calls.append((method, params))
        token = request.headers.get("Authorization", "").removeprefix("Bearer ") or params.get(
            "token")
        if method == "apps.connections.open":  # the one method called with the app token
            if token != self.app_token:
                return web.json_response({"ok": False, "error": "invalid_auth"})
            return web.json_response({"ok": True, "url": f"ws://127.0.0.1:{self._port}/link"})
        if token != self.bot_token:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        handler = getattr(self, "_api_" + method.replace(".", "_"), None)
        if handler is None:
            self.unknown_methods.append(method)
            return web.json_response({"ok": False, "error": "unknown_method"})
        view = params.get("view") if method == "views.publish" else None
        if error := message_error(params, (view or {}).get("blocks") if view else None):
            return web.json_response({"ok": False, "error": error})
        return web.json_response(handler(params))

    @staticmethod
    async def _read_params(request: web.Request) -> dict:
        """Merge query string, form and JSON bodies: slack_sdk uses all three."""
        params: dict[str, Any] = dict(request.query)
        if request.content_type == "application/json":
            params.update(await request.json())
        elif request.can_read_body:
            params.update(await request.post())
        for field in JSON_FIELDS:
            if isinstance(params.get(field), str) and params[field][:1] in "[{":
                params[field] = json.loads(params[field])
        return params

    def _api_auth_test(self, params: dict) -> dict:
        return {"ok": True, "url": "https://tutorbot-test.slack.com/", "team": "Test Team",
                "user": "tutorbot", "team_id": self.team_id, "user_id": self.bot_user_id,
                "bot_id": self.bot_id, "is_enterprise_install": False}

    def _api_chat_postMessage(self, params: dict) -> dict:
        channel = params.get("channel")
        if not channel:
            return {"ok": False, "error": "channel_not_found"}
        if channel in self.disabled_users:  # a DM (channel=user id) to a deactivated user
            return {"ok": False, "error": "user_disabled"}
        if not params.get("text") and not params.get("blocks"):
            return {"ok": False, "error": "no_text"}
        if channel[:1] in ("U", "W"):  # a user's id: the app's DM with them, its own id
            channel = self.im_channel(channel)
        message = {"type": "message", "user": self.bot_user_id, "bot_id": self.bot_id,
                   "channel": channel, "ts": self._next_ts(), "text": params.get("text", ""),
                   "blocks": params.get("blocks") or [], "thread_ts": params.get("thread_ts")}
        self._messages.setdefault(channel, []).append({**message, "history": [message["text"]]})
        return {"ok": True, "channel": channel, "ts": message["ts"], "message": message}

    def _api_chat_update(self, params: dict) -> dict:
        message = self._find(params.get("channel", ""), params.get("ts", ""))
        if message is None:
            return {"ok": False, "error": "message_not_found"}
        if "text" in params:
            message["text"] = params["text"]
        if "blocks" in params:
            message["blocks"] = params["blocks"] or []
        message["history"].append(message["text"])
        return {"ok": True, "channel": message["channel"], "ts": message["ts"],
                "text": message["text"]}

    def _api_chat_postEphemeral(self, params: dict) -> dict:
        ts = self._next_ts()
        self.ephemeral.append({"channel": params.get("channel"), "user": params.get("user"),
                               "text": params.get("text", ""), "blocks": params.get("blocks"),
                               "thread_ts": params.get("thread_ts"), "message_ts": ts})
        return {"ok": True, "message_ts": ts}

    def _api_views_publish(self, params: dict) -> dict:
        view = params.get("view") or {}
        self.views[params.get("user_id", "")] = view
        return {"ok": True, "view": {"id": f"V{next(self._ids):07d}", "team_id": self.team_id,
                                     **view}}

    def _api_files_info(self, params: dict) -> dict:
        stored = self.files.get(params.get("file", ""))
        return {"ok": True, "file": dict(stored[0])} if stored else {
            "ok": False, "error": "file_not_found"}

    def _api_files_getUploadURLExternal(self, params: dict) -> dict:
        if not params.get("filename") or not str(params.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._ids):07d}"
        self._uploads[file_id] = {"id": file_id, "name": params["filename"],
                                  "length": int(params["length"]), "alt": params.get("alt_txt"),
                                  "data": None}
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.base_url}/upload/{file_id}"}

    async def _handle_upload(self, request: web.Request) -> web.Response:
        upload = self._uploads.get(request.match_info["file_id"])
        data = await request.read()
        if upload is None or len(data) != upload["length"]:
            return web.Response(status=400, text="bad upload")
        upload["data"] = data
        return web.Response(text="OK - " + str(len(data)))

    def _api_files_completeUploadExternal(self, params: dict) -> dict:
        files = params.get("files") or []
        done = []
        for item in files:
            upload = self._uploads.pop(item.get("id", ""), None)
            if upload is None or upload["data"] is None:
                return {"ok": False, "error": "file_not_found"}
            shared = {**upload, "title": item.get("title"), "channel": params.get("channel_id"),
                      "thread_ts": params.get("thread_ts")}
            self.shared_files.append(shared)
            done.append({"id": upload["id"], "name": upload["name"], "title": item.get("title")})
        return {"ok": True, "files": done}

    def _api_conversations_info(self, params: dict) -> dict:
        channel = params.get("channel", "")
        return {"ok": True, "channel": {"id": channel, "is_im": channel.startswith("D"),
                                        "is_channel": channel.startswith("C")}}

    def _api_users_info(self, params: dict) -> dict:
        user = params.get("user", "")
        return {"ok": True, "user": {"id": user, "name": user.lower(), "real_name": f"User {user}",
                                     "tz": "Europe/Berlin", "is_bot": False}}

    async def _handle_socket(self, request: web.Request) -> web.WebSocketResponse:
        """Socket Mode: say hello, then keep the socket for `send_socket_event`; the bot
        acknowledges each envelope by sending back its envelope_id."""
        socket = web.WebSocketResponse()
        await socket.prepare(request)
        await socket.send_json({"type": "hello", "num_connections": 1,
                                "connection_info": {"app_id": self.app_id}})
        self._socket = socket
        async for message in socket:
            if message.type == WSMsgType.TEXT:
                envelope_id = json.loads(message.data).get("envelope_id")
                if envelope_id:
                    self.socket_acks.append(envelope_id)
        self._socket = None
        return socket

    async def send_socket_event(self, event: dict) -> str:
        """Deliver an event over the bot's Socket Mode connection; returns the envelope id
        (look for it in `socket_acks`)."""
        await self.wait_for(lambda: self._socket is not None, 10)
        assert self._socket is not None
        envelope_id = f"env-{next(self._ids)}"
        payload = {"token": "verification-token", "team_id": self.team_id,
                   "api_app_id": self.app_id, "event": event, "type": "event_callback",
                   "event_id": f"Ev{next(self._ids):08d}", "event_time": int(time.time()),
                   "authorizations": [{"team_id": self.team_id, "user_id": self.bot_user_id,
                                       "is_bot": True}]}
        await self._socket.send_json({"envelope_id": envelope_id, "type": "events_api",
                                      "payload": payload, "accepts_response_payload": False,
                                      "retry_attempt": 0, "retry_reason": ""})
        return envelope_id

    async def _handle_response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        if error := message_error(body):
            return web.Response(status=400, text=error)
        response = {"response_id": request.match_info["id"], **body}
        self.response_posts.append(response)
        earlier = [n for n, r in enumerate(self.responses)
                   if r["response_id"] == response["response_id"]]
        if body.get("replace_original") and earlier:  # the URL's own last message, replaced
            self.responses[earlier[-1]] = response
        else:
            self.responses.append(response)
        return web.Response(text="ok")

    def _find(self, channel: str, ts: str) -> dict | None:
        return next((m for m in self._messages.get(channel, []) if m["ts"] == ts), None)

    def _next_ts(self) -> str:
        micros = next(self._clock)
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    # ---- requests to the bot ----------------------------------------------------------------

    def message_event(self, user: str, text: str, *, channel: str = "D0001",
                      channel_type: str = "im", thread_ts: str | None = None,
                      files: list[dict] | None = None, ts: str | None = None) -> dict:
        """A user's message; with files it is the `file_share` subtype Slack sends for uploads."""
        ts = ts or self._next_ts()
        event = {"type": "message", "user": user, "text": text, "ts": ts, "event_ts": ts,
                 "channel": channel, "channel_type": channel_type, "team": self.team_id}
        if thread_ts:
            event["thread_ts"] = thread_ts
        if files:
            event.update(subtype="file_share", files=files, upload=False)
        return event

    def mention_event(self, user: str, text: str, *, channel: str = "C0001",
                      thread_ts: str | None = None) -> dict:
        """An app_mention; the `<@BOT>` mention is prepended unless `text` already has it."""
        mention = f"<@{self.bot_user_id}>"
        event = self.message_event(user, text if mention in text else f"{mention} {text}",
                                   channel=channel, channel_type="channel", thread_ts=thread_ts)
        event["type"] = "app_mention"
        del event["channel_type"]
        return event

    def app_home_opened_event(self, user: str) -> dict:
        return {"type": "app_home_opened", "user": user, "channel": "D0001", "tab": "home",
                "event_ts": self._next_ts()}

    async def send_event(self, bot_url: str, event: dict, *, event_id: str | None = None,
                         retry_num: int | None = None, retry_reason: str = "http_timeout",
                         bad_signature: bool = False) -> tuple[int, str]:
        """Deliver an event_callback; reuse `event_id` with `retry_num` to act as a redelivery."""
        envelope = {"token": "verification-token", "team_id": self.team_id,
                    "api_app_id": self.app_id, "event": event, "type": "event_callback",
                    "event_id": event_id or f"Ev{next(self._ids):08d}",
                    "event_time": int(time.time()),
                    "authorizations": [{"enterprise_id": None, "team_id": self.team_id,
                                        "user_id": self.bot_user_id, "is_bot": True,
                                        "is_enterprise_install": False}],
                    "is_ext_shared_channel": False}
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return await self._post_signed(bot_url, json.dumps(envelope), "application/json",
                                       headers, bad_signature)

    async def send_action(self, bot_url: str, user: str, action_id: str, value: str, *,
                          channel: str, message_ts: str,
                          thread_ts: str | None = None) -> tuple[int, str]:
        """Click a button on the bot's message: a block_actions payload, form-encoded."""
        stored = self._find(channel, message_ts) or {"text": "", "blocks": []}
        message = {"type": "message", "user": self.bot_user_id, "bot_id": self.bot_id,
                   "ts": message_ts, "text": stored["text"], "blocks": stored["blocks"]}
        container = {"type": "message", "message_ts": message_ts, "channel_id": channel,
                     "is_ephemeral": False}
        if thread_ts:
            message["thread_ts"] = container["thread_ts"] = thread_ts
        block_id = next((b.get("block_id", "b1") for b in stored["blocks"]
                         if any(e.get("action_id") == action_id for e in b.get("elements", []))),
                        "b1")
        payload = {"type": "block_actions", "team": {"id": self.team_id, "domain": "test"},
                   "user": {"id": user, "username": user.lower(), "team_id": self.team_id},
                   "api_app_id": self.app_id, "token": "verification-token",
                   "container": container, "trigger_id": self._trigger_id(),
                   "channel": {"id": channel, "name": "directmessage"}, "message": message,
                   "response_url": self._response_url(),
                   "actions": [{"type": "button", "action_id": action_id, "block_id": block_id,
                                "value": value, "text": {"type": "plain_text", "text": value},
                                "action_ts": self._next_ts()}]}
        body = urlencode({"payload": json.dumps(payload)})
        return await self._post_signed(bot_url, body, "application/x-www-form-urlencoded")

    async def send_command(self, bot_url: str, command: str, text: str, user: str, *,
                           channel: str = "D0001") -> tuple[int, str]:
        """A slash command; whatever the bot POSTs to its response_url lands in `responses`."""
        body = urlencode({"token": "verification-token", "team_id": self.team_id,
                          "team_domain": "test", "channel_id": channel,
                          "channel_name": "directmessage", "user_id": user,
                          "user_name": user.lower(), "command": command, "text": text,
                          "api_app_id": self.app_id, "is_enterprise_install": "false",
                          "response_url": self._response_url(),
                          "trigger_id": self._trigger_id()})
        return await self._post_signed(bot_url, body, "application/x-www-form-urlencoded")

    async def send_url_verification(self, bot_url: str) -> tuple[int, str]:
        """The handshake Slack does when the Request URL is saved; the bot echoes `challenge`."""
        body = {"token": "verification-token", "challenge": secrets.token_hex(8),
                "type": "url_verification"}
        return await self._post_signed(bot_url, json.dumps(body), "application/json")

    def sign(self, timestamp: str, body: str) -> str:
        """Slack's v0 scheme: HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing secret."""
        base = f"v0:{timestamp}:{body}".encode()
        return "v0=" + hmac.new(self.signing_secret.encode(), base, hashlib.sha256).hexdigest()

    async def _post_signed(self, bot_url: str, body: str, content_type: str,
                           headers: dict[str, str] | None = None,
                           bad_signature: bool = False) -> tuple[int, str]:
        assert self._session is not None, "FakeSlack.start() first"
        timestamp = str(int(time.time()))
        signature = self.sign(timestamp, body + ("tampered" if bad_signature else ""))
        all_headers = {"Content-Type": content_type, "X-Slack-Request-Timestamp": timestamp,
                       "X-Slack-Signature": signature, **(headers or {})}
        async with self._session.post(bot_url, data=body.encode(), headers=all_headers) as resp:
            return resp.status, await resp.text()

    def _response_url(self) -> str:
        return f"{self.base_url}/response/{next(self._ids)}"

    def _trigger_id(self) -> str:
        return f"{next(self._ids)}.{secrets.token_hex(6)}"
