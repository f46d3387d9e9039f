"""The Slack adapter (slack-bolt AsyncApp): events in, `Reply` streams out.

DMs and @mentions are questions, answered in the thread of the message that asked
(a thread is one conversation, so follow-ups in it build on earlier turns). The
answer streams by `chat.update`; sources sit in a context block, 👍/👎 in an
actions block. Bolt acknowledges every request before the listener's long work, so
each is stored (tutor/received.py) before that, and replayed through Bolt by any
worker if its own died before answering it (Slack will not send it again).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import replace
from datetime import datetime
from functools import partial, wraps
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt import BoltResponse
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.web.async_client import AsyncWebClient

from bot.long_replies import split_text
from bot.slack_names import SlackNames
from tutor.dialogue import DialogueManager
from tutor.errors import PlatformRefused, TutorError
from tutor.messages import SENT_PRIVATELY, Attachment, Button, IncomingMessage, Reply, paced
from tutor.received import ReceivedEvents, Taken, handle_lapsed_regularly, keep_leases
from tutor.reminders import MaybeDelivered, Unreachable
from tutor.settings import Settings

log = logging.getLogger(__name__)
EVENTS_PATH = "/slack/events"
MAX_TEXT = 3000  # Slack's limit for one section block's text
MAX_CONTEXT = 300  # what a source's line shows of a long document name
MAX_DRAFT_LABEL = 200  # and a draft's, which shares its 3,000 characters with the text
SECTIONS_PER_MESSAGE = 40  # a message holds 50 blocks; the sources and buttons follow
FIRST_RETRY_S, MAX_RETRY_S = 2, 60  # backoff while Slack cannot be reached at start
REJECTED_TOKEN = {"invalid_auth", "not_authed", "account_inactive", "token_revoked",
                  "token_expired", "not_allowed_token_type"}
# A replayed request's context key: when it first came (a quiz answer graded since
# is not graded again).
FIRST_RECEIVED = "tutorbot_first_received"
IGNORED_SUBTYPES = {"message_changed", "message_deleted", "bot_message", "channel_join"}


def learner_id(user_id: str) -> str:
    return f"slack:{user_id}"


class SlackAdapter:
    platform = "slack"

    def __init__(self, manager: DialogueManager, settings: Settings) -> None:
        if settings.slack_bot_token is None:
            raise ValueError("TUTORBOT_SLACK_BOT_TOKEN is not set")
        self.manager = manager
        self.settings = settings
        self.token = settings.slack_bot_token.get_secret_value()
        client = AsyncWebClient(token=self.token, base_url=settings.slack_api_url)
        # Many learners streaming at once can exceed chat.update's rate tier: wait, retry.
        client.retry_handlers.append(AsyncRateLimitErrorRetryHandler(max_retry_count=3))
        # Slack unreachable for a moment: a request that could not connect never arrived,
        # so it is safe to send again (1, 2, 4, 8, 16 s). One cut off mid-way is not.
        client.retry_handlers.append(AsyncConnectionErrorRetryHandler(
            max_retry_count=5, error_types=[aiohttp.ClientConnectorError],
            interval_calculator=BackoffRetryIntervalCalculator(backoff_factor=1.0)))
        socket_mode = settings.slack_app_token is not None
        secret = settings.slack_signing_secret
        self.app = AsyncApp(
            client=client,
            signing_secret=secret.get_secret_value() if secret else None,
            request_verification_enabled=not socket_mode,
        )
        self.received = ReceivedEvents(manager.runtime.engine, self.platform)
        self.names = SlackNames(client)
        self.port: int | None = None  # set once HTTP mode listens
        self.app.middleware(self._skip_redelivered)
        self.app.event("message")(self._answering(self._on_message))
        self.app.event("app_mention")(self._answering(self._on_mention))
        self.app.event("app_home_opened")(self._answering(self._on_home))
        self.app.action(re.compile(r"^tutor:"))(self._answering(self._on_button))
        self.app.command("/tutor")(self._answering(self._on_command))

    async def run(self, stop: asyncio.Event) -> None:
        """Serve until `stop` is set: Socket Mode with an app token, else HTTP. While
        Slack cannot be reached it retries with backoff; a rejected token raises
        PlatformRefused."""
        if not await self._until_reachable(stop, self._sign_in):
            return
        served = asyncio.Event()  # not `stop`: other platforms may go on
        leases = asyncio.create_task(keep_leases(self.received, served))
        lapsed = asyncio.create_task(
            handle_lapsed_regularly(self.received, self.handle_lapsed, served))
        try:
            await self._serve(stop)
        finally:
            served.set()
            await asyncio.gather(leases, lapsed)

    async def _serve(self, stop: asyncio.Event) -> None:
        if self.settings.slack_app_token is not None:
            from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

            handler = AsyncSocketModeHandler(
                self.app, self.settings.slack_app_token.get_secret_value())
            if not await self._until_reachable(stop, partial(self._open_socket, handler)):
                return
            try:
                await stop.wait()
            finally:
                await handler.close_async()
            return
        runner = web.AppRunner(self.app.web_app(path=EVENTS_PATH))
        await runner.setup()
        site = web.TCPSite(runner, self.settings.slack_listen, self.settings.slack_port)
        await site.start()
        self.port = runner.addresses[0][1]  # the real one when slack_port is 0
        log.info("Slack events at http://%s:%s%s", self.settings.slack_listen, self.port,
                 EVENTS_PATH)
        try:
            await stop.wait()
        finally:
            await runner.cleanup()

    async def _until_reachable(self, stop: asyncio.Event,
                               attempt: Callable[[], Awaitable[None]]) -> bool:
        """`attempt` done, retried with backoff while Slack cannot be reached (one log
        line each time); False if `stop` came first."""
        delay = FIRST_RETRY_S
        while not stop.is_set():
            try:
                await attempt()
                return True
            except (aiohttp.ClientError, OSError, TimeoutError) as error:
                log.warning("Slack API not reachable at %s (%s); retrying in %d s",
                            self.settings.slack_api_url, error or type(error).__name__, delay)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), delay)
            delay = min(delay * 2, MAX_RETRY_S)
        return False

    async def _sign_in(self) -> None:
        # Its own client: the app's would retry a refused connection for 30 s first.
        probe = AsyncWebClient(token=self.token, base_url=self.settings.slack_api_url)
        try:
            await probe.auth_test()
        except SlackApiError as error:
            raise refused("TUTORBOT_SLACK_BOT_TOKEN", error, "the Bot User OAuth Token "
                          "(xoxb-…) on the app's OAuth & Permissions page") from None

    @staticmethod
    async def _open_socket(handler: Any) -> None:
        try:
            await handler.connect_async()
        except SlackApiError as error:
            raise refused("TUTORBOT_SLACK_APP_TOKEN", error, "an app-level token (xapp-…) "
                          "with connections:write, under Basic Information") from None

    async def send_direct(self, user_id: str, reply: Reply) -> None:
        """A message the learner did not ask for (a review nudge), as a DM from the app."""
        try:
            await post(self.app.client, user_id, None, user_id, reply)
        except SlackApiError as error:
            if error.response.get("error") in UNREACHABLE:
                raise Unreachable(str(error.response.get("error"))) from error
            raise
        except TimeoutError as error:  # it may have arrived: never risk a second one
            raise MaybeDelivered("chat.postMessage timed out") from error

    # ---- events in -------------------------------------------------------------------

    async def _skip_redelivered(self, body: dict,
                                next: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        """Take the request with its body (and learner, for /mydata and /forget) before
        Bolt acknowledges it: until it is answered, any worker can replay it."""
        request = request_id(body)
        taken = Taken.NOW if request is None else await asyncio.to_thread(
            self.received.take, request, json.dumps(body), requester(body))
        if taken is Taken.NOW:
            await next()
            return None
        if taken is Taken.ANSWERED:
            return BoltResponse(status=200, body="")  # acknowledge only
        # Another worker holds it and may still answer: not acknowledged, so Slack
        # retries later (1 and 5 minutes), answered then if that worker died.
        return BoltResponse(status=503, body="")

    def _answering(self, listener: Callable[..., Awaitable[None]]
                   ) -> Callable[..., Awaitable[None]]:
        """`listener` (it names `body`), then its request marked answered: after its
        last reply, or once it found nothing to answer or failed (Bolt logs the error;
        replaying would fail again). A worker killed or stopped mid-way (cancelled)
        leaves it unanswered, for a replay."""
        @wraps(listener)  # Bolt passes the arguments that the listener names
        async def answered_after(**kwargs: Any) -> None:
            try:
                await listener(**kwargs)
            except Exception:
                await self._answered(kwargs["body"])
                raise
            await self._answered(kwargs["body"])
        return answered_after

    async def _answered(self, body: dict) -> None:
        """A redelivery or replay is not answered again; its body is not kept."""
        if (request := request_id(body)) is not None:
            await asyncio.to_thread(self.received.answered, request)

    async def handle_lapsed(self) -> int:
        """Replay through Bolt the requests a dead worker took and never answered
        (their lease lapsed): the middleware takes each again, so one worker answers
        it. Their bodies were verified when they came; a replay is dispatched as Socket
        Mode's are, without a signature. Returns how many."""
        lapsed = await asyncio.to_thread(self.received.lapsed)
        for payload, received_at in lapsed:
            body = json.loads(payload)
            response = await self.app.async_dispatch(AsyncBoltRequest(
                body=body, mode="socket_mode", context={FIRST_RECEIVED: received_at}))
            if response.status == 404:  # no listener for it: nothing will ever answer it
                await self._answered(body)
        return len(lapsed)

    async def _on_message(self, event: dict, body: dict, context: dict,
                          client: AsyncWebClient) -> None:
        if (event.get("channel_type") != "im" or event.get("bot_id")
                or event.get("subtype") in IGNORED_SUBTYPES):
            return  # channels are answered through @mentions only
        await self._answer(event, event.get("text", ""), client, context.get(FIRST_RECEIVED))

    async def _on_mention(self, event: dict, body: dict, context: dict,
                          client: AsyncWebClient) -> None:
        text = re.sub(r"<@[A-Z0-9]+>", " ", event.get("text", ""))
        await self._answer(event, " ".join(text.split()), client, context.get(FIRST_RECEIVED))

    async def _answer(self, event: dict, text: str, client: AsyncWebClient,
                      first_received: datetime | None) -> None:
        text = as_command(text, self.manager.commands)
        thread = event.get("thread_ts") or event["ts"]
        files = tuple(self._attachment(file) for file in event.get("files", ()))
        incoming = IncomingMessage(learner_id(event["user"]), text, files=files,
                                   conversation=f"{event['channel']}:{thread}",
                                   group=not event["channel"].startswith("D"),  # D: a DM
                                   first_received=first_received,
                                   name=await self.names.name(event["user"], event))
        await StreamedReply(client, event["channel"], thread, event["user"],
                            self.settings.stream_edit_interval_s).show(
            self.manager.respond(incoming))

    def _attachment(self, file: dict) -> Attachment:
        url = file.get("url_private_download") or file.get("url_private", "")
        return Attachment(file.get("name", "upload"), file.get("size"),
                          lambda: self._download(url, file.get("name", "")))

    async def _download(self, url: str, name: str) -> bytes:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as got:
            if got.status != 200:
                raise TutorError(f"Slack refused the download of {name} (HTTP {got.status}).")
            data = await got.read()
        login_page = got.content_type == "text/html" and not name.lower().endswith(
            (".html", ".htm"))
        if login_page:  # Slack answers a download without a valid token with its login page
            raise TutorError(f"Slack sent a sign-in page instead of {name}: check the bot's "
                             "files:read scope.")
        return data

    async def _on_button(self, ack: Callable[..., Awaitable[None]], body: dict, context: dict,
                         action: dict, client: AsyncWebClient,
                         respond: Callable[..., Awaitable[Any]]) -> None:
        await ack()
        user = body["user"]["id"]
        channel = (body.get("channel") or {}).get("id")
        message = body.get("message") or {}
        thread = message.get("thread_ts") or message.get("ts")
        incoming = IncomingMessage(learner_id(user), "",
                                   button=action["value"].removeprefix("tutor:"),
                                   first_received=context.get(FIRST_RECEIVED))
        replies = [reply async for reply in self.manager.respond(incoming) if not reply.draft]
        if channel is None:  # a click on the App Home tab
            await self._publish_home(client, user)
            return
        in_private = (body.get("container") or {}).get("is_ephemeral", False)
        for reply in replies:
            if in_private:  # a click on a slash command's reply: answer as privately
                for text, message_blocks in messages(reply):
                    await respond(text=text, blocks=message_blocks, response_type="ephemeral",
                                  replace_original=False)
                continue
            # A refusal (someone else's quiz, an old button) is for the clicker only.
            await post(client, channel, thread, user,
                       replace(reply, ephemeral=True) if reply.error else reply)
            await upload_attachments(client, channel, thread, reply)

    async def _on_command(self, ack: Callable[..., Awaitable[None]], command: dict,
                          body: dict, context: dict,
                          respond: Callable[..., Awaitable[Any]]) -> None:
        await ack()
        text = command.get("text", "").strip() or "help"
        is_command = text.split()[0].lower() in self.manager.commands
        # Every response here is ephemeral, for the learner's eyes only: private replies too.
        incoming = IncomingMessage(learner_id(command["user_id"]),
                                   f"/{text}" if is_command else text,  # else: a question
                                   group=not command.get("channel_id", "").startswith("D"),
                                   first_received=context.get(FIRST_RECEIVED),
                                   name=await self.names.name(command["user_id"]))
        quoted = False  # the quote is up; the answer replaces it
        async for reply in self.manager.respond(incoming):
            if reply.draft:
                # The quote as soon as retrieval is done; no further drafts: a
                # response_url takes five messages only.
                if reply.sources and not quoted:
                    await respond(text=draft_text(reply), response_type="ephemeral")
                    quoted = True
                continue
            for fallback, message_blocks in messages(reply):
                await respond(text=fallback, blocks=message_blocks, response_type="ephemeral",
                              replace_original=quoted)
                quoted = False  # a further piece is a message of its own
            if command.get("channel_id", "").startswith("D"):  # a file only in a DM
                await upload_attachments(self.app.client, command["channel_id"], None, reply)
            elif reply.file is not None:
                await respond(text=f"{reply.file.name} comes only in a direct message: "
                              f"send `{text.split()[0]}` to me there.",
                              response_type="ephemeral")

    async def _on_home(self, event: dict, body: dict, client: AsyncWebClient) -> None:
        await self._publish_home(client, event["user"])

    async def _publish_home(self, client: AsyncWebClient, user: str) -> None:
        overview = await asyncio.to_thread(self.manager.overview, learner_id(user))
        await client.views_publish(user_id=user, view={"type": "home",
                                                       "blocks": blocks(overview)})


