"""Soak: 200 phones writing through the API for several minutes, replaying what they lost, while counselors read.

    DATABASE_URL=postgresql://127.0.0.1/soak_bench .venv/bin/python bench/soak.py --minutes 3

Companion is served by gunicorn (4 workers by default) over PostgreSQL. Each simulated phone signs in, then
in a loop logs a craving, checks in for one of the last 30 days, or ticks a step of its goal, each write with
its own client id, as the offline queue sends them. Now and then the connection "drops": the phone closes it
before reading the answer (the server may or may not have saved it) and replays the same request twice, as
the queue does when it comes back online. Four counselors read their caseloads and a participant's page all
the while. At the end every write must be in the database exactly once (each craving under its id, each
check-in as last sent for its date, each tick as one step event), the error rate and latencies are printed,
and the resident memory of each gunicorn worker is compared between the first minute and the end.

The database named by DATABASE_URL is emptied first: never point it at real data.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import secrets
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

PASSWORD = "soak benchmark passphrase"


class Phone:
    """One participant's phone: a kept-alive connection, its session, and what it has sent."""

    def __init__(self, port: int, email: str, address: str, steps: list[int]) -> None:
        self.port, self.email, self.address, self.steps = port, email, address, list(steps)
        self.cookie, self.csrf = "", ""
        self.connection: http.client.HTTPConnection | None = None
        self.logs: set[str] = set()
        self.checkins: dict[str, str] = {}  # date -> the id last sent for it
        self.ticked: dict[int, str] = {}  # step id -> the client id of its tick
        self.latencies: list[float] = []
        self.statuses: Counter = Counter()
        self.drops = 0
        self.unexpected: list[str] = []

    def request(self, method: str, path: str, body: dict | None = None, drop: bool = False) -> tuple[int, bytes]:
        headers = {"X-Forwarded-For": self.address, "Content-Type": "application/json"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        if self.csrf:
            headers["X-CSRFToken"] = self.csrf
        data = json.dumps(body).encode() if body is not None else None
        for attempt in range(3):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            started = time.perf_counter()
            try:
                self.connection.request(method, path, body=data, headers=headers)
                if drop:  # the network drops: the answer never arrives
                    self.connection.close()
                    self.connection = None
                    self.drops += 1
                    return 0, b""
                response = self.connection.getresponse()
                payload = response.read()
            except (OSError, http.client.HTTPException):
                self.connection = None  # a kept connection the server closed: open another and send again
                if attempt == 2:
                    raise
                continue
            self.latencies.append((time.perf_counter() - started) * 1000)
            self.statuses[response.status] += 1
            cookie = response.getheader("Set-Cookie")
            if cookie:
                self.cookie = cookie.split(";", 1)[0]
            return response.status, payload
        raise RuntimeError("unreachable")

    def sign_in(self) -> None:
        """Sign in (once a phone: its time is kept apart, a password hash being slow on purpose)."""
        status, payload = self.request("POST", "/api/v1/session", {"email": self.email, "password": PASSWORD})
        assert status == 200, (status, payload[:200])
        self.csrf = json.loads(payload)["csrf_token"]
        self.sign_in_ms = self.latencies.pop()

    def send(self, method: str, path: str, body: dict, expected: set[int], rng: random.Random) -> None:
        """One write as the offline queue sends it; a dropped one is replayed twice."""
        if rng.random() < 0.15:
            self.request(method, path, body, drop=True)
            for _ in range(2):
                self.check(method, path, self.request(method, path, body), expected | {200})
        else:
            self.check(method, path, self.request(method, path, body), expected)

    def check(self, method: str, path: str, answer: tuple[int, bytes], expected: set[int]) -> None:
        status, payload = answer
        if status not in expected:
            self.unexpected.append(f"{method} {re.sub(r'/[0-9]+', '/N', path)} {status} {payload[:160]!r}")

    def run(self, until: float, seed: int) -> None:
        rng = random.Random(seed)
        today = datetime.now(UTC).date()
        while time.monotonic() < until:
            choice = rng.random()
            if choice < 0.5:
                entry = str(uuid.uuid4())
                self.logs.add(entry)
                self.send("POST", "/api/v1/logs", {"id": entry, "kind": "craving", "intensity": rng.randint(0, 10),
                                                   "triggers": ["stress"], "note": "soak"}, {201}, rng)
            elif choice < 0.75:
                day = (today - timedelta(days=rng.randint(1, 29))).isoformat()
                checkin = str(uuid.uuid4())
                self.checkins[day] = checkin
                self.send("POST", "/api/v1/checkins", {"id": checkin, "date": day, "mood": rng.randint(1, 5),
                                                       "craving": rng.randint(0, 10), "used": False}, {201}, rng)
            elif self.steps:
                step = self.steps.pop()
                client = str(uuid.uuid4())
                self.ticked[step] = client
                self.send("PATCH", f"/api/v1/steps/{step}", {"done": True, "client_id": client}, {200}, rng)
            time.sleep(rng.uniform(0.5, 2.0))


class Counselor(Phone):
    def run(self, until: float, seed: int) -> None:
        rng = random.Random(seed)
        while time.monotonic() < until:
            status, page = self.request("GET", "/caseload")
            if status != 200:
                self.unexpected.append(f"GET /caseload {status}")
            ids = re.findall(rb'href="/caseload/(\d+)"', page)
            if ids:
                path = f"/caseload/{rng.choice(ids).decode()}"
                status, _ = self.request("GET", path)
                if status != 200:
                    self.unexpected.append(f"GET /caseload/N {status}")
            time.sleep(rng.uniform(1.0, 3.0))


def worker_memory(master: int) -> dict[int, int]:
    """Resident memory (KiB) of each gunicorn worker, by pid."""
    found = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if int(stat.read().rsplit(")", 1)[1].split()[1]) != master:
                    continue
            with open(f"/proc/{pid}/status") as status:
                found[int(pid)] = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:"))
        except (OSError, StopIteration, ValueError, IndexError):
            continue
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=200)
    parser.add_argument("--counselors", type=int, default=4)
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--ramp", type=float, default=10, help="seconds over which the phones start writing")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL")
    if not url or "bench" not in url:
        sys.exit("Set DATABASE_URL to a throwaway database whose name contains 'bench'.")

    from sqlalchemy import select, text

    from companion import create_app
    from companion.config import TestConfig, database_url
    from companion.extensions import db
    from companion.models import CheckIn, Consent, Goal, GoalStep, LogEntry, Program, StepEvent, User
    from companion.security import hash_password
    from pages_load import free_port, limits_storage

    app = create_app(TestConfig(database_url(url)))
    with app.app_context():
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        db.create_all()
        password_hash = hash_password(PASSWORD)
        program = Program(slug="soak", name="Soak", timezone="America/New_York")
        db.session.add(program)
        db.session.flush()
        counselors = [User(email=f"c{n}@example.org", name=f"Counselor {n}", role="counselor", program=program,
                           password_hash=password_hash, timezone="America/New_York") for n in range(args.counselors)]
        people = [User(email=f"p{n}@example.org", name=f"Phone {n}", role="participant", program=program,
                       password_hash=password_hash, timezone="America/New_York") for n in range(args.phones)]
        db.session.add_all(counselors + people)
        db.session.flush()
        today = date.today()
        steps: dict[int, list[int]] = {}
        for n, person in enumerate(people):
            counselor = counselors[n % len(counselors)]
            db.session.add(Consent(participant_id=person.id, counselor_id=counselor.id, program_name=program.name,
                                   scopes="goals,journal,checkins,attendance", purpose="Soak",
                                   expires_on=today + timedelta(days=90), signature=person.name))
            goal = Goal(user_id=person.id, title="Get through the week", shared=True)
            goal.steps = [GoalStep(user_id=person.id, title=f"Step {i}", position=i) for i in range(40)]
            db.session.add(goal)
        db.session.commit()
        for person in people:
            steps[person.id] = list(db.session.scalars(select(GoalStep.id).where(GoalStep.user_id == person.id)))
        ids = {person.email: person.id for person in people}
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": secrets.token_urlsafe(48), "FLASK_DEBUG": "0",
           "RATELIMIT_STORAGE_URI": limits_storage(), "PROXY_FIX": "1"}
    server = subprocess.Popen([str(Path(sys.executable).with_name("gunicorn")), "--bind", f"127.0.0.1:{port}",
                               "--workers", str(args.workers), "--worker-class", "gthread", "--threads",
                               str(args.threads), "--backlog", "2048", "--log-level", "warning", "wsgi:app"],
                              cwd=ROOT, env=env, start_new_session=True)
    try:
        for _ in range(300):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=2).request("GET", "/help")
                break
            except OSError:
                time.sleep(0.1)
        phones = [Phone(port, f"p{n}@example.org", f"10.{n // 250}.{n % 250}.{n % 7 + 1}", steps[ids[f"p{n}@example.org"]])
                  for n in range(args.phones)]
        staff = [Counselor(port, f"c{n}@example.org", f"10.250.0.{n + 1}", []) for n in range(args.counselors)]
        # Everyone signs in first, four at a time: argon2id is slow on purpose (64 MiB, 3 passes), and 200 at
        # once would measure only that.
        started = time.monotonic()
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda who: who.sign_in(), phones + staff))
        signing_in = time.monotonic() - started
        load_before = os.getloadavg()[0]
        until = time.monotonic() + args.minutes * 60
        threads = [threading.Thread(target=who.run, args=(until, n)) for n, who in enumerate(phones + staff)]
        for thread in threads:  # phones come online over the first seconds, not all in the same instant
            thread.start()
            time.sleep(args.ramp / len(threads))
        time.sleep(max(0.0, min(60, args.minutes * 60 / 3) - args.ramp))
        memory_early = worker_memory(server.pid)
        for thread in threads:
            thread.join()
        memory_late = worker_memory(server.pid)
        load_after = os.getloadavg()[0]
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)

    with app.app_context():
        found_logs = Counter(str(i) for i in db.session.scalars(select(LogEntry.id)))
        checkins = {(user_id, day.isoformat()): str(checkin) for user_id, day, checkin in
                    db.session.execute(select(CheckIn.user_id, CheckIn.date, CheckIn.id))}
        events = Counter(db.session.scalars(select(StepEvent.client_id).where(StepEvent.client_id.is_not(None))))
        done = set(db.session.scalars(select(GoalStep.id).where(GoalStep.done.is_(True))))
    sent_logs = set().union(*(p.logs for p in phones))
    lost = len(sent_logs - set(found_logs)) + sum(1 for p in phones for day, checkin in p.checkins.items()
                                                    if checkins.get((ids[p.email], day)) != checkin)
    lost += sum(1 for p in phones for step, client in p.ticked.items() if events[client] != 1 or step not in done)
    twice = sum(n - 1 for n in found_logs.values() if n > 1) + sum(n - 1 for n in events.values() if n > 1)
    extra = len(set(found_logs) - sent_logs)
    everyone = phones + staff
    latencies = sorted(t for who in everyone for t in who.latencies)
    sign_ins = sorted(who.sign_in_ms for who in everyone)
    statuses = sum((who.statuses for who in everyone), Counter())
    unexpected = [line for who in everyone for line in who.unexpected]
    requests = len(latencies)
    writes = len(sent_logs) + sum(len(p.checkins) for p in phones) + sum(len(p.ticked) for p in phones)
    print(f"{args.phones} phones and {args.counselors} counselors for {args.minutes:g} min on {args.workers} gunicorn "
          f"workers: {requests:,} answered requests ({requests / (args.minutes * 60):.0f}/s), "
          f"{sum(p.drops for p in phones)} dropped and replayed twice")
    print(f"writes: {writes:,} (cravings {len(sent_logs):,}, check-ins {sum(len(p.checkins) for p in phones):,}, "
          f"ticks {sum(len(p.ticked) for p in phones):,}); in the database exactly once: "
          f"lost {lost}, twice {twice}, unknown {extra}")
    print(f"statuses: {dict(sorted(statuses.items()))}; unexpected answers: {len(unexpected)} "
          f"({len(unexpected) / max(1, requests) * 100:.2f} %)")
    for line in Counter(unexpected).most_common(5):
        print("   ", line)
    print(f"latency: p50 {statistics.median(latencies):.1f} ms, p95 {latencies[int(len(latencies) * 0.95)]:.1f} ms, "
          f"p99 {latencies[int(len(latencies) * 0.99)]:.1f} ms, max {latencies[-1]:.1f} ms")
    print(f"sign-in beforehand (argon2id, {len(sign_ins)}, four at a time, {signing_in:.0f} s): "
          f"p50 {statistics.median(sign_ins):.0f} ms, max {sign_ins[-1]:.0f} ms")
    print("worker memory (RSS, MiB) after the first minute -> at the end: " + ", ".join(
        f"{memory_early[pid] / 1024:.0f} -> {memory_late.get(pid, 0) / 1024:.0f}" for pid in sorted(memory_early)))
    print(f"load average {load_before:.1f} before, {load_after:.1f} after; {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
