"""Every page type, signed out and in every role, on a 360 px phone in light and dark: axe finds nothing,
nothing scrolls sideways, every tap target is at least 44 × 44 CSS px and every form control has a name.

One seeded app serves the whole module (the demo program plus what the demo leaves out); each test only
opens a fresh browser context with the cookies of a sign-in made once per role.

GET routes deliberately left out (none is a page a person reads in the browser):
- /caseload.csv, /privacy/who-saw-what.csv, /privacy/export.json, /privacy/export.fhir.json: file exports;
- /sessions/calendar/<token>.ics: the calendar feed, read by the phone's calendar app;
- /support/safety-plan/download and /support/aftercare/download are attachments; their HTML is a page a
  person keeps on the phone, so it is checked below by loading the downloaded file's text;
- /static/..., /api/v1/...: files and JSON.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from companion import create_app
from companion.blueprints.auth.services import make_reset_token
from companion.blueprints.counselor import services as counselor_services
from companion.blueprints.journal import services as journal_services
from companion.blueprints.privacy import ledger
from companion.blueprints.sessions import services as session_services
from companion.blueprints.support import services as support_services
from companion.config import TestConfig
from companion.demo import DEMO_PEOPLE, seed_demo
from companion.extensions import db
from companion.models import Consent, Goal, Group, LogEntry, Meeting, Notification, Program, User
from tests.browser.conftest import PHONE, axe_violations, serving
from tests.conftest import empty

pytestmark = pytest.mark.browser

PASSWORDS = {email: password for email, _, _, password in DEMO_PEOPLE}
SIGN_INS = {"participant": "alex@example.org", "counselor": "counselor@example.org", "admin": "admin@example.org"}


def seed_every_page() -> dict:
    """The demo program, and the rows the demo leaves out; returns the ids the pages' addresses need."""
    seed_demo()
    program = db.session.scalar(select(Program).where(Program.slug == "demo"))
    people = {u.email: u for u in db.session.scalars(select(User))}
    alex, counselor = people["alex@example.org"], people["counselor@example.org"]
    goals = list(db.session.scalars(select(Goal).where(Goal.user_id == alex.id).order_by(Goal.id)))
    goal = goals[0]

    counselor_services.encourage(counselor, goal.id, "Three groups this week: that is real work. Keep going.")
    counselor_services.suggest_goal(counselor, alex.id, title="Plan one calm evening a week",
                                    why="Evenings are when the cravings come.", steps="Pick the evening\nPlan what to do")
    journal_services.create_custom_skill(alex, name="Text my sister", purpose="When I feel alone with it.",
                                         steps="Open our chat\nSay how I feel in one line\nAsk her to call")
    journal_services.set_favourite(alex, "urge-surfing", True)
    support_services.save_safety_plan(alex, {
        "warning_signs": ["Skipping meals", "Not answering the phone"],
        "coping_strategies": ["Walk around the block", "Shower and change clothes"],
        "distractions": [{"name": "The coffee shop on Main Street", "phone": ""}],
        "people": [{"name": "My sister", "phone": "555-0123"}],
        "professionals": support_services.empty_safety_plan()["professionals"],
        "environment": ["Give my car keys to my sister on Fridays"],
        "reasons": ["My daughter", "Seeing the ocean again"],
    })
    support_services.add_resource(program, {"name": "Riverside clinic line", "description": "Weekdays 8 to 6.",
                                            "url": "https://example.org/riverside", "phone": "555-0100"})
    now = datetime.now(UTC)
    db.session.add_all([
        Notification(user_id=alex.id, title="Companion: you have a reminder", body="Evening group in 1 hour",
                     url="/sessions", created_at=now - timedelta(hours=1)),
        Notification(user_id=alex.id, title="Companion: you have a reminder", body="Time for your check-in",
                     url="/journal/checkin", created_at=now - timedelta(days=1), read_at=now - timedelta(hours=20)),
    ])
    db.session.commit()
    consents = list(db.session.scalars(select(Consent).where(Consent.participant_id == alex.id)))
    ledger.record(counselor, consents, "view", "Shared goals and check-ins")

    group = db.session.scalar(select(Group).where(Group.program_id == program.id))
    upcoming = session_services.group_occurrences(group, now - timedelta(days=7), now + timedelta(days=14))
    past = [o for o in upcoming if o.starts_at < now]
    session_services.mark_attendance(counselor, group, past[-1].key, {alex.id})
    future = [o for o in upcoming if o.starts_at > now]
    session_services.cancel_occurrence(group, future[1].key)

    entry = db.session.scalar(select(LogEntry).where(LogEntry.user_id == alex.id).order_by(LogEntry.occurred_at.desc()))
    meeting = db.session.scalar(select(Meeting).where(Meeting.slug == "young-people-in-recovery"))
    return {
        "goal": goal.id, "step": goal.steps[0].id, "entry": entry.id, "skill": "urge-surfing",
        "custom_skill": journal_services.custom_slug("Text my sister"), "meeting": meeting.id,
        "group": group.id, "occurrence": past[-1].key, "participant": alex.id,
        "reset_token": make_reset_token(people["maria@example.org"]),
    }


