"""A pseudo-language for proving that the console's words all go through the
translation layer: every message `pybabel extract` finds (with babel.cfg, as `make
messages` runs it) is "translated" into itself between ⟦ and ⟧, with each value put
into it between ⟪ and ⟫. A page rendered in it shows at once what bypassed the layer:
any letters outside ⟦…⟧ that are not the test's data, including a value put into a
translated sentence (⟪…⟫) that was itself never translated."""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo

import tutor.i18n
from tutor.i18n import DOMAIN

ROOT = Path(__file__).resolve().parents[3]
SOURCES = ("bot", "tutor", "knowledge")  # as `make messages` extracts them
PSEUDO = "en_XA"  # the code CLDR keeps for pseudo-locales
OPEN, CLOSE, VALUE_OPEN, VALUE_CLOSE = "⟦", "⟧", "⟪", "⟫"
# Test data says so: free text carries ᴅᴀᴛᴀ; names, file names and emails zq.
DATA_MARK = re.compile(r"ᴅᴀᴛᴀ|zq")
LETTERS = re.compile(r"[A-Za-z]")
_JS_PLACEHOLDER = re.compile(r"\{[a-z]+\}")
_PLACEHOLDER = re.compile(r"%\([a-z_]+\)[#0 +-]*\d*(?:\.\d+)?[diouxXeEfFgGcrs]")


def extracted() -> Catalog:
    """Every message of the console, the chat and knowledge/, as extraction finds it."""
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    catalog = Catalog(locale="en", domain=DOMAIN)
    keywords = {**DEFAULT_KEYWORDS, "N_": None}
    for folder in SOURCES:
        for path, line, message, _comments, context in extract_from_dir(
                ROOT / folder, method_map, options_map, keywords=keywords):
            catalog.add(message, None, [(f"{folder}/{path}", line)], context=context)
    return catalog


def pseudo(message: str) -> str:
    """
    >>> pseudo("Removed %(name)s from %(course)s")
    '⟦Removed ⟪%(name)s⟫ from ⟪%(course)s⟫⟧'
    """
    return OPEN + _PLACEHOLDER.sub(lambda m: VALUE_OPEN + m.group(0) + VALUE_CLOSE,
                                   message) + CLOSE


def write_pseudo_catalogue(locales: Path, catalog: Catalog) -> None:
    """`catalog` in the pseudo-language, compiled where tutor.i18n looks for it."""
    translated = Catalog(locale="en", domain=DOMAIN)
    for message in catalog:
        if not message.id:
            continue
        string = (tuple(pseudo(m) for m in message.id) if isinstance(message.id, tuple)
                  else pseudo(message.id))
        translated.add(message.id, string, context=message.context)
    folder = locales / PSEUDO / "LC_MESSAGES"
    folder.mkdir(parents=True)
    with (folder / f"{DOMAIN}.mo").open("wb") as out:
        write_mo(out, translated)


@pytest.fixture
def pseudo_language(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The pseudo-language's code, its catalogue made and found by tutor.i18n."""
    write_pseudo_catalogue(tmp_path / "locales", extracted())
    monkeypatch.setattr(tutor.i18n, "LOCALES", tmp_path / "locales")
    tutor.i18n.translations.cache_clear()
    yield PSEUDO
    tutor.i18n.translations.cache_clear()


# ---- finding what bypassed the layer ------------------------------------------------

# Read by people though not text: hover titles, screen readers' labels, placeholders,
# confirmations (console.js shows data-confirm), texts console.js shows (data-text-*).
READABLE = ("title", "aria-label", "placeholder", "alt", "data-confirm")
# Not read as words: scripts and styles, and commands typed as they are written.
SKIPPED = ("script", "style", "code")
VOID = ("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
        "source", "track", "wbr")


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []  # the visible text nodes, in order
        self.attributes: list[tuple[str, str, str]] = []  # (tag, name, value)
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        for name, value in attrs:
            if value and (name in READABLE or name.startswith("data-text-") or (
                    name == "value" and tag == "input"
                    and found.get("type") in ("submit", "button", "reset"))):
                self.attributes.append((tag, name, value))
        if tag not in VOID:
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            while self._open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if not any(tag in SKIPPED for tag in self._open):
            self.text.append(data)


def _untranslated_pieces(nodes: Iterable[str]) -> Iterator[str]:
    """The stretches of `nodes` (one text, cut into nodes) outside ⟦…⟧, and the values
    put into translations (⟪…⟫, which may hold translations of their own)."""
    depth: list[str] = []
    for node in nodes:
        piece = ""
        for char in node:
            if char in (OPEN, VALUE_OPEN):
                if not depth or depth[-1] == VALUE_OPEN:
                    yield piece
                piece = ""
                depth.append(char)
            elif char in (CLOSE, VALUE_CLOSE) and depth:
                if depth[-1] == VALUE_OPEN:
                    yield piece
                piece = ""
                depth.pop()
            elif not depth or depth[-1] == VALUE_OPEN:
                piece += char
        yield piece


def is_data(piece: str, data: list[str]) -> bool:
    """Whether `piece`, with no translation in it, is all the test's data: no letters
    once its data is taken out, or a marked part of one datum (a passage's sentence,
    cut where the page marks its answer)."""
    text = piece.strip()
    if not LETTERS.search(text):
        return True
    for datum in data:  # as a whole: "red" is no part of "Retired"
        text = re.sub(rf"(?<!\w){re.escape(datum)}(?!\w)", " ", text)
    if not LETTERS.search(text):
        return True
    core = piece.strip(" \n\t.,;:-·()[]“”'\"\u2013\u2014")
    return bool(DATA_MARK.search(core)) and any(core in datum for datum in data)


def untranslated(html: str, data: list[str]) -> list[str]:
    """What a page in the pseudo-language shows that is neither translated nor data."""
    page = _Page()
    page.feed(html)
    found = [f"text: {p.strip()!r}" for p in _untranslated_pieces(page.text)
             if not is_data(p, data)]
    for tag, name, value in page.attributes:
        if name.startswith("data-text-"):  # console.js fills its {placeholders}
            value = _JS_PLACEHOLDER.sub("", value)
        found += [f"<{tag} {name}>: {p.strip()!r}" for p in _untranslated_pieces([value])
                  if not is_data(p, data)]
    return found


def data_strings(values: Iterable[object]) -> list[str]:
    """The marked strings among `values` (JSON held in strings opened up), longest first
    (so that a datum is taken out before a part of it)."""
    found: set[str] = set()

    def collect(value: object) -> None:
        if isinstance(value, str):
            if value[:1] in "[{":
                with contextlib.suppress(ValueError):
                    collect(json.loads(value))
            if DATA_MARK.search(value):
                found.add(value)
        elif isinstance(value, dict):
            for item in value.values():
                collect(item)
        elif isinstance(value, list | tuple):
            for item in value:
                collect(item)

    for value in values:
        collect(value)
    return sorted(found, key=len, reverse=True)
