"""Benchmark: the bytes a phone transfers for the sign-in page and the signed-in pages.

    .venv/bin/python bench/page_weight.py            # print the table
    .venv/bin/python bench/page_weight.py --write    # and update its section in BENCHMARKS.md

The demo program is served on 127.0.0.1 (see demo_server.py) and Debian's Chromium, driven by
Playwright at a phone's viewport, loads each page. The bytes of a load are the sum of Chromium's
``encodedDataLength`` over every response (headers and the body as sent, compressed when it was),
as the DevTools protocol reports them at ``Network.loadingFinished``. Targets (PRODUCT.md): the sign-in
page's first visit with an empty cache under 60 KB, a signed-in page under 100 KB.

The pages are loaded with service workers blocked: a service worker's own fetches (the page itself, through
its fetch handler) are not reported to the page's DevTools session, so with it the counts would look smaller
than what goes over the air. What the service worker adds is measured apart: the shell it downloads once
after the first visit (/sw.js and its precache list), counted over HTTP with gzip as the browser asks.
"""

from __future__ import annotations

import argparse
import json
import urllib.request
from collections import defaultdict
from pathlib import Path

from demo_server import (CHROMIUM, CHROMIUM_ARGS, PARTICIPANT, SIGNED_IN_PAGES, machine, serve_demo,
                         write_section)

PHONE = {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True,
         "service_workers": "block"}
SIGN_IN_TARGET = 60 * 1024
SIGNED_IN_TARGET = 100 * 1024


class Meter:
    """Counts the bytes Chromium receives for one page, by resource type, and the requests sent to the server."""

    def __init__(self, context, page):
        self.cdp = context.new_cdp_session(page)
        self.types: dict[str, str] = {}
        self.bytes: dict[str, int] = defaultdict(int)
        self.requests = 0
        self.cached: set[str] = set()
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.requestServedFromCache", lambda event: self.cached.add(event["requestId"]))
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.send("Network.enable")

    def _sent(self, event) -> None:
        self.types[event["requestId"]] = event.get("type", "Other")

    def _finished(self, event) -> None:
        self.requests += event["requestId"] not in self.cached  # what the browser had to ask the server for
        self.bytes[self.types.get(event["requestId"], "Other")] += int(event["encodedDataLength"])

    def reset(self) -> None:
        self.bytes.clear()
        self.requests = 0
        self.cached.clear()

    def total(self) -> int:
        return sum(self.bytes.values())


def load(page, meter: Meter, url: str) -> dict:
    """Load ``url`` and count what it transferred until the network went quiet."""
    meter.reset()
    page.goto(url, wait_until="networkidle")
    return {"total": meter.total(), "requests": meter.requests, "by_type": dict(meter.bytes)}


def sign_in(page, base_url: str) -> None:
    """Sign in with the demo participant through the sign-in form."""
    page.goto(f"{base_url}/login", wait_until="networkidle")
    page.fill("input[name=email]", PARTICIPANT[0])
    page.fill("input[name=password]", PARTICIPANT[1])
    with page.expect_navigation(wait_until="networkidle"):
        page.locator("form:has(input[name=password])").locator("button[type=submit], input[type=submit]").first.click()
    assert not page.url.endswith("/login"), "sign-in failed"


def measure(browser, base_url: str) -> list[dict]:
    """Every row of the table: the sign-in page, then each signed-in page cold, after sign-in and again."""
    rows = []
    context = browser.new_context(**PHONE)
    page = context.new_page()
    meter = Meter(context, page)
    first = load(page, meter, f"{base_url}/login")
    again = load(page, meter, f"{base_url}/login")
    rows.append({"page": "sign-in", "path": "/login", "empty": first, "after": None, "repeat": again,
                 "target": SIGN_IN_TARGET})
    context.close()

    for name, path in SIGNED_IN_PAGES.items():
        # After signing in: the sign-in page has cached what it shares with the signed-in pages.
        context = browser.new_context(**PHONE)
        page = context.new_page()
        sign_in(page, base_url)
        meter = Meter(context, page)
        after = load(page, meter, base_url + path)
        repeat = load(page, meter, base_url + path)
        cookies = context.cookies()
        context.close()
        # The same session with an empty cache: the worst a signed-in page can cost.
        context = browser.new_context(**PHONE)
        context.add_cookies(cookies)
        page = context.new_page()
        meter = Meter(context, page)
        empty = load(page, meter, base_url + path)
        assert not page.url.endswith("/login"), "the session did not carry over"
        context.close()
        rows.append({"page": name, "path": path, "empty": empty, "after": after, "repeat": repeat,
                     "target": SIGNED_IN_TARGET})
    return rows


