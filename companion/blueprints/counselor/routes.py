"""Counselor pages."""

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from companion.blueprints.counselor import bp, services
from companion.blueprints.counselor.forms import SuggestGoalForm
from companion.blueprints.privacy.ledger import REDISCLOSURE_NOTICE
from companion.errors import Invalid
from companion.forms import apply_errors
from companion.models import Role
from companion.roles import role_required

SORTS = {
    "name": lambda row: row["name"].lower(),
    "progress": lambda row: min((g["progress"] for g in row["goals"]), default=101),
    "flags": lambda row: -len(row["flags"]),
}


@bp.before_request
@login_required
@role_required(Role.COUNSELOR)
def require_counselor():
    """Only counselors have a caseload."""


@bp.app_context_processor
def notice():
    return {"redisclosure_notice": REDISCLOSURE_NOTICE}


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
    return render_template("counselor/participant.html", **view, suggest=SuggestGoalForm())


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
            flash("Suggested. They can add it to their goals or say not now.", "success")
            return redirect(url_for("counselor.participant", participant_id=participant_id), code=303)
    view = services.participant_view(current_user, participant_id)
    return render_template("counselor/participant.html", **view, suggest=form), 422


@bp.post("/caseload/goals/<int:goal_id>/encourage")
def encourage(goal_id: int):
    """Leave a note of encouragement on a shared goal."""
    note = services.encourage(current_user, goal_id, request.form.get("body", ""))
    flash("Your note is on their goal.", "success")
    return redirect(url_for("counselor.participant", participant_id=note.user_id), code=303)
