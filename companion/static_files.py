"""Static files at versioned URLs: ``url_for('static', ...)`` adds ``?v=`` and the file's content hash.

A request with the current version is cached by the browser for a year without asking again, so a
repeat visit costs only the page itself; a new file gets a new URL. A request without the version (or
with an old one) is answered ``no-cache``: the browser asks again each time and gets a 304 when it
still has the file.
"""

from __future__ import annotations

import hashlib
import os
import threading

from flask import Flask, Response, current_app, request
from werkzeug.security import safe_join

YEAR = 365 * 24 * 60 * 60
_versions: dict[str, tuple[int, int, str]] = {}  # path: (mtime_ns, size, version)
_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Version static URLs and cache static files by their version."""
    app.url_defaults(add_version)
    app.after_request(cache_static)


def file_version(static_folder: str | None, filename: str) -> str | None:
    """The first 12 hex digits of the file's SHA-256, or None when there is no such file."""
    path = safe_join(static_folder, filename) if static_folder else None
    if path is None:
        return None
    try:
        stat = os.stat(path)
    except OSError:
        return None
    known = _versions.get(path)
    if known and known[:2] == (stat.st_mtime_ns, stat.st_size):
        return known[2]
    with open(path, "rb") as f:
        version = hashlib.sha256(f.read()).hexdigest()[:12]
    with _lock:
        _versions[path] = (stat.st_mtime_ns, stat.st_size, version)
    return version


def add_version(endpoint: str, values: dict) -> None:
    """Add ``v=<content hash>`` to every URL of a static file that exists."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        version = file_version(current_app.static_folder, values["filename"])
        if version:
            values["v"] = version


def cache_static(response: Response) -> Response:
    """A year of caching for the current version of a static file; otherwise revalidate every time."""
    if request.endpoint != "static" or response.status_code not in (200, 304):
        return response
    filename = (request.view_args or {}).get("filename", "")
    asked = request.args.get("v")
    if asked and asked == file_version(current_app.static_folder, filename):
        response.cache_control.no_cache = None
        response.cache_control.public = True
        response.cache_control.max_age = YEAR
        response.cache_control.immutable = True
    else:
        response.cache_control.max_age = None
        response.cache_control.no_cache = True
    return response
