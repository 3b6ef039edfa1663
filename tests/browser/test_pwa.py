"""The installed app in real Chromium on a phone: service worker, installability, offline queue, push, sign-out."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from companion.blueprints.reminders.dispatch import dispatch
from companion.blueprints.reminders.vapid import new_vapid_keys
from companion.blueprints.sessions import services as sessions
from companion.extensions import db
from companion.models import Goal, GoalStep, LogEntry, Program, User
from companion.security import hash_password
from tests.browser.conftest import axe_violations
from tests.browser.test_journal import signed_in
from tests.fixtures.push import PushServer

EMAIL = "robin@example.org"  # the account test_first_visit.register makes

pytestmark = pytest.mark.browser


def until(page, condition: str) -> None:
    """Wait in the page until the async ``condition`` holds (wait_for_function would need 'unsafe-eval')."""
    page.evaluate(f"""async () => {{
        for (let i = 0; i < 200; i++) {{
            if (await ({condition})()) return;
            await new Promise((resolve) => setTimeout(resolve, 50));
        }}
        throw new Error("timed out waiting for " + {json.dumps(condition)});
    }}""")


def controlled(page) -> None:
    """Wait until the service worker is active and controls this page."""
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    until(page, "async () => navigator.serviceWorker.controller !== null")


def api(page, path: str):
    """A GET of the API from the page (its cookies), as JSON."""
    return page.evaluate("async (path) => (await fetch(path, {cache: 'no-store'})).json()", path)


def entries(live_app) -> list[LogEntry]:
    with live_app.app_context():
        found = list(db.session.scalars(db.select(LogEntry)))
        db.session.remove()
        return found


def robin() -> User:
    return db.session.scalar(db.select(User).where(User.email == EMAIL))


def goal_with_a_step(live_app) -> tuple[int, int]:
    with live_app.app_context():
        user = robin()
        goal = Goal(user_id=user.id, title="Walk every evening")
        goal.steps = [GoalStep(user_id=user.id, title="Find my shoes", position=0)]
        db.session.add(goal)
        db.session.commit()
        ids = goal.id, goal.steps[0].id
        db.session.remove()
        return ids


def enrolled_in_a_group_starting_in_two_hours(live_app) -> datetime:
    """Robin joins a daily group; returns when its one-hour reminder is due."""
    with live_app.app_context():
        user = robin()
        program = Program(slug="riverside", name="Riverside IOP", timezone="UTC")
        counselor = User(email="jordan@example.org", name="Jordan", role="counselor", program=program,
                         password_hash=hash_password("not used in this test at all"))
        user.program = program
        db.session.add_all([program, counselor])
        db.session.commit()
        start = (datetime.now(UTC) + timedelta(hours=2)).replace(second=0, microsecond=0)
        group = sessions.create_group(program, counselor, name="Evening group", rule_text="FREQ=DAILY",
                                      start_date=start.date() - timedelta(days=1), start_time=start.time(),
                                      timezone="UTC", duration_minutes=60)
        sessions.enrol(group, user)
        db.session.remove()
    return start - timedelta(hours=1)


@pytest.fixture
def push_server(live_app):
    """A loopback push service, with the app allowed to reach it and signing with fresh VAPID keys."""
    server = PushServer().start()
    private, public = new_vapid_keys()
    live_app.config.update(PUSH_ALLOW_LOOPBACK=True, VAPID_PRIVATE_KEY=private, VAPID_PUBLIC_KEY=public,
                           VAPID_SUBJECT="mailto:ops@example.org")
    yield server
    server.stop()


def test_the_app_installs_and_its_service_worker_controls_every_page(page, screenshot):
    signed_in(page)
    controlled(page)
    cdp = page.context.new_cdp_session(page)
    errors = [e["errorId"] for e in cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]]
    # Playwright's contexts are incognito ones, where Chromium never offers to install: that is the browser's.
    assert [e for e in errors if e != "in-incognito"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == []
    assert json.loads(manifest["data"])["display"] == "standalone"
    cached = page.evaluate("""async () => {
        const urls = [];
        for (const key of await caches.keys()) {
            for (const request of await (await caches.open(key)).keys()) urls.push(new URL(request.url).pathname);
        }
        return urls;
    }""")
    assert "/offline" in cached and any(url.endswith("/app.css") for url in cached)
    # Nothing personal is kept in Cache Storage: only the shell.
    assert not [url for url in cached if url in ("/", "/goals", "/journal") or url.startswith("/api/")]


def test_offline_pages_show_the_offline_page_with_crisis_lines(page, screenshot):
    signed_in(page)
    controlled(page)
    page.context.set_offline(True)
    page.goto("/goals")
    assert page.get_by_role("heading", name="You're offline").is_visible()
    assert page.locator("#crisis").get_by_role("link", name="Call 988").get_attribute("href") == "tel:988"
    assert page.get_by_role("heading", name="Log a craving").is_visible()
    screenshot("offline")
    assert axe_violations(page) == []
    page.goto("/help")  # crisis help offline: the offline page's crisis lines
    assert page.locator("#crisis").get_by_role("link", name="Call 988").is_visible()
    page.emulate_media(color_scheme="dark")
    screenshot("offline-dark", full_page=False)
    page.context.set_offline(False)


def test_a_craving_logged_offline_is_sent_once_when_back_online_even_after_a_reload(page, live_app, screenshot):
    signed_in(page)
    page.goto("/log/craving")
    controlled(page)
    page.context.set_offline(True)
    page.get_by_label("7", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("[data-offline-note]")).to_contain_text("Saved on this phone")
    expect(page.locator("[data-queue-status]")).to_contain_text("1 entry is waiting to send")
    screenshot("offline-queued", full_page=False)
    page.reload()  # offline: the offline page, and the entry still waits
    expect(page.locator("[data-queue-status]")).to_contain_text("1 entry is waiting to send")
    assert entries(live_app) == []

    page.context.set_offline(False)
    page.goto("/journal")
    page.locator("[data-queue-status]").wait_for(state="hidden")
    page.reload()  # a second page load replays nothing twice
    page.wait_for_load_state("networkidle")
    logs = api(page, "/api/v1/logs")["items"]
    assert [(log["kind"], log["intensity"]) for log in logs] == [("craving", 7)]
    assert len(entries(live_app)) == 1


def test_the_offline_page_keeps_a_check_in_and_the_safety_plan(page, live_app):
    signed_in(page)
    page.goto("/support/safety-plan")  # online: the phone keeps its own copy of the plan
    controlled(page)
    until(page, "async () => Boolean(await CompanionQueue.kept('safety-plan'))")
    page.context.set_offline(True)
    page.goto("/journal/checkin")
    assert page.get_by_role("heading", name="You're offline").is_visible()
    plan = page.locator("[data-plan]")
    expect(plan).to_be_visible()
    expect(plan).to_contain_text("988")  # the prefilled crisis lines
    # Crisis Text Line is texted, never called, on the phone's own copy too.
    expect(plan.get_by_role("link", name="Text HOME to 741741")).to_have_attribute("href", "sms:741741?&body=HOME")
    assert plan.locator('a[href="tel:741741"]').count() == 0
    checkin = page.locator("#checkin")
    checkin.get_by_role("button", name="Save my check-in").click()
    expect(checkin).to_contain_text("Choose your mood")  # kept nothing half-done, said why
    checkin.get_by_label("4 · good").check()
    checkin.get_by_label("3", exact=True).check()
    checkin.get_by_label("No", exact=True).check()
    checkin.get_by_role("button", name="Save my check-in").click()
    expect(checkin).to_contain_text("Saved on this phone")
    page.context.set_offline(False)
    page.goto("/journal")
    page.locator("[data-queue-status]").wait_for(state="hidden")
    checkins = api(page, "/api/v1/checkins")
    assert [(c["mood"], c["craving"], c["used"]) for c in checkins] == [(4, 3, False)]


def test_a_step_ticked_off_offline_is_sent_once(page, live_app):
    signed_in(page)
    goal_id, step_id = goal_with_a_step(live_app)
    page.goto(f"/goals/{goal_id}")
    controlled(page)
    page.context.set_offline(True)
    page.locator(f"#step-{step_id} .step-toggle").click()
    expect(page.locator(f"#step-{step_id} .step-toggle")).to_have_attribute("aria-pressed", "true")
    expect(page.locator("[data-queue-status]")).to_contain_text("waiting to send")
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.locator("[data-queue-status]").wait_for(state="hidden")
    with live_app.app_context():
        assert db.session.get(GoalStep, step_id).done is True
        db.session.remove()


@pytest.fixture
def lenient_page(browser, live_server):
    """A phone-sized page that, unlike ``page``, lets some answers be 4xx or off-site (the point of its test)."""
    from tests.browser.conftest import PHONE

    context = browser.new_context(base_url=live_server, **PHONE)
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def test_a_refused_replay_is_shown_not_dropped(lenient_page, live_app):
    page = lenient_page
    signed_in(page)
    controlled(page)
    owner = int(page.evaluate("document.body.dataset.user"))
    # An entry the server will refuse (an intensity the API does not accept), as an old app version might queue.
    page.evaluate("""(owner) => CompanionQueue.put({id: crypto.randomUUID(), owner, state: 'waiting', created: Date.now(),
        method: 'POST', url: '/api/v1/logs', label: 'A craving, 12 out of 10',
        body: {id: crypto.randomUUID(), kind: 'craving', intensity: 12}})""", owner)
    page.goto("/journal")
    alert = page.locator(".queue-refused")
    expect(alert).to_contain_text("could not be saved")
    expect(alert).to_contain_text("10")
    page.reload()
    expect(page.locator(".queue-refused")).to_be_visible()  # still shown until dismissed
    page.get_by_role("button", name="Dismiss").click()
    page.locator(".queue-refused").wait_for(state="detached")
    assert entries(live_app) == []


def test_an_item_waits_while_signed_out_and_is_never_sent_as_someone_else(page, live_app, browser):
    signed_in(page)
    controlled(page)
    owner = int(page.evaluate("document.body.dataset.user"))
    page.evaluate("""(owner) => CompanionQueue.put({id: crypto.randomUUID(), owner: owner + 1000, state: 'waiting',
        created: Date.now(), method: 'POST', url: '/api/v1/logs', label: 'A craving, 3 out of 10',
        body: {id: crypto.randomUUID(), kind: 'craving', intensity: 3}})""", owner)
    page.goto("/journal")
    page.wait_for_load_state("networkidle")
    assert entries(live_app) == []  # another account's entry is not sent as this one's
    assert page.locator("[data-queue-status]").is_hidden()  # nor shown to this one


def test_signing_out_warns_of_what_waits_then_clears_the_phone(page, live_app):
    signed_in(page)
    controlled(page)
    page.goto("/settings")
    page.context.set_offline(True)
    page.evaluate("""async () => {
        await CompanionQueue.put({id: crypto.randomUUID(), owner: Number(document.body.dataset.user), state: 'waiting',
            created: Date.now(), method: 'POST', url: '/api/v1/logs', label: 'A craving, 5 out of 10',
            body: {id: crypto.randomUUID(), kind: 'craving', intensity: 5}});
        navigator.serviceWorker.dispatchEvent(new MessageEvent('message', {data: {type: 'queue-changed'}}));
    }""")
    expect(page.locator("[data-queue-status]")).to_contain_text("1 entry is waiting to send")
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page.locator("[data-sign-out-warning]")).to_contain_text("1 entry has not been sent yet")
    assert page.url.endswith("/settings")  # not signed out behind the person's back

    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    page.locator("[data-queue-status]").wait_for(state="hidden")  # sent after all
    assert len(entries(live_app)) == 1
    page.get_by_role("button", name="Sign out", exact=True).click()
    page.wait_for_url(re.compile(r"/login$"))
    page.wait_for_load_state("networkidle")
    # The sign-in page may install the generic shell again (nothing personal is in it); nothing else is left.
    left = page.evaluate("""async () => {
        const urls = [];
        for (const key of await caches.keys()) {
            for (const request of await (await caches.open(key)).keys()) {
                const url = new URL(request.url);
                urls.push(url.pathname + url.search);
            }
        }
        return {urls, databases: (await indexedDB.databases()).map((d) => d.name)};
    }""")
    assert left["databases"] == []
    shell = page.evaluate("async () => (await (await fetch('/sw.js')).text()).split('\\n')[0]")
    assert all(f'"{url}"' in shell for url in left["urls"]), left["urls"]


def test_a_push_from_the_worker_shows_a_discreet_notification_and_opens_the_inbox(page, live_app, live_server,
                                                                                 push_server):
    """Chromium's own push service is out of reach here, so the test plays it: the page subscribes through a
    PushManager that answers with the loopback endpoint, the worker sends, the endpoint decrypts, and the
    decrypted message is delivered to the service worker as a push event."""
    receiver = push_server.receiver("browser")
    subscription = receiver.subscription()
    page.context.grant_permissions(["notifications"], origin=live_server)
    page.add_init_script(f"""
        PushManager.prototype.subscribe = async function () {{
            const json = {json.dumps(subscription)};
            return {{endpoint: json.endpoint, toJSON: () => json, unsubscribe: async () => true}};
        }};
        PushManager.prototype.getSubscription = async function () {{ return null; }};
    """)
    signed_in(page)
    controlled(page)
    page.goto("/settings/reminders")  # its own page since Settings was split
    page.get_by_role("button", name="Turn on notifications on this phone").click()
    page.get_by_text("Notifications are on for this phone.").wait_for()

    due = enrolled_in_a_group_starting_in_two_hours(live_app)
    with live_app.app_context():
        counts = dispatch(due)
        db.session.remove()
    assert counts.failed == 0 and counts.sent >= 1
    [payload] = push_server.received["/push/browser"]
    assert payload["title"] == "Companion: you have a reminder" and "body" not in payload

    worker = page.context.service_workers[0]
    shown = worker.evaluate("""async (payload) => {
        const data = new TextEncoder().encode(JSON.stringify(payload));
        self.dispatchEvent(new PushEvent('push', {data}));
        for (let i = 0; i < 50; i++) {
            const found = await self.registration.getNotifications();
            if (found.length) return found.map((n) => ({title: n.title, body: n.body, url: n.data.url}));
            await new Promise((resolve) => setTimeout(resolve, 100));
        }
        return [];
    }""", payload)
    assert shown == [{"title": "Companion: you have a reminder", "body": "", "url": payload["url"]}]
    worker.evaluate("""async () => {
        const [notification] = await self.registration.getNotifications();
        self.dispatchEvent(new NotificationEvent('notificationclick', {notification}));
    }""")
    page.wait_for_url(re.compile(re.escape(payload["url"]) + "$"))


def test_quick_exit_leaves_for_a_neutral_site_and_clears_the_cache(lenient_page, live_server):
    page = lenient_page
    page.route("https://www.weather.gov/**", lambda route: route.fulfill(body="<title>Weather</title>weather",
                                                                         content_type="text/html"))
    signed_in(page)
    controlled(page)
    other_tab = page.context.new_page()
    other_tab.goto("/offline")
    assert other_tab.evaluate("async () => (await caches.keys()).length") == 1
    page.get_by_role("link", name="Quick exit").click()
    page.wait_for_url("https://www.weather.gov/")
    assert other_tab.evaluate("async () => (await caches.keys()).length") == 0
    page.go_back()  # the page left is not in the history: "back" skips it
    assert page.url != f"{live_server}/"
    page.goto(f"{live_server}/help")  # back in the app: the service worker keeps its shell again
    until(page, "async () => (await caches.keys()).length === 1")


def test_a_pin_locks_the_installed_app_when_it_opens(page, screenshot):
    signed_in(page)
    page.goto("/settings/security")  # its own page since Settings was split
    page.get_by_role("link", name="Set a PIN").click()
    page.get_by_label("A PIN of 4 to 8 digits").fill("1234")
    page.get_by_label("The same PIN again").fill("1234")
    page.get_by_role("button", name="Turn on the PIN lock").click()
    expect(page.locator(".error")).to_contain_text("easy to guess")
    page.get_by_label("A PIN of 4 to 8 digits").fill("2580")
    page.get_by_label("The same PIN again").fill("2580")
    page.get_by_role("button", name="Turn on the PIN lock").click()
    page.wait_for_url(re.compile(r"/settings/security$"))
    assert axe_violations(page) == []

    page.goto("/launch")  # the manifest's start_url: how the installed app opens
    page.wait_for_url(re.compile(r"/unlock$"))
    screenshot("unlock")
    assert axe_violations(page) == []
    page.get_by_role("link", name="Get help now").click()
    page.wait_for_url(re.compile(r"/help$"))  # crisis help stays open while locked
    page.goto("/journal")
    page.wait_for_url(re.compile(r"/unlock\?next="))
    page.get_by_label("Your PIN").fill("2580")
    page.get_by_role("button", name="Unlock").click()
    page.wait_for_url(re.compile(r"/journal$"))
