"""journal roll-up: per person and local date, the counts insights read (journal_day, journal_skill_day)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 18:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

TRIGGERS = ("people", "places", "things", "emotions", "stress", "boredom", "conflict", "celebration",
            "physical_pain", "substance_cue", "other")
HALT = ("hungry", "angry", "lonely", "tired")


def _counts(names):
    return [sa.Column(name, sa.Integer(), nullable=False) for name in names]


def upgrade():
    op.create_table('journal_day',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    *_counts(['cravings', 'rated', 'intensity_sum'] + [f'hour_{hour}' for hour in range(24)]),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_journal_day_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'local_date', name=op.f('pk_journal_day'))
    )
    op.create_table('journal_skill_day',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('local_date', sa.Date(), nullable=False),
    sa.Column('skill', sa.String(length=80), nullable=False),
    *_counts(['entries', 'rated', 'helped_sum'] + [f'trigger_{c}' for c in TRIGGERS] + [f'halt_{c}' for c in HALT]
             + [f'trigger_{c}_rated' for c in TRIGGERS] + [f'trigger_{c}_helped' for c in TRIGGERS]),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_journal_skill_day_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'local_date', 'skill', name=op.f('pk_journal_skill_day'))
    )
    # Every entry written so far, counted once (later writes keep the roll-up current).
    hours = ", ".join(f"SUM(CASE WHEN local_hour = {hour} THEN 1 ELSE 0 END)" for hour in range(24))
    op.execute("INSERT INTO journal_day SELECT user_id, local_date, COUNT(*), COUNT(intensity), "
               f"COALESCE(SUM(intensity), 0), {hours} FROM log_entry WHERE kind = 'craving' "
               "GROUP BY user_id, local_date")

    def bit(column, index, value="1", rated=False):
        condition = f"({column} & {1 << index}) <> 0" + (" AND helped IS NOT NULL" if rated else "")
        return f"SUM(CASE WHEN {condition} THEN {value} ELSE 0 END)"

    counts = [bit("trigger_bits", i) for i in range(len(TRIGGERS))] + [bit("halt_bits", i) for i in range(len(HALT))]
    counts += [bit("trigger_bits", i, rated=True) for i in range(len(TRIGGERS))]
    counts += [bit("trigger_bits", i, "helped", rated=True) for i in range(len(TRIGGERS))]
    op.execute("INSERT INTO journal_skill_day SELECT user_id, local_date, COALESCE(skill, ''), COUNT(*), COUNT(helped), "
               f"COALESCE(SUM(helped), 0), {', '.join(counts)} FROM log_entry "
               "GROUP BY user_id, local_date, COALESCE(skill, '')")


def downgrade():
    op.drop_table('journal_skill_day')
    op.drop_table('journal_day')
