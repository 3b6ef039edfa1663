"""Reminder settings (part of /settings) and the in-app inbox."""

from __future__ import annotations

from flask_babel import gettext as _
from flask import current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from wtforms.fields.choices import SelectChoice

from companion.blueprints.reminders import bp, services
from companion.blueprints.reminders.forms import LEAD_CHOICES, ReminderSettingsForm
from companion.errors import Invalid
from companion.forms import apply_errors
from companion.timezones import zone
from companion.urls import absolute_url


def settings_form(formdata=None) -> ReminderSettingsForm:
    """The settings form, filled from the person's settings (or from what they just sent)."""
    settings = services.settings_for(current_user)
    form = ReminderSettingsForm(formdata=formdata, prefix="reminders", obj=settings) if formdata is not None else \
        ReminderSettingsForm(prefix="reminders", obj=settings)
    form.lead_minutes.choices = lead_choices(settings.lead_minutes)
    return form


def lead_choices(current: list[int]) -> list[SelectChoice]:
    """The usual lead times, and any other the person set through the API."""
    known = dict(LEAD_CHOICES)
    pairs = sorted({**known, **{n: f"{n} minutes before" for n in current if n not in known}}.items(), reverse=True)
    return [SelectChoice(value, label) for value, label in pairs]


@bp.app_template_global("reminder_settings")
def reminder_settings_context(form: ReminderSettingsForm | None = None) -> dict:
    """What the settings page's reminders section shows."""
    return {"form": form or settings_form(),
            "vapid_public_key": current_app.config.get("VAPID_PUBLIC_KEY") or ""}


@bp.get("/settings/reminders")
@login_required
def settings_page():
    """Reminder settings: lead times, channels, quiet hours, the check-in nudge, push on this phone."""
    return render_template("reminders/settings.html")


@bp.get("/settings/calendar")
@login_required
def calendar_page():
    """The private calendar feed: add it to the phone's calendar, copy it, or replace it."""
    url = absolute_url("sessions.calendar", token=services.settings_for(current_user).calendar_token)
    # webcal: asks the phone to subscribe (and keep the feed fresh) rather than download the file once.
    return render_template("reminders/calendar.html", calendar_url=url, webcal_url="webcal:" + url.split(":", 1)[1])


@bp.post("/settings/reminders")
@login_required
def save_settings():
    """Save the reminder settings; the coming reminders are planned again."""
    form = ReminderSettingsForm(prefix="reminders")
    form.lead_minutes.choices = lead_choices(services.settings_for(current_user).lead_minutes)
    if form.validate_on_submit():
        try:
            services.update_settings(current_user, lead_minutes=form.lead_minutes.data, channels=form.channels.data,
                                     quiet_start=form.quiet_start.data, quiet_end=form.quiet_end.data,
                                     checkin_time=form.checkin_time.data, goal_steps=form.goal_steps.data,
                                     discreet=form.discreet.data)
        except Invalid as error:
            apply_errors(form, error)
        else:
            flash(_("Your reminder settings are saved."), "success")
            return redirect(url_for("reminders.settings_page"), code=303)
    return render_template("reminders/settings.html", reminders_form=form), 422


@bp.post("/settings/calendar-link")
@login_required
def reset_calendar():
    """Replace the calendar feed's link; the old one stops working."""
    services.reset_calendar_token(current_user)
    flash(_("Your calendar link is new. The old one no longer works: add the new one to your calendar."), "success")
    return redirect(url_for("reminders.calendar_page"), code=303)


@bp.get("/notifications")
@login_required
def inbox():
    """The in-app inbox of reminders."""
    items = services.inbox(current_user)
    unread = {n.id for n in items if n.read_at is None}
    return render_template("reminders/inbox.html", items=items, unread=unread, tz=zone(current_user.timezone))


@bp.post("/notifications/read")
@login_required
def mark_read():
    """Mark every reminder in the inbox as read."""
    services.mark_all_read(current_user)
    return redirect(url_for("reminders.inbox"), code=303)
