"""A console's database at scale, for bench.console_pages: the three public courses
ingested (real passages, skills and question bank; the fake embedder), the bank
filled up to `questions` with questions on the courses' own sentences (statuses,
approvals and edits mixed in; every wording of its own, as a validated bank's), and
`answers` answer records over `learners` named learners and `days` days, their
texts taken from the answers the tutor gave on the public sets
(bench/results/answers-*.jsonl) and from bench/data/off_topic.txt for the
questions the material does not cover. Everything past the ingest goes in by
bulk inserts (executemany), seeded: the same rows every run."""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, insert
from sqlmodel import Session, col, select

from knowledge.sentences import passage_units
from knowledge.tables import Chunk, Course, Document, utcnow
from tutor.quiz.generate import BLANK
from tutor.runtime import Runtime
from tutor.tables import AnswerRecord, Learner, Question

HERE = Path(__file__).parent
COURSES = {"workplace-safety": HERE.parent / "knowledge" / "sample_course",
           "zsh-faq": HERE / "data" / "zsh-faq" / "material",
           "debian-faq": HERE / "data" / "debian-faq" / "material"}
ANSWERED = {"zsh-faq": HERE / "results" / "answers-zsh-faq.jsonl",
            "debian-faq": HERE / "results" / "answers-debian-faq.jsonl"}
ASKED = HERE / "results" / "questions-workplace-safety.jsonl"
OFF_TOPIC = HERE / "data" / "off_topic.txt"
NOT_COVERED = ("The material of the course '{course}' does not cover that, so I won't "
               "guess. Ask your trainer, or try asking about something the course teaches.")
WHY = ("unsupported: no passage sentence says this (closest 0.41)",
       "new terms: registry, hive named nowhere in the material",
       "contradicted (number): 30 seconds where the material says 20 seconds",
       "off the question: true, but not about what was asked (0.22)")
FIRST = ("Ana", "Bruno", "Chen", "Dana", "Emeka", "Fatima", "Giorgio", "Hana", "Ivan",
         "Jonas", "Kofi", "Lena", "Mateo", "Nadia", "Oskar", "Priya", "Quentin", "Rosa",
         "Sven", "Tariq", "Uma", "Viktor", "Wen", "Yusuf", "Zofia")
LAST = ("Lima", "Okafor", "Schmidt", "Nguyen", "García", "Kowalski", "Haddad", "Ito",
        "Petrov", "Müller", "Silva", "Mensah", "Novak", "Rossi", "Tanaka", "Dubois")
BATCH = 5000
ADMIN = "boss@example.org"


@dataclass(frozen=True)
class Scale:
    questions: int = 10_000
    answers: int = 100_000
    learners: int = 2_000
    days: int = 180


def populate(runtime: Runtime, scale: Scale, seed: int = 21) -> None:
    """Fill an empty runtime's database (see the module's docstring)."""
    for course, material in COURSES.items():
        runtime.add_material([material], course)
    chance = random.Random(seed)
    _bank(runtime.engine, scale.questions, chance)
    learners = _learners(runtime.engine, scale.learners, chance)
    _answers(runtime.engine, scale, learners, chance)


def _insert(engine: Engine, table: Any, rows: list[dict[str, Any]]) -> None:
    with engine.begin() as connection:
        for start in range(0, len(rows), BATCH):
            connection.execute(insert(table), rows[start:start + BATCH])


def _bank(engine: Engine, wanted: int, chance: random.Random) -> None:
    """The ingested bank and, up to `wanted` in all, questions written as the text
    generator writes them (a fact of a sentence blanked, or the sentence to judge
    true or false) from the sentences of each course's passages, the courses taking
    equal shares: about 12 % retired, a fifth of the rest approved, 5 % edited."""
    with Session(engine) as session:
        have = session.exec(select(func.count()).select_from(Question)).one()
        chunks = session.exec(select(Document.course_id, Document.name, Chunk.id,
                                     Chunk.skill_id, Chunk.heading, Chunk.text)
                              .join(Chunk, col(Chunk.document_id) == Document.id)
                              .where(col(Chunk.skill_id).is_not(None))
                              .order_by(col(Chunk.id))).all()
    by_course: dict[int, list[tuple[Any, ...]]] = {}
    for row in chunks:
        by_course.setdefault(row[0], []).append(row)
    now = utcnow()
    rows = []
    for n in range(wanted - have):
        course_id, document, chunk_id, skill_id, heading, text = chance.choice(
            by_course[sorted(by_course)[n % len(by_course)]])
        sentences = [u.text for u in passage_units(text)
                     if u.kind == "sentence" and len(u.text.split()) >= 6] or [text[:200]]
        row = _question(chance.choice(sentences), text, chance)
        row.update(course_id=course_id, skill_id=skill_id, chunk_id=chunk_id,
                   document=document, section=heading, created_at=now, status="active",
                   retired_why="", approved_by="", approved_at=None,
                   generator="edited" if chance.random() < 0.05 else "text", basis="fact")
        roll = chance.random()
        if roll < 0.12:
            row.update(status="retired", retired_why="its passage changed")
        elif roll < 0.30:
            row.update(approved_by=ADMIN, approved_at=now - timedelta(days=chance.randrange(90)))
        rows.append(row)
    _insert(engine, Question, rows)


