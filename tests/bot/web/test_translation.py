"""Every word of the console goes through the translation layer: each page, with data
in every list, error pages and refusals included, rendered in a pseudo-language made
at test time from what `pybabel extract` finds (tests/bot/web/pseudo_locale.py) shows
nothing but translated text and the test's own data."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, SQLModel, select
from starlette.routing import Match, Route

from bot.web.app import create_app
from knowledge.convert import SUPPORTED_SUFFIXES
from knowledge.tables import Chunk, Course, Skill
from tests.bot.web.console import PASSWORD, csrf_of, sign_in
from tests.bot.web.pseudo_locale import data_strings, untranslated
from tests.fakes import FakeEmbedder
from tutor.answers import trainer as trainer_answers
from tutor.console.accounts import add_account
from tutor.console.upload_jobs import FileProgress, UploadJob
from tutor.runtime import Runtime
from tutor.settings import Settings
from tutor.tables import AnswerRecord, Learner, Question, TrainerAnswer

COURSE, SPARE, OTHER, NEW = "zq-safety", "zq-spare", "zq-other", "zq-new"
ADMIN, TRAINER = "zq-boss@example.org", "zq-tina@example.org"
LADDERS = """# ᴅᴀᴛᴀ Ladders

## ᴅᴀᴛᴀ Ladder feet

Check ᴅᴀᴛᴀ the red ᴅᴀᴛᴀ feet before ᴅᴀᴛᴀ you climb at least 3 metres ᴅᴀᴛᴀ. Keep ᴅᴀᴛᴀ three
ᴅᴀᴛᴀ points of ᴅᴀᴛᴀ contact ᴅᴀᴛᴀ.

## ᴅᴀᴛᴀ Ladder angle

ᴅᴀᴛᴀ Set ᴅᴀᴛᴀ the ladder ᴅᴀᴛᴀ at ᴅᴀᴛᴀ 75 degrees ᴅᴀᴛᴀ.
"""
SPILLS = """# ᴅᴀᴛᴀ Spills

