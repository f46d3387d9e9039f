"""The console in a real browser: Debian's chromium driven by Playwright (nothing is
downloaded: .ci/run installs the Debian package), against the console served by
`bot.web.server.serve_web` in a thread, over a temporary data dir and the fake
embedder. Fast enough for the normal suite (a second or two a test); tests that need
the real models mark themselves e2e.

Fixtures (tests/bot/web/conftest.py imports them; tests/e2e can too):
  chromium        the browser, once per test module (skipped, saying why, without it)
  live_console    a `LiveConsole`: the server's url and runtime, accounts, links
  console_errors  what the page logged as an error; the test fails if anything was
  page            a fresh context (its own cookies) on live_console, watched by
                  console_errors
Helpers: sign_in_with_link, sign_in_with_password, check_page_basics, fail_on_dialogs.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, sync_playwright

from bot.web.server import serve_web
from tests.bot.web.console import PASSWORD, admin
from tests.conftest import NO_CHROMIUM
from tests.fakes import FakeEmbedder
from tests.postgres import free_port
from tutor.console.accounts import Account, list_accounts, make_sign_in_link
from tutor.runtime import Runtime
from tutor.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}  # an iPhone 12 to 15, in CSS pixels


@dataclass
class LiveConsole:
    url: str
    runtime: Runtime

    def admin(self, email: str = "boss@example.org") -> Account:
        """An admin with the tests' password (PASSWORD)."""
        return admin(self.runtime.engine, email)

    def link(self, email: str) -> str:
        """A fresh one-time sign-in link for the account (as `tutorbot admin link`)."""
        account = next(a for a in list_accounts(self.runtime.engine) if a.email == email)
        return f"{self.url}/sign-in/link?token={make_sign_in_link(self.runtime.engine, account.id)}"