@pytest.fixture(scope="module")
def live_app(database_uri, tmp_path_factory):
    """One app over the seeded database for the whole module (overrides the per-test one in conftest)."""
    app = create_app(TestConfig(database_uri))
    app.instance_path = str(tmp_path_factory.mktemp("instance"))
    yield app
    empty(app)


@pytest.fixture(scope="module")
def live_server(live_app):
    """The seeded app on 127.0.0.1 for the whole module; yields its base URL."""
    with serving(live_app) as url:
        yield url


@pytest.fixture(scope="module")
def ids(live_app) -> dict:
    """The seeded database's ids that the pages' addresses need."""
    with live_app.app_context():
        return seed_every_page()


@pytest.fixture(scope="module")
def cookies(browser, live_server, ids) -> dict[str, list]:
    """The session cookies of one sign-in per role, made once through the sign-in page."""
    found = {None: []}
    for role, email in SIGN_INS.items():
        context = browser.new_context(base_url=live_server, **PHONE)
        page = context.new_page()
        page.goto("/login")
        page.get_by_label("E-mail").fill(email)
        page.get_by_label("Password").fill(PASSWORDS[email])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(re.compile(r"/(caseload|admin)?$"))
        found[role] = context.cookies()
        context.close()
    return found


@dataclass(frozen=True)
class Page:
    name: str
    role: str | None  # None: signed out
    path: str  # formatted with the seeded ids
    status: int = 200
    lands: str | None = None  # where the page ends up, when it redirects
    submit: str | None = None  # a button to press first, sending the form empty to see its errors

    def __str__(self) -> str:
        return self.name


