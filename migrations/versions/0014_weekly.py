"""weekly check-in: a week's Brief Addiction Monitor answers with their three scores, and the reminder day

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 10:28:39

"""
from alembic import op
import sqlalchemy as sa

import companion.models.base


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('weekly_checkin',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('week_of', sa.Date(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('use', sa.SmallInteger(), nullable=False),
    sa.Column('risk', sa.SmallInteger(), nullable=False),
    sa.Column('protective', sa.SmallInteger(), nullable=False),
    sa.Column('body_digest', sa.String(length=64), nullable=False),
    sa.Column('created_at', companion.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', companion.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_weekly_checkin_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_weekly_checkin')),
    sa.UniqueConstraint('user_id', 'id', name='uq_weekly_checkin_user_id_id'),
    sa.UniqueConstraint('user_id', 'week_of', name='uq_weekly_checkin_user_id_week_of')
    )
    with op.batch_alter_table('weekly_checkin', schema=None) as batch_op:
        batch_op.create_index('ix_weekly_checkin_user_id_week_of_scores', ['user_id', 'week_of', 'risk', 'protective'], unique=False)

    op.create_table('weekly_settings',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('weekday', sa.SmallInteger(), nullable=True),
    sa.Column('remind_at', sa.Time(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_weekly_settings_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_weekly_settings'))
    )


def downgrade():
    op.drop_table('weekly_settings')
    with op.batch_alter_table('weekly_checkin', schema=None) as batch_op:
        batch_op.drop_index('ix_weekly_checkin_user_id_week_of_scores')

    op.drop_table('weekly_checkin')
