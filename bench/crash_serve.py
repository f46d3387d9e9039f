"""`kill -9` of `tutorbot serve telegram` in the middle of a burst of ratings, quiz
answers and uploads: every write the tutor acknowledged to a user is in the
database afterwards.

A real `tutorbot serve telegram` (real models) runs against the Telegram stand-in
on a data dir holding the sample course. Each cycle: learners ask a question and
get their answers; then, all at once, they rate them (👍/👎), answer quiz questions
(clicking an option, or typing for a short answer) and a trainer uploads small
Markdown files, until the process is killed with SIGKILL at a random moment. What
counts as acknowledged: a rating's "Thanks, noted" toast, a quiz answer's ✅/🟡/❌
feedback, an upload's "passages added" report. Then the database is read by a
fresh process, and serve is started again on it.

Replies too: half the learners ask question after question during the burst, the
others answer quiz questions, so the kill lands between taking an update and
replying to it. After the restart the bench waits for the lease (`LEASE_S`, set
short here) to lapse and the restarted process to handle what the dead one left,
then counts per learner the questions and quiz answers that never got a reply (a
final answer; a ✅/🟡/❌, or "graded before a restart") and the replies beyond one.

    python -m bench.crash_serve [--cycles 5] [--learners 6] [--seed 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session, select

from bench.qa_sets import SAMPLE_COURSE
from knowledge.tables import Document
from tests.platforms.telegram_api import FakeTelegram
from tests.postgres import free_port
from tutor.database import make_engine
from tutor.settings import Settings
from tutor.tables import Attempt, Feedback

RESULTS = Path(__file__).resolve().parent / "results" / "crash-serve.json"
TUTORBOT = str(Path(sys.executable).with_name("tutorbot"))
TOKEN = "6161:crash"
TRAINER = 900
MARKS = ("✅", "🟡", "❌")
LEASE_S = 30  # TUTORBOT_TELEGRAM_LEASE_S: longer than an answer takes here, short to wait for
GRADED_BEFORE = "graded before a restart"
QUESTIONS = ["How long should I cool a burn?", "What does PASS stand for?",
             "What angle should a ladder be at?", "What is the forklift speed limit?",
             "Which extinguisher is for electrical fires?", "How heavy a load may I lift?"]


def buttons(message: dict) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
    return [b["callback_data"] for row in rows for b in row]


async def serve(env: dict[str, str], fake: FakeTelegram) -> subprocess.Popen[bytes]:
    process = subprocess.Popen([TUTORBOT, "serve", "telegram"], env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    calls = len(fake.calls)
    await fake.wait_for(lambda: any(m == "getUpdates" for m, _ in fake.calls[calls:]), 300)
    return process


async def cycle(fake: FakeTelegram, env: dict[str, str], learners: list[int],
                rng: random.Random, number: int) -> dict:
    process = await serve(env, fake)
    answers = {}
    for chat, question in zip(learners, rng.sample(QUESTIONS * 2, len(learners)), strict=False):
        fake.user_message(chat, question)
    for chat in learners:  # the answers to rate, once all are in
        answers[chat] = await fake.wait_for(lambda chat=chat: next(
            (m for m in reversed(fake.bot_messages(chat)) if "feedback:" in str(buttons(m))),
            None), 300)
    acked = {"ratings": [], "quiz_answers": {chat: 0 for chat in learners}, "uploads": []}
    # Per chat, what the learner sent during the burst, in order: its kind, how many bot
    # messages the chat had then, and a click's query id (its toast may be its reply).
    sent: dict[int, list[Sent]] = {chat: [] for chat in learners}
    clicks: dict[str, tuple[int, bool]] = {}

    async def rate(chat: int) -> None:
        choice = rng.choice([b for b in buttons(answers[chat]) if b.startswith("feedback:")])
        update = fake.user_click(chat, answers[chat]["message_id"], choice)
        clicks[update["callback_query"]["id"]] = (chat, choice.startswith("feedback:up"))

    async def quiz(chat: int) -> None:
        """Quiz after quiz, until the kill: a new one whenever the last is done."""
        fake.user_message(chat, "/quiz")
        for _ in range(500):
            latest = await fake.wait_for(lambda: fake.bot_messages(chat)[-1:], 120)
            if latest[0].get("text", "").startswith("🏁"):
                before = len(fake.bot_messages(chat))
                fake.user_message(chat, "/quiz")
                await fake.wait_for(lambda before=before: asking(fake.bot_messages(chat)[before:]),
                                    120)
            shown = await fake.wait_for(lambda: next(
                (m for m in reversed(fake.bot_messages(chat)) if "quiz:" in str(buttons(m))
                 or m.get("text", "").startswith("Question")), None), 120)
            options = [b for b in buttons(shown) if b.startswith("quiz:")]
            before = len(fake.bot_messages(chat))
            if options:
                update = fake.user_click(chat, shown["message_id"], rng.choice(options))
                sent[chat].append(Sent("quiz_answers", before, update["callback_query"]["id"]))
            else:
                fake.user_message(chat, "20 minutes")
                sent[chat].append(Sent("quiz_answers", before))
            # Its grade, then what comes after it: the next question, a second try's
            # hints, or the quiz's end (a click on the old question would be no answer).
            await fake.wait_for(lambda before=before: graded(fake.bot_messages(chat)[before:]),
                                120)
            await fake.wait_for(lambda: settled(fake.bot_messages(chat)[-1]), 120)
            acked["quiz_answers"][chat] = sum(m.get("text", "").startswith(MARKS)
                                              for m in fake.bot_messages(chat))

    async def ask(chat: int) -> None:
        """Question after question, each once the last is answered, until the kill."""
        for _ in range(500):
            before = finals(fake.bot_messages(chat))
            sent[chat].append(Sent("questions", len(fake.bot_messages(chat))))
            fake.user_message(chat, rng.choice(QUESTIONS))
            await fake.wait_for(lambda before=before: finals(fake.bot_messages(chat)) > before,
                                300)

    def reports() -> int:
        return sum("passages added" in m.get("text", "") for m in fake.bot_messages(TRAINER))

    async def upload(count: int) -> None:
        before = reports()
        for n in range(count):
            name = f"drill-{number}-{n}.md"
            body = f"# Drill {number}.{n}\n\nDrill {number}.{n}: meet at gate {n} and wait.\n"
            fake.user_document(TRAINER, name, body.encode(), caption="course: drills")
            await fake.wait_for(lambda n=n: reports() > before + n, 120)
            acked["uploads"].append(name)

    burst = [asyncio.create_task(rate(chat)) for chat in learners]
    burst += [asyncio.create_task(quiz(chat) if n % 2 else ask(chat))
              for n, chat in enumerate(learners)]
    burst.append(asyncio.create_task(upload(200)))  # more than the burst has time for
    kill_at = rng.uniform(0.5, 8.0)
    await asyncio.sleep(kill_at)
    process.send_signal(signal.SIGKILL)
    process.wait()
    await asyncio.sleep(0.5)
    for task in burst:
        task.cancel()
    await asyncio.gather(*burst, return_exceptions=True)
    for answer in fake.callback_answers:
        if answer.get("callback_query_id") in clicks and "noted" in answer.get("text", ""):
            acked["ratings"].append(clicks[answer["callback_query_id"]])
    written = check(env, acked, learners)
    process = await serve(env, fake)  # restarted: it handles what the dead one left
    replies = await replied(fake, sent)
    process.send_signal(signal.SIGTERM)
    process.wait(60)
    return {"kill_at_s": round(kill_at, 1), **written, **replies}


@dataclass(frozen=True)
class Sent:
    kind: str  # "questions" or "quiz_answers"
    at: int  # the chat's bot messages when it was sent: its replies come after
    query: str | None = None  # a click's callback query


def finals(messages: list[dict]) -> int:
    """Final answers to questions (they carry the 👍/👎 buttons)."""
    return sum("feedback:" in str(buttons(m)) for m in messages)


def graded(messages: list[dict]) -> int:
    """Replies to quiz answers: a grade, or "graded before a restart"."""
    return sum(m.get("text", "").startswith(MARKS) or GRADED_BEFORE in m.get("text", "")
               for m in messages)


def asking(messages: list[dict]) -> bool:
    """Whether a new quiz's first question has come (its intro comes before it)."""
    return any("quiz:" in str(buttons(m)) or m.get("text", "").startswith("Question")
               for m in messages)


