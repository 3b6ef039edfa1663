"""The demo program served on 127.0.0.1 for the browser benchmarks, and their report in BENCHMARKS.md.

``serve_demo()`` builds the app from the production ``Config`` over a throwaway SQLite database in a
temporary instance folder, applies the migrations, seeds the demo program and serves it with a threaded
WSGI server. Nothing outside the temporary folder is written.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import platform
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import urllib.request
from collections.abc import Iterator
from datetime import date
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Chromium's own traffic (updates, field trials, sync) would be counted with the page's.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
PARTICIPANT = ("alex@example.org", "demo participant passphrase")
SIGNED_IN_PAGES = {"Today": "/", "goals": "/goals", "journal": "/journal"}
BENCHMARKS = ROOT / "BENCHMARKS.md"


@contextlib.contextmanager
def serve_demo() -> Iterator[str]:
    """The demo program served on 127.0.0.1; yields the base URL."""
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from companion import create_app
    from companion.config import Config
    from companion.demo import seed_demo

    with tempfile.TemporaryDirectory(prefix="companion-bench-") as folder:
        saved = {name: os.environ.get(name) for name in ("DATABASE_URL", "SECRET_KEY")}
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite"
        os.environ["SECRET_KEY"] = secrets.token_urlsafe(48)
        try:
            app = create_app(Config())
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
        app.instance_path = folder
        with app.app_context():
            upgrade()
            seed_demo()
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join(timeout=5)


def session_cookie(base_url: str, email: str, password: str) -> str:
    """Sign in through the API and return the ``Cookie`` header value of the new session."""
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    body = json.dumps({"email": email, "password": password}).encode()
    request = urllib.request.Request(f"{base_url}/api/v1/session", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with opener.open(request) as response:
        assert response.status == 200, response.status
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


def machine() -> str:
    """A one-line description of the machine and browser the numbers were measured on."""
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    chromium = ""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        chromium = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    load = f", load average {os.getloadavg()[0]:.1f} at the end" if hasattr(os, "getloadavg") else ""
    return (f"{os.cpu_count()} cores{memory}, {platform.system()} {platform.machine()}, "
            f"Python {platform.python_version()}, {chromium}{load}")


def write_section(title: str, body: str) -> None:
    """Replace the ``## {title}`` section of BENCHMARKS.md (whatever date it had) or add it before "Not measured yet"."""
    text = BENCHMARKS.read_text()
    section = f"## {title}, {date.today().isoformat()}\n\n{body.strip()}\n\n"
    pattern = re.compile(rf"^## {re.escape(title)}[,\n].*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        first = iter([section])
        text = pattern.sub(lambda _: next(first, ""), text)  # the first one replaced, any other removed
    elif "## Not measured yet" in text:
        text = text.replace("## Not measured yet", section + "## Not measured yet", 1)
    else:
        text = text.rstrip() + "\n\n" + section
    BENCHMARKS.write_text(text.rstrip() + "\n")
