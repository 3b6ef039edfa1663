"""Declared API endpoints.

Each endpoint names the pydantic models of its query, body and answer. The same declaration
validates the request, shapes the answer and writes the OpenAPI 3.1 document, so the document
cannot drift from the code. Pydantic was chosen because its JSON Schema (draft 2020-12) is the
schema dialect of OpenAPI 3.1, it is the most used validation library in Python, and its
per-field errors map directly onto the ``errors`` of an RFC 9457 problem.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import wraps
from datetime import date, datetime
from typing import Annotated, Any

from flask import Response, current_app, jsonify, request
from flask_babel import get_locale, gettext as _, lazy_gettext as _l
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from pydantic import BaseModel, BeforeValidator, ConfigDict, TypeAdapter, ValidationError, field_validator
from werkzeug.exceptions import RequestEntityTooLarge, UnsupportedMediaType
from wtforms.validators import ValidationError as CSRFValidationError

from companion.blueprints.privacy.ledger import REDISCLOSURE_NOTICE
from companion.errors import DomainError, Forbidden, Invalid, Unauthorized
from companion.roles import Rule

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
INT32 = 2**31  # an INTEGER column (every id and count here) holds -2**31 to 2**31 - 1 on PostgreSQL


class Input(BaseModel):
    """Base of every request model: unknown fields are an error, and types are not guessed at
    (``"done": "yes"`` or a number for a date is a 422, while dates and ids arrive as JSON strings)."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, strict=True)

    @field_validator("*", mode="after")
    @classmethod
    def _fits_a_column(cls, value: Any) -> Any:
        """Every integer (alone or in a list) fits an INTEGER column, as the document says of each."""
        for item in value if isinstance(value, list) else (value,):
            if isinstance(item, int) and not isinstance(item, bool) and not -INT32 <= item < INT32:
                raise ValueError(_("This number is too large."))
        return value


class Query(BaseModel):
    """Base of query-string models: unknown parameters are ignored, as browsers add their own."""

    model_config = ConfigDict(extra="ignore", allow_inf_nan=False)


def _iso(value: Any) -> Any:
    # Pydantic reads a bare number as a Unix time; the document says ISO 8601, and so does the server.
    if isinstance(value, str) and value.strip().lstrip("+-").replace(".", "", 1).isdigit():
        raise ValueError(_("Give a date as YYYY-MM-DD, or a time in ISO 8601 with its offset."))
    return value


QueryDate = Annotated[date, BeforeValidator(_iso)]
QueryDatetime = Annotated[datetime, BeforeValidator(_iso)]


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
    headers: dict[str, str] = field(default_factory=dict)
    path_params: list[tuple[str, str]] = field(default_factory=list)
    # A staff answer with a participant's disclosed data: it carries the 42 CFR Part 2 redisclosure notice.
    disclosure: bool = False
    roles: Rule | None = None


OPERATIONS: list[Operation] = []

