"""Absolute links, built from the configured APP_URL and never from the request's Host header."""

from __future__ import annotations

from flask import current_app, has_request_context, request, url_for

from companion.config import DEVELOPMENT_APP_URL


def app_url() -> str:
    """The site's public address without a trailing slash (the development server's when none is set)."""
    return (current_app.config.get("APP_URL") or DEVELOPMENT_APP_URL).rstrip("/")


def absolute_url(endpoint: str, **values) -> str:
    """The full address of an endpoint, for e-mails, feeds and anything read outside the page (or outside a request: a job)."""
    if not has_request_context():
        return app_url() + current_app.url_map.bind("localhost").build(endpoint, values)
    return app_url() + url_for(endpoint, **values)


def absolute_path(path: str) -> str:
    """The full address of a path on this site (``/notifications``)."""
    return app_url() + (path if path.startswith("/") else "/" + path)


_built: dict[tuple, str] = {}
_MAX_BUILT = 10_000


def template_url_for(endpoint: str, **values) -> str:
    """``url_for`` for templates, each distinct link built once per process rather than on every page.

    A page builds about thirty links (the navigation, static files with their version, forms' actions); the
    same endpoint with the same values under the same script root is always the same path, so it is kept.
    Links with options (``_external``, ``_anchor``...) are built every time, and nothing is kept in debug
    mode, where static files (whose version is in their URL) change under a running server.
    """
    if current_app.debug or any(name.startswith("_") for name in values):
        return url_for(endpoint, **values)
    try:
        key = (endpoint, request.script_root, request.blueprint if endpoint.startswith(".") else None,
               *sorted(values.items()))
        found = _built.get(key)
    except TypeError:  # a value that cannot be a key (a list): build it
        return url_for(endpoint, **values)
    if found is None:
        if len(_built) > _MAX_BUILT:
            _built.clear()
        found = _built[key] = url_for(endpoint, **values)
    return found
