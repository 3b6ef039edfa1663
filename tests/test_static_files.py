"""Static files: content-hashed URLs, a year of caching for the current version, revalidation otherwise."""

from __future__ import annotations

import hashlib
import os
from importlib.resources import files

from flask import url_for

APP_CSS = files("companion").joinpath("static/css/app.css").read_bytes()
APP_CSS_VERSION = hashlib.sha256(APP_CSS).hexdigest()[:12]


def test_static_urls_carry_the_files_content_hash(app):
    with app.test_request_context():
        assert url_for("static", filename="css/app.css") == f"/static/css/app.css?v={APP_CSS_VERSION}"
        assert url_for("static", filename="no/such-file.css") == "/static/no/such-file.css"


def test_pages_link_their_static_files_by_version(client):
    page = client.get("/login").get_data(as_text=True)
    assert f'href="/static/css/app.css?v={APP_CSS_VERSION}"' in page
    assert 'src="/static/js/app.js?v=' in page


def test_the_current_version_of_a_static_file_is_cached_for_a_year(client):
    response = client.get(f"/static/css/app.css?v={APP_CSS_VERSION}")
    assert response.status_code == 200
    cache_control = response.cache_control
    assert cache_control.public and cache_control.immutable and cache_control.max_age == 365 * 24 * 3600
    assert not cache_control.no_cache and not cache_control.no_store
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()


def test_a_static_file_without_its_current_version_is_revalidated_each_time(client):
    for url in ["/static/css/app.css", "/static/css/app.css?v=0123456789ab"]:
        response = client.get(url)
        assert response.status_code == 200
        assert response.cache_control.no_cache and response.cache_control.max_age is None
        assert not response.cache_control.immutable
        etag = response.headers["ETag"]
        response.close()
        with client.get(url, headers={"If-None-Match": etag}) as again:
            assert again.status_code == 304


def test_a_changed_file_gets_a_new_url(app, tmp_path):
    app.static_folder = str(tmp_path)
    style = tmp_path / "style.css"
    style.write_text("body { color: black }")
    with app.test_request_context():
        first = url_for("static", filename="style.css")
        style.write_text("body { color: navy }")
        os.utime(style, ns=(style.stat().st_atime_ns, style.stat().st_mtime_ns + 1_000_000_000))
        second = url_for("static", filename="style.css")
    assert first != second
    assert second == f"/static/style.css?v={hashlib.sha256(b'body { color: navy }').hexdigest()[:12]}"