# Pydantic's message for each kind of error, in plain words and in the caller's language (pydantic's own are
# English only). ``ctx`` fills the placeholders; a kind not listed here says only that the value is not valid.
FRIENDLY = {
    "missing": _l("This field is required."),
    "extra_forbidden": _l("This field is not allowed here."),
    "model_type": _l("Expected a JSON object."),
    "model_attributes_type": _l("Expected a JSON object."),
    "dict_type": _l("Expected a JSON object."),
    "list_type": _l("Expected a list."),
    "tuple_type": _l("Expected a list."),
    "set_type": _l("Expected a list."),
    "string_type": _l("Expected text."),
    "string_sub_type": _l("Expected text."),
    "string_unicode": _l("Expected text."),
    "string_too_short": _l("Write at least %(min_length)s characters."),
    "string_too_long": _l("Write at most %(max_length)s characters."),
    "string_pattern_mismatch": _l("This text does not have the expected form."),
    "too_short": _l("Give at least %(min_length)s items."),
    "too_long": _l("Give at most %(max_length)s items."),
    "int_type": _l("Expected a whole number."),
    "int_parsing": _l("Expected a whole number."),
    "int_from_float": _l("Expected a whole number."),
    "float_type": _l("Expected a number."),
    "float_parsing": _l("Expected a number."),
    "finite_number": _l("Expected a finite number."),
    "decimal_type": _l("Expected a number."),
    "decimal_parsing": _l("Expected a number."),
    "bool_type": _l("Expected true or false."),
    "bool_parsing": _l("Expected true or false."),
    "greater_than": _l("Give a number greater than %(gt)s."),
    "greater_than_equal": _l("Give a number of at least %(ge)s."),
    "less_than": _l("Give a number less than %(lt)s."),
    "less_than_equal": _l("Give a number of at most %(le)s."),
    "multiple_of": _l("Give a multiple of %(multiple_of)s."),
    "literal_error": _l("Choose one of: %(expected)s."),
    "enum": _l("Choose one of: %(expected)s."),
    "date_type": _l("Give a date as YYYY-MM-DD."),
    "date_parsing": _l("Give a date as YYYY-MM-DD."),
    "date_from_datetime_parsing": _l("Give a date as YYYY-MM-DD."),
    "date_from_datetime_inexact": _l("Give a date as YYYY-MM-DD, without a time."),
    "date_past": _l("Give a date in the past."),
    "date_future": _l("Give a date in the future."),
    "datetime_type": _l("Give a date and time in ISO 8601, such as 2026-03-02T18:00:00-05:00."),
    "datetime_parsing": _l("Give a date and time in ISO 8601, such as 2026-03-02T18:00:00-05:00."),
    "datetime_from_date_parsing": _l("Give a date and time in ISO 8601, such as 2026-03-02T18:00:00-05:00."),
    "datetime_object_invalid": _l("Give a date and time in ISO 8601, such as 2026-03-02T18:00:00-05:00."),
    "timezone_aware": _l("Give the time with its offset, such as 18:00:00-05:00."),
    "timezone_naive": _l("Give the local time without an offset."),
    "time_type": _l("Give a time as HH:MM."),
    "time_parsing": _l("Give a time as HH:MM."),
    "time_delta_type": _l("Give a duration."),
    "time_delta_parsing": _l("Give a duration."),
    "uuid_type": _l("Give a UUID."),
    "uuid_parsing": _l("Give a UUID."),
    "uuid_version": _l("Give a UUID."),
    "url_type": _l("Give a web address."),
    "url_parsing": _l("Give a full web address, such as https://example.org."),
    "url_scheme": _l("Give a web address that starts with %(expected_schemes)s."),
    "url_too_long": _l("This web address is too long."),
    "value_error": _l("This value is not valid."),
    "assertion_error": _l("This value is not valid."),
    "union_tag_invalid": _l("This value is not valid."),
    "json_invalid": _l("The body is not valid JSON."),
    "json_type": _l("The body is not valid JSON."),
    "none_required": _l("This field must be null."),
    "frozen_field": _l("This field cannot be changed."),
    "recursion_loop": _l("This value is nested too deeply."),
}
NOT_VALID = _l("This value is not valid.")


def friendly(item: dict) -> str:
    """One of pydantic's errors as a message for the caller: ours when a validator of ours raised it (already
    in the caller's language), else the plain words for its kind, with the figures it carries."""
    context = item.get("ctx") or {}
    if item["type"] == "value_error" and isinstance(context.get("error"), Exception):
        return str(context["error"])
    message = FRIENDLY.get(item["type"])
    if message is None:
        return item["msg"] if get_locale() is None or get_locale().language == "en" else str(NOT_VALID)
    try:
        values = dict(context)
        if "expected" in values:  # pydantic joins the choices with an English "or"
            values["expected"] = str(values["expected"]).replace(" or ", ", ")
        return str(message) % values
    except (KeyError, TypeError, ValueError):
        return str(NOT_VALID)


def field_errors(error: ValidationError) -> dict[str, list[str]]:
    """Pydantic's errors as ``{field: [messages]}``."""
    errors: dict[str, list[str]] = {}
    for item in error.errors(include_url=False):
        name = ".".join(str(part) for part in item["loc"]) or "body"
        errors.setdefault(name, []).append(friendly(item))
    return errors


def validate(model: Any, data: Any) -> Any:
    """``data`` checked against ``model``, or a 422 problem naming each bad field."""
    try:
        return TypeAdapter(model).validate_python(data)
    except ValidationError as error:
        raise Invalid(_("Some fields are missing or not valid."), field_errors(error)) from None


