"""Goal pages."""

from flask_babel import gettext as _
from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from companion.blueprints.auth.sign_in_sessions import safe_next
from companion.blueprints.goals import bp, services
from companion.blueprints.goals.forms import AddStepForm, GoalForm, NewGoalForm, StepForm, date_errors_friendly
from companion.blueprints.goals.library import TEMPLATES
from companion.errors import Invalid
from companion.forms import apply_errors
from companion.models import GoalStatus


@bp.before_request
@login_required
def require_login():
    """Every goal page is personal."""


@bp.get("/goals")
def index():
    """My goals, the active ones first."""
    goals = services.goals_for(current_user)
    active = [g for g in goals if g.status == GoalStatus.ACTIVE]
    others = [g for g in goals if g.status != GoalStatus.ACTIVE]
    return render_template("goals/index.html", active=active, others=others,
                           suggestions=services.open_suggestions(current_user))


@bp.post("/suggestions/<int:suggestion_id>")
def answer_suggestion(suggestion_id: int):
    """Accept or decline a goal a counselor suggested."""
    accept = request.form.get("answer") == "accept"
    goal = services.answer_suggestion(current_user, suggestion_id, accept)
    if goal is not None:
        flash(_("The suggested goal is now one of yours. Change it however you like."), "success")
        return redirect(url_for("goals.show", goal_id=goal.id), code=303)
    flash(_("Declined. Your counselor will see that it wasn't for you right now."), "info")
    return redirect(url_for("goals.index"), code=303)


@bp.get("/goals/new")
def new():
    """Choose a starter goal or write your own."""
    return render_template("goals/new.html", templates=TEMPLATES)


@bp.route("/goals/new/write", methods=["GET", "POST"])
def create():
    """Write a new goal, maybe starting from a template."""
    form = NewGoalForm(data=services.from_template(request.args.get("template", "")) if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            goal = services.create_goal(
                current_user, title=form.title.data, why=form.why.data or "", category=form.category.data,
                target_date=form.target_date.data, shared=form.shared.data,
                steps=[{"title": line} for line in (form.steps.data or "").splitlines()], template=form.template.data or None)
        except Invalid as error:
            apply_errors(form, error)
        else:
            flash(_("Your goal is saved. One small step at a time."), "success")
            return redirect(url_for("goals.show", goal_id=goal.id), code=303)
    date_errors_friendly(form)
    return render_template("goals/form.html", form=form, goal=None), 422 if request.method == "POST" else 200


@bp.get("/goals/<int:goal_id>")
def show(goal_id: int):
    """A goal with its steps."""
    goal = services.goal_for(current_user, goal_id)
    return render_template("goals/show.html", goal=goal, add_form=AddStepForm(), reorder=bool(request.args.get("reorder")),
                           notes=services.encouragement_for(current_user, goal))


@bp.route("/goals/<int:goal_id>/edit", methods=["GET", "POST"])
def edit(goal_id: int):
    """Change a goal's title, why, category, target date or sharing."""
    goal = services.goal_for(current_user, goal_id)
    form = GoalForm(obj=goal)
    if form.validate_on_submit():
        try:
            services.update_goal(current_user, goal, {
                "title": form.title.data, "why": form.why.data or "", "category": form.category.data,
                "target_date": form.target_date.data, "shared": form.shared.data})
        except Invalid as error:
            apply_errors(form, error)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("goals.show", goal_id=goal.id), code=303)
    date_errors_friendly(form)
    return render_template("goals/form.html", form=form, goal=goal), 422 if request.method == "POST" else 200


@bp.post("/goals/<int:goal_id>/status")
def set_status(goal_id: int):
    """Mark a goal done, archive it, or make it active again."""
    goal = services.goal_for(current_user, goal_id)
    status = request.form.get("status", "")
    services.update_goal(current_user, goal, {"status": status})
    messages = {"done": "Goal done. That took real effort. Well done.", "archived": "Goal put away. You can bring it back at any time.",
                "active": "Goal is active again."}
    flash(messages[status], "success")
    return redirect(url_for("goals.show", goal_id=goal.id), code=303)


