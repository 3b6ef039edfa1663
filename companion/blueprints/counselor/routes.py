"""Counselor pages."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from companion.access import shared_goal
from companion.blueprints.counselor import bp, services
from companion.blueprints.counselor.forms import SuggestGoalForm
from companion.blueprints.journal.forms import TRIGGER_LABELS
from companion.blueprints.support import services as support_services
from companion.blueprints.support.forms import AftercareForm, add_blank_rows, aftercare_data, aftercare_form_data
from companion.errors import Conflict, Invalid
from companion.forms import apply_errors
from companion.models import Role
from companion.roles import required

SORTS = {
    "name": lambda row: row["name"].lower(),
    "progress": lambda row: min((g["progress"] for g in row["goals"]), default=101),
    "flags": lambda row: -len(row["flags"]),
}


@bp.before_request
@required(Role.COUNSELOR)
def require_counselor():
    """Only counselors have a caseload."""


@bp.get("/caseload")
def caseload():
    """Everyone who consented to me, with the progress they shared."""
    sort = request.args.get("sort", "flags")
    rows = services.caseload(current_user)
    rows.sort(key=SORTS.get(sort, SORTS["flags"]))
    return render_template("counselor/caseload.html", rows=rows, sort=sort if sort in SORTS else "flags",
                           flag_labels=services.FLAG_LABELS)


@bp.get("/caseload.csv")
def caseload_csv():
    """Download the caseload's shared progress (with the redisclosure notice)."""
    return Response(services.caseload_csv(current_user), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="caseload.csv"'})


@bp.get("/caseload/<int:participant_id>")
def participant(participant_id: int):
    """What one participant shared with me."""
    view = services.participant_view(current_user, participant_id)
    return render_template("counselor/participant.html", **view, suggest=SuggestGoalForm(), trigger_labels=TRIGGER_LABELS)


@bp.post("/caseload/<int:participant_id>/suggest")
def suggest(participant_id: int):
    """Suggest a goal to a participant."""
    form = SuggestGoalForm()
    if form.validate_on_submit():
        try:
            services.suggest_goal(current_user, participant_id, title=form.title.data, why=form.why.data or "",
                                  steps=form.steps.data or "")
        except Invalid as error:
            apply_errors(form, error)
        else:
            flash(_("Suggested. They can add it to their goals or say not now."), "success")
            return redirect(url_for("counselor.participant", participant_id=participant_id), code=303)
    view = services.participant_view(current_user, participant_id)
    return render_template("counselor/participant.html", **view, suggest=form, trigger_labels=TRIGGER_LABELS), 422


@bp.route("/caseload/<int:participant_id>/aftercare", methods=["GET", "POST"])
def aftercare(participant_id: int):
    """Write or change a participant's aftercare plan with them, under their consent."""
    form = AftercareForm()
    status, conflict = 200, False
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                services.save_aftercare(current_user, participant_id, aftercare_data(form),
                                        expected_version=form.version.data)
            except Invalid as error:
                apply_errors(form, error)
            except Conflict as error:
                form.form_errors.append(error.detail)
                status, conflict = 409, True
            else:
                flash(_("The aftercare plan is saved. They see it on their aftercare page."), "success")
                return redirect(url_for("counselor.aftercare", participant_id=participant_id), code=303)
    # Checked (404) and recorded before anything of the plan is on the page, on every request.
    consent, plan = services.aftercare_plan(current_user, participant_id)
    if request.method == "GET":
        form = AftercareForm(formdata=None, data=aftercare_form_data(plan))
        add_blank_rows(form.contacts)
    if request.method == "GET" or conflict:
        # After a conflict the form is built on the plan now saved, so that the next save goes through.
        form.version.data = support_services.aftercare_version(plan)
    return render_template("counselor/aftercare.html", participant=consent.participant, consent=consent,
                           plan=plan, form=form, saved_now=plan if conflict else None), status


@bp.post("/caseload/goals/<int:goal_id>/encourage")
def encourage(goal_id: int):
    """Leave a note of encouragement on a shared goal; a refused note comes back on the participant's page, as typed."""
    typed = request.form.get("body", "")
    try:
        note = services.encourage(current_user, goal_id, typed)
    except Invalid as error:
        participant_id = shared_goal(current_user, goal_id).user_id
        view = services.participant_view(current_user, participant_id)
        message = " ".join((error.errors or {}).get("body") or [error.detail])
        note_error = {"goal_id": goal_id, "body": typed, "message": message}
        return render_template("counselor/participant.html", **view, suggest=SuggestGoalForm(),
                               trigger_labels=TRIGGER_LABELS, note_error=note_error), 422
    flash(_("Your note is on their goal."), "success")
    return redirect(url_for("counselor.participant", participant_id=note.user_id), code=303)