def settled(message: dict) -> bool:
    """What a quiz answer's grade is followed by: a question, hints for a second try,
    or the quiz's summary."""
    text, shown = message.get("text", ""), str(buttons(message))
    return "quiz:" in shown or "hint:" in shown or text.startswith(("Question", "🏁"))


def replies_to(fake: FakeTelegram, chat: int, sends: list[Sent]) -> list[int]:
    """How many replies each thing sent got: the final answers or grades between it
    and the next thing the learner sent (each waited for the reply before the next),
    and a click's toast that says it was graded."""
    messages = fake.bot_messages(chat)
    ends = [s.at for s in sends[1:]] + [len(messages)]
    toasts = {a["callback_query_id"]: a.get("text", "") for a in fake.callback_answers}
    counted = []
    for sending, end in zip(sends, ends, strict=True):
        after = messages[sending.at:end]
        count = finals(after) if sending.kind == "questions" else graded(after)
        toast = toasts.get(sending.query or "", "")
        counted.append(count + (toast.startswith(MARKS) or GRADED_BEFORE in toast))
    return counted


async def replied(fake: FakeTelegram, sent: dict[int, list[Sent]]) -> dict:
    """Per kind, the things sent that got no reply and the replies beyond one, once
    the restarted process had the time to handle what the dead one left."""
    def unanswered() -> int:
        return sum(not n for chat, sends in sent.items() for n in replies_to(fake, chat, sends))
    with contextlib.suppress(TimeoutError):  # what is still missing then is counted
        await fake.wait_for(lambda: unanswered() == 0, LEASE_S * 3)
    await asyncio.sleep(LEASE_S / 2)  # and a second reply, if one were coming
    kinds = ("questions", "quiz_answers")
    counts = [(s.kind, n) for chat, sends in sent.items()
              for s, n in zip(sends, replies_to(fake, chat, sends), strict=True)]
    toasts = {a["callback_query_id"]: a.get("text", "") for a in fake.callback_answers}
    # What the learner got instead, where a reply is missing or came twice: to read.
    odd = [{"chat": chat, "kind": s.kind, "replies": n,
            "after": [m.get("text", "")[:80] for m in fake.bot_messages(chat)[s.at:s.at + 4]],
            "toast": toasts.get(s.query or "")}
           for chat, sends in sent.items()
           for s, n in zip(sends, replies_to(fake, chat, sends), strict=True) if n != 1]
    return {"sent": {kind: sum(k == kind for k, _ in counts) for kind in kinds},
            "never_answered": {kind: sum(k == kind and n == 0 for k, n in counts)
                               for kind in kinds},
            "answered_twice": {kind: sum(k == kind and n > 1 for k, n in counts)
                               for kind in kinds}, "odd": odd}


