"""Quizzes in chat: /quiz, the answers (a button or typed), hints, /stop and resume.

What the learner sees after each answer: right, partly right or wrong; the
correct answer; the sentence of the material that says it, cited (document —
section). A wrong first answer to a choice or short question is not given away:
the learner may try once more, take a hint (1 names the skill, 2 points to the
passage, 3 gives the answer) or ask for the answer. A true/false question has
no second try: the answer comes at once.

Button actions carry the quiz and the position they were shown for, so a click
on an old question, someone else's quiz or a quiz that ended is refused.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime

import numpy as np

from knowledge.library import course_names
from tutor.answers.terms import content_words
from tutor.asking import reads_as_question, words
from tutor.errors import TutorError
from tutor.learner.knowledge import Knowledge
from tutor.mastery import SkillState
from tutor.messages import Button, IncomingMessage, Reply, Source, button_number
from tutor.next_steps import quiz_skill, summary_line
from tutor.quiz.bank import kinds_of
from tutor.quiz.grading import Grade, chosen_option, grade_choice, grade_short, options_named
from tutor.quiz.records import ANSWERED, QuizRecords, run_questions
from tutor.tables import Question, QuizRun

EmbedFn = Callable[[list[str]], Awaitable[np.ndarray]]
MAX_HINTS = 3
MARKS = {"right": "✅ Right!", "partly": "🟡 Partly right", "wrong": "❌ Not quite"}
NOT_YOURS = "This quiz is someone else's; send /quiz for your own."
GRADED_BEFORE = ("That answer was graded before a restart cut its reply off. Send /quiz to "
                 "see where your quiz is.")


def credit(score: float, tries: int, hints: int) -> float:
    """What an answer earns once a wrong try and hints are counted: a second try
    earns half, each hint takes a third off.

    >>> credit(1.0, 0, 0), credit(1.0, 1, 0), credit(1.0, 0, 1), credit(1.0, 1, 2)
    (1.0, 0.5, 0.67, 0.17)
    """
    return round(score * (0.5 if tries else 1.0) * max(0.0, 1 - hints / MAX_HINTS), 2)


def bar(fraction: float, width: int = 10) -> str:
    """A text bar, as every front can show.

    >>> bar(0.55)
    '█████▌░░░░'
    """
    filled = max(0.0, min(1.0, fraction)) * width
    whole = int(filled)
    half = "▌" if filled - whole >= 0.5 and whole < width else ""
    return "█" * whole + half + "░" * (width - whole - len(half))


def citation(question: Question) -> Source:
    return Source(1, question.document, question.section, question.sentence, 1.0)


class QuizTutor:
    def __init__(self, records: QuizRecords, embed: EmbedFn, length: int,
                 coaching: Callable[[str], bool], knowledge: Knowledge) -> None:
        self.records = records
        self.knowledge = knowledge
        self.embed = embed
        self.length = length
        self.coaching = coaching  # whether a learner is in /coach mode: hints from the start

    # ---- starting, stopping, resuming ------------------------------------------------

    async def start(self, message: IncomingMessage, course: str, topic: str,
                    preparing_s: int | None) -> AsyncIterator[Reply]:
        """/quiz [topic]: resume the learner's unfinished quiz, or start one (without a
        topic, on the skill /next recommends)."""
        unfinished = self.records.unfinished(message.learner, course)
        if unfinished is not None and not topic:
            run = self.records.resume(unfinished)
            yield Reply(f"Carrying on with your quiz on *{run.topic}*.")
            async for reply in self._show(run):
                yield reply
            return
        if not topic:
            topic = quiz_skill(self.knowledge.course(message.learner, course))
        label, ids = self.records.choose(message.learner, course, topic, self.length)
        if not ids:
            if preparing_s is not None:
                raise TutorError("The questions for this course are still being prepared, "
                                 f"about {preparing_s} s. Ask me anything meanwhile.")
            raise TutorError(f"The course '{course}' has no quiz questions yet: none of its "
                             "material gave a question that passed the checks. A trainer can "
                             "run `tutorbot quiz generate`.")
        run = self.records.start(message.learner, course, label, ids)
        count = len(ids)
        closed = f"Your unfinished quiz on *{unfinished.topic}* is closed. " if unfinished else ""
        yield Reply(f"{closed}A quiz on *{label}*: {count} question{'s' * (count > 1)}. "
                    "Send /stop to pause it.")
        async for reply in self._show(run):
            yield reply

    async def stop(self, message: IncomingMessage) -> AsyncIterator[Reply]:
        run = self.records.unfinished(message.learner)
        if run is None or run.status != "running":
            raise TutorError("No quiz is running. Send /quiz to start one.")
        self._end_if_course_gone(run)
        self.records.save(run, status="stopped")
        total = len(run_questions(run))
        yield Reply(f"Quiz paused at question {run.position + 1} of {total}. "
                    "Send /quiz to carry on, or ask me anything.")

    def running(self, learner: str) -> QuizRun | None:
        run = self.records.unfinished(learner)
        return run if run is not None and run.status == "running" else None

    def end_if_course_gone(self, learner: str) -> None:
        """/quiz: the learner's unfinished quiz on a course removed since ends, and they
        are told so (TutorError) before anything else is said about their course."""
        run = self.records.unfinished(learner)
        if run is not None:
            self._end_if_course_gone(run)

    def _end_if_course_gone(self, run: QuizRun) -> None:
        """A quiz whose course was removed (its questions retired with it) ends here
        with a message saying so, so the learner is free to start another."""
        known = course_names(self.records.engine)
        if run.course in known:
            return
        self.records.save(run, status="done")
        then = (f"Courses now: {', '.join(known)} (/course NAME picks one); then send /quiz "
                "for a new quiz." if known else "No course is left; a trainer can add one.")
        raise TutorError(f"The course '{run.course}' has been removed, so your quiz on "
                         f"*{run.topic}* has ended. {then}")

    # ---- questions while a quiz waits ------------------------------------------------

    def asked_meanwhile(self, run: QuizRun, text: str) -> bool:
        """Whether typed text asks something rather than answers the quiz question:
        an option picked is an answer, and so is anything that does not read as a
        question ("cool running water for 20 minutes", "20 minutes?")."""
        question = self._current(run)
        if question is None or not reads_as_question(text):
            return False
        if question.kind == "short":  # "explain the hazard to visitors" may be the answer
            expected = content_words(question.answer)
            return not expected or not expected <= content_words(text)
        return chosen_option(json.loads(question.options), text) is None

    def gives_away(self, run: QuizRun, text: str) -> bool:
        """Whether an answer to a question asked meanwhile states what the quiz
        question tests: shown, it would answer the quiz for the learner."""
        question = self._current(run)
        if question is None:
            return False
        said = f" {' '.join(words(text))} "
        tested = [question.fact, question.answer if question.kind != "true_false" else ""]
        return any(f" {' '.join(words(t))} " in said for t in tested if words(t))

    async def again(self, run: QuizRun) -> AsyncIterator[Reply]:
        """The question the quiz waits on, shown again after an aside."""
        async for reply in self._show(self.records.run(run.id) or run):
            yield reply

    # ---- answers ---------------------------------------------------------------------

    async def typed(self, run: QuizRun, text: str, first_received: datetime | None = None
                    ) -> AsyncIterator[Reply]:
        """A typed answer to the running quiz's question (`first_received`: see
        `IncomingMessage`; else text typed answers the quiz, whenever it came)."""
        self._end_if_course_gone(run)
        question = self._current(run)
        if question is None:
            async for reply in self._withdrawn(run):
                yield reply
            return
        if question.kind == "short":
            async for reply in self._answer(run, question, text, first_received):
                yield reply
            return
        options = json.loads(question.options)
        picked = chosen_option(options, text)
        if picked is None and len(options_named(options, text)) > 1:
            raise TutorError("Pick one answer, not several: send the number of the one you "
                             "mean, or send /stop to pause the quiz.")
        if picked is None:
            raise TutorError(f"Answer with a number from 1 to {len(options)} (or the option's "
                             "words), or send /stop to pause the quiz and ask a question.")
        async for reply in self._answer(run, question, picked, first_received):
            yield reply

    async def clicked(self, message: IncomingMessage, argument: str) -> AsyncIterator[Reply]:
        """quiz:RUN:POSITION:OPTION, the button of an option."""
        run, question = self._checked_click(message, argument)
        options = json.loads(question.options)
        parts = argument.split(":")
        number = button_number(parts[2]) if len(parts) == 3 else None
        if number is None or not 1 <= number <= len(options):
            raise TutorError("That button no longer works.")
        async for reply in self._answer(run, question, options[number - 1],
                                        message.first_received):
            yield reply

    async def hint(self, message: IncomingMessage, argument: str) -> AsyncIterator[Reply]:
        """hint:RUN:POSITION, the next rung of the hint ladder."""
        run, question = self._checked_click(message, argument)
        run = self.records.save(run, hints=min(MAX_HINTS, run.hints + 1))
        if run.hints < MAX_HINTS:
            skill = self.records.skill_name(question.skill_id)
            text = (f"💡 Hint 1 of {MAX_HINTS}: this is about *{skill}*." if run.hints == 1 else
                    f"💡 Hint 2 of {MAX_HINTS}: the answer is in {citation(question).label}: "
                    f"read it again, then answer.")
            yield Reply(text, sources=(citation(question),) if run.hints == 2 else (),
                        buttons=_help_buttons(run, "💡 Another hint"))
            return
        async for reply in self._reveal(run, question, "💡 Hint 3 of 3: the answer."):
            yield reply

    async def reveal(self, message: IncomingMessage, argument: str) -> AsyncIterator[Reply]:
        """reveal:RUN:POSITION, "show the answer"."""
        run, question = self._checked_click(message, argument)
        async for reply in self._reveal(run, question, "Here is the answer."):
            yield reply

    async def typed_hint(self, message: IncomingMessage, reveal: bool) -> AsyncIterator[Reply]:
        """/hint and /reveal, for fronts without buttons."""
        run = self.running(message.learner)
        if run is None:
            raise TutorError("No quiz is running. Send /quiz to start one.")
        argument = f"{run.id}:{run.position}"
        async for reply in (self.reveal(message, argument) if reveal
                            else self.hint(message, argument)):
            yield reply

    def _checked_click(self, message: IncomingMessage, argument: str
                       ) -> tuple[QuizRun, Question]:
        run_text, _, rest = argument.partition(":")
        run_id, position = button_number(run_text), button_number(rest.split(":")[0])
        run = self.records.run(run_id) if run_id is not None else None
        if run is None or position is None:
            raise TutorError("That quiz is no longer kept. Send /quiz to start one.")
        if run.learner_id != message.learner:
            raise TutorError(NOT_YOURS)
        if run.status != "done":
            self._end_if_course_gone(run)
        moved_on = run.status == "done" or position != run.position
        if message.first_received is not None and moved_on:
            raise TutorError(GRADED_BEFORE)  # handled again after a crash: it was graded
        if run.status == "done":
            raise TutorError("That quiz has ended. Send /quiz for a new one.")
        if run.status == "stopped":
            raise TutorError("That quiz is paused. Send /quiz to carry on with it.")
        if position != run.position:
            raise TutorError(ANSWERED)
        question = self._current(run)
        if question is None:
            raise TutorError("That question was withdrawn: its material changed. "
                             "Send /quiz to carry on.")
        return run, question

    async def _answer(self, run: QuizRun, question: Question, response: str,
                      first_received: datetime | None = None) -> AsyncIterator[Reply]:
        if first_received is not None and self.records.answered_since(run, first_received):
            # Handled again after a worker died: graded then, or overtaken by a later
            # answer. Graded now it would count twice, or answer another question.
            raise TutorError(GRADED_BEFORE)
        grade = await self._grade(question, response)
        score = credit(grade.score, run.tries, run.hints)
        retry = question.kind != "true_false" and run.tries == 0 and grade.verdict == "wrong"
        # Every answer is an attempt; mastery moves once a question, by how it ended.
        # The run moves on in the same transaction (a retry, or the next question).
        state, run = self.records.record(run, question, response, score, grade.correct,
                                         run.hints, move_mastery=not retry)
        mastery = self._shown(run, question, state)
        if retry:
            # What was missing, unless saying it would give the answer away.
            leaks = content_words(grade.why) & content_words(question.answer)
            why = f": {grade.why}." if grade.why and not leaks else "."
            yield Reply(f"{MARKS['wrong']}{why} Try once more, or take a hint.",
                        buttons=_help_buttons(run), data={"grade": _grade_data(grade)})
            return
        yield self._feedback(question, grade, score, mastery)
        async for reply in self._moved_on(run):
            yield reply

    def _shown(self, run: QuizRun, question: Question, mastery: SkillState) -> SkillState:
        """The mastery to show: the learner model's, once it is in use for the course."""
        if not self.knowledge.in_use(run.course):
            return mastery
        return self.knowledge.of_skill(run.learner_id, run.course, question.skill_id)

    async def _grade(self, question: Question, response: str) -> Grade:
        if question.kind != "short":
            return grade_choice(question.answer, response)
        similarity = None
        if len(question.answer.split()) > 2:  # a phrase: meaning counts, not only words
            vectors = await self.embed([question.answer, response])
            similarity = float(vectors[0] @ vectors[1])
        kind = kinds_of(self.records.engine, question.course_id).of(question.answer)
        return grade_short(question.answer, question.sentence, response, similarity,
                           question.question, kind)

    def _feedback(self, question: Question, grade: Grade, score: float,
                  mastery: SkillState) -> Reply:
        mark = MARKS[grade.verdict] + (f": {grade.why}." if grade.why else "")
        return self._answer_shown(question, mark, mastery,
                                  {"grade": {**_grade_data(grade), "score": score}})

    def _answer_shown(self, question: Question, lead: str, mastery: SkillState,
                      data: dict[str, object]) -> Reply:
        """The answer, the material's sentence that states it (cited) and the mastery."""
        return Reply(f"{lead}\nThe answer: *{question.answer}*.\n\n> {question.sentence} [1]\n\n"
                     f"Mastery of {self.records.skill_name(question.skill_id)}: "
                     f"{bar(mastery.estimate)} {mastery.estimate:.0%}",
                     sources=(citation(question),),
                     data={**data, "mastery": round(mastery.estimate, 3)})

    async def _reveal(self, run: QuizRun, question: Question, lead: str) -> AsyncIterator[Reply]:
        state, run = self.records.record(run, question, "", 0.0, False, MAX_HINTS,
                                         move_mastery=True)
        yield self._answer_shown(question, lead, self._shown(run, question, state), {})
        async for reply in self._moved_on(run):
            yield reply

    async def _withdrawn(self, run: QuizRun) -> AsyncIterator[Reply]:
        yield Reply("That question was withdrawn: its material changed. Here is the next one.")
        async for reply in self._advance(run):
            yield reply

    async def _advance(self, run: QuizRun) -> AsyncIterator[Reply]:
        async for reply in self._moved_on(self.records.next_position(run)):
            yield reply

    async def _moved_on(self, run: QuizRun) -> AsyncIterator[Reply]:
        """The question a run moved to, or its summary once it is done."""
        if run.status == "done":
            self._end_if_course_gone(run)  # removed meanwhile: no progress to sum up
            yield self._summary(run)
            return
        async for reply in self._show(run):
            yield reply

    # ---- showing ---------------------------------------------------------------------

    def _current(self, run: QuizRun) -> Question | None:
        question = self.records.question(run_questions(run)[run.position])
        return question if question is not None and question.status == "active" else None

    async def _show(self, run: QuizRun) -> AsyncIterator[Reply]:
        question = self._current(run)
        if question is None:  # retired since the quiz began: never shown
            async for reply in self._advance(run):
                yield reply
            return
        total = len(run_questions(run))
        skill = self.records.skill_name(question.skill_id)
        lines = [f"*Question {run.position + 1} of {total}* · {skill}", question.question]
        options = json.loads(question.options)
        buttons = tuple(Button(option, f"quiz:{run.id}:{run.position}:{n}", str(n))
                        for n, option in enumerate(options, 1))
        if question.kind == "choice":
            lines += [f"{n}. {option}" for n, option in enumerate(options, 1)]
        if question.kind == "short":
            lines.append("Type your answer.")
        if self.coaching(run.learner_id):
            buttons += _help_buttons(run)[:1]
        yield Reply("\n".join(lines), buttons=buttons,
                    data={"quiz": {"id": run.id, "position": run.position,
                                   "question": question.id, "type": question.kind}})

    def _summary(self, run: QuizRun) -> Reply:
        scores = self.records.quiz_scores(run)
        got = sum(score for _, score, _ in scores)
        asked = sum(count for _, _, count in scores)
        lines = [f"🏁 Quiz done: {got:g} of {asked} on *{run.topic}*."]
        knowledge = self.knowledge.course(run.learner_id, run.course)
        progress = {s.name: s.state for s in knowledge.skills}
        for skill, score, count in scores:
            state = progress.get(skill, SkillState())
            lines.append(f"• {skill}: {score:g}/{count}, mastery {bar(state.estimate)} "
                         f"{state.estimate:.0%}")
        next_line, buttons = summary_line(knowledge)
        lines.append(next_line)
        return Reply("\n".join(lines), buttons=buttons,
                     data={"quiz_done": {"id": run.id, "score": got, "questions": asked}})


def _help_buttons(run: QuizRun, hint: str = "💡 Hint") -> tuple[Button, Button]:
    """The next hint on the question the quiz is at, and its answer."""
    return (Button(hint, f"hint:{run.id}:{run.position}", "/hint"),
            Button("Show the answer", f"reveal:{run.id}:{run.position}", "/reveal"))


def _grade_data(grade: Grade) -> dict[str, object]:
    return {"verdict": grade.verdict, "why": grade.why}
