"""FakeSlack against a real slack_bolt AsyncApp served over HTTP: the fake must fool Bolt."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import aiohttp
import pytest
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from tests.platforms.slack_api import FakeSlack


@dataclass
class Bot:
    """A minimal Bolt app on a free port, recording what its listeners saw."""

    app: AsyncApp
    url: str
    seen: list[tuple[str, dict]] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(1 for k, _ in self.seen if k == kind)


def build_app(fake: FakeSlack, seen: list[tuple[str, dict]]) -> AsyncApp:
    # Only `client`: giving `token=` as well makes Bolt log "client prioritized" warnings.
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
    app = AsyncApp(client=client, signing_secret=fake.signing_secret)

    @app.event("message")
    async def on_message(event, say, client, request):
        retry = request.headers.get("x-slack-retry-num", [None])[0]
        seen.append(("message", {**event, "retry_num": retry}))
        posted = await say(text=f"echo: {event.get('text', '')}",
                           thread_ts=event.get("thread_ts") or event["ts"])
        if event.get("text") == "update me":
            await client.chat_update(channel=posted["channel"], ts=posted["ts"], text="updated")

    @app.event("app_mention")
    async def on_mention(event, say):
        seen.append(("mention", event))
        await say(text="hello channel", thread_ts=event["ts"])

    @app.event("app_home_opened")
    async def on_home(event, client):
        seen.append(("home", event))
        await client.views_publish(user_id=event["user"], view={
            "type": "home", "blocks": [{"type": "section",
                                        "text": {"type": "mrkdwn", "text": "Welcome"}}]})

    @app.action("grade")
    async def on_grade(ack, body, client):
        await ack()
        seen.append(("action", body))
        await client.chat_update(channel=body["channel"]["id"],
                                 ts=body["container"]["message_ts"],
                                 text=f"graded {body['actions'][0]['value']}")

    @app.command("/tutor")
    async def on_tutor(ack, command, respond):
        await ack()
        seen.append(("command", command))
        await respond(f"you asked: {command['text']}")

    return app


@pytest.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack() as slack:
        yield slack


@pytest.fixture
async def bot(fake: FakeSlack) -> AsyncIterator[Bot]:
    seen: list[tuple[str, dict]] = []
    app = build_app(fake, seen)
    runner = web.AppRunner(app.web_app(path="/slack/events"))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    port = runner.addresses[0][1]
    yield Bot(app, f"http://127.0.0.1:{port}/slack/events", seen)
    await runner.cleanup()


def replies(fake: FakeSlack, channel: str, thread_ts: str) -> list[dict]:
    return [m for m in fake.messages(channel) if m["thread_ts"] == thread_ts]


async def test_dm_message_gets_threaded_reply_and_auth_test_comes_first(fake, bot):
    event = fake.message_event("U1", "what is a torque wrench?")
    assert await fake.send_event(bot.url, event) == (200, "")
    [reply] = await fake.wait_for(lambda: replies(fake, "D0001", event["ts"]))
    assert reply["text"] == "echo: what is a torque wrench?"
    assert float(reply["ts"]) > float(event["ts"])
    assert [name for name, _ in fake.calls] == ["auth.test", "chat.postMessage"]


async def test_app_mention_in_channel(fake, bot):
    event = fake.mention_event("U2", "help")
    assert event["text"] == "<@UBOT> help"
    await fake.send_event(bot.url, event)
    [reply] = await fake.wait_for(lambda: replies(fake, "C0001", event["ts"]))
    assert reply["text"] == "hello channel"
    assert bot.count("mention") == 1


async def test_chat_update_keeps_history(fake, bot):
    event = fake.message_event("U1", "update me")
    await fake.send_event(bot.url, event)
    [reply] = await fake.wait_for(
        lambda: [m for m in fake.messages("D0001") if m["text"] == "updated"])
    assert fake.updates("D0001", reply["ts"]) == ["echo: update me", "updated"]
    with pytest.raises(SlackApiError) as error:
        await bot.app.client.chat_update(channel="D0001", ts="1.000000", text="x")
    assert error.value.response["error"] == "message_not_found"


async def test_button_click_reaches_action_after_ack(fake, bot):
    blocks = [{"type": "actions", "block_id": "quiz", "elements": [
        {"type": "button", "action_id": "grade", "value": "A",
         "text": {"type": "plain_text", "text": "A"}}]}]
    posted = await bot.app.client.chat_postMessage(channel="D0001", text="Pick", blocks=blocks)
    status, _ = await fake.send_action(bot.url, "U1", "grade", "A", channel="D0001",
                                       message_ts=posted["ts"])
    assert status == 200
    await fake.wait_for(lambda: fake.updates("D0001", posted["ts"])[-1] == "graded A")
    [(_, body)] = [s for s in bot.seen if s[0] == "action"]
    assert body["actions"][0]["block_id"] == "quiz"
    assert fake.messages("D0001")[0]["blocks"] == blocks


async def test_slash_command_responds_via_response_url(fake, bot):
    status, _ = await fake.send_command(bot.url, "/tutor", "quiz me", "U1")
    assert status == 200
    [response] = await fake.wait_for(lambda: fake.responses)
    assert response["text"] == "you asked: quiz me"


async def test_bad_signature_is_rejected_by_bolt(fake, bot):
    status, _ = await fake.send_event(bot.url, fake.message_event("U1", "hi"), bad_signature=True)
    assert status == 401
    assert bot.seen == [] and fake.calls == []


async def test_redelivered_event_is_not_deduplicated_by_bolt(fake, bot):
    event = fake.message_event("U1", "once")
    assert (await fake.send_event(bot.url, event, event_id="Ev1"))[0] == 200
    assert (await fake.send_event(bot.url, event, event_id="Ev1", retry_num=1))[0] == 200
    await fake.wait_for(lambda: len(replies(fake, "D0001", event["ts"])) == 2)
    # Bolt acks both and runs the listener twice: deduplication is the app's job. It does not
    # read the retry headers either, but a listener can, from its `request` argument.
    retries = [e["retry_num"] for k, e in bot.seen if k == "message"]
    assert sorted(retries, key=str) == ["1", None]


async def test_app_home_opened_publishes_view(fake, bot):
    await fake.send_event(bot.url, fake.app_home_opened_event("U3"))
    view = await fake.wait_for(lambda: fake.views.get("U3"))
    assert view["type"] == "home"


async def test_url_verification_echoes_challenge(fake, bot):
    status, body = await fake.send_url_verification(bot.url)
    assert status == 200 and "challenge" in json.loads(body)


async def test_file_share_and_download_need_the_token(fake, bot):
    info = fake.add_file("notes.pdf", b"%PDF-1.4 data", filetype="pdf")
    assert (await bot.app.client.files_info(file=info["id"]))["file"]["size"] == 13
    await fake.send_event(bot.url, fake.message_event("U1", "", files=[info]))
    await fake.wait_for(lambda: bot.count("message"))
    [(_, event)] = bot.seen
    assert event["subtype"] == "file_share" and event["files"][0]["id"] == info["id"]
    url = info["url_private_download"]
    async with aiohttp.ClientSession() as http:
        auth = {"Authorization": f"Bearer {fake.bot_token}"}
        async with http.get(url, headers=auth) as resp:
            assert (resp.status, await resp.read()) == (200, b"%PDF-1.4 data")
        async with http.get(url) as resp:
            assert resp.status == 200 and "<html" in await resp.text()
        async with http.get(url, headers={"Authorization": "Bearer xoxb-wrong"}) as resp:
            assert resp.status == 403


async def test_wrong_token_and_unknown_method(fake):
    with pytest.raises(SlackApiError) as error:
        await AsyncWebClient(token="xoxb-bad", base_url=fake.api_url).auth_test()
    assert error.value.response["error"] == "invalid_auth"
    client = AsyncWebClient(token=fake.bot_token, base_url=fake.api_url)
    with pytest.raises(SlackApiError) as error:
        await client.api_call("reactions.add", json={"name": "tada"})
    assert error.value.response["error"] == "unknown_method"
    assert fake.unknown_methods == ["reactions.add"]
