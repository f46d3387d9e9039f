"""The console's answers page and question bank at 100,000 answers and 10,000
questions (bench/console_data.py fills the database): each page's server-side time
against the same query without rendering, in the same run.

A page is timed inside the process by an ASGI stopwatch wrapped round the app (not
part of it): from the request reaching the app to the last byte of its response
leaving it, so everything the server does (the session and account, the CSRF
token, the query, rendering) and nothing of the client or a network. Requests come
from Starlette's TestClient, signed in as an admin. The reference is the function
the route calls (tutor/answers/review.py `find_answers`, `answer_detail`;
tutor/console/questions.py `find_questions`, `question_detail`) with the same
parameters, called directly; each run times the page and then its query, so drift
hits both alike. SQLite in a temporary folder; --postgres also on a throwaway
PostgreSQL cluster (tests/postgres.py), vacuumed and analysed once filled, as
autovacuum leaves a table (SQLite is left without statistics, as the tutor leaves
it). The results record the machine's load, since its other work slows both alike.

    python -m bench.console_pages [--runs 30] [--postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, text
from sqlmodel import Session, col, select

from bench.common import percentiles
from bench.console_data import ADMIN, Scale, populate
from bot.web.app import create_app
from knowledge.tables import Skill, utcnow
from tests.bot.web.console import PASSWORD, sign_in
from tests.fakes import FakeEmbedder
from tutor.answers.review import AnswerFilter, answer_detail, find_answers
from tutor.console.accounts import add_account
from tutor.console.questions import QuestionQuery, find_questions, question_detail
from tutor.learner_names import LearnerLabels
from tutor.runtime import Runtime
from tutor.settings import Settings
from tutor.tables import AnswerRecord, Question

RESULTS = Path(__file__).parent / "results" / "console-pages.json"
WARM_UP = 3
PER_PAGE = 50
ANSWER_WORDS = "install"  # in about one answer in ten
QUESTION_WORDS = "extinguisher"
DETAILS = 10  # the detail pages cycle through this many answers and questions


class Stopwatch:
    """ASGI middleware: the milliseconds from a request's arrival to its response's
    last byte, kept in `last_ms`."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.last_ms = 0.0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        start = time.perf_counter()

        async def timed(message: Any) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.last_ms = (time.perf_counter() - start) * 1000
            await send(message)

        await self.app(scope, receive, timed)


@dataclass(frozen=True)
class Case:
    name: str
    paths: list[str]  # cycled through, run by run
    query: Callable[[int], object]  # the same work without rendering, for run n
    shows: Callable[[object], list[str]]  # what its page must contain


def _listed(rows_total: object, link: str) -> list[str]:
    rows, total = rows_total  # type: ignore[misc]
    return [f" of {total}", *(f'href="/{link}/{row["id"]}"' for row in rows[:1] + rows[-1:])]


def answer_cases(runtime: Runtime, labels: LearnerLabels) -> list[Case]:
    engine = runtime.engine
    today = utcnow().date()
    since, until = today - timedelta(60), today - timedelta(31)

    def listing(name: str, query: str, page: int = 1, **filters: Any) -> Case:
        chosen = AnswerFilter(**filters)
        return Case(name, [f"/answers?{query}"], lambda _: find_answers(
            engine, labels, courses=None, filters=chosen, page=page, per_page=PER_PAGE),
            lambda found: _listed(found, "answers"))

    with Session(engine) as session:  # the fullest: explanation removed, most sources
        ids = session.exec(select(AnswerRecord.id).where(
            col(AnswerRecord.explanation_removed)).order_by(
            func.length(AnswerRecord.sources).desc()).limit(DETAILS)).all()
    return [
        listing("first page", ""),
        listing("page 1000", "page=1000", page=1000),
        listing("rating 👎", "rating=down", rating="down"),
        listing("not covered", "not_covered=1", not_covered=True),
        listing("one course", "course=zsh-faq", course="zsh-faq"),
        listing("30 days", f"since={since}&until={until}", since=since, until=until),
        listing(f"words “{ANSWER_WORDS}”", f"text={ANSWER_WORDS}", text=ANSWER_WORDS),
        Case("one answer", [f"/answers/{i}" for i in ids],
             lambda n: answer_detail(engine, labels, ids[n % len(ids)]),
             lambda row: [f"Answer {row['id']}", str(row["learner_label"])]),  # type: ignore[index]
    ]