class StreamedReply:
    """Shows a stream of replies in one thread: drafts update one message (paced to
    one update per `interval_s`), the final reply updates it with blocks."""

    def __init__(self, client: AsyncWebClient, channel: str, thread: str, user: str,
                 interval_s: float) -> None:
        self.client, self.channel, self.thread, self.user = client, channel, thread, user
        self.noted = False  # the thread was told a reply went to the DM
        self.interval_s = interval_s
        self.ts: str | None = None

    async def show(self, replies: AsyncIterator[Reply]) -> None:
        async for reply in paced(replies, self.interval_s):
            if reply.draft:  # text only; the quote comes with its citation
                await self._put(draft_text(reply), None)
            elif reply.ephemeral:
                await post(self.client, self.channel, self.thread, self.user, reply)
            elif reply.private:  # in a DM; the channel's thread is told only that
                await self._privately(reply)
            else:
                for text, message_blocks in messages(reply):
                    await self._put(text, message_blocks)
                    self.ts = None  # a further message or reply is a new one
                await upload_attachments(self.client, self.channel, self.thread, reply)

    async def _privately(self, reply: Reply) -> None:
        """`reply` as a DM (chat.postMessage to the user's id opens the app's DM), its
        file there too; the thread sees SENT_PRIVATELY. Should the DM fail, the reply
        comes as an ephemeral message in the thread: private still, without its file."""
        try:
            channel = await post(self.client, self.user, None, self.user, reply)
        except SlackApiError:
            log.warning("could not DM %s; answering with an ephemeral message", self.user,
                        exc_info=True)
            await post(self.client, self.channel, self.thread, self.user,
                       replace(reply, ephemeral=True))
            return
        await upload_attachments(self.client, channel, None, reply)
        if self.noted:  # a message's several private replies: one note in the thread
            return
        self.noted = True
        for text, message_blocks in messages(Reply(SENT_PRIVATELY)):
            await self._put(text, message_blocks)
            self.ts = None

    async def _put(self, text: str, reply_blocks: list[dict] | None) -> None:
        try:
            if self.ts is None:
                posted = await self.client.chat_postMessage(
                    channel=self.channel, thread_ts=self.thread, text=text, blocks=reply_blocks)
                self.ts = posted["ts"]
            else:
                await self.client.chat_update(channel=self.channel, ts=self.ts, text=text,
                                              blocks=reply_blocks)
        except SlackApiError:
            log.warning("could not show a reply in %s", self.channel, exc_info=True)


