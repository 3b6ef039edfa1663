"""The manifest, the service worker, the offline page, and the PIN lock on reopening the app."""

from __future__ import annotations

import json
from flask_babel import gettext as _
from pathlib import Path

from flask import (Response, current_app, flash, redirect, render_template, request, session, url_for)
from flask_login import current_user, login_required

from companion.blueprints.auth.sign_in_sessions import clear_device, end_session, safe_next
from companion.blueprints.pwa import bp, services
from companion.blueprints.pwa.forms import PinForm, RemovePinForm, UnlockForm
from companion.blueprints.journal.forms import MOOD_LABELS
from companion.blueprints.support.library import SAFETY_STEPS
from companion.errors import Invalid, problem, wants_problem
from companion.forms import apply_errors
from companion.i18n import current_language
from companion.script_text import every_language

# The app shell the service worker keeps: what a page needs to render offline (no personal data).
SHELL_FILES = ["css/app.css", "js/app.js", "js/enhance.js", "js/queue.js", "js/offline.js", "js/journal.js",
               "icons/icon.svg", "icons/nav.svg", "icons/icon-192.png"]
# What a locked app still answers: unlocking, signing out, crisis help, and the files that draw those pages.
OPEN_WHILE_LOCKED = {"pwa.unlock", "pwa.service_worker", "pwa.manifest", "pwa.offline", "auth.logout",
                     "main.help", "static", "api.sign_out"}


@bp.get("/manifest.webmanifest")
def manifest():
    """The web app manifest: a neutral name and icon, so a home screen says nothing of treatment."""
    icon = lambda name, size, purpose: {"src": url_for("static", filename=f"icons/{name}-{size}.png"),  # noqa: E731
                                        "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose}
    body = {
        "name": "Companion",
        "short_name": "Companion",
        "description": _("Goals, a journal and reminders, one day at a time."),
        "lang": current_language(),
        "id": "/",
        "start_url": url_for("pwa.launch"),
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#f7f6f2",
        "theme_color": "#2f6f5e",
        "icons": [icon("icon", 192, "any"), icon("icon", 512, "any"),
                  icon("maskable", 192, "maskable"), icon("maskable", 512, "maskable")],
    }
    response = current_app.response_class(json.dumps(body, indent=1), mimetype="application/manifest+json")
    response.headers["Cache-Control"] = "no-cache"
    return response


def shell() -> dict:
    """What the service worker is told: its cache version and the shell to keep (worked out once per app)."""
    cached = current_app.extensions.get("pwa_shell")
    if cached is None:
        static = Path(current_app.static_folder)
        source = (static / "sw.js").read_bytes()
        offline = Path(current_app.root_path, "templates", "pwa", "offline.html").read_bytes()
        cached = {
            "source": source.decode(),
            "version": services.shell_version([static / name for name in SHELL_FILES], source + offline),
            "precache": [url_for("static", filename=name) for name in SHELL_FILES]
                        + [url_for("pwa.offline"), url_for("pwa.manifest")],
            "offline": url_for("pwa.offline"),
            "help": url_for("main.help"),
            "queue": url_for("static", filename="js/queue.js"),
            "icon": url_for("static", filename="icons/icon-192.png"),
            "text": every_language(),  # its words in each language but English, by the phone's language
        }
        current_app.extensions["pwa_shell"] = cached
    return cached


@bp.get("/sw.js")
def service_worker():
    """The service worker, from the site's root so that it controls every page."""
    config = {key: value for key, value in shell().items() if key != "source"}
    body = f"const SHELL = {json.dumps(config)};\n{shell()['source']}"
    response = current_app.response_class(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@bp.get("/offline")
def offline():
    """The page the service worker shows without a connection: the same for everyone, nothing personal in it."""
    response = current_app.response_class(render_template("pwa/offline.html", generic=True, safety_steps=SAFETY_STEPS,
                                                                moods=MOOD_LABELS))
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/launch")
def launch():
    """Where the installed app starts: locked first when the person chose a PIN."""
    if current_user.is_authenticated and current_user.pin_hash:
        session["locked"] = True
        return redirect(url_for("pwa.unlock"))
    return redirect(url_for("main.today"))


@bp.post("/lock")
@login_required
def lock():
    """Lock the app until the PIN is typed (the page asks when the installed app comes back to the front)."""
    if current_user.pin_hash:
        session["locked"] = True
    if request.headers.get("X-Requested-With") == "fetch":
        return Response(status=204)
    return redirect(url_for("pwa.unlock"), code=303)


@bp.route("/unlock", methods=["GET", "POST"])
@login_required
def unlock():
    """Type the PIN to open the app again."""
    target = safe_next(request.values.get("next"))
    if not session.get("locked") or not current_user.pin_hash:
        session.pop("locked", None)
        return redirect(target)
    form = UnlockForm(next=request.args.get("next", ""))
    status = 200
    if request.method == "POST":
        status = 422
        if form.validate_on_submit():
            try:
                services.check_pin(current_user, form.pin.data)
            except services.PinLockedOut:
                end_session()
                flash(_("For your safety, Companion signed out after several wrong PINs. "
                      "Please sign in with your password."), "info")
                return clear_device(redirect(url_for("auth.login"), code=303))
            except Invalid as error:
                apply_errors(form, error)
                status = 401
            else:
                session.pop("locked", None)
                return redirect(safe_next(form.next.data), code=303)
    return render_template("pwa/unlock.html", form=form), status


def keep_locked():
    """While the app is locked, every other page waits for the PIN (crisis help stays open); an app-wide hook."""
    if not session.get("locked") or request.endpoint in OPEN_WHILE_LOCKED or not current_user.is_authenticated:
        return None
    if wants_problem():
        return problem(401, "Companion is locked. Open it and type your PIN.", title="Locked")
    return redirect(url_for("pwa.unlock", next=request.full_path.rstrip("?")))


@bp.route("/settings/pin", methods=["GET", "POST"])
@login_required
def pin():
    """Turn the PIN lock on, change the PIN, or turn it off."""
    form, remove = PinForm(prefix="pin"), RemovePinForm(prefix="remove")
    status = 200
    if request.method == "POST":
        status = 422
        if "remove-submit" in request.form:
            if remove.validate_on_submit():
                try:
                    services.remove_pin(current_user, remove.pin.data)
                except Invalid as error:
                    apply_errors(remove, error)
                else:
                    session.pop("pin", None)
                    flash(_("The PIN lock is off."), "success")
                    return redirect(url_for("auth.security"), code=303)
        elif form.validate_on_submit():
            try:
                services.set_pin(current_user, form.pin.data, form.confirm.data)
            except Invalid as error:
                apply_errors(form, error)
            else:
                session["pin"] = True
                flash(_("Your PIN is set. The installed app will ask for it when you open it again."), "success")
                return redirect(url_for("auth.security"), code=303)
    return render_template("pwa/pin.html", form=form, remove=remove), status
