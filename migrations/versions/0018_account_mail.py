"""account mail: reset links and account notices the SMTP server has not accepted yet, sent again until it does

Revision ID: 0018
Revises: 0016
Create Date: 2026-12-03 15:00:00

"""
from alembic import op
import sqlalchemy as sa

import companion.models.base


# revision identifiers, used by Alembic.
revision = '0018'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('account_mail',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('created_at', companion.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('send_after', companion.models.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_account_mail_user_id_user_account'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_mail'))
    )
    with op.batch_alter_table('account_mail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_mail_send_after'), ['send_after'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_mail_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('account_mail', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_mail_user_id'))
        batch_op.drop_index(batch_op.f('ix_account_mail_send_after'))
    op.drop_table('account_mail')
