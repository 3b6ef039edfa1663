"""Benchmark: Today, goals, journal and the caseload under 32 concurrent clients, against a bare Flask "hello".

    .venv/bin/python bench/pages_load.py                 # build the data set once, measure, print
    .venv/bin/python bench/pages_load.py --rounds 2 --write   # measure twice, record in BENCHMARKS.md

The target (PRODUCT.md): with 10,000 participants and 1,000,000 log entries in PostgreSQL behind gunicorn,
the participant pages `/`, `/goals`, `/journal` and the counselor's `/caseload` answer with p95 under 30 ms at
32 concurrent clients, at no less than 25 % of the throughput of a bare Flask "hello" served the same way in
the same run; and the same page with 100x the rows takes at most 1.5x as long.

The data set lives in its own database (``--database``, default ``loadbench``, created when missing; its
name must contain "bench"). It is built once with ``flask db upgrade`` and COPY, and kept for later runs
(``--rebuild`` builds it again). Participants 1-25 (counselor 1's caseload) have 10,000 entries each, the
next 200 (counselors 2-9) exactly 100 each: those two pools are the 100x-rows check. Everyone else has
25-125 entries, 1,000,000 in all.

Companion and the hello app are served by gunicorn on 127.0.0.1 with the same settings (``--workers``,
``--threads``: gthread workers by default) and production configuration (a random SECRET_KEY, no debug,
sign-in limits in the local Redis). The load comes from wrk (Debian's ``wrk`` package), 32 connections
over 2 threads, each request with the next session cookie of a pool signed in just before that page's run,
so that no run outlives the cookie's one-minute "seen" resolution. wrk, gunicorn and PostgreSQL share the
machine's cores; the CPU time wrk took is printed beside each run.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from http.cookiejar import CookieJar
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

from demo_server import session_cookie, write_section  # noqa: E402

PASSWORD = "load benchmark passphrase"
PARTICIPANTS = 10_000
ENTRIES = 1_000_000
CASELOAD = 25
HEAVY_ENTRIES = 10_000  # each participant of counselor 1's caseload
LIGHT_ENTRIES = 100  # each participant of counselors 2-9
LIGHT_COUNSELORS = range(2, 10)
ZONES = ["America/Chicago", "America/New_York", "America/Denver", "America/Los_Angeles"]
PROGRAM_ZONE = "America/Chicago"
TRIGGER_BITS = 1 << 11
SKILLS = ["urge-surfing", "tipp", "stop", "paced-breathing", "call-my-sponsor", "5-4-3-2-1", "opposite-action"]
EMOTIONS = ["", "", "anxious", "sad", "angry", "lonely", "bored", "restless", "ashamed", "hopeful"]
GROUPS = [("Morning IOP", "FREQ=WEEKLY;BYDAY=MO,WE,FR", (9, 0), 180),
          ("Evening IOP", "FREQ=WEEKLY;BYDAY=TU,TH", (18, 0), 180),
          ("Saturday skills", "FREQ=WEEKLY;BYDAY=SA", (10, 0), 120)]
PAGES = [("participants", "/"), ("participants", "/goals"), ("participants", "/journal"), ("participants", "/sessions"),
         ("counselors", "/caseload")]
SECTION = "Page latency under load (`bench/pages_load.py`)"


# The data set ------------------------------------------------------------------------------------------


def entry_counts(rng: random.Random) -> list[int]:
    """Log entries per participant (index 0 is participant 1): heavy, light, then the rest adding up to ENTRIES."""
    heavy, light = CASELOAD, CASELOAD * len(LIGHT_COUNSELORS)
    counts = [HEAVY_ENTRIES] * heavy + [LIGHT_ENTRIES] * light
    rest = PARTICIPANTS - heavy - light
    left = ENTRIES - sum(counts)
    others = [rng.randint(25, 125) for _ in range(rest)]
    scale = left / sum(others)
    others = [max(1, round(n * scale)) for n in others]
    short = left - sum(others)
    for i in range(abs(short)):  # rounding's drift, spread one entry at a time
        others[i % rest] += 1 if short > 0 else -1
    return counts + others


def build(dsn: str) -> None:
    """An empty schema, the migrations, then every table filled with COPY."""
    import psycopg

    from companion.security import hash_password

    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP SCHEMA public CASCADE")
        conn.execute("CREATE SCHEMA public")
    env = {**os.environ, "DATABASE_URL": dsn, "SECRET_KEY": secrets.token_urlsafe(48)}
    subprocess.run([sys.executable, "-m", "flask", "--app", "companion", "db", "upgrade"], cwd=ROOT, env=env,
                   check=True, capture_output=True)
    rng = random.Random(20261201)
    now = datetime.now(UTC).replace(microsecond=0)
    today = now.astimezone(ZoneInfo(PROGRAM_ZONE)).date()
    # One argon2id hash for everybody: signing in still verifies it the way production does.
    password_hash = hash_password(PASSWORD)
    counselors = PARTICIPANTS // CASELOAD
    counselor_ids = range(1, counselors + 1)
    participant_ids = range(counselors + 1, counselors + PARTICIPANTS + 1)
    admin_id = counselors + PARTICIPANTS + 1
    zones = {pid: rng.choice(ZONES) for pid in participant_ids}
    counselor_of = {pid: 1 + (pid - counselors - 1) // CASELOAD for pid in participant_ids}
    started = time.perf_counter()
    with psycopg.connect(dsn) as conn, conn.cursor() as cur:
        def copy(table: str, columns: list[str], rows) -> int:
            count = 0
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as out:
                for row in rows:
                    out.write_row(row)
                    count += 1
            return count

        copy("program", ["id", "slug", "name", "timezone", "created_at"],
             [(1, "loadbench", "Load Bench IOP", PROGRAM_ZONE, now - timedelta(days=400))])

        def users():
            for cid in counselor_ids:
                yield (cid, f"counselor{cid}@loadbench.example.org", f"Counselor {cid:03}", "counselor", 1,
                       PROGRAM_ZONE, password_hash, True, 0, now - timedelta(days=300), str(uuid.uuid4()))
            for pid in participant_ids:
                n = pid - counselors
                yield (pid, f"p{n}@loadbench.example.org", f"Participant {n:05}", "participant", 1, zones[pid],
                       password_hash, True, 0, now - timedelta(days=rng.randint(20, 120)), str(uuid.uuid4()))
            yield (admin_id, "admin@loadbench.example.org", "Admin", "admin", 1, PROGRAM_ZONE, password_hash, True,
                   0, now - timedelta(days=400), str(uuid.uuid4()))

        copy("user_account", ["id", "email", "name", "role", "program_id", "timezone", "password_hash", "active",
                              "session_epoch", "created_at", "ledger_ref"], users())

        def consents():
            cid = 0
            for pid in participant_ids:
                counselor = counselor_of[pid]
                pool = counselor <= LIGHT_COUNSELORS.stop - 1
                scopes = "goals,checkins,journal,attendance" if pool or rng.random() < 0.8 else \
                    rng.choice(["goals,checkins", "goals", "goals,attendance"])
                signed = now - timedelta(days=rng.randint(5, 60))
                if rng.random() < 0.05:  # an earlier consent, revoked
                    cid += 1
                    yield (cid, pid, counselor, "Load Bench IOP", "goals", "Treatment coordination",
                           today + timedelta(days=90), "I can revoke this consent at any time.", f"P {pid}",
                           signed - timedelta(days=30), signed - timedelta(days=1))
                cid += 1
                yield (cid, pid, counselor, "Load Bench IOP", scopes, "Treatment coordination during IOP",
                       today + timedelta(days=rng.randint(30, 180)), "I can revoke this consent at any time.",
                       f"P {pid}", signed, None)

        copy("consent", ["id", "participant_id", "counselor_id", "program_name", "scopes", "purpose", "expires_on",
                         "revocation_statement", "signature", "signed_at", "revoked_at"], consents())

        goals, steps, events = [], [], []
        for pid in participant_ids:
            for shape in ("shared_active", "private_active", "done") if rng.random() < 0.7 else ("shared_active", "private_active"):
                gid = len(goals) + 1
                status = "done" if shape == "done" else "active"
                created = now - timedelta(days=rng.randint(10, 60))
                goals.append((gid, pid, rng.choice(["Go to three meetings a week", "Sleep by 11 pm", "Call my sponsor daily",
                                                    "Rebuild trust with my sister", "Find a part-time job"]),
                              "Because it keeps me on track.", rng.choice(["recovery", "health", "relationships",
                                                                            "work_school"]),
                              today + timedelta(days=rng.randint(10, 60)), status, shape != "private_active", None,
                              created, created, now - timedelta(days=2) if status == "done" else None))
                count = rng.randint(3, 6)
                done = count if status == "done" else rng.randint(0, count - 1)
                for position in range(count):
                    sid = len(steps) + 1
                    is_done = position < done
                    done_at = now - timedelta(days=rng.randint(0, 13), minutes=rng.randint(0, 600)) if is_done else None
                    due = today + timedelta(days=rng.randint(-3, 10)) if rng.random() < 0.5 else None
                    steps.append((sid, gid, pid, f"Step {position + 1}", position, is_done, done_at, due, created))
                    if is_done:
                        events.append((len(events) + 1, pid, sid, None, True, done_at))
        copy("goal", ["id", "user_id", "title", "why", "category", "target_date", "status", "shared", "template",
                      "created_at", "updated_at", "completed_at"], goals)
        copy("goal_step", ["id", "goal_id", "user_id", "title", "position", "done", "done_at", "due_date",
                           "created_at"], steps)
        copy("step_event", ["id", "user_id", "step_id", "client_id", "done", "at"], events)

        def checkins():
            pk = 0
            for pid in participant_ids:
                for back in range(30):
                    if rng.random() < 0.7:
                        pk += 1
                        day = today - timedelta(days=back)
                        written = datetime(day.year, day.month, day.day, 20, tzinfo=ZoneInfo(zones[pid]))
                        yield (pk, uuid.uuid4(), pid, day, rng.randint(1, 5), rng.randint(0, 10), rng.random() < 0.05,
                               rng.choice([None, 5.5, 6.0, 7.0, 8.0]), "", "", written, written)

        copy("checkin", ["pk", "id", "user_id", "date", "mood", "craving", "used", "sleep_hours", "note",
                         "body_digest", "created_at", "updated_at"], checkins())

        def streaks():
            sid = 0
            for pid in participant_ids:
                start = today - timedelta(days=rng.randint(60, 120))
                for _ in range(rng.randint(0, 2)):  # earlier streaks ended by a slip
                    end = start + timedelta(days=rng.randint(5, 30))
                    sid += 1
                    yield (sid, pid, start, datetime(end.year, end.month, end.day, 22, tzinfo=UTC), end, now)
                    start = end + timedelta(days=1)
                sid += 1
                yield (sid, pid, start, None, None, now)

        copy("sober_streak", ["id", "user_id", "started_on", "ended_at", "ended_on", "created_at"], streaks())

        tz = ZoneInfo(PROGRAM_ZONE)
        start_date = today - timedelta(days=90)
        copy("session_group", ["id", "program_id", "name", "rrule", "start_date", "start_time", "timezone",
                               "duration_minutes", "location", "video_url", "created_by_id", "created_at", "updated_at"],
             [(n + 1, 1, name, rule, start_date, f"{hh:02}:{mm:02}", PROGRAM_ZONE, minutes, "Room 2", "", 1, now, now)
              for n, (name, rule, (hh, mm), minutes) in enumerate(GROUPS)])
        from dateutil.rrule import rrulestr

        past = {}
        for n, (_, rule, (hh, mm), _) in enumerate(GROUPS):
            first = datetime(start_date.year, start_date.month, start_date.day, hh, mm)
            local = rrulestr(rule, dtstart=first).between(first + timedelta(days=62), datetime.combine(today, first.time()))
            past[n + 1] = [moment.replace(tzinfo=tz).astimezone(UTC) for moment in local]
        member_of = {pid: 1 + pid % 2 for pid in participant_ids}
        copy("session_group_member", ["id", "group_id", "user_id", "created_at"],
             [(n, member_of[pid], pid, now) for n, pid in enumerate(participant_ids, 1)])

        def attendance():
            aid = 0
            for pid in participant_ids:
                for moment in past[member_of[pid]]:
                    aid += 1
                    yield (aid, pid, member_of[pid], moment, rng.random() < 0.85, counselor_of[pid], moment, "")

        copy("attendance", ["id", "user_id", "group_id", "occurrence_start", "present", "marked_by_id",
                            "marked_at", "note"], attendance())
        copy("appointment", ["id", "user_id", "created_by_id", "title", "starts_at", "duration_minutes", "location",
                             "created_at"],
             [(n, pid, counselor_of[pid], "Individual session", now + timedelta(days=rng.randint(1, 14), hours=rng.randint(0, 8)),
               50, "Office 4", now) for n, pid in enumerate(participant_ids, 1)])

        def notifications():
            nid = 0
            for pid in participant_ids:
                for k in range(rng.randint(0, 4)):
                    nid += 1
                    yield (nid, pid, "Companion: you have a reminder", "A session is coming up.", "/sessions",
                           now - timedelta(days=k), None if k == 0 else now - timedelta(days=k))

        copy("notification", ["id", "user_id", "title", "body", "url", "created_at", "read_at"], notifications())
        copy("goal_suggestion", ["id", "user_id", "counselor_id", "title", "why", "steps", "status", "created_at"],
             [(n, pid, counselor_of[pid], "Try a new meeting", "A change of scene.", "Find one\nGo once", "open", now)
              for n, pid in enumerate((p for p in participant_ids if p % 10 == 0), 1)])
        copy("encouragement", ["id", "goal_id", "user_id", "counselor_id", "body", "created_at"],
             [(n, g[0], g[1], counselor_of[g[1]], "Proud of you for sticking with this.", now - timedelta(days=1))
              for n, g in enumerate((g for g in goals if g[7] and g[0] % 5 == 0), 1)])
        print(f"  people, goals, check-ins and sessions written in {time.perf_counter() - started:.0f} s", flush=True)

        def entries():
            pk = 0
            for pid, count in zip(participant_ids, entry_counts(rng)):
                zone = ZoneInfo(zones[pid])
                for _ in range(count):
                    pk += 1
                    at = now - timedelta(seconds=rng.randrange(180 * 86400))
                    local = at.astimezone(zone)
                    kind = rng.choice(("craving", "craving", "trigger", "coping"))
                    skill = rng.choice(SKILLS) if kind == "coping" or rng.random() < 0.4 else None
                    yield (pk, uuid.uuid4(), pid, kind, at, local.date(), local.hour,
                           None if kind == "coping" else rng.randint(0, 10), rng.randrange(TRIGGER_BITS),
                           rng.randrange(16), rng.choice(EMOTIONS), skill, rng.randint(1, 5) if skill else None,
                           rng.choice(("passed", "passed", "used", "ongoing")) if kind == "craving" else None,
                           "Walked it off." if rng.random() < 0.2 else "", "", at + timedelta(seconds=5),
                           at + timedelta(seconds=5))

        written = copy("log_entry", ["pk", "id", "user_id", "kind", "occurred_at", "local_date", "local_hour",
                                     "intensity", "trigger_bits", "halt_bits", "emotion", "skill", "helped", "outcome",
                                     "note", "body_digest", "created_at", "updated_at"], entries())
        for table, column in [("program", "id"), ("user_account", "id"), ("consent", "id"), ("goal", "id"),
                              ("goal_step", "id"), ("step_event", "id"), ("checkin", "pk"), ("sober_streak", "id"),
                              ("session_group", "id"), ("session_group_member", "id"), ("attendance", "id"),
                              ("appointment", "id"), ("notification", "id"), ("goal_suggestion", "id"),
                              ("encouragement", "id"), ("log_entry", "pk")]:
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                        f"(SELECT coalesce(max({column}), 1) FROM {table}))")
        # The journal's daily roll-up, counted from the entries just copied (what a write keeps current).
        from sqlalchemy.dialects import postgresql

        from companion.blueprints.journal import rollup

        for statement in rollup.recount():
            cur.execute(str(statement.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True})))
        conn.commit()
    print(f"  {written:,} log entries; data set built in {time.perf_counter() - started:.0f} s", flush=True)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")  # what autovacuum does in production: statistics and the visibility map


def ensure_database(name: str, rebuild: bool) -> str:
    """The benchmark's own database, created when missing and filled when empty; its DSN."""
    import psycopg

    if "bench" not in name or name == "test":
        sys.exit("The benchmark's database must be its own: a name containing 'bench'.")
    host = os.environ.get("PGHOST", "127.0.0.1")
    with psycopg.connect(f"postgresql://{host}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
    dsn = f"postgresql://{host}/{name}"
    with psycopg.connect(dsn) as conn:
        try:
            built = conn.execute("SELECT (SELECT count(*) FROM log_entry), (SELECT count(*) FROM user_account "
                                 "WHERE role = 'participant')").fetchone() == (ENTRIES, PARTICIPANTS)
        except psycopg.errors.UndefinedTable:
            built = False
    if rebuild or not built:
        print(f"Building the data set in {name}", flush=True)
        build(dsn)
    with psycopg.connect(dsn, autocommit=True) as conn:
        # Each run starts a fresh disclosure ledger (every caseload view appends a row per participant).
        conn.execute("TRUNCATE disclosure_entry")
        conn.execute("VACUUM ANALYZE disclosure_entry")
    return dsn


# Serving and load --------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def gunicorn(app: str, env: dict, args: argparse.Namespace, extra: list[str] = ()) -> Iterator[str]:
    """``app`` served by gunicorn on 127.0.0.1 with the benchmark's settings; yields its base URL."""
    port = free_port()
    command = [str(Path(sys.executable).with_name("gunicorn")), "--bind", f"127.0.0.1:{port}",
               "--workers", str(args.workers), "--worker-class", args.worker_class, "--threads", str(args.threads),
               "--backlog", "2048", "--log-level", "warning", *extra, app]
    process = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{base}/help" if "wsgi" in app else base, timeout=5) as response:
                    if response.status == 200:
                        break
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn for {app} exited with {process.returncode}")
            time.sleep(0.1)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def limits_storage() -> str:
    """The local Redis for sign-in limits, as in production with several workers; memory when it is not running."""
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return "memory://"
    return "redis://127.0.0.1:6379"


def floor_cookies(base: str, count: int) -> list[str]:
    """Session cookies of ``count`` people of the floor app (bench/floor_app.py)."""
    def one(n: int) -> str:
        jar = CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        with opener.open(f"{base}/start/{n}") as response:
            assert response.status == 200
        return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)

    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(one, range(1, count + 1)))