@dataclass
class BrowserErrors:
    """Console errors and uncaught exceptions of the pages it watches. A page whose
    own address answered 4xx on purpose (a refused sign-in is a 401) is no error;
    anything it loads that fails, a CSP refusal, a script error is."""

    seen: list[str] = field(default_factory=list)

    def watch(self, page: Page) -> None:
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda error: self.seen.append(f"page error: {error}"))

    def _console(self, page: Page, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        own_status = (message.text.startswith("Failed to load resource: the server "
                                              "responded with a status of 4")
                      and message.location.get("url") == page.url)
        if not own_status:
            self.seen.append(f"console error on {page.url}: {message.text} "
                             f"({message.location.get('url')})")

    def check(self) -> None:
        assert not self.seen, "the browser reported errors:\n" + "\n".join(self.seen)


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """Once per test module (about 1.5 s to start): while Playwright's sync API runs,
    its event loop counts as running in this thread, and pytest-asyncio cannot start
    the async tests of other modules. Keep async tests out of browser test modules."""
    if not CHROMIUM.exists():
        pytest.skip(NO_CHROMIUM)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def live_console(tmp_path: Path) -> Iterator[LiveConsole]:
    port = free_port()
    settings = Settings(data_dir=tmp_path / "data", web_host="127.0.0.1", web_port=port,
                        _env_file=None)
    runtime = Runtime(settings, embedder=FakeEmbedder())
    with serving(runtime) as url:
        yield LiveConsole(url, runtime)
    runtime.close()


class _Serving:
    """serve_web on its own event loop in a thread, until stopped."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.loop = asyncio.new_event_loop()
        self.stop = asyncio.Event()
        self.failure: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="live-console", daemon=True)

    def _run(self) -> None:
        try:
            self.loop.run_until_complete(serve_web(self.runtime, self.stop))
        except BaseException as error:  # shown by the test that waits for it
            self.failure = error
        finally:
            self.loop.close()

    def __enter__(self) -> str:
        self.thread.start()
        settings = self.runtime.settings
        url = f"http://{settings.web_host}:{settings.web_port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.thread.is_alive():
            try:
                if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                    return url
            except httpx.HTTPError:
                time.sleep(0.05)
        raise AssertionError(f"the console did not start at {url}: {self.failure!r}")

    def __exit__(self, *_: object) -> None:
        if self.thread.is_alive():
            self.loop.call_soon_threadsafe(self.stop.set)
        self.thread.join(15)


def serving(runtime: Runtime) -> _Serving:
    """`with serving(runtime) as url:` the console at `url` (settings' web_host and
    web_port) until the block ends."""
    return _Serving(runtime)


@pytest.fixture
def console_errors() -> BrowserErrors:
    return BrowserErrors()


@pytest.fixture
def page(chromium: Browser, live_console: LiveConsole, console_errors: BrowserErrors
         ) -> Iterator[Page]:
    context = chromium.new_context(base_url=live_console.url, viewport=DESKTOP)
    context.set_default_timeout(10_000)
    new_page = context.new_page()
    console_errors.watch(new_page)
    yield new_page
    context.close()
    console_errors.check()


def sign_in_with_link(page: Page, console: LiveConsole, email: str = "boss@example.org"
                      ) -> None:
    """Open a fresh one-time link for `email` (made an admin first if it has no
    account), as a new user does from `make run`; lands on the courses page."""
    if not any(a.email == email for a in list_accounts(console.runtime.engine)):
        console.admin(email)
    page.goto(console.link(email))
    page.wait_for_url("**/courses")


def sign_in_with_password(page: Page, email: str, password: str = PASSWORD) -> None:
    """Fill in and send the sign-in form, by its labels, as a person does."""
    if "/sign-in" not in page.url:
        page.goto("/sign-in")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def fail_on_dialogs(page: Page) -> list[str]:
    """Dismiss and note every alert, confirm or prompt the page opens: the list a test
    asserts empty (a learner's `<script>` that ran would open one)."""
    opened: list[str] = []

    def note(dialog: Dialog) -> None:
        opened.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    page.on("dialog", note)
    return opened


_UNLABELLED = """() => {
  const named = (id) => { const e = document.getElementById(id);
                          return e && e.textContent.trim() !== ""; };
  return [...document.querySelectorAll("input, select, textarea")].filter((field) => {
    if (["hidden", "submit", "button", "reset", "image"].includes(field.type)) return false;
    const box = field.getBoundingClientRect(), style = getComputedStyle(field);
    if (box.width === 0 || box.height === 0 || style.visibility === "hidden") return false;
    const labelled = [...field.labels].some((label) => label.textContent.trim() !== "")
      || (field.getAttribute("aria-label") || "").trim() !== ""
      || (field.getAttribute("aria-labelledby") || "").split(/\\s+/).some(named);
    return !labelled;
  }).map((field) => field.outerHTML);
}"""

_OVERFLOWING = """() => {
  const width = window.innerWidth;
  const wide = [...document.body.querySelectorAll("*")]
    .filter((e) => e.getBoundingClientRect().right > width + 1)
    .map((e) => e.tagName.toLowerCase() + (e.className ? "." + e.className : ""));
  return {scroll: document.scrollingElement.scrollWidth, width, wide: wide.slice(0, 5)};
}"""


def check_page_basics(page: Page) -> None:
    """What every console page owes its reader: a title, a label on every field one
    can see, and nothing wider than a phone (390 px: the page must not scroll
    sideways; a wide table scrolls inside its own box)."""
    title = page.title()
    assert title.strip(), f"{page.url} has no <title>"
    unlabelled = page.evaluate(_UNLABELLED)
    assert not unlabelled, f"{page.url}: fields without a label: {unlabelled}"
    size = page.viewport_size
    page.set_viewport_size(PHONE)
    try:
        layout = page.evaluate(_OVERFLOWING)
        assert layout["scroll"] <= layout["width"], (
            f"{page.url} is {layout['scroll']} px wide at a phone's {layout['width']} px; "
            f"too wide: {layout['wide']}")
    finally:
        if size:
            page.set_viewport_size(size)
