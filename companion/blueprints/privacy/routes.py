"""Privacy pages for participants."""

import csv
import io
from datetime import datetime, timedelta

from flask_babel import gettext as _, pgettext

from flask import Response, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from companion.access import local_today
from companion.blueprints.auth.sign_in_sessions import clear_device, end_session
from companion.blueprints.goals import services as goal_services
from companion.blueprints.journal import charts, services as journal_services
from companion.blueprints.journal.forms import TRIGGER_LABELS
from companion.blueprints.privacy import bp, fhir, ledger, services
from companion.blueprints.privacy.forms import ConsentForm, DeleteAccountForm
from companion.blueprints.support import services as support_services
from companion.blueprints.support.library import SAFETY_STEPS
from companion.errors import Invalid
from companion.forms import apply_errors
from companion.models.privacy import REVOCATION_STATEMENT, SCOPE_LABELS
from companion.spreadsheets import safe_cell
from companion.timezones import zone




@bp.before_request
@login_required
def require_login():
    """Every privacy page is personal."""


@bp.get("/privacy")
def index():
    """My consents, who saw what, and my data."""
    today = local_today(current_user)
    consents = services.consents_of(current_user)
    return render_template("privacy/index.html", consents=consents, today=today, status=services.consent_status,
                           entries=ledger.entries_about(current_user)[:5], scope_labels=SCOPE_LABELS)


@bp.route("/privacy/consents/new", methods=["GET", "POST"])
def new_consent():
    """Sign a consent for one counselor to see some of my information."""
    counselors = services.counselors_of(current_user)
    form = ConsentForm()
    form.counselor_id.choices = [SelectChoice(str(c.id), c.name) for c in counselors]
    if request.method == "GET":
        form.expires_on.data = local_today(current_user) + timedelta(days=90)
        form.scopes.data = ["goals"]
    if form.validate_on_submit():
        try:
            services.grant_consent(current_user, counselor_id=form.counselor_id.data, scopes=form.scopes.data,
                                   purpose=form.purpose.data, expires_on=form.expires_on.data, signature=form.signature.data,
                                   medication_names=bool(form.medication_names.data))
        except Invalid as error:
            apply_errors(form, error)
        else:
            flash(_("Your consent is signed. You can revoke it here at any time."), "success")
            return redirect(url_for("privacy.index"), code=303)
    return render_template("privacy/consent_form.html", form=form, counselors=counselors,
                           revocation=_(REVOCATION_STATEMENT)), 422 if request.method == "POST" else 200


@bp.post("/privacy/consents/<int:consent_id>/revoke")
def revoke(consent_id: int):
    """Revoke a consent at once."""
    consent = services.revoke_consent(current_user, consent_id)
    flash(_("Revoked. %(counselor)s can no longer see anything under this consent.", counselor=consent.counselor.name), "success")
    return redirect(url_for("privacy.index"), code=303)


@bp.get("/privacy/who-saw-what")
def audit():
    """Every staff look at or export of my shared information."""
    actor = request.args.get("who", "").strip()[:100]
    entries = ledger.entries_about(current_user, actor=actor or None)
    return render_template("privacy/audit.html", entries=entries, who=actor)


@bp.get("/privacy/who-saw-what.csv")
def audit_csv():
    """Download who saw what."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([pgettext("CSV header", "when"), pgettext("CSV header", "who"), pgettext("CSV header", "role"),
                     pgettext("CSV header", "action"), pgettext("CSV header", "what"), pgettext("CSV header", "purpose"),
                     pgettext("CSV header", "account")])
    for entry in ledger.entries_about(current_user):
        writer.writerow([safe_cell(cell) for cell in (entry.at.isoformat(), entry.actor_name, entry.actor_role,
                                                      entry.action, entry.what, entry.purpose, entry.actor_email)])
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="companion-who-saw-what.csv"'})


@bp.get("/privacy/summary")
def summary():
    """A summary of my goals, journal and plans, laid out to print or to bring to a new counselor."""
    insights = journal_services.insights(current_user, 30)
    safety, safety_saved = support_services.safety_plan_for(current_user)
    return render_template("privacy/summary.html", now=datetime.now(zone(current_user.timezone)),
                           goals=goal_services.goals_for(current_user, ["active", "done"]),
                           sober=journal_services.sober_status(current_user), insights=insights,
                           sentences=charts.sentences(insights, TRIGGER_LABELS),
                           checkins=journal_services.list_checkins(current_user, since=insights["since"]),
                           content=safety, safety_saved=safety_saved, steps=SAFETY_STEPS,
                           plan=support_services.aftercare_plan_for(current_user))


@bp.get("/privacy/export.json")
def export_json():
    """Download all my data as JSON."""
    body = current_app.json.dumps(services.export_data(current_user), indent=2)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="companion-my-data.json"'})


@bp.get("/privacy/export.fhir.json")
def export_fhir():
    """Download all my data as a FHIR R4 Bundle."""
    body = current_app.json.dumps(fhir.bundle(current_user, services.export_data(current_user)), indent=2)
    return Response(body, mimetype="application/fhir+json",
                    headers={"Content-Disposition": 'attachment; filename="companion-my-data.fhir.json"'})


@bp.route("/privacy/delete", methods=["GET", "POST"])
def delete_account():
    """Delete my account and everything in it, after a clear confirmation."""
    form = DeleteAccountForm()
    if form.validate_on_submit():
        try:
            services.delete_account(current_user, form.password.data)
        except Invalid as error:
            apply_errors(form, error)
        else:
            end_session()
            flash(_("Your account and everything in it have been deleted. We wish you well."), "info")
            response = clear_device(redirect(url_for("auth.login"), code=303))
            return response
    return render_template("privacy/delete.html", form=form), 422 if request.method == "POST" else 200