def question_cases(runtime: Runtime) -> list[Case]:
    engine = runtime.engine

    def listing(name: str, query: str, page: int = 1, **filters: str) -> Case:
        chosen = QuestionQuery(**filters)
        return Case(name, [f"/questions?{query}"], lambda _: find_questions(
            engine, None, chosen, offset=(page - 1) * PER_PAGE, limit=PER_PAGE),
            lambda found: _listed(found, "questions"))

    with Session(engine) as session:
        skill = session.exec(select(Skill.name).join(Question, col(Question.skill_id) == Skill.id)
                             .group_by(col(Skill.name)).order_by(func.count().desc())).first()
        course = session.exec(select(Question.course_id).where(Question.status == "active")
                              .group_by(col(Question.course_id))
                              .order_by(func.count().desc())).first()
        # Active questions of the largest course: the most to compare for near-duplicates.
        ids = session.exec(select(Question.id).where(
            Question.course_id == course, Question.status == "active")
            .order_by(col(Question.id)).limit(DETAILS)).all()
    assert skill is not None
    return [
        listing("first page", ""),
        listing("page 150", "page=150", page=150),
        listing("not yet approved", "status=to-approve", status="to-approve"),
        listing("true or false", "kind=true_false", kind="true_false"),
        listing("one skill", f"skill={skill}", skill=skill),
        listing(f"words “{QUESTION_WORDS}”", f"text={QUESTION_WORDS}", text=QUESTION_WORDS),
        Case("one question", [f"/questions/{i}" for i in ids],
             lambda n: question_detail(engine, ids[n % len(ids)]),
             lambda detail: [f"Question {detail.row['id']}"]),  # type: ignore[attr-defined]
    ]


def time_case(client: TestClient, stopwatch: Stopwatch, case: Case, runs: int
              ) -> dict[str, Any]:
    """The page's and the query's times over `runs` runs after a warm-up; each page is
    checked for what its query found."""
    page_ms: list[float] = []
    query_ms: list[float] = []
    for n in range(WARM_UP + runs):
        response = client.get(case.paths[n % len(case.paths)])
        served = stopwatch.last_ms
        start = time.perf_counter()
        found = case.query(n)
        queried = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (case.name, response.status_code)
        for shown in case.shows(found):
            assert shown in response.text, (case.name, shown)
        if n >= WARM_UP:
            page_ms.append(served)
            query_ms.append(queried)
    (page_p50, page_p95), (query_p50, query_p95) = percentiles(page_ms), percentiles(query_ms)
    matched = found[1] if isinstance(found, tuple) else 1
    return {"matched": matched, "page_p50_ms": round(page_p50, 1),
            "page_p95_ms": round(page_p95, 1), "query_p50_ms": round(query_p50, 1),
            "query_p95_ms": round(query_p95, 1), "ratio_p50": round(page_p50 / query_p50, 2)}


def bench(database: str, settings: Settings, scale: Scale, runs: int) -> dict[str, Any]:
    """Fill one database and time every page on it."""
    runtime = Runtime(settings, embedder=FakeEmbedder())
    try:
        start = time.perf_counter()
        populate(runtime, scale)
        if runtime.engine.dialect.name == "postgresql":  # as autovacuum leaves it
            with runtime.engine.connect().execution_options(
                    isolation_level="AUTOCOMMIT") as connection:
                connection.execute(text("VACUUM ANALYZE"))
        filled_s = time.perf_counter() - start
        print(f"{database}: filled in {filled_s:.1f} s")
        add_account(runtime.engine, ADMIN, "admin", password=PASSWORD, name="Boss")
        app = create_app(runtime)
        stopwatch = Stopwatch(app)
        client = TestClient(stopwatch, follow_redirects=False)
        assert sign_in(client, ADMIN).status_code == 303
        labels = app.state.labels
        result: dict[str, Any] = {"populate_s": round(filled_s, 1)}
        for page, cases in (("answers", answer_cases(runtime, labels)),
                            ("questions", question_cases(runtime))):
            result[page] = {}
            for case in cases:
                result[page][case.name] = figures = time_case(client, stopwatch, case, runs)
                print(f"{database:>10} {page:>9} {case.name:<20} {figures['matched']:>7} "
                      f"{figures['page_p50_ms']:>8.1f} {figures['page_p95_ms']:>8.1f} "
                      f"{figures['query_p50_ms']:>8.1f} {figures['query_p95_ms']:>8.1f} "
                      f"{figures['ratio_p50']:>6.2f}", flush=True)
        return result
    finally:
        runtime.close()


HEADER = (f"{'database':>10} {'page':>9} {'case':<20} {'matched':>7} {'page p50':>8} "
          f"{'p95':>8} {'query p50':>8} {'p95':>8} {'ratio':>6}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--postgres", action="store_true",
                        help="also on a throwaway PostgreSQL cluster")
    args = parser.parse_args()
    scale = Scale()
    results: dict[str, Any] = {"answers": scale.answers, "questions": scale.questions,
                               "learners": scale.learners, "days": scale.days,
                               "runs": args.runs, "per_page": PER_PAGE,
                               "timed": "server side: an ASGI stopwatch round the app",
                               "cores": os.cpu_count(), "load_before": round(os.getloadavg()[0], 2)}
    print(HEADER)
    with tempfile.TemporaryDirectory(prefix="tutorbot-console-pages-") as folder:
        results["sqlite"] = bench("sqlite", Settings(data_dir=Path(folder) / "sqlite",
                                                     _env_file=None), scale, args.runs)
        if args.postgres:
            from tests.postgres import PostgresCluster
            try:
                cluster = PostgresCluster()
            except FileNotFoundError:
                sys.exit("--postgres needs PostgreSQL: apt-get install postgresql")
            try:
                results["postgresql"] = bench("postgresql", Settings(
                    data_dir=Path(folder) / "postgresql", _env_file=None,
                    database_url=cluster.new_database(migrated=False)), scale, args.runs)
            finally:
                cluster.stop()
    results["load_after"] = round(os.getloadavg()[0], 2)
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
