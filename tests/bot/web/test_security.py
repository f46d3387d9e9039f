"""The console's guards, each as a visitor meets them: sessions, CSRF, roles, guessing,
cookies, headers and what error pages say."""

from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

import bot.web.security as security
import tutor.console.accounts as accounts
from bot.web.app import create_app
from knowledge.tables import utcnow
from tests.bot.web.console import (
    PASSWORD,
    add_courses,
    admin,
    csrf_of,
    sign_in,
    signed_in,
    trainer,
)
from tutor.console.accounts import make_sign_in_link, remove_account, reset_password
from tutor.runtime import Runtime

PAGES = ["/", "/courses", "/courses?sort=documents&desc=0", "/audit"]


def test_pages_send_to_sign_in_and_api_calls_get_401(console_runtime: Runtime,
                                                      console_client: TestClient) -> None:
    for path in PAGES:
        response = console_client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == f"/sign-in?next={quote(path)}"
    api = console_client.get("/api/courses")
    assert api.status_code == 401 and api.json() == {"error": "not signed in"}
    # htmx asks for a piece of a page: it gets the 401 and is told where to go.
    htmx = console_client.get("/courses", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"] == "/sign-in"

    admin(console_runtime.engine)
    assert sign_in(console_client, "boss@example.org").status_code == 303
    assert console_client.get("/courses").status_code == 200
    assert console_client.get("/api/courses").json() == []


def test_sign_in_goes_back_to_the_page_asked_for_and_never_off_the_site(
        console_runtime: Runtime, console_client: TestClient) -> None:
    admin(console_runtime.engine)
    back = sign_in(console_client, "boss@example.org", next="/audit?action=upload")
    assert back.headers["location"] == "/audit?action=upload"
    for elsewhere in ("//evil.example/", "/\t/evil.example", "/\\evil.example",
                      "https://evil.example/", "javascript:alert(1)"):
        console_client.cookies.clear()
        response = sign_in(console_client, "boss@example.org", next=elsewhere)
        assert response.headers["location"] == "/", elsewhere


def test_a_form_without_its_csrf_token_is_refused(console_runtime: Runtime,
                                                  console_client: TestClient) -> None:
    admin(console_runtime.engine)
    form = {"email": "boss@example.org", "password": PASSWORD}
    assert console_client.post("/sign-in", data=form).status_code == 403
    csrf_of(console_client)  # the session now has a token, but the form still lacks it
    refused = console_client.post("/sign-in", data=form)
    assert refused.status_code == 403 and "The form expired" in refused.text
    for forged in ("not-the-token", "é" * 43):  # non-ASCII was a 500 (compare_digest)
        assert console_client.post("/sign-in", data={**form, "csrf": forged}
                                   ).status_code == 403
        assert console_client.post("/sign-in", data=form, headers={
            "X-CSRF-Token": forged.encode()}).status_code == 403
    assert not signed_in(console_client)

    sign_in(console_client, "boss@example.org")
    assert console_client.post("/sign-out").status_code == 403  # no token: still in
    assert signed_in(console_client)
    token = csrf_of(console_client, "/courses")
    out = console_client.post("/sign-out", headers={"X-CSRF-Token": token})  # as htmx
    assert out.status_code == 303 and not signed_in(console_client)


def test_another_sessions_token_is_refused(console_runtime: Runtime,
                                           console_client: TestClient) -> None:
    admin(console_runtime.engine)
    other = TestClient(console_client.app)
    stolen = csrf_of(other)
    csrf_of(console_client)
    assert console_client.post("/sign-in", data={
        "email": "boss@example.org", "password": PASSWORD, "csrf": stolen}).status_code == 403


def test_signing_in_starts_a_fresh_session(console_runtime: Runtime,
                                           console_client: TestClient) -> None:
    """No session fixation: what a visitor had before signing in (a cookie an attacker
    planted, its CSRF token) is not what they have after."""
    admin(console_runtime.engine)
    before_token = csrf_of(console_client)
    before_cookie = console_client.cookies[security.SESSION_COOKIE]
    sign_in(console_client, "boss@example.org")
    assert console_client.cookies[security.SESSION_COOKIE] != before_cookie
    after_token = csrf_of(console_client, "/courses")
    assert after_token != before_token
    stale = console_client.post("/sign-out", data={"csrf": before_token})
    assert stale.status_code == 403 and signed_in(console_client)
    planted = TestClient(console_client.app, cookies={security.SESSION_COOKIE: before_cookie},
                         follow_redirects=False)
    assert planted.get("/courses").status_code == 303  # the old cookie signs no one in


def test_a_trainer_sees_and_reaches_only_their_courses(console_runtime: Runtime,
                                                      console_client: TestClient) -> None:
    engine = console_runtime.engine
    add_courses(engine, "alpha", "beta")
    trainer(engine, "alpha")
    sign_in(console_client, "tina@example.org")
    assert [c["course"] for c in console_client.get("/api/courses").json()] == ["alpha"]
    assert console_client.get("/api/courses/alpha").json()["course"] == "alpha"
    other = console_client.get("/api/courses/beta")
    assert other.status_code == 403 and "error" in other.json()
    # A course that does not exist is refused the same way: nothing to learn from it.
    assert console_client.get("/api/courses/gamma").status_code == 403
    page = console_client.get("/courses")
    assert "alpha" in page.text and "beta" not in page.text
    audit = console_client.get("/audit")
    assert audit.status_code == 403 and "Not yours to see" in audit.text
    assert 'href="/audit"' not in page.text  # not offered in the navigation either

    boss = TestClient(console_client.app, follow_redirects=False)
    admin(engine)
    sign_in(boss, "boss@example.org")
    assert [c["course"] for c in boss.get("/api/courses").json()] == ["alpha", "beta"]
    assert boss.get("/api/courses/beta").status_code == 200
    assert boss.get("/api/courses/gamma").status_code == 404
    assert boss.get("/audit").status_code == 200


def test_ten_wrong_passwords_lock_the_account_for_a_while(
        console_runtime: Runtime, console_client: TestClient, caplog: pytest.LogCaptureFixture,
        monkeypatch: pytest.MonkeyPatch) -> None:
    admin(console_runtime.engine)
    caplog.set_level(logging.WARNING, logger="tutor.console.accounts")
    said = [sign_in(console_client, "boss@example.org", f"wrong password {n}")
            for n in range(10)]
    assert all(response.status_code == 401 for response in said)
    assert "do not match" in said[0].text and "Too many wrong passwords" in said[-1].text
    right = sign_in(console_client, "boss@example.org")
    assert right.status_code == 401 and "Too many wrong passwords" in right.text
    assert not signed_in(console_client)
    # Each wrong password and each refusal is logged with where it came from.
    lines = [r.getMessage() for r in caplog.records]
    assert sum("wrong password for 'boss@example.org' from testclient" in line
               for line in lines) == accounts.FAILURES_PER_ACCOUNT
    assert any("refused for 'boss@example.org' from testclient" in line for line in lines)

    later = utcnow() + accounts.GUESS_WINDOW + timedelta(seconds=1)
    monkeypatch.setattr(accounts, "utcnow", lambda: later)
    assert sign_in(console_client, "boss@example.org").status_code == 303


def test_the_one_time_link_signs_in_once(console_runtime: Runtime,
                                         console_client: TestClient) -> None:
    boss = admin(console_runtime.engine)
    token = make_sign_in_link(console_runtime.engine, boss.id)
    first = console_client.get(f"/sign-in/link?token={token}")
    assert first.status_code == 303 and first.headers["location"] == "/"
    assert signed_in(console_client)
    again = TestClient(console_client.app).get(f"/sign-in/link?token={token}")
    assert again.status_code == 401 and "used already or has expired" in again.text
    assert TestClient(console_client.app).get("/sign-in/link?token=").status_code == 401


def test_signing_out_ends_every_copy_of_the_session(console_runtime: Runtime,
                                                    console_client: TestClient) -> None:
    admin(console_runtime.engine)
    sign_in(console_client, "boss@example.org")
    copy = TestClient(console_client.app, cookies=dict(console_client.cookies))
    assert signed_in(copy)
    console_client.post("/sign-out", data={"csrf": csrf_of(console_client, "/courses")})
    assert not signed_in(console_client)
    assert not signed_in(copy)  # the cookie kept elsewhere no longer signs anyone in


def test_a_password_reset_or_removal_ends_old_sessions(console_runtime: Runtime,
                                                       console_client: TestClient) -> None:
    engine = console_runtime.engine
    admin(engine)
    sign_in(console_client, "boss@example.org")
    reset_password(engine, "boss@example.org", "a brand new password")
    assert not signed_in(console_client)
    assert sign_in(console_client, "boss@example.org").status_code == 401  # old password
    sign_in(console_client, "boss@example.org", "a brand new password")
    assert signed_in(console_client)
    remove_account(engine, "boss@example.org")
    assert not signed_in(console_client)


def test_a_session_ends_after_its_hours_however_busy(
        console_runtime: Runtime, console_client: TestClient,
        monkeypatch: pytest.MonkeyPatch) -> None:
    admin(console_runtime.engine)
    sign_in(console_client, "boss@example.org")
    start = security.time.time()
    for hours in (1, 6, 11.9):  # busy all day: each answer signs the cookie again
        monkeypatch.setattr(security.time, "time", lambda h=hours: start + h * 3600)
        assert signed_in(console_client)
    monkeypatch.setattr(security.time, "time",
                        lambda: start + security.SESSION_HOURS * 3600 + 1)
    assert console_client.get("/courses").status_code == 303


def test_cookies_and_headers(console_runtime: Runtime, console_client: TestClient) -> None:
    admin(console_runtime.engine)
    signing_in = sign_in(console_client, "boss@example.org")
    cookie = signing_in.headers["set-cookie"].lower()
    assert cookie.startswith(f"{security.SESSION_COOKIE}=")
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    assert "secure" not in cookie  # plain http on 127.0.0.1 by default

    page = console_client.get("/courses")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    assert page.headers["x-frame-options"] == "DENY"
    assert page.headers["referrer-policy"] == "no-referrer"  # links never leak a token
    assert page.headers["cache-control"] == "no-store"
    assert "cache-control" not in console_client.get("/static/console.css").headers

    https = console_runtime.settings.model_copy(update={"web_https": True})
    console_runtime.settings = https
    secure = TestClient(create_app(console_runtime), base_url="https://testserver",
                        follow_redirects=False)
    assert "secure" in sign_in(secure, "boss@example.org").headers["set-cookie"].lower()


def test_the_session_key_is_kept_whole_and_owner_only(console_runtime: Runtime) -> None:
    settings = console_runtime.settings
    key = security.session_secret(settings)
    path = settings.data_dir / "web_secret"
    assert len(key) > 40 and path.stat().st_mode & 0o777 == 0o600
    assert security.session_secret(settings) == key  # kept across starts
    path.write_text("")  # a crash used to leave it empty: an empty key forges cookies
    renewed = security.session_secret(settings)
    assert len(renewed) > 40 and renewed != key
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".web_secret")]


