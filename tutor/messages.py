"""The platform-neutral message types every adapter translates to and from."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

# A reply that comes this soon needs no "Looking in the course material…" before it:
# a bot may send about 30 requests a second, and under 50 learners' questions the
# placeholders and "typing…" queued ahead of the quotes (bench.telegram_load).
PLACEHOLDER_AFTER_S = 1.0
# What a group sees when a learner's own data went to them privately.
SENT_PRIVATELY = "📬 That is about you alone, so I sent it to you in a private message."


def open_a_private_chat(link: str) -> str:
    """What a group sees when the learner's private chat with the bot is not open yet
    (a bot cannot start one): a link that opens it and asks again there.

    >>> open_a_private_chat("https://t.me/tutorbot?start=progress")[:40]
    'That is about you alone, so it goes to a'
    """
    return ("That is about you alone, so it goes to a private chat, and you have not opened "
            f"one with me yet: open {link} and press Start, and I'll send it there.")


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message. `fetch` downloads it: nothing is downloaded until
    the tutor has decided to accept it (a non-admin's upload never is)."""

    name: str
    size: int | None
    fetch: Callable[[], Awaitable[bytes]]


@dataclass(frozen=True)
class Button:
    """A choice shown under a reply; a click comes back as ``IncomingMessage.button``."""

    label: str
    action: str
    command: str | None = None  # the same choice typed, where there is nothing to click


@dataclass(frozen=True)
class IncomingMessage:
    """One thing a user said or did, whatever the platform.

    `learner` is a platform-qualified id such as ``telegram:12345`` or ``console:ana``.
    `conversation` separates threads of one learner (a Slack thread); follow-up
    questions are read within it. Adapters set `group` where others can read along.
    """

    learner: str
    text: str
    course: str | None = None
    button: str | None = None
    files: tuple[Attachment, ...] = ()
    conversation: str = ""
    # Others read this conversation (a Telegram group, a Slack channel): a reply about
    # the learner alone is marked `Reply.private` and goes to them privately.
    group: bool = False
    # Set when a message is handled again because the worker that took it died: when
    # it first came. A quiz answer recorded since then was this one's (or a later one's).
    first_received: datetime | None = None
    # The learner's name as the platform shows it ("" where the event does not say):
    # kept for trainers' pages (tutor/learner_names.py), never used in replies.
    name: str = ""


@dataclass(frozen=True)
class Source:
    """A passage an answer relies on; `number` is the [n] used in the answer text."""

    number: int
    document: str
    section: str
    text: str
    score: float
    page: int | None = None

    @property
    def label(self) -> str:
        where = f", p. {self.page}" if self.page else ""
        return f"{self.document} — {self.section}{where}" if self.section else self.document


@dataclass(frozen=True)
class Image:
    """A picture sent with a reply (a PNG made in memory), and what it shows in words."""

    name: str
    data: bytes
    alt: str


@dataclass(frozen=True)
class File:
    """A file sent with a reply (a /mydata export too long for a message)."""

    name: str
    data: bytes
    caption: str


@dataclass(frozen=True)
class Reply:
    """What the tutor says. Streamed answers arrive as drafts (``draft=True``) whose
    text is the whole answer so far; the adapter edits one message in place and the
    final reply (``draft=False``) replaces the last draft."""

    text: str
    sources: tuple[Source, ...] = ()
    draft: bool = False
    notice: str | None = None
    buttons: tuple[Button, ...] = ()
    # For the sender's eyes only, and short: a Slack ephemeral message, a Telegram toast.
    ephemeral: bool = False
    error: bool = False
    image: Image | None = None  # fronts that show pictures send it; the text says it all too
    file: File | None = None  # every front delivers it; the text says what it holds
    # The learner's own data, asked for in a group: the front delivers it (file and
    # picture too) in the learner's private chat and shows the group SENT_PRIVATELY.
    private: bool = False
    data: dict[str, object] = field(default_factory=dict)


async def paced(replies: AsyncIterator[Reply], interval_s: float,
                hold_s: float = PLACEHOLDER_AFTER_S) -> AsyncIterator[Reply]:
    """The replies an adapter should show when each draft costs an API call (a message
    edit): every final reply, the first draft that cites the material (the quote: the
    first useful reply, never held back), and other non-empty drafts only once
    `interval_s` has passed since the last reply shown; the final reply carries the
    whole text anyway. A first draft that cites nothing ("Looking in the course
    material…") waits `hold_s`, and is not shown if another reply comes meanwhile."""
    last_shown = -interval_s
    cited = False
    async for reply in _placeholder_only_if_slow(replies, hold_s):
        first_cited = reply.draft and bool(reply.sources) and not cited
        if reply.draft and not first_cited and (
                not reply.text.strip() or time.monotonic() - last_shown < interval_s):
            continue
        cited = cited or first_cited
        yield reply
        last_shown = time.monotonic()  # after the adapter has shown it


async def _placeholder_only_if_slow(replies: AsyncIterator[Reply], hold_s: float
                                    ) -> AsyncIterator[Reply]:
    iterator = aiter(replies)
    try:
        first = await anext(iterator)
    except StopAsyncIteration:
        return
    if first.draft and not first.sources:
        following = asyncio.ensure_future(anext(iterator))
        done, _ = await asyncio.wait({following}, timeout=hold_s)
        if not done:
            yield first  # slow: the placeholder is worth its message
        try:
            first = await following
        except StopAsyncIteration:
            return
    yield first
    async for reply in iterator:
        yield reply


def button_number(text: str) -> int | None:
    """A number carried by a button's action ("quiz:12:0:3"), or None when it is not
    one: a click can carry anything, and only plain digits of a sane length are ids.

    >>> button_number("12"), button_number("²"), button_number("9" * 30), button_number("")
    (12, None, None, None)
    """
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 12 else None
