"""Benchmark: 8 counselors open their caseloads at once, 4 gunicorn workers, PostgreSQL; does any request wait on
another counselor's ledger write?

    .venv/bin/python bench/ledger_concurrency.py                       # this worktree's code
    .venv/bin/python bench/ledger_concurrency.py --root /tmp/old-main  # another checkout, for a before/after
    .venv/bin/python bench/ledger_concurrency.py --rounds 2 --write    # and record in BENCHMARKS.md

Each counselor has a caseload of their own (25 participants with a shared goal and a consent), so no two
requests disclose the same person: any lock one request waits for there is another counselor's ledger
write. While the 8 clients run, a separate connection samples ``pg_stat_activity`` every millisecond or
so and counts the samples in which some backend of the benchmark's database waits on a lock
(``wait_event_type = 'Lock'``: an advisory lock, a row or a transaction). The answer to the question is
that count, beside each request's latency with the 8 at once and with one counselor alone.

The database (``--database``, default ``ledgerbench``; its name must contain "bench") is built afresh for
each code root with that root's own migrations. gunicorn runs 4 gthread workers with 2 threads each, so
the 8 requests are handled at the same time.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from demo_server import session_cookie, write_section  # noqa: E402
from pages_load import free_port, limits_storage  # noqa: E402

PASSWORD = "ledger benchmark passphrase"
COUNSELORS = 8
CASELOAD = 25

SEED = f"""
from datetime import date, timedelta
from companion import create_app
from companion.extensions import db
from companion.models import Consent, Goal, GoalStep, Program, User
from companion.security import hash_password

app = create_app()
with app.app_context():
    program = Program(slug="bench", name="Bench IOP", timezone="America/New_York")
    db.session.add(program)
    hashed = hash_password({PASSWORD!r})
    for c in range({COUNSELORS}):
        counselor = User(email=f"counselor{{c}}@bench.example", name=f"Counselor {{c}}", role="counselor",
                         program=program, password_hash=hashed, timezone="America/New_York")
        db.session.add(counselor)
        db.session.flush()
        for p in range({CASELOAD}):
            person = User(email=f"p{{c}}-{{p}}@bench.example", name=f"Person {{c}}-{{p}}", program=program,
                          password_hash="x", timezone="America/New_York")
            db.session.add(person)
            db.session.flush()
            goal = Goal(user_id=person.id, title="Go to every group", shared=True)
            goal.steps = [GoalStep(user_id=person.id, title=f"Step {{s}}", position=s) for s in range(3)]
            db.session.add(goal)
            db.session.add(Consent(participant_id=person.id, counselor_id=counselor.id, program_name="Bench IOP",
                                   scopes="goals,checkins", purpose="Treatment", signature=person.name,
                                   expires_on=date.today() + timedelta(days=90)))
    db.session.commit()
