"""Long replies split into messages: every piece within the limit, nothing lost,
no code block left open (property-based, with the platforms' ways of counting)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.long_replies import FENCE, split_text
from bot.telegram import utf16_len

PARTS = ["Keep exits clear.", "🔥", "Übung", "x" * 300, "> ", "```", "*bold*", "&<>", "- item",
         "| a | b |", "1. step", "\n", "\n\n", " "]
texts = st.lists(st.sampled_from(PARTS), min_size=1, max_size=600).map("".join)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(texts, st.sampled_from([24, 60, 300, 4096]))
def test_pieces_fit_lose_nothing_and_close_their_code(text: str, limit: int) -> None:
    pieces = split_text(text, limit, utf16_len)
    assert all(utf16_len(piece) <= limit for piece in pieces)
    assert re.sub(r"[\s>`]", "", "".join(pieces)) == re.sub(r"[\s>`]", "", text)
    fences = [sum(line.startswith(FENCE) for line in piece.split("\n")) for piece in pieces]
    assert all(count % 2 == 0 for count in fences[:-1])  # a cut code block is closed
