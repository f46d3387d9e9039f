"""The dialogue manager: every adapter hands it an `IncomingMessage` and renders the
`Reply` stream it returns. A message is, in this order: a button click, an upload,
a /command, or a question."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import AsyncIterator, Callable
from contextlib import aclosing
from dataclasses import replace

from knowledge.library import (
    UnknownCourse,
    course_ids,
    course_names,
    course_skills,
    skill_course,
    skill_passages,
)
from tutor import personal_data
from tutor.answers import log as answer_log
from tutor.answers.answering import Answer, Draft
from tutor.answers.followup import is_follow_up, retrieval_query
from tutor.answers.terms import content_words
from tutor.answers.trainer_match import (
    TrainerMatch,
    offer_button,
    offered_answer,
    served_answer,
)
from tutor.asking import is_a_guess
from tutor.coaching import coaching_for, guess_reply, guiding_reply, hint_reply
from tutor.errors import TutorError
from tutor.learner_locks import BUTTON_WAIT_S, LearnerLocks
from tutor.limits import QuestionRate, check_question
from tutor.messages import Button, File, IncomingMessage, Reply, Source, button_number
from tutor.next_steps import next_reply, path_reply, quiz_button
from tutor.off_loop import in_thread
from tutor.progress import progress_reply
from tutor.quiz.chat import QuizTutor
from tutor.quiz.grading import TRUE_FALSE
from tutor.reminders import USAGE, ReminderStore, Schedule, parse_schedule, schedule_of
from tutor.runtime import Runtime
from tutor.tables import QuizRun, Turn
from tutor.uploads import course_from_caption, ingest_uploads, summary

Handler = Callable[[IncomingMessage, str], AsyncIterator[Reply]]
log = logging.getLogger(__name__)
HELPFUL, UNHELPFUL = "👍", "👎"
NUDGED_PLATFORMS = ("telegram", "slack")  # where a reminder can reach a learner
# A longer /mydata comes as a file: one Slack section holds 3,000 characters.
MYDATA_IN_MESSAGE = 2500
# Commands whose replies are about one learner (their data, mastery, steps, reminder
# schedule, their quiz with its feedback and mastery): asked in a group, they are
# answered privately, and the quiz goes on there.
PERSONAL = frozenset({"mydata", "forget", "progress", "next", "path", "remind",
                      "quiz", "stop", "hint", "reveal"})
# What a /start link may ask for (Telegram's ?start=progress, from a group): never
# /forget, or a link anyone can post would delete the data of whoever presses Start.
SHOWN_ON_START = frozenset({"mydata", "progress", "next", "path", "remind"})

HELP = """\
I'm tutorbot. Ask me anything about your course and I'll explain it from the course \
material, citing the passages I used as [1], [2].

