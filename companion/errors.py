"""Domain errors raised by services, and their rendering as RFC 9457 problems or error pages."""

from __future__ import annotations

from http import HTTPStatus

from flask import Flask, Response, current_app, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

PROBLEM_TYPE = "application/problem+json"


class DomainError(Exception):
    """A request that cannot be done, with a message for the person and, for input, per-field errors."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, errors: dict[str, list[str]] | None = None, *, headers=None):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}


class Invalid(DomainError):
    status = 422
    title = "The input is not valid"

    @classmethod
    def field(cls, name: str, message: str) -> Invalid:
        """An error on one field."""
        return cls(message, {name: [message]})


class Unauthorized(DomainError):
    status = 401
    title = "Not signed in"


class Forbidden(DomainError):
    status = 403
    title = "Not allowed"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class Throttled(DomainError):
    status = 429
    title = "Too many attempts"


def problem(status: int, detail: str | None = None, *, title: str | None = None,
            errors: dict[str, list[str]] | None = None, headers=None) -> Response:
    """An RFC 9457 ``application/problem+json`` response."""
    phrase = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
    body: dict = {"type": "about:blank", "status": status, "title": title or phrase,
                  "detail": detail or phrase}
    if errors is not None:
        body["errors"] = errors
    response = jsonify(body)
    response.status_code = status
    response.mimetype = PROBLEM_TYPE
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def wants_problem() -> bool:
    """Whether this request is answered in JSON (the API) rather than with a page."""
    return request.path.startswith("/api/")


def _page(status: int, title: str, detail: str):
    return render_template("errors/error.html", status=status, title=title, detail=detail), status


HTTP_DETAILS = {
    400: "Something in that request did not look right. Please go back and try again.",
    403: "This is not available to your account.",
    404: "We could not find that page. It may have moved, or the link may be incomplete.",
    405: "That action is not available here.",
    413: "That was more than we can take in one go. Please send something smaller.",
    429: "There have been too many attempts. Please wait a little and try again.",
    500: "Something went wrong on our side. Nothing you did caused it. Please try again in a moment.",
}


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
        detail = "This form has expired or was sent from elsewhere. Please go back, reload the page and send it again."
        if wants_problem():
            return problem(403, "The X-CSRFToken header is missing or does not match this session.",
                           title="CSRF token missing or invalid")
        return _page(400, "Please send that again", detail)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        status = error.code or 500
        if wants_problem():
            detail = error.description if status != 500 else HTTP_DETAILS[500]
            response = problem(status, detail)
            valid_methods = getattr(error, "valid_methods", None)
            if status == 405 and valid_methods:
                response.headers["Allow"] = ", ".join(valid_methods)
            if status == 429:
                response.headers.setdefault("Retry-After", "60")
            return response
        title = HTTPStatus(status).phrase if status in HTTPStatus._value2member_map_ else "Error"
        return _page(status, title, HTTP_DETAILS.get(status, error.description or title))

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        if wants_problem():
            return problem(500, HTTP_DETAILS[500])
        return _page(500, "Something went wrong", HTTP_DETAILS[500])