def test_error_pages_say_nothing_of_what_was_sent(console_runtime: Runtime) -> None:
    app: FastAPI = create_app(console_runtime)

    @app.get("/api/boom")
    def boom() -> None:
        raise RuntimeError("database password is hunter2")

    client = TestClient(app, follow_redirects=False, raise_server_exceptions=False)
    # A form missing its password: FastAPI's 422 echoed the input back.
    incomplete = client.post("/sign-in", data={
        "email": "secret-email@example.org", "csrf": csrf_of(client)})
    assert incomplete.status_code == 400 and "<html" in incomplete.text
    assert "secret-email" not in incomplete.text and "missing" in incomplete.text
    failed = client.get("/api/boom")
    assert failed.status_code == 500 and "hunter2" not in failed.text
    missing = client.get("/nothing-here")
    assert missing.status_code == 404 and "nothing-here" not in missing.text


def test_what_was_typed_comes_back_escaped(console_client: TestClient) -> None:
    typed = '"><script>alert(1)</script>@example.org'
    refused = console_client.post("/sign-in", data={
        "email": typed, "password": "whatever it is", "csrf": csrf_of(console_client),
        "next": '/courses"><script>alert(2)</script>'})
    assert refused.status_code == 401
    assert "<script>alert" not in refused.text
    assert "&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;@example.org" in refused.text