ᴅᴀᴛᴀ Cover ᴅᴀᴛᴀ a spill ᴅᴀᴛᴀ with ᴅᴀᴛᴀ the pads ᴅᴀᴛᴀ.
"""
# What questions test, in words the validator knows as a colour and quantities.
COLOURS, QUANTITIES = ("red", "blue", "green"), ("3 metres", "1 metre", "9 metres")
ROUTES_WITHOUT_PAGES = {  # what the console serves that is not a page of words
    "/healthz", "/api/courses", "/api/courses/{course}", "/api/uploads/{job_id}",
    "/skills/{course}/skills-file", "/sign-out", "/static"}


@pytest.fixture
def pseudo_console(tmp_path: Path, pseudo_language: str) -> Iterator[FastAPI]:
    """The console in the pseudo-language (its setting), over a runtime of its own."""
    runtime = Runtime(Settings(data_dir=tmp_path / "data", language=pseudo_language,
                               _env_file=None), embedder=FakeEmbedder())
    app = create_app(runtime)
    yield app
    app.state.uploads.close()
    runtime.close()


class Visits:
    """A signed-in browser that keeps every page it was shown, and which of the app's
    routes it has been to."""

    def __init__(self, app: FastAPI, email: str | None) -> None:
        self.app, self.client = app, TestClient(app, follow_redirects=False)
        self.pages: list[tuple[str, str]] = []
        self.routes: set[str] = set()
        if email is not None:
            assert sign_in(self.client, email).status_code == 303
            self.csrf = csrf_of(self.client, "/courses")

    def get(self, path: str, status: int = 200, **headers: str) -> str:
        answer = self.client.get(path, headers=headers)
        assert answer.status_code == status, (path, answer.status_code, answer.text[:500])
        return self.keep(path, answer.text)

    def post(self, path: str, status: int = 303, *, csrf: bool = True,
             headers: dict[str, str] | None = None, **form: object) -> str:
        """Where a change leads (303), or the page (or htmx's JSON error) it answers."""
        answer = self.client.post(path, data={**form, **({"csrf": self.csrf} if csrf else {})},
                                  headers=headers)
        assert answer.status_code == status, (path, answer.status_code, answer.text[:500])
        if answer.status_code == 303:
            return answer.headers["location"]
        if answer.headers["content-type"].startswith("application/json"):
            return self.keep(f"POST {path} (JSON)", answer.json()["error"])
        return self.keep(f"POST {path}", answer.text)

    def keep(self, path: str, page: str) -> str:
        self.pages.append((path, page))
        route_path = path.removeprefix("POST ").split("?")[0]
        for route in self.app.routes:
            if isinstance(route, Route) and route.matches(
                    {"type": "http", "path": route_path, "method": "GET"})[0] == Match.FULL:
                self.routes.add(route.path)
        return page


def _material(folder: Path) -> Path:
    folder.mkdir()
    (folder / "zq-ladders.md").write_text(LADDERS)
    (folder / "zq-spills.md").write_text(SPILLS)
    return folder


def _questions(engine: Engine) -> list[int]:
    """A question of each kind on the ladders passage (the bank writes none from text
    like the test's)."""
    with Session(engine) as session:
        course = session.exec(select(Course).where(Course.name == COURSE)).one()
        chunk = session.exec(select(Chunk).where(Chunk.heading.contains("feet"))).one()  # type: ignore[attr-defined]
        sentence = "Check ᴅᴀᴛᴀ the red ᴅᴀᴛᴀ feet before ᴅᴀᴛᴀ you climb at least 3 metres ᴅᴀᴛᴀ."
        common = {"course_id": course.id, "skill_id": chunk.skill_id, "chunk_id": chunk.id,
                  "sentence": sentence, "fact": "3 metres", "document": "zq-ladders.md",
                  "section": chunk.heading}
        colours = {**common, "fact": COLOURS[0]}
        rows = [
            Question(kind="choice", question="ᴅᴀᴛᴀ Which ᴅᴀᴛᴀ?", options=json.dumps(COLOURS),
                     answer=COLOURS[0], wrong=json.dumps(COLOURS[1:]), **colours),
            Question(kind="true_false", question=f"ᴅᴀᴛᴀ {sentence}",
                     options=json.dumps(["True", "False"]), answer="True",
                     wrong=json.dumps(QUANTITIES[1:]), **common),
            Question(kind="short", question="ᴅᴀᴛᴀ Fill ᴅᴀᴛᴀ _____ ᴅᴀᴛᴀ.", answer="3 metres",
                     generator="edited", **common),
            Question(kind="short", question="ᴅᴀᴛᴀ Gone ᴅᴀᴛᴀ?", answer="3 metres",
                     status="retired", retired_why="its passage changed", **common),
        ]
        session.add_all(rows)
        session.commit()
        return [row.id or 0 for row in rows]


def _answers(engine: Engine) -> list[int]:
    """What learners were told: answered with a sentence removed, not covered, and
    served a trainer answer."""
    with Session(engine) as session:
        session.add(Learner(id="test:ana", course=COURSE, display_name="ᴅᴀᴛᴀ Ana"))
        rows = [
            AnswerRecord(
                learner_id="test:ana", course=COURSE, question="ᴅᴀᴛᴀ How high ᴅᴀᴛᴀ?",
                answer="> ᴅᴀᴛᴀ Check ᴅᴀᴛᴀ the feet. [1]", quote="> ᴅᴀᴛᴀ Check. [1]",
                kept=json.dumps(["ᴅᴀᴛᴀ Kept ᴅᴀᴛᴀ."]),
                # The check's reason is stored as it was worded when the learner was
                # answered: a record, like the answer itself.
                removed=json.dumps([{"text": "ᴅᴀᴛᴀ Gone ᴅᴀᴛᴀ.", "why": "ᴅᴀᴛᴀ unsupported"}]),
                sources=json.dumps([{"number": 1, "document": "zq-ladders.md",
                                     "section": "ᴅᴀᴛᴀ Ladder feet", "page": 2,
                                     "text": "ᴅᴀᴛᴀ Check ᴅᴀᴛᴀ the feet."}]),
                explanation_removed=True, helpful=False),
            AnswerRecord(learner_id="test:ana", course=COURSE, question="ᴅᴀᴛᴀ Wifi ᴅᴀᴛᴀ?",
                         answer="ᴅᴀᴛᴀ Not ᴅᴀᴛᴀ covered.", covered=False, helpful=True),
            AnswerRecord(learner_id="test:ana", course=COURSE, question="ᴅᴀᴛᴀ Angle ᴅᴀᴛᴀ?",
                         answer="ᴅᴀᴛᴀ From ᴅᴀᴛᴀ the trainer.", trainer_answer_id=1),
        ]
        session.add_all(rows)
        session.commit()
        return [row.id or 0 for row in rows]


def _skill_ids(engine: Engine) -> list[int]:
    with Session(engine) as session:
        return [s.id or 0 for s in session.exec(select(Skill).join(Course).where(
            Course.name == COURSE).order_by(Skill.position))]


def _wait(app: FastAPI, job_id: str) -> None:
    assert app.state.uploads.wait(job_id, timeout_s=60).finished


def _all_data(engine: Engine, *typed: str) -> list[str]:
    """Every marked string the database holds, and those the test typed."""
    values: list[object] = list(typed)
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            for row in connection.execute(table.select()):
                values += list(row)
    return data_strings(values)


def test_every_page_speaks_only_through_the_translation_layer(
        pseudo_console: FastAPI, tmp_path: Path) -> None:
    app = pseudo_console
    runtime: Runtime = app.state.runtime
    engine = runtime.engine
    runtime.add_material([_material(tmp_path / "material")], COURSE)
    spare = tmp_path / "spare"
    spare.mkdir()
    (spare / "zq-spare.md").write_text(SPILLS)
    runtime.add_material([spare], SPARE)
    add_account(engine, ADMIN, "admin", password=PASSWORD, name="ᴅᴀᴛᴀ Boss")
    add_account(engine, TRAINER, "trainer", [COURSE, NEW], password=PASSWORD,
                name="ᴅᴀᴛᴀ Tina")
    questions = _questions(engine)
    answers = _answers(engine)
    skills = _skill_ids(engine)

    # Signed out: sign-in (refused, and a used link), a page that is not there.
    out = Visits(app, None)
    out.get("/sign-in")
    out.get("/nowhere", 404)
    out.get(f"/sign-in/link?token={'x' * 20}", 401)
    out.keep("GET /courses (htmx)", out.client.get("/courses", headers={
        "HX-Request": "true"}).json()["error"])
    out.csrf = csrf_of(out.client)
    out.post("/sign-in", 401, email=ADMIN, password="zq-wrong-password")

    boss = Visits(app, ADMIN)
    for number in questions:  # with its passage as written: every check made again
        boss.get(f"/questions/{number}")
    # Changes that fill the lists and the audit log, each page they lead to kept.
    boss.get(boss.post(f"/questions/{questions[0]}/approve"))
    boss.get(boss.post(f"/questions/{questions[2]}/retire"))
    boss.post(f"/questions/{questions[0]}/edit", 200, question="ᴅᴀᴛᴀ How high ᴅᴀᴛᴀ?",
              options="ᴅᴀᴛᴀ 3 metres\nᴅᴀᴛᴀ 9 metres", answer="ᴅᴀᴛᴀ 30 metres")
    boss.get(boss.post(f"/skills/{COURSE}/rename", skill=skills[0], name="ᴅᴀᴛᴀ Feet"))
    boss.get(boss.post(f"/skills/{COURSE}/prerequisites", skill=skills[1], needs=skills[0]))
    boss.get(boss.post(f"/skills/{COURSE}/prerequisites", skill=skills[0], order="material"))
    boss.post(f"/skills/{COURSE}/merge", 400, skill=skills[0], into=skills[0])
    boss.post(f"/skills/{COURSE}/prerequisites", 400, skill=skills[0], needs=skills[1])
    with Session(engine) as session:
        cite = session.exec(select(Chunk.id).where(Chunk.heading.contains("angle"))).one()  # type: ignore[attr-defined]
    boss.get(boss.post("/trainer-answers", course=COURSE, question="ᴅᴀᴛᴀ Angle ᴅᴀᴛᴀ?",
                       answer="ᴅᴀᴛᴀ 75 ᴅᴀᴛᴀ.", cite=str(cite), from_answer=str(answers[2])))
    boss.get(boss.post("/trainer-answers", course=COURSE, question="ᴅᴀᴛᴀ Wifi ᴅᴀᴛᴀ?",
                       answer="ᴅᴀᴛᴀ At ᴅᴀᴛᴀ reception.", cite="", from_answer=str(answers[1])))
    boss.post("/trainer-answers", 200, course=COURSE, question="ᴅᴀᴛᴀ Empty ᴅᴀᴛᴀ?", answer=" ")
    boss.post("/trainer-answers", 200, course=COURSE, question="ᴅᴀᴛᴀ Cite ᴅᴀᴛᴀ?",
              answer="ᴅᴀᴛᴀ Cite ᴅᴀᴛᴀ.", cite="999999")
    boss.post("/trainer-answers", course=COURSE, question="ᴅᴀᴛᴀ Retire ᴅᴀᴛᴀ?",
              answer="ᴅᴀᴛᴀ Retire ᴅᴀᴛᴀ.")
    boss.get(boss.post("/trainer-answers/3/edit", question="ᴅᴀᴛᴀ Retire ᴅᴀᴛᴀ?",
                       answer="ᴅᴀᴛᴀ Retired ᴅᴀᴛᴀ."))
    boss.get(boss.post("/trainer-answers/3/retire"))
    boss.post("/trainer-answers/2/edit", 200, question="ᴅᴀᴛᴀ Wifi ᴅᴀᴛᴀ?", answer=" ")
    with Session(engine) as session:
        row = session.get(TrainerAnswer, 1)
        assert row is not None
        row.status, row.review_why = "review", trainer_answers.PASSAGE_CHANGED
        session.add(row)
        session.commit()
    boss.get(boss.post("/trainer-answers/2/confirm", cite="own"))

    # Uploads: a file that goes in; a binary one, one of a type never taken and a second
    # of one name, refused (a corrupt PDF is refused in the PDF reader's own words: they
    # stay as they are); then a re-ingest; and one still under way.
    data = _all_data(engine)
    sent = boss.client.post(f"/courses/{COURSE}/uploads", data={"csrf": boss.csrf}, files=[
        ("files", ("zq-new.md", "# ᴅᴀᴛᴀ New\n\nᴅᴀᴛᴀ New ᴅᴀᴛᴀ.".encode(), "text/markdown")),
        ("files", ("zq-binary.txt", b"\x00\x01binary", "text/plain")),
        ("files", ("zq-tool.exe", b"MZ", "application/octet-stream")),
        ("files", ("zq-new.md", b"# again", "text/markdown"))])
    assert sent.status_code == 303, sent.text
    upload = sent.headers["location"].split("upload=")[1].split("#")[0]
    _wait(app, upload)
    boss.get(sent.headers["location"])
    boss.get(f"/courses/{COURSE}/uploads/{upload}")
    again = boss.client.post(f"/courses/{COURSE}/reingest",
                             data={"csrf": boss.csrf, "document": ["zq-ladders.md", "zq-none.md"]},
                             headers={"HX-Request": "true"})
    assert again.status_code == 200
    job_id = re.search(r'id="job-([^"]+)"', again.text).group(1)  # type: ignore[union-attr]
    _wait(app, job_id)
    boss.get(f"/courses/{COURSE}/uploads/{job_id}")
    running = UploadJob("zq-running", "upload", COURSE, ADMIN, [
        FileProgress(f"zq-{state}.md", state) for state in (
            "waiting", "converting", "converted", "embedding", "storing", "done",
            "unchanged")] + [FileProgress("zq-refused.md", "refused", "ᴅᴀᴛᴀ reason")])
    app.state.uploads._jobs[running.id] = running
    boss.get(f"/courses/{COURSE}/uploads/{running.id}")
    boss.get(f"/courses/{COURSE}/uploads/zq-gone")
    boss.get(boss.post(f"/courses/{COURSE}/documents/remove", document="zq-spills.md"))
    boss.get(boss.post(f"/courses/{COURSE}/documents/remove", document="zq-none.md"))
    boss.get(boss.post(f"/courses/{SPARE}/remove"))

    # Every page, with data in every list.
    for path in ("/", "/courses", f"/courses/{COURSE}", f"/courses/{NEW}",
                 "/courses?new=zq+bad%2Fname", "/skills", f"/skills/{COURSE}",
                 f"/skills/{COURSE}?skill={skills[1]}", "/questions",
                 "/questions?status=to-approve&kind=choice", "/answers",
                 "/answers?rating=down&not_covered=1", "/trainer-answers",
                 "/trainer-answers?status=review", "/trainer-answers/new",
                 "/trainer-answers/new?answer=1", f"/trainer-answers/new?course={COURSE}",
                 f"/trainer-answers/passages?course={COURSE}&words=ᴅᴀᴛᴀ+feet",
                 f"/trainer-answers/passages?course={COURSE}&words=zq-nothing",
                 "/audit", "/audit?action=upload", "/trainer-answers/1?done=edited",
                 f"/questions/{questions[2]}?done=edited"):
        boss.get(path, 303 if path == "/" else 200)
    for number in questions:
        boss.get(f"/questions/{number}")
    for number in answers:
        boss.get(f"/answers/{number}")
    for number in (1, 2, 3):
        boss.get(f"/trainer-answers/{number}")
    # Refusals and error pages.
    boss.get("/questions/999999", 404)
    boss.get("/sign-out", 405)
    boss.post(f"/courses/{COURSE}/reingest", 400)
    boss.post(f"/courses/{COURSE}/reingest", 400, headers={"HX-Request": "true"})
    boss.post(f"/questions/{questions[1]}/approve", 403, csrf=False)
    boss.post(f"/skills/{COURSE}/rename", 400, skill="x")
    tina = Visits(app, TRAINER)
    tina.get("/courses")  # a trainer's courses, with one named for them and still empty
    tina.get(f"/courses/{OTHER}", 403)
    tina.get("/audit", 403)

    # Ten wrong passwords: the lock's message (last: it locks the test's address too).
    locked = Visits(app, None)
    for _ in range(11):
        form = {"csrf": csrf_of(locked.client), "email": TRAINER, "password": "zq-wrong-one"}
        page = locked.client.post("/sign-in", data=form)
    assert page.status_code == 401
    locked.keep("POST /sign-in, locked", page.text)

    # The data: what the database held before and after the removals, what the test
    # typed, the jobs' ids and file names, the facts the questions test, and names
    # that are not words: a skills file's, and file endings.
    data = sorted({*data, *_all_data(
        engine, "zq bad/name", "ᴅᴀᴛᴀ 30 metres", "zq-none.md", "zq-wrong-password",
        "ᴅᴀᴛᴀ Cite ᴅᴀᴛᴀ?", "ᴅᴀᴛᴀ Empty ᴅᴀᴛᴀ?", "ᴅᴀᴛᴀ Cite ᴅᴀᴛᴀ.", "zq-nothing", "zq-gone",
        "ᴅᴀᴛᴀ reason", *(file.name for file in running.files)), upload, job_id, *COLOURS,
        *QUANTITIES,
        "skills.yaml", ".exe", *SUPPORTED_SUFFIXES}, key=len, reverse=True)
    found = {f"{path}: {leak}" for visits in (out, boss, tina, locked)
             for path, page in visits.pages for leak in untranslated(page, data)}
    assert not found, "not through the translation layer:\n" + "\n".join(sorted(found))

    # Every page of the console was seen.
    pages = {route.path for route in app.routes if isinstance(route, Route)
             and "GET" in (route.methods or ())} - ROUTES_WITHOUT_PAGES
    seen = out.routes | boss.routes | tina.routes
    assert pages <= seen, f"pages the test never rendered: {sorted(pages - seen)}"
    shown = dict(boss.pages)
    for path in ("/courses", f"/courses/{COURSE}", "/skills", f"/skills/{COURSE}",
                 "/questions", "/answers", "/trainer-answers", "/audit"):
        assert "<tbody>" in shown[path], f"{path} listed nothing"
    assert "zq-binary.txt" in shown[f"/courses/{COURSE}/uploads/{upload}"]

    # The exports' headings too.
    for path in ("/courses", "/questions", "/answers", "/audit", "/trainer-answers",
                 f"/courses/{COURSE}", "/skills", f"/skills/{COURSE}"):
        exported = boss.client.get(f"{path}{'&' if '?' in path else '?'}format=csv").text
        heading = next(csv.reader(io.StringIO(exported)))
        assert all(cell.startswith("⟦") for cell in heading), (path, heading)


def test_the_check_finds_words_that_bypass_the_layer(console_runtime: Runtime) -> None:
    """The same check on a page in English finds every word: it is no formality."""
    add_account(console_runtime.engine, ADMIN, "admin", password=PASSWORD)
    english = Visits(create_app(console_runtime), ADMIN)
    leaks = untranslated(english.get("/courses"), [])
    assert "text: 'Courses'" in leaks and "<input placeholder>: 'forklift-safety'" in leaks
    one = untranslated('<p title="⟦Hi⟧">⟦Removed ⟪zq-a.md⟫ from ⟪fire⟫⟧ <b>Edit</b></p>',
                       ["zq-a.md"])
    assert one == ["text: 'fire'", "text: 'Edit'"]
