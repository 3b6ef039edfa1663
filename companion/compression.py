"""Gzip for text responses: a phone on a weak network receives a page's HTML, CSS and JS in a quarter of the bytes.

Pages and API answers are compressed with a random-length gzip header field ("Heal the BREACH",
Paulsen et al. 2023, as Django's GZipMiddleware does): a page that holds a secret (the CSRF token)
beside text an attacker can reflect into it no longer shows that secret plainly in its compressed
length, and guessing it takes many times more requests. Static files hold no secrets; their
compressed bytes are made once per file version and reused.
"""

from __future__ import annotations

import gzip
import secrets

from flask import Flask, Response, request

COMPRESSIBLE = {
    "text/html", "text/css", "text/javascript", "text/plain", "text/csv", "text/calendar", "image/svg+xml",
    "application/javascript", "application/json", "application/problem+json", "application/manifest+json",
    "application/fhir+json",
}
# Below this, gzip's framing costs about as much as it saves.
MIN_SIZE = 512
MAX_RANDOM_BYTES = 100
MAX_CACHED_FILES = 256
# A static file's gzip bytes by its ETag, which changes with the file (a dict is thread-safe enough here:
# two threads compressing the same file at once store the same bytes).
_files: dict[str, bytes] = {}


def init_app(app: Flask) -> None:
    """Compress text responses for clients that accept gzip."""
    app.after_request(compress_response)


def accepts_gzip() -> bool:
    """Whether the client takes gzip (``Accept-Encoding: gzip`` with a quality above zero, or ``*``)."""
    return request.accept_encodings["gzip"] > 0


def compress_response(response: Response) -> Response:
    """Gzip the body of a text response when the client accepts it and it is worth it."""
    if response.mimetype not in COMPRESSIBLE:
        return response
    response.vary.add("Accept-Encoding")
    if (not accepts_gzip() or request.method == "HEAD" or response.status_code in (204, 206, 304)
            or response.status_code < 200 or "Content-Encoding" in response.headers
            or response.cache_control.no_transform or "Content-Range" in response.headers):
        return response
    if response.direct_passthrough:
        # A file sent by send_file: it holds no secrets, so the same version always compresses the same.
        etag, _ = response.get_etag()
        if not etag:
            return response
        response.direct_passthrough = False
        body = _files.get(etag)
        if body is None:
            body = gzip.compress(response.get_data(), compresslevel=9, mtime=0)
            if len(_files) >= MAX_CACHED_FILES:
                _files.clear()
            _files[etag] = body
        else:
            response.close()  # the file is not read
        response.set_etag(etag, weak=True)  # the gzip bytes are not byte-identical to the file
        response.headers.pop("Accept-Ranges", None)  # ranges are served of the file, uncompressed
    elif response.is_sequence:
        data = response.get_data()
        if len(data) < MIN_SIZE:
            return response
        body = gzip_with_random_length(data)
        etag, _ = response.get_etag()
        if etag:
            response.set_etag(etag, weak=True)
    else:
        return response  # a streamed body is left as it streams
    response.set_data(body)
    response.headers["Content-Encoding"] = "gzip"
    return response


def gzip_with_random_length(data: bytes, max_random_bytes: int = MAX_RANDOM_BYTES) -> bytes:
    """``data`` gzipped, with a file-name field of 0 to ``max_random_bytes - 1`` bytes that decoders ignore."""
    compressed = gzip.compress(data, compresslevel=6, mtime=0)
    header = bytearray(compressed[:10])
    header[3] = gzip.FNAME
    filename = b"a" * secrets.randbelow(max_random_bytes) + b"\x00"
    return bytes(header) + filename + compressed[10:]
