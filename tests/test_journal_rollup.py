"""The journal's daily roll-up stays exactly what the entries say, after every kind of write."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from companion.blueprints.journal import rollup, services
from companion.extensions import db
from companion.models import User
from companion.models.journal import journal_day, journal_skill_day


def snapshot(user_id: int) -> dict:
    """Both roll-up tables' rows of one person, in a stable order."""
    return {table.name: sorted(tuple(row) for row in db.session.execute(
        select(table).where(table.c.user_id == user_id))) for table in (journal_day, journal_skill_day)}


def counted_again(user_id: int) -> dict:
    """The roll-up as a full rebuild from the entries makes it (rolled back afterwards)."""
    rollup.rebuild(user_id)
    again = snapshot(user_id)
    db.session.rollback()
    return again


def log(user, at, **fields):
    entry, _ = services.log_entry(user, entry_id=uuid.uuid4(), kind=fields.pop("kind", "craving"), occurred_at=at,
                                  **{"intensity": 5, **fields})
    return entry


@pytest.fixture
def now():
    return datetime.now(UTC).replace(microsecond=0)


def test_each_write_keeps_the_roll_up_equal_to_a_full_count(app, participant, now):
    yesterday = now - timedelta(days=1)
    first = log(participant, now - timedelta(hours=1), triggers=["stress", "people"], halt=["tired"],
                skill="urge-surfing", helped=4)
    log(participant, yesterday, intensity=8, triggers=["stress"])
    log(participant, yesterday, kind="coping", intensity=None, skill="urge-surfing", helped=2, triggers=["stress"])
    assert snapshot(participant.id) == counted_again(participant.id)
    assert snapshot(participant.id)["journal_day"], "the cravings were counted"

    services.update_entry(participant, first.id, occurred_at=now - timedelta(days=3), skill="paced-breathing",
                          helped=5, now=now)
    assert snapshot(participant.id) == counted_again(participant.id)

    services.delete_entry(participant, first.id)
    assert snapshot(participant.id) == counted_again(participant.id)

    mine = services.create_custom_skill(participant, name="Text my sister")
    log(participant, now - timedelta(minutes=5), skill=mine.slug, helped=5)
    services.update_custom_skill(participant, mine.slug, name="Call my sister", purpose="", steps="")
    assert snapshot(participant.id) == counted_again(participant.id)
    renamed = services.custom_skill_for(participant, services.custom_slug("Call my sister"))
    services.delete_custom_skill(participant, renamed.slug)
    assert snapshot(participant.id) == counted_again(participant.id)
    skills = {row[2] for row in snapshot(participant.id)["journal_skill_day"]}
    assert not skills & {mine.slug, renamed.slug}


def test_insights_count_the_entries_of_the_period_by_day_hour_skill_and_trigger(app, participant, now):
    local = now.astimezone(services.zone(participant.timezone))
    log(participant, now - timedelta(minutes=10), intensity=6, triggers=["stress"], halt=["lonely"],
        skill="urge-surfing", helped=4)
    log(participant, now - timedelta(minutes=9), intensity=8, triggers=["stress", "people"], skill="urge-surfing",
        helped=2)
    log(participant, now - timedelta(minutes=8), kind="trigger", intensity=None, triggers=["people"])
    figures = services.insights(participant, days=7, now=now)
    assert figures["cravings"] == 2
    assert figures["by_hour"][(local - timedelta(minutes=10)).hour] + figures["by_hour"][(local - timedelta(minutes=8)).hour] >= 1
    assert sum(figures["by_hour"]) == 2
    assert {t["code"]: t["count"] for t in figures["top_triggers"]} == {"stress": 2, "people": 2}
    assert {h["code"]: h["count"] for h in figures["halt"]}["lonely"] == 1
    assert figures["skills"] == [{"slug": "urge-surfing", "name": services.skill_names(participant)["urge-surfing"],
                                  "uses": 2, "mean_helped": 3.0}]
    day = next(d for d in figures["trend"] if d["cravings"])
    assert day["mean_intensity"] == 7.0


def test_the_roll_up_is_someone_elses_only_for_them(app, participant, make_user, now):
    other = make_user(email="sam@example.org")
    log(other, now - timedelta(minutes=3), intensity=9, triggers=["places"])
    assert services.insights(participant, days=7, now=now)["cravings"] == 0
    assert services.insights(other, days=7, now=now)["cravings"] == 1


def test_deleting_the_account_leaves_no_roll_up_row(app, participant, now):
    log(participant, now - timedelta(minutes=3), skill="urge-surfing", helped=3)
    user_id = participant.id
    db.session.delete(participant)
    db.session.commit()
    assert snapshot(user_id) == {"journal_day": [], "journal_skill_day": []}


def test_writes_of_the_same_day_at_once_are_all_counted(app, participant, now):
    if db.engine.dialect.name == "sqlite":
        pytest.skip("SQLite has a single writer: writes cannot interleave there")
    user_id = participant.id
    errors = []

    def write():
        try:
            with app.app_context():
                person = db.session.get(User, user_id)
                for _ in range(3):
                    log(person, now - timedelta(minutes=1), triggers=["stress"])
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=write) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    db.session.expire_all()
    assert sum(row.cravings for row in db.session.execute(
        select(journal_day).where(journal_day.c.user_id == user_id))) == 12
    assert snapshot(user_id) == counted_again(user_id)
