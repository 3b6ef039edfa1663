"""Absolute links, built from the configured APP_URL and never from the request's Host header."""

from __future__ import annotations

from flask import current_app, url_for

from companion.config import DEVELOPMENT_APP_URL


def app_url() -> str:
    """The site's public address without a trailing slash (the development server's when none is set)."""
    return (current_app.config.get("APP_URL") or DEVELOPMENT_APP_URL).rstrip("/")


def absolute_url(endpoint: str, **values) -> str:
    """The full address of an endpoint, for e-mails, feeds and anything read outside the page."""
    return app_url() + url_for(endpoint, **values)


def absolute_path(path: str) -> str:
    """The full address of a path on this site (``/notifications``)."""
    return app_url() + (path if path.startswith("/") else "/" + path)
