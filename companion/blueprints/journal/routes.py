"""Journal pages: logging, the check-in, days sober, coping skills and insights."""

from __future__ import annotations

import uuid
from flask_babel import gettext as _
from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from companion.blueprints.journal import bp, charts, services
from companion.blueprints.journal.forms import (
    DATETIME_FORMAT,
    EMOTIONS,
    HALT_LABELS,
    KIND_LABELS,
    OUTCOME_LABELS,
    TRIGGER_LABELS,
    options,
    CheckinForm,
    CravingForm,
    CustomSkillForm,
    EmptyForm,
    EntryForm,
    SlipForm,
    StartDateForm,
)
from companion.blueprints.journal.library import FAMILIES
from companion.blueprints.support import services as support_services
from companion.errors import Conflict, Invalid
from companion.forms import apply_errors
from companion.models import utcnow
from companion.timezones import zone

LABELS = {"triggers": TRIGGER_LABELS, "halt": HALT_LABELS, "outcomes": OUTCOME_LABELS, "kinds": KIND_LABELS,
          "families": FAMILIES}


@bp.before_request
@login_required
def require_login() -> None:
    """Every journal page is personal: signed-in people only."""


@bp.context_processor
def labels() -> dict:
    return {"labels": LABELS, "emotions": EMOTIONS}


def client_id(form) -> uuid.UUID:
    """The form's client-generated id, or a new one when the page had none (no JS); ``Invalid`` when malformed."""
    raw = (form.client_id.data or "").strip()
    if not raw:
        return uuid.uuid4()
    try:
        return uuid.UUID(raw)
    except ValueError:
        form.client_id.data = str(uuid.uuid4())
        raise Invalid(_("This form's id was not valid. Please send it again.")) from None


def already_used(form, error: Invalid | Conflict) -> None:
    """Show a service's error; when the form's id was already used for other content, give it a fresh one."""
    if isinstance(error, Conflict):
        form.client_id.data = str(uuid.uuid4())
        form.form_errors.append(_("This form was already sent with other answers. Please check them and send it again."))
    else:
        apply_errors(form, error)


def local(moment: datetime | None) -> datetime | None:
    """A moment from a datetime-local field, read in the person's time zone."""
    if moment is None:
        return None
    return moment.replace(tzinfo=zone(current_user.timezone), fold=0)


def local_now() -> datetime:
    return utcnow().astimezone(zone(current_user.timezone)).replace(second=0, microsecond=0)


@bp.get("/journal")
def index():
    """The journal's home: log something, check in, days sober and recent entries."""
    cursor = request.args.get("cursor") or None
    try:
        entries, next_cursor = services.list_entries(current_user, limit=20, cursor=cursor)
    except Invalid:
        return redirect(url_for("journal.index"))
    return render_template("journal/index.html", entries=entries, next_cursor=next_cursor,
                           summary=services.summary_for(current_user), names=services.skill_names(current_user),
                           zone=zone(current_user.timezone), older=bool(cursor))


@bp.route("/log/craving", methods=["GET", "POST"])
def craving():
    """The quick craving log: how strong, and save."""
    form = CravingForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                entry, _new = services.log_entry(current_user, entry_id=client_id(form), kind="craving",
                                              intensity=form.intensity.data)
            except (Invalid, Conflict) as error:
                already_used(form, error)
            else:
                flash(_("Saved. Noticing a craving is a skill in itself. Add details below if you like."), "success")
                return redirect(url_for("journal.edit", entry_id=entry.id), code=303)
    return render_template("journal/craving.html", form=form, helped=services.what_helped(current_user)), status


def skill_choices(form: EntryForm) -> list[tuple[str, str]]:
    """The skill fields' choices; gives the one-tap chips: favourites, then what helped lately."""
    skills = services.skills_for(current_user)
    form.skill.choices = options([("", _("None"))] + [(s.slug, s.name) for s in skills])
    form.skill_more.choices = form.skill.choices
    names = {s.slug: s.name for s in skills}
    slugs = [s.slug for s in skills if s.slug in services.favourite_slugs(current_user)]
    slugs += [item["slug"] for item in services.what_helped(current_user, limit=4) if item["slug"] not in slugs]
    return [(slug, names[slug]) for slug in slugs[:CHIPS]]


# At most this many skills as one-tap chips above the whole list.
CHIPS = 6


def place_skill(form: EntryForm, chips: list[tuple[str, str]], slug: str | None) -> None:
    """Show a skill as its chip, or chosen in the folded list when it is not among the chips."""
    form.skill.data = slug or ""
    form.skill_more.data = slug if slug and chips and slug not in {chip for chip, _ in chips} else ""


def entry_changes(form: EntryForm) -> dict:
    return {"occurred_at": local(form.occurred_at.data), "intensity": form.intensity.data,
            "triggers": form.triggers.data or [], "halt": form.halt.data or [], "emotion": form.emotion.data or "",
            "skill": form.skill_more.data or form.skill.data or None, "helped": form.helped.data, "outcome": form.outcome.data or None,
            "note": form.note.data or ""}