async def post(client: AsyncWebClient, channel: str, thread: str | None, user: str,
               reply: Reply) -> str:
    """`reply` posted; the channel it went to (a DM's own id where `channel` was a user's)."""
    if reply.ephemeral:
        await client.chat_postEphemeral(channel=channel, user=user, thread_ts=thread,
                                        text=escape(reply.text[:MAX_TEXT]))
        return channel
    for text, message_blocks in messages(reply):
        posted = await client.chat_postMessage(channel=channel, thread_ts=thread, text=text,
                                               blocks=message_blocks)
        channel = posted.get("channel") or channel
    return channel


def request_id(body: dict) -> str | None:
    """The id a request is taken by: an event's, or a slash command's or a button
    click's trigger id (Slack sends those once); None for others (not taken).

    >>> request_id({"event_id": "Ev1"}), request_id({"trigger_id": "13.7"}), request_id({})
    ('Ev1', 'trigger:13.7', None)
    """
    if event_id := body.get("event_id"):
        return str(event_id)
    return f"trigger:{body['trigger_id']}" if body.get("trigger_id") else None


def requester(body: dict) -> str | None:
    """Whose request it is: the learner a stored body belongs to.

    >>> requester({"event": {"user": "U1"}}), requester({"user_id": "U2"})
    ('slack:U1', 'slack:U2')
    >>> requester({"user": {"id": "U3"}}), requester({"event": {}})
    ('slack:U3', None)
    """
    user = ((body.get("event") or {}).get("user") or body.get("user_id")
            or body.get("user"))
    if isinstance(user, dict):  # an interactive payload's user
        user = user.get("id")
    return learner_id(user) if isinstance(user, str) and user else None


