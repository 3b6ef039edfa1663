"""The disclosure ledger: one keyed chain per participant, its heads, verify's findings, and appends that never wait
on another participant's."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from datetime import UTC

import pytest
from sqlalchemy import text

from companion.blueprints.privacy import ledger
from companion.extensions import db
from companion.models import Consent, DisclosureEntry, LedgerHead, User


@pytest.fixture
def looks(clinic, make_consent):
    """Three views of Alex's and two of Maria's, by Jordan."""
    alex = make_consent(clinic.alex, clinic.counselor)
    maria = make_consent(clinic.maria, clinic.counselor)
    for n in range(3):
        ledger.record(clinic.counselor, [alex], "view", f"look {n}")
    for n in range(2):
        ledger.record(clinic.counselor, [maria], "view", f"look {n}")
    return clinic


def sql(statement: str, **params) -> None:
    with db.engine.begin() as conn:
        conn.execute(text(statement), params)
    db.session.expire_all()  # as a fresh `audit verify` process would read them


def verify_output(runner) -> tuple[int, str]:
    result = runner.invoke(args=["audit", "verify"])
    return result.exit_code, result.output


def test_each_participant_has_a_chain_of_their_own_with_its_head(looks):
    alex = db.session.scalars(db.select(DisclosureEntry).where(DisclosureEntry.subject_ref == looks.alex.ledger_ref)
                              .order_by(DisclosureEntry.seq)).all()
    assert [e.seq for e in alex] == [1, 2, 3] and alex[0].prev_hash == ledger.GENESIS
    assert [e.prev_hash for e in alex[1:]] == [e.hash for e in alex[:-1]]
    head = db.session.get(LedgerHead, looks.alex.ledger_ref)
    assert (head.seq, head.hash) == (3, alex[-1].hash)
    assert db.session.get(LedgerHead, looks.maria.ledger_ref).seq == 2
    assert alex[0].actor_email == "jordan@example.org" and alex[0].actor_role == "counselor"
    assert ledger.verify() == []


def test_verify_prints_the_rows_chains_and_heads_digest(looks, runner):
    code, output = verify_output(runner)
    assert code == 0 and "5 rows in 2 chains" in output and ledger.heads_digest() in output


def test_removing_the_newest_row_is_found_by_the_head(looks, runner):
    sql("DELETE FROM disclosure_entry WHERE subject_ref = :ref AND seq = 3", ref=looks.alex.ledger_ref)
    code, output = verify_output(runner)
    assert code != 0 and f"chain {looks.alex.ledger_ref}: rows 3 to 3 missing" in output


def test_an_edit_with_every_later_hash_computed_again_is_found(looks, runner):
    """The rewrite the review did: edit row 1, then recompute the chain as the old code hashed it (plain SHA-256)."""
    rows = db.session.scalars(db.select(DisclosureEntry).where(DisclosureEntry.subject_ref == looks.alex.ledger_ref)
                              .order_by(DisclosureEntry.seq)).all()
    prev = ledger.GENESIS
    for entry in rows:
        fields = {name: getattr(entry, name) for name in ledger.HASHED_FIELDS}
        fields.update(what="nothing to see" if entry.seq == 1 else entry.what, prev_hash=prev)
        canonical = {name: fields[name] for name in ledger.HASHED_FIELDS}
        canonical["at"] = fields["at"].astimezone(UTC).isoformat(timespec="microseconds")
        new_hash = hashlib.sha256(json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        sql("UPDATE disclosure_entry SET what = :what, prev_hash = :prev, hash = :hash WHERE id = :id",
            what=fields["what"], prev=prev, hash=new_hash, id=entry.id)
        prev = new_hash
    sql("UPDATE ledger_head SET hash = :hash WHERE subject_ref = :ref", hash=prev, ref=looks.alex.ledger_ref)
    code, output = verify_output(runner)
    assert code != 0
    assert f"chain {looks.alex.ledger_ref}: row 1 was altered: its contents do not match its keyed hash (id {rows[0].id})" in output
    assert f"chain {looks.maria.ledger_ref}" not in output  # the other participant's chain is intact


def test_a_rewrite_with_another_key_is_found(app, looks):
    app.config["LEDGER_KEY"] = "someone else's key, not the installation's"
    consent = db.session.scalar(db.select(Consent).where(Consent.participant_id == looks.alex.id))
    ledger.record(looks.counselor, [consent], "view", "forged")
    app.config["LEDGER_KEY"] = "test-ledger-key-that-is-not-the-secret-key"
    problems = ledger.verify()
    assert problems == [f"chain {looks.alex.ledger_ref}: row 4 was altered: its contents do not match its keyed hash "
                        f"(id {problem_id(looks.alex, 4)})"]


def problem_id(person, seq) -> int:
    return db.session.scalar(db.select(DisclosureEntry.id).where(DisclosureEntry.subject_ref == person.ledger_ref,
                                                                 DisclosureEntry.seq == seq))


def test_reordered_rows_are_found(looks):
    ref = looks.alex.ledger_ref
    sql("UPDATE disclosure_entry SET seq = 100 WHERE subject_ref = :ref AND seq = 1", ref=ref)
    sql("UPDATE disclosure_entry SET seq = 1 WHERE subject_ref = :ref AND seq = 2", ref=ref)
    sql("UPDATE disclosure_entry SET seq = 2 WHERE subject_ref = :ref AND seq = 100", ref=ref)
    problems = ledger.verify()
    assert any(f"chain {ref}: row 1" in p and "altered" in p for p in problems)
    assert any(f"chain {ref}: row 2" in p and "does not follow" in p for p in problems)


def test_a_row_inserted_inside_a_chain_is_found(looks):
    ref = looks.alex.ledger_ref
    sql("UPDATE disclosure_entry SET seq = seq + 1 WHERE subject_ref = :ref AND seq = 3", ref=ref)
    sql("UPDATE disclosure_entry SET seq = seq + 1 WHERE subject_ref = :ref AND seq = 2", ref=ref)
    entry = db.session.scalar(db.select(DisclosureEntry).where(DisclosureEntry.subject_ref == ref, DisclosureEntry.seq == 1))
    sql("INSERT INTO disclosure_entry (seq, at, subject_ref, actor_ref, actor_name, actor_role, actor_email, action, what, "
        "consent_id, purpose, prev_hash, hash) SELECT 2, at, subject_ref, actor_ref, 'Someone', actor_role, actor_email, "
        "action, 'a made-up view', consent_id, purpose, hash, :fake FROM disclosure_entry WHERE id = :id",
        fake="f" * 64, id=entry.id)
    problems = ledger.verify()
    assert any(f"chain {ref}: row 2" in p and "altered" in p for p in problems)
    assert any(f"chain {ref}: row 3" in p and "does not follow" in p for p in problems)
    assert any(f"chain {ref}: rows 4 to 4 are past its head" in p for p in problems)


def test_a_whole_chain_removed_or_its_head_removed_is_found(looks):
    sql("DELETE FROM disclosure_entry WHERE subject_ref = :ref", ref=looks.maria.ledger_ref)
    sql("DELETE FROM ledger_head WHERE subject_ref = :ref", ref=looks.alex.ledger_ref)
    problems = ledger.verify()
    assert f"chain {looks.maria.ledger_ref}: all its 2 rows missing (removed?)" in problems
    assert any(p.startswith(f"chain {looks.alex.ledger_ref}: it has no head") for p in problems)


def test_heads_kept_elsewhere_find_a_rewrite_by_someone_holding_the_key(looks, runner, tmp_path):
    kept = tmp_path / "heads.txt"
    result = runner.invoke(args=["audit", "heads"])
    assert result.exit_code == 0 and looks.alex.ledger_ref in result.output
    kept.write_text(result.output)
    assert runner.invoke(args=["audit", "verify", "--heads", str(kept)]).exit_code == 0
    # Rows 2 and 3 removed and the head moved back: consistent, and only the kept heads show it.
    sql("DELETE FROM disclosure_entry WHERE subject_ref = :ref AND seq > 1", ref=looks.alex.ledger_ref)
    first = db.session.scalar(db.select(DisclosureEntry.hash).where(DisclosureEntry.subject_ref == looks.alex.ledger_ref))
    sql("UPDATE ledger_head SET seq = 1, hash = :hash WHERE subject_ref = :ref", hash=first, ref=looks.alex.ledger_ref)
    assert ledger.verify() == []
    result = runner.invoke(args=["audit", "verify", "--heads", str(kept)])
    assert result.exit_code != 0 and f"chain {looks.alex.ledger_ref}: row 3, a kept head, is missing" in result.output


def test_an_append_never_waits_on_another_participants_append(app, clinic, make_consent, monkeypatch):
    """One counselor's append about Alex holds its transaction open; another's about Maria goes straight through."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has a single writer: every write waits for the one before")
    alex_consent = make_consent(clinic.alex, clinic.counselor).id
    maria_consent = make_consent(clinic.maria, clinic.admin).id
    counselor_id, admin_id = clinic.counselor.id, clinic.admin.id
    ledger.record(clinic.counselor, [db.session.get(Consent, alex_consent)], "view", "before")  # both chains exist
    ledger.record(clinic.admin, [db.session.get(Consent, maria_consent)], "view", "before")
    holding, release = threading.Event(), threading.Event()
    real_commit = type(db.session).commit
    holder = []

    def commit_later(self):
        if threading.current_thread() in holder:
            holding.set()
            release.wait(20)
        return real_commit(self)

    monkeypatch.setattr(type(db.session), "commit", commit_later)

    def slow_append():
        with app.app_context():
            ledger.record(db.session.get(User, counselor_id), [db.session.get(Consent, alex_consent)], "view", "caseload")

    thread = threading.Thread(target=slow_append)
    holder.append(thread)
    thread.start()
    try:
        assert holding.wait(20)
        with app.app_context():
            db.session.execute(text("SET lock_timeout = '2s'"))
            started = time.monotonic()
            ledger.record(db.session.get(User, admin_id), [db.session.get(Consent, maria_consent)], "view", "caseload")
            waited = time.monotonic() - started
        assert waited < 1.5
        with app.app_context():  # the same participant's append does wait, so that their chain stays one line
            db.session.execute(text("SET lock_timeout = '200ms'"))
            with pytest.raises(Exception, match="lock"):
                ledger.record(db.session.get(User, admin_id), [db.session.get(Consent, alex_consent)], "view", "x")
            db.session.rollback()
    finally:
        release.set()
        thread.join()
    assert ledger.verify() == []
    assert db.session.get(LedgerHead, clinic.alex.ledger_ref).seq == 2


