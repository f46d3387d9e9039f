"""The skill map pages: the table and the graph of a course's skills, the edit forms,
and who may see and change them."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from bot.web.app import create_app
from knowledge.ingest import ingest
from tests.conftest import SAMPLE_COURSE
from tests.tutor.console.test_skill_map import ALARM, PASS, TYPES, add_course, skill_id
from tutor.console.accounts import add_account
from tutor.console.audit import AuditQuery, find_entries
from tutor.runtime import Runtime

PASSWORD = "correct horse battery"


class Console:
    """A browser's session: signed in, with the CSRF token its pages carry."""

    def __init__(self, runtime: Runtime, email: str) -> None:
        self.client = TestClient(create_app(runtime))
        page = self.client.get("/sign-in")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token is not None
        signed = self.client.post("/sign-in", data={"email": email, "password": PASSWORD,
                                                    "csrf": token.group(1)},
                                  follow_redirects=False)
        assert signed.status_code == 303
        found = re.search(r'data-csrf="([^"]+)"', self.client.get("/skills").text)
        assert found is not None
        self.csrf = found.group(1)

    def post(self, path: str, **form: object) -> Response:
        return self.client.post(path, data={**form, "csrf": self.csrf}, follow_redirects=False)


@pytest.fixture
def skill_console(runtime: Runtime) -> Iterator[tuple[Console, Console]]:
    """An admin's session and that of a trainer of the course 'other' only."""
    add_course(runtime)
    ingest([SAMPLE_COURSE / "first-aid.html"], "other", engine=runtime.engine,
           embedder=runtime.embedder, index_store=runtime.index_store, max_bytes=10**7)
    add_account(runtime.engine, "boss@example.org", "admin", password=PASSWORD)
    add_account(runtime.engine, "tom@example.org", "trainer", ["other"], password=PASSWORD)
    yield Console(runtime, "boss@example.org"), Console(runtime, "tom@example.org")


def test_the_map_shows_each_skill_in_the_table_and_the_graph(
        runtime: Runtime, skill_console: tuple[Console, Console]) -> None:
    admin, _ = skill_console
    page = admin.client.get("/skills/safety")
    assert page.status_code == 200
    html = page.text
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert svg.count("<rect ") >= 13 and svg.count('marker-end="url(#arrow)"') >= 11
    assert f"?skill={skill_id(runtime, TYPES)}#edit" in svg
    assert "style=" not in html and not re.search(r"<script(?![^>]*\bsrc=)", html)
    table = html[html.index("<table"):html.index("</table>")]
    assert f">{ALARM}</a>" in table and "Why fire safety matters in a warehouse" in table
    csv = admin.client.get("/skills/safety?format=csv").text.splitlines()
    assert csv[0] == "Order,Skill,Prerequisites,Passages,Questions,Learners,Mean mastery"
    assert csv[4].startswith(f"4,{ALARM},{PASS},")
    file = admin.client.get("/skills/safety/skills-file")  # none yet: the map as it is
    assert file.headers["content-type"] == "application/yaml; charset=utf-8"
    assert file.headers["content-disposition"] == 'attachment; filename="skills.yaml"'
    assert file.text.endswith("skills: []\n")
    listed = admin.client.get("/skills").text
    assert "/skills/safety" in listed and "/skills/other" in listed
    assert admin.client.get("/skills/nowhere").status_code == 404


def test_edits_through_the_forms(runtime: Runtime, skill_console: tuple[Console, Console]
                                 ) -> None:
    admin, _ = skill_console
    alarm, types = skill_id(runtime, ALARM), skill_id(runtime, TYPES)
    done = admin.post("/skills/safety/rename", skill=alarm, name="Sounding the alarm")
    assert done.status_code == 303
    assert done.headers["location"] == f"/skills/safety?skill={alarm}#edit"
    shown = admin.client.get(done.headers["location"]).text
    assert f"Renamed &#39;{ALARM}&#39; to &#39;Sounding the alarm&#39;." in shown
    assert skill_id(runtime, "Sounding the alarm") == alarm
    assert admin.post("/skills/safety/merge", skill=skill_id(runtime, PASS),
                      into=types).status_code == 303
    assert skill_id(runtime, PASS) is None
    wardens = skill_id(runtime, "Fire wardens")
    refused = admin.post("/skills/safety/prerequisites", skill=alarm, needs=[wardens])
    assert refused.status_code == 400
    assert "That would make a loop: &#39;Sounding the alarm&#39; needs &#39;Fire wardens&#39;" in (
        refused.text)
    assert admin.post("/skills/safety/prerequisites", skill=wardens, needs=[types, alarm]
                      ).status_code == 303
    page = admin.client.get(f"/skills/safety?skill={wardens}").text
    assert re.search(rf'value="{types}" checked', page) and re.search(
        rf'value="{alarm}" checked', page)
    assert find_entries(runtime.engine, AuditQuery(action="skill-edit"))[1] == 3
    # A name is text on every page, never markup.
    admin.post("/skills/safety/rename", skill=alarm, name="<img src=x onerror=alert(1)>")
    assert "<img src=x" not in admin.client.get("/skills/safety").text


def test_a_trainer_sees_and_changes_only_their_courses(
        runtime: Runtime, skill_console: tuple[Console, Console]) -> None:
    _, trainer = skill_console
    listed = trainer.client.get("/skills").text
    assert "/skills/other" in listed and "/skills/safety" not in listed
    assert trainer.client.get("/skills/other").status_code == 200
    alarm = skill_id(runtime, ALARM)
    assert trainer.client.get("/skills/safety").status_code == 403
    assert trainer.client.get("/skills/safety/skills-file").status_code == 403
    for path, form in (("rename", {"name": "Mine now"}), ("merge", {"into": alarm}),
                       ("prerequisites", {"needs": []})):
        assert trainer.post(f"/skills/safety/{path}", skill=alarm, **form).status_code == 403
    assert skill_id(runtime, ALARM) == alarm
    assert find_entries(runtime.engine, AuditQuery(action="skill-edit"))[1] == 0


def test_a_form_without_its_token_is_refused(runtime: Runtime,
                                             skill_console: tuple[Console, Console]) -> None:
    admin, _ = skill_console
    alarm = skill_id(runtime, ALARM)
    sent = admin.client.post("/skills/safety/rename", data={"skill": alarm, "name": "X"})
    assert sent.status_code == 403 and skill_id(runtime, ALARM) == alarm
