"""The OpenAPI 3.1 document, generated from the declared endpoints."""

from __future__ import annotations

import re
from functools import cache
from http import HTTPStatus
from typing import Any

from flask import jsonify
from pydantic import BaseModel, TypeAdapter

from companion.blueprints.api.spec import OPERATIONS, UNSAFE_METHODS, Operation, endpoint

REF = "#/components/schemas/{model}"
INT_MAX = 2**31 - 1  # an INTEGER column's largest value (spec.INT32)
CONVERTER_SCHEMAS = {"int": {"type": "integer", "minimum": 0, "maximum": INT_MAX}, "string": {"type": "string"},
                     "uuid": {"type": "string", "format": "uuid"}, "path": {"type": "string"}}

PROBLEM_SCHEMA = {
    "type": "object",
    "description": "An RFC 9457 problem detail.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}},
                   "description": "For invalid input: the messages for each field."},
    },
}


# What the shared validation in spec.py refuses in every request, said in the document too: text with a NUL
# (no database stores it) and integers beyond 32 bits. A lone UTF-16 surrogate (JSON's "\\ud800" alone) is
# refused as well, but is left out of the pattern: RFC 8259 already calls such text unpredictable, and a
# surrogate range in the class makes generators (Hypothesis) produce NULs.
STORABLE = "^[^\\u0000]*$"


def accepted(schema: Any) -> Any:
    """``schema`` of a request, with what every request is held to made explicit (see ``STORABLE``)."""
    if isinstance(schema, list):
        return [accepted(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    schema = {key: accepted(value) if key not in ("enum", "const", "default", "examples") else value
              for key, value in schema.items()}
    if schema.get("type") == "string" and not ({"format", "enum", "const"} & schema.keys()):
        if "pattern" in schema:
            schema.setdefault("allOf", []).append({"pattern": STORABLE})
        else:
            schema["pattern"] = STORABLE
    if schema.get("type") == "object" and schema.get("additionalProperties") is not False:
        schema.setdefault("propertyNames", {"pattern": STORABLE})
    if schema.get("type") == "integer":
        schema.setdefault("maximum", INT_MAX)
        schema.setdefault("minimum", -INT_MAX - 1)
    if "default" in schema and schema["default"] is None and not _allows_null(schema):
        del schema["default"]  # an optional field that may be left out but not sent as null
    return schema


def _allows_null(schema: dict) -> bool:
    kind = schema.get("type")
    return (kind == "null" or (isinstance(kind, list) and "null" in kind) or None in schema.get("enum", ())
            or any(_allows_null(item) for item in schema.get("anyOf", []) + schema.get("oneOf", [])))


class _Schemas:
    def __init__(self) -> None:
        self.components: dict[str, Any] = {"Problem": PROBLEM_SCHEMA}

    def add(self, model: Any, mode: str) -> dict:
        """A schema for ``model`` (a ref when it is a named model), its definitions kept in components."""
        schema = TypeAdapter(model).json_schema(ref_template=REF, mode=mode)
        if mode == "validation":
            schema = accepted(schema)
        definitions = schema.pop("$defs", {})
        if isinstance(model, type) and issubclass(model, BaseModel):
            definitions[model.__name__] = schema
        for name, definition in definitions.items():
            # A model both taken and given (Contact) keeps its request form, which says what is accepted;
            # its answers are held to that too.
            if mode == "validation" or name not in self.components:
                self.components[name] = definition
        if isinstance(model, type) and issubclass(model, BaseModel):
            return {"$ref": REF.format(model=model.__name__)}
        return schema


def _problem(status: int, description: str | None = None) -> dict:
    return {"description": description or HTTPStatus(status).phrase,
            "content": {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}}


def _operation(op: Operation, schemas: _Schemas) -> dict:
    doc: dict[str, Any] = {"operationId": op.endpoint, "summary": op.summary, "tags": [op.tag]}
    if op.description:
        doc["description"] = op.description
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": CONVERTER_SCHEMAS.get(converter, {"type": "string"})}
                  for name, converter in op.path_params]
    if op.query is not None:
        query_schema = op.query.model_json_schema(ref_template=REF)
        schemas.components.update(query_schema.pop("$defs", {}))
        required = set(query_schema.get("required", []))
        for name, prop in query_schema.get("properties", {}).items():
            param = {"name": name, "in": "query", "required": name in required, "schema": prop}
            if "description" in prop:
                param["description"] = prop["description"]
            parameters.append(param)
    if parameters:
        doc["parameters"] = parameters
    if op.body is not None:
        doc["requestBody"] = {"required": True,
                              "content": {"application/json": {"schema": schemas.add(op.body, "validation")}}}
    responses: dict[str, Any] = {}
    if op.status == 204 or op.response is None:
        responses[str(op.status)] = {"description": "Done; no content."}
    else:
        schema = schemas.add(op.response, "serialization")
        responses[str(op.status)] = {"description": HTTPStatus(op.status).phrase,
                                     "content": {op.media_type: {"schema": schema}}}
        if op.headers:
            responses[str(op.status)]["headers"] = {name: {"description": text, "schema": {"type": "string"}}
                                                    for name, text in op.headers.items()}
        if op.disclosure:
            responses[str(op.status)] = disclosure_response(responses[str(op.status)], schema, op.media_type)
    errors = set(op.errors)
    if op.auth:
        errors.add(401)
    if op.csrf and op.method in UNSAFE_METHODS:
        errors.add(403)
    if op.body is not None:
        errors |= {400, 413, 415, 422}
    if op.query is not None:
        errors.add(422)
    if op.path_params:
        errors.add(404)
    for status in sorted(errors):
        responses[str(status)] = _problem(status)
    responses["default"] = _problem(500, "An error, as a problem detail.")
    doc["responses"] = responses
    security = []
    if op.auth:
        security.append({"session": [], "csrf": []} if op.csrf and op.method in UNSAFE_METHODS else {"session": []})
    doc["security"] = security
    return doc


def _link_creates_to_reads(paths: dict[str, dict]) -> None:
    """OpenAPI links from each create (a POST answering 201 with an ``id``) to the operations on what it
    made (``{path}/{…_id}``, or ``/api/v1/steps/{step_id}`` for ``…/steps``: read, change, delete), so that
    a client, or a fuzzer's stateful phase, can follow them."""
    for path, operations in paths.items():
        created = operations.get("post", {}).get("responses", {}).get("201")
        if not created:
            continue
        collection = "/api/v1/" + path.rsplit("/", 1)[-1]
        items = rf"(?:{re.escape(path)}|{re.escape(collection)})/\{{(\w+_id)\}}"
        for item_path, item_operations in paths.items():
            match = re.fullmatch(items, item_path)
            if not match:
                continue
            links = created.setdefault("links", {})
            for method, operation in item_operations.items():
                links[operation["operationId"]] = {
                    "operationId": operation["operationId"],
                    "parameters": {match.group(1): "$response.body#/id"},
                }


@cache
def openapi_document() -> dict:
    """The OpenAPI 3.1 description of every declared endpoint."""
    schemas = _Schemas()
    paths: dict[str, dict] = {}
    for op in OPERATIONS:
        path = "/api/v1" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", op.rule)
        paths.setdefault(path, {})[op.method.lower()] = _operation(op, schemas)
    _link_creates_to_reads(paths)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Companion API",
            "version": "1",
            "description": "The JSON API of Companion. Sign in with POST /session; send the returned "
                           "csrf_token in the X-CSRFToken header of every other unsafe request. Errors are "
                           "RFC 9457 problem details.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas.components,
            "securitySchemes": {
                "session": {"type": "apiKey", "in": "cookie", "name": "companion_session"},
                "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"},
            },
        },
    }