"""


def psql_dsn(name: str) -> str:
    return f"postgresql://root@127.0.0.1:5432/{name}"


def build(root: Path, name: str, env: dict) -> None:
    """The database afresh, migrated by ``root``'s own migrations and seeded through its own models."""
    import psycopg

    with psycopg.connect(psql_dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    flask = str(Path(sys.executable).with_name("flask"))
    subprocess.run([flask, "--app", "companion", "db", "upgrade"], cwd=root, env=env, check=True,
                   stdout=subprocess.DEVNULL)
    subprocess.run([sys.executable, "-c", SEED], cwd=root, env=env, check=True)


@contextlib.contextmanager
def serve(root: Path, env: dict):
    port = free_port()
    command = [str(Path(sys.executable).with_name("gunicorn")), "--bind", f"127.0.0.1:{port}", "--workers", "4",
               "--worker-class", "gthread", "--threads", "2", "--log-level", "warning", "wsgi:app"]
    process = subprocess.Popen(command, cwd=root, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{base}/help", timeout=5) as response:
                    if response.status == 200:
                        break
            time.sleep(0.1)
        yield base
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


class LockSampler(threading.Thread):
    """Counts the samples of pg_stat_activity in which a backend of the database waits on a lock."""

    def __init__(self, name: str) -> None:
        super().__init__(daemon=True)
        self.name_ = name
        self.samples = self.waiting = self.max_waiters = 0
        self.kinds: dict[str, int] = {}
        self.stop = threading.Event()

    def run(self) -> None:
        import psycopg

        with psycopg.connect(psql_dsn(self.name_), autocommit=True) as conn:
            while not self.stop.is_set():
                rows = conn.execute("SELECT wait_event FROM pg_stat_activity WHERE datname = %s "
                                    "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()", (self.name_,)).fetchall()
                self.samples += 1
                if rows:
                    self.waiting += 1
                    self.max_waiters = max(self.max_waiters, len(rows))
                    for (kind,) in rows:
                        self.kinds[kind] = self.kinds.get(kind, 0) + 1
                time.sleep(0.001)


def open_caseloads(base: str, cookies: list[str], requests: int) -> list[float]:
    """Each cookie's counselor opens /caseload ``requests`` times, all counselors at once; every latency in ms."""
    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(len(cookies))

    def client(cookie: str) -> None:
        start.wait()
        for _ in range(requests):
            began = time.perf_counter()
            request = urllib.request.Request(f"{base}/caseload", headers={"Cookie": cookie})
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
                assert response.status == 200, response.status
            with lock:
                latencies.append((time.perf_counter() - began) * 1000)

    threads = [threading.Thread(target=client, args=(cookie,)) for cookie in cookies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def measure(root: Path, args: argparse.Namespace) -> dict:
    env = {**os.environ, "DATABASE_URL": psql_dsn(args.database), "SECRET_KEY": secrets.token_urlsafe(48),
           "LEDGER_KEY": secrets.token_urlsafe(48), "RATELIMIT_STORAGE_URI": limits_storage().rstrip("/") + "/4"
           if limits_storage().startswith("redis") else "memory://", "PYTHONPATH": str(root)}
    env.pop("FLASK_DEBUG", None)
    build(root, args.database, env)
    with serve(root, env) as base:
        cookies = [session_cookie(base, f"counselor{c}@bench.example", PASSWORD) for c in range(COUNSELORS)]
        open_caseloads(base, cookies[:1], 3)  # warm every worker's first request a little
        alone = open_caseloads(base, cookies[:1], args.requests)
        sampler = LockSampler(args.database)
        sampler.start()
        began = time.perf_counter()
        together = open_caseloads(base, cookies, args.requests)
        seconds = time.perf_counter() - began
        sampler.stop.set()
        sampler.join()
    return {"alone_p50": statistics.median(alone), "alone_p95": pct(alone, 0.95),
            "together_p50": statistics.median(together), "together_p95": pct(together, 0.95),
            "requests": len(together), "rps": len(together) / seconds, "samples": sampler.samples,
            "waiting": sampler.waiting, "max_waiters": sampler.max_waiters, "kinds": sampler.kinds,
            "load": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", action="append", type=Path, help="code to serve (repeat for a before/after)")
    parser.add_argument("--label", action="append", help="a name for each --root, in the same order")
    parser.add_argument("--database", default="ledgerbench")
    parser.add_argument("--requests", type=int, default=25, help="caseload openings per counselor")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--write", action="store_true", help="record the results in BENCHMARKS.md")
    args = parser.parse_args()
    if "bench" not in args.database:
        parser.error("the database's name must contain 'bench': it is dropped and built again")
    roots = args.root or [ROOT]
    labels = args.label or [str(r) for r in roots]
    lines = ["| code | round | requests | req/s | one alone p50 / p95 (ms) | 8 at once p50 / p95 (ms) "
             "| samples with a lock wait | most waiting at once | waits on | load avg |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for round_ in range(1, args.rounds + 1):
        for root, label in zip(roots, labels):
            r = measure(root.resolve(), args)
            kinds = ", ".join(f"{k} {v}" for k, v in sorted(r["kinds"].items())) or "nothing"
            line = (f"| {label} | {round_} | {r['requests']} | {r['rps']:.0f} | {r['alone_p50']:.1f} / {r['alone_p95']:.1f} "
                    f"| {r['together_p50']:.1f} / {r['together_p95']:.1f} | {r['waiting']} of {r['samples']} "
                    f"| {r['max_waiters']} | {kinds} | {r['load']:.1f} |")
            print(line, flush=True)
            lines.append(line)
    table = "\n".join(lines)
    print(table)
    if args.write:
        write_section("Disclosure ledger: 8 counselors opening their caseloads at once", f"""
`bench/ledger_concurrency.py --rounds {args.rounds} --requests {args.requests}`: 8 counselors, each with a caseload
of {CASELOAD} participants of their own, open `/caseload` {args.requests} times each, all at once, against gunicorn
(4 gthread workers x 2 threads) on PostgreSQL; a separate connection samples `pg_stat_activity` about every
millisecond for backends waiting on a lock. Each opening appends {CASELOAD} rows to the ledger.

{table}
""")


if __name__ == "__main__":
    main()