PAGES = [
    # Signed out
    Page("login", None, "/login"),
    Page("register", None, "/register"),
    Page("register-errors", None, "/register", submit="Create account"),
    Page("reset-request", None, "/reset"),
    Page("reset-form", None, "/reset/{reset_token}"),
    Page("reset-expired", None, "/reset/not-a-real-token", lands="/reset"),
    Page("help-signed-out", None, "/help"),
    Page("not-found-signed-out", None, "/no-such-page", 404),
    Page("offline-signed-out", None, "/offline"),
    # A participant
    Page("today", "participant", "/"),
    Page("goals", "participant", "/goals"),
    Page("goal-templates", "participant", "/goals/new"),
    Page("goal-write", "participant", "/goals/new/write"),
    Page("goal-write-errors", "participant", "/goals/new/write", submit="Save my goal"),
    Page("goal-from-template", "participant", "/goals/new/write?template=sleep-routine"),
    Page("goal", "participant", "/goals/{goal}"),
    Page("goal-edit", "participant", "/goals/{goal}/edit"),
    Page("goal-delete", "participant", "/goals/{goal}/delete"),
    Page("step-edit", "participant", "/steps/{step}/edit"),
    Page("journal", "participant", "/journal"),
    Page("craving", "participant", "/log/craving"),
    Page("trigger", "participant", "/log/trigger"),
    Page("coping", "participant", "/log/coping"),
    Page("entry", "participant", "/log/{entry}"),
    Page("checkin", "participant", "/journal/checkin"),
    Page("sober", "participant", "/journal/sober"),
    Page("skills", "participant", "/journal/skills"),
    Page("skill", "participant", "/journal/skills/{skill}"),
    Page("custom-skill", "participant", "/journal/skills/{custom_skill}"),
    Page("custom-skill-new", "participant", "/journal/skills/new"),
    Page("custom-skill-edit", "participant", "/journal/skills/{custom_skill}/edit"),
    Page("insights", "participant", "/journal/insights"),
    Page("insights-90", "participant", "/journal/insights?days=90"),
    Page("sessions", "participant", "/sessions"),
    Page("support", "participant", "/support"),
    Page("meetings-today", "participant", "/support/meetings"),
    Page("meetings-search", "participant", "/support/meetings?q=&day=&time_of_day=&how=&type="),
    Page("meeting", "participant", "/support/meetings/{meeting}"),
    Page("saved-meetings", "participant", "/support/saved"),
    Page("safety-plan", "participant", "/support/safety-plan"),
    Page("safety-plan-edit", "participant", "/support/safety-plan/edit"),
    Page("aftercare", "participant", "/support/aftercare"),
    Page("aftercare-edit", "participant", "/support/aftercare/edit"),
    Page("settings", "participant", "/settings"),
    Page("settings-reminders", "participant", "/settings/reminders"),
    Page("settings-calendar", "participant", "/settings/calendar"),
    Page("settings-security", "participant", "/settings/security"),
    Page("summary", "participant", "/privacy/summary"),
    Page("after-use", "participant", "/journal/after-use"),
    Page("log-coping", "participant", "/log/coping?skill=urge-surfing"),
    Page("inbox", "participant", "/notifications"),
    Page("privacy", "participant", "/privacy"),
    Page("consent-new", "participant", "/privacy/consents/new"),
    Page("consent-errors", "participant", "/privacy/consents/new", submit="Sign this consent"),
    Page("who-saw-what", "participant", "/privacy/who-saw-what"),
    Page("delete-account", "participant", "/privacy/delete"),
    Page("help", "participant", "/help"),
    Page("offline", "participant", "/offline"),
    Page("pin", "participant", "/settings/pin"),
    Page("pin-errors", "participant", "/settings/pin", submit="Turn on the PIN lock"),
    Page("not-found", "participant", "/goals/999999", 404),
    # A counselor
    Page("caseload", "counselor", "/caseload"),
    Page("caseload-by-name", "counselor", "/caseload?sort=name"),
    Page("caseload-participant", "counselor", "/caseload/{participant}"),
    Page("caseload-aftercare", "counselor", "/caseload/{participant}/aftercare"),
    Page("staff-sessions", "counselor", "/sessions"),
    Page("group-new", "counselor", "/sessions/groups/new"),
    Page("group", "counselor", "/sessions/groups/{group}"),
    Page("occurrence", "counselor", "/sessions/groups/{group}/sessions/{occurrence}"),
    Page("appointment-new", "counselor", "/sessions/appointments/new"),
    Page("staff-support", "counselor", "/support"),
    Page("staff-settings", "counselor", "/settings"),
    # An admin
    Page("admin", "admin", "/admin"),
    Page("support-admin", "admin", "/support/admin"),
    Page("admin-sessions", "admin", "/sessions"),
]

# The page's own problems as one list of strings, so that a failure names every one of them.
TAP_TARGETS = """() => {
  const problems = [];
  const shown = el => el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true});
  const describe = el => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}` +
    `${el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : ''}` +
    ` "${(el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40)}"`;
  const block = el => {
    let up = el.parentElement;
    while (up && getComputedStyle(up).display.startsWith('inline')) up = up.parentElement;
    return up;
  };
  // WCAG 2.5.8's inline exception, narrowly: an inline link inside running text, that is, whose block holds
  // at least three words outside any link or button.
  const inSentence = el => {
    if (el.tagName !== 'A' || getComputedStyle(el).display !== 'inline') return false;
    const copy = block(el).cloneNode(true);
    copy.querySelectorAll('a, button').forEach(t => t.remove());
    return (copy.textContent.match(/[A-Za-z0-9]+/g) || []).length >= 3;
  };
  const targets = document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary');
  for (const el of targets) {
    let target = el;
    // A checkbox or radio is tapped through its label, which stands in for the small box.
    if (el.matches('input[type=checkbox], input[type=radio]') && el.labels && el.labels.length) target = el.labels[0];
    if (!shown(target)) continue;
    const box = target.getBoundingClientRect();
    if (box.width <= 1 && box.height <= 1) continue;  // visually hidden for screen readers only
    if (inSentence(target)) continue;
    if (box.width < 43.5 || box.height < 43.5) {
      problems.push(`${describe(target)} is ${box.width.toFixed(0)}x${box.height.toFixed(0)}`);
    }
  }
  return problems;
}"""

CONTROL_ROLES = {"textbox", "searchbox", "combobox", "listbox", "checkbox", "radio", "spinbutton", "slider",
                 "switch", "button", "menuitemcheckbox", "menuitemradio", "TextField", "Date", "DateTime",
                 "InputTime"}


def unnamed_controls(page) -> list[str]:
    """Form controls (and buttons) whose accessible name, as Chromium computes it, is empty."""
    cdp = page.context.new_cdp_session(page)
    try:
        nodes = cdp.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        cdp.detach()
    return [f"{node['role']['value']} (backend node {node.get('backendDOMNodeId')})" for node in nodes
            if not node.get("ignored") and node.get("role", {}).get("value") in CONTROL_ROLES
            and not (node.get("name", {}).get("value") or "").strip()]


