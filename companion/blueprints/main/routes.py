"""The Today page and the help page."""

from datetime import datetime

from flask import render_template
from flask_login import current_user, login_required

from companion.blueprints.main import bp
from companion.blueprints.sessions.today import sessions_today
from companion.timezones import zone


@bp.get("/")
@login_required
def today():
    """What matters today."""
    now = datetime.now(zone(current_user.timezone))
    return render_template("main/today.html", now=now, greeting=greeting(now.hour), **sessions_today(current_user, now))


@bp.get("/help")
def help():
    """Crisis lines and what to do in an emergency; open to everyone."""
    return render_template("main/help.html")


def greeting(hour: int) -> str:
    """A greeting for the local hour."""
    if 5 <= hour < 12:
        return "Good morning"
    if 12 <= hour < 18:
        return "Good afternoon"
    return "Good evening"
