"""The app-wide request hooks, registered from the factory in the one order they must run.

Before each request, in this order (after Flask-Limiter's own check, bound with the extensions):

1. ``enforce_session_limits`` (auth): ends a sign-in idle or older than its limits, and locks one with a PIN
   after a minute away, so that what follows sees the session as it now is.
2. ``allow_feed_uploads`` (support): raises the body limit of the admin's feed upload; it must come before
   the CSRF check, the first to read the body.
3. ``keep_locked`` (pwa): while the PIN lock is on (perhaps set by 1 just now), every page but unlocking,
   signing out and the crisis lines waits for the PIN, before any form is looked at.
4. ``protect_forms``: the CSRF check of every page's unsafe request; the API checks its own header after
   sign-in (companion/blueprints/api/spec.py), so that an anonymous call is a 401.

After each request the hooks run in the reverse order of registration: compression, registered first, runs
last and so compresses the body every other hook has finished with.
"""

from __future__ import annotations

from flask import Flask, abort, request


def refuse_unstorable_path_values(endpoint, values) -> None:
    """A path value no database can hold (a NUL, or a lone surrogate from an undecodable %-escape) names
    nothing that exists: 404, as for any other unknown id, before any query sees it."""
    from companion.blueprints.api.spec import storable

    if values and any(isinstance(v, str) and not storable(v) for v in values.values()):
        abort(404)


def protect_forms() -> None:
    """Check the CSRF token of every unsafe page request (the API checks its own header)."""
    from companion.extensions import csrf

    if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE") and not request.path.startswith("/api/"):
        csrf.protect()


def register(app: Flask) -> None:
    """Add the request hooks, in the order the module's docstring gives."""
    from companion import compression, i18n, static_files
    from companion.blueprints.auth.sign_in_sessions import enforce_session_limits
    from companion.blueprints.pwa.routes import keep_locked
    from companion.blueprints.support.routes import allow_feed_uploads
    from companion.security import set_security_headers

    app.url_value_preprocessor(refuse_unstorable_path_values)
    for hook in (enforce_session_limits, allow_feed_uploads, keep_locked, protect_forms):
        app.before_request(hook)
    compression.init_app(app)
    static_files.init_app(app)
    i18n.init_app(app)  # Flask-Babel, the language cookie, and the language's filters for templates
    app.after_request(set_security_headers)
