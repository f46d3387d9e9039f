"""The dialogue manager: every adapter hands it an `IncomingMessage` and renders the
`Reply` stream it returns. Commands map to handlers; anything else is a question."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

from knowledge.library import UnknownCourse, course_names
from tutor.answering import Answer
from tutor.errors import TutorError
from tutor.followup import is_follow_up, retrieval_query
from tutor.messages import IncomingMessage, Reply
from tutor.runtime import Runtime

Handler = Callable[[IncomingMessage, str], AsyncIterator[Reply]]

HELP = """\
I'm tutorbot. Ask me anything about your course and I'll explain it from the course \
material, citing the passages I used as [1], [2].

Commands:
  /course NAME   switch course (/course alone shows the current one)
  /courses       list the courses
  /mydata        show what I store about you
  /forget        delete everything I store about you
  /help          this text"""

PRIVACY = """\
What I store: the course you chose and your last few questions with my answers, \
so follow-up questions make sense. Questions the material can't answer are kept for \
trainers without your name. /mydata shows your data; /forget deletes it."""


class DialogueManager:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.learners = runtime.learners
        self.commands: dict[str, Handler] = {
            "start": self._start,
            "help": self._help,
            "course": self._course,
            "courses": self._courses,
            "mydata": self._my_data,
            "forget": self._forget,
        }

    async def handle(self, message: IncomingMessage) -> AsyncIterator[Reply]:
        text = message.text.strip()
        if not text:
            raise TutorError("That message was empty. Ask a question, or send /help.")
        if text.startswith("/"):
            name, _, argument = text[1:].partition(" ")
            handler = self.commands.get(name.lower().split("@")[0])
            if handler is None:
                raise TutorError(f"I don't know the command /{name}. Send /help for the list.")
            async for reply in handler(message, argument.strip()):
                yield reply
            return
        async for reply in self._question(message, text):
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

    async def _question(self, message: IncomingMessage, question: str) -> AsyncIterator[Reply]:
        course = self.current_course(message)
        earlier = self.learners.recent_questions(message.learner, course)
        follow_up = bool(earlier) and is_follow_up(question)
        answer: Answer | None = None
        async for event in self.runtime.answers.answer(
            course, question, retrieval_query(question, earlier),
            earlier[-1] if follow_up else None,
        ):
            if isinstance(event, str):
                yield Reply(event, draft=True)
            else:
                answer = event
        assert answer is not None
        if answer.covered:
            self.learners.add_turn(message.learner, course, question, answer.text)
        yield Reply(answer.text, answer.sources, notice=notice_for(answer),
                    data={"answer": answer.as_dict()})

    async def _start(self, message: IncomingMessage, _: str) -> AsyncIterator[Reply]:
        yield Reply(f"{HELP}\n\n{PRIVACY}")

    async def _help(self, message: IncomingMessage, _: str) -> AsyncIterator[Reply]:
        yield Reply(HELP)

    async def _courses(self, message: IncomingMessage, _: str) -> AsyncIterator[Reply]:
        known = course_names(self.runtime.engine)
        yield Reply("Courses: " + ", ".join(known) if known else "No courses yet.")

    async def _course(self, message: IncomingMessage, name: str) -> AsyncIterator[Reply]:
        if not name:
            yield Reply(f"Your course is '{self.current_course(message)}'.")
            return
        known = course_names(self.runtime.engine)
        if name not in known:
            raise TutorError(str(UnknownCourse(name, known)))
        self.learners.set_course(message.learner, name)
        yield Reply(f"Switched to the course '{name}'. Ask away.")

    async def _my_data(self, message: IncomingMessage, _: str) -> AsyncIterator[Reply]:
        data = self.learners.export(message.learner)
        yield Reply("Here is everything I store about you:\n"
                    + json.dumps(data, indent=2, ensure_ascii=False))

    async def _forget(self, message: IncomingMessage, _: str) -> AsyncIterator[Reply]:
        removed = self.learners.forget(message.learner)
        yield Reply("Done: I deleted everything I stored about you." if removed
                    else "I had nothing stored about you.")


def notice_for(answer: Answer) -> str | None:
    if answer.fallback:
        return "The model's explanation did not match the material, so here is the passage itself."
    if answer.removed:
        count = len(answer.removed)
        return f"{count} sentence{'s' * (count > 1)} not supported by the material removed."
    return None
