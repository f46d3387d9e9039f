"""The trainers' console: accounts, sign-in links and attempts, the audit log, the
answers log with its counts, trainer answers, learners' display names and question
approvals.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "answercount",
        sa.Column("course", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("day", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("answers", sa.Integer(), nullable=False),
        sa.Column("not_covered", sa.Integer(), nullable=False),
        sa.Column("explanation_removed", sa.Integer(), nullable=False),
        sa.Column("trainer_answers", sa.Integer(), nullable=False),
        sa.Column("helpful", sa.Integer(), nullable=False),
        sa.Column("unhelpful", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("course", "day"),
    )
    op.create_table(
        "answerrecord",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("learner_id", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("course", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("turn_id", sa.Integer(), nullable=True),
        sa.Column("question", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("quote", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("kept", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("removed", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("sources", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("covered", sa.Boolean(), nullable=False),
        sa.Column("explanation_removed", sa.Boolean(), nullable=False),
        sa.Column("trainer_answer_id", sa.Integer(), nullable=True),
        sa.Column("helpful", sa.Boolean(), nullable=True),
        sa.Column("rated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("answerrecord", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_answerrecord_course"), ["course"], unique=False)
        batch_op.create_index(batch_op.f("ix_answerrecord_covered"), ["covered"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_answerrecord_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_answerrecord_explanation_removed"), ["explanation_removed"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_answerrecord_helpful"), ["helpful"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_answerrecord_learner_id"), ["learner_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_answerrecord_trainer_answer_id"), ["trainer_answer_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_answerrecord_turn_id"), ["turn_id"], unique=False)

    op.create_table(
        "auditentry",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("course", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("target", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("detail", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("auditentry", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_auditentry_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_auditentry_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_auditentry_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_auditentry_course"), ["course"], unique=False)

    op.create_table(
        "consoleaccount",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("courses", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("session_epoch", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("consoleaccount", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_consoleaccount_email"), ["email"], unique=True)

    op.create_table(
        "signinattempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("address", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("signinattempt", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signinattempt_address"), ["address"], unique=False)
        batch_op.create_index(batch_op.f("ix_signinattempt_at"), ["at"], unique=False)
        batch_op.create_index(batch_op.f("ix_signinattempt_email"), ["email"], unique=False)

    op.create_table(
        "signinlink",
        sa.Column("token_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("expires_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("token_hash"),
    )
    with op.batch_alter_table("signinlink", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_signinlink_account_id"), ["account_id"], unique=False)

    op.create_table(
        "traineranswer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("question", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("answer", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("author", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("author_name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("chunk_id", sa.Integer(), nullable=True),
        sa.Column("passage", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("document", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("section", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("review_why", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("from_answer", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("traineranswer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_traineranswer_course"), ["course"], unique=False)
        batch_op.create_index(batch_op.f("ix_traineranswer_status"), ["status"], unique=False)

    with op.batch_alter_table("learner", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "display_name",
                sqlmodel.sql.sqltypes.AutoString(),
                nullable=False,
                server_default="",
            )
        )

    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "approved_by", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""
            )
        )
        batch_op.add_column(
            sa.Column("approved_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("question", schema=None) as batch_op:
        batch_op.drop_column("approved_at")
        batch_op.drop_column("approved_by")

    with op.batch_alter_table("learner", schema=None) as batch_op:
        batch_op.drop_column("display_name")

    with op.batch_alter_table("traineranswer", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_traineranswer_status"))
        batch_op.drop_index(batch_op.f("ix_traineranswer_course"))

    op.drop_table("traineranswer")
    with op.batch_alter_table("signinlink", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signinlink_account_id"))

    op.drop_table("signinlink")
    with op.batch_alter_table("signinattempt", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signinattempt_email"))
        batch_op.drop_index(batch_op.f("ix_signinattempt_at"))
        batch_op.drop_index(batch_op.f("ix_signinattempt_address"))

    op.drop_table("signinattempt")
    with op.batch_alter_table("consoleaccount", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_consoleaccount_email"))

    op.drop_table("consoleaccount")
    with op.batch_alter_table("auditentry", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_auditentry_course"))
        batch_op.drop_index(batch_op.f("ix_auditentry_at"))
        batch_op.drop_index(batch_op.f("ix_auditentry_actor"))
        batch_op.drop_index(batch_op.f("ix_auditentry_action"))

    op.drop_table("auditentry")
    with op.batch_alter_table("answerrecord", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_answerrecord_turn_id"))
        batch_op.drop_index(batch_op.f("ix_answerrecord_trainer_answer_id"))
        batch_op.drop_index(batch_op.f("ix_answerrecord_learner_id"))
        batch_op.drop_index(batch_op.f("ix_answerrecord_helpful"))
        batch_op.drop_index(batch_op.f("ix_answerrecord_explanation_removed"))
        batch_op.drop_index(batch_op.f("ix_answerrecord_created_at"))
        batch_op.drop_index(batch_op.f("ix_answerrecord_covered"))
        batch_op.drop_index(batch_op.f("ix_answerrecord_course"))

    op.drop_table("answerrecord")
    op.drop_table("answercount")
