"""The disclosure ledger: an append-only record of every staff read and export, one keyed hash chain per participant.

Why one chain per participant: a single chain orders every append in the installation behind one lock,
so every staff view anywhere waited for every other. With a chain per participant, appends wait only
for another append about the same person, which is rare and short.

Why a keyed hash: a plain SHA-256 chain can be rewritten by anyone who can write the table (edit a row,
then compute every later hash again). Each row's hash is an HMAC under ``LEDGER_KEY``, which lives with
the app's other secrets and never in the database, so a rewrite needs the key too.

Why a head table: deleting the newest rows of a chain leaves what remains a consistent chain. The newest
``seq`` and hash of each chain are kept in ``ledger_head``, written in the same transaction as the rows;
``verify`` checks every chain ends at its head, and ``heads_digest`` / ``audit heads`` give the operator
something to keep elsewhere, against a rewrite by someone who holds both the database and the key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from datetime import UTC, datetime

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from companion.extensions import db
from companion.i18n import N_
from companion.models import Consent, DisclosureEntry, LedgerHead, User

GENESIS = "0" * 64
HASHED_FIELDS = ("seq", "at", "subject_ref", "actor_ref", "actor_name", "actor_role", "actor_email", "action",
                 "what", "consent_id", "purpose", "prev_hash")

# 42 CFR § 2.32(a)(1), as the 2024 final rule words it.
REDISCLOSURE_NOTICE = N_(
    "This record which has been disclosed to you is protected by Federal confidentiality rules (42 CFR part 2). "
    "These rules prohibit you from using or disclosing this record, or testimony that describes the information "
    "contained in this record, in any civil, criminal, administrative, or legislative proceedings by any Federal, "
    "State, or local authority, against the patient, unless authorized by the consent of the patient, except as "
    "provided at 42 CFR 2.12(c)(5) and 2.65; or as authorized by a court in accordance with 42 CFR 2.64 or 2.65. "
    "In addition, these rules prohibit you from making any further disclosure of this record unless expressly "
    "permitted by the written consent of the patient whose record is being disclosed, or as otherwise permitted by "
    "42 CFR part 2. A general authorization for the release of medical or other information is not sufficient to "
    "meet the required elements of written consent to further use or redisclose the record (see 42 CFR 2.31)."
)


# How the ledger's "what" reads in the viewer's language: it is stored in English (a hashed record), in one of
# the forms the counselor pages write (companion/blueprints/counselor/services.py, sessions/services.py).
LEDGER_PREFIXES = {"participant page: ": N_("participant page: %(parts)s"), "attendance: ": N_("attendance: %(parts)s")}


def ledger_what(what: str) -> str:
    """A ledger entry's "what", translated where the catalog knows it (a group's name stays as it is)."""
    for prefix, sentence in LEDGER_PREFIXES.items():
        if what.startswith(prefix):
            rest = what[len(prefix):]
            parts = ", ".join(_(part) for part in rest.split(", ")) if prefix == "participant page: " else rest
            return _(sentence, parts=parts)
    return _(what) if what else what


def canonical(fields: dict) -> bytes:
    """A row's hashed fields as one unambiguous byte string."""
    values = {name: fields[name] for name in HASHED_FIELDS}
    values["at"] = fields["at"].astimezone(UTC).isoformat(timespec="microseconds")
    return json.dumps(values, sort_keys=True, separators=(",", ":")).encode()


def entry_hash(fields: dict, key: bytes | None = None) -> str:
    """The HMAC-SHA256, under the ledger key, of a row's fields (the previous row's hash among them)."""
    return hmac.new(key if key is not None else ledger_key(), canonical(fields), hashlib.sha256).hexdigest()


def ledger_key() -> bytes:
    """The key of the chain's HMAC: LEDGER_KEY, kept outside the database like SECRET_KEY."""
    return str(current_app.config["LEDGER_KEY"]).encode()


def _locked_heads(refs: list[str]) -> dict[str, tuple[int, str]]:
    """The heads of these chains, created when new, each locked until commit: one statement either way.

    An upsert that changes nothing locks the existing row like ``FOR UPDATE`` and returns it; rows are
    taken in the order given (sorted), so two appends about the same people never deadlock.
    """
    dialect = db.session.get_bind().dialect.name
    insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert_(LedgerHead).values([{"subject_ref": ref, "seq": 0, "hash": GENESIS,
                                             "updated_at": datetime.now(UTC)} for ref in refs])
    statement = statement.on_conflict_do_update(index_elements=["subject_ref"],
                                                set_={"subject_ref": statement.excluded.subject_ref})
    rows = db.session.execute(statement.returning(LedgerHead.subject_ref, LedgerHead.seq, LedgerHead.hash))
    return {ref: (seq, hash_) for ref, seq, hash_ in rows}