def test_every_route_wants_a_session(console_runtime: Runtime,
                                     console_client: TestClient) -> None:
    """No page, fragment, export or action of any route answers without signing in:
    pages send to sign-in, the rest get 401; nothing is posted but the sign-in form."""
    add_courses(console_runtime.engine, "forklifts")
    app = console_client.app
    assert isinstance(app, FastAPI)
    open_paths = {"/sign-in", "/sign-in/link", "/healthz", "/static"}
    checked = 0
    for route in _routes(app.routes):
        path = getattr(route, "path", "")
        if path in open_paths or not hasattr(route, "methods"):
            continue
        url = path.replace("{name}", "forklifts").replace("{course}", "forklifts")
        url = url.replace("{name:path}", "forklifts")
        for key in ("question_id", "answer_id", "job_id", "skill_id", "job"):
            url = url.replace(f"{{{key}:int}}", "1").replace(f"{{{key}}}", "1")
        for method in route.methods - {"HEAD"}:
            response = console_client.request(method, url, data={"csrf": "x"})
            assert response.status_code in (303, 401), (method, url, response.status_code)
            checked += 1
    assert checked >= 25


def _routes(routes: list) -> list:
    """Every route, those of included routers too (FastAPI keeps them wrapped)."""
    found = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        found += _routes(inner.routes) if inner is not None else [route]
    return found


def test_an_anonymous_upload_is_refused_before_its_body_is_read(
        console_runtime: Runtime, console_client: TestClient,
        monkeypatch: pytest.MonkeyPatch) -> None:
    add_courses(console_runtime.engine, "forklifts")
    read: list[str] = []
    original = security.Request.form

    def spy(self, *args, **kwargs):
        read.append(self.url.path)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(security.Request, "form", spy)
    response = console_client.post("/courses/forklifts/uploads", files=[
        ("files", ("big.txt", b"x" * 3_000_000, "text/plain"))])
    assert response.status_code == 303 and response.headers["location"].startswith("/sign-in")
    assert read == []


def test_a_body_larger_than_any_upload_is_refused_unread(console_runtime: Runtime,
                                                         console_client: TestClient) -> None:
    add_courses(console_runtime.engine, "forklifts")
    admin(console_runtime.engine)
    assert sign_in(console_client, "boss@example.org").status_code == 303
    token = csrf_of(console_client, "/courses/forklifts")
    too_large = str(security.largest_body(type("R", (), {"app": console_client.app})()) + 1)
    response = console_client.post("/courses/forklifts/uploads", content=b"x",
                                   headers={"content-length": too_large,
                                            "x-csrf-token": token,
                                            "content-type": "multipart/form-data; boundary=b"})
    assert response.status_code == 413
