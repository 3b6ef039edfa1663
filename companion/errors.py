"""Domain errors raised by services, and their rendering as RFC 9457 problems or error pages."""

from __future__ import annotations

from http import HTTPStatus

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _, lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

PROBLEM_TYPE = "application/problem+json"


class DomainError(Exception):
    """A request that cannot be done, with a message for the person and, for input, per-field errors."""

    status = 400
    title = _l("Bad request")

    def __init__(self, detail: str, errors: dict[str, list[str]] | None = None, *, headers=None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


class Invalid(DomainError):
    status = 422
    title = _l("The input is not valid")

    @classmethod
    def field(cls, name: str, message: str) -> Invalid:
        """An error on one field."""
        return cls(message, {name: [message]})


class Unauthorized(DomainError):
    status = 401
    title = _l("Not signed in")


class Forbidden(DomainError):
    status = 403
    title = _l("Not allowed")


class NotFound(DomainError):
    status = 404
    title = _l("Not found")


class Conflict(DomainError):
    status = 409
    title = _l("Conflict")


class Throttled(DomainError):
    status = 429
    title = _l("Too many attempts")


def problem(status: int, detail: str | None = None, *, title: str | None = None,
            errors: dict[str, list[str]] | None = None, headers=None) -> Response:
    """An RFC 9457 ``application/problem+json`` response."""
    phrase = status_phrase(status)
    body: dict = {"type": "about:blank", "status": status, "title": str(title or phrase),
                  "detail": str(detail or phrase)}
    if errors is not None:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


# The reason phrases a problem's title falls back to, in the caller's language (``HTTPStatus`` has English only).
STATUS_PHRASES = {
    400: _l("Bad Request"), 401: _l("Unauthorized"), 403: _l("Forbidden"), 404: _l("Not Found"),
    405: _l("Method Not Allowed"), 406: _l("Not Acceptable"), 409: _l("Conflict"), 410: _l("Gone"),
    411: _l("Length Required"), 412: _l("Precondition Failed"), 413: _l("Request Entity Too Large"),
    414: _l("Request-URI Too Long"), 415: _l("Unsupported Media Type"), 416: _l("Requested Range Not Satisfiable"),
    422: _l("Unprocessable Entity"), 428: _l("Precondition Required"), 429: _l("Too Many Requests"),
    431: _l("Request Header Fields Too Large"), 500: _l("Internal Server Error"), 501: _l("Not Implemented"),
    502: _l("Bad Gateway"), 503: _l("Service Unavailable"), 504: _l("Gateway Timeout"),
}

# What werkzeug says of each status, in plain words and in the caller's language, for an error raised
# without its own description (``abort(404)``, a route that does not exist, a method it does not take).
DEFAULT_DESCRIPTIONS = {
    400: _l("The request could not be understood."),
    401: _l("Please sign in first."),
    403: _l("You do not have permission to do this."),
    404: _l("The requested address was not found on this server."),
    405: _l("This method is not allowed for this address."),
    406: _l("The answer cannot be given in a form this request accepts."),
    409: _l("This request conflicts with the current state of what it changes."),
    410: _l("This is no longer available."),
    411: _l("This request needs a Content-Length header."),
    412: _l("A precondition of this request was not met."),
    413: _l("The request is larger than this server takes."),
    414: _l("The address is too long for this server."),
    415: _l("This server does not take the request's media type."),
    416: _l("The requested range cannot be given."),
    422: _l("The request was well formed but could not be followed."),
    428: _l("This request must be conditional."),
    429: _l("There have been too many requests. Please wait a little and try again."),
    431: _l("The request's headers are too large."),
    501: _l("This server does not support what the request asks for."),
    502: _l("A server behind this one gave an answer that is not valid."),
    503: _l("The service is not available right now. Please try again later."),
    504: _l("A server behind this one did not answer in time."),
}


def status_phrase(status: int) -> str:
    """The reason phrase of ``status`` in the caller's language."""
    if status in STATUS_PHRASES:
        return str(STATUS_PHRASES[status])
    return HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else _("Error")


def http_description(error: HTTPException) -> str:
    """An HTTP error's description: its own when it was given one, else the status's own in the caller's language."""
    status = error.code or 500
    if error.description == type(error).description and status in DEFAULT_DESCRIPTIONS:
        return str(DEFAULT_DESCRIPTIONS[status])
    return str(error.description)


def wants_problem() -> bool:
    """Whether this request is answered in JSON (the API) rather than with a page."""
    return request.path.startswith("/api/")


def _page(status: int, title: str, detail: str):
    return render_template("errors/error.html", status=status, title=title, detail=detail), status


HTTP_DETAILS = {
    400: _l("Something in that request did not look right. Please go back and try again."),
    403: _l("This is not available to your account."),
    404: _l("We could not find that page. It may have moved, or the link may be incomplete."),
    405: _l("That action is not available here."),
    413: _l("That was more than we can take in one go. Please send something smaller."),
    429: _l("There have been too many attempts. Please wait a little and try again."),
    500: _l("Something went wrong on our side. Nothing you did caused it. Please try again in a moment."),
}


# How long a client is asked to wait before trying again when the database cannot be reached.
RETRY_AFTER_SECONDS = 5


def storage_status(error: Exception) -> int | None:
    """507 when the database's disk is full, 503 when the database cannot be reached or is busy now, else None.

    Both mean that the request's transaction was rolled back whole (nothing of it is written) and that the
    same request may succeed later, unlike an error in the code, which stays a 500.
    """
    if isinstance(error, (DisconnectionError, PoolTimeout)):
        return 503
    if not isinstance(error, DBAPIError):
        return None
    text = str(error.orig).lower()
    if "database or disk is full" in text or getattr(error.orig, "sqlstate", None) == "53100":
        return 507
    if error.connection_invalidated or isinstance(error, InterfaceError):
        return 503
    if isinstance(error, OperationalError):
        if type(error.orig).__module__.startswith("sqlite3"):
            # SQLite's OperationalError is also a missing table or a bad statement: only these pass with time.
            return 503 if any(w in text for w in ("locked", "busy", "unable to open", "disk i/o")) else None
        return 503  # PostgreSQL: the connection failed or was ended (a restart, an admin shutdown, a timeout)
    return None


def forget_loaded_rows() -> None:
    """Roll the failed transaction back and let the error page render without the database.

    The signed-in person's row is expired by the rollback and reloading it would fail again, so the page
    is rendered as for a visitor (the language chosen for this request stays, flask-babel keeps it).
    """
    from companion.extensions import db, login_manager

    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001  (a dead connection may refuse even this; the session is dropped at teardown)
        current_app.logger.warning("Could not roll back after a database error", exc_info=True)
    g._login_user = login_manager.anonymous_user()


STORAGE_DETAILS = {
    503: _l("We could not reach our records just now, so nothing you sent was saved. "
            "Please try again in a moment."),
    507: _l("Our server has run out of storage space, so nothing you sent was saved. "
            "What you saved before is safe. Please try again later."),
}
STORAGE_TITLES = {503: _l("Please try again in a moment"), 507: _l("We could not save that")}
# Pages that need nothing from the database but the signed-in person, and so are shown as to a visitor
# while it is down: the crisis lines above all.
PAGES_WITHOUT_DATABASE = {"main.help"}


def register_error_handlers(app: Flask) -> None:
    """Turn every error into a problem response under /api and a kind page elsewhere."""

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        if wants_problem():
            return problem(error.status, error.detail, title=error.title, errors=error.errors,
                           headers=error.headers)
        response = render_template("errors/error.html", status=error.status, title=error.title,
                                   detail=error.detail)
        return response, error.status, error.headers

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        detail = _("This form has expired or was sent from elsewhere. Please go back, reload the page and send it again.")
        if wants_problem():
            return problem(403, _("The X-CSRFToken header is missing or does not match this session."),
                           title=_("CSRF token missing or invalid"))
        return _page(400, _("Please send that again"), detail)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if wants_problem():
            detail = http_description(error) if status != 500 else HTTP_DETAILS[500]
            response = problem(status, detail)
            valid_methods = getattr(error, "valid_methods", None)
            if status == 405 and valid_methods:
                response.headers["Allow"] = ", ".join(valid_methods)
            if status == 429:
                response.headers.setdefault("Retry-After", "60")
            return response
        title = status_phrase(status)
        return _page(status, title, HTTP_DETAILS.get(status, http_description(error) or title))

    @app.errorhandler(DBAPIError)
    @app.errorhandler(DisconnectionError)
    @app.errorhandler(PoolTimeout)
    def storage_error(error: Exception):
        status = storage_status(error)
        if status is None:
            return unexpected_error(error)
        forget_loaded_rows()
        if status == 503 and request.method == "GET" and request.endpoint in PAGES_WITHOUT_DATABASE:
            return current_app.view_functions[request.endpoint](**(request.view_args or {}))
        if status == 507:
            current_app.logger.error("The database's disk is full (%s %s): %s", request.method, request.path, error.orig)
        else:
            current_app.logger.warning("The database is unavailable (%s %s): %s", request.method, request.path,
                                       getattr(error, "orig", error))
        headers = {"Retry-After": str(RETRY_AFTER_SECONDS)} if status == 503 else {}
        if wants_problem():
            return problem(status, str(STORAGE_DETAILS[status]), title=str(STORAGE_TITLES[status]), headers=headers)
        page, _status = _page(status, str(STORAGE_TITLES[status]), str(STORAGE_DETAILS[status]))
        return page, status, headers

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if wants_problem():
            return problem(500, HTTP_DETAILS[500])
        return _page(500, _("Something went wrong"), HTTP_DETAILS[500])
