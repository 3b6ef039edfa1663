"""Program admin pages."""

from flask_babel import gettext as _
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from companion.blueprints.admin import bp, services
from companion.models import Role
from companion.roles import required
from companion.urls import absolute_url


@bp.before_request
@required(Role.ADMIN)
def require_admin():
    """Only program admins manage the program."""


@bp.get("/admin")
def index():
    """Counselors and invite codes of my program."""
    return render_template("admin/index.html", staff=services.staff_of(current_user),
                           invites=services.invites_of(current_user))


@bp.post("/admin/invites")
def create_invite():
    """Make an invite code for participants or an invitation for a counselor."""
    role = Role.COUNSELOR if request.form.get("role") == "counselor" else Role.PARTICIPANT
    invite = services.create_invite(current_user, role)
    link = absolute_url("auth.register", code=invite.code)
    message = (_("New counselor invitation: %(code)s (%(link)s)", code=invite.code, link=link) if role == Role.COUNSELOR
               else _("New participant code: %(code)s (%(link)s)", code=invite.code, link=link))
    flash(message, "success")
    return redirect(url_for("admin.index"), code=303)


@bp.post("/admin/invites/<int:invite_id>/revoke")
def revoke_invite(invite_id: int):
    """Stop an invite code from working."""
    services.revoke_invite(current_user, invite_id)
    flash(_("That code no longer works."), "info")
    return redirect(url_for("admin.index"), code=303)


@bp.post("/admin/staff/<int:user_id>/switch-off")
def switch_off(user_id: int):
    """Switch a counselor's account off at once."""
    user = services.switch_off(current_user, user_id)
    flash(_("%(user)s's account is switched off and signed out everywhere.", user=user.name), "info")
    return redirect(url_for("admin.index"), code=303)


@bp.post("/admin/staff/<int:user_id>/switch-on")
def switch_on(user_id: int):
    """Switch a counselor's account back on."""
    user = services.switch_on(current_user, user_id)
    flash(_("%(user)s can sign in again.", user=user.name), "info")
    return redirect(url_for("admin.index"), code=303)