def fits_the_screen(page) -> bool:
    """Nothing scrolls sideways. On a phone (``is_mobile``) ``innerWidth`` grows with content that overflows,
    so the screen's width is the root element's ``clientWidth``, which does not."""
    return page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")


def open_everything(page) -> None:
    """Open every <details>, so that what is folded away is checked too."""
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")


def visit(page, cookies, ids, spec: Page) -> None:
    """Open the page as the spec's role (and send its form empty, when it says so)."""
    page.context.add_cookies(cookies[spec.role])
    path = spec.path.format(**ids)
    response = page.goto(path)
    assert response.status == spec.status, (path, response.status)
    here = urlsplit(page.url)
    assert here.path + (f"?{here.query}" if here.query else "") == (spec.lands or path), page.url
    if spec.submit:
        with page.expect_navigation():
            page.get_by_role("button", name=spec.submit, exact=True).click()
        assert page.locator(".form-errors").is_visible()


def problems_on(page) -> list[str]:
    """Everything wrong with the page as it is now, in light and dark, one line each."""
    open_everything(page)
    found = []
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        found += [f"{scheme}: axe {v['id']} ({v['help']}) at {v['nodes']}" for v in axe_violations(page)]
        if not fits_the_screen(page):
            found.append(f"{scheme}: scrolls sideways at {page.viewport_size['width']} px")
    found += [f"small tap target: {problem}" for problem in page.evaluate(TAP_TARGETS)]
    found += [f"no accessible name: {control}" for control in unnamed_controls(page)]
    return found


@pytest.mark.parametrize("spec", PAGES, ids=str)
def test_every_page_passes_axe_fits_a_phone_and_has_big_enough_targets(page, cookies, ids, spec):
    visit(page, cookies, ids, spec)
    problems = problems_on(page)
    assert not problems, "\n".join(problems)


def test_the_downloadable_plans_pass_axe_too(page, cookies):
    """The safety and aftercare plans a person keeps on the phone as a file are pages too."""
    page.context.add_cookies(cookies["participant"])
    for path in ("/support/safety-plan/download", "/support/aftercare/download"):
        response = page.request.get(path)
        assert response.status == 200
        page.set_content(response.text())
        problems = problems_on(page)
        assert not problems, path + ":\n" + "\n".join(problems)


REFLOW_PAGES = [spec for spec in PAGES if spec.name in {
    "login", "register", "help-signed-out", "today", "goal", "craving", "checkin", "insights", "meetings-search",
    "safety-plan", "safety-plan-edit", "settings", "who-saw-what", "caseload", "caseload-participant", "admin"}]


@pytest.mark.parametrize("spec", REFLOW_PAGES, ids=str)
def test_key_pages_reflow_at_200_percent_zoom(page, cookies, ids, spec):
    """At 200 % zoom a 360 px phone is 180 CSS px wide: nothing may need sideways scrolling (WCAG 1.4.10)."""
    page.set_viewport_size({"width": 180, "height": 370})
    visit(page, cookies, ids, spec)
    open_everything(page)
    assert fits_the_screen(page), page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
        " > document.documentElement.clientWidth + 0.5)"
        ".slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))")


FOCUS_RING = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  // Inside a date or time field the last stop is the browser's own calendar button, which the page cannot
  // style and Chromium rings itself: the field is then active without matching :focus.
  if (el.matches('input[type=date], input[type=time], input[type=datetime-local]') && !el.matches(':focus')) return '';
  const ringed = node => {
    const style = getComputedStyle(node);
    return (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2) || style.boxShadow !== 'none';
  };
  // A radio or checkbox drawn as a button shows the ring on its label.
  if (ringed(el) || [...(el.labels || [])].some(ringed)) return '';
  return `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}[${el.type || ""}] "${(el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40)}"`;
}"""


@pytest.mark.parametrize("spec", REFLOW_PAGES, ids=str)
def test_key_pages_show_where_the_keyboard_focus_is(page, cookies, ids, spec):
    """Tabbing through the page, every element that takes the focus shows a ring (WCAG 2.4.7)."""
    visit(page, cookies, ids, spec)
    unringed, seen = [], 0
    for _ in range(120):
        page.keyboard.press("Tab")
        found = page.evaluate(FOCUS_RING)
        if found is None:
            break
        seen += 1
        if found:
            unringed.append(found)
    assert seen > 2 and unringed == []