def sign_in(base: str, emails: list[str]) -> list[str]:
    """A fresh session cookie for each of these people."""
    with ThreadPoolExecutor(4) as pool:
        return list(pool.map(lambda email: session_cookie(base, email, PASSWORD), emails))


def wrk(url: str, cookies: list[str], args: argparse.Namespace, seconds: float) -> dict:
    """One wrk run against ``url`` with these cookies; its numbers, and the CPU time wrk itself used."""
    with tempfile.NamedTemporaryFile("w", suffix=".cookies", delete=False) as f:
        f.write("\n".join(cookies or ["x=1"]) + "\n")
    try:
        before = os.times()
        out = subprocess.run(["wrk", "-t", str(args.wrk_threads), "-c", str(args.connections), "-d", f"{round(seconds)}s",
                              "--timeout", "10s", "-s", str(BENCH / "pages_load.lua"), url, "--", f.name],
                             capture_output=True, text=True, check=True).stdout
        after = os.times()
    finally:
        os.unlink(f.name)
    line = next(line for line in out.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    seconds_run = result["duration_us"] / 1e6
    wrk_cpu = (after.children_user + after.children_system) - (before.children_user + before.children_system)
    return {"rps": result["requests"] / seconds_run, "p50": result["p50_us"] / 1000, "p95": result["p95_us"] / 1000,
            "p99": result["p99_us"] / 1000, "mean": result["mean_us"] / 1000, "requests": result["requests"],
            "not_200": result["not_200"], "socket_errors": result["connect"] + result["read"] + result["write"] +
            result["timeout"], "wrk_cpu": wrk_cpu / seconds_run, "load": os.getloadavg()[0]}


def run_page(base: str, path: str, emails: list[str] | str, args: argparse.Namespace) -> dict:
    """Sign the pool in, warm up, then measure one page."""
    if emails == "floor":
        cookies = floor_cookies(base, args.pool)
    else:
        cookies = sign_in(base, emails) if emails else []
    wrk(base + path, cookies, args, args.warmup)
    return wrk(base + path, cookies, args, args.duration)


# Query counts and single-client times ------------------------------------------------------------------


def single_client(dsn: str, who: dict[str, str]) -> dict:
    """Per page and person: SQL statements per request and the median of 50 requests through the test client.

    The floor app is measured the same way. Each request runs in its own app context, as under a server (an
    app context held around them would keep the signed-in person and the ORM session from one to the next).
    """
    from sqlalchemy import event

    from companion import create_app
    from companion.config import TestConfig, database_url
    from companion.extensions import db

    app = create_app(TestConfig(database_url(dsn)))
    app.config["TESTING"] = False
    statements = []
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    found = {}
    for label, (email, path) in who.items():
        client = app.test_client()
        assert client.post("/api/v1/session", json={"email": email, "password": PASSWORD}).status_code == 200
        found[label] = measure(client, path, statements)
    os.environ.setdefault("DATABASE_URL", dsn)
    import floor_app

    client = floor_app.app.test_client()
    client.get("/start/1")
    with floor_app.app.app_context():
        floor_engine = floor_app.db.engine
    event.listen(floor_engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    found["floor"] = measure(client, "/", statements)
    with app.app_context():
        db.engine.dispose()
    return found


def single_client_of(checkout: str, dsn: str, who: dict) -> dict:
    """``single_client`` run against another checkout's code, in a process of its own."""
    code = (f"import json, sys; sys.path.insert(0, {str(BENCH)!r}); import pages_load; sys.path.insert(0, {checkout!r}); "
            f"assert 'companion' not in sys.modules; "
            f"print('RESULT ' + json.dumps(pages_load.single_client({dsn!r}, {who!r})))")
    out = subprocess.run([sys.executable, "-c", code], cwd=checkout, capture_output=True, text=True, check=True).stdout
    return json.loads(next(line for line in out.splitlines() if line.startswith("RESULT ")).removeprefix("RESULT "))


def measure(client, path: str, statements: list) -> dict:
    """Statements of one warm request, and the median of 50."""
    client.get(path)
    client.get(path)
    statements.clear()
    assert client.get(path).status_code == 200, path
    count = len(statements)
    times = []
    for _ in range(50):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    # Python function calls per request: unlike time, the same however busy the machine is.
    import cProfile
    import pstats

    profile = cProfile.Profile()
    profile.enable()
    for _ in range(20):
        client.get(path)
    profile.disable()
    calls = pstats.Stats(profile).total_calls / 20
    return {"queries": count, "median": statistics.median(times), "calls": calls}


# Reporting ---------------------------------------------------------------------------------------------


def machine() -> str:
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    import psycopg

    pg = "PostgreSQL"
    with contextlib.suppress(Exception), psycopg.connect(f"postgresql://{os.environ.get('PGHOST', '127.0.0.1')}/postgres") as c:
        pg = "PostgreSQL " + c.execute("SHOW server_version").fetchone()[0].split()[0]
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split()[1]
    import gunicorn as g

    return (f"{os.cpu_count()} cores{memory}, {platform.system()} {platform.machine()}, Python "
            f"{platform.python_version()}, {pg}, gunicorn {g.__version__}, wrk {wrk_version}")


def report(rounds: list[dict], single: dict, args: argparse.Namespace, loads: tuple[float, float]) -> str:
    """The results as Markdown."""
    lines = [f"Machine: {machine()}. Load average {loads[0]:.1f} at the start and {loads[1]:.1f} at the end "
             f"(the machine is shared with other developers' work).",
             f"Served by gunicorn, {args.workers} `{args.worker_class}` workers x {args.threads} threads, on 127.0.0.1; "
             f"wrk with {args.connections} connections over {args.wrk_threads} threads, {args.duration:g} s a page "
             f"after {args.warmup:g} s of warm-up, on the same 2 cores as gunicorn and PostgreSQL. "
             f"Participants' pages rotate over {args.pool} participants with {LIGHT_ENTRIES} entries each, the caseload "
             f"over counselors 2-9 ({CASELOAD} participants each); the data set holds {PARTICIPANTS:,} participants "
             f"and {ENTRIES:,} log entries.", ""]
    lines += ["| round | page | requests/s | p50 | p95 | p99 | vs hello | vs floor | not 200 | wrk CPU | load | p95 < 30 ms | >= 25 % of hello |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for n, results in enumerate(rounds, 1):
        hello = results["hello"]["rps"]
        floor = results["floor"]["rps"] if "floor" in results else None
        for label, r in results.items():
            ratio = r["rps"] / hello
            versus_floor = f"{100 * r['rps'] / floor:.0f} %" if floor and label != "hello" else ""
            meets = ("" if label == "hello" else "yes" if r["p95"] < 30 else "**no**",
                     "" if label == "hello" else "yes" if ratio >= 0.25 else "**no**")
            lines.append(f"| {n} | {label} | {r['rps']:.0f} | {r['p50']:.1f} ms | {r['p95']:.1f} ms | {r['p99']:.1f} ms | "
                         f"{100 * ratio:.0f} % | {versus_floor} | {r['not_200']} | {100 * r['wrk_cpu']:.0f} % | {r['load']:.1f} | "
                         f"{meets[0]} | {meets[1]} |")
    lines += ["", "100x the rows, same harness (mean latency at 32 clients, whose ratio is the ratio of the time "
              "each request costs while the clients keep the server saturated):", "",
              "| round | page | 1x | 100x | ratio | <= 1.5x |", "|---|---|---|---|---|---|"]
    for n, results in enumerate(rounds, 1):
        for label in ("/", "/journal", "/caseload"):
            light, heavy = results[label], results[f"{label} 100x"]
            ratio = heavy["mean"] / light["mean"]
            lines.append(f"| {n} | {label} | {light['mean']:.1f} ms ({light['rps']:.0f}/s) | "
                         f"{heavy['mean']:.1f} ms ({heavy['rps']:.0f}/s) | {ratio:.2f}x | "
                         f"{'yes' if ratio <= 1.5 else '**no**'} |")
    if any(label.endswith(" before") for results in rounds for label in results):
        lines += ["", "This code against the code before (`--before`), each page right after the other in the same run:", "",
                  "| round | page | before | after | after / before |", "|---|---|---|---|---|"]
        for n, results in enumerate(rounds, 1):
            for label, r in results.items():
                if f"{label} before" in results:
                    old = results[f"{label} before"]
                    lines.append(f"| {n} | {label} | {old['rps']:.0f}/s, p95 {old['p95']:.1f} ms | {r['rps']:.0f}/s, "
                                 f"p95 {r['p95']:.1f} ms | {r['rps'] / old['rps']:.2f}x |")
    lines += ["", "One client at a time, through Flask's test client in one process (no gunicorn, no concurrency): "
              "SQL statements and Python function calls (counted by cProfile, which the machine's load does not "
              "change) per request, and the median time of 50 requests.", "",
              "| page | statements | function calls | median |", "|---|---|---|---|"]
    lines += [f"| {label} | {r['queries']} | {r.get('calls', 0):,.0f} | {r['median']:.1f} ms |" for label, r in single.items()]
    return "\n".join(lines)


def write(body: str) -> None:
    """Record the results in BENCHMARKS.md, and take the page benchmark off the "not measured" list."""
    write_section(SECTION, body)
    path = ROOT / "BENCHMARKS.md"
    text = path.read_text()
    stale = ("The gunicorn p95/throughput comparison against a bare \"hello\" endpoint with 10,000 participants and\n"
             "1,000,000 entries has no benchmark yet.\n")
    text = text.replace(stale, "")
    if text.rstrip().endswith("## Not measured yet"):
        text = text.rstrip().removesuffix("## Not measured yet")
    path.write_text(text.rstrip() + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="loadbench")
    parser.add_argument("--rebuild", action="store_true", help="build the data set again")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--worker-class", default="gthread", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--duration", type=float, default=15)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--pool", type=int, default=48, help="participants signed in for the participants' pages")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--only", help="measure only these paths (comma-separated), for profiling")
    parser.add_argument("--write", action="store_true", help="record the results in BENCHMARKS.md")
    parser.add_argument("--single-only", action="store_true", help="only the one-client-at-a-time figures (no load)")
    parser.add_argument("--before", help="a checkout of earlier code (git worktree add --detach DIR REV), served and "
                                         "measured in the same run, each page right after the same page of this code")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    loads = [os.getloadavg()[0]]
    dsn = ensure_database(args.database, args.rebuild)
    participant = lambda n: f"p{n}@loadbench.example.org"  # noqa: E731
    counselor = lambda n: f"counselor{n}@loadbench.example.org"  # noqa: E731
    light = [participant(CASELOAD + 1 + n) for n in range(args.pool)]
    heavy = [participant(1 + n) for n in range(CASELOAD)]
    pools = {"participants": light, "counselors": [counselor(n) for n in LIGHT_COUNSELORS],
             "participants 100x": heavy, "counselors 100x": [counselor(1)]}
    env = {**os.environ, "DATABASE_URL": dsn, "SECRET_KEY": secrets.token_urlsafe(48),
           "RATELIMIT_STORAGE_URI": limits_storage(), "FLASK_DEBUG": "0", "WEB_CONCURRENCY": str(args.workers),
           "FLOOR_CREATE": "0"}
    os.environ["DATABASE_URL"] = dsn
    import floor_app  # noqa: F401  creates the floor app's tables here, once, before its workers start
    only = set(args.only.split(",")) if args.only else None
    rounds = []
    if args.single_only:
        only = {"none"}
        args.rounds = 0
    before = gunicorn("wsgi:app", env, args, ["--chdir", args.before, "--pythonpath", args.before]) if args.before \
        else contextlib.nullcontext()
    with gunicorn("wsgi:app", env, args) as site, gunicorn("hello_app:app", env, args, ["--chdir", str(BENCH)]) as hello, \
            gunicorn("floor_app:app", env, args, ["--chdir", str(BENCH)]) as floor, before as earlier:
        for n in range(args.rounds):
            results = {}
            plan = [("hello", hello, "/", None), ("floor", floor, "/", "floor")]
            for kind, path in PAGES:
                plan.append((path, site, path, kind))
                if earlier:
                    plan.append((f"{path} before", earlier, path, kind))
            plan += [(f"{path} 100x", site, path, f"{kind} 100x") for kind, path in PAGES if path not in ("/goals", "/sessions")]
            for label, base, path, pool in plan:
                if only and label not in ("hello", "floor") and path not in only:
                    continue
                results[label] = run_page(base, path, "floor" if pool == "floor" else pools[pool] if pool else [], args)
                r = results[label]
                print(f"round {n + 1}  {label:<16} {r['rps']:7.0f}/s  p50 {r['p50']:6.1f}  p95 {r['p95']:6.1f}  "
                      f"p99 {r['p99']:6.1f} ms  mean {r['mean']:6.1f}  {100 * r['rps'] / results['hello']['rps']:4.0f} % "
                      f"of hello  not-200 {r['not_200']}  socket errors {r['socket_errors']}  "
                      f"wrk CPU {100 * r['wrk_cpu']:.0f} %  load {r['load']:.1f}", flush=True)
            rounds.append(results)
    loads.append(os.getloadavg()[0])
    if only and not args.single_only:
        return
    who = {"/": (light[0], "/"), "/goals": (light[0], "/goals"), "/journal": (light[0], "/journal"),
           "/sessions": (light[0], "/sessions"),
           "/caseload": (counselor(2), "/caseload"), "/ 100x": (heavy[0], "/"), "/journal 100x": (heavy[0], "/journal"),
           "/caseload 100x": (counselor(1), "/caseload")}
    single = single_client(dsn, who)
    if args.before:
        single.update({f"{label} before": r for label, r in single_client_of(args.before, dsn, who).items()
                       if label != "floor"})
    for label, r in single.items():
        print(f"single client  {label:<16} {r['queries']:3} statements  {r.get('calls', 0):8,.0f} calls  median {r['median']:6.1f} ms")
    if args.single_only:
        return
    body = report(rounds, single, args, (loads[0], loads[1]))
    print()
    print(body)
    if args.write:
        write(body)


if __name__ == "__main__":
    main()
