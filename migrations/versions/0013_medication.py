"""medication: medications with their schedules, each dose marked or missed, and consents that show names

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 10:04:13

"""
from alembic import op
import sqlalchemy as sa

import companion.models.base


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('medication',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('dose', sa.String(length=100), nullable=True),
    sa.Column('times', sa.JSON(), nullable=False),
    sa.Column('weekdays', sa.JSON(), nullable=True),
    sa.Column('every_days', sa.SmallInteger(), nullable=True),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('clinic_dosed', sa.Boolean(), nullable=False),
    sa.Column('reminders', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('missed_after_minutes', sa.Integer(), nullable=False),
    sa.Column('created_at', companion.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', companion.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_medication_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_medication'))
    )
    with op.batch_alter_table('medication', schema=None) as batch_op:
        batch_op.create_index('ix_medication_user_id_active', ['user_id', 'active'], unique=False)

    op.create_table('dose',
    sa.Column('pk', sa.Integer(), nullable=False),
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('medication_id', sa.Integer(), nullable=False),
    sa.Column('scheduled_for', companion.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('snoozed_until', companion.models.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('body_digest', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', companion.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['medication_id'], ['medication.id'], name=op.f('fk_dose_medication_id_medication'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_dose_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pk', name=op.f('pk_dose')),
    sa.UniqueConstraint('medication_id', 'scheduled_for', name='uq_dose_medication_id_scheduled_for'),
    sa.UniqueConstraint('user_id', 'id', name='uq_dose_user_id_id')
    )
    with op.batch_alter_table('dose', schema=None) as batch_op:
        batch_op.create_index('ix_dose_user_id_scheduled_for', ['user_id', 'scheduled_for'], unique=False)

    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('medication_names', sa.Boolean(), server_default=sa.false(), nullable=False))



def downgrade():
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_column('medication_names')

    with op.batch_alter_table('dose', schema=None) as batch_op:
        batch_op.drop_index('ix_dose_user_id_scheduled_for')

    op.drop_table('dose')
    with op.batch_alter_table('medication', schema=None) as batch_op:
        batch_op.drop_index('ix_medication_user_id_active')

    op.drop_table('medication')
