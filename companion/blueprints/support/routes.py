"""Support pages: meetings, fellowships, the aftercare plan and the safety plan."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.datastructures import MultiDict

from companion.blueprints.support import bp, feeds, services
from companion.blueprints.support.forms import (
    AftercareForm,
    FeedImportForm,
    MeetingSearchForm,
    ReminderForm,
    ResourceForm,
    SafetyPlanForm,
    SaveMeetingForm,
    add_blank_rows,
    aftercare_data,
    aftercare_form_data,
    form_contacts,
    form_lines,
)
from companion.blueprints.support.library import FELLOWSHIPS, PEOPLE_STEPS, SAFETY_STEPS
from companion.errors import Conflict, DomainError, Invalid
from companion.forms import apply_errors
from companion.models import Role
from companion.roles import required
from companion.timezones import zone

ADMIN_ONLY = required(Role.ADMIN)  # the meeting lists and resources page, and its link

def allow_feed_uploads() -> None:
    """A feed file may be larger than an ordinary form (the importer keeps its own limit).

    An app-wide hook (companion/hooks.py), registered before the CSRF check, which is the first to read the body.
    """
    if request.endpoint == "support.admin" and request.method == "POST":
        request.max_content_length = feeds.MAX_FEED_BYTES + 64 * 1024


@bp.get("/support")
@login_required
def index():
    """Support after IOP: meetings, plans, fellowships and local services."""
    saved = services.saved_meetings(current_user)
    return render_template("support/index.html", fellowships=FELLOWSHIPS, saved=saved[:3],
                           saved_count=len(saved), resources=services.program_resources(current_user.program),
                           is_admin=ADMIN_ONLY.allows(current_user))


def _search_from(form: MeetingSearchForm) -> services.MeetingSearch:
    """The search the form describes; a value that makes no sense is left out rather than refused."""
    form.validate()

    def ok(field):
        return field.data if not field.errors else None

    day = ok(form.day)
    soon = bool(form.soon.data)
    return services.MeetingSearch(
        # "In the next 2 hours" may run past midnight into tomorrow: it stands in for the day.
        day=int(day) if day not in (None, "") and not soon else None,
        time_of_day=ok(form.time_of_day) or None,
        type=ok(form.type) or None,
        q=(ok(form.q) or "")[:200],
        online={"online": True, "in_person": False}.get(ok(form.how) or ""),
        soon=soon,
        near=(ok(form.near) or "")[:200],
        limit=60,
    )


@bp.get("/support/meetings")
@login_required
def meetings():
    """Find a meeting: by day, time, kind, online or in person, text and distance."""
    args = request.args.to_dict()
    if "day" not in args:
        args["day"] = str(services.feed_day(datetime.now(zone(current_user.timezone))))
    form = MeetingSearchForm(formdata=MultiDict(args))
    search = _search_from(form)
    result = services.search_meetings(current_user, search)
    return render_template("support/meetings.html", form=form, result=result, searched=bool(request.args),
                           saved=services.saved_ids(current_user), user_zone=current_user.timezone)


@bp.get("/support/meetings/<int:meeting_id>")
@login_required
def meeting(meeting_id: int):
    """One meeting: when, where, how to join, and saving it."""
    found = services.meeting_for(current_user, meeting_id)
    saved = services.saved_ids(current_user).get(found.id)
    next_start = services.next_start(found, datetime.now(UTC))
    return render_template("support/meeting.html", meeting=found, saved=saved, save_form=SaveMeetingForm(),
                           reminder_form=ReminderForm(remind=saved.remind if saved else False),
                           next_start=next_start.astimezone(zone(current_user.timezone)) if next_start else None)


@bp.post("/support/meetings/<int:meeting_id>/save")
@login_required
def save(meeting_id: int):
    """Save a meeting to my list."""
    form = SaveMeetingForm()
    services.save_meeting(current_user, meeting_id, remind=bool(form.remind.data))
    flash(_("Saved to your meetings. You'll get a reminder before it starts.") if form.remind.data
          else _("Saved to your meetings."), "success")
    return redirect(url_for("support.meeting", meeting_id=meeting_id), code=303)


@bp.post("/support/saved/<int:saved_id>/reminder")
@login_required
def reminder(saved_id: int):
    """Turn a saved meeting's reminder on or off."""
    form = ReminderForm()
    saved = services.set_reminder(current_user, saved_id, bool(form.remind.data))
    flash(_("Reminder on.") if saved.remind else _("Reminder off."), "success")
    if request.form.get("back") == "saved":
        return redirect(url_for("support.saved"), code=303)
    return redirect(url_for("support.meeting", meeting_id=saved.meeting_id), code=303)


@bp.post("/support/saved/<int:saved_id>/remove")
@login_required
def unsave(saved_id: int):
    """Take a meeting off my list."""
    services.unsave_meeting(current_user, saved_id)
    flash(_("Removed from your meetings."), "info")
    return redirect(url_for("support.saved"), code=303)


@bp.get("/support/saved")
@login_required
def saved():
    """My saved meetings."""
    return render_template("support/saved.html", saved=services.saved_meetings(current_user),
                           reminder_form=ReminderForm())


# ---- the safety plan --------------------------------------------------------------------------------

@bp.get("/support/safety-plan")
@login_required
def safety_plan():
    """My safety plan."""
    content, updated_at = services.safety_plan_for(current_user)
    return render_template("support/safety_plan.html", content=content, updated_at=updated_at, steps=SAFETY_STEPS)


