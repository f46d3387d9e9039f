"""The answers log: what each learner was told is kept for trainers, counted per
course and day, rated, forgotten, and expired by one worker a day."""

from __future__ import annotations

import json
import threading
from datetime import timedelta

import pytest
from sqlmodel import Session, select

from tests.conftest import SAMPLE_COURSE
from tests.fakes import FakeGenerator, first_passage_sentence
from tutor import personal_data
from tutor.answers import log as answer_log
from tutor.answers.answering import Answer
from tutor.dialogue import DialogueManager
from tutor.messages import IncomingMessage, Reply
from tutor.runtime import Runtime
from tutor.tables import AnswerCount, AnswerRecord, Learner, ReceivedEvent

ANA = "telegram:4242"
COURSE = "workplace-safety"
# The faithful fake explains this one: its sentence passes the check.
CO2 = "What does the CO2 extinguisher with the black band put out?"
OFF_COURSE = "zebra quantum sourdough recipe?"
# Nothing in the material says this: the check removes it, saying why.
INVENTED = "Pilots must file a flight plan before takeoff [1]."


@pytest.fixture
def manager(runtime: Runtime) -> DialogueManager:
    runtime.add_material([SAMPLE_COURSE], COURSE)
    return DialogueManager(runtime)


def use(runtime: Runtime, **settings: object) -> None:
    runtime.settings = runtime.settings.model_copy(update=settings)


async def ask(manager: DialogueManager, text: str, learner: str = ANA, name: str = "Ana Lima"
              ) -> Reply:
    replies = [r async for r in manager.respond(IncomingMessage(learner, text, name=name))]
    return replies[-1]


async def click(manager: DialogueManager, action: str, learner: str = ANA) -> Reply:
    return [r async for r in manager.respond(IncomingMessage(learner, "", button=action))][-1]


def button(reply: Reply, label: str) -> str:
    return next(b.action for b in reply.buttons if b.label == label)


def records(runtime: Runtime) -> list[AnswerRecord]:
    with Session(runtime.engine) as session:
        return list(session.exec(select(AnswerRecord).order_by(AnswerRecord.id)))


def counts(runtime: Runtime) -> dict[str, int]:
    """Today's counts of the course, the key columns left out."""
    with Session(runtime.engine) as session:
        rows = list(session.exec(select(AnswerCount)))
    assert len(rows) <= 1, "one row per course and day"
    return rows[0].model_dump(exclude={"course", "day"}) if rows else {}


async def test_an_answer_is_kept_whole_with_its_turn_and_the_learners_name(
        manager: DialogueManager, runtime: Runtime) -> None:
    shown = await ask(manager, CO2)
    (kept,) = records(runtime)
    assert (kept.learner_id, kept.course, kept.question) == (ANA, COURSE, CO2)
    assert kept.answer == shown.text and kept.quote and shown.text.startswith(kept.quote)
    assert json.loads(kept.kept) == shown.data["answer"]["kept_sentences"] != []
    assert json.loads(kept.removed) == [] and not kept.explanation_removed
    sources = json.loads(kept.sources)
    assert [s["document"] for s in sources] == [s.document for s in shown.sources]
    assert sources[0]["text"] == shown.sources[0].text
    assert kept.covered and kept.helpful is None and kept.rated_at is None
    assert button(shown, "👍") == f"feedback:up:{kept.turn_id}"
    with Session(runtime.engine) as session:
        assert session.get(Learner, ANA).display_name == "Ana Lima"  # type: ignore[union-attr]
    assert counts(runtime) == {"answers": 1, "not_covered": 0, "explanation_removed": 0,
                               "trainer_answers": 0, "helpful": 0, "unhelpful": 0}


async def test_removed_sentences_are_kept_with_why(manager: DialogueManager, runtime: Runtime,
                                                   generator: FakeGenerator) -> None:
    generator.answer = lambda prompt: f"{first_passage_sentence(prompt)} {INVENTED}"
    shown = await ask(manager, CO2)
    (kept,) = records(runtime)
    assert shown.data["answer"]["removed_sentences"] == [INVENTED.removesuffix(" [1].") + "."]
    (removed,) = json.loads(kept.removed)
    assert removed["text"] == "Pilots must file a flight plan before takeoff."
    # As `tutorbot check` says it.
    report = (await runtime.answers.check(COURSE, CO2, INVENTED)).as_dict()
    assert removed["why"] == report["sentences"][0]["reason"]  # type: ignore[index]
    assert removed["why"].startswith("unsupported: no passage sentence says this")
    assert shown.data["answer"]["removed_why"] == [removed["why"]]
    assert kept.explanation_removed and json.loads(kept.kept)
    assert counts(runtime)["explanation_removed"] == 1