def test_the_app_role_can_insert_but_not_change_or_delete_ledger_rows(app, looks, runner):
    """The grants README documents, printed by `audit grants`, applied to a role and tried."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no roles")
    result = runner.invoke(args=["audit", "grants", "--role", "companion_ledger_test"])
    assert result.exit_code == 0 and "REVOKE UPDATE, DELETE, TRUNCATE ON disclosure_entry" in result.output
    with db.engine.begin() as conn:
        conn.execute(text("DROP ROLE IF EXISTS companion_ledger_test"))
        conn.execute(text("CREATE ROLE companion_ledger_test"))
        conn.execute(text("GRANT USAGE ON SCHEMA public TO companion_ledger_test"))
        conn.execute(text("GRANT ALL ON ALL TABLES IN SCHEMA public TO companion_ledger_test"))
        conn.execute(text("GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO companion_ledger_test"))
        script = "\n".join(line for line in result.output.splitlines() if not line.startswith("--"))
        for statement in script.split(";"):
            if statement.strip():
                conn.execute(text(statement))
    try:
        for statement in ["UPDATE disclosure_entry SET what = 'x'", "DELETE FROM disclosure_entry",
                          "TRUNCATE disclosure_entry", "DELETE FROM ledger_head"]:
            with db.engine.connect() as conn:
                conn.execute(text("SET LOCAL ROLE companion_ledger_test"))
                with pytest.raises(Exception, match="permission denied"):
                    conn.execute(text(statement))
                conn.rollback()
        with app.app_context():
            db.session.execute(text("SET LOCAL ROLE companion_ledger_test"))  # until record() commits
            consent = db.session.scalar(db.select(Consent).where(Consent.participant_id == looks.alex.id))
            ledger.record(db.session.get(User, looks.counselor.id), [consent], "view", "as the app's role")
    finally:
        with db.engine.begin() as conn:
            conn.execute(text("REASSIGN OWNED BY companion_ledger_test TO CURRENT_USER"))
            conn.execute(text("DROP OWNED BY companion_ledger_test"))
            conn.execute(text("DROP ROLE companion_ledger_test"))
    assert ledger.verify() == []


def migrated_app(database_uri, tmp_path, schema: str):
    """An app over an empty database of its own (a file on SQLite, a schema on PostgreSQL)."""
    from sqlalchemy import create_engine

    from companion import create_app
    from companion.config import TestConfig

    if database_uri.startswith("sqlite"):
        uri = f"sqlite:///{tmp_path / f'{schema}.sqlite'}"
    else:
        engine = create_engine(database_uri)
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        engine.dispose()
        uri = database_uri + ("&" if "?" in database_uri else "?") + f"options=-csearch_path%3D{schema}"
    return create_app(TestConfig(uri))


def old_ledger(conn, alter_row: int | None = None) -> list[str]:
    """Five rows as the single SHA-256 chain wrote them, about two people in turn; returns their refs."""
    from datetime import datetime, timedelta

    refs = ["11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"]
    conn.execute(text("INSERT INTO user_account (email, name, role, timezone, language, password_hash, active, "
                      "session_epoch, created_at, ledger_ref) VALUES ('jordan@example.org', 'Jordan', 'counselor', "
                      "'UTC', 'en', 'x', true, 0, :at, 'actor-ref')"), {"at": datetime.now(UTC)})
    prev = "0" * 64
    start = datetime(2026, 11, 1, 9, tzinfo=UTC)
    for seq in range(1, 6):
        row = {"seq": seq, "at": start + timedelta(minutes=seq), "subject_ref": refs[seq % 2], "actor_ref": "actor-ref",
               "actor_name": "Jordan", "actor_role": "counselor", "action": "view", "what": f"caseload {seq}",
               "consent_id": 1, "purpose": "Treatment", "prev_hash": prev}
        canonical = dict(row, at=row["at"].isoformat(timespec="microseconds"))
        row["hash"] = prev = hashlib.sha256(json.dumps(canonical, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
        if seq == alter_row:
            row["what"] = "nothing to see"
        conn.execute(text("INSERT INTO disclosure_entry (seq, at, subject_ref, actor_ref, actor_name, actor_role, action, "
                          "what, consent_id, purpose, prev_hash, hash) VALUES (:seq, :at, :subject_ref, :actor_ref, "
                          ":actor_name, :actor_role, :action, :what, :consent_id, :purpose, :prev_hash, :hash)"), row)
    return refs


def test_the_migration_carries_the_single_chain_over_into_verified_chains(database_uri, tmp_path, runner):
    from flask_migrate import upgrade

    app = migrated_app(database_uri, tmp_path, "ledger_carry")
    with app.app_context():
        upgrade(revision="0011")
        with db.engine.begin() as conn:
            refs = old_ledger(conn)
        upgrade()
        assert ledger.verify() == []
        chains = {ref: [(e.seq, e.what) for e in db.session.scalars(
            db.select(DisclosureEntry).where(DisclosureEntry.subject_ref == ref).order_by(DisclosureEntry.seq))]
            for ref in refs}
        assert chains == {refs[1]: [(1, "caseload 1"), (2, "caseload 3"), (3, "caseload 5")],
                          refs[0]: [(1, "caseload 2"), (2, "caseload 4")]}
        assert {h.subject_ref: h.seq for h in db.session.scalars(db.select(LedgerHead))} == {refs[1]: 3, refs[0]: 2}
        assert db.session.scalar(db.select(DisclosureEntry.actor_email).limit(1)) == "jordan@example.org"
        db.session.remove()
        db.engine.dispose()


def test_the_migration_refuses_a_ledger_that_was_altered_and_names_the_row(database_uri, tmp_path):
    from flask_migrate import upgrade

    app = migrated_app(database_uri, tmp_path, "ledger_altered")
    with app.app_context():
        upgrade(revision="0011")
        with db.engine.begin() as conn:
            old_ledger(conn, alter_row=2)
        from alembic import command

        with pytest.raises(RuntimeError, match="The disclosure ledger is not intact.*row 2 was altered"):
            command.upgrade(app.extensions["migrate"].migrate.get_config(), "head")  # what `flask db upgrade` runs
        with db.engine.connect() as conn:  # nothing of the new shape was left half-made
            assert conn.execute(text("SELECT count(*) FROM disclosure_entry")).scalar() == 5
        db.session.remove()
        db.engine.dispose()