def record(actor: User, consents: list[Consent], action: str, what: str, attempts: int = 5) -> None:
    """Append one ledger row per participant disclosed, each to that participant's chain, in one insert.

    On PostgreSQL the heads of these participants' chains are locked (and only those), so appends about
    other participants go on meanwhile. SQLite has one writer; there a lost race shows as a repeated
    ``seq`` and the append is tried again.
    """
    if not consents:
        return
    key = ledger_key()
    refs = sorted({consent.participant.ledger_ref for consent in consents})
    for _ in range(attempts):
        try:
            with db.session.begin_nested():
                heads = _locked_heads(refs)
                now = datetime.now(UTC)
                rows = []
                for consent in consents:
                    ref = consent.participant.ledger_ref
                    seq, prev = heads[ref]
                    row = {"seq": seq + 1, "at": now, "subject_ref": ref, "actor_ref": actor.ledger_ref,
                           "actor_name": actor.name, "actor_role": actor.role, "actor_email": actor.email,
                           "action": action, "what": what[:300], "consent_id": consent.id,
                           "purpose": consent.purpose, "prev_hash": prev}
                    row["hash"] = entry_hash(row, key)
                    heads[ref] = (row["seq"], row["hash"])
                    rows.append(row)
                db.session.execute(insert(DisclosureEntry), rows)
                db.session.execute(update(LedgerHead), [{"subject_ref": ref, "seq": seq, "hash": hash_, "updated_at": now}
                                                        for ref, (seq, hash_) in heads.items()])
        except IntegrityError:
            continue  # another request appended to one of these chains first: chain onto its rows instead
        db.session.commit()
        return
    raise RuntimeError("Could not append to the disclosure ledger")


def verify(key: bytes | None = None) -> list[str]:
    """Every break in every chain, naming the participant's chain and the row: altered, removed, inserted,
    reordered, or a chain that ends before (or after) its head."""
    key = key if key is not None else ledger_key()
    heads = {ref: (seq, hash_) for ref, seq, hash_ in db.session.execute(
        select(LedgerHead.subject_ref, LedgerHead.seq, LedgerHead.hash))}
    problems: list[str] = []
    chain: str | None = None
    expected_seq, prev = 1, GENESIS

    def close(ref: str, last_seq: int, last_hash: str) -> None:
        head = heads.pop(ref, None)
        if head is None:
            problems.append(f"chain {ref}: it has no head (the head was removed, or the chain was inserted)")
        elif head[0] > last_seq:
            problems.append(f"chain {ref}: rows {last_seq + 1} to {head[0]} missing (removed?): the head records {head[0]} rows")
        elif head[0] < last_seq:
            problems.append(f"chain {ref}: rows {head[0] + 1} to {last_seq} are past its head (inserted?)")
        elif head[1] != last_hash:
            problems.append(f"chain {ref}: row {last_seq}, its newest, does not match its head (altered or replaced)")

    rows = db.session.execute(select(DisclosureEntry).order_by(DisclosureEntry.subject_ref, DisclosureEntry.seq)).scalars()
    for entry in rows:
        if entry.subject_ref != chain:
            if chain is not None:
                close(chain, expected_seq - 1, prev)
            chain, expected_seq, prev = entry.subject_ref, 1, GENESIS
        where = f"chain {entry.subject_ref}: row {entry.seq}"
        if entry.seq != expected_seq:
            problems.append(f"chain {entry.subject_ref}: row {expected_seq} to {entry.seq - 1} missing (removed?) before row {entry.seq}")
        if entry.prev_hash != prev:
            problems.append(f"{where} does not follow the row before it (a row was removed, inserted or reordered; id {entry.id})")
        if not hmac.compare_digest(entry_hash({name: getattr(entry, name) for name in HASHED_FIELDS}, key), entry.hash):
            problems.append(f"{where} was altered: its contents do not match its keyed hash (id {entry.id})")
        expected_seq, prev = entry.seq + 1, entry.hash
    if chain is not None:
        close(chain, expected_seq - 1, prev)
    for ref, (seq, _) in sorted(heads.items()):
        if seq > 0:
            problems.append(f"chain {ref}: all its {seq} rows missing (removed?)")
    return problems


def heads() -> list[tuple[str, int, str]]:
    """Every chain's head, (participant reference, rows, newest hash), for keeping outside the database."""
    return [tuple(row) for row in db.session.execute(
        select(LedgerHead.subject_ref, LedgerHead.seq, LedgerHead.hash).where(LedgerHead.seq > 0)
        .order_by(LedgerHead.subject_ref))]


def heads_digest(rows: list[tuple[str, int, str]] | None = None) -> str:
    """One SHA-256 over every head: what an operator writes down after each verify."""
    text = "\n".join(f"{ref} {seq} {hash_}" for ref, seq, hash_ in (rows if rows is not None else heads()))
    return hashlib.sha256(text.encode()).hexdigest()


def check_kept_heads(lines: Iterable[str]) -> list[str]:
    """Heads kept elsewhere earlier (lines of ``audit heads``): each must still be in its chain, unchanged."""
    wanted = []
    for number, line in enumerate(lines, 1):
        parts = line.split()
        if not parts or line.startswith("#"):
            continue
        if len(parts) != 3 or not parts[1].isdigit():
            return [f"line {number} of the kept heads is not 'reference rows hash'"]
        wanted.append((parts[0], int(parts[1]), parts[2]))
    problems = []
    for ref, seq, hash_ in wanted:
        found = db.session.scalar(select(DisclosureEntry.hash).where(DisclosureEntry.subject_ref == ref,
                                                                     DisclosureEntry.seq == seq))
        if found is None:
            problems.append(f"chain {ref}: row {seq}, a kept head, is missing (removed?)")
        elif found != hash_:
            problems.append(f"chain {ref}: row {seq}, a kept head, has changed (the chain was rewritten)")
    return problems


def entries_about(user: User, *, actor: str | None = None, since: datetime | None = None) -> list[DisclosureEntry]:
    """Who saw what of this person, newest first (kept for as long as the ledger: never pruned)."""
    query = select(DisclosureEntry).where(DisclosureEntry.subject_ref == user.ledger_ref)
    if actor:
        query = query.where(func.lower(DisclosureEntry.actor_name).contains(actor.lower()))
    if since:
        query = query.where(DisclosureEntry.at >= since)
    return list(db.session.scalars(query.order_by(DisclosureEntry.seq.desc())))
