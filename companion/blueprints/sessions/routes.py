"""Session pages: the agenda, the staff's groups and appointments, check-in and the calendar feed."""

from __future__ import annotations

from flask_babel import gettext as _
from collections import defaultdict
from datetime import datetime, timedelta

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from companion.access import in_program, owned
from companion.blueprints.reminders import settings as reminder_settings
from companion.blueprints.reminders.services import user_for_calendar_token
from companion.blueprints.sessions import bp, services
from companion.blueprints.sessions.calendar import feed
from companion.blueprints.sessions.forms import AppointmentForm, GroupForm, MoveForm, ParticipantForm
from companion.errors import Conflict, Invalid, NotFound
from companion.extensions import db
from companion.forms import apply_errors
from companion.models import Appointment, Group, User
from companion.models.base import utcnow
from companion.roles import STAFF, required
from companion.timezones import zone
from companion.urls import absolute_url

def by_day(occurrences, zone_name: str) -> list[tuple]:
    """Occurrences grouped under their local day."""
    tz = zone(zone_name)
    days = defaultdict(list)
    for occurrence in occurrences:
        days[occurrence.starts_at.astimezone(tz).date()].append(occurrence)
    return sorted(days.items())


def program_zone() -> str:
    return current_user.program.timezone if current_user.program else current_user.timezone


@bp.get("/sessions")
@login_required
def index():
    """My agenda for the next two weeks (staff: the program's groups and their agenda)."""
    now = utcnow()
    tz = zone(current_user.timezone)
    start, end = services.local_day_bounds(now.astimezone(tz).date(),
                                           now.astimezone(tz).date() + timedelta(days=services.AGENDA_DAYS - 1),
                                           current_user.timezone)
    if current_user.is_staff:
        occurrences = services.staff_agenda(current_user, start, end)
        return render_template("sessions/staff.html", days=by_day(occurrences, current_user.timezone), now=now,
                               groups=services.program_groups(current_user.program_id), tz=tz)
    occurrences, checked_in = services.my_sessions(current_user, start, end)
    occurrences = [o for o in occurrences if o.ends_at > now]
    return render_template("sessions/index.html", days=by_day(occurrences, current_user.timezone), now=now, tz=tz,
                           checked_in=checked_in,
                           calendar_url=absolute_url("sessions.calendar", token=reminder_settings.settings_for(current_user).calendar_token))


@bp.post("/sessions/<key>/check-in")
@login_required
def check_in(key: str):
    """Check in to a session happening now."""
    try:
        services.check_in(current_user, key, utcnow())
    except Conflict as error:
        flash(error.detail, "error")
    else:
        flash(_("You're checked in. Glad you're here."), "success")
    return redirect(request.form.get("back") == "today" and url_for("main.today") or url_for("sessions.index"),
                    code=303)


@bp.get("/sessions/calendar/<token>.ics")
def calendar(token: str):
    """The private calendar feed (no cookies needed; the token in the URL is the key)."""
    user = user_for_calendar_token(token)
    if user is None:
        abort(404)
    body = feed(user, reminder_settings.settings_for(user).discreet)
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": 'inline; filename="companion.ics"', "Cache-Control": "no-store",
        "X-Robots-Tag": "noindex"})


def _group_form_values(form: GroupForm) -> dict:
    rule = (form.rrule.data or "").strip()
    if not rule:
        try:
            rule = services.weekly_rule(form.days.data or [])
        except Invalid as error:
            form.days.errors = list(form.days.errors) + error.errors["days"]
            rule = ""
    return dict(name=form.name.data, rule_text=rule, start_date=form.start_date.data, start_time=form.start_time.data,
                timezone=form.timezone.data, duration_minutes=form.duration_minutes.data,
                location=form.location.data or "", video_url=form.video_url.data or "")