def _number(text: str) -> int | float:
    """A JSON number: a whole one written with a fraction or an exponent (``3.0``, ``1e2``) is the integer
    it equals, as JSON Schema's ``integer`` says, so that a strict ``int`` field takes it."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(_("%(text)s is too large for a number", text=text))
    return int(value) if value.is_integer() and -INT32 <= value < INT32 else value


def _not_a_number(text: str):
    raise ValueError(_("%(text)s is not a JSON number", text=text))


def storable(text: str) -> bool:
    """Whether a database can keep ``text`` as it is: no NUL character (PostgreSQL refuses it in text, and
    elsewhere it cuts text short) and no lone half of a UTF-16 surrogate pair (JSON's ``"\\ud800"``,
    which is no character at all and cannot be written as UTF-8)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _unstorable(value: Any, path: tuple = ()) -> Iterator[tuple[str, str]]:
    """``(field, message)`` for each text in ``value`` that no database can keep (see ``storable``)."""
    name = ".".join(str(part) for part in path) or "body"
    if isinstance(value, str):
        if not storable(value):
            yield name, _("This contains a character we can't store. Please retype it.")
    elif isinstance(value, dict):
        for key, item in value.items():
            if not storable(key):
                yield name, _("A field name contains a character we can't store.")
            yield from _unstorable(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unstorable(item, (*path, index))


def parse_json(raw: bytes) -> Any:
    """``raw`` parsed as JSON, or a 400 problem: not UTF-8, not JSON, or NaN or Infinity (not JSON either).
    A value that no database can keep (see ``_unstorable``) is a 422 on its field."""
    try:
        data = json.loads(raw, parse_float=_number, parse_constant=_not_a_number)
    except (ValueError, RecursionError):
        raise DomainError(_("The body is not valid JSON.")) from None
    errors: dict[str, list[str]] = {}
    for name, message in _unstorable(data):
        errors.setdefault(name, []).append(message)
    if errors:
        raise Invalid(_("Some fields are missing or not valid."), errors)
    return data


def validate_body(model: Any) -> Any:
    """The request's JSON body checked against ``model``: 413 when too large, 415 when not JSON,
    400 when not parseable, 422 naming each bad field."""
    if request.content_length is not None and request.content_length > current_app.config["MAX_CONTENT_LENGTH"]:
        raise RequestEntityTooLarge(_("A request body may be at most %(limit)s bytes.",
                                      limit=current_app.config["MAX_CONTENT_LENGTH"]))
    raw = request.get_data(cache=True)
    if request.mimetype and request.mimetype != "application/json" and not request.mimetype.endswith("+json"):
        raise UnsupportedMediaType(_("Send the body as application/json."))
    if not raw.strip():
        try:
            return TypeAdapter(model).validate_python(None)  # an endpoint whose body is optional
        except ValidationError:
            raise Invalid(_("The body is empty; send a JSON object."), {"body": [_("Expected a JSON object.")]}) from None
    data = parse_json(raw)
    try:
        # Validated as JSON text (so that dates and ids arrive as strings, as in the document), written
        # again from what was parsed above, with whole numbers as integers.
        return TypeAdapter(model).validate_json(json.dumps(data, ensure_ascii=False, allow_nan=False))
    except ValidationError as error:
        if any(item["type"] == "json_invalid" for item in error.errors()):
            raise DomainError(_("The body is not valid JSON.")) from None
        raise Invalid(_("Some fields are missing or not valid."), field_errors(error)) from None


def check_csrf() -> None:
    """Unsafe calls carry the session's CSRF token in ``X-CSRFToken``."""
    token = request.headers.get("X-CSRFToken") or request.headers.get("X-CSRF-Token")
    try:
        validate_csrf(token)
    except CSRFValidationError:
        raise Forbidden(_("The X-CSRFToken header is missing or does not match this session. "
                          "Use the csrf_token returned when signing in.")) from None


def _path_params(rule: str) -> list[tuple[str, str]]:
    return [(name, converter or "string") for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", rule)]


def endpoint(rule: str, method: str, *, summary: str, tag: str, body: type | None = None,
             query: type[Query] | None = None, response: Any = None, status: int = 200,
             auth: bool = True, csrf: bool = True, errors: tuple[int, ...] = (), description: str = "",
             media_type: str = "application/json", headers: dict[str, str] | None = None,
             disclosure: bool = False, roles: Rule | None = None):
    """Declare an API endpoint on the API blueprint (``headers``: the answer's documented headers;
    ``disclosure``: a staff answer that carries the redisclosure notice; ``roles``: who may call it, as
    ``roles.required(...)`` declares it, checked after sign-in and CSRF and before the input is read)."""
    from companion.blueprints.api import bp

    def decorator(view):
        operation = Operation(rule=rule, method=method, endpoint=view.__name__, summary=summary, tag=tag,
                              body=body, query=query, response=response, status=status, auth=auth,
                              csrf=csrf, errors=errors, description=description or (view.__doc__ or "").strip(),
                              media_type=media_type, headers=headers or {}, disclosure=disclosure,
                              path_params=_path_params(rule), roles=roles)

        @wraps(view)
        def wrapper(**kwargs):
            if operation.auth and not current_user.is_authenticated:
                raise Unauthorized(_("Please sign in first."))
            if operation.csrf and method in UNSAFE_METHODS:
                check_csrf()
            if operation.roles is not None:
                operation.roles.enforce(current_user)
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
    status, headers = operation.status, {}
    if isinstance(result, tuple):
        result, status, *more = result
        headers = more[0] if more else {}
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
    response.headers.update({name: value for name, value in headers.items() if value is not None})
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