@endpoint("/openapi.json", "GET", summary="This OpenAPI document", tag="meta", auth=False)
def openapi():
    """The OpenAPI 3.1 document of this API."""
    return jsonify(openapi_document())


def disclosure_response(response: dict, schema: dict, media_type: str) -> dict:
    """A staff answer's documentation: the redisclosure notice in a header and beside each record's fields."""
    from companion.blueprints.api.spec import NOTICE_FIELD, NOTICE_HEADER
    from companion.blueprints.privacy.ledger import REDISCLOSURE_NOTICE

    notice = {"type": "object", "required": [NOTICE_FIELD],
              "properties": {NOTICE_FIELD: {"type": "string", "const": REDISCLOSURE_NOTICE,
                                            "description": "The 42 CFR Part 2 (§ 2.32) redisclosure notice this record carries."}}}
    if schema.get("type") == "array" and "items" in schema:
        schema = {**schema, "items": {"allOf": [schema["items"], notice]}}
    else:
        schema = {"allOf": [schema, notice]}
    return {**response, "content": {media_type: {"schema": schema}},
            "headers": {**response.get("headers", {}), NOTICE_HEADER: {"description": "The 42 CFR Part 2 (§ 2.32) redisclosure notice, as in each record.",
                                        "schema": {"type": "string", "const": REDISCLOSURE_NOTICE}}}}