Commands:
  /quiz [TOPIC]  a short quiz on a topic or skill (alone: on your next step)
  /stop          pause the quiz; /quiz carries on with it
  /progress      your mastery of each skill
  /next          the one best thing to study now, and why
  /path          your next five steps
  /read SKILL    the course material on a skill
  /remind on     a message when a review is due (/remind on 17-19 mon-fri Europe/Berlin)
  /coach         guiding questions and hints instead of answers (/coach off: answers)
  /course NAME   switch course (/course alone shows the current one)
  /courses       list the courses
  /mydata        show what I store about you
  /forget        delete everything I store about you
  /help          this text"""

PRIVACY = """\
What I store: the course you chose and your last few questions with my answers, \
so follow-up questions make sense, your 👍/👎 on answers, and your quiz answers with \
the mastery of each skill they give, and when you want review reminders if you \
asked for them. {kept} /mydata shows your data; /forget deletes it."""
# What PRIVACY says of the answers log (TUTORBOT_ANSWER_LOG_DAYS, TUTORBOT_CONSOLE_NAMES).
ANSWERS_KEPT = ("Your questions with my answers and your 👍/👎 are kept {days} days for your "
                "trainers to read, to improve the course, {shown}.")
SHOWN_BY_NAME = "under the name your chat app shows for you"
SHOWN_BY_PSEUDONYM = "under a pseudonym, not your name"
ANSWERS_NOT_KEPT = ("Questions the material can't answer are kept for trainers without "
                    "your name; of the others they see only how many were asked.")

UPLOAD_HELP = "Trainers: send a file (PDF, Word, PowerPoint, HTML, Markdown, text) with the \
course name as its caption to add it to that course."


class DialogueManager:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.learners = runtime.learners
        self.reminders = ReminderStore(runtime.engine)
        self.commands: dict[str, Handler] = {
            "start": self._start,
            "help": self._help,
            "course": self._course,
            "courses": self._courses,
            "mydata": self._my_data,
            "forget": self._forget,
            "quiz": self._quiz,
            "stop": self._stop,
            "hint": self._hint,
            "reveal": self._reveal,
            "progress": self._progress,
            "next": self._next,
            "path": self._path,
            "read": self._read,
            "remind": self._remind,
            "coach": self._coach,
        }
        self.question_rate = QuestionRate(runtime.settings.rate_limit)
        self.questions_in_flight = 0  # being answered now: waiting for the model or with it
        self._admission = threading.Lock()  # guards both of the above
        self.in_turn = LearnerLocks()
        self.quiz = QuizTutor(runtime.quizzes, runtime.embed, runtime.settings.quiz_length,
                              self.learners.coaching, runtime.knowledge)
        self.buttons: dict[str, Handler] = {
            "course-id": self._choose_course_id,
            "course": self._choose_course,  # buttons sent before they carried ids
            "feedback": self._feedback,
            "quiz": self.quiz.clicked,
            "hint": self.quiz.hint,
            "reveal": self.quiz.reveal,
            "coach": self._coach_hint,
            "read": self._read_clicked,
            "study": self._study_clicked,
            "trainer": self._trainer_clicked,
        }

    async def respond(self, message: IncomingMessage) -> AsyncIterator[Reply]:
        """`handle`, with failures turned into a last reply: a TutorError's own words,
        or one apology for anything unexpected (logged with its traceback). A learner's
        messages are handled one at a time, in order (tutor/learner_locks.py).

        The handlers' database work blocks, so `handle` runs on a thread of its own
        and the event loop never waits on the database. An upload stays on the loop:
        its download goes through the platform's client, which lives there."""
        try:
            wait_s = BUTTON_WAIT_S if message.button is not None else None
            async with self.in_turn.turn(message.learner, wait_s):
                replies = (self.handle(message) if message.files
                           else in_thread(lambda: self.handle(message), "dialogue"))
                async for reply in replies:
                    yield reply
        except TutorError as error:
            yield Reply(str(error), error=True)
        except Exception:
            log.exception("could not handle a message from %s", message.learner)
            yield Reply("Sorry, something went wrong on my side; please try again. "
                        "The details are logged for the team.", error=True)

    def overview(self, learner: str) -> Reply:
        """A learner's page (Slack's App Home): their course and recent questions."""
        try:
            course = f"Your course: *{self.current_course(IncomingMessage(learner, ''))}*"
        except TutorError as error:
            course = str(error)
        turns = self.learners.recent_turns(learner)
        recent = "\n".join(f"• {turn.question} ({turn.course})" for turn in turns)
        activity = f"Your recent questions:\n{recent}" if turns else "No questions yet."
        buttons = course_buttons(course_ids(self.runtime.engine))
        return Reply(f"{course}\n\n{activity}\n\n{HELP}", buttons=buttons)

    def is_admin(self, learner: str) -> bool:
        return learner in self.runtime.settings.admins

    async def handle(self, message: IncomingMessage) -> AsyncIterator[Reply]:
        if message.button is not None:
            kind, _, argument = message.button.partition(":")
            handler = self.buttons.get(kind)
            if handler is None:
                raise TutorError("That button no longer works. Send /help to start again.")
            async for reply in handler(message, argument):
                yield reply
            return
        if message.files:
            async for reply in self._upload(message):
                yield reply
            return
        text = message.text.strip()
        if not text:
            raise TutorError("That message was empty. Ask a question, or send /help.")
        if text.startswith("/"):
            name, _, argument = text[1:].partition(" ")
            command = name.lower().split("@")[0]
            handler = self.commands.get(command)
            if handler is None:
                raise TutorError(f"I don't know the command /{name}. Send /help for the list.")
            private = message.group and command in PERSONAL
            async for reply in handler(message, argument.strip()):
                yield replace(reply, private=True) if private else reply
            return
        if message.group:  # quizzes and coached guesses are the learner's, in private
            if looks_like_an_answer(text):
                raise TutorError("Quiz answers go in your private chat with me, where your "
                                 "quiz is.")
            async for reply in self._asked(message, text, coached=False):
                yield reply
            return
        if (run := self.quiz.running(message.learner)) is not None:
            if self.quiz.asked_meanwhile(run, text):  # answered while the quiz waits
                async for reply in self._aside(message, run, text):
                    yield reply
                return
            async for reply in self.quiz.typed(run, text, message.first_received):
                yield reply
            return
        coached = self.learners.coaching(message.learner)
        if coached and (guess := self._coached_gap(message, text)) is not None:
            async for reply in self._guess(guess, text):  # "10" is a guess at the gap
                yield reply
            return
        if looks_like_an_answer(text):
            if self.runtime.quizzes.unfinished(message.learner) is not None:
                raise TutorError("Your quiz is paused: send /quiz to carry on with it.")
            raise TutorError("No quiz is running, so there is nothing to answer. Send /quiz "
                             "to start one, or ask me a question.")
        async for reply in self._asked(message, text, coached):
            yield reply

    async def _asked(self, message: IncomingMessage, text: str, coached: bool
                     ) -> AsyncIterator[Reply]:
        """A question, within the rate limit and the model's queue."""
        with self._admission:  # messages are handled on threads of their own
            check_question(self.question_rate, message.learner, self.questions_in_flight,
                           self.runtime.settings.max_queue)
            self.questions_in_flight += 1  # counted from here: a burst cannot all slip past
        try:
            async for reply in (self._coached(message, text) if coached
                                else self._question(message, text)):
                yield reply
        finally:
            with self._admission:
                self.questions_in_flight -= 1

    async def _aside(self, message: IncomingMessage, run: QuizRun, text: str
                     ) -> AsyncIterator[Reply]:
        """A question asked during a quiz: answered directly (a coached gap could not
        be guessed at while the quiz takes typed answers), then the quiz question
        again. An answer that would state what the quiz question tests is held back."""
        async with aclosing(self._asked(message, text, coached=False)) as replies:
            async for reply in replies:
                if self.quiz.gives_away(run, reply.text):
                    raise TutorError("The material's answer to that would answer your quiz "
                                     "question too: answer it first (or take a 💡 hint with "
                                     "/hint), or send /stop to pause the quiz and ask.")
                yield reply
        async for reply in self.quiz.again(run):
            yield reply

    def current_course(self, message: IncomingMessage) -> str:
        known = course_names(self.runtime.engine)
        chosen = message.course or self.learners.course_of(message.learner)
        if chosen:
            if chosen not in known:
                raise TutorError(str(UnknownCourse(chosen, known)))
            return chosen
        if self.runtime.settings.default_course in known:
            return self.runtime.settings.default_course
        if len(known) == 1:
            return known[0]
        if not known:
            raise TutorError("No course material has been added yet. Ask a trainer to add some.")
        raise TutorError(f"Pick a course first with /course NAME. Courses: {', '.join(known)}.")

    def course_or_none(self, learner: str) -> str | None:
        """The learner's course, or None where they would be asked to pick one."""
        try:
            return self.current_course(IncomingMessage(learner, ""))
        except TutorError:
            return None

    async def _question(self, message: IncomingMessage, question: str) -> AsyncIterator[Reply]:
        course = self.current_course(message)
        found = await self.runtime.trainer_answers.find(course, question)
        if found.served is not None:
            yield self._trainer_reply(message, course, question, found.served)
            return
        earlier = self.learners.recent_questions(message.learner, course, message.conversation)
        follow_up = bool(earlier) and is_follow_up(question)
        yield Reply(queue_text("Looking in the course material…",
                               self.runtime.questions_waiting()), draft=True)
        answer: Answer | None = None
        async for event in self.runtime.answers.answer(
            course, question, retrieval_query(question, earlier),
            earlier[-1] if follow_up else None,
        ):
            if isinstance(event, Draft):
                # The quote first, cited, with the learner's place in the model's queue.
                waiting = queue_text("⏳ Explaining it next…", self.runtime.questions_waiting())
                yield Reply(f"{event}\n\n{waiting}" if event.explaining else str(event),
                            event.sources, draft=True)
            else:
                answer = event
        assert answer is not None
        buttons: tuple[Button, ...] = ()
        turn = None
        if answer.covered:
            turn = self.learners.add_turn(message.learner, course, question, answer.text,
                                          message.conversation)
            buttons = (Button(HELPFUL, f"feedback:up:{turn}"),
                       Button(UNHELPFUL, f"feedback:down:{turn}"))
        self._log_answer(message, course, answer, turn)  # before a 👍/👎 can come
        if found.offered is not None:  # a trainer's answer it likely asks: theirs to open
            buttons = (*buttons, offer_button(found.offered.answer))
        yield Reply(answer.text, answer.sources, notice=notice_for(answer), buttons=buttons,
                    data={"answer": answer.as_dict()})

    def _log_answer(self, message: IncomingMessage, course: str, answer: Answer,
                    turn: int | None, shown: str | None = None,
                    trainer_answer: int | None = None) -> None:
        """Keep what the learner was told for trainers (tutor/answers/log.py). A
        failure there is logged, never in the learner's way: they get their answer."""
        settings = self.runtime.settings
        # The name is kept for the console's pages only: not where they show pseudonyms.
        name = message.name if settings.console_names == "display" else ""
        try:
            answer_log.record(self.runtime.engine, learner_id=message.learner, course=course,
                              answer=answer, keep_days=settings.answer_log_days,
                              turn_id=turn, shown=shown, name=name,
                              trainer_answer_id=trainer_answer)
        except Exception:
            log.exception("could not keep an answer to %s for trainers", message.learner)

    def privacy(self) -> str:
        """PRIVACY, saying what is kept for trainers here, and how long."""
        settings = self.runtime.settings
        shown = SHOWN_BY_NAME if settings.console_names == "display" else SHOWN_BY_PSEUDONYM
        kept = (ANSWERS_KEPT.format(days=settings.answer_log_days, shown=shown)
                if settings.answer_log_days else ANSWERS_NOT_KEPT)
        return PRIVACY.format(kept=kept)

    async def _trainer_answer(self, message: IncomingMessage, course: str, question: str
                              ) -> Reply | None:
        """A trainer's answer to this question, if one was written for a question that
        surely means the same: served before the material's, rated like any answer."""
        match = await self.runtime.trainer_answers.match(course, question)
        return None if match is None else self._trainer_reply(message, course, question,
                                                                  match)

    async def _trainer_clicked(self, message: IncomingMessage, argument: str
                               ) -> AsyncIterator[Reply]:
        """The learner opened a trainer's answer offered under an answer."""
        row = offered_answer(self.runtime.engine, argument)
        yield self._trainer_reply(message, row.course, row.question, TrainerMatch(
            row, 1.0, "opened by the learner"))

    def _trainer_reply(self, message: IncomingMessage, course: str, question: str,
                       match: TrainerMatch) -> Reply:
        answer = served_answer(match, question)
        turn = self.learners.add_turn(message.learner, course, question, answer.text,
                                      message.conversation)
        self._log_answer(message, course, answer, turn, trainer_answer=match.answer.id)
        return Reply(answer.text, answer.sources,
                     buttons=(Button(HELPFUL, f"feedback:up:{turn}"),
                              Button(UNHELPFUL, f"feedback:down:{turn}")),
                     data={"answer": answer.as_dict(),
                           "trainer_answer": {"id": match.answer.id,
                                              "author": match.answer.author,
                                              "similarity": round(match.similarity, 4)}})

    async def _start(self, message: IncomingMessage, argument: str) -> AsyncIterator[Reply]:
        known = course_ids(self.runtime.engine)
        text = f"{HELP}\n\n{self.privacy()}"
        if len(known) > 1:
            text += "\n\nPick your course:"
        yield Reply(text, buttons=course_buttons(known) if len(known) > 1 else ())
        if argument.lower() in SHOWN_ON_START:  # a link from a group ("?start=progress"): answer it
            async for reply in self.handle(replace(message, text=f"/{argument.lower()}")):
                yield reply

    async def _help(self, message: IncomingMessage, _: str) -> AsyncIterator[Reply]:
        yield Reply(f"{HELP}\n\n{UPLOAD_HELP}" if self.is_admin(message.learner) else HELP)

    async def _courses(self, message: IncomingMessage, _: str) -> AsyncIterator[Reply]:
        known = course_names(self.runtime.engine)
        yield Reply("Courses: " + ", ".join(known) if known else "No courses yet.")

    async def _course(self, message: IncomingMessage, name: str) -> AsyncIterator[Reply]:
        if name:
            async for reply in self._choose_course(message, name):
                yield reply
            return
        current = self.learners.course_of(message.learner)
        others = {name: id_ for name, id_ in course_ids(self.runtime.engine).items()
                  if name != current}
        try:
            text = f"Your course is '{self.current_course(message)}'."
        except TutorError as error:
            text = str(error)
        if others:
            text += " Switch to:"
        yield Reply(text, buttons=course_buttons(others))

    async def _choose_course(self, message: IncomingMessage, name: str) -> AsyncIterator[Reply]:
        known = course_names(self.runtime.engine)
        if name not in known:
            raise TutorError(str(UnknownCourse(name, known)))
        self.learners.set_course(message.learner, name)
        yield Reply(f"Switched to the course '{name}'. Ask away.")

    async def _choose_course_id(self, message: IncomingMessage, argument: str
                                ) -> AsyncIterator[Reply]:
        names = {id_: name for name, id_ in course_ids(self.runtime.engine).items()}
        name = names.get(button_number(argument) or -1)
        if name is None:
            raise TutorError("That course is gone. Send /course to see the courses.")
        async for reply in self._choose_course(message, name):
            yield reply

    async def _feedback(self, message: IncomingMessage, argument: str) -> AsyncIterator[Reply]:
        rating, _, turn = argument.partition(":")
        turn_id = button_number(turn)
        if rating not in ("up", "down") or turn_id is None:
            raise TutorError("That button no longer works.")
        if not self.learners.rate(message.learner, turn_id, helpful=rating == "up"):
            raise TutorError("I can't store that rating: the answer was someone else's, or "
                             "it is no longer kept.")
        yield Reply("Thanks, noted." if rating == "up"
                    else "Thanks, noted: trainers will see that this answer didn't help.",
                    ephemeral=True, data={"feedback": rating})

    async def _upload(self, message: IncomingMessage) -> AsyncIterator[Reply]:
        if not self.is_admin(message.learner):
            raise TutorError("Only trainers can add course material, so I haven't kept your "
                             "file. Ask me a question about your course instead.")
        course = course_from_caption(message.text)
        names = ", ".join(f.name for f in message.files)
        yield Reply(f"Adding {names} to the course '{course}'…", draft=True)
        report = await ingest_uploads(self.runtime, message.files, course)
        yield Reply(summary(report), data={"ingest": report.as_dict()})

    # ---- quizzes, progress, coaching ---------------------------------------------------

    async def _quiz(self, message: IncomingMessage, topic: str) -> AsyncIterator[Reply]:
        self.quiz.end_if_course_gone(message.learner)  # before "no course named" is said
        course = self.current_course(message)
        async for reply in self.quiz.start(message, course, topic,
                                           self.runtime.bank_ready_in(course)):
            yield reply

    async def _stop(self, message: IncomingMessage, _: str) -> AsyncIterator[Reply]:
        async for reply in self.quiz.stop(message):
            yield reply

    async def _reveal(self, message: IncomingMessage, _: str) -> AsyncIterator[Reply]:
        async for reply in self.quiz.typed_hint(message, reveal=True):
            yield reply

    async def _hint(self, message: IncomingMessage, level: str) -> AsyncIterator[Reply]:
        """/hint: the quiz's next hint, or else the next hint on the coached question."""
        if self.quiz.running(message.learner) is not None:
            async for reply in self.quiz.typed_hint(message, reveal=False):
                yield reply
            return
        turn = self.learners.last_turn(message.learner, message.conversation)
        if turn is None or not self.learners.coaching(message.learner):
            raise TutorError("There is nothing to hint at: hints come with quiz questions, "
                             "and with questions in /coach mode.")
        async for reply in self._coach_hint(message, f"{turn.id}:{level or 1}"):
            yield reply

    async def _progress(self, message: IncomingMessage, _: str) -> AsyncIterator[Reply]:
        course = self.current_course(message)
        yield progress_reply(self.runtime.knowledge.course(message.learner, course))

    async def _next(self, message: IncomingMessage, _: str) -> AsyncIterator[Reply]:
        course = self.current_course(message)
        yield next_reply(self.runtime.knowledge.course(message.learner, course))

    async def _path(self, message: IncomingMessage, _: str) -> AsyncIterator[Reply]:
        course = self.current_course(message)
        yield path_reply(self.runtime.knowledge.course(message.learner, course))

    async def _read(self, message: IncomingMessage, name: str) -> AsyncIterator[Reply]:
        course = self.current_course(message)
        skills = course_skills(self.runtime.engine, course)
        names = [s.name for s in skills]
        words = content_words(name)
        # The skill of that name, else the first whose name holds all the words.
        skill = next((s for s in skills if s.name.casefold() == name.casefold()), None) or next(
            (s for s in skills if words and words <= content_words(s.name)), None)
        if skill is None:
            listed = "; ".join(names[:10]) + (" …" if len(names) > 10 else "")
            said = f"The course '{course}' has no skill '{name}'." if name else (
                "Send /read and a skill's name.")
            raise TutorError(f"{said} Its skills: {listed}." if names else said)
        yield self._passages(skill.id or 0)

    async def _read_clicked(self, message: IncomingMessage, argument: str
                            ) -> AsyncIterator[Reply]:
        """read:SKILL, a step's "read" button."""
        skill_id = button_number(argument)
        if skill_id is None:
            raise TutorError("That button no longer works.")
        yield self._passages(skill_id)

    async def _study_clicked(self, message: IncomingMessage, argument: str
                             ) -> AsyncIterator[Reply]:
        """study:SKILL, a step's "quiz" button: a quiz on that skill."""
        found = skill_course(self.runtime.engine, button_number(argument) or 0)
        if found is None:
            raise TutorError("That skill is no longer in the course. Send /next for a new step.")
        skill, course = found
        async for reply in self.quiz.start(message, course, skill.name,
                                           self.runtime.bank_ready_in(course)):
            yield reply

    async def _remind(self, message: IncomingMessage, argument: str) -> AsyncIterator[Reply]:
        """/remind on [HOURS] [DAYS] [ZONE], /remind off, or /remind for the setting."""
        words = argument.split()
        choice = words[0].lower() if words else ""
        if choice == "off":
            removed = self.reminders.remove(message.learner)
            yield Reply("Reminders off: I won't message you about reviews." if removed
                        else "Reminders were already off.")
            return
        if choice != "on":
            if choice:
                raise TutorError(USAGE)
            row = self.reminders.get(message.learner)
            if row is None:
                yield Reply(f"Reminders are off. {USAGE}")
            elif row.blocked:
                yield Reply("Reminders are on, but my last one could not reach you (the bot "
                            "was blocked?). Send /remind on to have them again.")
            else:
                yield Reply(f"Reminders are on, {schedule_of(row).describe()}. /remind off "
                            "stops them.")
            return
        if message.learner.partition(":")[0] not in NUDGED_PLATFORMS:
            raise TutorError("Reminders come as Telegram or Slack messages; here there is "
                             "nowhere to send them. Send /next to see what is due.")
        before = self.reminders.schedule(message.learner)
        schedule = parse_schedule(words[1:], before or Schedule())
        self.reminders.set(message.learner, schedule)
        yield Reply(f"Reminders on: when a review is due I'll send you one message, at most "
                    f"one a day, {schedule.describe()}. /remind off stops them.")

    def _passages(self, skill_id: int) -> Reply:
        """A skill's first passages, quoted and cited, with a quiz button."""
        skill, passages = skill_passages(self.runtime.engine, skill_id)
        if skill is None:
            raise TutorError("That skill is no longer in the course. Send /next for a new step.")
        if not passages:
            raise TutorError(f"No passage of the material teaches {skill.name} any more.")
        quoted, shown = [], ""
        for n, (chunk, _) in enumerate(passages, 1):
            lines = without_overlap(chunk.text.strip().splitlines(), shown)
            shown += chunk.text
            quoted.append("\n".join(f"> {line}" if line.strip() else ">" for line in lines)
                          + f" [{n}]")
        sources = tuple(Source(n, document, chunk.heading, chunk.text, 1.0, chunk.page)
                        for n, (chunk, document) in enumerate(passages, 1))
        return Reply(f"📖 *{skill.name}*\n\n" + "\n\n".join(quoted), sources,
                     buttons=(quiz_button(skill.id or 0, skill.name),),
                     data={"read": skill.name})

    async def _coach(self, message: IncomingMessage, argument: str) -> AsyncIterator[Reply]:
        if argument.lower() not in ("", "on", "off"):
            raise TutorError("Send /coach to be coached, or /coach off for direct answers.")
        on = argument.lower() != "off"
        self.learners.set_coaching(message.learner, on)
        yield Reply("Coaching on: I'll answer your questions with a guiding question and "
                    "hints (💡) that lead to the answer. /coach off for direct answers."
                    if on else "Coaching off: I'll answer your questions directly again.")

    async def _coached_answer(self, course: str, question: str) -> Answer:
        answer: Answer | None = None
        async for event in self.runtime.answers.answer(course, question, explain=False):
            if not isinstance(event, str):
                answer = event
        assert answer is not None
        return answer

    def _coached_gap(self, message: IncomingMessage, text: str) -> Turn | None:
        """The coached question a message guesses at: the last one, if its gap is open
        and the message looks like a go at it, not a new question (tutor/asking.py)."""
        last = self.learners.last_turn(message.learner, message.conversation)
        return last if last is not None and last.gap and is_a_guess(text, last.gap) else None

    async def _guess(self, turn: Turn, text: str) -> AsyncIterator[Reply]:
        coaching = coaching_for(await self._coached_answer(turn.course, turn.question))
        if coaching is None:
            raise TutorError("That question's material has changed: ask it again.")
        reply, grade = guess_reply(coaching, turn.id or 0, text)
        if grade.correct:
            self.learners.close_gap(turn.id or 0)
        yield reply

    async def _coached(self, message: IncomingMessage, text: str) -> AsyncIterator[Reply]:
        """A question in /coach mode: a guiding question and hints, not the answer; but
        a trainer's answer to it comes as the trainer wrote it."""
        course = self.current_course(message)
        if (trainers := await self._trainer_answer(message, course, text)) is not None:
            yield trainers
            return
        answer = await self._coached_answer(course, text)
        coaching = coaching_for(answer) if answer.covered else None
        if coaching is None:
            self._log_answer(message, course, answer, None)
            yield Reply(answer.text, answer.sources)
            return
        turn = self.learners.add_turn(message.learner, course, text, answer.text,
                                      message.conversation, gap=coaching.gap)
        guiding = guiding_reply(coaching, turn)
        self._log_answer(message, course, answer, turn, shown=guiding.text)
        yield guiding

    async def _coach_hint(self, message: IncomingMessage, argument: str) -> AsyncIterator[Reply]:
        """coach:TURN:LEVEL, a rung of the hint ladder of a coached question."""
        turn_text, _, level = argument.partition(":")
        turn_id = button_number(turn_text)
        turn = self.learners.turn(message.learner, turn_id) if turn_id is not None else None
        if turn is None:
            raise TutorError("That hint is no longer available (it was someone else's, or the "
                             "question is no longer kept). Ask again.")
        coaching = coaching_for(await self._coached_answer(turn.course, turn.question))
        if coaching is None or button_number(level) not in (1, 2, 3):
            raise TutorError("That hint is no longer available: ask the question again.")
        if int(level) == 3:
            self.learners.close_gap(turn.id or 0)
        yield hint_reply(coaching, turn.id or 0, int(level))

    async def _my_data(self, message: IncomingMessage, _: str) -> AsyncIterator[Reply]:
        data = personal_data.export(self.runtime.engine, message.learner)
        text = personal_data.as_text(data)
        if len(text) <= MYDATA_IN_MESSAGE:  # as code: shown as stored, never formatted
            yield Reply(f"Here is everything I store about you:\n```\n{text}\n```")
            return
        yield Reply("Here is everything I store about you, as a file (too long for a "
                    f"message): {personal_data.summary(data)}.",
                    file=File("mydata.json", text.encode(), "Everything I store about you"))

    async def _forget(self, message: IncomingMessage, _: str) -> AsyncIterator[Reply]:
        removed = personal_data.forget(self.runtime.engine, message.learner)
        yield Reply("Done: I deleted everything I stored about you." if removed
                    else "I had nothing stored about you.")