@bp.post("/goals/<int:goal_id>/share")
def share(goal_id: int):
    """Share or stop sharing a goal's progress."""
    goal = services.goal_for(current_user, goal_id)
    shared = request.form.get("shared") == "1"
    services.update_goal(current_user, goal, {"shared": shared})
    flash(_("This goal is now shared with your counselor.") if shared else _("This goal is no longer shared."), "success")
    return redirect(url_for("goals.show", goal_id=goal.id), code=303)


@bp.route("/goals/<int:goal_id>/delete", methods=["GET", "POST"])
def delete(goal_id: int):
    """Delete a goal, after asking."""
    goal = services.goal_for(current_user, goal_id)
    if request.method == "POST":
        services.delete_goal(goal)
        flash(_("The goal is deleted."), "info")
        return redirect(url_for("goals.index"), code=303)
    return render_template("goals/delete.html", goal=goal)


@bp.post("/goals/<int:goal_id>/steps")
def add_step(goal_id: int):
    """Add a step at the end of a goal."""
    goal = services.goal_for(current_user, goal_id)
    form = AddStepForm()
    if form.validate_on_submit():
        try:
            services.add_step(goal, title=form.title.data, due_date=form.due_date.data)
        except Invalid as error:
            apply_errors(form, error)
        else:
            return redirect(url_for("goals.show", goal_id=goal.id, _anchor="steps"), code=303)
    date_errors_friendly(form)
    return render_template("goals/show.html", goal=goal, add_form=form,
                           notes=services.encouragement_for(current_user, goal)), 422


@bp.post("/steps/<int:step_id>/done")
def toggle_step(step_id: int):
    """Tick a step off, or untick it."""
    step = services.step_for(current_user, step_id)
    done = request.form.get("done") == "1"
    client_id = (request.form.get("client_id") or "").strip()[:64] or None
    services.set_done(current_user, step, done, client_id=client_id)
    if done and request.form.get("next"):  # ticked on Today, where the page reloads: say it was kept
        flash(_("Done: “%(step)s”. Well done.", step=step.title), "success")
    return redirect(safe_next(request.form.get("next")) if request.form.get("next") else
                    url_for("goals.show", goal_id=step.goal_id, _anchor=f"step-{step.id}"), code=303)


@bp.post("/steps/<int:step_id>/move")
def move_step(step_id: int):
    """Move a step one place up or down."""
    step = services.step_for(current_user, step_id)
    offset = -1 if request.form.get("direction") == "up" else 1
    services.move_step(step, max(0, step.position + offset))
    reorder = {"reorder": 1} if request.form.get("reorder") else {}  # stay in the Reorder mode
    return redirect(url_for("goals.show", goal_id=step.goal_id, _anchor=f"step-{step.id}", **reorder), code=303)


@bp.route("/steps/<int:step_id>/edit", methods=["GET", "POST"])
def edit_step(step_id: int):
    """Change a step's wording or due date."""
    step = services.step_for(current_user, step_id)
    form = StepForm(obj=step)
    if form.validate_on_submit():
        try:
            services.update_step(current_user, step, {"title": form.title.data, "due_date": form.due_date.data})
        except Invalid as error:
            apply_errors(form, error)
        else:
            return redirect(url_for("goals.show", goal_id=step.goal_id, _anchor=f"step-{step.id}"), code=303)
    date_errors_friendly(form)
    return render_template("goals/step_form.html", form=form, step=step), 422 if request.method == "POST" else 200


@bp.post("/steps/<int:step_id>/delete")
def delete_step(step_id: int):
    """Delete a step."""
    step = services.step_for(current_user, step_id)
    goal_id = step.goal_id
    services.delete_step(step)
    flash(_("Step deleted."), "info")
    return redirect(url_for("goals.show", goal_id=goal_id, _anchor="steps"), code=303)
