"""Driving the console through Starlette's TestClient: accounts, courses, signing in.
Shared by the console's tests (tests/bot/web/conftest.py makes the fixtures)."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine
from sqlmodel import Session

from knowledge.tables import Course
from tutor.console.accounts import Account, add_account

PASSWORD = "correct horse battery"
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')
_BODY_CSRF = re.compile(r'data-csrf="([^"]+)"')


def admin(engine: Engine, email: str = "boss@example.org") -> Account:
    return add_account(engine, email, "admin", password=PASSWORD, name="Boss")


def trainer(engine: Engine, *courses: str, email: str = "tina@example.org") -> Account:
    return add_account(engine, email, "trainer", list(courses), password=PASSWORD)


def add_courses(engine: Engine, *names: str) -> None:
    """Empty courses, enough for the pages that list them."""
    with Session(engine) as session:
        session.add_all(Course(name=name) for name in names)
        session.commit()


def csrf_of(client: TestClient, path: str = "/sign-in") -> str:
    """The session's CSRF token, as the page at `path` gives it to its forms."""
    page = client.get(path)
    found = _CSRF.search(page.text) or _BODY_CSRF.search(page.text)
    assert found, f"no CSRF token on {path}: {page.status_code}"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD, next: str = "/"
            ) -> Response:
    """Post the sign-in form as a browser does (with the token of its page)."""
    return client.post("/sign-in", follow_redirects=False, data={
        "email": email, "password": password, "next": next, "csrf": csrf_of(client)})


def signed_in(client: TestClient) -> bool:
    return client.get("/api/courses").status_code == 200
