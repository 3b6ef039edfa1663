"""Gzip for text responses: pages, API answers and static files, when the client accepts it."""

from __future__ import annotations

import gzip
import json
from importlib.resources import files

import pytest

from companion.compression import gzip_with_random_length

GZIP = {"Accept-Encoding": "gzip, deflate, br"}
APP_CSS = files("companion").joinpath("static/css/app.css").read_bytes()


@pytest.mark.parametrize("path", ["/login", "/register", "/help"])
def test_pages_are_compressed_and_keep_their_security_headers(client, path):
    plain = client.get(path).get_data()
    response = client.get(path, headers=GZIP)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["Vary"]
    assert int(response.headers["Content-Length"]) == len(response.data) < len(plain) / 2
    page = gzip.decompress(response.data).decode()
    assert '<form method="post"' in page or "988" in page
    csp = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]
    assert response.headers["Cache-Control"] == "no-store"


def test_a_signed_in_page_is_compressed_and_never_stored(client, auth, participant):
    auth.login(participant.email)
    response = client.get("/goals", headers=GZIP)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert response.headers["Cache-Control"] == "no-store"
    assert "<h1" in gzip.decompress(response.data).decode()


@pytest.mark.parametrize("accept", [None, "identity", "gzip;q=0", "br"])
def test_nothing_is_compressed_for_a_client_that_does_not_take_gzip(client, accept):
    response = client.get("/login", headers={"Accept-Encoding": accept} if accept else {})
    assert "Content-Encoding" not in response.headers
    assert "Accept-Encoding" in response.headers["Vary"]
    assert "<form" in response.get_data(as_text=True)


def test_a_head_request_is_not_compressed(client):
    response = client.head("/login", headers=GZIP)
    assert "Content-Encoding" not in response.headers


def test_api_answers_are_compressed(client):
    response = client.get("/api/v1/openapi.json", headers=GZIP)
    assert response.headers["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(response.data))["openapi"].startswith("3.1")


def test_static_files_are_compressed_with_a_weak_etag_that_still_revalidates(client):
    response = client.get("/static/css/app.css", headers=GZIP)
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(response.data) == APP_CSS
    assert len(response.data) < len(APP_CSS) / 3
    assert "Accept-Ranges" not in response.headers
    etag = response.headers["ETag"]
    assert etag.startswith('W/"')
    response.close()
    with client.get("/static/css/app.css", headers={**GZIP, "If-None-Match": etag}) as again:
        assert again.status_code == 304 and not again.data
    # The second answer comes from the kept compressed bytes and is the same.
    third = client.get("/static/css/app.css", headers=GZIP)
    assert third.data == response.data
    third.close()


def test_images_that_are_not_text_are_left_alone(client, app, tmp_path):
    app.static_folder = str(tmp_path)
    (tmp_path / "icon.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(4096))
    response = client.get("/static/icon.png", headers=GZIP)
    assert "Content-Encoding" not in response.headers
    response.close()


def test_a_compressed_page_varies_in_length_against_breach():
    data = b"<p>csrf_token=secret and the same page every time</p>" * 50
    bodies = [gzip_with_random_length(data) for _ in range(40)]
    assert all(gzip.decompress(body) == data for body in bodies)
    assert len({len(body) for body in bodies}) > 10