@bp.route("/log/<any(trigger, coping):kind>", methods=["GET", "POST"])
def new_entry(kind: str):
    """Log a trigger or a coping skill used, with its details."""
    form = EntryForm()
    chips = skill_choices(form)
    status = 200
    if request.method == "GET":
        form.occurred_at.data = local_now().replace(tzinfo=None)
        if request.args.get("skill") in {choice.value for choice in form.skill.choices}:
            place_skill(form, chips, request.args["skill"])  # "I used this skill" on a skill's page
    else:
        status = 422
        if form.validate_on_submit():
            try:
                changes = entry_changes(form)
                entry, _new = services.log_entry(current_user, entry_id=client_id(form), kind=kind, **changes)
            except (Invalid, Conflict) as error:
                already_used(form, error)
            else:
                if entry.outcome == "used":
                    return after_use_redirect(entry.occurred_at)
                flash(_("Saved. Well done for writing it down."), "success")
                return redirect(url_for("journal.index"), code=303)
    return render_template("journal/entry.html", form=form, kind=kind, entry=None, chips=chips,
                           helped=services.what_helped(current_user) if kind == "trigger" else []), status


@bp.route("/log/<uuid:entry_id>", methods=["GET", "POST"])
def edit(entry_id: uuid.UUID):
    """An entry's details, to add or change."""
    entry = services.entry_for(current_user, entry_id)
    form = EntryForm(obj=entry) if request.method == "GET" else EntryForm()
    chips = skill_choices(form)
    status = 200
    if request.method == "GET":
        form.occurred_at.data = entry.occurred_at.astimezone(zone(current_user.timezone)).replace(tzinfo=None)
        place_skill(form, chips, entry.skill)
        form.outcome.data = entry.outcome or ""
    else:
        status = 422
        if form.validate_on_submit():
            changes = entry_changes(form)
            shown = entry.occurred_at.astimezone(zone(current_user.timezone)).replace(second=0, microsecond=0)
            if changes["occurred_at"] is None or changes["occurred_at"] == shown:
                changes.pop("occurred_at")  # unchanged: keep its seconds, and an old entry stays editable
            try:
                entry = services.update_entry(current_user, entry.id, **changes)
            except Invalid as error:
                apply_errors(form, error)
            else:
                if entry.outcome == "used":
                    return after_use_redirect(entry.occurred_at)
                flash(_("Your entry is saved."), "success")
                return redirect(url_for("journal.index"), code=303)
    helped = services.what_helped(current_user) if entry.kind == "craving" else []
    return render_template("journal/entry.html", form=form, kind=entry.kind, entry=entry, helped=helped,
                           chips=chips, delete_form=EmptyForm()), status


def after_use_redirect(at: datetime):
    """After an entry that says "I used": the kind screen, which offers (never makes) a restart from then."""
    moment = at.astimezone(zone(current_user.timezone)).strftime(DATETIME_FORMAT)
    return redirect(url_for("journal.after_use", at=moment), code=303)


@bp.get("/journal/after-use")
def after_use():
    """After saying "I used": thanks, no shame, and the next steps the person may choose."""
    try:
        at = datetime.strptime(request.args.get("at", ""), DATETIME_FORMAT)
    except ValueError:
        at = local_now().replace(tzinfo=None)
    people = [person for person in support_services.safety_plan_for(current_user)[0]["people"] if person["phone"]]
    return render_template("journal/after_use.html", at=at.strftime(DATETIME_FORMAT), people=people,
                           counting=services.sober_status(current_user).days is not None)


@bp.post("/log/<uuid:entry_id>/delete")
def delete(entry_id: uuid.UUID):
    """Delete an entry."""
    services.delete_entry(current_user, entry_id)
    flash(_("The entry is deleted."), "info")
    return redirect(url_for("journal.index"), code=303)


@bp.route("/journal/checkin", methods=["GET", "POST"])
def checkin():
    """The daily check-in."""
    today = services.local_today(current_user)
    existing = services.checkin_on(current_user, today)
    form = CheckinForm()
    status = 200
    if request.method == "GET":
        form.day.data = today
        if existing is not None:
            form.mood.data, form.craving.data = existing.mood, existing.craving
            form.sleep_hours.data, form.note.data = existing.sleep_hours, existing.note
            form.used.data = "yes" if existing.used else "no"
    else:
        status = 422
        if form.validate_on_submit():
            try:
                services.save_checkin(current_user, checkin_id=client_id(form), day=form.day.data,
                                      mood=form.mood.data, craving=form.craving.data, used=form.used.data == "yes",
                                      sleep_hours=form.sleep_hours.data, note=form.note.data or "")
            except (Invalid, Conflict) as error:
                if error.errors and "date" in error.errors:
                    error.errors["day"] = error.errors.pop("date")
                already_used(form, error)
            else:
                if form.used.data == "yes" and form.day.data == today:
                    return after_use_redirect(local_now())
                flash(_("Thank you for checking in."), "success")
                return redirect(url_for("main.today"), code=303)
    return render_template("journal/checkin.html", form=form, existing=existing), status