async def test_a_question_the_material_does_not_cover_is_kept_without_a_turn(
        manager: DialogueManager, runtime: Runtime) -> None:
    shown = await ask(manager, OFF_COURSE, name="Bo")
    (kept,) = records(runtime)
    assert not kept.covered and kept.turn_id is None and kept.answer == shown.text
    assert json.loads(kept.sources) == [] and not shown.buttons
    with Session(runtime.engine) as session:
        learner = session.get(Learner, ANA)
    assert learner is not None and (learner.display_name, learner.course) == ("Bo", COURSE)
    assert counts(runtime)["not_covered"] == 1 and counts(runtime)["answers"] == 1


async def test_a_rating_lands_on_the_record_and_in_the_counts(
        manager: DialogueManager, runtime: Runtime) -> None:
    shown = await ask(manager, CO2)
    await click(manager, button(shown, "👍"))
    assert counts(runtime)["helpful"] == 1
    await click(manager, button(shown, "👍"))  # the same again: counted once
    await click(manager, button(shown, "👎"))  # changed their mind
    (kept,) = records(runtime)
    assert kept.helpful is False and kept.rated_at is not None
    assert (counts(runtime)["helpful"], counts(runtime)["unhelpful"]) == (0, 1)
    refused = await click(manager, button(shown, "👍"), learner="telegram:1")  # not theirs
    assert refused.error and records(runtime)[0].helpful is False


async def test_a_name_is_stored_when_it_changes_and_never_blanked(
        manager: DialogueManager, runtime: Runtime) -> None:
    await ask(manager, CO2, name="Ana")
    await ask(manager, "How long should I cool a burn?", name="Ana Lima")
    await ask(manager, "Where do I find the first aid kit?", name="")
    with Session(runtime.engine) as session:
        assert session.get(Learner, ANA).display_name == "Ana Lima"  # type: ignore[union-attr]
    assert len(records(runtime)) == 3


async def test_pseudonymous_consoles_store_no_name(manager: DialogueManager,
                                                   runtime: Runtime) -> None:
    use(runtime, console_names="pseudonymous")
    await ask(manager, CO2)
    with Session(runtime.engine) as session:
        assert session.get(Learner, ANA).display_name == ""  # type: ignore[union-attr]
    assert "under a pseudonym" in (await ask(manager, "/start")).text


async def test_a_coached_question_is_kept_as_the_learner_saw_it(
        manager: DialogueManager, runtime: Runtime) -> None:
    await ask(manager, "/coach")
    shown = await ask(manager, "How long should I cool a burn with running water?")
    (kept,) = records(runtime)
    assert shown.text.startswith("🧭") and kept.answer == shown.text
    assert kept.quote and kept.turn_id == shown.data["coach"]["turn"]  # type: ignore[index]


async def test_with_no_days_kept_only_counts_are(manager: DialogueManager,
                                                 runtime: Runtime) -> None:
    use(runtime, answer_log_days=0)
    shown = await ask(manager, CO2)
    await ask(manager, OFF_COURSE)
    await click(manager, button(shown, "👎"))
    await click(manager, button(shown, "👍"))
    assert records(runtime) == []
    with Session(runtime.engine) as session:
        assert session.get(Learner, ANA).display_name == ""  # type: ignore[union-attr]
    assert counts(runtime) == {"answers": 2, "not_covered": 1, "explanation_removed": 0,
                               "trainer_answers": 0, "helpful": 1, "unhelpful": 0}
    start = (await ask(manager, "/start")).text
    assert "see only how many" in start and "days" not in start


async def test_privacy_says_how_long_answers_are_kept(manager: DialogueManager,
                                                      runtime: Runtime) -> None:
    use(runtime, answer_log_days=30)
    start = (await ask(manager, "/start")).text
    assert "kept 30 days for your trainers" in start and "name your chat app shows" in start


