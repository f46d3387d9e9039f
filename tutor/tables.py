"""Learner tables. Only what tutoring needs: the chosen course, the last few turns
for follow-ups, the learner's ratings of answers, unanswerable questions (kept
without who asked them), the question bank, and each learner's quizzes, attempts
and mastery per skill, and the review nudges a learner asked for."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from knowledge.tables import utcnow


class Learner(SQLModel, table=True):
    id: str = Field(primary_key=True)  # platform-qualified, e.g. "telegram:12345"
    course: str | None = None
    coach: bool = False  # /coach: questions get a guiding question and hints, not the answer
    # The name the platform shows, for trainers' pages only (TUTORBOT_CONSOLE_NAMES).
    display_name: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class Turn(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    learner_id: str = Field(foreign_key="learner.id", index=True)
    course: str
    question: str
    answer: str
    # A Slack thread, say: follow-ups are read within one conversation.
    conversation: str = Field(default="", index=True)
    # A coached question: the fact its guiding question leaves out, awaiting a guess.
    gap: str = ""
    created_at: datetime = Field(default_factory=utcnow)


class Feedback(SQLModel, table=True):
    """A 👍/👎 on an answer. The question and answer are copied: the turn itself is
    dropped once it leaves the follow-up history, the rating is kept for trainers."""

    id: int | None = Field(default=None, primary_key=True)
    learner_id: str = Field(index=True)
    turn_id: int = Field(index=True)
    course: str = Field(index=True)
    question: str
    answer: str
    helpful: bool
    created_at: datetime = Field(default_factory=utcnow)


class ContentGap(SQLModel, table=True):
    """A question the course material could not answer, for trainers to fill."""

    id: int | None = Field(default=None, primary_key=True)
    course: str = Field(index=True)
    question: str
    best_score: float
    created_at: datetime = Field(default_factory=utcnow)


class Question(SQLModel, table=True):
    """A validated question of a course's bank, shared by all its learners. It names
    its skill and passage by id without foreign keys: material is replaced under it,
    and a question whose passage changed or went is retired, never deleted (the
    attempts of learners will refer to it)."""

    id: int | None = Field(default=None, primary_key=True)
    course_id: int = Field(index=True)
    skill_id: int = Field(index=True)
    chunk_id: int = Field(index=True)
    kind: str  # "choice", "true_false" or "short"
    question: str
    options: str = "[]"  # JSON list; empty for "short"
    answer: str
    sentence: str  # the sentence of the material it tests, as the passage states it
    fact: str  # the stretch of that sentence it tests
    wrong: str = "[]"  # JSON list of the wrong facts it offers
    document: str = ""  # where it comes from, for citations
    section: str = ""
    generator: str = "text"  # "text", "llm" or "edited"
    basis: str = "fact"  # what it tests: a fact of its sentence, or the "order" of steps
    status: str = Field(default="active", index=True)  # "active" or "retired"
    retired_why: str = ""
    # A trainer's approval (their account's email): regeneration never replaces it.
    approved_by: str = ""
    approved_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class QuizRun(SQLModel, table=True):
    """A learner's quiz: its questions in order and how far they got. It outlives the
    process, so a quiz stopped with /stop (or by a restart) resumes where it was."""

    # Ids never come back after /forget: an old button must not act on a new quiz.
    __table_args__ = {"sqlite_autoincrement": True}

    id: int | None = Field(default=None, primary_key=True)
    learner_id: str = Field(index=True)
    course: str
    topic: str  # what it is on, as the learner sees it: a skill's name, or their words
    questions: str  # JSON list of question ids
    position: int = 0  # the question awaiting an answer
    tries: int = 0  # wrong answers to the question at `position`
    hints: int = 0  # hints taken on the question at `position`
    asked_at: datetime = Field(default_factory=utcnow)  # when that question was shown
    status: str = Field(default="running", index=True)  # "running", "stopped" or "done"
    created_at: datetime = Field(default_factory=utcnow)


class Attempt(SQLModel, table=True):
    """One answer of a learner to a bank question: the learner record that mastery
    and the learner model are computed from."""

    id: int | None = Field(default=None, primary_key=True)
    learner_id: str = Field(index=True)
    course: str = Field(index=True)
    question_id: int = Field(index=True)
    skill_id: int = Field(index=True)
    quiz_id: int | None = Field(default=None, index=True)
    response: str
    score: float  # 0 to 1, after what hints and retries cost
    correct: bool
    hints: int = 0
    response_s: float = 0.0  # from the question shown to the answer
    created_at: datetime = Field(default_factory=utcnow)


class Mastery(SQLModel, table=True):
    """A learner's current mastery of a skill (tutor/mastery.py says how it moves)."""

    learner_id: str = Field(primary_key=True)
    skill_id: int = Field(primary_key=True)
    course: str = Field(index=True)
    estimate: float
    attempts: int = 0
    correct: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


