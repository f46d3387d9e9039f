"""The schema as it stood when migrations began (commit 0407451).

A new database gets these tables. A database from before migrations has them,
less the columns added since it was made: those are added here, with the default
the models gave them (DEFAULTS), as the column adder that ran at every start used to.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

BASELINE = sa.MetaData()


def _c(table: str, column: str) -> sa.Column:
    return BASELINE.tables[table].c[column]


sa.Table('attempt', BASELINE,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('course', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('skill_id', sa.Integer(), nullable=False),
    sa.Column('quiz_id', sa.Integer(), nullable=True),
    sa.Column('response', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('correct', sa.Boolean(), nullable=False),
    sa.Column('hints', sa.Integer(), nullable=False),
    sa.Column('response_s', sa.Float(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
)

sa.Table('contentgap', BASELINE,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('question', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('best_score', sa.Float(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
)

sa.Table('course', BASELINE,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('skills_spec', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('skills_spec_file', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.PrimaryKeyConstraint('id')
)

sa.Table('feedback', BASELINE,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('turn_id', sa.Integer(), nullable=False),
    sa.Column('course', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('question', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('helpful', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
)

sa.Table('learner', BASELINE,
    sa.Column('id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('course', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('coach', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
)

sa.Table('mastery', BASELINE,
    sa.Column('learner_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('skill_id', sa.Integer(), nullable=False),
    sa.Column('course', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('estimate', sa.Float(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('correct', sa.Integer(), nullable=False),
    sa.Column('updated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('learner_id', 'skill_id')
)

sa.Table('question', BASELINE,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('skill_id', sa.Integer(), nullable=False),
    sa.Column('chunk_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('question', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('options', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('sentence', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('fact', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('wrong', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('document', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('section', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('generator', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('basis', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('retired_why', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
)

sa.Table('quizrun', BASELINE,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('course', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('topic', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('questions', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('hints', sa.Integer(), nullable=False),
    sa.Column('asked_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sqlite_autoincrement=True
)

sa.Table('reminder', BASELINE,
    sa.Column('learner_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('start_hour', sa.Integer(), nullable=False),
    sa.Column('end_hour', sa.Integer(), nullable=False),
    sa.Column('days', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('last_sent', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('blocked', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('learner_id')
)

sa.Table('document', BASELINE,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('source_path', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('content_hash', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('embedding_model', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('ingested_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('chunking_version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('course_id', 'name')
)

sa.Table('skill', BASELINE,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('prerequisites', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['course.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('course_id', 'name'),
    sqlite_autoincrement=True
)

sa.Table('turn', BASELINE,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('learner_id', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('course', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('question', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('answer', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('conversation', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('gap', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['learner_id'], ['learner.id'], ),
    sa.PrimaryKeyConstraint('id')
)

sa.Table('chunk', BASELINE,
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('heading', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('page', sa.Integer(), nullable=True),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('embedding', sa.LargeBinary(), nullable=False),
    sa.Column('skill_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['document_id'], ['document.id'], ),
    sa.ForeignKeyConstraint(['skill_id'], ['skill.id'], ),
    sa.PrimaryKeyConstraint('id')
)

sa.Index('ix_attempt_course', _c('attempt', 'course'), unique=False)
sa.Index('ix_attempt_learner_id', _c('attempt', 'learner_id'), unique=False)
sa.Index('ix_attempt_question_id', _c('attempt', 'question_id'), unique=False)
sa.Index('ix_attempt_quiz_id', _c('attempt', 'quiz_id'), unique=False)
sa.Index('ix_attempt_skill_id', _c('attempt', 'skill_id'), unique=False)
sa.Index('ix_contentgap_course', _c('contentgap', 'course'), unique=False)
sa.Index('ix_course_name', _c('course', 'name'), unique=True)
sa.Index('ix_feedback_course', _c('feedback', 'course'), unique=False)
sa.Index('ix_feedback_learner_id', _c('feedback', 'learner_id'), unique=False)
sa.Index('ix_feedback_turn_id', _c('feedback', 'turn_id'), unique=False)
sa.Index('ix_mastery_course', _c('mastery', 'course'), unique=False)
sa.Index('ix_question_chunk_id', _c('question', 'chunk_id'), unique=False)
sa.Index('ix_question_course_id', _c('question', 'course_id'), unique=False)
sa.Index('ix_question_skill_id', _c('question', 'skill_id'), unique=False)
sa.Index('ix_question_status', _c('question', 'status'), unique=False)
sa.Index('ix_quizrun_learner_id', _c('quizrun', 'learner_id'), unique=False)
sa.Index('ix_quizrun_status', _c('quizrun', 'status'), unique=False)
sa.Index('ix_document_course_id', _c('document', 'course_id'), unique=False)
sa.Index('ix_skill_course_id', _c('skill', 'course_id'), unique=False)
sa.Index('ix_turn_conversation', _c('turn', 'conversation'), unique=False)
sa.Index('ix_turn_learner_id', _c('turn', 'learner_id'), unique=False)
sa.Index('ix_chunk_document_id', _c('chunk', 'document_id'), unique=False)
sa.Index('ix_chunk_skill_id', _c('chunk', 'skill_id'), unique=False)


def upgrade() -> None:
    bind = op.get_bind()
    inspector = sa.inspect(bind)
    for table in BASELINE.sorted_tables:
        if not inspector.has_table(table.name):
            table.create(bind)  # and its indexes
            continue
        present = {column["name"] for column in inspector.get_columns(table.name)}
        missing = [column for column in table.columns if column.name not in present]
        for column in missing:
            definition = sa.schema.CreateColumn(column).compile(dialect=bind.dialect)
            bind.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {definition}"
                                 f"{_default_clause(table.name, column.name)}")
        for index in table.indexes:
            if any(column in missing for column in index.columns):
                index.create(bind, checkfirst=True)


def downgrade() -> None:
    BASELINE.drop_all(op.get_bind())


# The models' defaults at the baseline, for the rows a column is added to.
DEFAULTS: dict[str, bool | int | float | str] = {
    "attempt.hints": 0, "attempt.response_s": 0.0, "course.skills_spec": "",
    "course.skills_spec_file": "", "learner.coach": False, "mastery.attempts": 0,
    "mastery.correct": 0, "question.options": "[]", "question.wrong": "[]",
    "question.document": "", "question.section": "", "question.generator": "text",
    "question.basis": "fact", "question.status": "active", "question.retired_why": "",
    "quizrun.position": 0, "quizrun.tries": 0, "quizrun.hints": 0,
    "quizrun.status": "running", "reminder.start_hour": 9, "reminder.end_hour": 17,
    "reminder.days": "mon,tue,wed,thu,fri", "reminder.timezone": "UTC",
    "reminder.last_sent": "", "reminder.blocked": False, "document.title": "",
    "document.kind": "", "document.text": "", "document.chunking_version": 0,
    "skill.prerequisites": "[]", "turn.conversation": "", "turn.gap": "",
}


def _default_clause(table: str, column: str) -> str:
    """Existing rows need a value for a NOT NULL column: its default, as SQL."""
    default = DEFAULTS.get(f"{table}.{column}")
    if isinstance(default, bool):  # before int: a bool is one
        return " DEFAULT TRUE" if default else " DEFAULT FALSE"
    if isinstance(default, int | float):
        return f" DEFAULT {default}"
    if isinstance(default, str):
        return " DEFAULT '" + default.replace("'", "''") + "'"
    return ""