def check(env: dict[str, str], acked: dict, learners: list[int]) -> dict:
    """Acknowledged writes missing from the database, read by a fresh process."""
    engine = make_engine(Settings(data_dir=Path(env["TUTORBOT_DATA_DIR"]), _env_file=None).db_url)
    with Session(engine) as session:
        ratings = {(f.learner_id, f.helpful) for f in session.exec(select(Feedback))}
        attempts = {chat: len(session.exec(select(Attempt).where(
            Attempt.learner_id == f"telegram:{chat}")).all()) for chat in learners}
        documents = set(session.exec(select(Document.name)))
    engine.dispose()
    missing_ratings = [r for r in acked["ratings"] if (f"telegram:{r[0]}", r[1]) not in ratings]
    missing_attempts = sum(max(0, acked["quiz_answers"][c] - attempts[c]) for c in learners)
    missing_uploads = [name for name in acked["uploads"] if name not in documents]
    return {"acknowledged": {"ratings": len(acked["ratings"]),
                             "quiz_answers": sum(acked["quiz_answers"].values()),
                             "uploads": len(acked["uploads"])},
            "missing": {"ratings": len(missing_ratings), "quiz_answers": missing_attempts,
                        "uploads": len(missing_uploads)}}


async def main_async(cycles: int, count: int, seed: int) -> dict:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="tutorbot-crash-serve-") as folder:
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("TUTORBOT_")}
        env.update(TUTORBOT_DATA_DIR=folder, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1",
                   TUTORBOT_ASK_SERVER_IDLE_MINUTES="0", TUTORBOT_RATE_LIMIT="0",
                   TUTORBOT_TELEGRAM_TOKEN=TOKEN, TUTORBOT_ADMINS=f"telegram:{TRAINER}",
                   TUTORBOT_TELEGRAM_LEASE_S=str(LEASE_S),
                   TUTORBOT_TELEGRAM_API_URL=f"http://127.0.0.1:{port}")
        subprocess.run([TUTORBOT, "ingest", str(SAMPLE_COURSE), "--course", "workplace-safety"],
                       env=env, check=True, capture_output=True)
        results = []
        async with FakeTelegram(TOKEN, port=port) as fake:
            for number in range(cycles):
                learners = [2000 + number * 100 + n for n in range(count)]
                results.append(await cycle(fake, env, learners, rng, number))
                print(f"cycle {number + 1}: {results[-1]}", flush=True)
            process = await serve(env, fake)  # it starts again after the last kill too
            fake.user_message(7, "/help")
            await fake.wait_for(lambda: fake.bot_messages(7), 60)
            process.send_signal(signal.SIGTERM)
            process.wait(60)
    total = {kind: sum(r["acknowledged"][kind] for r in results)
             for kind in ("ratings", "quiz_answers", "uploads")}
    lost = {kind: sum(r["missing"][kind] for r in results) for kind in total}
    replies = {key: {kind: sum(r[key][kind] for r in results) for kind in results[0][key]}
               for key in ("sent", "never_answered", "answered_twice")}
    return {"cycles": cycles, "acknowledged": total, "lost": lost, **replies,
            "lease_s": LEASE_S, "details": results}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--learners", type=int, default=6)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    summary = asyncio.run(main_async(args.cycles, args.learners, args.seed))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps({k: v for k, v in summary.items() if k != "details"}, indent=2))


if __name__ == "__main__":
    main()