@bp.route("/sessions/groups/new", methods=["GET", "POST"])
@required(*STAFF, program=True, forbidden=True)
def new_group():
    """Set up a recurring group."""
    form = GroupForm()
    if request.method == "GET":
        form.timezone.data = program_zone()
        form.duration_minutes.data = 180
    if form.validate_on_submit():
        values = _group_form_values(form)
        if not form.days.errors:
            try:
                group = services.create_group(current_user.program, current_user, **values)
            except Invalid as error:
                apply_errors(form, _rename_rule(error, form))
            else:
                flash(_("%(group)s is set up. Now add its participants.", group=group.name), "success")
                return redirect(url_for("sessions.group", group_id=group.id), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("sessions/group_form.html", form=form, group=None), status


def _rename_rule(error: Invalid, form: GroupForm) -> Invalid:
    """A rule made from the weekday boxes is reported on them, one typed by hand on its own field."""
    if error.errors and "rrule" in error.errors and not (form.rrule.data or "").strip():
        error.errors["days"] = error.errors.pop("rrule")
    return error


def _group(group_id: int) -> Group:
    return in_program(current_user, Group, group_id, what="That group",
                      options=(selectinload(Group.members), selectinload(Group.changes)))


@bp.route("/sessions/groups/<int:group_id>", methods=["GET", "POST"])
@required(*STAFF, program=True)
def group(group_id: int):
    """A group: its details, its participants and its coming sessions."""
    group = _group(group_id)
    form = GroupForm(obj=group)
    if request.method == "GET":
        form.days.data = services.rule_days(group.rrule)
        form.rrule.data = "" if form.days.data else group.rrule
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            values = _group_form_values(form)
            if not form.days.errors:
                try:
                    services.update_group(group, **values)
                except Invalid as error:
                    apply_errors(form, _rename_rule(error, form))
                else:
                    flash(_("The group is updated. Its participants' reminders follow the change."), "success")
                    return redirect(url_for("sessions.group", group_id=group.id), code=303)
    return render_group(group, form), status


def render_group(group: Group, form: GroupForm | None = None, enrol_form: ParticipantForm | None = None):
    members = {m.user_id for m in group.members}
    participants = services.program_participants(current_user)
    enrol_form = enrol_form or ParticipantForm(prefix="enrol")
    enrol_form.participant_id.choices = [SelectChoice(p.id, p.name) for p in participants if p.id not in members]
    now = utcnow()
    upcoming = services.group_occurrences(group, now - timedelta(hours=12), now + timedelta(days=28),
                                          include_cancelled=True)
    return render_template("sessions/group.html", group=group, form=form or GroupForm(obj=group),
                           enrol_form=enrol_form, members=[p for p in participants if p.id in members],
                           upcoming=upcoming, tz=zone(group.timezone), now=now)


@bp.post("/sessions/groups/<int:group_id>/delete")
@required(*STAFF, program=True)
def delete_group(group_id: int):
    """Remove a group and its future sessions."""
    group = _group(group_id)
    name = group.name
    services.delete_group(group)
    flash(_("%(name)s is removed.", name=name), "info")
    return redirect(url_for("sessions.index"), code=303)


@bp.post("/sessions/groups/<int:group_id>/members")
@required(*STAFF, program=True)
def enrol(group_id: int):
    """Enrol a participant of the program."""
    group = _group(group_id)
    form = ParticipantForm(prefix="enrol")
    members = {m.user_id for m in group.members}
    form.participant_id.choices = [SelectChoice(p.id, p.name) for p in services.program_participants(current_user)
                                   if p.id not in members]
    if form.validate_on_submit():
        participant = services.program_participant(current_user, form.participant_id.data)
        services.enrol(group, participant)
        flash(_("%(participant)s is enrolled.", participant=participant.name), "success")
        return redirect(url_for("sessions.group", group_id=group.id), code=303)
    return render_group(group, enrol_form=form), 422


@bp.post("/sessions/groups/<int:group_id>/members/<int:user_id>/remove")
@required(*STAFF, program=True)
def unenrol(group_id: int, user_id: int):
    """Take a participant out of the group."""
    group = _group(group_id)
    if user_id not in {m.user_id for m in group.members}:
        raise NotFound(_("That participant is not in this group."))
    services.unenrol(group, user_id)
    flash(_("The participant is no longer in this group."), "info")
    return redirect(url_for("sessions.group", group_id=group.id), code=303)


def render_occurrence(group: Group, key: str, move_form: MoveForm | None = None):
    occurrence = services.group_occurrence(group, key)
    tz = zone(group.timezone)
    if move_form is None:
        move_form = MoveForm(prefix="move")
        local = occurrence.starts_at.astimezone(tz)
        move_form.date.data, move_form.time.data = local.date(), local.time().replace(tzinfo=None)
    members = db.session.get(Group, group.id).members
    people = {u.id: u for u in db.session.query(User).filter(User.id.in_([m.user_id for m in members]))}
    attendance, shared = services.attendance_shown_to(current_user, group, occurrence)
    return render_template("sessions/occurrence.html", group=group, occurrence=occurrence, move_form=move_form,
                           tz=tz, members=sorted(people.values(), key=lambda u: (u.name, u.id)),
                           attendance=attendance, shared=shared)


@bp.get("/sessions/groups/<int:group_id>/sessions/<key>")
@required(*STAFF, program=True)
def occurrence(group_id: int, key: str):
    """One session of a group: move or cancel it, and mark attendance."""
    return render_occurrence(_group(group_id), key)


@bp.post("/sessions/groups/<int:group_id>/sessions/<key>/cancel")
@required(*STAFF, program=True)
def cancel(group_id: int, key: str):
    """Cancel this one session."""
    group = _group(group_id)
    services.cancel_occurrence(group, key)
    flash(_("This session is cancelled. The rest of the series stays as it is."), "info")
    return redirect(url_for("sessions.occurrence", group_id=group.id, key=key), code=303)


@bp.post("/sessions/groups/<int:group_id>/sessions/<key>/restore")
@required(*STAFF, program=True)
def restore(group_id: int, key: str):
    """Put this session back at its usual time."""
    group = _group(group_id)
    services.restore_occurrence(group, key)
    flash(_("This session is back at its usual time."), "success")
    return redirect(url_for("sessions.occurrence", group_id=group.id, key=key), code=303)


@bp.post("/sessions/groups/<int:group_id>/sessions/<key>/move")
@required(*STAFF, program=True)
def move(group_id: int, key: str):
    """Move this one session to another date or time."""
    group = _group(group_id)
    form = MoveForm(prefix="move")
    if form.validate_on_submit():
        new_start = services.to_utc(datetime.combine(form.date.data, form.time.data), group.timezone)
        try:
            services.move_occurrence(group, key, new_start)
        except Invalid as error:
            apply_errors(form, error)
        else:
            flash(_("This session is moved. Its participants' reminders follow."), "success")
            return redirect(url_for("sessions.occurrence", group_id=group.id, key=key), code=303)
    return render_occurrence(group, key, form), 422


@bp.post("/sessions/groups/<int:group_id>/sessions/<key>/attendance")
@required(*STAFF, program=True)
def attendance(group_id: int, key: str):
    """Record who was at this session."""
    group = _group(group_id)
    present = {int(v) for v in request.form.getlist("present") if v.isdigit() and len(v) < 12}
    services.mark_attendance(current_user, group, key, present)
    flash(_("Attendance is saved."), "success")
    return redirect(url_for("sessions.occurrence", group_id=group.id, key=key), code=303)


@bp.route("/sessions/appointments/new", methods=["GET", "POST"])
@required(*STAFF, program=True, forbidden=True)
def new_appointment():
    """Book an individual appointment for a participant."""
    form = AppointmentForm()
    form.participant_id.choices = [SelectChoice(p.id, p.name) for p in services.program_participants(current_user)]
    if request.method == "GET" and request.args.get("participant", "").isdigit():
        form.participant_id.data = int(request.args["participant"][:12])
    if form.validate_on_submit():
        participant = services.program_participant(current_user, form.participant_id.data)
        starts_at = services.to_utc(datetime.combine(form.date.data, form.time.data), program_zone())
        try:
            services.create_appointment(current_user, participant, starts_at=starts_at, title=form.title.data,
                                        duration_minutes=form.duration_minutes.data, location=form.location.data or "")
        except Invalid as error:
            apply_errors(form, error)
        else:
            flash(_("The appointment with %(participant)s is booked.", participant=participant.name), "success")
            return redirect(url_for("sessions.index"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("sessions/appointment_form.html", form=form, zone_name=program_zone()), status


@bp.post("/sessions/appointments/<int:appointment_id>/delete")
@required(*STAFF, program=True)
def delete_appointment(appointment_id: int):
    """Cancel an appointment this staff member booked."""
    appointment = owned(current_user, Appointment, appointment_id, by=Appointment.created_by_id,
                        message=_("That appointment was not found."))
    services.delete_appointment(appointment)
    flash(_("The appointment is cancelled."), "info")
    return redirect(url_for("sessions.index"), code=303)
