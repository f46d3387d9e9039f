"""Learners' names as Slack shows them, for trainers' pages (tutor/learner_names.py).

A user's message event usually carries their profile (`user_profile`): its name
costs nothing. Where it does not (a slash command, an @mention without it), one
`users.info` call per user a day finds it (the `users:read` scope); without that
scope, or while Slack is slow, the name stays unknown ("") and the stored one
stays. Each worker asks at most once a day per user, whatever the answer was.
"""

from __future__ import annotations

import asyncio
import logging
import time

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

log = logging.getLogger(__name__)
KEEP_S = 24 * 3600.0  # how long a name found (or not) is used before asking again
LOOKUP_TIMEOUT_S = 2.0  # a question never waits longer than this for its asker's name


def profile_name(profile: dict | None) -> str:
    """The name Slack shows for a profile: the display name, else the real name.

    >>> profile_name({"display_name": "", "real_name": "Ana Lima"})
    'Ana Lima'
    >>> profile_name({"display_name": "ana", "real_name": "Ana Lima"}), profile_name(None)
    ('ana', '')
    """
    profile = profile or {}
    return " ".join(str(profile.get("display_name") or profile.get("real_name") or "").split())


class SlackNames:
    def __init__(self, client: AsyncWebClient, keep_s: float = KEEP_S) -> None:
        self.client = client
        self.keep_s = keep_s
        self._known: dict[str, tuple[str, float]] = {}  # user → (name, when found)
        self._told = False  # the missing scope is logged once

    async def name(self, user: str, event: dict | None = None) -> str:
        """`user`'s name: from the event's profile if it has one, else looked up."""
        if name := profile_name((event or {}).get("user_profile")):
            self._known[user] = (name, time.monotonic())
            return name
        known = self._known.get(user)
        if known is not None and time.monotonic() - known[1] < self.keep_s:
            return known[0]
        name = await self._look_up(user)
        self._known[user] = (name, time.monotonic())
        return name

    async def _look_up(self, user: str) -> str:
        try:
            found = await asyncio.wait_for(self.client.users_info(user=user), LOOKUP_TIMEOUT_S)
        except SlackApiError as error:
            if not self._told:
                log.info("learners' names stay unknown to the console: users.info said %s "
                         "(the app needs the users:read scope)", error.response.get("error"))
                self._told = True
            return ""
        except (TimeoutError, aiohttp.ClientError, OSError):
            return ""  # asked again tomorrow; the stored name stays meanwhile
        person = found.get("user") or {}
        return profile_name(person.get("profile")) or profile_name(person)