def queue_text(lead: str, ahead: int) -> str:
    """What a learner sees while their question waits for the model.

    >>> queue_text("Looking in the course material…", 0)
    'Looking in the course material…'
    >>> queue_text("⏳ Explaining it next…", 3)
    '⏳ Explaining it next… (3 questions before yours)'
    """
    return f"{lead} ({ahead} question{'s' * (ahead > 1)} before yours)" if ahead else lead


def without_overlap(lines: list[str], shown: str) -> list[str]:
    """A passage's lines without the sentences it repeats from the passage before
    (chunks overlap, so the learner reads each sentence once).

    >>> without_overlap(["- Cool it. Do not burst blisters.", "- Seek help."], "- Cool it.")
    ['- Do not burst blisters.', '- Seek help.']
    """
    lines = list(lines)
    while lines:
        marker = re.match(r"\s*(?:[-*•]|\d+[.)])\s+", lines[0])
        head = marker.group(0) if marker else ""
        sentences = re.split(r"(?<=[.!?])\s+", lines[0][len(head):].strip())
        kept = list(sentences)
        while kept and kept[0] and (head + kept[0] in shown or kept[0] in shown):
            kept.pop(0)
        if kept == sentences:
            break
        if kept:
            lines[0] = head + " ".join(kept)
            break
        lines.pop(0)
    return lines


def looks_like_an_answer(text: str) -> bool:
    """A bare option number or true/false: an answer, not a question.

    >>> looks_like_an_answer("2"), looks_like_an_answer("True"), looks_like_an_answer("why?")
    (True, True, False)
    """
    return bool(re.fullmatch(r"\d{1,2}\.?", text.strip())) or text.strip().lower() in TRUE_FALSE


def course_buttons(courses: dict[str, int]) -> tuple[Button, ...]:
    """A button per course, carrying its id: a name can be longer than the 64 bytes a
    Telegram button carries."""
    return tuple(Button(name, f"course-id:{course_id}", f"/course {name}")
                 for name, course_id in courses.items())


def notice_for(answer: Answer) -> str | None:
    if answer.model_error and answer.kept:
        return ("The language model stopped before finishing its explanation; what it had "
                "said that the material supports is shown.")
    if answer.model_error:
        return ("The explanation isn't available right now (the language model did not "
                "answer), so here is the material itself. Ask again later for one.")
    if answer.fallback and answer.removed:
        return "The model's explanation did not match the material, so here is the material itself."
    if answer.removed:
        count = len(answer.removed)
        return f"{count} sentence{'s' * (count > 1)} not supported by the material removed."
    return None