def refused(setting: str, error: SlackApiError, where: str) -> Exception:
    """What Slack's answer to a token means for the person who set it."""
    code = str(error.response.get("error"))
    if code in REJECTED_TOKEN:
        return PlatformRefused(f"Slack rejected {setting} ({code}): copy {where}.")
    return error


# chat.postMessage errors that say this user will not get the bot's DMs
UNREACHABLE = {"user_not_found", "user_disabled", "user_not_visible", "cannot_dm_bot",
               "channel_not_found", "is_archived"}
# bare commands that take an argument in a message
TAKES_WORDS = {"quiz", "coach", "hint", "remind"}


def as_command(text: str, commands: dict) -> str:
    """A message that is a bare command word ("progress", "quiz fire") as the command:
    Slack keeps /words for its own slash commands, so a DM cannot start with one.

    >>> commands = dict.fromkeys(["quiz", "progress", "stop", "course"])
    >>> as_command("progress", commands), as_command("quiz fire safety", commands)
    ('/progress', '/quiz fire safety')
    >>> as_command("stop the truck how?", commands), as_command("course of action", commands)
    ('stop the truck how?', 'course of action')
    """
    words = text.split()
    if not words or words[0].lower() not in commands:
        return text
    if len(words) == 1 or words[0].lower() in TAKES_WORDS:
        return "/" + text.strip()
    return text


