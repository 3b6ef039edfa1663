"""Account pages."""

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from companion.blueprints.auth import bp
from companion.blueprints.auth import services
from companion.blueprints.auth.forms import (
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from companion.blueprints.auth.sign_in_sessions import (
    clear_device,
    end_session,
    safe_next,
    start_session,
)
from companion.errors import Invalid, Throttled, Unauthorized
from companion.forms import apply_errors
from companion.i18n import current_language
from companion.blueprints.auth import mails  # noqa: F401  (the account e-mails, registered)
from companion.mail import send_account_mail

@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm(next=request.args.get("next", ""))
    if request.method == "GET" and session.pop("clear_device", False):
        return render_template("auth/login.html", form=form, clear_device=True)
    status = 200
    if form.validate_on_submit():
        try:
            user = services.authenticate(form.email.data, form.password.data, request.remote_addr or "")
        except Throttled as error:
            form.form_errors.append(error.detail)
            return render_template("auth/login.html", form=form), 429, error.headers
        except Unauthorized as error:
            form.form_errors.append(error.detail)
            status = 401
        else:
            start_session(user)
            return redirect(safe_next(form.next.data), code=303)
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    """Sign out and clear what this device kept."""
    end_session()
    flash(_("You are signed out. Take care."), "info")
    return clear_device(redirect(url_for("auth.login"), code=303))


@bp.route("/register", methods=["GET", "POST"])
def register():
    """Create an account, with a program's invite code or for personal use."""
    # The language is optional on a POST: left out, it is the language the page was read in.
    form = RegisterForm(invite_code=request.args.get("code", ""), language=current_language())
    if request.method == "GET":
        form.timezone.render_kw = {"data-guess": "1"}  # app.js picks the phone's zone
    if form.validate_on_submit():
        try:
            services.throttle_account_mail("register", form.email.data, request.remote_addr or "")
            user = services.register_user(email=form.email.data, password=form.password.data,
                                          name=form.name.data, timezone=form.timezone.data,
                                          invite_code=form.invite_code.data or "", language=form.language.data)
        except Throttled as error:
            form.form_errors.append(error.detail)
            return render_template("auth/register.html", form=form), 429, error.headers
        except Invalid as error:
            apply_errors(form, error)
        except services.AlreadyRegistered as taken:
            # The same answer as for a new account, so that the page never tells who has one;
            # the address's owner hears of it by e-mail instead.
            mail_existing_account(taken.user)
            session.clear()
            flash(_("Thank you. We have sent a message to that address with what to do next."), "info")
            return redirect(url_for("main.today"), code=303)
        else:
            start_session(user)
            flash(_("Welcome, %(user)s. We're glad you're here.", user=user.name), "success")
            return redirect(url_for("main.today"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/register.html", form=form), status


def mail_existing_account(user) -> None:
    """Tell an account's owner that someone tried to register with their address."""
    send_account_mail(user, "existing_account")


@bp.route("/reset", methods=["GET", "POST"])
def reset_request():
    """Ask for a password reset link by e-mail."""
    form = ResetRequestForm()
    if form.validate_on_submit():
        try:
            services.throttle_account_mail("reset", form.email.data, request.remote_addr or "")
        except Throttled as error:
            form.form_errors.append(error.detail)
            return render_template("auth/reset_request.html", form=form), 429, error.headers
        user = services.user_by_email(form.email.data)
        if user is not None and user.active:
            send_account_mail(user, "password_reset")
        # The same answer whether or not the address has an account.
        flash(_("If that address has an account, we have sent it a link to choose a new password. "
              "It works for one hour."), "info")
        return redirect(url_for("auth.login"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/reset_request.html", form=form), status


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password from an e-mailed link."""
    try:
        user = services.user_for_reset_token(token)
    except Invalid as error:
        flash(error.detail, "error")
        return redirect(url_for("auth.reset_request"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(user, form.password.data)
        except Invalid as error:
            apply_errors(form, error)
        else:
            end_session()
            flash(_("Your password has been changed. Please sign in with it."), "success")
            return redirect(url_for("auth.login"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("auth/reset_password.html", form=form), status


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    """Settings: about you (name, time zone, language), the other settings pages, and signing out."""
    if request.method == "POST" and "password-submit" in request.form:
        return security()  # a password form sent here before Security had its own page
    profile = ProfileForm(obj=current_user, prefix="profile")
    status = 200
    if request.method == "POST":
        status = 422
        if "profile-submit" in request.form and profile.validate_on_submit():
            try:
                services.update_profile(current_user, name=profile.name.data, timezone=profile.timezone.data,
                                        language=profile.language.data)
            except Invalid as error:
                apply_errors(profile, error)
            else:
                flash(_("Your details are saved."), "success")
                return redirect(url_for("auth.settings"), code=303)
    return render_template("auth/settings.html", profile=profile), status


@bp.route("/settings/security", methods=["GET", "POST"])
@login_required
def security():
    """Security: the password, the PIN lock, and signing out on every device."""
    password = PasswordChangeForm(prefix="password")
    status = 200
    if request.method == "POST":
        status = 422
        if "password-submit" in request.form and password.validate_on_submit():
            try:
                services.change_password(current_user, password.current_password.data, password.new_password.data)
            except Invalid as error:
                apply_errors(password, error)
            else:
                start_session(current_user)  # this device stays signed in; every other one is signed out
                flash(_("Your password is changed. Other devices have been signed out."), "success")
                return redirect(url_for("auth.security"), code=303)
    return render_template("auth/security.html", password=password), status


@bp.post("/settings/sign-out-everywhere")
@login_required
def sign_out_everywhere():
    """End every session of this account, this one included."""
    services.end_all_sessions(current_user)
    end_session()
    flash(_("You are signed out on every device."), "info")
    return clear_device(redirect(url_for("auth.login"), code=303))
