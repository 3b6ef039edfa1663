"""The disclosure ledger: an append-only, hash-chained record of every staff read and export."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from companion.extensions import db
from companion.models import Consent, DisclosureEntry, User

GENESIS = "0" * 64
LEDGER_LOCK = 0x1ED6E2  # the PostgreSQL advisory lock that orders appends to the chain
HASHED_FIELDS = ("seq", "at", "subject_ref", "actor_ref", "actor_name", "actor_role", "action", "what",
                 "consent_id", "purpose", "prev_hash")

# 42 CFR § 2.32(a)(1), as the 2024 final rule words it.
REDISCLOSURE_NOTICE = (
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


def entry_hash(fields: dict) -> str:
    """The SHA-256 of a row's fields, the previous row's hash among them."""
    canonical = {name: fields[name] for name in HASHED_FIELDS}
    canonical["at"] = fields["at"].astimezone(UTC).isoformat(timespec="microseconds")
    return hashlib.sha256(json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def record(actor: User, consents: list[Consent], action: str, what: str, attempts: int = 5) -> None:
    """Append one ledger row per participant disclosed, in one insert whatever their number."""
    if not consents:
        return
    if db.session.get_bind().dialect.name == "postgresql":
        # Appends wait for each other until commit instead of racing for the next seq: under concurrent
        # staff views the race was lost over and over and the request failed. SQLite has one writer anyway.
        db.session.execute(select(func.pg_advisory_xact_lock(LEDGER_LOCK)))
    for _ in range(attempts):
        head = db.session.execute(
            select(DisclosureEntry.seq, DisclosureEntry.hash).order_by(DisclosureEntry.seq.desc()).limit(1)
        ).first()
        seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
        now = datetime.now(UTC)
        rows = []
        for consent in consents:
            seq += 1
            row = {"seq": seq, "at": now, "subject_ref": consent.participant.ledger_ref, "actor_ref": actor.ledger_ref,
                   "actor_name": actor.name, "actor_role": actor.role, "action": action, "what": what[:300],
                   "consent_id": consent.id, "purpose": consent.purpose, "prev_hash": prev}
            row["hash"] = prev = entry_hash(row)
            rows.append(row)
        try:
            with db.session.begin_nested():
                db.session.execute(insert(DisclosureEntry), rows)
        except IntegrityError:
            continue  # another request appended first: chain onto its row instead
        db.session.commit()
        return
    raise RuntimeError("Could not append to the disclosure ledger")


def verify() -> list[str]:
    """Every break in the chain: an altered row, a removed row, or rows out of order."""
    problems = []
    expected_seq, prev = 1, GENESIS
    rows = db.session.execute(select(DisclosureEntry).order_by(DisclosureEntry.seq)).scalars()
    for entry in rows:
        fields = {name: getattr(entry, name) for name in HASHED_FIELDS}
        if entry.seq != expected_seq:
            problems.append(f"row {expected_seq} to {entry.seq - 1} missing (removed?) before row {entry.seq}")
        if entry.prev_hash != prev:
            problems.append(f"row {entry.seq} does not follow the row before it (a row was removed or altered)")
        if entry_hash(fields) != entry.hash:
            problems.append(f"row {entry.seq} was altered: its contents do not match its hash")
        expected_seq, prev = entry.seq + 1, entry.hash
    return problems


def entries_about(user: User, *, actor: str | None = None, since: datetime | None = None) -> list[DisclosureEntry]:
    """Who saw what of this person, newest first (kept for as long as the ledger: never pruned)."""
    query = select(DisclosureEntry).where(DisclosureEntry.subject_ref == user.ledger_ref)
    if actor:
        query = query.where(func.lower(DisclosureEntry.actor_name).contains(actor.lower()))
    if since:
        query = query.where(DisclosureEntry.at >= since)
    return list(db.session.scalars(query.order_by(DisclosureEntry.seq.desc())))
