"""Benchmark: the insights page and API for one participant with 100,000 journal entries.

    .venv/bin/python bench/journal_insights.py                       # a throwaway SQLite file
    DATABASE_URL=postgresql://127.0.0.1/companion_bench .venv/bin/python bench/journal_insights.py

The database's tables are created (and, on PostgreSQL, emptied) by the run. It prints each measured
request's median and 95th percentile for a small history and for 100,000 entries, their ratio, and the
query plan of the heaviest insights query (the skills of the period, read from the daily roll-up).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402

from companion import create_app  # noqa: E402
from companion.blueprints.journal import rollup, services  # noqa: E402
from companion.config import TestConfig, database_url  # noqa: E402
from companion.extensions import db  # noqa: E402
from companion.models import LogEntry, User  # noqa: E402
from companion.security import hash_password  # noqa: E402
from companion.timezones import zone  # noqa: E402

PASSWORD = "benchmark passphrase long enough"
TRIGGER_BITS = 1 << 11
SKILLS = ["urge-surfing", "tipp", "stop", "paced-breathing", "call-my-sponsor", None, None]


def fill(user: User, count: int, now: datetime) -> None:
    """``count`` entries over the last 180 days, written in batches."""
    rng = random.Random(count)
    tz = zone(user.timezone)
    rows = []
    for _ in range(count):
        at = now - timedelta(seconds=rng.randrange(180 * 86400))
        local = at.astimezone(tz)
        skill = rng.choice(SKILLS)
        rows.append({"id": uuid.uuid4(), "user_id": user.id, "kind": rng.choice(["craving", "craving", "trigger", "coping"]),
                     "occurred_at": at, "local_date": local.date(), "local_hour": local.hour,
                     "intensity": rng.randint(0, 10),
                     "trigger_bits": rng.randrange(TRIGGER_BITS), "halt_bits": rng.randrange(16), "emotion": "",
                     "skill": skill, "helped": rng.randint(1, 5) if skill else None, "outcome": None, "note": "",
                     "body_digest": "", "created_at": now, "updated_at": now})
        if len(rows) == 5000:
            db.session.execute(insert(LogEntry), rows)
            rows = []
    if rows:
        db.session.execute(insert(LogEntry), rows)
    db.session.commit()


def measure(client, path: str, runs: int = 30) -> tuple[float, float]:
    client.get(path)  # warm caches
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def main() -> None:
    url = os.environ.get("DATABASE_URL")
    uri = database_url(url) if url else f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite"
    app = create_app(TestConfig(uri))
    with app.app_context():
        if uri.startswith("postgresql"):
            with db.engine.begin() as conn:
                conn.execute(text("DROP SCHEMA public CASCADE"))
                conn.execute(text("CREATE SCHEMA public"))
        db.create_all()
        now = datetime.now(UTC)
        results = {}
        for count in (1_000, 100_000):
            user = User(email=f"bench{count}@example.org", name="Bench", timezone="America/Chicago",
                        password_hash=hash_password(PASSWORD))
            db.session.add(user)
            db.session.commit()
            started = time.perf_counter()
            fill(user, count, now)
            print(f"{count:>7} entries written in {time.perf_counter() - started:.1f} s")
            started = time.perf_counter()
            rollup.rebuild(user.id)  # written in bulk past the services, as a migration's backfill counts them
            db.session.commit()
            print(f"{count:>7} entries rolled up in {time.perf_counter() - started:.1f} s")
            if uri.startswith("postgresql"):
                # What autovacuum does in production: statistics, and the visibility map for index-only scans.
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(text("VACUUM ANALYZE log_entry, journal_day, journal_skill_day"))
            client = app.test_client()
            client.post("/api/v1/session", json={"email": user.email, "password": PASSWORD})
            for path in ["/journal/insights?days=90", "/api/v1/insights?days=90", "/journal"]:
                results[(count, path)] = measure(client, path)
                median, p95 = results[(count, path)]
                print(f"{count:>7} entries  {path:<28} median {median:6.1f} ms   p95 {p95:6.1f} ms")
        for path in ["/journal/insights?days=90", "/api/v1/insights?days=90", "/journal"]:
            ratio = results[(100_000, path)][0] / results[(1_000, path)][0]
            print(f"100x the entries: {path} takes {ratio:.2f}x as long (median)")
        explain = "EXPLAIN QUERY PLAN" if uri.startswith("sqlite") else "EXPLAIN"
        statement = services._skills_statement().params(me=user.id, first_day=(now - timedelta(days=89)).date())
        sql = statement.compile(dialect=db.engine.dialect, compile_kwargs={"literal_binds": True})
        with db.engine.connect() as conn:
            plan = conn.execute(text(f"{explain} {sql}")).all()
        print("Plan of the skills query:")
        for row in plan:
            print("   ", " ".join(str(part) for part in row))


if __name__ == "__main__":
    main()