def _question(sentence: str, passage: str, chance: random.Random) -> dict[str, Any]:
    """A question on one fact of `sentence`: to judge true or false, to fill in, or to
    choose among words of the passage."""
    words = [w for w in re.findall(r"[\w-]+", sentence) if len(w) > 3] or [sentence.split()[0]]
    fact = chance.choice(words)
    blanked = sentence.replace(fact, BLANK, 1)
    kind = chance.choice(("true_false", "true_false", "short", "short", "choice"))
    if kind == "true_false":
        return {"kind": kind, "question": f"True or false? {sentence}", "answer": "True",
                "options": json.dumps(["True", "False"]), "wrong": "[]", "sentence": sentence,
                "fact": fact}
    if kind == "short":
        return {"kind": kind, "question": f"Fill in the blank: {blanked}", "answer": fact,
                "options": "[]", "wrong": "[]", "sentence": sentence, "fact": fact}
    others = sorted({w for w in re.findall(r"[\w-]+", passage) if len(w) > 3} - {fact})
    wrong = chance.sample(others, min(3, len(others)))
    options = [fact, *wrong]
    chance.shuffle(options)
    return {"kind": kind, "question": blanked, "answer": fact, "options": json.dumps(options),
            "wrong": json.dumps(wrong), "sentence": sentence, "fact": fact}


def _learners(engine: Engine, count: int, chance: random.Random) -> list[str]:
    """Learners of Telegram and Slack, each with the name their platform shows."""
    rows = [{"id": f"telegram:{40_000_000 + n}" if n % 3 else f"slack:U{n:09d}",
             "course": chance.choice(list(COURSES)),
             "display_name": f"{chance.choice(FIRST)} {chance.choice(LAST)}",
             "created_at": utcnow()} for n in range(count)]
    _insert(engine, Learner, rows)
    return [row["id"] for row in rows]


def _passages(engine: Engine) -> dict[str, list[dict[str, object]]]:
    """Each course's passages as an answer cites them."""
    with Session(engine) as session:
        found = session.exec(select(Course.name, Document.name, Chunk.heading, Chunk.page,
                                    Chunk.text)
                             .join(Document, col(Document.course_id) == Course.id)
                             .join(Chunk, col(Chunk.document_id) == Document.id)).all()
    passages: dict[str, list[dict[str, object]]] = {course: [] for course in COURSES}
    for course, document, heading, page, text in found:
        passages[course].append({"document": document, "section": heading, "page": page,
                                 "text": text})
    return passages


def _told(course: str) -> list[dict[str, Any]]:
    """What the tutor said on a course: question, answer, quote and the explanation
    sentences its check weighed."""
    if course in ANSWERED:
        return [json.loads(line) for line in ANSWERED[course].read_text().splitlines()]
    told = []  # the sample course: the bank's sentences asked back as questions
    for line in ASKED.read_text().splitlines():
        item = json.loads(line)
        quote = f"> {item['sentence']} [1]"
        told.append({"question": item["question"], "quote": quote, "answer": quote,
                     "removed": [item["source"].split(" — ")[-1] + " applies to everyone."]})
    return told


def _answers(engine: Engine, scale: Scale, learners: list[str], chance: random.Random
             ) -> None:
    """`scale.answers` records: about 10 % not covered, 15 % with the explanation
    removed (else kept), one to three sources each; 8 % rated 👎, 17 % 👍."""
    passages = _passages(engine)
    told = {course: _told(course) for course in COURSES}
    off_topic = OFF_TOPIC.read_text().splitlines()
    now = utcnow()
    rows = []
    for n in range(scale.answers):
        course = chance.choice(list(COURSES))
        created = now - timedelta(seconds=chance.uniform(0, scale.days * 86400))
        row: dict[str, Any] = {
            "learner_id": chance.choice(learners), "course": course, "turn_id": n + 1,
            "created_at": created, "trainer_answer_id": None, "rated_at": None,
            "helpful": None, "covered": True, "explanation_removed": False}
        if chance.random() < 0.10:
            row.update(question=chance.choice(off_topic), covered=False, quote="",
                       answer=NOT_COVERED.format(course=course), kept="[]", removed="[]",
                       sources="[]")
        else:
            said = chance.choice(told[course])
            explanation = said["removed"][:chance.randint(1, 4)]
            cited = chance.sample(passages[course], chance.choice((1, 1, 2, 3)))
            sources = [{"number": i + 1, **p} for i, p in enumerate(cited)]
            row.update(question=said["question"], quote=said["quote"],
                       sources=json.dumps(sources, ensure_ascii=False))
            if chance.random() < 0.15:
                removed = [{"text": s, "why": chance.choice(WHY)} for s in explanation]
                row.update(answer=said["quote"], kept="[]", explanation_removed=True,
                           removed=json.dumps(removed, ensure_ascii=False))
            else:
                row.update(answer=said["quote"] + "\n\n" + " ".join(explanation),
                           kept=json.dumps(explanation, ensure_ascii=False), removed="[]")
        roll = chance.random()
        if roll < 0.25:
            row.update(helpful=roll >= 0.08, rated_at=created + timedelta(minutes=2))
        rows.append(row)
    rows.sort(key=lambda r: r["created_at"])  # ids in the order they were asked
    _insert(engine, AnswerRecord, rows)
