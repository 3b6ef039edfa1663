"""What leaves Companion outside a page follows its recipient's language: reminders by e-mail, push and the
inbox (discreet wording too), the calendar feed, the CSV downloads, and dates in the agenda."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

from icalendar import Calendar
from sqlalchemy import select

from companion.blueprints.reminders import services
from companion.blueprints.reminders.dispatch import dispatch
from companion.blueprints.reminders.planner import plan
from companion.extensions import db
from companion.models import Notification, Reminder
from companion.models.base import utcnow
from tests.conftest import csrf_from
from tests.fixtures.sessions import alex, counselor, make_group, program, utc  # noqa: F401
from tests.test_reminders import NOW, SESSION, planning_clock, push_server, subscribe  # noqa: F401


def spanish(user):
    user.language = "es"
    db.session.commit()
    return user


def test_a_discreet_reminder_reaches_a_spanish_speaker_in_spanish(make_group, alex, smtp_server, push_server):
    spanish(alex)
    services.update_settings(alex, lead_minutes=[60])
    make_group([alex], start_date=date(2026, 1, 5))
    subscribe(alex, push_server)
    plan(NOW)
    assert dispatch(SESSION - timedelta(hours=1)).sent == 3
    [mail] = smtp_server.inbox.messages
    assert mail["Subject"] == "Companion: tienes un recordatorio"
    assert "Abre Companion para verlo." in mail.get_content() and "ajustes de Companion" in mail.get_content()
    assert push_server.received == {"/push/phone": [{"title": "Companion: tienes un recordatorio", "url": "/notifications"}]}
    [note] = db.session.scalars(select(Notification)).all()
    assert note.title == "Evening group"  # the group's own name, as its counselor wrote it
    assert note.body.startswith("Evening group, Lunes, 2 de febrero a las ")
    assert re.search(r"a las \d+:\d\d [ap]\.\s?m\.$", note.body)  # no second full stop after "p. m."


def test_a_reminder_with_details_is_in_spanish_and_an_english_one_stays_english(make_group, alex, smtp_server,
                                                                                push_server):
    services.update_settings(spanish(alex), lead_minutes=[60], discreet=False, checkin_time=None)
    make_group([alex], start_date=date(2026, 1, 5))
    subscribe(alex, push_server)
    plan(NOW)
    dispatch(SESSION - timedelta(hours=1))
    [payload] = push_server.received["/push/phone"]
    assert payload["title"] == "Companion: Evening group" and " a las " in payload["body"]


def test_app_written_reminder_titles_are_in_the_person_s_language(alex):
    from datetime import time

    services.update_settings(spanish(alex), checkin_time=time(20, 30))
    plan(NOW)
    titles = set(db.session.scalars(select(Reminder.title).where(Reminder.source_kind == "checkin")))
    assert "Registro diario" in titles and "Daily check-in" not in titles


def test_the_calendar_feed_of_a_spanish_speaker_is_in_spanish(app, client, auth, alex, make_group):
    spanish(alex)
    make_group([alex], name="Grupo de prevención de recaídas", start_date=utcnow().date())
    auth.login(alex.email)
    html = client.get("/settings/calendar").get_data(as_text=True)
    url = re.search(r'id="calendar-url"[^>]*value="http://localhost([^"]+)"', html).group(1)
    calendar = Calendar.from_ical(app.test_client().get(url).data)
    assert {str(e["SUMMARY"]) for e in calendar.walk("VEVENT")} == {"Cita de Companion"}


def test_the_agenda_names_the_days_in_spanish(client, auth, alex, make_group):
    spanish(alex)
    make_group([alex], start_date=utcnow().date() - timedelta(days=1))
    auth.login(alex.email)
    page = client.get("/sessions").get_data(as_text=True)
    assert re.search(r"(Hoy|Mañana|Lunes|Martes|Miércoles|Jueves|Viernes|Sábado|Domingo), \d+ de ", page)
    assert not re.search(r"\b(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)\b", page)


def test_the_who_saw_what_csv_is_headed_in_spanish(client, auth, alex):
    spanish(alex)
    auth.login(alex.email)
    header = next(csv.reader(io.StringIO(client.get("/privacy/who-saw-what.csv").get_data(as_text=True))))
    assert header == ["cuándo", "quién", "rol", "acción", "qué", "propósito", "cuenta"]


def test_the_reset_e_mail_follows_the_account_s_language(client, alex, smtp_server):
    spanish(alex)
    page = client.get("/reset").get_data(as_text=True)  # an English page: the e-mail follows the account
    client.post("/reset", data={"email": alex.email, "csrf_token": csrf_from(page)})
    [mail] = smtp_server.inbox.messages
    assert mail["Subject"] == "Restablece tu contraseña de Companion"
    assert mail.get_content().startswith(f"Hola, {alex.name}:")


def test_scripts_get_their_words_in_the_page_s_language_and_english_pages_carry_none(client):
    import json

    spanish_page = client.get("/login?lang=es").get_data(as_text=True)
    import html

    # The words travel in a <meta> (no inline script: the CSP forbids it), read by the scripts as its content.
    block = re.search(r'<meta name="script-text" id="script-text" content="(.*?)">', spanish_page).group(1)
    words = json.loads(html.unescape(block))
    assert words["{n} entries are waiting to send."] == "{n} anotaciones están esperando para enviarse."
    assert words["Saved on this phone. It will be sent when you're back online."].startswith("Guardado en este teléfono")
    assert 'id="script-text"' not in client.get("/login?lang=en").get_data(as_text=True)


def test_the_service_worker_carries_its_words_for_each_language_and_the_manifest_is_in_the_page_s(client):
    import json

    source = client.get("/sw.js").get_data(as_text=True)
    shell = json.loads(re.match(r"const SHELL = (.*?);\n", source).group(1))
    assert shell["text"]["es"]["Companion: you have a reminder"] == "Companion: tienes un recordatorio"
    manifest = client.get("/manifest.webmanifest?lang=es").get_json(force=True)
    assert manifest["lang"] == "es" and manifest["description"].startswith("Metas")


def test_who_saw_what_reads_in_spanish_while_the_ledger_keeps_english(app):
    from companion.blueprints.privacy.ledger import ledger_what

    with app.app_context(), app.test_request_context("/?lang=es"):  # a context of its own: the language is per request
        assert ledger_what("participant page: shared goals with steps, recent check-ins") == (
            "la página del participante: las metas compartidas con sus pasos, los registros diarios recientes")
        assert ledger_what("attendance: Evening group, 2026-02-02 18:00") == "la asistencia: Evening group, 2026-02-02 18:00"
        assert ledger_what("Something a counselor page wrote before") == "Something a counselor page wrote before"
    with app.app_context(), app.test_request_context("/"):
        assert ledger_what("aftercare plan") == "aftercare plan"


def test_a_consent_signed_in_spanish_keeps_the_revocation_statement_as_it_was_read(client, auth, alex, counselor):
    from companion.models import Consent

    spanish(alex)
    auth.login(alex.email)
    page = client.get("/privacy/consents/new").get_data(as_text=True)
    assert "Puedo revocar este consentimiento en cualquier momento" in page
    response = client.post("/privacy/consents/new", data={
        "csrf_token": csrf_from(page), "counselor_id": str(counselor.id), "scopes": ["goals"],
        "purpose": "Apoyar mi tratamiento", "expires_on": (date.today() + timedelta(days=30)).isoformat(),
        "signature": alex.name})
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    statement = db.session.scalar(select(Consent.revocation_statement).where(Consent.participant_id == alex.id))
    assert statement.startswith("Puedo revocar este consentimiento")


def test_every_script_word_is_looked_up_by_a_script_and_every_looked_up_word_is_translated():
    """A script that shows a literal instead of t("...") stays English on a Spanish page (offline.js did, after a
    merge kept its crisis-line links and dropped its lookups): each catalogued word is used through t(), and each
    t() word is catalogued."""
    from pathlib import Path

    from companion.script_text import SCRIPT_TEXT, _english

    static = Path(__file__).resolve().parent.parent / "companion" / "static"
    sources = {path.name: path.read_text() for path in [static / "sw.js", *sorted((static / "js").glob("*.js"))]}
    looked_up = {word for source in sources.values()
                 for word in re.findall(r'(?<![\w.])t\("((?:[^"\\]|\\.)*)"', source)}
    catalogued = {_english(text) for text in SCRIPT_TEXT}
    assert catalogued - looked_up == set(), "catalogued but shown without t()"
    assert looked_up - catalogued == set(), "looked up but not in companion/script_text.py"


def test_a_counselors_note_reaches_a_spanish_speakers_inbox_in_spanish(app, alex, counselor):
    from datetime import UTC, datetime

    from companion.models import Encouragement, Goal

    spanish(alex)
    goal = Goal(user_id=alex.id, title="Dormir a las once", shared=True)
    db.session.add(goal)
    db.session.flush()
    db.session.add(Encouragement(goal_id=goal.id, user_id=alex.id, counselor_id=counselor.id, body="¡Bien hecho!",
                                 created_at=datetime.now(UTC) - timedelta(minutes=2)))
    db.session.commit()
    dispatch(now=datetime.now(UTC))
    titles = db.session.scalars(select(Notification.title).where(Notification.user_id == alex.id)).all()
    assert titles == [f"{counselor.name} te dejó una nota"]