async def upload_attachments(client: AsyncWebClient, channel: str, thread: str | None,
                             reply: Reply) -> None:
    """A reply's picture (the /progress chart) and file (a long /mydata) as files in
    the same thread."""
    if reply.ephemeral:
        return
    try:
        if reply.image is not None:
            await client.files_upload_v2(channel=channel, thread_ts=thread,
                                         content=reply.image.data, filename=reply.image.name,
                                         title="Your progress", alt_txt=reply.image.alt[:1000])
        if reply.file is not None:
            await client.files_upload_v2(channel=channel, thread_ts=thread,
                                         content=reply.file.data, filename=reply.file.name,
                                         title=reply.file.caption)
    except SlackApiError:
        log.warning("could not upload a file to %s", channel, exc_info=True)


def escape(text: str) -> str:
    """Text as Slack shows it, never as markup: `<!channel>`, `<@U123>` and
    `<https://x|label>` from a document, the model or a learner stay text.

    >>> escape("<!channel> & <https://evil.example|payroll>")
    '&lt;!channel&gt; &amp; &lt;https://evil.example|payroll&gt;'
    """
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escaped_len(text: str) -> int:
    return len(escape(text))


def draft_text(reply: Reply) -> str:
    """A draft, escaped: its first message's worth of text, then the sources it cites
    so far, one line each (a document's name is never markup)."""
    cited = "\n".join(f"[{s.number}] {s.label[:MAX_DRAFT_LABEL]}" for s in reply.sources[:10])
    room = MAX_TEXT - escaped_len(f"\n{cited} …")
    texts = split_text(reply.text, room, escaped_len) if reply.text.strip() else ["…"]
    shown = escape(texts[0]) + " …" * (len(texts) > 1)
    return f"{shown}\n{escape(cited)}" if cited else shown