def transferred(url: str) -> int:
    """The bytes of one gzip-accepting GET: status line, headers and body as sent."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request) as response:
        body = response.read()
        head = f"HTTP/1.1 {response.status} {response.reason}\r\n" + "".join(
            f"{name}: {value}\r\n" for name, value in response.getheaders()) + "\r\n"
    return len(head.encode()) + len(body)


def service_worker_shell(base_url: str) -> dict:
    """What the service worker downloads once, after the first visit: itself and the shell it keeps."""
    with urllib.request.urlopen(f"{base_url}/sw.js") as response:
        first_line = response.read().decode().split("\n", 1)[0]
    shell = json.loads(first_line.removeprefix("const SHELL = ").rstrip(";"))
    urls = ["/sw.js", shell["queue"], *shell["precache"]]
    return {"total": sum(transferred(base_url + url) for url in dict.fromkeys(urls)), "requests": len(set(urls))}


def kb(count: int) -> str:
    return f"{count / 1024:.1f} KB"


def table(rows: list[dict]) -> str:
    """The results as a Markdown table."""
    lines = ["| page | empty cache | after sign-in | repeat visit | target | met |",
             "|---|---|---|---|---|---|"]
    for row in rows:
        worst = row["empty"]["total"]
        cells = [f"{kb(row['empty']['total'])} ({row['empty']['requests']} requests)",
                 f"{kb(row['after']['total'])} ({row['after']['requests']})" if row["after"] else "—",
                 f"{kb(row['repeat']['total'])} ({row['repeat']['requests']})",
                 f"< {row['target'] // 1024} KB", "yes" if worst < row["target"] else "**no**"]
        lines.append(f"| {row['page']} (`{row['path']}`) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def breakdown(rows: list[dict]) -> str:
    """What the empty-cache loads are made of, by resource type."""
    lines = []
    for row in rows:
        parts = sorted(row["empty"]["by_type"].items(), key=lambda item: -item[1])
        lines.append(f"- {row['page']}: " + ", ".join(f"{kind.lower()} {kb(size)}" for kind, size in parts))
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="update the page-weight section of BENCHMARKS.md")
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with serve_demo() as base_url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            rows = measure(browser, base_url)
        finally:
            browser.close()
        shell = service_worker_shell(base_url)
    result = table(rows)
    first = rows[0]["empty"]["total"]
    worker = (f"The service worker's one-time shell download after the first visit: {kb(shell['total'])} "
              f"({shell['requests']} requests, many of them already in the browser's cache by then); the sign-in "
              f"page's first visit with it: {kb(first + shell['total'])}, "
              f"{'within' if first + shell['total'] < SIGN_IN_TARGET else '**over**'} the 60 KB target.")
    result += "\n\n" + worker
    print(result)
    print()
    print("Empty cache, by resource type:")
    print(breakdown(rows))
    if args.write:
        write_section("Page weight (`bench/page_weight.py`)", f"""
Bytes transferred (headers and bodies as sent: Chromium's `encodedDataLength`) by Debian's Chromium at a
360 × 740 phone viewport, loading the demo program served on 127.0.0.1, until the network is idle.
*Empty cache* is a first visit (for the signed-in pages: the session cookie, nothing cached), *after
sign-in* the page opened right after signing in through the sign-in page, *repeat visit* the same page
loaded again; in brackets the requests that reached the server (a repeat visit's second one is the
favicon, which Chromium fetches outside the page's cache). Byte counts do not depend on the machine's
speed. Machine: {machine()}.

{result}

Empty cache, by resource type:

{breakdown(rows)}
""")
        print("BENCHMARKS.md updated")


if __name__ == "__main__":
    main()