class Reminder(SQLModel, table=True):
    """A learner's opt-in to review nudges (/remind on): when they may come, in the
    learner's time zone, and the local day the last one went out, so a nudge is sent
    at most once a day whatever restarts. /remind off deletes the row."""

    learner_id: str = Field(primary_key=True)
    start_hour: int = 9  # the window, local time: from start_hour to end_hour
    end_hour: int = 17
    days: str = "mon,tue,wed,thu,fri"
    timezone: str = "UTC"
    last_sent: str = ""  # the learner's local date (ISO) of the last nudge
    blocked: bool = False  # the platform said the bot cannot reach them: never retried
    created_at: datetime = Field(default_factory=utcnow)


class ReceivedEvent(SQLModel, table=True):
    """A chat event some worker took (tutor/received.py): the platform's id only, kept
    a day. Slack redelivers an event it thinks was missed, Telegram an update a
    webhook did not acknowledge in time, to any worker behind the address. A worker
    takes it for a lease from `taken_at`; `answered_at` is set once its reply is sent.
    Until then a Telegram update or Slack request keeps its JSON and its learner (both
    count it delivered before it is answered: the tutor re-handles it once the lease
    lapses)."""

    platform: str = Field(primary_key=True)
    event_id: str = Field(primary_key=True)
    received_at: datetime = Field(default_factory=utcnow, index=True)
    taken_at: datetime = Field(default_factory=utcnow)
    answered_at: datetime | None = None
    payload: str | None = None  # the update's or request's JSON while unanswered
    learner_id: str | None = Field(default=None, index=True)  # whose it is, while unanswered


class AnswerRecord(SQLModel, table=True):
    """What a learner was told, for trainers to review: the question, the quote, the
    explanation sentences kept and those the check removed (with why), the sources and
    the learner's rating. Kept TUTORBOT_ANSWER_LOG_DAYS, then folded into
    `AnswerCount`; /forget deletes a learner's."""

    id: int | None = Field(default=None, primary_key=True)
    learner_id: str = Field(index=True)
    course: str = Field(index=True)
    turn_id: int | None = Field(default=None, index=True)  # the 👍/👎 buttons name the turn
    question: str
    answer: str  # the whole text as shown
    quote: str = ""
    kept: str = "[]"  # JSON list of the model's sentences that passed the check
    removed: str = "[]"  # JSON list of {"text", "why"} the check removed
    sources: str = "[]"  # JSON list of {"number", "document", "section", "page", "text"}
    covered: bool = Field(default=True, index=True)
    explanation_removed: bool = Field(default=False, index=True)
    trainer_answer_id: int | None = Field(default=None, index=True)  # served instead
    helpful: bool | None = Field(default=None, index=True)  # the learner's 👍/👎
    rated_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow, index=True)


class AnswerCount(SQLModel, table=True):
    """What analytics keeps of answers once their text is deleted: counts per course
    and day, without text or learner."""

    course: str = Field(primary_key=True)
    day: str = Field(primary_key=True)  # ISO date, UTC
    answers: int = 0
    not_covered: int = 0
    explanation_removed: int = 0
    trainer_answers: int = 0
    helpful: int = 0
    unhelpful: int = 0


class TrainerAnswer(SQLModel, table=True):
    """A trainer's answer to a question, served first to later questions that mean the
    same. It cites a passage (kept as it read then: a changed or removed passage sends
    it back for review) or stands on the trainer's own authority."""

    id: int | None = Field(default=None, primary_key=True)
    course: str = Field(index=True)
    question: str
    answer: str
    author: str  # the account's email
    author_name: str  # as learners see it: "Answer from your trainer, NAME, DATE"
    chunk_id: int | None = None  # the passage cited, or None: the trainer's own authority
    passage: str = ""  # that passage's text when it was cited
    document: str = ""
    section: str = ""
    status: str = Field(default="active", index=True)  # "active", "review" or "retired"
    review_why: str = ""
    from_answer: int | None = None  # the AnswerRecord it corrects, if any
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class ConsoleAccount(SQLModel, table=True):
    """A trainer's or admin's account on the web console. A trainer sees and changes
    only the courses named in `courses`; `session_epoch` goes up on a password reset
    or removal, which ends every session signed with the old one."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True)
    name: str = ""
    role: str  # "admin" or "trainer"
    courses: str = "[]"  # JSON list of course names (trainers)
    password_hash: str = ""  # "" until a password is set: one-time links only
    session_epoch: int = 0
    created_at: datetime = Field(default_factory=utcnow)


class SignInLink(SQLModel, table=True):
    """A one-time sign-in link (its token's hash only): it works once, for 15 minutes."""

    token_hash: str = Field(primary_key=True)
    account_id: int = Field(index=True)
    expires_at: datetime
    used_at: datetime | None = None


class SignInAttempt(SQLModel, table=True):
    """A failed password, counted per account and per address to slow guessing."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True)
    address: str = Field(index=True)
    at: datetime = Field(default_factory=utcnow, index=True)


class AuditEntry(SQLModel, table=True):
    """A change made in the console: who, what, when."""

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor: str = Field(index=True)  # the account's email
    action: str = Field(index=True)  # "upload", "remove-document", "question-edit", …
    course: str = Field(default="", index=True)
    target: str = ""  # what was changed: a file, a question's id, a skill's name
    detail: str = "{}"  # JSON: what changed, for the export