@bp.route("/support/safety-plan/edit", methods=["GET", "POST"])
@login_required
def edit_safety_plan():
    """Write or change my safety plan."""
    content, _version = services.safety_plan_for(current_user)
    data = {key: value if key in PEOPLE_STEPS else "\n".join(value) for key, value in content.items()}
    form = SafetyPlanForm(data=data)
    status = 200
    if form.validate_on_submit():
        plan = {key: form_contacts(form[key]) if key in PEOPLE_STEPS else form_lines(form[key].data)
                for key in [*(s["key"] for s in SAFETY_STEPS), "reasons"]}
        try:
            services.save_safety_plan(current_user, plan)
        except Invalid as error:
            apply_errors(form, error)
        else:
            flash(_("Your safety plan is saved."), "success")
            return redirect(url_for("support.safety_plan"), code=303)
    if request.method == "POST":
        status = 422
    else:
        add_blank_rows(form.distractions, form.people, form.professionals)
    return render_template("support/safety_plan_form.html", form=form, steps=SAFETY_STEPS), status


@bp.get("/support/safety-plan/download")
@login_required
def download_safety_plan():
    """My safety plan as one small page to keep on the phone, readable without a connection."""
    content, updated_at = services.safety_plan_for(current_user)
    html = render_template("support/safety_plan_file.html", content=content, updated_at=updated_at,
                           steps=SAFETY_STEPS, name=current_user.name)
    return Response(html, mimetype="text/html",
                    headers={"Content-Disposition": 'attachment; filename="my-safety-plan.html"'})


# ---- the aftercare plan -----------------------------------------------------------------------------

@bp.get("/support/aftercare")
@login_required
def aftercare():
    """My aftercare plan."""
    return render_template("support/aftercare.html", plan=services.aftercare_plan_for(current_user))


@bp.route("/support/aftercare/edit", methods=["GET", "POST"])
@login_required
def edit_aftercare():
    """Write or change my aftercare plan."""
    plan = services.aftercare_plan_for(current_user)
    form = AftercareForm(data=aftercare_form_data(plan))
    status, saved_now = 200, None
    if form.validate_on_submit():
        try:
            services.save_aftercare_plan(current_user, aftercare_data(form), current_user,
                                         expected_version=form.version.data)
        except Invalid as error:
            apply_errors(form, error)
        except Conflict as error:
            form.form_errors.append(error.detail)
            saved_now, status = plan, 409
        else:
            flash(_("Your aftercare plan is saved."), "success")
            return redirect(url_for("support.aftercare"), code=303)
    if request.method == "POST":
        status = status if status != 200 else 422
    else:
        add_blank_rows(form.contacts)
    if request.method == "GET" or saved_now is not None:
        # After a conflict the form is built on the plan now saved, so that the next save goes through.
        form.version.data = services.aftercare_version(plan)
    return render_template("support/aftercare_form.html", form=form, saved_now=saved_now), status


@bp.get("/support/aftercare/download")
@login_required
def download_aftercare():
    """My aftercare plan as one small page to keep on the phone."""
    html = render_template("support/aftercare_file.html", plan=services.aftercare_plan_for(current_user),
                           name=current_user.name)
    return Response(html, mimetype="text/html",
                    headers={"Content-Disposition": 'attachment; filename="my-aftercare-plan.html"'})


# ---- the program's admin ----------------------------------------------------------------------------

@bp.route("/support/admin", methods=["GET", "POST"])
@ADMIN_ONLY
def admin():
    """A program admin's meeting lists and local resources."""
    program = current_user.program
    import_form = FeedImportForm(prefix="feed")
    resource_form = ResourceForm(prefix="resource")
    status, reasons = 200, []
    if request.method == "POST" and "feed-submit" in request.form:
        status = 422
        if import_form.validate_on_submit():
            try:
                upload = import_form.file.data
                if upload and upload.filename:
                    source = feeds.Source(f"upload:{upload.filename[:200]}", upload.read(feeds.MAX_FEED_BYTES + 1))
                elif (import_form.url.data or "").strip():
                    if not feeds.is_url(import_form.url.data.strip()):
                        raise feeds.FeedError("Enter a web address starting with https://, or choose a file.")
                    source = services.read_source(import_form.url.data)
                else:
                    raise feeds.FeedError("Enter the feed's web address, or choose a feed file.")
                result = services.import_meetings(source, program)
            except DomainError as error:
                import_form.form_errors.append(error.detail)
                reasons = [r for r in (error.errors or {}).get("feed", []) if r != error.detail]
            else:
                flash(_("%(summary)s.", summary=result.summary), "success")
                return redirect(url_for("support.admin"), code=303)
    elif request.method == "POST" and "resource-submit" in request.form and program is not None:
        status = 422
        if resource_form.validate_on_submit():
            try:
                services.add_resource(program, {"name": resource_form.name.data,
                                                "description": resource_form.description.data,
                                                "url": resource_form.url.data, "phone": resource_form.phone.data})
            except Invalid as error:
                apply_errors(resource_form, error)
            else:
                flash(_("The resource is added to the support page."), "success")
                return redirect(url_for("support.admin"), code=303)
    return render_template("support/admin.html", import_form=import_form, resource_form=resource_form,
                           reasons=reasons, feeds=services.feeds_for(program),
                           resources=services.program_resources(program), program=program), status


@bp.post("/support/admin/feeds/<int:feed_id>/remove")
@required(Role.ADMIN, program=True)
def remove_feed(feed_id: int):
    """Remove a meeting list."""
    services.remove_feed(current_user.program, feed_id)
    flash(_("The meeting list is removed."), "info")
    return redirect(url_for("support.admin"), code=303)


@bp.post("/support/admin/resources/<int:resource_id>/remove")
@required(Role.ADMIN, program=True)
def remove_resource(resource_id: int):
    """Remove a local resource."""
    services.remove_resource(current_user.program, resource_id)
    flash(_("The resource is removed."), "info")
    return redirect(url_for("support.admin"), code=303)
