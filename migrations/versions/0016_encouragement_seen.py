"""encouragement seen: when the participant first read a counselor's note, so Today shows new ones

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-03 10:30:00

"""
from alembic import op
import sqlalchemy as sa

import companion.models.base


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('encouragement', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seen_at', companion.models.base.UTCDateTime(timezone=True), nullable=True))
    # Notes written before this were shown on their goal's page already: they are not news on Today.
    op.execute(sa.text("UPDATE encouragement SET seen_at = created_at"))


def downgrade():
    with op.batch_alter_table('encouragement', schema=None) as batch_op:
        batch_op.drop_column('seen_at')