@bp.get("/journal/insights")
def insights():
    """Patterns in the person's own entries, over 7, 30 or 90 days."""
    days = request.args.get("days", "30")
    days = int(days) if days in ("7", "30", "90") else 30
    data = services.insights(current_user, days)
    return render_template("journal/insights.html", data=data, days=days, periods=services.INSIGHT_PERIODS,
                           charts=charts.insight_charts(data, TRIGGER_LABELS),
                           sentences=charts.sentences(data, TRIGGER_LABELS))


@bp.route("/journal/sober", methods=["GET", "POST"])
def sober():
    """Days sober: the start date, milestones, restarting after a slip, and the history."""
    start_form = StartDateForm(prefix="start")
    slip_form = SlipForm(prefix="slip")
    status = 200
    if request.method == "POST":
        status = 422
        if "start-submit" in request.form and start_form.validate_on_submit():
            try:
                services.set_start_date(current_user, start_form.started_on.data)
            except Invalid as error:
                apply_errors(start_form, error)
            else:
                flash(_("Your start date is saved."), "success")
                return redirect(url_for("journal.sober"), code=303)
        elif "slip-submit" in request.form and slip_form.validate_on_submit():
            try:
                services.record_slip(current_user, local(slip_form.at.data))
            except Invalid as error:
                apply_errors(slip_form, error)
            else:
                flash(_("Thank you for being honest. A slip doesn't erase the days you've done. "
                      "Your new count starts today, and your history is kept."), "info")
                return redirect(url_for("journal.sober"), code=303)
    status_now = services.sober_status(current_user)
    if request.method == "GET":
        start_form.started_on.data = status_now.started_on
        slip_form.at.data = local_now().replace(tzinfo=None)
        try:  # "Restart my count" after an entry that says "I used": the form filled with its time
            slip_form.at.data = datetime.strptime(request.args.get("slip_at", ""), DATETIME_FORMAT)
        except ValueError:
            pass
    return render_template("journal/sober.html", status=status_now, start_form=start_form, slip_form=slip_form,
                           toggle_form=EmptyForm()), status


@bp.post("/journal/sober/visibility")
def sober_visibility():
    """Show or hide the days-sober counter."""
    services.set_counter_shown(current_user, request.form.get("show") == "1")
    return redirect(url_for("journal.sober"), code=303)


@bp.get("/journal/skills")
def skills():
    """The coping-skill library, favourites first."""
    return render_template("journal/skills.html", skills=services.skills_for(current_user),
                           favourites=services.favourite_slugs(current_user))


@bp.get("/journal/skills/<slug>")
def skill(slug: str):
    """One skill's steps."""
    found = services.skill_for(current_user, slug)
    return render_template("journal/skill.html", skill=found, favourite=slug in services.favourite_slugs(current_user),
                           form=EmptyForm())


@bp.post("/journal/skills/<slug>/favourite")
def favourite(slug: str):
    """Add a skill to the favourites, or take it off."""
    services.set_favourite(current_user, slug, request.form.get("favourite") == "1")
    return redirect(url_for("journal.skill", slug=slug), code=303)


@bp.route("/journal/skills/new", methods=["GET", "POST"])
def new_skill():
    """Write a skill of one's own."""
    form = CustomSkillForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                created = services.create_custom_skill(current_user, name=form.name.data, purpose=form.purpose.data,
                                                       steps=form.steps.data)
            except Invalid as error:
                apply_errors(form, error)
            else:
                flash(_("Your skill is saved."), "success")
                return redirect(url_for("journal.skill", slug=created.slug), code=303)
    return render_template("journal/skill_form.html", form=form, skill=None), status


@bp.route("/journal/skills/<slug>/edit", methods=["GET", "POST"])
def edit_skill(slug: str):
    """Change one of one's own skills."""
    custom = services.custom_skill_for(current_user, slug)
    form = CustomSkillForm(obj=custom, steps=custom.steps_text) if request.method == "GET" else CustomSkillForm()
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                changed = services.update_custom_skill(current_user, slug, name=form.name.data,
                                                       purpose=form.purpose.data, steps=form.steps.data)
            except Invalid as error:
                apply_errors(form, error)
            else:
                flash(_("Your skill is saved."), "success")
                return redirect(url_for("journal.skill", slug=changed.slug), code=303)
    return render_template("journal/skill_form.html", form=form, skill=custom, delete_form=EmptyForm()), status


@bp.post("/journal/skills/<slug>/delete")
def delete_skill(slug: str):
    """Remove one of one's own skills."""
    services.delete_custom_skill(current_user, slug)
    flash(_("The skill is removed."), "info")
    return redirect(url_for("journal.skills"), code=303)