async def test_mydata_counts_the_answers_and_forget_deletes_them(
        manager: DialogueManager, runtime: Runtime) -> None:
    await ask(manager, CO2)
    await ask(manager, OFF_COURSE)
    await ask(manager, CO2, learner="telegram:1", name="Bo")
    data = personal_data.export(runtime.engine, ANA)
    assert data["answers_kept_for_trainers"] == 2
    assert data["learner"][0]["display_name"] == "Ana Lima"
    assert "deleted" in (await ask(manager, "/forget")).text
    assert [r.learner_id for r in records(runtime)] == ["telegram:1"]
    assert personal_data.export(runtime.engine, ANA)["answers_kept_for_trainers"] == 0
    assert counts(runtime)["answers"] == 3  # counts keep neither text nor learner


def an_answer(question: str = CO2, *, covered: bool = True) -> Answer:
    return Answer(question, "> Cool it. [1]", (), covered, True, quote="> Cool it. [1]")


def test_expiry_deletes_old_records_once_and_leaves_the_counts(runtime: Runtime) -> None:
    now = answer_log.utcnow()
    for age in (0, 9, 11, 40):
        answer_log.record(runtime.engine, learner_id=ANA, course=COURSE, answer=an_answer(),
                          keep_days=10, now=now - timedelta(days=age))
    with Session(runtime.engine) as session:
        before = {row.day: row.answers for row in session.exec(select(AnswerCount))}
    assert sum(before.values()) == 4
    assert answer_log.expire_once_a_day(runtime.engine, 10, now) == 2
    assert answer_log.expire_once_a_day(runtime.engine, 10, now) is None  # done today
    assert answer_log.expire(runtime.engine, 10, now) == 0  # and run again: nothing more
    assert len(records(runtime)) == 2
    with Session(runtime.engine) as session:
        assert {row.day: row.answers for row in session.exec(select(AnswerCount))} == before
    if runtime.engine.dialect.name == "sqlite":  # the planner was told the log's shape
        with runtime.engine.connect() as connection:
            assert connection.exec_driver_sql(
                "SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'answerrecord'").scalar()
    tomorrow = now + timedelta(days=1, minutes=1)
    assert answer_log.expire_once_a_day(runtime.engine, 10, tomorrow) == 1  # the 9-day one


def test_two_workers_at_once_expire_once(runtime: Runtime) -> None:
    now = answer_log.utcnow()
    for age in range(5):
        answer_log.record(runtime.engine, learner_id=ANA, course=COURSE, answer=an_answer(),
                          keep_days=2, now=now - timedelta(days=age))
    start = threading.Barrier(2)
    results: list[int | None] = []

    def worker() -> None:
        start.wait()
        results.append(answer_log.expire_once_a_day(runtime.engine, 2, now))

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results, key=str) == [2, None]  # ages 3 and 4 went, by one worker
    assert len(records(runtime)) == 3
    with Session(runtime.engine) as session:
        claim = session.exec(select(ReceivedEvent)).one()
    assert claim.platform == "job" and claim.event_id.startswith("answer-log:")
    assert claim.answered_at is not None


def test_an_expiry_whose_worker_died_is_taken_over_after_its_lease(
        runtime: Runtime, monkeypatch: pytest.MonkeyPatch) -> None:
    from tutor import received

    now = answer_log.utcnow()
    answer_log.record(runtime.engine, learner_id=ANA, course=COURSE, answer=an_answer(),
                      keep_days=1, now=now - timedelta(days=3))
    job = f"answer-log:{now.date().isoformat()}"
    received.ReceivedEvents(runtime.engine, "job").take(job)  # and died before expiring
    assert answer_log.expire_once_a_day(runtime.engine, 1, now) is None
    later = received.utcnow() + timedelta(seconds=received.LEASE_S + 1)
    monkeypatch.setattr(received, "utcnow", lambda: later)
    assert answer_log.expire_once_a_day(runtime.engine, 1, now) == 1


def test_counts_never_go_below_zero(runtime: Runtime) -> None:
    with Session(runtime.engine) as session:
        answer_log.add_counts(session, COURSE, "2026-01-01", helpful=-1, unhelpful=1)
        answer_log.add_counts(session, COURSE, "2026-01-01", unhelpful=-1, helpful=-1)
        session.commit()
        row = session.get(AnswerCount, (COURSE, "2026-01-01"))
    assert row is not None and (row.helpful, row.unhelpful, row.answers) == (0, 0, 0)
