"""Declared API endpoints.

Each endpoint names the pydantic models of its query, body and answer. The same declaration
validates the request, shapes the answer and writes the OpenAPI 3.1 document, so the document
cannot drift from the code. Pydantic was chosen because its JSON Schema (draft 2020-12) is the
schema dialect of OpenAPI 3.1, it is the most used validation library in Python, and its
per-field errors map directly onto the ``errors`` of an RFC 9457 problem.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Response, current_app, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType
from wtforms.validators import ValidationError as CSRFValidationError

from companion.blueprints.privacy.ledger import REDISCLOSURE_NOTICE
from companion.errors import DomainError, Forbidden, Invalid, Unauthorized

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


class Input(BaseModel):
    """Base of every request model: unknown fields are an error, and types are not guessed at
    (``"done": "yes"`` or a number for a date is a 422, while dates and ids arrive as JSON strings)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)


class Query(BaseModel):
    """Base of query-string models: unknown parameters are ignored, as browsers add their own."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)


@dataclass
class Operation:
    rule: str
    method: str
    endpoint: str
    summary: str
    tag: str
    body: type | None = None
    query: type[Query] | None = None
    response: Any = None
    status: int = 200
    auth: bool = True
    csrf: bool = True
    errors: tuple[int, ...] = ()
    description: str = ""
    media_type: str = "application/json"
    path_params: list[tuple[str, str]] = field(default_factory=list)
    # A staff answer with a participant's disclosed data: it carries the 42 CFR Part 2 redisclosure notice.
    disclosure: bool = False


OPERATIONS: list[Operation] = []

FRIENDLY = {
    "missing": "This field is required.",
    "extra_forbidden": "This field is not allowed here.",
    "model_type": "Expected a JSON object.",
    "model_attributes_type": "Expected a JSON object.",
    "dict_type": "Expected a JSON object.",
}


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """Pydantic's errors as ``{field: [messages]}``."""
    errors: dict[str, list[str]] = {}
    for item in error.errors(include_url=False):
        name = ".".join(str(part) for part in item["loc"]) or "body"
        errors.setdefault(name, []).append(FRIENDLY.get(item["type"], item["msg"]))
    return errors


def validate(model: Any, data: Any) -> Any:
    """``data`` checked against ``model``, or a 422 problem naming each bad field."""
    try:
        return TypeAdapter(model).validate_python(data)
    except ValidationError as error:
        raise Invalid("Some fields are missing or not valid.", field_errors(error)) from None


def validate_body(model: Any) -> Any:
    """The request's JSON body checked against ``model``: 413 when too large, 415 when not JSON,
    400 when not parseable, 422 naming each bad field."""
    if request.content_length is not None and request.content_length > current_app.config["MAX_CONTENT_LENGTH"]:
        raise RequestEntityTooLarge(f"A request body may be at most {current_app.config['MAX_CONTENT_LENGTH']} bytes.")
    raw = request.get_data(cache=True)
    if request.mimetype and request.mimetype != "application/json" and not request.mimetype.endswith("+json"):
        raise UnsupportedMediaType("Send the body as application/json.")
    if not raw.strip():
        try:
            return TypeAdapter(model).validate_python(None)  # an endpoint whose body is optional
        except ValidationError:
            raise Invalid("The body is empty; send a JSON object.", {"body": ["Expected a JSON object."]}) from None
    try:
        return TypeAdapter(model).validate_json(raw)
    except ValidationError as error:
        if any(item["type"] == "json_invalid" for item in error.errors()):
            raise DomainError("The body is not valid JSON.") from None
        raise Invalid("Some fields are missing or not valid.", field_errors(error)) from None


def check_csrf() -> None:
    """Unsafe calls carry the session's CSRF token in ``X-CSRFToken``."""
    token = request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token")
    try:
        validate_csrf(token)
    except CSRFValidationError as error:
        raise Forbidden(f"The X-CSRFToken header is missing or does not match this session ({error}). "
                        "Use the csrf_token returned when signing in.") from None


def _path_params(rule: str) -> list[tuple[str, str]]:
    return [(name, converter or "string") for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule)]


def endpoint(rule: str, method: str, *, summary: str, tag: str, body: type | None = None,
             query: type[Query] | None = None, response: Any = None, status: int = 200,
             auth: bool = True, csrf: bool = True, errors: tuple[int, ...] = (), description: str = "",
             media_type: str = "application/json", disclosure: bool = False):
    """Declare an API endpoint on the API blueprint (``disclosure``: a staff answer that carries the redisclosure notice)."""
    from companion.blueprints.api import bp

    def decorator(view):
        operation = Operation(rule=rule, method=method, endpoint=view.__name__, summary=summary, tag=tag,
                              body=body, query=query, response=response, status=status, auth=auth,
                              csrf=csrf, errors=errors, description=description or (view.__doc__ or "").strip(),
                              media_type=media_type, disclosure=disclosure,
                              path_params=_path_params(rule))

        @wraps(view)
        def wrapper(**kwargs):
            if operation.auth and not current_user.is_authenticated:
                raise Unauthorized("Please sign in first.")
            if operation.csrf and method in UNSAFE_METHODS:
                check_csrf()
            if operation.body is not None:
                kwargs["body"] = validate_body(operation.body)
            if operation.query is not None:
                kwargs["query"] = validate(operation.query, request.args.to_dict(flat=True))
            return render(operation, view(**kwargs))

        bp.add_url_rule(rule, endpoint=view.__name__, view_func=wrapper, methods=[method])
        OPERATIONS.append(operation)
        return wrapper

    return decorator


def render(operation: Operation, result: Any) -> Response:
    """A view's answer, shaped by the declared response model."""
    if isinstance(result, Response):
        return result
    status = operation.status
    if isinstance(result, tuple):
        result, status = result
    if status == 204 or operation.response is None:
        return Response(status=204)
    adapter = TypeAdapter(operation.response)
    # Python mode: the app's JSON provider writes times with their offset as +00:00 rather than Z.
    data = adapter.dump_python(adapter.validate_python(result, from_attributes=True))
    if operation.disclosure:
        data = with_notice(data)
    response = jsonify(data)
    response.status_code = status
    response.mimetype = operation.media_type
    if operation.disclosure:
        response.headers[NOTICE_HEADER] = REDISCLOSURE_NOTICE
    return response


NOTICE_HEADER = "Redisclosure-Notice"
NOTICE_FIELD = "redisclosure_notice"


def with_notice(data: Any) -> Any:
    """Each disclosed record (the object, or each item of a list) with the notice beside its fields, so
    that a record taken out of the answer still carries it."""
    if isinstance(data, list):
        return [with_notice(item) for item in data]
    if isinstance(data, dict):
        return {**data, NOTICE_FIELD: REDISCLOSURE_NOTICE}
    return data
