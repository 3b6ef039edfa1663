"""ledger chains: one keyed hash chain per participant, its head kept apart, and the staff member's e-mail

The single SHA-256 chain becomes one HMAC chain per participant (see companion/blueprints/privacy/ledger.py
for why). The existing ledger is verified as it was first, and the migration stops, naming each broken
row, when it is not intact: carrying an altered ledger over would sign the alteration with the new key.
Then each participant's rows, in their old order, are numbered and chained again under LEDGER_KEY, the
heads are written, and the new chains are verified before the migration commits.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02 20:10:00

"""
import hashlib
import hmac
import json
from datetime import UTC, datetime

from alembic import op
from flask import current_app
import sqlalchemy as sa

from companion.models.base import UTCDateTime


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

GENESIS = "0" * 64
OLD_FIELDS = ("seq", "at", "subject_ref", "actor_ref", "actor_name", "actor_role", "action", "what",
              "consent_id", "purpose", "prev_hash")
NEW_FIELDS = ("seq", "at", "subject_ref", "actor_ref", "actor_name", "actor_role", "actor_email", "action",
              "what", "consent_id", "purpose", "prev_hash")
COLUMNS = ("id", "seq", "at", "subject_ref", "actor_ref", "actor_name", "actor_role", "action", "what",
           "consent_id", "purpose", "prev_hash", "hash")


def _canonical(row: dict, fields) -> bytes:
    values = {name: row[name] for name in fields}
    at = row["at"]
    if isinstance(at, str):  # SQLite hands the stored text back through a plain table
        at = datetime.fromisoformat(at)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    values["at"] = at.astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(values, sort_keys=True, separators=(",", ":")).encode()


def _sha(row: dict) -> str:
    return hashlib.sha256(_canonical(row, OLD_FIELDS)).hexdigest()


def _hmac(key: bytes, row: dict) -> str:
    return hmac.new(key, _canonical(row, NEW_FIELDS), hashlib.sha256).hexdigest()


def _rows(conn, order: str) -> list[dict]:
    result = conn.execute(sa.text(f"SELECT {', '.join(COLUMNS)} FROM disclosure_entry ORDER BY {order}"))
    return [dict(zip(COLUMNS, row)) for row in result]


def _old_chain_problems(rows: list[dict]) -> list[str]:
    problems, expected, prev = [], 1, GENESIS
    for row in rows:
        if row["seq"] != expected:
            problems.append(f"row {expected} to {row['seq'] - 1} missing (removed?) before row {row['seq']}")
        if row["prev_hash"] != prev:
            problems.append(f"row {row['seq']} does not follow the row before it")
        if _sha(row) != row["hash"]:
            problems.append(f"row {row['seq']} was altered: its contents do not match its hash")
        expected, prev = row["seq"] + 1, row["hash"]
    return problems


def upgrade():
    conn = op.get_bind()
    old = _rows(conn, "seq")
    if problems := _old_chain_problems(old):
        raise RuntimeError("The disclosure ledger is not intact, so it is not carried over (restore it from a "
                           "backup, or investigate): " + "; ".join(problems[:50]))

    op.create_table('ledger_head',
        sa.Column('subject_ref', sa.String(length=36), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('updated_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('subject_ref', name=op.f('pk_ledger_head'))
    )
    with op.batch_alter_table('disclosure_entry', schema=None) as batch_op:
        batch_op.add_column(sa.Column('actor_email', sa.String(length=254), server_default='', nullable=False))
        batch_op.drop_constraint('uq_disclosure_entry_seq', type_='unique')

    # Each participant's rows, in the order the old chain had them, become that participant's chain.
    key = str(current_app.config["LEDGER_KEY"]).encode()
    emails = dict(conn.execute(sa.text("SELECT ledger_ref, email FROM user_account")).all())
    heads: dict[str, tuple[int, str]] = {}
    changed = []
    for row in old:
        seq, prev = heads.get(row["subject_ref"], (0, GENESIS))
        row.update(seq=seq + 1, prev_hash=prev, actor_email=emails.get(row["actor_ref"], ""))
        row["hash"] = _hmac(key, row)
        heads[row["subject_ref"]] = (row["seq"], row["hash"])
        changed.append({"id": row["id"], "seq": row["seq"], "prev_hash": row["prev_hash"], "hash": row["hash"],
                        "actor_email": row["actor_email"]})
    if changed:
        conn.execute(sa.text("UPDATE disclosure_entry SET seq = :seq, prev_hash = :prev_hash, hash = :hash, "
                             "actor_email = :actor_email WHERE id = :id"), changed)
    now = datetime.now(UTC)
    if heads:
        conn.execute(sa.text("INSERT INTO ledger_head (subject_ref, seq, hash, updated_at) VALUES (:r, :s, :h, :u)"),
                     [{"r": ref, "s": seq, "h": hash_, "u": now} for ref, (seq, hash_) in heads.items()])

    with op.batch_alter_table('disclosure_entry', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_disclosure_entry_subject_ref_seq', ['subject_ref', 'seq'])

    # Verified as written, before the migration commits: every chain whole, and ending at its head.
    new_columns = COLUMNS + ("actor_email",)
    result = conn.execute(sa.text(f"SELECT {', '.join(new_columns)} FROM disclosure_entry ORDER BY subject_ref, seq"))
    ends: dict[str, tuple[int, str]] = {}
    for values in result:
        row = dict(zip(new_columns, values))
        seq, prev = ends.get(row["subject_ref"], (0, GENESIS))
        if row["seq"] != seq + 1 or row["prev_hash"] != prev or _hmac(key, row) != row["hash"]:
            raise RuntimeError(f"The carried-over ledger does not verify at row id {row['id']}")
        ends[row["subject_ref"]] = (row["seq"], row["hash"])
    if ends != heads:
        raise RuntimeError("The carried-over ledger does not end at its heads")


def downgrade():
    # Back to one SHA-256 chain over every row, in the order they were written.
    conn = op.get_bind()
    rows = _rows(conn, "id")
    with op.batch_alter_table('disclosure_entry', schema=None) as batch_op:
        batch_op.drop_constraint('uq_disclosure_entry_subject_ref_seq', type_='unique')
        batch_op.drop_column('actor_email')
    prev, changed = GENESIS, []
    for number, row in enumerate(rows, 1):
        row.update(seq=number, prev_hash=prev)
        row["hash"] = prev = _sha(row)
        changed.append({"id": row["id"], "seq": number, "prev_hash": row["prev_hash"], "hash": row["hash"]})
    if changed:
        conn.execute(sa.text("UPDATE disclosure_entry SET seq = :seq, prev_hash = :prev_hash, hash = :hash WHERE id = :id"),
                     changed)
    with op.batch_alter_table('disclosure_entry', schema=None) as batch_op:
        batch_op.create_unique_constraint('uq_disclosure_entry_seq', ['seq'])
    op.drop_table('ledger_head')