def messages(reply: Reply) -> list[tuple[str, list[dict]]]:
    """A final reply as Slack messages, each (fallback text, Block Kit blocks): the
    text in sections of at most 3,000 characters as escaped, up to 40 a message, and
    after the last: a notice, the sources as context, then the buttons. The fallback
    text is what notifications and screen readers show."""
    texts = split_text(reply.text, MAX_TEXT, escaped_len) if reply.text.strip() else []
    grouped = [texts[start:start + SECTIONS_PER_MESSAGE]
               for start in range(0, len(texts), SECTIONS_PER_MESSAGE)] or [[]]
    result = [(escape("\n\n".join(group)[:MAX_TEXT]) or "…",
               [{"type": "section", "text": {"type": "mrkdwn", "text": escape(text)}}
                for text in group]) for group in grouped]
    result[-1][1].extend(reply_footer(reply))
    return result


def blocks(reply: Reply) -> list[dict]:
    """All of a reply's blocks in one list (the App Home tab holds up to 100)."""
    return [block for _, message_blocks in messages(reply) for block in message_blocks]


def reply_footer(reply: Reply) -> list[dict]:
    footer: list[dict] = []
    if reply.notice:
        footer.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": f"⚠ {escape(reply.notice)}"}]})
    if reply.sources:
        footer.append({"type": "context", "elements": [
            {"type": "mrkdwn", "text": f"[{s.number}] {escape(s.label[:MAX_CONTEXT])}"}
            for s in reply.sources[:10]]})
    if reply.buttons:
        footer.append({"type": "actions", "elements": [button(b) for b in reply.buttons[:25]]})
    return footer


def button(choice: Button) -> dict:
    return {"type": "button", "text": {"type": "plain_text", "text": choice.label[:75]},
            "action_id": f"tutor:{choice.action}"[:255], "value": f"tutor:{choice.action}"}
