"""console.js has no words of its own: in chromium, on a console in the pseudo-language
(tests/bot/web/pseudo_locale.py), the files chosen for an upload are listed, and a
removal is confirmed, in words that came through the translation layer."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser

from tests.bot.web.browser import BrowserErrors, serving
from tests.bot.web.console import admin
from tests.fakes import FakeEmbedder
from tests.postgres import free_port
from tutor.console.accounts import make_sign_in_link
from tutor.runtime import Runtime
from tutor.settings import Settings

COURSE = "zq-safety"


def test_console_js_says_only_what_the_page_gives_it(chromium: Browser, tmp_path: Path,
                                                     pseudo_language: str) -> None:
    settings = Settings(data_dir=tmp_path / "data", web_host="127.0.0.1",
                        web_port=free_port(), language=pseudo_language, _env_file=None)
    runtime = Runtime(settings, embedder=FakeEmbedder())
    material = tmp_path / "material"
    material.mkdir()
    (material / "zq-ladders.md").write_text("# ᴅᴀᴛᴀ Ladders\n\nᴅᴀᴛᴀ Check ᴅᴀᴛᴀ the feet.\n")
    runtime.add_material([material], COURSE)
    boss = admin(runtime.engine)
    errors = BrowserErrors()
    try:
        with serving(runtime) as url:
            context = chromium.new_context(base_url=url)
            page = context.new_page()
            errors.watch(page)
            page.goto(f"/sign-in/link?token={make_sign_in_link(runtime.engine, boss.id)}")
            page.wait_for_url("**/courses")
            page.goto(f"/courses/{COURSE}")
            assert page.locator("html").get_attribute("lang") == "en-XA"
            page.locator("input[type=file][name=files]").set_input_files([
                {"name": "zq-small.md", "mimeType": "text/markdown", "buffer": b"# a" * 100},
                {"name": "zq-large.md", "mimeType": "text/markdown",
                 "buffer": b"a" * 2_500_000}])
            chosen = page.locator(".chosen li").all_inner_texts()
            assert [re.sub(r"\d", "9", item) for item in chosen] == [
                "⟦⟪zq-small.md⟫ (⟪⟦⟪9⟫ kB⟧⟫)⟧", "⟦⟪zq-large.md⟫ (⟪⟦⟪9.9⟫ MB⟧⟫)⟧"], chosen
            asked: list[str] = []
            page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
            page.get_by_role("button", name=re.compile(r"^⟦Remove ⟪zq-ladders\.md⟫")).click()
            assert len(asked) == 1 and asked[0].startswith("⟦Remove ⟪zq-ladders.md⟫"), asked
            context.close()
    finally:
        runtime.close()
    errors.check()
