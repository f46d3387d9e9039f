"""What an adapter shows of a stream of replies."""

import asyncio
from collections.abc import AsyncIterator

from knowledge.retrieve import Passage
from tutor.messages import Reply, paced

SOURCE = Passage(1, "fire.md", "Fire", None, "Use CO2 on electrical fires.", 0.6)


async def stream(delay_s: float) -> AsyncIterator[Reply]:
    yield Reply("Looking in the course material…", draft=True)
    await asyncio.sleep(delay_s)
    yield Reply("> Use CO2 on electrical fires. [1]", (SOURCE,), draft=True)
    yield Reply("Use CO2 on electrical fires. [1]", (SOURCE,))


async def test_a_quote_that_comes_at_once_needs_no_placeholder() -> None:
    shown = [r.text async for r in paced(stream(0.0), interval_s=0.0, hold_s=0.5)]
    assert shown[0].startswith("> Use CO2") and len(shown) == 2


async def test_a_slow_answer_shows_the_placeholder_first() -> None:
    shown = [r.text async for r in paced(stream(0.2), interval_s=0.0, hold_s=0.05)]
    assert shown[0].startswith("Looking") and shown[1].startswith("> Use CO2")
    assert len(shown) == 3
